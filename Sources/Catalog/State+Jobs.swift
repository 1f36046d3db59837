import YonkeCore

/// Ingest jobs: a run starts by taking the job's lease (or is recorded skipped), and ends either
/// with `commitRun` — its files and its bookmark in this one entry — or `failRun`, which makes
/// nothing visible. A holder that dies simply lets its lease lapse; the next start records its
/// run failed. The lease is keyed by the job's name, so `renewLease` extends a run's tenure.
extension Catalog.State {
    public func job(named name: String) -> Catalog.JobRecord? { jobs[name] }

    /// Every job, by name.
    public var jobList: [Catalog.JobRecord] {
        jobs.keys.sorted(by: LakePath.precedes).compactMap { jobs[$0] }
    }

    /// The lease a job's running run holds, if it is still live at catalog time `now`.
    public func liveLease(job: String, now: Int64) -> Catalog.Lease? {
        guard let lease = leases[job], now < lease.expiresAtEpochMillis else { return nil }
        return lease
    }

    mutating func onDefineJob(_ definition: Catalog.JobDefinition, replace: Bool) throws(Refusal) -> Catalog.JobRecord {
        if var existing = jobs[definition.name] {
            guard replace else { throw .jobExists(definition.name) }
            var kept = definition
            kept.createdAtEpochMillis = existing.definition.createdAtEpochMillis
            existing.definition = kept
            jobs[definition.name] = existing
            return existing
        }
        let record = Catalog.JobRecord(definition: definition)
        jobs[definition.name] = record
        return record
    }

    mutating func onStartRun(job: String, holder: String, trigger: Catalog.RunTrigger, leaseMillis: Int64,
                             index: UInt64, now: Int64) throws(Refusal) -> Catalog.RunStart {
        guard var record = jobs[job] else { throw .unknownJob(job) }
        if trigger == .schedule { record.lastScheduledAtEpochMillis = now }
        var abandoned: Catalog.JobRun?
        if let live = liveLease(job: job, now: now) {
            // Never two runs at once: the late one is recorded, not run (Glue would fail it).
            let running = record.runs.last { $0.status == .running && $0.fencingToken == live.fencingToken }
            let what = running.map { "run \($0.number)" } ?? "a run"
            var skipped = newRun(&record, status: .skipped, trigger: trigger, holder: holder, token: 0, now: now)
            skipped.finishedAtEpochMillis = now
            skipped.message = "\(what) still running on \(live.holder) (lease until \(live.expiresAtEpochMillis) ms)"
            append(skipped, to: &record)
            jobs[job] = record
            return Catalog.RunStart(run: skipped, lease: nil, abandoned: nil)
        }
        if let position = record.runs.lastIndex(where: { $0.status == .running }) {
            var lost = record.runs[position]
            lost.status = .failed
            lost.finishedAtEpochMillis = now
            lost.message = "\(lost.holder) lost its lease before committing (machine died or stalled): nothing of it is visible"
            record.runs[position] = lost
            abandoned = lost
        }
        let lease = Catalog.Lease(job: job, holder: holder, expiresAtEpochMillis: now + leaseMillis, fencingToken: index)
        leases[job] = lease
        let run = newRun(&record, status: .running, trigger: trigger, holder: holder, token: index, now: now)
        append(run, to: &record)
        jobs[job] = record
        return Catalog.RunStart(run: run, lease: lease, abandoned: abandoned)
    }

    mutating func onCommitRun(_ commit: Catalog.RunCommit, index: UInt64, now: Int64) throws(Refusal) -> Catalog.RunCommitted {
        guard var record = jobs[commit.job] else { throw .unknownJob(commit.job) }
        let position = try runningRun(record, commit.run, holder: commit.holder, token: commit.fencingToken)
        guard let lease = leases[commit.job], now < lease.expiresAtEpochMillis else {
            throw .leaseExpired(job: commit.job, atEpochMillis: leases[commit.job]?.expiresAtEpochMillis ?? now)
        }
        try checkNewFiles(commit.files)

        var unreferenced: [BlockID] = []
        var paths: [LakePath] = []
        for file in commit.files {
            // Checked above for every file before the first is added, so none of these refuses.
            do throws(Refusal) {
                let committed = try onCommitFile(file, index: index, now: now)
                unreferenced += committed.unreferencedBlocks
                paths.append(file.path)
            } catch {
                invariant(false, "run file \(file.path) refused after its checks: \(error)")
            }
        }
        var newSchema: Catalog.SchemaVersion?
        if !commit.columns.isEmpty && record.currentSchema?.columns != commit.columns {
            let version = Catalog.SchemaVersion(version: UInt32(record.schemaVersions.count + 1), columns: commit.columns,
                                                run: commit.run, recordedAtEpochMillis: now)
            record.schemaVersions.append(version)
            newSchema = version
        }
        var run = record.runs[position]
        run.status = .succeeded
        run.finishedAtEpochMillis = now
        run.rows = commit.rows
        run.bytes = commit.bytes
        run.nullBookmarkRows = commit.nullBookmarkRows
        run.bookmarkAfter = commit.bookmark
        run.files = paths
        run.schemaVersion = record.currentSchema?.version ?? 0
        record.runs[position] = run
        record.bookmark = commit.bookmark
        jobs[commit.job] = record
        if lease.fencingToken == commit.fencingToken { leases[commit.job] = nil }
        return Catalog.RunCommitted(run: run, newSchema: newSchema, unreferencedBlocks: unreferenced.sorted())
    }

    /// The holder may record its own failure even after its lease lapsed, as long as nobody
    /// started another run since (then the start already recorded it failed).
    mutating func onFailRun(job: String, run number: UInt64, holder: String, fencingToken: UInt64, message: String,
                            now: Int64) throws(Refusal) -> Catalog.JobRun {
        guard var record = jobs[job] else { throw .unknownJob(job) }
        let position = try runningRun(record, number, holder: holder, token: fencingToken)
        var run = record.runs[position]
        run.status = .failed
        run.finishedAtEpochMillis = now
        run.message = message
        record.runs[position] = run
        jobs[job] = record
        if leases[job]?.fencingToken == fencingToken { leases[job] = nil }
        return run
    }

    mutating func onResetBookmark(job: String, toRun: UInt64, now: Int64) throws(Refusal) -> Catalog.Effect {
        guard var record = jobs[job] else { throw .unknownJob(job) }
        if let live = liveLease(job: job, now: now) {
            throw .leaseHeld(by: live.holder, untilEpochMillis: live.expiresAtEpochMillis)
        }
        var target = ""
        if toRun > 0 {
            guard let run = record.run(toRun) else { throw .unknownRun(job: job, run: toRun) }
            guard run.status == .succeeded, let after = run.bookmarkAfter else {
                throw .runNotRunning(job: job, run: toRun, status: run.status)
            }
            target = after
        }
        let previous = record.bookmark
        record.bookmark = target
        jobs[job] = record
        return .bookmarkReset(job: job, previous: previous, current: target)
    }

    // MARK: - Helpers

    private func newRun(_ record: inout Catalog.JobRecord, status: Catalog.RunStatus, trigger: Catalog.RunTrigger,
                        holder: String, token: UInt64, now: Int64) -> Catalog.JobRun {
        let number = record.nextRun
        record.nextRun += 1
        return Catalog.JobRun(job: record.definition.name, number: number, status: status, trigger: trigger, holder: holder,
                              fencingToken: token, startedAtEpochMillis: now, finishedAtEpochMillis: nil,
                              bookmarkBefore: record.bookmark)
    }

    private func append(_ run: Catalog.JobRun, to record: inout Catalog.JobRecord) {
        record.runs.append(run)
        let excess = record.runs.count - Catalog.Limits.maxRunsKeptPerJob
        if excess > 0 { record.runs.removeFirst(excess) }
    }

    /// The position of run `number`, which must be running under `token` held by `holder`.
    private func runningRun(_ record: Catalog.JobRecord, _ number: UInt64, holder: String, token: UInt64) throws(Refusal) -> Int {
        let job = record.definition.name
        guard let position = record.runs.lastIndex(where: { $0.number == number }) else {
            throw .unknownRun(job: job, run: number)
        }
        let run = record.runs[position]
        guard run.status == .running else { throw .runNotRunning(job: job, run: number, status: run.status) }
        guard run.fencingToken == token else {
            throw .staleFencingToken(job: job, presented: token, current: leases[job]?.fencingToken)
        }
        guard run.holder == holder else { throw .leaseNotHeld(job: job) }
        if let lease = leases[job], lease.fencingToken != token {
            throw .staleFencingToken(job: job, presented: token, current: lease.fencingToken)
        }
        return position
    }

    /// Every check `onCommitFile` makes, for all of a run's files at once, so that either all
    /// of them are added or none is.
    private func checkNewFiles(_ commits: [Catalog.CommitFile]) throws(Refusal) {
        var paths = Set<LakePath>()
        var claimed: [BlockKey: Int64] = [:]
        for commit in commits {
            let path = commit.path
            guard path.zone != nil, path.depth >= 2 else { throw .protectedPath(path) }
            guard files[path] == nil, directories[path] == nil, paths.insert(path).inserted else {
                throw .runFileConflict(path)
            }
            _ = try missingAncestors(of: path, create: true)
            for block in commit.blocks {
                let key = BlockKey(block.id)
                if let known = blockUsage[key]?.sizeBytes ?? claimed[key], known != block.sizeBytes {
                    throw .blockSizeMismatch(block.id, knownBytes: known, claimedBytes: block.sizeBytes)
                }
                claimed[key] = block.sizeBytes
            }
        }
        // One run file may not be the folder of another.
        for commit in commits {
            for ancestor in commit.path.ancestors where paths.contains(ancestor) { throw .runFileConflict(ancestor) }
        }
    }
}
