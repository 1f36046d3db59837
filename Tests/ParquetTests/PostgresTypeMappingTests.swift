import Parquet
import Testing

@Suite struct PostgresTypeMappingTests {
    static func numericTypmod(_ p: Int32, _ s: Int32) -> Int32 { ((p << 16) | (s & 0x7FF)) + 4 }

    @Test(arguments: [
        ("int2", Int32(-1), ParquetColumnType.int32),
        ("int4", -1, .int32), ("integer", -1, .int32), ("int8", -1, .int64), ("bigint", -1, .int64),
        ("float4", -1, .float), ("float8", -1, .double), ("double precision", -1, .double),
        ("bool", -1, .boolean),
        ("numeric", numericTypmod(10, 2), .decimal(precision: 10, scale: 2)),
        ("numeric", numericTypmod(5, 0), .decimal(precision: 5, scale: 0)),
        ("numeric", numericTypmod(38, 38), .decimal(precision: 38, scale: 38)),
        ("numeric", -1, .string),                                    // no typmod: exact text
        ("numeric", numericTypmod(39, 2), .string),                  // beyond DECIMAL(38)
        ("numeric", numericTypmod(5, -2), .string),                  // negative scale (PostgreSQL 15)
        ("text", -1, .string), ("varchar", 14, .string), ("character varying", -1, .string),
        ("bpchar", 5, .string), ("char", -1, .string),
        ("bytea", -1, .binary),
        ("date", -1, .date),
        ("timestamp", -1, .timestamp(isAdjustedToUTC: false)),
        ("timestamp without time zone", 6, .timestamp(isAdjustedToUTC: false)),
        ("timestamptz", -1, .timestamp(isAdjustedToUTC: true)),
        ("timestamp with time zone", -1, .timestamp(isAdjustedToUTC: true)),
        ("time", -1, .time(isAdjustedToUTC: false)),
        ("timetz", -1, .string),
        ("uuid", -1, .uuid),
        ("json", -1, .json), ("jsonb", -1, .json),
        ("_int4", -1, .string), ("text[]", -1, .string),
        ("interval", -1, .string),
        ("inet", -1, .string), ("money", -1, .string),
    ])
    func mapsBaseTypes(_ name: String, _ typmod: Int32, _ expected: ParquetColumnType) throws {
        #expect(try PostgresTypeMapping.map(typeName: name, typmod: typmod).columnType == expected)
    }

    @Test func kindsDecideUserNamedTypes() throws {
        #expect(try PostgresTypeMapping.map(typeName: "mood", kind: .enumeration).columnType == .string)
        #expect(try PostgresTypeMapping.map(typeName: "_mood", kind: .array).columnType == .string)
        #expect(try PostgresTypeMapping.map(typeName: "address", kind: .composite).columnType == .string)
        #expect(throws: PostgresTypeMapping.MappingError.self) { _ = try PostgresTypeMapping.map(typeName: "us_zip", kind: .domain) }
    }

    @Test(arguments: ["geometry", "record", "void", "anyelement", "ltree"])
    func unknownAndPseudoTypesHaveNoMapping(_ name: String) {
        #expect(throws: PostgresTypeMapping.MappingError.self) { _ = try PostgresTypeMapping.map(typeName: name) }
    }

    @Test func conversionsSayWhatIngestDoes() throws {
        #expect(try PostgresTypeMapping.map(typeName: "numeric", typmod: Self.numericTypmod(12, 3)).conversion
                == .decimal(precision: 12, scale: 3))
        #expect(try PostgresTypeMapping.map(typeName: "numeric").note != nil)
        #expect(try PostgresTypeMapping.map(typeName: "jsonb").conversion == .text)
        #expect(try PostgresTypeMapping.map(typeName: "timestamptz").conversion == .timestamp)
    }
}
