@testable import Catalog
import Parquet
import Testing
@testable import IngestPlan

@Suite struct SourceURLTests {
    @Test(arguments: [
        ("postgres://ana@db.local:6543/shop", "ana", "db.local", 6543, "shop"),
        ("postgresql://etl@10.0.0.7/crm?sslmode=require", "etl", "10.0.0.7", 5432, "crm"),
        ("postgres://a%40b@[::1]:5433/d", "a@b", "::1", 5433, "d"),
    ])
    func parses(text: String, user: String, host: String, port: Int, database: String) throws {
        let url = try SourceURL(parsing: text)
        #expect(url.user == user && url.host == host && url.port == port && url.database == database)
        #expect(try SourceURL(parsing: url.description) == url)
    }

    @Test(arguments: ["postgres://ana:pw@db/shop", "postgres://ana@db/shop?password=pw"])
    func refusesAPassword(text: String) {
        #expect(throws: IngestError.passwordInURL) { try SourceURL(parsing: text) }
    }

    @Test(arguments: ["mysql://a@b/c", "postgres://db/shop", "postgres://a@db", "postgres://a@db:99999/x", "postgres://a@db/x?foo=1"])
    func refusesNonsense(text: String) {
        #expect(throws: IngestError.self) { try SourceURL(parsing: text) }
    }

    @Test func tableNamesFoldLikePostgres() throws {
        #expect(try TableName(parsing: "Random_Data") == TableName(schema: "public", table: "random_data"))
        #expect(try TableName(parsing: "sales.\"Order Lines\"") == TableName(schema: "sales", table: "Order Lines"))
        #expect(try TableName(parsing: "a.\"x\"\"y\"").quoted == "\"a\".\"x\"\"y\"")
        for bad in ["", "a.b.c", "a;drop", ".x", "\"open"] {
            #expect(throws: IngestError.self) { try TableName(parsing: bad) }
        }
    }
}

@Suite struct ReadPlanTests {
    static let columns = [
        SourceColumn(name: "id", typeName: "int4", formattedType: "integer", notNull: true),
        SourceColumn(name: "valor", typeName: "text", formattedType: "text"),
        SourceColumn(name: "fecha", typeName: "timestamp", formattedType: "timestamp without time zone"),
    ]
    static let table = TableName(schema: "public", table: "random_data")

    @Test func firstRunTakesEveryRowWithABookmark() throws {
        let plan = try ReadPlan(table: Self.table, columns: Self.columns, bookmarkColumns: ["id"], previous: nil)
        let select = try plan.selectQuery(current: SourceSnapshot(xmin: 10, xmax: 12, xip: [10]))
        #expect(select.sql == "SELECT \"id\", \"valor\", \"fecha\" FROM \"public\".\"random_data\" WHERE \"id\" IS NOT NULL")
        #expect(select.binds.isEmpty)
        #expect(plan.parquetColumns == ["id int32 required", "valor string", "fecha timestamp(us)"])
    }

    @Test func laterRunsAddRowsOfTransactionsOpenOrStartedSinceTheLastSnapshot() throws {
        let previous = JobBookmark(high: ["2026-12-02 10:00:00", "41"], xmax: (5 << 32) + 100, xip: [(5 << 32) + 90, (5 << 32) + 95])
        let plan = try ReadPlan(table: Self.table, columns: Self.columns, bookmarkColumns: ["fecha", "id"], previous: previous)
        let select = try plan.selectQuery(current: SourceSnapshot(xmin: (5 << 32) + 99, xmax: (5 << 32) + 130, xip: []))
        #expect(select.binds == ["2026-12-02 10:00:00", "41"])
        let high = plan.highWaterQuery
        #expect(high.sql == "SELECT candidates.\"fecha\"::text AS high0, candidates.\"id\"::text AS high1 FROM (SELECT \"fecha\", \"id\" FROM \"public\".\"random_data\" WHERE \"fecha\" IS NOT NULL AND \"id\" IS NOT NULL UNION ALL SELECT $1::timestamp without time zone AS \"fecha\", $2::integer AS \"id\") AS candidates ORDER BY candidates.\"fecha\" DESC, candidates.\"id\" DESC LIMIT 1")
        #expect(high.binds == select.binds)
        #expect(select.sql.hasSuffix(
            "WHERE \"fecha\" IS NOT NULL AND \"id\" IS NOT NULL AND ((\"fecha\", \"id\") > ($1::timestamp without time zone, $2::integer) OR ((xmin::text::int8) IN (90, 95) OR (((xmin::text::int8) - 100 + 4294967296) % 4294967296) < 30))"))
    }

    @Test func theXminWindowWrapsAroundAndRefusesAmbiguity() throws {
        let previous = JobBookmark(high: ["7"], xmax: (1 << 32) - 10, xip: [])
        let late = try ReadPlan.lateRowsPredicate(previous: previous, current: SourceSnapshot(xmin: 1 << 32, xmax: (1 << 32) + 5, xip: []))
        #expect(late == "((((xmin::text::int8) - 4294967286 + 4294967296) % 4294967296) < 15)")
        #expect(throws: IngestError.wraparound(transactions: 1 << 31)) {
            try ReadPlan.lateRowsPredicate(previous: previous, current: SourceSnapshot(xmin: 0, xmax: previous.xmax + (1 << 31), xip: []))
        }
        #expect(try ReadPlan.lateRowsPredicate(previous: previous, current: SourceSnapshot(xmin: 0, xmax: previous.xmax, xip: [])) == nil)
    }

    @Test func badBookmarksAreSaidAtJobCreation() {
        #expect(throws: IngestError.unknownBookmarkColumn("idd", table: "public.random_data", columns: ["id", "valor", "fecha"])) {
            try ReadPlan(table: Self.table, columns: Self.columns, bookmarkColumns: ["idd"], previous: nil)
        }
        let json = Self.columns + [SourceColumn(name: "doc", typeName: "jsonb", formattedType: "jsonb")]
        #expect(throws: IngestError.unorderableBookmark(column: "doc", type: "jsonb")) {
            try ReadPlan(table: Self.table, columns: json, bookmarkColumns: ["doc"], previous: nil)
        }
        let odd = Self.columns + [SourceColumn(name: "cfg", typeName: "regconfig", formattedType: "regconfig")]
        #expect(throws: IngestError.self) { try ReadPlan(table: Self.table, columns: odd, bookmarkColumns: ["id"], previous: nil) }
    }

    @Test func snapshotsParseAndBookmarksRoundTrip() throws {
        let snapshot = try SourceSnapshot(parsing: "100:130:101,120")
        #expect(snapshot == SourceSnapshot(xmin: 100, xmax: 130, xip: [101, 120]))
        #expect(throws: IngestError.self) { try SourceSnapshot(parsing: "100:90:") }
        let bookmark = JobBookmark(high: ["41"], xmax: 130, xip: [101])
        #expect(try JobBookmark.decode(bookmark.encoded) == bookmark)
        #expect(try JobBookmark.decode("") == nil)
        #expect(throws: IngestError.self) { try JobBookmark.decode("{") }
        #expect(JobBookmark.summary(bookmark.encoded) == "41")
    }

    @Test func schemaChangesAreNamed() {
        let old = [Catalog.Column(name: "id", type: "integer"), Catalog.Column(name: "gone", type: "text")]
        let new = [Catalog.Column(name: "id", type: "bigint"), Catalog.Column(name: "extra", type: "integer")]
        #expect(SchemaChange.between(old, new).map(\.description) == ["id: integer → bigint", "added extra integer", "dropped gone text"])
    }
}

extension ReadPlan {
    var parquetColumns: [String] { columns.map { "\($0.parquet.name) \($0.parquet.type)\($0.parquet.nullable ? "" : " required")" } }
}

@Suite struct ColumnBuilderTests {
    static func plan(_ typeName: String, _ formatted: String, typmod: Int32 = -1, notNull: Bool = false) throws -> ColumnPlan {
        try ColumnPlan.plan(SourceColumn(name: "c", typeName: typeName, formattedType: formatted, typmod: typmod, notNull: notNull))
    }

    static func append(_ builder: inout ColumnBuilder, _ bytes: [UInt8]?) throws {
        guard let bytes else { return try builder.append(nil) }
        try bytes.withUnsafeBytes { try builder.append($0) }
    }

    @Test func binaryValuesBecomeParquetValues() throws {
        var ints = ColumnBuilder(plan: try Self.plan("int4", "integer"))
        try Self.append(&ints, [0, 0, 0, 42])
        try Self.append(&ints, nil)
        try Self.append(&ints, [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(ints.take() == ColumnBatch(.int32([42, -2]), present: [true, false, true]))

        // 2000-01-02 00:00:01 → 946771201 s after 1970.
        var stamps = ColumnBuilder(plan: try Self.plan("timestamp", "timestamp without time zone"))
        let micros = UInt64(86_401_000_000)
        try Self.append(&stamps, (0..<8).map { UInt8(truncatingIfNeeded: micros >> (56 - 8 * $0)) })
        #expect(stamps.take() == ColumnBatch(.int64([946_771_201_000_000]), present: [true]))

        var money = ColumnBuilder(plan: try Self.plan("numeric", "numeric(10,2)", typmod: Int32((10 << 16) | 2) + 4))
        try Self.append(&money, Array("12.50".utf8))
        #expect(money.take() == ColumnBatch(.int64([1250]), present: [true]))
    }

    @Test func badValuesNameTheColumn() throws {
        var dates = ColumnBuilder(plan: try Self.plan("date", "date"))
        #expect(throws: IngestError.self) { try Self.append(&dates, [0x7F, 0xFF, 0xFF, 0xFF]) }
        var short = ColumnBuilder(plan: try Self.plan("int8", "bigint"))
        #expect(throws: IngestError.self) { try Self.append(&short, [1, 2, 3]) }
        var required = ColumnBuilder(plan: try Self.plan("int4", "integer", notNull: true))
        #expect(throws: IngestError.self) { try Self.append(&required, nil) }
    }

    @Test func expressionsCastWhatHasNoSimpleBinaryForm() throws {
        #expect(try Self.plan("numeric", "numeric").selectExpression == "\"c\"::text")
        #expect(try Self.plan("jsonb", "jsonb").selectExpression == "\"c\"::text")
        #expect(try Self.plan("text", "text").selectExpression == "\"c\"")
        #expect(try Self.plan("oid", "oid").selectExpression == "\"c\"::text::int8")
    }
}

@Suite struct ScheduleTests {
    @Test(arguments: [("30s", Int64(30_000)), ("15m", 900_000), ("1h", 3_600_000), ("2d", 172_800_000), ("1500ms", 1500)])
    func intervals(text: String, millis: Int64) throws {
        #expect(try Schedule.interval(text) == millis)
    }

    @Test(arguments: ["", "1", "0s", "-5m", "1w", "500ms"])
    func badIntervals(text: String) {
        #expect(throws: IngestError.self) { try Schedule.interval(text) }
    }

    /// 2026-12-02T14:03:32Z.
    static let now: Int64 = 1_796_220_212_000

    @Test(arguments: [
        ("0 * * * *", Int64(1_796_223_600_000)),       // 15:00
        ("*/5 * * * *", 1_796_220_300_000),            // 14:05
        ("30 2 * * *", 1_796_265_000_000),             // 3 Dec 02:30
        ("0 9 * * 1", 1_796_634_000_000),              // Monday 7 Dec 09:00
        ("0 0 1 1 *", 1_798_761_600_000),              // 2027-01-01
    ])
    func cronNextFire(expression: String, expected: Int64) throws {
        #expect(try Cron(expression).next(after: Self.now) == expected)
    }

    @Test(arguments: ["* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "a b c d e"])
    func badCron(expression: String) {
        #expect(throws: IngestError.self) { try Cron(expression) }
    }

    @Test func civilDates() {
        #expect(CivilDate(epochMillis: Self.now).description == "2026-12-02")
        #expect(CivilDate(epochMillis: 0).description == "1970-01-01")
        #expect(CivilDate.days(year: 2026, month: 12, day: 2) == Int(Self.now / 86_400_000))
        #expect(LakeLayout.partPath(target: "lake://bronze/r", loadEpochMillis: Self.now, run: 12, part: 3)
                == "lake://bronze/r/load_date=2026-12-02/part-00012-0003.parquet")
    }

    static func record(schedule: Catalog.JobSchedule, lastScheduled: Int64?, runs: [Catalog.JobRun] = []) -> Catalog.JobRecord {
        var record = Catalog.JobRecord(definition: Catalog.JobDefinition(
            name: "j", sourceURL: "postgres://a@b/c", table: "t", bookmarkColumns: ["id"], schedule: schedule,
            target: (try? LakePath("lake://bronze/j")) ?? .root, createdAtEpochMillis: 1000))
        record.lastScheduledAtEpochMillis = lastScheduled
        record.runs = runs
        return record
    }

    @Test func theSchedulerStartsDueJobsAndRetriesRunsThatLostTheirHolder() {
        let every = Self.record(schedule: .every(millis: 60_000), lastScheduled: 10_000)
        #expect(JobScheduler.decide(every, liveLease: nil, now: 69_999) == nil)
        #expect(JobScheduler.decide(every, liveLease: nil, now: 70_000)?.trigger == .schedule)
        #expect(JobScheduler.decide(Self.record(schedule: .manual, lastScheduled: nil), liveLease: nil, now: .max / 2) == nil)
        #expect(JobScheduler.decide(Self.record(schedule: .every(millis: 60_000), lastScheduled: nil), liveLease: nil, now: 61_000)?.trigger == .schedule)

        let running = Catalog.JobRun(job: "j", number: 3, status: .running, trigger: .schedule, holder: "w2/x", fencingToken: 77,
                                     startedAtEpochMillis: 20_000, finishedAtEpochMillis: nil, bookmarkBefore: "")
        let busy = Self.record(schedule: .every(millis: 60_000), lastScheduled: 20_000, runs: [running])
        let lease = Catalog.Lease(job: "j", holder: "w2/x", expiresAtEpochMillis: 50_000, fencingToken: 77)
        #expect(JobScheduler.decide(busy, liveLease: lease, now: 30_000) == nil)
        #expect(JobScheduler.decide(busy, liveLease: nil, now: 51_000)?.trigger == .retry)
        // Due again while the run goes on: started, and the catalog records it skipped.
        #expect(JobScheduler.decide(busy, liveLease: lease, now: 80_000)?.trigger == .schedule)
    }
}
