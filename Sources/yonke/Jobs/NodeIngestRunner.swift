import Catalog
import Foundation
import Ingest
import IngestPlan
import Logging
import Node
import YonkeClient
import YonkeProtocol

/// A node's job runner: when the master hands it a run, it becomes a client of its own cluster
/// (as nodes do for replica moves), takes the job's lease and runs the ingest in the background.
/// If this process dies, the lease lapses and the master retries the run elsewhere.
struct NodeIngestRunner: NodeJobRunner {
    /// `YONKE_INGEST_LEASE` (e.g. `5s`) shortens the lease (tests); default 30 s. The rest are
    /// test hooks.
    var settings: IngestRunner.Settings

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        settings = IngestRunner.Settings()
        if let text = environment["YONKE_INGEST_LEASE"], let millis = try? Schedule.interval(text) { settings.leaseMillis = millis }
        // `RUN:PAGES`: run RUN hangs after PAGES pages (the kill-midway test).
        if let text = environment["YONKE_INGEST_TEST_PAUSE"] {
            let parts = text.split(separator: ":").compactMap { Int($0) }
            if parts.count == 2, parts[0] > 0 { settings.pauseRun = UInt64(parts[0]); settings.pauseAfterPages = parts[1] }
        }
        if let text = environment["YONKE_INGEST_PAGE_ROWS"], let rows = Int(text), rows > 0 { settings.pageRows = rows }
    }

    func start(job: String, trigger: Catalog.RunTrigger, context: NodeContext) async throws -> JobWire.RunStartReply {
        let config = context.config
        let endpoints = [config.machine.address] + config.topology.machines.filter { $0.name != config.name }.map(\.address)
        var logger = context.logger
        logger[metadataKey: "job"] = "\(job)"
        var clientLogger = logger
        clientLogger.logLevel = .warning
        // The run is this machine's own work: it links as the machine.
        let cluster = try ClusterClient(endpoints: endpoints, settings: context.settings, logger: clientLogger)
        let runner = IngestRunner(cluster: cluster, runnerName: config.name, settings: settings, logger: logger)
        let (start, holder): (JobWire.RunStartReply, String)
        do { (start, holder) = try await runner.start(job: job, trigger: trigger) } catch {
            await cluster.close()
            throw error
        }
        guard start.started else {
            await cluster.close()
            return start
        }
        Task.detached {
            do {
                let run = try await runner.execute(start, holder: holder)
                logger.notice("run done", metadata: ["run": "\(run.run)", "status": "\(run.status)", "rows": "\(run.rows)"])
            } catch {
                logger.error("run failed", metadata: ["run": "\(start.run.run)", "error": "\(error)"])
            }
            await cluster.close()
        }
        return start
    }
}
