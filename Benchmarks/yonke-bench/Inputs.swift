import BlockCodec
import Foundation
import YonkeCore

let arguments = CommandLine.arguments
let rounds = arguments.firstIndex(of: "--rounds").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil } ?? 5
let blockSize = BlockFormat.defaultBlockSizeBytes
let frameSize = BlockFormat.defaultFrameSizeBytes

/// The same rows `yonke sample` writes (the shape of the course's `random_data` table).
func csvBlock() -> [UInt8] {
    var generator = SeededGenerator(seed: 1)
    var rows = CSVRows()
    var out: [UInt8] = []
    out.reserveCapacity(blockSize + 100)
    while out.count < blockSize { rows.append(to: &out, using: &generator) }
    return Array(out.prefix(blockSize))
}

func randomBlock() -> [UInt8] {
    var generator = SeededGenerator(seed: 2)
    var out = [UInt8](repeating: 0, count: blockSize)
    out.withUnsafeMutableBytes { raw in
        for i in 0..<(blockSize / 8) { raw.storeBytes(of: generator.next(), toByteOffset: i * 8, as: UInt64.self) }
    }
    return out
}

/// Best of `rounds` (the least disturbed by the rest of the machine), in MB/s of `bytes`.
func measure(_ bytes: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return Double(bytes) / 1e6 / best
}

/// Best of `rounds` for each body, the bodies run in turn within every round.
func measureInterleaved(_ bytes: Int, _ bodies: [() throws -> Void]) throws -> [Double] {
    var best = [Double](repeating: .infinity, count: bodies.count)
    for _ in 0..<rounds {
        for (index, body) in bodies.enumerated() {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            best[index] = min(best[index], Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
    return best.map { Double(bytes) / 1e6 / $0 }
}
