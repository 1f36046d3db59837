import Catalog
import YonkeCore

/// The JSON shapes of the job operations (`CatalogOps.Op.job*`): what `yonke jobs --json` prints,
/// and what a runner sends. The catalog checks every field again when it applies the command.
public enum JobWire {
    public struct Schedule: Codable, Sendable, Hashable {
        /// "manual", "every" or "cron".
        public var kind: String
        public var everyMillis: Int64?
        public var cron: String?

        public init(_ schedule: Catalog.JobSchedule) {
            switch schedule {
            case .manual: kind = "manual"
            case .every(let millis): kind = "every"; everyMillis = millis
            case .cron(let expression): kind = "cron"; cron = expression
            }
        }

        public var catalog: Catalog.JobSchedule? {
            switch kind {
            case "manual": .manual
            case "every": everyMillis.map { .every(millis: $0) }
            case "cron": cron.map { .cron($0) }
            default: nil
            }
        }
    }

    public struct Definition: Codable, Sendable, Hashable {
        public var name: String
        public var sourceURL: String
        public var table: String
        public var bookmarkColumns: [String]
        public var schedule: Schedule
        public var target: String
        public var passwordFile: String
        public var createdAtEpochMillis: Int64

        public init(_ d: Catalog.JobDefinition) {
            name = d.name
            sourceURL = d.sourceURL
            table = d.table
            bookmarkColumns = d.bookmarkColumns
            schedule = Schedule(d.schedule)
            target = d.target.description
            passwordFile = d.passwordFile
            createdAtEpochMillis = d.createdAtEpochMillis
        }

        public func catalog() throws -> Catalog.JobDefinition {
            guard let schedule = schedule.catalog else { throw RPCFailure(.malformed, "unknown schedule \(schedule.kind)") }
            let target: LakePath
            do { target = try LakePath(self.target) } catch { throw RPCFailure(.malformed, "target \(self.target): \(error)") }
            return Catalog.JobDefinition(name: name, sourceURL: sourceURL, table: table, bookmarkColumns: bookmarkColumns,
                                         schedule: schedule, target: target, passwordFile: passwordFile,
                                         createdAtEpochMillis: createdAtEpochMillis)
        }
    }

    public struct Run: Codable, Sendable, Hashable {
        public var job: String
        public var run: UInt64
        public var status: String
        public var trigger: String
        public var holder: String
        public var fencingToken: UInt64
        public var startedAtEpochMillis: Int64
        public var finishedAtEpochMillis: Int64?
        public var durationMillis: Int64?
        public var rows: Int64
        public var bytes: Int64
        public var nullBookmarkRows: Int64
        public var bookmarkBefore: String
        public var bookmarkAfter: String?
        public var files: [String]
        public var schemaVersion: UInt32
        public var message: String

        public init(_ r: Catalog.JobRun) {
            job = r.job
            run = r.number
            status = r.status.description
            trigger = r.trigger.description
            holder = r.holder
            fencingToken = r.fencingToken
            startedAtEpochMillis = r.startedAtEpochMillis
            finishedAtEpochMillis = r.finishedAtEpochMillis
            durationMillis = r.durationMillis
            rows = r.rows
            bytes = r.bytes
            nullBookmarkRows = r.nullBookmarkRows
            bookmarkBefore = r.bookmarkBefore
            bookmarkAfter = r.bookmarkAfter
            files = r.files.map(\.description)
            schemaVersion = r.schemaVersion
            message = r.message
        }
    }

    public struct SchemaVersion: Codable, Sendable, Hashable {
        public var version: UInt32
        public var columns: [Catalog.Column]
        public var run: UInt64
        public var recordedAtEpochMillis: Int64

        public init(_ v: Catalog.SchemaVersion) {
            version = v.version
            columns = v.columns
            run = v.run
            recordedAtEpochMillis = v.recordedAtEpochMillis
        }
    }

    public struct Job: Codable, Sendable, Hashable {
        public var definition: Definition
        public var bookmark: String
        public var lastRun: Run?
        /// When the master starts it next (nil: manual only).
        public var nextRunAtEpochMillis: Int64?
        /// Holder of a live lease (a run is going on).
        public var runningOn: String?
        public var schemaVersion: UInt32
        /// Filled in when asked for (`yonke jobs runs NAME`).
        public var runs: [Run]?
        public var schemaVersions: [SchemaVersion]?

        public init(_ record: Catalog.JobRecord, nextRunAtEpochMillis: Int64?, liveLease: Catalog.Lease?, detailed: Bool) {
            definition = Definition(record.definition)
            bookmark = record.bookmark
            lastRun = record.lastRun.map(Run.init)
            self.nextRunAtEpochMillis = nextRunAtEpochMillis
            runningOn = liveLease?.holder
            schemaVersion = record.currentSchema?.version ?? 0
            runs = detailed ? record.runs.map(Run.init) : nil
            schemaVersions = detailed ? record.schemaVersions.map(SchemaVersion.init) : nil
        }
    }

    // MARK: Requests and replies

    public struct DefineJobRequest: Codable, Sendable {
        public var definition: Definition
        public var replace: Bool
        public init(definition: Definition, replace: Bool) {
            self.definition = definition
            self.replace = replace
        }
    }

    public struct JobQuery: Codable, Sendable {
        /// Nil: every job.
        public var name: String?
        public var detailed: Bool
        public init(name: String?, detailed: Bool) {
            self.name = name
            self.detailed = detailed
        }
    }

    public struct StartRunRequest: Codable, Sendable {
        public var job: String
        public var holder: String
        /// "manual", "schedule" or "retry".
        public var trigger: String
        public var leaseMillis: Int64
        public init(job: String, holder: String, trigger: String, leaseMillis: Int64) {
            self.job = job
            self.holder = holder
            self.trigger = trigger
            self.leaseMillis = leaseMillis
        }
    }

    public struct RunStartReply: Codable, Sendable {
        public var run: Run
        /// False: recorded skipped, another run holds the lease.
        public var started: Bool
        public var leaseExpiresAtEpochMillis: Int64?
        public var definition: Definition
        /// The bookmark the run starts from ("" = everything).
        public var bookmark: String
        public var currentSchema: SchemaVersion?
        public var abandoned: Run?
        public init(run: Run, started: Bool, leaseExpiresAtEpochMillis: Int64?, definition: Definition, bookmark: String,
                    currentSchema: SchemaVersion?, abandoned: Run?) {
            self.run = run
            self.started = started
            self.leaseExpiresAtEpochMillis = leaseExpiresAtEpochMillis
            self.definition = definition
            self.bookmark = bookmark
            self.currentSchema = currentSchema
            self.abandoned = abandoned
        }
    }

    public struct RenewRunRequest: Codable, Sendable {
        public var job: String
        public var holder: String
        public var leaseMillis: Int64
        public init(job: String, holder: String, leaseMillis: Int64) {
            self.job = job
            self.holder = holder
            self.leaseMillis = leaseMillis
        }
    }

    public struct RunFile: Codable, Sendable {
        public var path: String
        public var blocks: [CatalogOps.Block]
        public var rows: Int64
        public var columns: [Catalog.Column]
        public init(path: String, blocks: [CatalogOps.Block], rows: Int64, columns: [Catalog.Column]) {
            self.path = path
            self.blocks = blocks
            self.rows = rows
            self.columns = columns
        }
    }

    public struct CommitRunRequest: Codable, Sendable {
        public var job: String
        public var run: UInt64
        public var holder: String
        public var fencingToken: UInt64
        public var files: [RunFile]
        public var bookmark: String
        public var rows: Int64
        public var bytes: Int64
        public var nullBookmarkRows: Int64
        public var columns: [Catalog.Column]
        /// What the files' catalog entries say they came from (`postgres:public.random_data`).
        public var source: String
        public init(job: String, run: UInt64, holder: String, fencingToken: UInt64, files: [RunFile], bookmark: String,
                    rows: Int64, bytes: Int64, nullBookmarkRows: Int64, columns: [Catalog.Column], source: String) {
            self.job = job
            self.run = run
            self.holder = holder
            self.fencingToken = fencingToken
            self.files = files
            self.bookmark = bookmark
            self.rows = rows
            self.bytes = bytes
            self.nullBookmarkRows = nullBookmarkRows
            self.columns = columns
            self.source = source
        }

        public func catalog(epochMillis: Int64) throws -> Catalog.RunCommit {
            var commits: [Catalog.CommitFile] = []
            for file in files {
                let path: LakePath
                do { path = try LakePath(file.path) } catch { throw RPCFailure(.malformed, "\(file.path): \(error)") }
                commits.append(Catalog.CommitFile(
                    path: path, blocks: file.blocks.map { Catalog.BlockEntry(id: $0.id, sizeBytes: $0.sizeBytes) },
                    metadata: Catalog.FileMetadata(source: source, contentType: "application/vnd.apache.parquet", tier: .hot,
                                                   schema: Catalog.Schema(columns: file.columns), rowCount: file.rows),
                    overwrite: false, createParents: true, epochMillis: epochMillis))
            }
            return Catalog.RunCommit(job: job, run: run, holder: holder, fencingToken: fencingToken, files: commits,
                                     bookmark: bookmark, rows: rows, bytes: bytes, nullBookmarkRows: nullBookmarkRows,
                                     columns: columns, epochMillis: epochMillis)
        }
    }

    public struct FailRunRequest: Codable, Sendable {
        public var job: String
        public var run: UInt64
        public var holder: String
        public var fencingToken: UInt64
        public var message: String
        public init(job: String, run: UInt64, holder: String, fencingToken: UInt64, message: String) {
            self.job = job
            self.run = run
            self.holder = holder
            self.fencingToken = fencingToken
            self.message = message
        }
    }

    public struct ResetBookmarkRequest: Codable, Sendable {
        public var job: String
        public var toRun: UInt64
        public init(job: String, toRun: UInt64) {
            self.job = job
            self.toRun = toRun
        }
    }

    public struct RunNowRequest: Codable, Sendable {
        public var job: String
        public init(job: String) { self.job = job }
    }

    public struct RunNowReply: Codable, Sendable {
        /// The node the run was handed to.
        public var node: String
        public var run: Run
        public var started: Bool
        public init(node: String, run: Run, started: Bool) {
            self.node = node
            self.run = run
            self.started = started
        }
    }

    /// Master → node: run this job (the node starts it as a cluster client and answers at once).
    public struct RunOnNodeRequest: Codable, Sendable {
        public var job: String
        public var trigger: String
        public init(job: String, trigger: String) {
            self.job = job
            self.trigger = trigger
        }
    }

    public static func trigger(_ text: String) throws -> Catalog.RunTrigger {
        guard let trigger = Catalog.RunTrigger.allCases.first(where: { $0.description == text }) else {
            throw RPCFailure(.malformed, "unknown run trigger \(text)")
        }
        return trigger
    }
}
