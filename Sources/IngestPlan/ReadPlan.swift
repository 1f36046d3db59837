import Catalog

/// Everything one run asks PostgreSQL, decided before the first query from the table's columns,
/// the job's bookmark columns and the stored bookmark. All statements run in one
/// `REPEATABLE READ READ ONLY` transaction, so they see the one snapshot the run records.
public struct ReadPlan: Hashable, Sendable {
    public var table: TableName
    public var columns: [ColumnPlan]
    /// Positions in `columns` of the bookmark columns, most significant first.
    public var bookmarkPositions: [Int]
    public var previous: JobBookmark?

    /// Rows per `FETCH`: what one page holds in memory before it is encoded.
    public static let defaultPageRows = 10_000

    public init(table: TableName, columns sourceColumns: [SourceColumn], bookmarkColumns: [String],
                previous: JobBookmark?) throws(IngestError) {
        guard !sourceColumns.isEmpty else { throw .noColumns(table.description) }
        var planned: [ColumnPlan] = []
        for column in sourceColumns { planned.append(try ColumnPlan.plan(column)) }
        var positions: [Int] = []
        for name in bookmarkColumns {
            guard let position = sourceColumns.firstIndex(where: { $0.name == name }) else {
                throw .unknownBookmarkColumn(name, table: table.description, columns: sourceColumns.map(\.name))
            }
            guard planned[position].isOrderable else {
                throw .unorderableBookmark(column: name, type: sourceColumns[position].formattedType)
            }
            positions.append(position)
        }
        if let high = previous?.high, high.count != positions.count {
            throw .badBookmark("it has \(high.count) values for \(positions.count) bookmark columns (were they changed?)")
        }
        self.table = table
        self.columns = planned
        self.bookmarkPositions = positions
        self.previous = previous
    }

    public var catalogColumns: [Catalog.Column] { columns.map(\.catalogColumn) }

    private var bookmarkColumns: [ColumnPlan] { bookmarkPositions.map { columns[$0] } }
    private var bookmarkList: String { bookmarkColumns.map { SQL.identifier($0.source.name) }.joined(separator: ", ") }
    private var bookmarkNotNull: String {
        bookmarkColumns.map { "\(SQL.identifier($0.source.name)) IS NOT NULL" }.joined(separator: " AND ")
    }

    public static let begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    /// The first statement after BEGIN: it fixes the transaction's snapshot and reports it.
    public static let snapshotQuery = "SELECT pg_current_snapshot()::text"

    /// Rows the bookmark cannot track: counted and reported each run, never ingested.
    public var nullCountQuery: String {
        let anyNull = bookmarkColumns.map { "\(SQL.identifier($0.source.name)) IS NULL" }.joined(separator: " OR ")
        return "SELECT count(*)::int8 FROM \(table.quoted) WHERE \(anyNull)"
    }

    /// The new high-water mark: the largest of the stored one and every visible row's (so a
    /// deleted row never moves it back). Text forms, one per bookmark column.
    public var highWaterQuery: (sql: String, binds: [String]) {
        let names = bookmarkColumns.map { SQL.identifier($0.source.name) }
        // Qualified, so ORDER BY sorts the typed columns, not the text output of the same name
        // (as text, "999" > "1000").
        let textList = names.enumerated().map { "candidates.\($1)::text AS high\($0)" }.joined(separator: ", ")
        let order = names.map { "candidates.\($0) DESC" }.joined(separator: ", ")
        var source = "SELECT \(names.joined(separator: ", ")) FROM \(table.quoted) WHERE \(bookmarkNotNull)"
        var binds: [String] = []
        if let high = previous?.high {
            let casts = zip(bookmarkColumns, high).enumerated().map { i, pair in
                "$\(i + 1)::\(pair.0.source.formattedType) AS \(names[i])"
            }
            binds = high
            source += " UNION ALL SELECT \(casts.joined(separator: ", "))"
        }
        return ("SELECT \(textList) FROM (\(source)) AS candidates ORDER BY \(order) LIMIT 1", binds)
    }

    /// The rows this run delivers, as a cursor read page by page.
    public func selectQuery(current: SourceSnapshot) throws(IngestError) -> (sql: String, binds: [String]) {
        let list = columns.map(\.selectExpression).joined(separator: ", ")
        var sql = "SELECT \(list) FROM \(table.quoted) WHERE \(bookmarkNotNull)"
        // No high-water mark yet (first run, or nothing was visible last time): every row is new.
        guard let previous, let high = previous.high else { return (sql, []) }
        let casts = zip(bookmarkColumns, high).enumerated().map { i, pair in "$\(i + 1)::\(pair.0.source.formattedType)" }
        let above = "(\(bookmarkList)) > (\(casts.joined(separator: ", ")))"
        let late = try Self.lateRowsPredicate(previous: previous, current: current)
        sql += " AND (\(above)\(late.map { " OR \($0)" } ?? ""))"
        return (sql, high)
    }

    /// Rows invisible to the previous run's snapshot `P` that may sit below the high-water mark:
    /// inserted by a transaction in progress at `P`, or by one whose id was assigned after `P`
    /// (`P.xmax ≤ xmin < current.xmax`). `xmin` is a 32-bit xid, so both compare modulo 2³²
    /// within the window the two snapshots span; past 2³¹ transactions that is ambiguous.
    public static func lateRowsPredicate(previous: JobBookmark, current: SourceSnapshot) throws(IngestError) -> String? {
        guard current.xmax >= previous.xmax else {
            throw .source("the source's transaction ids went back (\(current.xmax) < \(previous.xmax)): is this the same server?")
        }
        let span = current.xmax - previous.xmax
        guard span < (1 << 31) else { throw .wraparound(transactions: span) }
        var terms: [String] = []
        let xmin = "(xmin::text::int8)"
        if !previous.xip.isEmpty {
            let low = previous.xip.map { String($0 & 0xFFFF_FFFF) }
            terms.append("\(xmin) IN (\(low.joined(separator: ", ")))")
        }
        if span > 0 {
            let start = previous.xmax & 0xFFFF_FFFF
            terms.append("((\(xmin) - \(start) + 4294967296) % 4294967296) < \(span)")
        }
        return terms.isEmpty ? nil : "(" + terms.joined(separator: " OR ") + ")"
    }

    /// The bookmark this run commits.
    public func nextBookmark(high: [String]?, snapshot: SourceSnapshot) -> JobBookmark {
        JobBookmark(high: high ?? previous?.high, xmax: snapshot.xmax, xip: snapshot.xip)
    }
}
