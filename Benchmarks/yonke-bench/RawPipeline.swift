// The codec's chosen primitives called straight from C, frame by frame, with
// nothing of the codec around them: keyed BLAKE3 of the frame, LZ4_compress_default,
// then the AEAD through OpenSSL EVP (one context per thread, key set once).
// Decode: AEAD open, LZ4_decompress_safe, keyed BLAKE3. This is the ceiling the
// codec is held against, on one core and (frames split between threads) on two.
import BlockCodec
import CBLAKE3
import CLZ4
import COpenSSL
import CSodium
import Dispatch

struct SealedFrame {
    var cipher: [UInt8]
    var tag: [UInt8]
    var nonce: [UInt8]
    var plainLength: Int
    var compressed: Bool
}

struct RawPipeline {
    let algorithm: AEADAlgorithm
    let key = [UInt8](repeating: 5, count: 32)
    let ad = [UInt8](repeating: 1, count: 97)

    /// One thread's cipher context. XChaCha20 needs a per-frame HChaCha20 subkey,
    /// so its context is re-keyed per frame, as the codec does.
    func context() -> EVPAEAD {
        algorithm == .aes256gcm
            ? EVPAEAD("AES-256-GCM", key: key, ivLength: 12) : EVPAEAD("ChaCha20-Poly1305", key: key, ivLength: 12)
    }

    func seal(_ m: UnsafeMutablePointer<UInt8>, _ n: Int, nonce: inout [UInt8], tag: inout [UInt8], with aead: EVPAEAD) {
        randombytes_buf(&nonce, 24)
        switch algorithm {
        case .aes256gcm: aead.seal(m, n, ad: ad, nonce: Array(nonce.prefix(12)), tag: &tag)
        case .xchacha20poly1305:
            var subkey = [UInt8](repeating: 0, count: 32)
            crypto_core_hchacha20(&subkey, nonce, key, nil)
            precondition(EVP_CipherInit_ex2(aead.context, nil, subkey, nil, 1, nil) == 1)
            aead.seal(m, n, ad: ad, nonce: [0, 0, 0, 0] + nonce[16..<24], tag: &tag)
        }
    }

    func open(_ c: UnsafePointer<UInt8>, _ n: Int, into m: UnsafeMutablePointer<UInt8>, frame: SealedFrame, with aead: EVPAEAD) -> Bool {
        switch algorithm {
        case .aes256gcm: return aead.open(c, n, into: m, ad: ad, nonce: Array(frame.nonce.prefix(12)), tag: frame.tag)
        case .xchacha20poly1305:
            var subkey = [UInt8](repeating: 0, count: 32)
            crypto_core_hchacha20(&subkey, frame.nonce, key, nil)
            precondition(EVP_CipherInit_ex2(aead.context, nil, subkey, nil, 0, nil) == 1)
            return aead.open(c, n, into: m, ad: ad, nonce: [0, 0, 0, 0] + frame.nonce[16..<24], tag: frame.tag)
        }
    }

    /// Encodes frames `range` of `block` into `output` (one slot per frame).
    func encode(_ block: UnsafeRawBufferPointer, frames range: Range<Int>, into output: UnsafeMutableRawBufferPointer) {
        let aead = context()
        var digest = [UInt8](repeating: 0, count: 32)
        var nonce = [UInt8](repeating: 0, count: 24)
        var tag = [UInt8](repeating: 0, count: 16)
        let slot = Int(LZ4_compressBound(Int32(frameSize))) + 64
        for index in range {
            let offset = index * frameSize
            let length = min(frameSize, block.count - offset)
            let frame = (block.baseAddress! + offset).assumingMemoryBound(to: UInt8.self)
            let out = output.baseAddress! + index * slot
            blake3Keyed(frame, length, key: key, into: &digest)
            var size = Int(LZ4_compress_default(
                UnsafeRawPointer(frame).assumingMemoryBound(to: CChar.self), out.assumingMemoryBound(to: CChar.self),
                Int32(length), Int32(slot)))
            if size <= 0 || size >= length { out.copyMemory(from: frame, byteCount: length); size = length }
            seal(out.assumingMemoryBound(to: UInt8.self), size, nonce: &nonce, tag: &tag, with: aead)
        }
    }

    func sealedFrames(_ block: [UInt8]) -> [SealedFrame] {
        let aead = context()
        var frames: [SealedFrame] = []
        for offset in stride(from: 0, to: block.count, by: frameSize) {
            let length = min(frameSize, block.count - offset)
            var out = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(length))))
            var input = Array(block[offset..<offset + length])
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
            var frame = SealedFrame(cipher: out, tag: [UInt8](repeating: 0, count: 16),
                                    nonce: [UInt8](repeating: 0, count: 24), plainLength: length, compressed: compressed)
            frame.cipher.withUnsafeMutableBufferPointer { seal($0.baseAddress!, size, nonce: &frame.nonce, tag: &frame.tag, with: aead) }
            frames.append(frame)
            input.removeAll()
        }
        return frames
    }

    /// Decodes frames `range` into `output` at their plaintext offsets.
    func decode(_ frames: [SealedFrame], range: Range<Int>, into output: UnsafeMutableRawBufferPointer) {
        let aead = context()
        var digest = [UInt8](repeating: 0, count: 32)
        var scratch = [UInt8](repeating: 0, count: frameSize)
        for index in range {
            let frame = frames[index]
            let target = (output.baseAddress! + index * frameSize).assumingMemoryBound(to: UInt8.self)
            scratch.withUnsafeMutableBufferPointer { s in
                frame.cipher.withUnsafeBufferPointer { c in
                    let m = frame.compressed ? s.baseAddress! : target
                    precondition(open(c.baseAddress!, c.count, into: m, frame: frame, with: aead))
                    if frame.compressed {
                        let n = LZ4_decompress_safe(
                            UnsafeRawPointer(m).assumingMemoryBound(to: CChar.self),
                            UnsafeMutableRawPointer(target).assumingMemoryBound(to: CChar.self),
                            Int32(c.count), Int32(frame.plainLength))
                        precondition(n == Int32(frame.plainLength))
                    }
                }
            }
            blake3Keyed(target, frame.plainLength, key: key, into: &digest)
        }
    }
}

/// Splits `count` frames into `threads` contiguous ranges and runs them at once.
func onThreads(_ threads: Int, count: Int, _ body: (Range<Int>) -> Void) {
    let per = (count + threads - 1) / threads
    withoutActuallyEscaping(body) { body in
        // Each thread gets its own range and writes only there.
        nonisolated(unsafe) let shared = body
        DispatchQueue.concurrentPerform(iterations: threads) { t in shared(min(count, t * per)..<min(count, (t + 1) * per)) }
    }
}
