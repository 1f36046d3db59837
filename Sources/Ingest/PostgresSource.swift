import IngestPlan
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to the source, with PostgreSQL's failures turned into `IngestError`s that name
/// the host, the user or the table.
struct PostgresSource {
    let connection: PostgresConnection
    let url: SourceURL
    let logger: Logger

    static func connect(_ url: SourceURL, password: String?, logger: Logger) async throws -> PostgresSource {
        let tls: PostgresConnection.Configuration.TLS
        switch url.tls {
        case .disable: tls = .disable
        case .prefer, .require:
            do {
                let context = try NIOSSLContext(configuration: .makeClientConfiguration())
                tls = url.tls == .require ? .require(context) : .prefer(context)
            } catch {
                throw IngestError.source("cannot set up TLS: \(error)")
            }
        }
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            return PostgresSource(connection: connection, url: url, logger: logger)
        } catch let error as PSQLError {
            throw Self.connectFailure(error, url: url)
        } catch {
            throw IngestError.unreachable(host: url.host, port: url.port, reason: "\(error)")
        }
    }

    static func connectFailure(_ error: PSQLError, url: SourceURL) -> IngestError {
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? ""
            let message = info[.message] ?? "\(error.code)"
            // 28P01 invalid_password, 28000 invalid_authorization_specification.
            if state.hasPrefix("28") { return .authentication(user: url.user, host: "\(url.host):\(url.port)", reason: message) }
            if state == "3D000" { return .source("database \(url.database) does not exist at \(url.host):\(url.port)") }
            return .source("\(message) (SQLSTATE \(state))")
        }
        if error.code == .authMechanismRequiresPassword {
            return .authentication(user: url.user, host: "\(url.host):\(url.port)",
                                   reason: "the server asks for a password and none was given")
        }
        let reason = error.underlying.map { "\($0)" } ?? "\(error.code)"
        return .unreachable(host: url.host, port: url.port, reason: reason)
    }

    /// Runs one statement; a server error becomes `IngestError.source` with its message.
    func query(_ sql: String, binds: [String] = []) async throws -> PostgresRowSequence {
        var bindings = PostgresBindings()
        for bind in binds { bindings.append(bind) }
        do {
            return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        } catch let error as PSQLError {
            throw Self.queryFailure(error)
        }
    }

    static func queryFailure(_ error: PSQLError) -> IngestError {
        if let info = error.serverInfo {
            let detail = [info[.message], info[.detail], info[.hint]].compactMap { $0 }.joined(separator: "; ")
            return .source("\(detail) (SQLSTATE \(info[.sqlState] ?? "?"))")
        }
        return .source("\(error.code): \(error.underlying.map { "\($0)" } ?? "connection lost")")
    }

    func execute(_ sql: String, binds: [String] = []) async throws {
        let rows = try await query(sql, binds: binds)
        do {
            for try await _ in rows {}
        } catch let error as PSQLError {
            throw Self.queryFailure(error)
        }
    }

    /// All rows as text (small answers only: catalog views, counts, the snapshot).
    func textRows(_ sql: String, binds: [String] = []) async throws -> [[String?]] {
        let rows = try await query(sql, binds: binds)
        var out: [[String?]] = []
        do {
            for try await row in rows {
                out.append(row.map { cell in cell.bytes.map { String(buffer: $0) } })
            }
        } catch let error as PSQLError {
            throw Self.queryFailure(error)
        }
        return out
    }

    /// The table's columns from the catalog views, domains resolved to their base type; throws
    /// `missingTable` when the table is not there (or not visible to this user).
    func describe(_ table: TableName) async throws -> [SourceColumn] {
        let exists = try await textRows("""
            SELECT c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
            """, binds: [table.schema, table.table])
        guard !exists.isEmpty else { throw IngestError.missingTable(table.description, database: url.database) }
        let rows = try await textRows("""
            SELECT a.attname::text, COALESCE(b.typname, t.typname)::text, format_type(a.atttypid, a.atttypmod),
                   (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)::text,
                   COALESCE(b.typtype, t.typtype)::text,
                   (COALESCE(b.typcategory, t.typcategory) = 'A')::text, a.attnotnull::text
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_type b ON t.typtype = 'd' AND b.oid = t.typbasetype
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """, binds: [table.schema, table.table])
        return try rows.map { row in
            guard row.count == 7, let name = row[0], let typeName = row[1], let formatted = row[2],
                  let typmod = row[3].flatMap({ Int32($0) }), let typtype = row[4] else {
                throw IngestError.source("unexpected answer describing \(table)")
            }
            return SourceColumn(name: name, typeName: typeName, formattedType: formatted, typmod: typmod,
                                kind: SourceColumn.kind(typtype: typtype, isArray: row[5] == "true"),
                                notNull: row[6] == "true")
        }
    }

    func close() async {
        try? await connection.close()
    }
}
