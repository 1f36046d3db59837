import Catalog
import Foundation
import IngestPlan
import Logging
import NIOCore
import Parquet
import PostgresNIO
import YonkeClient
import YonkeProtocol

/// One run of an ingest job, as a client of the cluster (inside a node, or `yonke jobs run
/// --here`): take the job's lease (or be recorded skipped), read the rows past the bookmark in
/// one REPEATABLE READ snapshot, page by page, into Parquet files whose blocks go to the stores,
/// then commit every file and the new bookmark in one catalog entry. A run that dies anywhere
/// before that entry leaves nothing visible; its retry starts from the same bookmark.
public struct IngestRunner: Sendable {
    public struct Settings: Sendable {
        /// How long the lease lasts without renewal: a dead runner blocks its job this long.
        public var leaseMillis: Int64 = 30_000
        public var pageRows = ReadPlan.defaultPageRows
        /// A new part file after this many rows.
        public var fileMaxRows = 2_000_000
        /// One row group buffered in memory at a time: the bound on a run's memory.
        public var rowGroupBytes = 16 << 20
        public var scratchDirectory = NSTemporaryDirectory()
        /// Test hook: hang (as a stalled or dying runner would) after this many pages of run
        /// `pauseRun`, before the commit.
        public var pauseAfterPages: Int?
        public var pauseRun: UInt64 = 1

        public init() {}
    }

    public let cluster: ClusterClient
    /// Who runs it (`w2`, `cli`): the lease holder is this plus a random suffix, one per attempt.
    public let runnerName: String
    public let settings: Settings
    public let logger: Logger

    public init(cluster: ClusterClient, runnerName: String, settings: Settings = Settings(), logger: Logger) {
        self.cluster = cluster
        self.runnerName = runnerName
        self.settings = settings
        self.logger = logger
    }

    /// Starts the run; returns the catalog's record of it: succeeded, failed (and the error is
    /// thrown after recording it) or skipped.
    public func run(job: String, trigger: Catalog.RunTrigger) async throws -> JobWire.Run {
        let (start, holder) = try await start(job: job, trigger: trigger)
        guard start.started else { return start.run }
        return try await execute(start, holder: holder)
    }

    /// Takes the job's lease for a new run (or records it skipped), under a holder name unique to
    /// this attempt.
    public func start(job: String, trigger: Catalog.RunTrigger) async throws -> (JobWire.RunStartReply, holder: String) {
        let holder = "\(runnerName)/\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let start = try await CatalogOps.startRun(
            JobWire.StartRunRequest(job: job, holder: holder, trigger: trigger.description, leaseMillis: settings.leaseMillis),
            client: cluster)
        if !start.started {
            logger.notice("run skipped", metadata: ["job": "\(job)", "run": "\(start.run.run)", "why": "\(start.run.message)"])
        }
        return (start, holder)
    }

    /// Runs a started run to its commit (or its recorded failure).
    public func execute(_ start: JobWire.RunStartReply, holder: String) async throws -> JobWire.Run {
        let run = start.run
        let renewal = Task { [cluster, settings, logger] in
            let period = Duration.milliseconds(max(200, settings.leaseMillis / 3))
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                if Task.isCancelled { return }
                do {
                    _ = try await CatalogOps.renewRun(
                        JobWire.RenewRunRequest(job: run.job, holder: holder, leaseMillis: settings.leaseMillis), client: cluster)
                } catch {
                    logger.warning("lease renewal failed", metadata: ["job": "\(run.job)", "error": "\(error)"])
                }
            }
        }
        defer { renewal.cancel() }
        do {
            let request = try await ingest(start, holder: holder)
            return try await CatalogOps.commitRun(request, client: cluster)
        } catch {
            let message = "\(error)"
            logger.error("run failed", metadata: ["job": "\(run.job)", "run": "\(run.run)", "error": "\(message)"])
            _ = try? await CatalogOps.failRun(
                JobWire.FailRunRequest(job: run.job, run: run.run, holder: holder, fencingToken: run.fencingToken,
                                       message: String(message.prefix(Catalog.Limits.maxRunMessageBytes))), client: cluster)
            throw error
        }
    }

    /// Reads, writes and stores everything; returns the commit to send.
    func ingest(_ start: JobWire.RunStartReply, holder: String) async throws -> JobWire.CommitRunRequest {
        let run = start.run
        let definition = start.definition
        let url = try SourceURL(parsing: definition.sourceURL)
        let table = try TableName(parsing: definition.table)
        let previous = try JobBookmark.decode(start.bookmark)
        let password = try Self.password(file: definition.passwordFile)
        let source = try await PostgresSource.connect(url, password: password, logger: logger)
        do {
            let result = try await read(source: source, table: table, definition: definition, run: run, previous: previous)
            await source.close()
            return JobWire.CommitRunRequest(
                job: run.job, run: run.run, holder: holder, fencingToken: run.fencingToken, files: result.files,
                bookmark: result.bookmark.encoded, rows: result.rows, bytes: result.bytes,
                nullBookmarkRows: result.nullRows, columns: result.columns, source: "postgres:\(table)")
        } catch {
            await source.close()
            throw error
        }
    }

    struct ReadResult {
        var files: [JobWire.RunFile] = []
        var rows: Int64 = 0
        var bytes: Int64 = 0
        var nullRows: Int64 = 0
        var bookmark: JobBookmark
        var columns: [Catalog.Column]
    }

    private func read(source: PostgresSource, table: TableName, definition: JobWire.Definition, run: JobWire.Run,
                      previous: JobBookmark?) async throws -> ReadResult {
        try await source.execute(ReadPlan.begin)
        guard let snapshotText = try await source.textRows(ReadPlan.snapshotQuery).first?.first ?? nil else {
            throw IngestError.source("no snapshot answer")
        }
        let snapshot = try SourceSnapshot(parsing: snapshotText)
        let columns = try await source.describe(table)
        let plan = try ReadPlan(table: table, columns: columns, bookmarkColumns: definition.bookmarkColumns, previous: previous)
        let nullRows = Int64(try await source.textRows(plan.nullCountQuery).first?.first??.description ?? "0") ?? 0
        let high = plan.highWaterQuery
        let highRow = try await source.textRows(high.sql, binds: high.binds).first
        let newHigh: [String]? = highRow.flatMap { row in row.allSatisfy { $0 != nil } ? row.compactMap { $0 } : nil }
        let select = try plan.selectQuery(current: snapshot)
        try await source.execute("DECLARE yonke_ingest NO SCROLL CURSOR FOR " + select.sql, binds: select.binds)

        var result = ReadResult(bookmark: plan.nextBookmark(high: newHigh, snapshot: snapshot), columns: plan.catalogColumns)
        result.nullRows = nullRows
        var properties = ParquetWriterProperties()
        properties.rowGroupTargetBytes = settings.rowGroupBytes
        let schema = ParquetSchema(plan.columns.map(\.parquet))
        var builders = plan.columns.map(ColumnBuilder.init(plan:))
        var writer: ParquetWriter<ParquetFileSink>?
        var fileRows: Int64 = 0
        var pages = 0
        let scratch = settings.scratchDirectory + "/yonke-ingest-\(run.job)-\(run.run)-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // Finished files wait on local disk and go to the stores only once the read is over,
        // right before the commit: unreferenced blocks are collected after the garbage grace,
        // so none may sit uncommitted for the length of a long read.
        var finished: [(local: String, rows: Int64)] = []
        func finishFile() throws {
            guard var open = writer else { return }
            writer = nil
            _ = try open.close()
            open.sink.close()
            finished.append((open.sink.path, fileRows))
            fileRows = 0
        }

        while true {
            let rows = try await source.query("FETCH FORWARD \(settings.pageRows) FROM yonke_ingest")
            var pageRows = 0
            do {
                for try await row in rows {
                    var i = 0
                    for cell in row {
                        guard i < builders.count else { throw IngestError.source("more columns than described") }
                        if let bytes = cell.bytes {
                            try bytes.withUnsafeReadableBytes { raw in try builders[i].append(raw) }
                        } else {
                            try builders[i].append(nil)
                        }
                        i += 1
                    }
                    pageRows += 1
                }
            } catch let error as PSQLError {
                throw PostgresSource.queryFailure(error)
            }
            guard pageRows > 0 else { break }
            if writer == nil {
                let path = scratch + "/part-\(finished.count).parquet"
                writer = try ParquetWriter(schema: schema, properties: properties, sink: try ParquetFileSink(path: path))
            }
            let batch = builders.indices.map { builders[$0].take() }
            try writer?.append(batch)
            fileRows += Int64(pageRows)
            result.rows += Int64(pageRows)
            pages += 1
            if let pause = settings.pauseAfterPages, pages >= pause, run.run == settings.pauseRun {
                logger.notice("pausing before commit (test hook)", metadata: ["job": "\(run.job)", "rows": "\(result.rows)"])
                try await Task.sleep(for: .seconds(3600))
            }
            if fileRows >= Int64(settings.fileMaxRows) { try finishFile() }
            if pageRows < settings.pageRows { break }
        }
        try finishFile()
        try await source.execute("CLOSE yonke_ingest")
        try await source.execute("COMMIT")
        for (part, file) in finished.enumerated() {
            let path = LakeLayout.partPath(target: definition.target, loadEpochMillis: run.startedAtEpochMillis,
                                           run: run.run, part: part)
            let stored = try await FilePut.storeBlocks(file: file.local, tier: "hot", cluster: cluster)
            ParquetFileSink.remove(file.local)
            result.files.append(JobWire.RunFile(
                path: path, blocks: stored.blocks.map { CatalogOps.Block(id: $0.id, sizeBytes: $0.plaintextBytes) },
                rows: file.rows, columns: plan.catalogColumns))
            result.bytes += stored.sizeBytes
        }
        logger.info("run read", metadata: ["job": "\(run.job)", "run": "\(run.run)", "rows": "\(result.rows)",
                                           "files": "\(result.files.count)", "nullBookmarkRows": "\(nullRows)"])
        return result
    }

    /// The password from the job's file on this machine, else `PGPASSWORD`, else none.
    static func password(file: String) throws -> String? {
        if !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw IngestError.source("cannot read the password file \(file) on this machine")
            }
            return String(text.trimmingCharacters(in: .newlines))
        }
        return ProcessInfo.processInfo.environment["PGPASSWORD"]
    }
}

