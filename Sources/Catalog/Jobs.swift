import YonkeCore

/// Ingest jobs as the catalog keeps them (DESIGN.md, "The lake"): what to pull and when, every
/// run with what it saw before and after, and the source table's schema versions. The bookmark is
/// opaque here (the ingest planner owns its encoding); what the catalog guarantees is that it
/// moves only together with the files of the run that read up to it.
extension Catalog {
    /// When the master starts a job by itself.
    public enum JobSchedule: Hashable, Sendable, CustomStringConvertible {
        /// Only `yonke jobs run NAME`.
        case manual
        /// Every `millis` after the previous scheduled start (`--every 1h`).
        case every(millis: Int64)
        /// A five-field cron expression in UTC (`--cron "0 * * * *"`); parsed by the scheduler,
        /// which refused a bad one when the job was made.
        case cron(String)

        public var description: String {
            switch self {
            case .manual: "manual"
            case .every(let millis): "every \(millis) ms"
            case .cron(let expression): "cron \(expression)"
            }
        }
    }

    /// A job as `yonke ingest postgres` made it. Never a password: the runner takes it from
    /// `passwordFile` (a path on the machine that runs it) or its `PGPASSWORD`.
    public struct JobDefinition: Hashable, Sendable {
        public var name: String
        /// `postgres://user@host:port/database?sslmode=…`, without a password.
        public var sourceURL: String
        /// `schema.table`.
        public var table: String
        /// Orderable columns, most significant first (`fecha,id`).
        public var bookmarkColumns: [String]
        public var schedule: JobSchedule
        /// Where the files go (`lake://bronze/random_data`).
        public var target: LakePath
        /// Path of a file holding the password on the running machine ("" = `PGPASSWORD`).
        public var passwordFile: String
        public var createdAtEpochMillis: Int64

        public init(name: String, sourceURL: String, table: String, bookmarkColumns: [String], schedule: JobSchedule,
                    target: LakePath, passwordFile: String = "", createdAtEpochMillis: Int64) {
            self.name = name
            self.sourceURL = sourceURL
            self.table = table
            self.bookmarkColumns = bookmarkColumns
            self.schedule = schedule
            self.target = target
            self.passwordFile = passwordFile
            self.createdAtEpochMillis = createdAtEpochMillis
        }
    }

    public enum RunStatus: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case running = 0, succeeded, failed, skipped

        public var description: String {
            switch self {
            case .running: "running"
            case .succeeded: "succeeded"
            case .failed: "failed"
            case .skipped: "skipped"
            }
        }
    }

    public enum RunTrigger: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        /// The master's schedule.
        case schedule = 0
        /// `yonke jobs run NAME`.
        case manual
        /// The master again after the holder of a running run lost its lease (it died).
        case retry

        public var description: String {
            switch self {
            case .schedule: "schedule"
            case .manual: "manual"
            case .retry: "retry"
            }
        }
    }

    /// One run of a job, as `yonke jobs runs NAME` shows it.
    public struct JobRun: Hashable, Sendable {
        public var job: String
        /// 1, 2, 3… per job.
        public var number: UInt64
        public var status: RunStatus
        public var trigger: RunTrigger
        /// The machine (and attempt) that ran it; for a skipped run, the one that asked.
        public var holder: String
        /// The lease's fencing token of a started run (0 for a skipped one).
        public var fencingToken: UInt64
        public var startedAtEpochMillis: Int64
        public var finishedAtEpochMillis: Int64?
        public var rows: Int64 = 0
        public var bytes: Int64 = 0
        /// Rows whose bookmark column was NULL: never ingested by a bookmark, so counted here.
        public var nullBookmarkRows: Int64 = 0
        public var bookmarkBefore: String
        public var bookmarkAfter: String?
        public var files: [LakePath] = []
        /// The schema version the run's files carry (0: none recorded).
        public var schemaVersion: UInt32 = 0
        /// Why it failed or was skipped; "" otherwise.
        public var message: String = ""

        public var durationMillis: Int64? { finishedAtEpochMillis.map { $0 - startedAtEpochMillis } }
    }

    /// The source table's columns as one run found them. Version N+1 is recorded when a run finds
    /// a column added, dropped or retyped; a run never fails for that.
    public struct SchemaVersion: Hashable, Sendable {
        public var version: UInt32
        public var columns: [Column]
        /// The run that found it.
        public var run: UInt64
        public var recordedAtEpochMillis: Int64
    }

    /// Everything the catalog knows about one job.
    public struct JobRecord: Hashable, Sendable {
        public var definition: JobDefinition
        /// "" before the first successful run: the first run takes everything.
        public var bookmark: String = ""
        /// The run number the next start gets.
        public var nextRun: UInt64 = 1
        /// The newest `Limits.maxRunsKeptPerJob` runs, oldest first.
        public var runs: [JobRun] = []
        public var schemaVersions: [SchemaVersion] = []
        /// When the master last started (or skipped) it on schedule: the schedule counts from here.
        public var lastScheduledAtEpochMillis: Int64?

        public var lastRun: JobRun? { runs.last }
        public var currentSchema: SchemaVersion? { schemaVersions.last }
        public func run(_ number: UInt64) -> JobRun? { runs.last { $0.number == number } }
    }

    /// What a run commits in one log entry: its files and its bookmark, both or neither.
    public struct RunCommit: Hashable, Sendable {
        public var job: String
        public var run: UInt64
        public var holder: String
        /// The token `startRun` handed out; a run whose lease was lost and taken over has an
        /// older one, and its commit is refused even if it still believes it holds the lease.
        public var fencingToken: UInt64
        /// New files only (ingest never overwrites).
        public var files: [CommitFile]
        public var bookmark: String
        public var rows: Int64
        public var bytes: Int64
        public var nullBookmarkRows: Int64
        /// The columns the run read: a new version when they differ from the current one.
        public var columns: [Column]
        public var epochMillis: Int64

        public init(job: String, run: UInt64, holder: String, fencingToken: UInt64, files: [CommitFile], bookmark: String,
                    rows: Int64, bytes: Int64, nullBookmarkRows: Int64, columns: [Column], epochMillis: Int64) {
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
            self.epochMillis = epochMillis
        }
    }

    /// What `startRun` did: a run that now holds the job's lease, or one recorded as skipped
    /// because another run still holds it.
    public struct RunStart: Hashable, Sendable {
        public var run: JobRun
        /// Nil when skipped.
        public var lease: Lease?
        /// A previous run whose holder lost its lease, recorded failed by this start.
        public var abandoned: JobRun?
    }

    public struct RunCommitted: Hashable, Sendable {
        public var run: JobRun
        /// Set when this run found a new schema.
        public var newSchema: SchemaVersion?
        public var unreferencedBlocks: [BlockID]
    }
}
