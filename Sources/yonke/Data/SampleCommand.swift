import ArgumentParser
import BlockStore
import Foundation
import YonkeCore

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a generated data file (CSV rows like the course's random_data table, or random bytes).",
        discussion: """
            Rows are `id,valor,fecha`: a serial id, 10 random letters and an ISO timestamp two minutes apart. The same --seed gives the same bytes.

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

