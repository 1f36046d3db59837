import ArgumentParser
import BlockStore
import Foundation
import YonkeCore

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a generated data file (CSV rows like the course's random_data table, or random bytes).",
        discussion: """
            Rows are `id,valor,fecha`: a serial id, 10 random letters and an ISO timestamp two
            minutes apart. The same --seed gives the same bytes.

            Example:
              yonke sample ./sales.csv --size 1GiB
              yonke sample ./noise.bin --size 256MiB --random
            """
    )

    @Argument(help: "The file to write.") var file: String
    @Option(name: .long, help: "How much to write, e.g. 1GiB.") var size: String = "1GiB"
    @Option(name: .long, help: "Seed of the generator.") var seed: UInt64 = 1
    @Flag(name: .long, help: "Random bytes instead of CSV rows.") var random = false

    func run() throws {
        guard let total = ByteCount.parse(size) else {
            throw CLIError("cannot read the size '\(size)'", hint: "write sizes like 1GiB or 300MiB")
        }
        let writer = try AtomicFileWriter(path: file)
        var generator = SeededGenerator(seed: seed)
        var rows = CSVRows()
        let chunkBytes = 4 << 20
        var written: Int64 = 0
        var chunk: [UInt8] = []
        chunk.reserveCapacity(chunkBytes + 128)
        while written < total {
            chunk.removeAll(keepingCapacity: true)
            let want = Int(min(Int64(chunkBytes), total - written))
            if random {
                while chunk.count < want {
                    withUnsafeBytes(of: generator.next()) { chunk.append(contentsOf: $0) }
                }
            } else {
                while chunk.count < want { rows.append(to: &chunk, using: &generator) }
            }
            try chunk.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<want])) }
            written += Int64(want)
            // A row cut at the chunk's end continues in the next chunk.
            if chunk.count > want { rows.carry = Array(chunk[want...]) }
        }
        try writer.commit()
        print("wrote \(ByteCount.format(written)) to \(file)")
    }
}

/// `id,valor,fecha` rows, the shape of the course's PostgreSQL `random_data` table.
struct CSVRows {
    var id = 0
    var carry: [UInt8] = []
    private static let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    private static let start = Date(timeIntervalSince1970: 1_764_201_600) // 2025-11-27T00:00:00Z

    mutating func append(to out: inout [UInt8], using generator: inout SeededGenerator) {
        if !carry.isEmpty {
            out += carry
            carry.removeAll()
        }
        id += 1
        out += Array(String(id).utf8)
        out.append(UInt8(ascii: ","))
        for _ in 0..<10 { out.append(Self.letters[Int(generator.next() % 26)]) }
        out.append(UInt8(ascii: ","))
        let seconds = Int(Self.start.timeIntervalSince1970) + id * 120
        out += Array(Self.timestamp(seconds).utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// ISO 8601 in UTC without Foundation's formatter, which is far too slow for a gigabyte of rows.
    static func timestamp(_ epochSeconds: Int) -> String {
        let days = epochSeconds / 86_400
        let secondOfDay = epochSeconds % 86_400
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }
}
