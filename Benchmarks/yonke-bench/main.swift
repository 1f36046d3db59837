// Codec benchmark: Yonke's block codec against the raw C primitives it is built
// from, on the same 64 MiB blocks in the same run, so the ratio is what matters
// (the machine's absolute speed is not). Run in release mode:
//   swift run -c release yonke-bench [--rounds N] [--json]
//   yonke-bench --decode-limit csv|random   one number: the chosen primitives'
//                                           raw decode MB/s on two cores (for cluster.sh)
import BlockCodec
import CLZ4
import Foundation
import YonkeCore

let json = arguments.contains("--json")
let threads = 2

func inputs(_ kind: String) -> [UInt8] { kind == "csv" ? csvBlock() : randomBlock() }

/// The chosen primitives' raw decode on `threads` cores: the most `get` can reach on this CPU.
func rawDecode(_ raw: RawPipeline, _ block: [UInt8], threads: Int) -> Double {
    let sealed = raw.sealedFrames(block)
    var output = [UInt8](repeating: 0, count: block.count)
    return output.withUnsafeMutableBytes { out in
        measure(block.count) { onThreads(threads, count: sealed.count) { raw.decode(sealed, range: $0, into: out) } }
    }
}

if let flag = arguments.firstIndex(of: "--decode-limit") {
    let kind = flag + 1 < arguments.count ? arguments[flag + 1] : "csv"
    print(Int(rawDecode(RawPipeline(algorithm: .preferred), inputs(kind), threads: threads)))
    exit(0)
}

struct Row: Codable {
    let data: String
    let algorithm: String
    let compressionRatio: Double
    let rawEncodeMBps: Double, rawEncodeTwoCoresMBps: Double
    let encodeOneCoreMBps: Double, encodeTwoCoresMBps: Double
    let rawDecodeMBps: Double, rawDecodeTwoCoresMBps: Double
    let decodeOneCoreMBps: Double, decodeTwoCoresMBps: Double
    let formatOneEncodeMBps: Double, formatOneDecodeMBps: Double
    var encodeVsRaw: Double { encodeOneCoreMBps / rawEncodeMBps }
    var encodeScaling: Double { encodeTwoCoresMBps / encodeOneCoreMBps }
    var decodeVsRaw: Double { decodeOneCoreMBps / rawDecodeMBps }
    var decodeScaling: Double { decodeTwoCoresMBps / decodeOneCoreMBps }
}

let csv = csvBlock()
let random = randomBlock()
let keyring = try Keyring.generate()
var rows: [Row] = []
for (name, block) in [("csv", csv), ("random", random)] {
    for algorithm in [AEADAlgorithm.aes256gcm, .xchacha20poly1305] {
        let raw = RawPipeline(algorithm: algorithm)
        let slot = Int(LZ4_compressBound(Int32(frameSize))) + 64
        var scratch = [UInt8](repeating: 0, count: blockSize / frameSize * slot)
        let frames = blockSize / frameSize
        let (rawEncode, rawEncodeTwo) = block.withUnsafeBytes { input in
            scratch.withUnsafeMutableBytes { out in
                (measure(blockSize) { raw.encode(input, frames: 0..<frames, into: out) },
                 measure(blockSize) { onThreads(threads, count: frames) { raw.encode(input, frames: $0, into: out) } })
            }
        }
        let rawDecodeOne = rawDecode(raw, block, threads: 1)
        let rawDecodeTwo = rawDecode(raw, block, threads: threads)

        func codecFigures(_ version: BlockFormat.Version, twoCores: Bool) throws -> (enc1: Double, enc2: Double, dec1: Double, dec2: Double, ratio: Double) {
            let one = try BlockCodec(keyring: keyring, algorithm: algorithm, parallelism: 1, formatVersion: version)
            let two = try BlockCodec(keyring: keyring, algorithm: algorithm, parallelism: threads, formatVersion: version)
            // As `pack` streams blocks: one encode buffer and one decode buffer, reused.
            var encodeBuffer: [UInt8] = []
            var summary = try block.withUnsafeBytes { try one.encode($0, reusing: &encodeBuffer) }
            let enc1 = try measure(blockSize) { summary = try block.withUnsafeBytes { try one.encode($0, reusing: &encodeBuffer) } }
            let enc2 = twoCores ? try measure(blockSize) { summary = try block.withUnsafeBytes { try two.encode($0, reusing: &encodeBuffer) } } : 0
            let encoded = Array(encodeBuffer.prefix(summary.byteCount))
            var decoded: [UInt8] = []
            let dec1 = try measure(blockSize) { _ = try encoded.withUnsafeBytes { try one.decode($0, reusing: &decoded) } }
            let dec2 = twoCores ? try measure(blockSize) { _ = try encoded.withUnsafeBytes { try two.decode($0, reusing: &decoded) } } : 0
            precondition(decoded.prefix(blockSize).elementsEqual(block), "codec round trip failed")
            return (enc1, enc2, dec1, dec2, Double(blockSize) / Double(encoded.count))
        }
        let v2 = try codecFigures(.v2, twoCores: true)
        let v1 = try codecFigures(.v1, twoCores: false)
        rows.append(Row(
            data: name, algorithm: algorithm.description, compressionRatio: v2.ratio,
            rawEncodeMBps: rawEncode, rawEncodeTwoCoresMBps: rawEncodeTwo,
            encodeOneCoreMBps: v2.enc1, encodeTwoCoresMBps: v2.enc2,
            rawDecodeMBps: rawDecodeOne, rawDecodeTwoCoresMBps: rawDecodeTwo,
            decodeOneCoreMBps: v2.dec1, decodeTwoCoresMBps: v2.dec2,
            formatOneEncodeMBps: v1.enc1, formatOneDecodeMBps: v1.dec1))
    }
}

if json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
    exit(0)
}

func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: n, withPad: " ", startingAt: 0) }

print("one core, each primitive alone, 1 MiB at a time over the same 64 MiB blocks (best of \(rounds)), MB/s of input:")
for figure in measurePrimitives(csv: csv, random: random) {
    print("  \(pad(figure.family, 5)) \(pad(figure.name, 40)) \(String(format: "%6.0f", figure.megabytesPerSecond))  \(figure.note)")
}

print("""

format 2 codec (keyed BLAKE3, LZ4, the AEAD on OpenSSL), 64 MiB block, 1 MiB frames, best of \(rounds); MB/s of plaintext.
raw = the same primitives straight from C (RawPipeline.swift); target: 1 core >= 0.9x raw, 2 cores >= 1.8x own 1 core.
""")
print("data    cipher              ratio | raw enc  1 core  vs raw | raw 2c  2 cores scaling | raw dec  1 core  vs raw | raw 2c  2 cores scaling | format 1: enc  dec")
for r in rows {
    print(String(
        format: "%@ %@ %5.2f | %7.0f %7.0f %6.2fx | %6.0f %8.0f %6.2fx | %7.0f %7.0f %6.2fx | %6.0f %8.0f %6.2fx |       %5.0f %5.0f",
        pad(r.data, 7), pad(r.algorithm, 19), r.compressionRatio,
        r.rawEncodeMBps, r.encodeOneCoreMBps, r.encodeVsRaw, r.rawEncodeTwoCoresMBps, r.encodeTwoCoresMBps, r.encodeScaling,
        r.rawDecodeMBps, r.decodeOneCoreMBps, r.decodeVsRaw, r.rawDecodeTwoCoresMBps, r.decodeTwoCoresMBps, r.decodeScaling,
        r.formatOneEncodeMBps, r.formatOneDecodeMBps))
}
let preferred = AEADAlgorithm.preferred.description
for r in rows where r.algorithm == preferred {
    print("2-core raw decode limit, \(r.data), \(preferred): \(Int(r.rawDecodeTwoCoresMBps)) MB/s")
}
