// Codec benchmark: Yonke's block codec against the raw C primitives it is built
// from, on the same 64 MiB block in the same run, so the ratio is what matters
// (the machine's absolute speed is not). Run in release mode:
//   swift run -c release yonke-bench [--rounds N] [--json]
import BlockCodec
import CLZ4
import CSodium
import Foundation
import YonkeCore

let arguments = CommandLine.arguments
let rounds = arguments.firstIndex(of: "--rounds").flatMap { Int(arguments[$0 + 1]) } ?? 5
let json = arguments.contains("--json")
let blockSize = BlockFormat.defaultBlockSizeBytes
let frameSize = BlockFormat.defaultFrameSizeBytes
let cores = ProcessInfo.processInfo.activeProcessorCount

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

/// Best of `rounds` (the least disturbed by the rest of the machine), in MB/s of plaintext.
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

/// The same primitives called straight from C, one frame at a time on one core:
/// keyed BLAKE2b of the frame, LZ4_compress_default, then the AEAD in place.
struct RawPipeline {
    let key = [UInt8](repeating: 5, count: 32)
    let algorithm: AEADAlgorithm

    func encode(_ block: [UInt8], into scratch: inout [UInt8]) {
        var digest = [UInt8](repeating: 0, count: 32)
        var nonce = [UInt8](repeating: 0, count: 24)
        var tag = [UInt8](repeating: 0, count: 16)
        let ad = [UInt8](repeating: 1, count: 97)
        block.withUnsafeBytes { input in
            scratch.withUnsafeMutableBytes { output in
                var offset = 0
                var written = 0
                while offset < input.count {
                    let length = min(frameSize, input.count - offset)
                    let frame = input.baseAddress! + offset
                    let out = UnsafeMutableRawBufferPointer(rebasing: output[written...])
                    crypto_generichash(&digest, 32, frame.assumingMemoryBound(to: UInt8.self), UInt64(length), key, 32)
                    var size = Int(LZ4_compress_default(
                        frame.assumingMemoryBound(to: CChar.self), out.baseAddress!.assumingMemoryBound(to: CChar.self),
                        Int32(length), Int32(out.count)))
                    if size <= 0 || size >= length {
                        out.baseAddress!.copyMemory(from: frame, byteCount: length)
                        size = length
                    }
                    written += size + 16
                    randombytes_buf(&nonce, 24)
                    let m = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    switch algorithm {
                    case .aes256gcm:
                        crypto_aead_aes256gcm_encrypt_detached(m, &tag, nil, m, UInt64(size), ad, 97, nil, nonce, key)
                    case .xchacha20poly1305:
                        crypto_aead_xchacha20poly1305_ietf_encrypt_detached(m, &tag, nil, m, UInt64(size), ad, 97, nil, nonce, key)
                    }
                    offset += length
                }
            }
        }
    }

    /// Decode side: the AEAD check/decrypt, LZ4_decompress_safe, keyed BLAKE2b of the result.
    /// Frames are sealed once up front; only opening is timed.
    func sealedFrames(_ block: [UInt8]) -> [(cipher: [UInt8], tag: [UInt8], nonce: [UInt8], plainLength: Int, compressed: Bool)] {
        var frames: [(cipher: [UInt8], tag: [UInt8], nonce: [UInt8], plainLength: Int, compressed: Bool)] = []
        let ad = [UInt8](repeating: 1, count: 97)
        var offset = 0
        while offset < block.count {
            let length = min(frameSize, block.count - offset)
            var out = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(length))))
            let input = Array(block[offset..<offset + length])
            var size = input.withUnsafeBytes { i in
                out.withUnsafeMutableBytes { o in
                    Int(LZ4_compress_default(
                        i.baseAddress!.assumingMemoryBound(to: CChar.self), o.baseAddress!.assumingMemoryBound(to: CChar.self),
                        Int32(length), Int32(o.count)))
                }
            }
            var compressed = true
            if size <= 0 || size >= length { out = input; size = length; compressed = false }
            out = Array(out.prefix(size))
            var tag = [UInt8](repeating: 0, count: 16)
            var nonce = [UInt8](repeating: 0, count: 24)
            randombytes_buf(&nonce, 24)
            switch algorithm {
            case .aes256gcm: crypto_aead_aes256gcm_encrypt_detached(&out, &tag, nil, out, UInt64(size), ad, 97, nil, nonce, key)
            case .xchacha20poly1305: crypto_aead_xchacha20poly1305_ietf_encrypt_detached(&out, &tag, nil, out, UInt64(size), ad, 97, nil, nonce, key)
            }
            frames.append((out, tag, nonce, length, compressed))
            offset += length
        }
        return frames
    }

    func decode(_ frames: [(cipher: [UInt8], tag: [UInt8], nonce: [UInt8], plainLength: Int, compressed: Bool)], into output: inout [UInt8]) {
        var digest = [UInt8](repeating: 0, count: 32)
        var scratch = [UInt8](repeating: 0, count: frameSize)
        let ad = [UInt8](repeating: 1, count: 97)
        var offset = 0
        output.withUnsafeMutableBytes { out in
            for frame in frames {
                let target = out.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self)
                scratch.withUnsafeMutableBytes { s in
                    let m = frame.compressed ? s.baseAddress!.assumingMemoryBound(to: UInt8.self) : target
                    let rc: Int32
                    switch algorithm {
                    case .aes256gcm:
                        rc = crypto_aead_aes256gcm_decrypt_detached(m, nil, frame.cipher, UInt64(frame.cipher.count), frame.tag, ad, 97, frame.nonce, key)
                    case .xchacha20poly1305:
                        rc = crypto_aead_xchacha20poly1305_ietf_decrypt_detached(m, nil, frame.cipher, UInt64(frame.cipher.count), frame.tag, ad, 97, frame.nonce, key)
                    }
                    precondition(rc == 0)
                    if frame.compressed {
                        let n = LZ4_decompress_safe(
                            s.baseAddress!.assumingMemoryBound(to: CChar.self), UnsafeMutableRawPointer(target).assumingMemoryBound(to: CChar.self),
                            Int32(frame.cipher.count), Int32(frame.plainLength))
                        precondition(n == Int32(frame.plainLength))
                    }
                }
                crypto_generichash(&digest, 32, target, UInt64(frame.plainLength), key, 32)
                offset += frame.plainLength
            }
        }
    }
}

struct Row: Encodable {
    let data: String
    let algorithm: String
    let compressionRatio: Double
    let rawEncodeMBps: Double
    let encodeOneCoreMBps: Double
    let encodeAllCoresMBps: Double
    let rawDecodeMBps: Double
    let decodeOneCoreMBps: Double
    let decodeAllCoresMBps: Double
    var encodeVsRaw: Double { encodeOneCoreMBps / rawEncodeMBps }
    var encodeScaling: Double { encodeAllCoresMBps / encodeOneCoreMBps }
    var decodeVsRaw: Double { decodeOneCoreMBps / rawDecodeMBps }
    var decodeScaling: Double { decodeAllCoresMBps / decodeOneCoreMBps }

    enum CodingKeys: String, CodingKey {
        case data, algorithm, compressionRatio, rawEncodeMBps, encodeOneCoreMBps, encodeAllCoresMBps
        case rawDecodeMBps, decodeOneCoreMBps, decodeAllCoresMBps, encodeVsRaw, encodeScaling, decodeVsRaw, decodeScaling
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data); try c.encode(algorithm, forKey: .algorithm)
        try c.encode(compressionRatio, forKey: .compressionRatio)
        try c.encode(rawEncodeMBps, forKey: .rawEncodeMBps); try c.encode(encodeOneCoreMBps, forKey: .encodeOneCoreMBps)
        try c.encode(encodeAllCoresMBps, forKey: .encodeAllCoresMBps); try c.encode(rawDecodeMBps, forKey: .rawDecodeMBps)
        try c.encode(decodeOneCoreMBps, forKey: .decodeOneCoreMBps); try c.encode(decodeAllCoresMBps, forKey: .decodeAllCoresMBps)
        try c.encode(encodeVsRaw, forKey: .encodeVsRaw); try c.encode(encodeScaling, forKey: .encodeScaling)
        try c.encode(decodeVsRaw, forKey: .decodeVsRaw); try c.encode(decodeScaling, forKey: .decodeScaling)
    }
}

let keyring = try Keyring.generate()
var rows: [Row] = []
for (name, block) in [("csv", csvBlock()), ("random", randomBlock())] {
    for algorithm in AEADAlgorithm.allCases where algorithm.isAvailable {
        let raw = RawPipeline(algorithm: algorithm)
        var scratch = [UInt8](repeating: 0, count: blockSize / frameSize * Int(LZ4_compressBound(Int32(frameSize)) + 64))
        let rawEncode = measure(blockSize) { raw.encode(block, into: &scratch) }
        let sealed = raw.sealedFrames(block)
        var output = [UInt8](repeating: 0, count: blockSize)
        let rawDecode = measure(blockSize) { raw.decode(sealed, into: &output) }

        let one = try BlockCodec(keyring: keyring, algorithm: algorithm, parallelism: 1)
        let all = try BlockCodec(keyring: keyring, algorithm: algorithm, parallelism: cores)
        // As `pack` streams blocks: one encode buffer and one decode buffer, reused.
        var encodeBuffer: [UInt8] = []
        var summary = try block.withUnsafeBytes { try one.encode($0, reusing: &encodeBuffer) }
        let encodeOne = try measure(blockSize) { summary = try block.withUnsafeBytes { try one.encode($0, reusing: &encodeBuffer) } }
        let encodeAll = try measure(blockSize) { summary = try block.withUnsafeBytes { try all.encode($0, reusing: &encodeBuffer) } }
        let encoded = Array(encodeBuffer.prefix(summary.byteCount))
        var decoded: [UInt8] = []
        let decodeOne = try measure(blockSize) { _ = try encoded.withUnsafeBytes { try one.decode($0, reusing: &decoded) } }
        let decodeAll = try measure(blockSize) { _ = try encoded.withUnsafeBytes { try all.decode($0, reusing: &decoded) } }
        precondition(decoded == block, "codec round trip failed")
        rows.append(Row(
            data: name, algorithm: algorithm.description,
            compressionRatio: Double(blockSize) / Double(encoded.count),
            rawEncodeMBps: rawEncode, encodeOneCoreMBps: encodeOne, encodeAllCoresMBps: encodeAll,
            rawDecodeMBps: rawDecode, decodeOneCoreMBps: decodeOne, decodeAllCoresMBps: decodeAll))
    }
}

if json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for row in rows { print(String(decoding: try encoder.encode(row), as: UTF8.self)) }
} else {
    print("64 MiB block, 1 MiB frames, best of \(rounds), \(cores) cores; MB/s of plaintext")
    print("data    cipher               ratio | raw C enc  1 core  \(cores) cores  vs raw  scaling | raw C dec  1 core  \(cores) cores  vs raw  scaling")
    for r in rows {
        print(String(
            format: "%@ %@ %5.2f | %9.0f %7.0f %8.0f %7.2fx %7.2fx | %9.0f %7.0f %8.0f %7.2fx %7.2fx",
            r.data.padding(toLength: 7, withPad: " ", startingAt: 0),
            r.algorithm.padding(toLength: 20, withPad: " ", startingAt: 0), r.compressionRatio, r.rawEncodeMBps, r.encodeOneCoreMBps, r.encodeAllCoresMBps,
            r.encodeVsRaw, r.encodeScaling, r.rawDecodeMBps, r.decodeOneCoreMBps, r.decodeAllCoresMBps,
            r.decodeVsRaw, r.decodeScaling))
    }
}

// Where one core's time goes: each primitive alone over the CSV block, 1 MiB at a time.
if !json {
    let block = csvBlock()
    let key = [UInt8](repeating: 5, count: 32)
    var digest = [UInt8](repeating: 0, count: 64)
    var out = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(frameSize))) + 16)
    var tag = [UInt8](repeating: 0, count: 16)
    let nonce = [UInt8](repeating: 0, count: 24)
    func perFrame(_ body: (UnsafePointer<UInt8>, Int) -> Void) -> Double {
        measure(blockSize) {
            block.withUnsafeBytes { raw in
                for offset in stride(from: 0, to: blockSize, by: frameSize) {
                    body(raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset, frameSize)
                }
            }
        }
    }
    let primitives: [(String, Double)] = [
        ("BLAKE2b-256 keyed (libsodium)", perFrame { crypto_generichash(&digest, 32, $0, UInt64($1), key, 32) }),
        ("SHA-256 (libsodium, no SHA-NI)", perFrame { crypto_hash_sha256(&digest, $0, UInt64($1)) }),
        ("LZ4_compress_default", perFrame { p, n in
            _ = out.withUnsafeMutableBytes {
                LZ4_compress_default(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self),
                                     $0.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(n), Int32($0.count))
            }
        }),
        ("XChaCha20-Poly1305", perFrame { p, n in
            crypto_aead_xchacha20poly1305_ietf_encrypt_detached(&out, &tag, nil, p, UInt64(n), nil, 0, nil, nonce, key)
        }),
    ] + (AEADAlgorithm.aes256gcm.isAvailable ? [("AES-256-GCM", perFrame { p, n in
            crypto_aead_aes256gcm_encrypt_detached(&out, &tag, nil, p, UInt64(n), nil, 0, nil, nonce, key)
        })] : [])
    print("\none core, each primitive alone on the CSV block:")
    for (name, speed) in primitives { print("  \(name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(Int(speed)) MB/s") }
}
