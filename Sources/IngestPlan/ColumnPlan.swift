import Catalog
import Parquet

/// A column of the source table as the catalog views describe it (domains already resolved to
/// their base type by the query that read them).
public struct SourceColumn: Hashable, Sendable {
    public var name: String
    /// `pg_type.typname` (`int4`, `timestamptz`, `_text` for text[]).
    public var typeName: String
    /// `format_type(atttypid, atttypmod)`: `integer`, `character varying(20)`.
    public var formattedType: String
    public var typmod: Int32
    public var kind: PostgresTypeMapping.Kind
    public var notNull: Bool

    public init(name: String, typeName: String, formattedType: String, typmod: Int32 = -1,
                kind: PostgresTypeMapping.Kind = .base, notNull: Bool = false) {
        self.name = name
        self.typeName = typeName
        self.formattedType = formattedType
        self.typmod = typmod
        self.kind = kind
        self.notNull = notNull
    }

    /// `pg_type.typtype` and array-ness to a mapping kind.
    public static func kind(typtype: String, isArray: Bool) -> PostgresTypeMapping.Kind {
        if isArray { return .array }
        switch typtype {
        case "e": return .enumeration
        case "c": return .composite
        case "r", "m": return .range
        case "d": return .domain
        case "p": return .pseudo
        default: return .base
        }
    }
}

/// How one value travels from PostgreSQL's wire (binary result format) into a Parquet column.
public enum WireDecoding: Hashable, Sendable {
    case boolean
    case int16
    case int32
    case int64
    case float32
    case float64
    /// UTF-8 bytes as they come (text, varchar, bpchar, name, json, and any `::text` cast).
    case utf8
    case bytes
    /// Days since 2000-01-01.
    case date
    /// µs since 2000-01-01.
    case timestamp
    /// µs since midnight.
    case time
    case uuid
    /// Arrives as text (`::text`), written unscaled.
    case decimal(precision: Int, scale: Int)
}

public struct ColumnPlan: Hashable, Sendable {
    public var source: SourceColumn
    /// What the SELECT list says for it.
    public var selectExpression: String
    public var decoding: WireDecoding
    public var parquet: ParquetColumn
    public var note: String?

    /// The catalog's record of it: the source's own type name, which changes when the column is
    /// widened (`integer` → `bigint`, `varchar(10)` → `varchar(20)`).
    public var catalogColumn: Catalog.Column {
        var type = source.formattedType
        while type.utf8.count > Catalog.Limits.maxColumnTypeBytes { type.removeLast() }
        return Catalog.Column(name: source.name, type: type)
    }

    public static func plan(_ column: SourceColumn) throws(IngestError) -> ColumnPlan {
        let mapping: PostgresTypeMapping.Mapping
        do {
            mapping = try PostgresTypeMapping.map(typeName: column.typeName, typmod: column.typmod, kind: column.kind)
        } catch let error as PostgresTypeMapping.MappingError {
            switch error {
            case .noMapping(_, let reason): throw .unmappedType(column: column.name, type: column.formattedType, reason: reason)
            }
        } catch {
            throw .unmappedType(column: column.name, type: column.formattedType, reason: "\(error)")
        }
        let quoted = SQL.identifier(column.name)
        let asText = "\(quoted)::text"
        let base = column.kind == .base ? column.typeName : ""
        let (expression, decoding): (String, WireDecoding) = switch mapping.conversion {
        case .boolean: (quoted, .boolean)
        case .int32: base == "int2" ? (quoted, .int16) : (quoted, .int32)
        case .int64: base == "int8" ? (quoted, .int64) : ("\(quoted)::text::int8", .int64)
        case .float: (quoted, .float32)
        case .double: (quoted, .float64)
        case .decimal(let p, let s): (asText, .decimal(precision: p, scale: s))
        case .text: ["text", "varchar", "bpchar", "name", "json"].contains(base) ? (quoted, .utf8) : (asText, .utf8)
        case .bytes: (quoted, .bytes)
        case .date: (quoted, .date)
        case .time: (quoted, .time)
        case .timestamp: (quoted, .timestamp)
        case .uuid: (quoted, .uuid)
        }
        return ColumnPlan(source: column, selectExpression: expression, decoding: decoding,
                          parquet: ParquetColumn(column.name, mapping.columnType, nullable: !column.notNull),
                          note: mapping.note)
    }

    /// Types whose order a bookmark can follow, and whose text form casts back to the same
    /// value (so the high-water mark survives the catalog as text).
    public static let orderableTypes: Set<String> = [
        "int2", "int4", "int8", "numeric", "float4", "float8", "text", "varchar", "bpchar",
        "date", "timestamp", "timestamptz", "time", "uuid", "oid",
    ]

    public var isOrderable: Bool { source.kind == .base && Self.orderableTypes.contains(source.typeName) }
}
