import YonkeCore

/// The binary forms of jobs, runs and schema versions, shared by the job commands' log entries
/// and the snapshot. Every count is bounded before anything is allocated.
extension ByteWriter {
    mutating func jobDefinition(_ d: Catalog.JobDefinition) {
        string(d.name)
        string(d.sourceURL)
        string(d.table)
        count(d.bookmarkColumns.count)
        for column in d.bookmarkColumns { string(column) }
        switch d.schedule {
        case .manual: u8(0)
        case .every(let millis):
            u8(1)
            i64(millis)
        case .cron(let expression):
            u8(2)
            string(expression)
        }
        path(d.target)
        string(d.passwordFile)
        i64(d.createdAtEpochMillis)
    }

    mutating func columns(_ columns: [Catalog.Column]) {
        count(columns.count)
        for column in columns {
            string(column.name)
            string(column.type)
        }
    }

    mutating func paths(_ paths: [LakePath]) {
        count(paths.count)
        for p in paths { path(p) }
    }

    mutating func jobRun(_ run: Catalog.JobRun) {
        string(run.job)
        u64(run.number)
        u8(run.status.rawValue)
        u8(run.trigger.rawValue)
        string(run.holder)
        u64(run.fencingToken)
        i64(run.startedAtEpochMillis)
        bool(run.finishedAtEpochMillis != nil)
        if let finished = run.finishedAtEpochMillis { i64(finished) }
        i64(run.rows)
        i64(run.bytes)
        i64(run.nullBookmarkRows)
        string(run.bookmarkBefore)
        bool(run.bookmarkAfter != nil)
        if let after = run.bookmarkAfter { string(after) }
        paths(run.files)
        u32(run.schemaVersion)
        string(run.message)
    }

    mutating func schemaVersion(_ version: Catalog.SchemaVersion) {
        u32(version.version)
        columns(version.columns)
        u64(version.run)
        i64(version.recordedAtEpochMillis)
    }

    mutating func runCommit(_ commit: Catalog.RunCommit) {
        string(commit.job)
        u64(commit.run)
        string(commit.holder)
        u64(commit.fencingToken)
        count(commit.files.count)
        for file in commit.files {
            path(file.path)
            blocks(file.blocks)
            metadata(file.metadata)
            i64(file.epochMillis)
        }
        string(commit.bookmark)
        i64(commit.rows)
        i64(commit.bytes)
        i64(commit.nullBookmarkRows)
        columns(commit.columns)
        i64(commit.epochMillis)
    }
}

extension ByteReader where Failure == Catalog.DecodeError {
    mutating func jobDefinition() throws(Failure) -> Catalog.JobDefinition {
        typealias L = Catalog.Limits
        let name = try string("job", limit: L.maxNameBytes)
        let url = try string("sourceURL", limit: L.maxSourceURLBytes)
        let table = try string("table", limit: L.maxTableBytes)
        let n = try count("bookmarkColumns", limit: L.maxBookmarkColumns, minElementBytes: 4)
        var columns: [String] = []
        for _ in 0..<n { columns.append(try string("bookmarkColumn", limit: L.maxColumnNameBytes)) }
        let schedule: Catalog.JobSchedule
        switch try u8("schedule") {
        case 0: schedule = .manual
        case 1: schedule = .every(millis: try i64("everyMillis"))
        case 2: schedule = .cron(try string("cron", limit: L.maxCronBytes))
        case let other: throw .unknownTag(field: "schedule", value: other)
        }
        return Catalog.JobDefinition(
            name: name, sourceURL: url, table: table, bookmarkColumns: columns, schedule: schedule,
            target: try path("target"), passwordFile: try string("passwordFile", limit: L.maxDiskPathBytes),
            createdAtEpochMillis: try i64("createdAtEpochMillis"))
    }

    mutating func columns() throws(Failure) -> [Catalog.Column] {
        typealias L = Catalog.Limits
        let n = try count("columns", limit: L.maxSchemaColumns, minElementBytes: 8)
        var columns: [Catalog.Column] = []
        columns.reserveCapacity(n)
        for _ in 0..<n {
            columns.append(Catalog.Column(name: try string("columnName", limit: L.maxColumnNameBytes),
                                          type: try string("columnType", limit: L.maxColumnTypeBytes)))
        }
        return columns
    }

    mutating func paths(_ field: String) throws(Failure) -> [LakePath] {
        let n = try count(field, limit: Catalog.Limits.maxFilesPerRun, minElementBytes: 4)
        var out: [LakePath] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try path(field)) }
        return out
    }

    mutating func jobRun() throws(Failure) -> Catalog.JobRun {
        typealias L = Catalog.Limits
        let job = try string("job", limit: L.maxNameBytes)
        let number = try u64("run")
        let rawStatus = try u8("runStatus")
        guard let status = Catalog.RunStatus(rawValue: rawStatus) else { throw .unknownTag(field: "runStatus", value: rawStatus) }
        let rawTrigger = try u8("runTrigger")
        guard let trigger = Catalog.RunTrigger(rawValue: rawTrigger) else { throw .unknownTag(field: "runTrigger", value: rawTrigger) }
        let holder = try string("holder", limit: L.maxNameBytes)
        let token = try u64("fencingToken")
        let started = try i64("startedAtEpochMillis")
        let finished = try bool("hasFinished") ? try i64("finishedAtEpochMillis") : nil
        var run = Catalog.JobRun(job: job, number: number, status: status, trigger: trigger, holder: holder,
                                 fencingToken: token, startedAtEpochMillis: started, finishedAtEpochMillis: finished,
                                 bookmarkBefore: "")
        run.rows = try i64("rows")
        run.bytes = try i64("bytes")
        run.nullBookmarkRows = try i64("nullBookmarkRows")
        run.bookmarkBefore = try string("bookmarkBefore", limit: L.maxJobBookmarkBytes)
        run.bookmarkAfter = try bool("hasBookmarkAfter") ? try string("bookmarkAfter", limit: L.maxJobBookmarkBytes) : nil
        run.files = try paths("runFiles")
        run.schemaVersion = try u32("schemaVersion")
        run.message = try string("runMessage", limit: L.maxRunMessageBytes)
        return run
    }

    mutating func schemaVersion() throws(Failure) -> Catalog.SchemaVersion {
        Catalog.SchemaVersion(version: try u32("schemaVersion"), columns: try columns(), run: try u64("run"),
                              recordedAtEpochMillis: try i64("recordedAtEpochMillis"))
    }

    mutating func runCommit() throws(Failure) -> Catalog.RunCommit {
        typealias L = Catalog.Limits
        let job = try string("job", limit: L.maxNameBytes)
        let run = try u64("run")
        let holder = try string("holder", limit: L.maxNameBytes)
        let token = try u64("fencingToken")
        let n = try count("runFiles", limit: L.maxFilesPerRun, minElementBytes: 4 + 4 + 4 + 4 + 1 + 1 + 1 + 8)
        var files: [Catalog.CommitFile] = []
        for _ in 0..<n {
            files.append(Catalog.CommitFile(path: try path("path"), blocks: try blocks(), metadata: try metadata(),
                                            overwrite: false, createParents: true, epochMillis: try i64("epochMillis")))
        }
        return Catalog.RunCommit(
            job: job, run: run, holder: holder, fencingToken: token, files: files,
            bookmark: try string("bookmark", limit: L.maxJobBookmarkBytes), rows: try i64("rows"),
            bytes: try i64("bytes"), nullBookmarkRows: try i64("nullBookmarkRows"), columns: try columns(),
            epochMillis: try i64("epochMillis"))
    }
}

/// The job commands' entries (tags from 32 on, clear of the other command families).
extension Catalog.Command {
    enum JobTag: UInt8 {
        case defineJob = 32, startRun, commitRun, failRun, resetBookmark
    }

    /// Nil for commands that are not job commands.
    func encodeJobCommand(into w: inout ByteWriter) -> Bool {
        switch self {
        case .defineJob(let definition, let replace):
            w.u8(JobTag.defineJob.rawValue)
            w.jobDefinition(definition)
            w.bool(replace)
        case .startRun(let job, let holder, let trigger, let leaseMillis, let t):
            w.u8(JobTag.startRun.rawValue)
            w.string(job)
            w.string(holder)
            w.u8(trigger.rawValue)
            w.i64(leaseMillis)
            w.i64(t)
        case .commitRun(let commit):
            w.u8(JobTag.commitRun.rawValue)
            w.runCommit(commit)
        case .failRun(let job, let run, let holder, let token, let message, let t):
            w.u8(JobTag.failRun.rawValue)
            w.string(job)
            w.u64(run)
            w.string(holder)
            w.u64(token)
            w.string(message)
            w.i64(t)
        case .resetBookmark(let job, let toRun, let t):
            w.u8(JobTag.resetBookmark.rawValue)
            w.string(job)
            w.u64(toRun)
            w.i64(t)
        default:
            return false
        }
        return true
    }

    static func decodeJobCommand(_ tag: JobTag, _ r: inout ByteReader<Catalog.DecodeError>) throws(Catalog.DecodeError) -> Catalog.Command {
        typealias L = Catalog.Limits
        switch tag {
        case .defineJob:
            return .defineJob(try r.jobDefinition(), replace: try r.bool("replace"))
        case .startRun:
            let job = try r.string("job", limit: L.maxNameBytes)
            let holder = try r.string("holder", limit: L.maxNameBytes)
            let raw = try r.u8("runTrigger")
            guard let trigger = Catalog.RunTrigger(rawValue: raw) else { throw .unknownTag(field: "runTrigger", value: raw) }
            return .startRun(job: job, holder: holder, trigger: trigger, leaseMillis: try r.i64("leaseMillis"),
                             epochMillis: try r.i64("epochMillis"))
        case .commitRun:
            return .commitRun(try r.runCommit())
        case .failRun:
            return .failRun(job: try r.string("job", limit: L.maxNameBytes), run: try r.u64("run"),
                            holder: try r.string("holder", limit: L.maxNameBytes), fencingToken: try r.u64("fencingToken"),
                            message: try r.string("runMessage", limit: L.maxRunMessageBytes),
                            epochMillis: try r.i64("epochMillis"))
        case .resetBookmark:
            return .resetBookmark(job: try r.string("job", limit: L.maxNameBytes), toRun: try r.u64("run"),
                                  epochMillis: try r.i64("epochMillis"))
        }
    }
}
