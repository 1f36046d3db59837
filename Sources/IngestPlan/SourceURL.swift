/// `postgres://USER@HOST:PORT/DATABASE?sslmode=disable|prefer|require`, parsed without
/// Foundation's URL (which accepts too much). A password in it is refused: the catalog keeps the
/// URL, and the password comes from a file or `PGPASSWORD` on the machine that runs the job.
public struct SourceURL: Hashable, Sendable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable { case disable, prefer, require }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode

    public init(user: String, host: String, port: Int = 5432, database: String, tls: TLSMode = .disable) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    public init(parsing text: String) throws(IngestError) {
        var rest = Substring(text)
        var matched = false
        for scheme in ["postgres://", "postgresql://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            matched = true
        }
        guard matched else { throw .badURL(text, reason: "it must start with postgres://") }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw .badURL(text, reason: "no /DATABASE") }
        let authority = rest[..<slash]
        let database = String(rest[rest.index(after: slash)...])
        guard !database.isEmpty, !database.contains("/") else { throw .badURL(text, reason: "no database name") }
        guard let at = authority.lastIndex(of: "@") else { throw .badURL(text, reason: "no USER@ (the user to connect as)") }
        let userInfo = authority[..<at]
        guard !userInfo.contains(":") else { throw .passwordInURL }
        guard !userInfo.isEmpty else { throw .badURL(text, reason: "empty user") }
        var hostPort = authority[authority.index(after: at)...]
        var port = 5432
        if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
            guard let parsed = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .badURL(text, reason: "port must be 1–65535")
            }
            port = parsed
            hostPort = hostPort[..<colon]
        }
        if hostPort.hasPrefix("[") && hostPort.hasSuffix("]") { hostPort = hostPort.dropFirst().dropLast() }
        guard !hostPort.isEmpty else { throw .badURL(text, reason: "no host") }
        var tls = TLSMode.disable
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw .badURL(text, reason: "bad parameter \(pair)") }
            switch parts[0] {
            case "sslmode":
                guard let mode = TLSMode(rawValue: parts[1]) else {
                    throw .badURL(text, reason: "sslmode must be disable, prefer or require")
                }
                tls = mode
            case "password": throw .passwordInURL
            default: throw .badURL(text, reason: "unknown parameter \(parts[0]) (only sslmode)")
            }
        }
        self.init(user: Self.percentDecoded(userInfo), host: String(hostPort), port: port,
                  database: Self.percentDecoded(Substring(database)), tls: tls)
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(h):\(port)/\(database)" + (tls == .disable ? "" : "?sslmode=\(tls.rawValue)")
    }

    static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `schema.table` (default schema `public`), each part an identifier as PostgreSQL folds it:
/// unquoted parts are lower-cased, `"Quoted"` parts kept.
public struct TableName: Hashable, Sendable, CustomStringConvertible {
    public var schema: String
    public var table: String

    public init(schema: String, table: String) {
        self.schema = schema
        self.table = table
    }

    public init(parsing text: String) throws(IngestError) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { current.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else { current.append(c) }
            } else if c == "\"" {
                guard current.isEmpty else { throw .badTable(text) }
                quoted = true
                wasQuoted = true
            } else if c == "." {
                guard !current.isEmpty else { throw .badTable(text) }
                parts.append(current)
                current = ""
                wasQuoted = false
            } else {
                guard !wasQuoted, c.isLetter || c.isNumber || c == "_" || c == "$" else { throw .badTable(text) }
                current.append(contentsOf: c.lowercased())
            }
        }
        guard !quoted, !current.isEmpty, current.utf8.count <= 63 else { throw .badTable(text) }
        parts.append(current)
        switch parts.count {
        case 1: self.init(schema: "public", table: parts[0])
        case 2: self.init(schema: parts[0], table: parts[1])
        default: throw .badTable(text)
        }
    }

    public var description: String { "\(schema).\(table)" }
    public var quoted: String { "\(SQL.identifier(schema)).\(SQL.identifier(table))" }
}

public enum SQL {
    /// A double-quoted identifier: any name, no injection.
    public static func identifier(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A single-quoted literal (standard_conforming_strings, on since 9.1).
    public static func literal(_ text: String) -> String {
        "'" + text.replacingAll("'", with: "''") + "'"
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
