import Catalog
import IngestPlan
import NIOCore
import YonkeClient
import YonkeProtocol

/// Ingest jobs on the master: the job operations (each one catalog command), and the schedule.
/// The schedule is the pure `JobScheduler` asked every `jobScheduleTicks` against the replicated
/// catalog, so a new master simply goes on asking it; runs are handed to a node (`jobExecute`),
/// which runs them as a client of the cluster.
extension ConsensusService {
    /// ≈ 500 ms at the 10 ms tick.
    static let jobScheduleTicks: UInt64 = 50

    func serveJobs(_ op: CatalogOps.Op, payload: ByteBuffer) async throws -> ByteBuffer {
        let now = Self.nowEpochMillis()
        switch op {
        case .jobDefine:
            let request = try JSONPayload.decode(JobWire.DefineJobRequest.self, from: payload, what: "job definition")
            var definition = try request.definition.catalog()
            definition.createdAtEpochMillis = now
            let record = try await proposeJob(.defineJob(definition, replace: request.replace)) { effect -> Catalog.JobRecord? in
                if case .jobDefined(let record) = effect { return record }
                return nil
            }
            return JSONPayload.encode(try await jobInfo(record.definition.name, detailed: false))
        case .jobList:
            let query = try JSONPayload.decode(JobWire.JobQuery.self, from: payload, what: "job query")
            let infos = try await read { state -> [JobWire.Job]? in
                let records = query.name.map { name in state.job(named: name).map { [$0] } ?? [] } ?? state.jobList
                if let name = query.name, records.isEmpty { _ = name; return nil }
                return records.map { Self.info($0, state: state, detailed: query.detailed) }
            }
            guard let infos else { throw Self.failure(.unknownJob(query.name ?? "")) }
            return JSONPayload.encode(infos)
        case .jobStart:
            let request = try JSONPayload.decode(JobWire.StartRunRequest.self, from: payload, what: "run start")
            let start = try await proposeJob(.startRun(job: request.job, holder: request.holder, trigger: try JobWire.trigger(request.trigger),
                                                       leaseMillis: request.leaseMillis, epochMillis: now)) { effect -> Catalog.RunStart? in
                if case .runStarted(let start) = effect { return start }
                return nil
            }
            guard let record = try await read({ $0.job(named: request.job) }) else { throw Self.failure(.unknownJob(request.job)) }
            return JSONPayload.encode(JobWire.RunStartReply(
                run: JobWire.Run(start.run), started: start.lease != nil, leaseExpiresAtEpochMillis: start.lease?.expiresAtEpochMillis,
                definition: JobWire.Definition(record.definition), bookmark: start.run.bookmarkBefore,
                currentSchema: record.currentSchema.map(JobWire.SchemaVersion.init), abandoned: start.abandoned.map(JobWire.Run.init)))
        case .jobRenew:
            let request = try JSONPayload.decode(JobWire.RenewRunRequest.self, from: payload, what: "lease renewal")
            _ = try await proposeJob(.renewLease(job: request.job, holder: request.holder, durationMillis: request.leaseMillis,
                                                 epochMillis: now)) { effect -> Catalog.Lease? in
                if case .leaseGranted(let lease) = effect { return lease }
                return nil
            }
            guard let run = try await read({ $0.job(named: request.job)?.runs.last(where: { $0.status == .running }) }) else {
                throw Self.failure(.unknownJob(request.job))
            }
            return JSONPayload.encode(JobWire.Run(run))
        case .jobCommit:
            let request = try JSONPayload.decode(JobWire.CommitRunRequest.self, from: payload, what: "run commit")
            let committed = try await proposeJob(.commitRun(try request.catalog(epochMillis: now))) { effect -> Catalog.RunCommitted? in
                if case .runCommitted(let committed) = effect { return committed }
                return nil
            }
            return JSONPayload.encode(JobWire.Run(committed.run))
        case .jobFail:
            let request = try JSONPayload.decode(JobWire.FailRunRequest.self, from: payload, what: "run failure")
            let run = try await proposeJob(.failRun(job: request.job, run: request.run, holder: request.holder,
                                                    fencingToken: request.fencingToken, message: request.message,
                                                    epochMillis: now)) { effect -> Catalog.JobRun? in
                if case .runFailed(let run) = effect { return run }
                return nil
            }
            return JSONPayload.encode(JobWire.Run(run))
        case .jobResetBookmark:
            let request = try JSONPayload.decode(JobWire.ResetBookmarkRequest.self, from: payload, what: "bookmark reset")
            _ = try await proposeJob(.resetBookmark(job: request.job, toRun: request.toRun, epochMillis: now)) { effect -> Bool? in
                if case .bookmarkReset = effect { return true }
                return nil
            }
            return JSONPayload.encode(try await jobInfo(request.job, detailed: false))
        case .jobRunNow:
            let request = try JSONPayload.decode(JobWire.RunNowRequest.self, from: payload, what: "run request")
            guard try await read({ $0.job(named: request.job) }) != nil else { throw Self.failure(.unknownJob(request.job)) }
            let (node, reply) = try await dispatchRun(job: request.job, trigger: .manual)
            return JSONPayload.encode(JobWire.RunNowReply(node: node, run: reply.run, started: reply.started))
        default:
            throw RPCFailure(.malformed, "\(op) is not a job operation")
        }
    }

    /// A node asked by the master to run a job: starts it here (the runner answers once the run
    /// holds its lease or was recorded skipped) and lets it go on in the background.
    func serveJobExecute(_ payload: ByteBuffer, from sender: String) async throws -> ByteBuffer {
        guard sender == masterName else {
            throw RPCFailure(.refused, "\(selfID.name) runs jobs only when the master asks (master: \(masterName ?? "unknown"), not \(sender))")
        }
        let request = try JSONPayload.decode(JobWire.RunOnNodeRequest.self, from: payload, what: "job execution")
        guard let runner = context.config.jobRunner else {
            throw RPCFailure(.unavailable, "\(selfID.name) has no job runner (started without ingest support)")
        }
        let reply = try await runner.start(job: request.job, trigger: try JobWire.trigger(request.trigger), context: context)
        return JSONPayload.encode(reply)
    }

    // MARK: - Schedule

    /// On the master, every `jobScheduleTicks`: start every due job, and retry every run whose
    /// holder lost its lease. One dispatch per job at a time.
    func scheduleJobsIfDue() {
        guard isMaster, catalog.isBootstrapped, tickCount % Self.jobScheduleTicks == 0 else { return }
        let now = Self.nowEpochMillis()
        // The catalog's clock never runs behind what it has applied.
        let clock = max(now, catalog.clockEpochMillis)
        for record in catalog.jobList where !dispatchingJobs.contains(record.definition.name) {
            guard let decision = JobScheduler.decide(record, liveLease: catalog.liveLease(job: record.definition.name, now: clock),
                                                     now: clock) else { continue }
            dispatchingJobs.insert(decision.job)
            Task {
                do {
                    let (node, reply) = try await self.dispatchRun(job: decision.job, trigger: decision.trigger)
                    self.logger.notice("job dispatched", metadata: [
                        "job": "\(decision.job)", "trigger": "\(decision.trigger)", "node": "\(node)",
                        "run": "\(reply.run.run)", "status": "\(reply.run.status)"])
                } catch {
                    self.logger.warning("job dispatch failed", metadata: ["job": "\(decision.job)", "error": "\(error)"])
                }
                self.doneDispatching(decision.job)
            }
        }
    }

    private func doneDispatching(_ job: String) { dispatchingJobs.remove(job) }

    /// Hands a run to a live node: another than the master when there is one (the master's work
    /// is the catalog), chosen round-robin; the master itself as the last resort.
    func dispatchRun(job: String, trigger: Catalog.RunTrigger) async throws -> (String, JobWire.RunStartReply) {
        let members = await context.membership.members().filter { $0.isAlive }.map(\.name).sorted()
        let others = members.filter { $0 != selfID.name }
        var candidates = others.isEmpty ? [selfID.name] : others
        if !candidates.isEmpty {
            let first = Int(dispatchCounter % UInt64(candidates.count))
            candidates = Array(candidates[first...] + candidates[..<first]) + (others.isEmpty ? [] : [selfID.name])
        }
        dispatchCounter &+= 1
        var lastError: any Error = RPCFailure(.unavailable, "no node to run \(job) on")
        let request = JSONPayload.encode(JobWire.RunOnNodeRequest(job: job, trigger: trigger.description))
        for node in candidates {
            do {
                if node == selfID.name {
                    guard let runner = context.config.jobRunner else { throw RPCFailure(.unavailable, "no job runner here") }
                    return (node, try await runner.start(job: job, trigger: trigger, context: context))
                }
                guard let link = await link(to: node, deadline: ContinuousClock.now + .seconds(3)) else {
                    throw RPCFailure(.unavailable, "cannot reach \(node)")
                }
                let answer = try await link.call(op: CatalogOps.Op.jobExecute.rawValue, payload: request, timeout: .seconds(20))
                return (node, try JSONPayload.decode(JobWire.RunStartReply.self, from: answer, what: "job execution reply"))
            } catch let failure as RPCFailure where failure.code == .refused || failure.code == .notFound {
                // The catalog refused (unknown job…): the same on every node.
                throw failure
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    // MARK: - Helpers

    private func proposeJob<T>(_ command: Catalog.Command, _ pick: (Catalog.Effect) -> T?) async throws -> T {
        switch try await propose(command) {
        case .applied(let effect):
            guard let value = pick(effect) else { throw RPCFailure(.internalError, "unexpected effect \(effect)") }
            return value
        case .refused(let refusal):
            throw Self.failure(refusal)
        }
    }

    private func jobInfo(_ name: String, detailed: Bool) async throws -> JobWire.Job {
        guard let info = try await read({ state in state.job(named: name).map { Self.info($0, state: state, detailed: detailed) } }) else {
            throw Self.failure(.unknownJob(name))
        }
        return info
    }

    static func info(_ record: Catalog.JobRecord, state: Catalog.State, detailed: Bool) -> JobWire.Job {
        let clock = max(nowEpochMillis(), state.clockEpochMillis)
        return JobWire.Job(record, nextRunAtEpochMillis: JobScheduler.nextDue(record),
                           liveLease: state.liveLease(job: record.definition.name, now: clock), detailed: detailed)
    }
}

/// What a node runs jobs with: the ingest runner, supplied by the `yonke` binary (so that the
/// node library does not link the PostgreSQL driver).
public protocol NodeJobRunner: Sendable {
    /// Starts a run of `job` as a client of the cluster; answers once it holds the job's lease
    /// (the run goes on in the background) or was recorded skipped.
    func start(job: String, trigger: Catalog.RunTrigger, context: NodeContext) async throws -> JobWire.RunStartReply
}
