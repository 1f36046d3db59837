import ArgumentParser
import Catalog
import Foundation
import Ingest
import IngestPlan
import Logging
import YonkeClient
import YonkeProtocol

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List ingest jobs, their runs, run one now, rewind a bookmark.",
        discussion: """
            Example:
              yonke jobs
              yonke jobs runs random_data
              yonke jobs run random_data --wait
              yonke jobs reset-bookmark random_data --to-run 3
            """,
        subcommands: [JobsListCommand.self, JobsRunsCommand.self, JobsRunCommand.self, JobsResetBookmarkCommand.self],
        defaultSubcommand: JobsListCommand.self
    )
}

struct JobsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every job with its last run, bookmark and next run.",
        discussion: "Example:\n  yonke jobs --json")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let jobs: [JobWire.Job]
        do { jobs = try await CatalogOps.jobs(client: cluster) } catch { throw CLIError.cluster(error, while: "listing jobs") }
        if client.json { return try client.printJSON(jobs) }
        guard !jobs.isEmpty else { return print("no jobs (make one with `yonke ingest postgres …`)") }
        print(JobsText.table(header: ["JOB", "SOURCE", "SCHEDULE", "LAST RUN", "ROWS", "BOOKMARK", "NEXT RUN"], rows: jobs.map { job in
            let last = job.lastRun.map { "#\($0.run) \($0.status)" + (job.runningOn != nil ? " (running)" : "") } ?? "never"
            return [job.definition.name, job.definition.table, JobsText.schedule(job.definition.schedule), last,
                    job.lastRun.map { String($0.rows) } ?? "-", JobBookmark.summary(job.bookmark),
                    job.nextRunAtEpochMillis.map(JobsText.time) ?? "manual"]
        }))
    }
}

struct JobsRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Every run of a job: status, rows, bytes, duration, bookmark before → after, files.",
        discussion: "Example:\n  yonke jobs runs random_data --json")

    @Argument(help: "The job.") var name: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let job: JobWire.Job
        do {
            guard let found = try await CatalogOps.jobs(named: name, detailed: true, client: cluster).first else {
                throw CLIError("no job named \(name)", hint: "`yonke jobs` lists them")
            }
            job = found
        } catch let error as CLIError { throw error } catch {
            throw CLIError.cluster(error, while: "reading the runs of \(name)")
        }
        if client.json { return try client.printJSON(job) }
        let runs = job.runs ?? []
        print(JobsText.table(header: ["RUN", "STATUS", "TRIGGER", "STARTED", "DURATION", "ROWS", "BYTES", "NULL BM", "BOOKMARK", "FILES", "SCHEMA"],
                             rows: runs.map { run in
            [String(run.run), run.status, run.trigger, JobsText.time(run.startedAtEpochMillis),
             run.durationMillis.map { String(format: "%.1fs", Double($0) / 1000) } ?? "-", String(run.rows), String(run.bytes),
             String(run.nullBookmarkRows),
             "\(JobBookmark.summary(run.bookmarkBefore)) → \(run.bookmarkAfter.map { JobBookmark.summary($0) } ?? "-")",
             String(run.files.count), run.schemaVersion == 0 ? "-" : "v\(run.schemaVersion)"]
        }))
        for run in runs where !run.message.isEmpty { print("run \(run.run): \(run.message)") }
        for version in job.schemaVersions ?? [] {
            print("schema v\(version.version) (run \(version.run)): " + version.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))
        }
    }
}

struct JobsRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a run now: the master hands it to a node (or --here runs it in this process).",
        discussion: """
            A run that finds another still going is recorded as skipped, never run alongside it.

            Example:
              yonke jobs run random_data --wait
              PGPASSWORD=… yonke jobs run random_data --here --json
            """)

    @Argument(help: "The job.") var name: String
    @Flag(name: .long, help: "Run it in this process (as a client of the cluster) instead of on a node.") var here = false
    @Flag(name: .long, help: "Wait until the run ends and print its record.") var wait = false
    @Option(name: .long, help: "With --here: the run's lease (renewed while it runs), e.g. 30s.") var lease: String = "30s"
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        var run: JobWire.Run
        if here {
            var settings = IngestRunner.Settings()
            settings.leaseMillis = try Schedule.interval(lease)
            var logger = Logger(label: "yonke.ingest")
            logger.logLevel = .warning
            let runner = IngestRunner(cluster: cluster, runnerName: "cli-\(ProcessInfo.processInfo.hostName)",
                                      settings: settings, logger: logger)
            do { run = try await runner.run(job: name, trigger: .manual) } catch let error as IngestError {
                throw CLIError("run of \(name) failed: \(error)", hint: "the run is recorded failed and changed nothing; `yonke jobs runs \(name)`")
            } catch {
                throw CLIError.cluster(error, while: "running \(name)")
            }
        } else {
            let reply: JobWire.RunNowReply
            do { reply = try await CatalogOps.runNow(job: name, client: cluster) } catch {
                throw CLIError.cluster(error, while: "starting a run of \(name)")
            }
            run = reply.run
            if wait && reply.started {
                run = try await waitForEnd(run.run, cluster: cluster)
            }
            if !client.json { print("run \(run.run) of \(name) on \(reply.node): \(run.status)") }
        }
        if client.json { return try client.printJSON(run) }
        print("run \(run.run) of \(name): \(run.status), \(run.rows) rows, \(run.bytes) bytes, \(run.files.count) files"
              + (run.nullBookmarkRows > 0 ? ", \(run.nullBookmarkRows) rows with a NULL bookmark not ingested" : "")
              + (run.message.isEmpty ? "" : ": \(run.message)"))
        if run.status == "failed" { throw ExitCode(1) }
    }

    private func waitForEnd(_ number: UInt64, cluster: ClusterClient) async throws -> JobWire.Run {
        while true {
            try await Task.sleep(for: .milliseconds(300))
            let job = try await CatalogOps.jobs(named: name, detailed: true, client: cluster).first
            if let run = job?.runs?.last(where: { $0.run == number }), run.status != "running" { return run }
        }
    }
}

struct JobsResetBookmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-bookmark",
        abstract: "Rewind a job's bookmark to what it was after a run (0: the beginning), as Glue's ResetJobBookmark.",
        discussion: """
            Rows after that point are read again by the next run (bronze keeps what earlier runs wrote). Refused while a run holds the job's lease.

            Example:
              yonke jobs reset-bookmark random_data --to-run 3
            """)

    @Argument(help: "The job.") var name: String
    @Option(name: .long, help: "The run whose end state to go back to (0 = start over).") var toRun: UInt64
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let job: JobWire.Job
        do { job = try await CatalogOps.resetBookmark(job: name, toRun: toRun, client: cluster) } catch {
            throw CLIError.cluster(error, while: "resetting the bookmark of \(name)")
        }
        if client.json { return try client.printJSON(job) }
        print("bookmark of \(name): \(JobBookmark.summary(job.bookmark))")
    }
}

enum JobsText {
    static func schedule(_ schedule: JobWire.Schedule) -> String {
        switch schedule.kind {
        case "every": "every \(duration(schedule.everyMillis ?? 0))"
        case "cron": "cron \(schedule.cron ?? "")"
        default: "manual"
        }
    }

    static func duration(_ millis: Int64) -> String {
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where millis % size == 0 {
            return "\(millis / size)\(unit)"
        }
        return "\(millis)ms"
    }

    static func time(_ epochMillis: Int64) -> String {
        let date = CivilDate(epochMillis: epochMillis)
        let secondOfDay = ((epochMillis / 1000) % 86_400 + 86_400) % 86_400
        return String(format: "%@ %02d:%02d:%02dZ", date.description, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
