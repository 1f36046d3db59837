/// What can go wrong before or during an ingest run, each with what to do next. Bad input from
/// the operator or the source is one of these, never a crash; a run that throws one commits
/// nothing.
public enum IngestError: Error, Hashable, Sendable, CustomStringConvertible {
    case badURL(String, reason: String)
    case passwordInURL
    case badTable(String)
    case missingTable(String, database: String)
    case unknownBookmarkColumn(String, table: String, columns: [String])
    case unorderableBookmark(column: String, type: String)
    case unmappedType(column: String, type: String, reason: String)
    case noColumns(String)
    case badSchedule(String, reason: String)
    case badBookmark(String)
    case wraparound(transactions: UInt64)
    case unreachable(host: String, port: Int, reason: String)
    case authentication(user: String, host: String, reason: String)
    case source(String)
    case badValue(column: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .badURL(url, reason):
            "bad source URL \(url): \(reason) (expected postgres://USER@HOST:PORT/DATABASE)"
        case .passwordInURL:
            "the source URL carries a password: give it with --password-file FILE or PGPASSWORD instead (the catalog never stores one)"
        case .badTable(let text):
            "bad table name \(text): expected SCHEMA.TABLE or TABLE (e.g. public.random_data)"
        case let .missingTable(table, database):
            "table \(table) does not exist in database \(database) (or this user cannot see it): check --table and the user's grants"
        case let .unknownBookmarkColumn(column, table, columns):
            "bookmark column \(column) is not a column of \(table) (columns: \(columns.joined(separator: ", ")))"
        case let .unorderableBookmark(column, type):
            "bookmark column \(column) has type \(type), which has no order a bookmark can use: pick an integer, numeric, text, date, time, timestamp or uuid column"
        case let .unmappedType(column, type, reason):
            "column \(column) has type \(type), which has no Parquet mapping (\(reason)): exclude the table or cast it in a view"
        case .noColumns(let table):
            "table \(table) has no columns to ingest"
        case let .badSchedule(text, reason):
            "bad schedule \(text): \(reason)"
        case .badBookmark(let reason):
            "the job's stored bookmark does not parse (\(reason)): reset it with `yonke jobs reset-bookmark NAME --to-run RUN`"
        case .wraparound(let n):
            "\(n) transactions since the last run exceed the 2^31 window in which row xmins compare safely: reset the bookmark with `yonke jobs reset-bookmark`"
        case let .unreachable(host, port, reason):
            "cannot reach PostgreSQL at \(host):\(port): \(reason) (is the server running and listening there?)"
        case let .authentication(user, host, reason):
            "PostgreSQL at \(host) refused user \(user): \(reason) (check --password-file or PGPASSWORD)"
        case .source(let message):
            "PostgreSQL: \(message)"
        case let .badValue(column, value, reason):
            "column \(column): value \(value.prefix(64)) \(reason)"
        }
    }
}
