// Parquet write benchmark: this module's writer against pyarrow's
// `pq.write_table` on the same rows (the course's random_data shape: id int64,
// valor 10 random characters, fecha timestamp), the same codec (LZ4_RAW), the
// same rows per row group, dictionary on for both, 1 MiB pages, statistics on,
// in the same run; both write a file in the same folder. Run in release mode:
//   Benchmarks/parquet.sh            (or: swift run -c release yonke-parquet-bench --rows 5)
import Foundation
import Parquet
import YonkeCore

let arguments = CommandLine.arguments
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let millions = Double(option("--rows") ?? "5") ?? 5
let rounds = Int(option("--rounds") ?? "3") ?? 3
let rows = Int(millions * 1_000_000)
let batchRows = 65_536
let folder = option("--dir") ?? NSTemporaryDirectory()
let path = (folder as NSString).appendingPathComponent("yonke-parquet-bench.parquet")
let pyarrowPath = (folder as NSString).appendingPathComponent("yonke-parquet-bench-pyarrow.parquet")

/// A sink writing straight to a file descriptor (the bench is a shell; the module does no I/O).
struct FileSink: ParquetSink {
    let fd: Int32
    mutating func write(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, $0.count - done) }
            guard n > 0 else { throw ParquetError.invalidBatch("write failed: errno \(errno)") }
            done += n
        }
    }
}

// The rows, built before any clock starts.
let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
var generator = SeededGenerator(seed: 14)
let start2024: Int64 = 1_704_067_200_000_000
var batches: [[ColumnBatch]] = []
var id: Int64 = 1
while id <= Int64(rows) {
    let n = min(batchRows, rows - Int(id) + 1)
    var valor = ByteArrays(reservingValues: n, bytes: n * 10)
    var chars = [UInt8](repeating: 0, count: 10)
    var ids: [Int64] = [], fechas: [Int64] = []
    ids.reserveCapacity(n); fechas.reserveCapacity(n)
    for k in 0..<n {
        let r = generator.next(), s = generator.next()
        for c in 0..<10 { chars[c] = alphabet[Int(((c < 5 ? r : s) >> UInt64((c % 5) * 12)) % UInt64(alphabet.count))] }
        valor.append(chars)
        ids.append(id + Int64(k))
        // A row every 2 minutes, as the course's generator inserts them, plus sub-second jitter.
        fechas.append(start2024 + (id + Int64(k)) * 120_000_000 + Int64(r % 1_000_000))
    }
    batches.append([ColumnBatch(.int64(ids)), ColumnBatch(.bytes(valor)), ColumnBatch(.int64(fechas))])
    id += Int64(n)
}
let schema = ParquetSchema([
    ParquetColumn("id", .int64, nullable: false),
    ParquetColumn("valor", .string),
    ParquetColumn("fecha", .timestamp(isAdjustedToUTC: false)),
])

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

var best = Double.infinity
var fileBytes: Int64 = 0
var rowsPerGroup: Int64 = 0
for _ in 0..<rounds {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    precondition(fd >= 0, "cannot create \(path)")
    let clock = ContinuousClock.now
    var writer = try ParquetWriter(schema: schema, properties: .default, sink: FileSink(fd: fd))
    for batch in batches { try writer.append(batch) }
    let summary = try writer.close()
    let elapsed = seconds(ContinuousClock.now - clock)
    close(fd)
    best = min(best, elapsed)
    fileBytes = summary.bytes
}
let written = try ParquetReader(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
rowsPerGroup = written.rowGroups.first?.numRows ?? Int64(rows)

if arguments.contains("--swift-only") {
    print(String(format: "yonke %.1f MB/s, %.2f M rows/s, %.3f s", Double(fileBytes) / 1e6 / best, Double(rows) / best / 1e6, best))
    exit(0)
}

// pyarrow on the same rows: it reads our file (which checks it too), then writes it back, timed.
let script = """
import json, sys, time
import pyarrow.parquet as pq
src, dst, group, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
table = pq.read_table(src)
assert table.num_rows == \(rows), table.num_rows
best = float("inf")
for _ in range(rounds):
    t = time.perf_counter()
    pq.write_table(table, dst, compression="lz4", use_dictionary=True, row_group_size=group,
                   data_page_size=1 << 20, write_statistics=True, data_page_version="1.0")
    best = min(best, time.perf_counter() - t)
meta = pq.read_metadata(dst)
import os
print(json.dumps({"seconds": best, "bytes": os.path.getsize(dst), "rowGroups": meta.num_row_groups,
                  "codec": meta.row_group(0).column(0).compression, "version": __import__("pyarrow").__version__}))
"""
let process = Process()
process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
process.arguments = ["python3", "-c", script, path, pyarrowPath, String(rowsPerGroup), String(rounds)]
let pipe = Pipe()
process.standardOutput = pipe
try process.run()
let output = pipe.fileHandleForReading.readDataToEndOfFile()
process.waitUntilExit()
guard process.terminationStatus == 0,
      let peer = try JSONSerialization.jsonObject(with: output) as? [String: Any],
      let peerSeconds = peer["seconds"] as? Double, let peerBytes = peer["bytes"] as? Int else {
    print("pyarrow run failed: \(String(decoding: output, as: UTF8.self))")
    exit(1)
}

let ourMBs = Double(fileBytes) / 1e6 / best
let peerMBs = Double(peerBytes) / 1e6 / peerSeconds
let ourRows = Double(rows) / best
let peerRows = Double(rows) / peerSeconds
print("parquet write, \(rows) rows (id int64, valor string(10), fecha timestamp), LZ4_RAW, dictionary on,")
print("  \(rowsPerGroup) rows per row group (\(written.rowGroups.count) groups), best of \(rounds); pyarrow \(peer["version"] ?? "?")")
print(String(format: "  yonke   %7.1f MB/s  %6.2f M rows/s  %6.1f MB file  %.3f s", ourMBs, ourRows / 1e6, Double(fileBytes) / 1e6, best))
print(String(format: "  pyarrow %7.1f MB/s  %6.2f M rows/s  %6.1f MB file  %.3f s", peerMBs, peerRows / 1e6, Double(peerBytes) / 1e6, peerSeconds))
print(String(format: "  ratio   %7.2f× rows/s (target ≥ 1.0×), %.2f× MB/s", ourRows / peerRows, ourMBs / peerMBs))
try? FileManager.default.removeItem(atPath: path)
try? FileManager.default.removeItem(atPath: pyarrowPath)
