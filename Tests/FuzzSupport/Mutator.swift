import Foundation
import YonkeCore

/// A seeded random-mutation fuzzer for decoders (the part of libFuzzer that
/// matters here, run inside the normal test suite): start from valid
/// encodings, mutate them the ways hostile or damaged bytes differ from valid
/// ones, and feed each mutant to a decoder. A decoder passes when it returns
/// a value or throws; a trap (overflow, out-of-range index, force unwrap,
/// `precondition`) kills the test process, and the seed and iteration it
/// prints first say how to replay it.
///
/// Mutations, weighted towards what breaks decoders:
/// - bit flips and byte replacements (0x00, 0xFF, 0x7F, 0x80, random);
/// - truncation at a random point, and dropping a random range;
/// - length-field blow-ups: 2, 4 or 8 bytes at a random offset overwritten with
///   a maximum, a high-bit value or a count just past what follows (big-endian, as
///   every Yonke format; little-endian too, for the block header);
/// - insertion of random bytes, duplication of a range, splicing two seeds.
/// Mutations stack (1 to 4 per mutant), so a mutant can pass one check and fail the next.
public struct Mutator {
    private var rng: SeededGenerator
    public init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    public mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) { bytes = mutateOnce(bytes, other: other) }
        return bytes
    }

    private mutating func offset(in bytes: [UInt8]) -> Int { bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng) }

    private mutating func mutateOnce(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        switch Int.random(in: 0..<12, using: &rng) {
        case 0, 1:
            guard !bytes.isEmpty else { return [UInt8.random(in: 0...255, using: &rng)] }
            bytes[offset(in: bytes)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 2:
            guard !bytes.isEmpty else { return bytes }
            bytes[offset(in: bytes)] = [0x00, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng)].randomElement(using: &rng)!
        case 3:
            bytes = Array(bytes.prefix(offset(in: bytes)))
        case 4:
            guard bytes.count > 1 else { return bytes }
            let start = offset(in: bytes)
            let end = min(bytes.count, start + Int.random(in: 1...16, using: &rng))
            bytes.removeSubrange(start..<end)
        case 5, 6, 7:
            // A length or count field blown up in place.
            let width = [2, 4, 8].randomElement(using: &rng)!
            guard bytes.count >= width else { return bytes + [0xFF] }
            let at = Int.random(in: 0...(bytes.count - width), using: &rng)
            let remaining = UInt64(bytes.count - at - width)
            let value: UInt64 = [UInt64.max, 1 << (UInt64(width) * 8 - 1), remaining + 1, remaining &* 2 &+ 7, 0,
                                 UInt64.random(in: 0...UInt64.max, using: &rng)].randomElement(using: &rng)!
            let littleEndian = Bool.random(using: &rng)
            for i in 0..<width {
                let shift = littleEndian ? i * 8 : (width - 1 - i) * 8
                bytes[at + i] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            }
        case 8:
            let count = Int.random(in: 1...8, using: &rng)
            let insert = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes.insert(contentsOf: insert, at: bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng))
        case 9:
            guard !bytes.isEmpty else { return bytes }
            let start = offset(in: bytes)
            let end = min(bytes.count, start + Int.random(in: 1...32, using: &rng))
            bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &rng))
        case 10:
            // Splice: a prefix of this one, a suffix of another seed.
            let cut = offset(in: bytes)
            let otherCut = other.isEmpty ? 0 : Int.random(in: 0..<other.count, using: &rng)
            bytes = Array(bytes.prefix(cut)) + Array(other.suffix(from: otherCut))
        default:
            guard !bytes.isEmpty else { return bytes }
            bytes[offset(in: bytes)] = UInt8.random(in: 0...255, using: &rng)
        }
        return bytes
    }
}

public enum Fuzz {
    /// Mutants per seed for a run inside `swift test`; `YONKE_FUZZ_ITERATIONS`
    /// raises it for a longer run (`scripts/fuzz.sh`).
    public static var iterationsPerSeed: Int {
        ProcessInfo.processInfo.environment["YONKE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 400
    }

    /// The fixed seed of the in-suite run; `YONKE_FUZZ_SEED` picks another (a longer
    /// run tries new ones and prints what to replay).
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["YONKE_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_1212
    }

    /// What the run did: every mutant was decoded or refused, never a trap.
    public struct Summary: Sendable {
        public var inputs = 0
        public var accepted = 0
        public var refused = 0
    }

    /// Big-endian maximum, maximum − 1, signed maximum, high bit alone and zero, `width` bytes each.
    static func boundaryPatterns(width: Int) -> [[UInt8]] {
        let ones = [UInt8](repeating: 0xFF, count: width)
        var minusOne = ones
        minusOne[width - 1] = 0xFE
        let signedMax = [0x7F] + [UInt8](repeating: 0xFF, count: width - 1)
        let highBit = [0x80] + [UInt8](repeating: 0, count: width - 1)
        return [ones, minusOne, signedMax, highBit, [UInt8](repeating: 0, count: width)]
    }

    /// Feeds `body` the seeds themselves, then (with `sweep`) every boundary integer at
    /// every offset of each seed's first `sweepBytesMax` bytes, then `iterations` random
    /// mutants of each.
    /// `body` returns true when the decoder accepted the input, false when it
    /// threw; it must never trap. With `YONKE_FUZZ_DUMP` set to a folder, each
    /// input is written there before it is decoded, so the one a crash was on is
    /// the newest file (`last-<target>.bin`).
    public static func run(_ target: String, seeds: [[UInt8]], iterations: Int = iterationsPerSeed,
                           seed: UInt64 = seed, sweep: Bool = true, sweepBytesMax: Int = 160,
                           _ body: ([UInt8]) -> Bool) -> Summary {
        precondition(!seeds.isEmpty, "fuzz target \(target) has no seeds")
        let dump = ProcessInfo.processInfo.environment["YONKE_FUZZ_DUMP"].map { "\($0)/last-\(target).bin" }
        var mutator = Mutator(seed: seed ^ UInt64(truncatingIfNeeded: target.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) }))
        var summary = Summary()
        func feed(_ input: [UInt8]) {
            if let dump { FileManager.default.createFile(atPath: dump, contents: Data(input)) }
            summary.inputs += 1
            if body(input) { summary.accepted += 1 } else { summary.refused += 1 }
        }
        for s in seeds { feed(s) }
        // Boundary sweep: every integer a field could be, at every offset near the start —
        // the values that overflow `+ 1` or a sum, found deterministically rather than by luck.
        if sweep {
            for s in seeds {
                for at in 0..<min(s.count, sweepBytesMax) {
                    for width in [1, 2, 4, 8] where at + width <= s.count {
                        for pattern in Self.boundaryPatterns(width: width) {
                            var mutant = s
                            mutant.replaceSubrange(at..<(at + width), with: pattern)
                            feed(mutant)
                        }
                    }
                }
            }
        }
        for (i, s) in seeds.enumerated() {
            var current = s
            for round in 0..<iterations {
                let mutant = mutator.mutate(current, other: seeds[(i + round + 1) % seeds.count])
                feed(mutant)
                // Walk on from a mutant now and then, so mutations compound past the first check.
                current = round % 8 == 7 ? s : mutant
            }
        }
        return summary
    }

    /// The seed corpus kept in the repository for `target` (`Tests/FuzzTests/Corpus/<target>/`):
    /// inputs that once broke a decoder, replayed on every run.
    public static func corpus(_ target: String, file: String = #filePath) -> [[UInt8]] {
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Corpus/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted() ?? []
        return names.compactMap { name in
            guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else { return nil }
            // Hex, whitespace and `#` comments allowed, so a reviewer can read what broke.
            let hex = text.split(separator: "\n").map { $0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "" }
                .joined().filter { !$0.isWhitespace }
            return Hex.decode(String(hex))
        }
    }
}
