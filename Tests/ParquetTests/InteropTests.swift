import Foundation
import Parquet
import Testing
import YonkeCore

/// Real readers and writers: files this module writes must open in pyarrow,
/// DuckDB and polars with the same rows and types, and files pyarrow writes
/// must read here with the same values. interop.py does the Python half; a
/// missing Python package fails the test (scripts/ensure-python.sh installs them).
@Suite(.serialized) struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("interop.py").path

    static func kind(_ type: ParquetColumnType) -> String {
        switch type {
        case .timestamp(let utc): utc ? "timestamptz" : "timestamp"
        case .time: "time"
        case .decimal(let p, let s): "decimal(\(p),\(s))"
        case .fixedBinary: "binary"
        default: type.description
        }
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("yonke-parquet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func python(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func pyarrowDuckDBAndPolarsReadOurFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [[String: Any]] = []
        func add(_ name: String, _ schema: ParquetSchema, _ batches: [[ColumnBatch]], _ properties: ParquetWriterProperties) throws {
            let bytes = try Fixtures.write(schema, batches, properties: properties)
            try Data(bytes).write(to: directory.appendingPathComponent(name))
            let rows = batches.reduce(0) { $0 + ($1.first?.rowCount ?? 0) }
            let columns: [[String: Any]] = schema.columns.enumerated().map { i, column in
                let values = batches.isEmpty ? [] : Fixtures.canonical(Fixtures.concat(batches.map { $0[i] }, nullable: column.nullable), column.type)
                return ["name": column.name, "type": Self.kind(column.type), "nullable": column.nullable,
                        "values": values.map { $0.map { $0 as Any } ?? NSNull() }]
            }
            files.append(["file": name, "rows": rows, "columns": columns])
        }
        let nullable = Fixtures.schema(nullable: true)
        let required = Fixtures.schema(nullable: false)
        var manyGroups = ParquetWriterProperties()
        manyGroups.rowGroupMaxRows = 1000
        manyGroups.pageSizeBytes = 4096
        try add("all_types_lz4_nulls.parquet", nullable, (0..<3).map { Fixtures.batch(nullable, rows: 1200, seed: UInt64($0)) }, manyGroups)
        var plain = ParquetWriterProperties()
        plain.dictionaryEnabled = false
        plain.compression = .uncompressed
        try add("all_types_required_plain.parquet", required, [Fixtures.batch(required, rows: 2000, seed: 7)], plain)
        try add("all_types_dictionary.parquet", nullable, [Fixtures.batch(nullable, rows: 4000, seed: 8, lowCardinality: true)], .default)
        var fallback = ParquetWriterProperties()
        fallback.dictionaryPageSizeLimitBytes = 2000
        try add("dictionary_fallback.parquet", nullable, [Fixtures.batch(nullable, rows: 3000, seed: 9)], fallback)
        fallback.pageSizeBytes = 512
        try add("dictionary_fallback_mid_chunk.parquet", nullable, (0..<20).map { Fixtures.batch(nullable, rows: 150, seed: UInt64(20 + $0)) }, fallback)
        try add("empty.parquet", nullable, [], .default)

        let json = try JSONSerialization.data(withJSONObject: ["files": files])
        try json.write(to: directory.appendingPathComponent("expected.json"))
        let (status, output) = try Self.python(["check", directory.path])
        #expect(status == 0, "interop.py check:\n\(output)")
        #expect(output.contains("checked 6 files"), "\(output)")
    }

    @Test func weReadPyarrowFiles() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = try Self.python(["write", directory.path])
        try #require(status == 0, "interop.py write:\n\(output)")
        let json = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let files = try #require(expected["files"] as? [[String: Any]])
        #expect(files.count == 4)
        var sawV2 = false, sawDictionary = false
        for file in files {
            let name = try #require(file["file"] as? String)
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            let reader = try ParquetReader(bytes: bytes)
            #expect(reader.rowCount == Int64(try #require(file["rows"] as? Int)))
            for group in reader.rowGroups {
                for chunk in group.columns {
                    #expect(chunk.metaData?.codec == .lz4Raw || chunk.metaData?.codec == .uncompressed, "\(name)")
                    if chunk.metaData?.encodings.contains(Encoding.rleDictionary.rawValue) == true { sawDictionary = true }
                }
            }
            if name.contains("v2") { sawV2 = true }
            for column in try #require(file["columns"] as? [[String: Any]]) {
                let columnName = try #require(column["name"] as? String)
                let index = try #require(reader.columnIndex(named: columnName))
                let descriptor = reader.columns[index]
                let type = try #require(descriptor.type, "\(columnName) has no type")
                #expect(Self.kind(type) == column["type"] as? String, "\(name) \(columnName)")
                #expect(descriptor.nullable == column["nullable"] as? Bool)
                let want = try #require(column["values"] as? [Any]).map { $0 as? String }
                let got = Fixtures.canonical(try reader.readColumn(index), type)
                #expect(got == want, "\(name) \(columnName)")
            }
        }
        #expect(sawV2 && sawDictionary)
        let snappy = try ParquetReader(bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent("pyarrow_snappy.parquet"))))
        #expect(throws: ParquetError.unsupportedCodec("SNAPPY")) { _ = try snappy.readColumn(0) }
    }
}
