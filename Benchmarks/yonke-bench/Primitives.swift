// Step one of issue 18: every candidate primitive alone, one core, 1 MiB at a
// time over the same 64 MiB buffers, so the codec's choices rest on figures
// from this run on this CPU.
import CBLAKE3
import CLZ4
import COpenSSL
import CSodium
import Foundation

/// One measured primitive: its name, what it does, and MB/s of input.
struct PrimitiveFigure {
    let family: String
    let name: String
    let megabytesPerSecond: Double
    var note: String = ""
}

/// Calls `body(frame, length)` for every 1 MiB frame of `block`; best of `rounds`.
func perFrame(_ block: [UInt8], _ body: (UnsafePointer<UInt8>, Int) -> Void) -> Double {
    block.withUnsafeBytes { raw in
        let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return measure(raw.count) {
            for offset in stride(from: 0, to: raw.count, by: frameSize) { body(base + offset, min(frameSize, raw.count - offset)) }
        }
    }
}

/// OpenSSL EVP AEAD seal and open with one reused context (key set once), as a codec worker would.
final class EVPAEAD {
    let context: OpaquePointer
    let cipher: OpaquePointer
    let ivLength: Int32

    init(_ name: String, key: [UInt8], ivLength: Int32) {
        cipher = EVP_CIPHER_fetch(nil, name, nil)!
        context = EVP_CIPHER_CTX_new()!
        self.ivLength = ivLength
        precondition(EVP_CipherInit_ex2(context, cipher, key, nil, 1, nil) == 1)
    }

    deinit { EVP_CIPHER_CTX_free(context); EVP_CIPHER_free(cipher) }

    func seal(_ message: UnsafeMutablePointer<UInt8>, _ length: Int, ad: [UInt8], nonce: [UInt8], tag: inout [UInt8]) {
        var produced: Int32 = 0
        precondition(EVP_CipherInit_ex2(context, nil, nil, nonce, 1, nil) == 1)
        precondition(EVP_CipherUpdate(context, nil, &produced, ad, Int32(ad.count)) == 1)
        precondition(EVP_CipherUpdate(context, message, &produced, message, Int32(length)) == 1)
        precondition(EVP_CipherFinal_ex(context, message + Int(produced), &produced) == 1)
        precondition(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16, &tag) == 1)
    }

    func open(_ cipherText: UnsafePointer<UInt8>, _ length: Int, into out: UnsafeMutablePointer<UInt8>,
              ad: [UInt8], nonce: [UInt8], tag: [UInt8]) -> Bool {
        var produced: Int32 = 0
        var tag = tag
        precondition(EVP_CipherInit_ex2(context, nil, nil, nonce, 0, nil) == 1)
        precondition(EVP_CipherUpdate(context, nil, &produced, ad, Int32(ad.count)) == 1)
        precondition(EVP_CipherUpdate(context, out, &produced, cipherText, Int32(length)) == 1)
        precondition(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, 16, &tag) == 1)
        return EVP_CipherFinal_ex(context, out + Int(produced), &produced) == 1
    }
}

func blake3Keyed(_ data: UnsafePointer<UInt8>, _ length: Int, key: [UInt8], into out: inout [UInt8]) {
    var hasher = blake3_hasher()
    blake3_hasher_init_keyed(&hasher, key)
    blake3_hasher_update(&hasher, data, length)
    blake3_hasher_finalize(&hasher, &out, 32)
}

func measurePrimitives(csv: [UInt8], random: [UInt8]) -> [PrimitiveFigure] {
    let key = [UInt8](repeating: 5, count: 32)
    let ad = [UInt8](repeating: 1, count: 97)
    var digest = [UInt8](repeating: 0, count: 64)
    var tag = [UInt8](repeating: 0, count: 16)
    let nonce = [UInt8](repeating: 3, count: 24)
    let nonce12 = Array(nonce.prefix(12))
    var work = [UInt8](repeating: 0, count: Int(LZ4_compressBound(Int32(frameSize))) + 64)
    var plain = [UInt8](repeating: 0, count: frameSize)
    var figures: [PrimitiveFigure] = []

    // AEADs: seal from the block into a work buffer (encode), then open a sealed frame (decode).
    let gcm = EVPAEAD("AES-256-GCM", key: key, ivLength: 12)
    let chacha = EVPAEAD("ChaCha20-Poly1305", key: key, ivLength: 12)
    func sealAndOpen(_ name: String, seal: @escaping (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>) -> Void,
                     open: @escaping (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>) -> Bool) {
        let sealSpeed = perFrame(random) { p, n in work.withUnsafeMutableBufferPointer { seal(p, n, $0.baseAddress!) } }
        // One sealed frame, opened again and again into the frame buffer.
        random.withUnsafeBufferPointer { r in work.withUnsafeMutableBufferPointer { seal(r.baseAddress!, frameSize, $0.baseAddress!) } }
        let sealed = Array(work.prefix(frameSize))
        let openSpeed = perFrame(random) { _, n in
            sealed.withUnsafeBufferPointer { s in plain.withUnsafeMutableBufferPointer { precondition(open(s.baseAddress!, n, $0.baseAddress!)) } }
        }
        figures.append(PrimitiveFigure(family: "AEAD", name: name + " seal", megabytesPerSecond: sealSpeed))
        figures.append(PrimitiveFigure(family: "AEAD", name: name + " open", megabytesPerSecond: openSpeed))
    }
    sealAndOpen("AES-256-GCM (libsodium)",
        seal: { p, n, o in crypto_aead_aes256gcm_encrypt_detached(o, &tag, nil, p, UInt64(n), ad, 97, nil, nonce12, key) },
        open: { c, n, o in crypto_aead_aes256gcm_decrypt_detached(o, nil, c, UInt64(n), tag, ad, 97, nonce12, key) == 0 })
    sealAndOpen("XChaCha20-Poly1305 (libsodium)",
        seal: { p, n, o in crypto_aead_xchacha20poly1305_ietf_encrypt_detached(o, &tag, nil, p, UInt64(n), ad, 97, nil, nonce, key) },
        open: { c, n, o in crypto_aead_xchacha20poly1305_ietf_decrypt_detached(o, nil, c, UInt64(n), tag, ad, 97, nonce, key) == 0 })
    sealAndOpen("AES-256-GCM (OpenSSL EVP)",
        seal: { p, n, o in o.update(from: p, count: n); gcm.seal(o, n, ad: ad, nonce: nonce12, tag: &tag) },
        open: { c, n, o in gcm.open(c, n, into: o, ad: ad, nonce: nonce12, tag: tag) })
    sealAndOpen("ChaCha20-Poly1305 (OpenSSL EVP)",
        seal: { p, n, o in o.update(from: p, count: n); chacha.seal(o, n, ad: ad, nonce: nonce12, tag: &tag) },
        open: { c, n, o in chacha.open(c, n, into: o, ad: ad, nonce: nonce12, tag: tag) })

    // Keyed hashes (content ids) and plain SHA-256 for reference.
    figures.append(PrimitiveFigure(family: "hash", name: "BLAKE2b-256 keyed (libsodium)", megabytesPerSecond:
        perFrame(csv) { crypto_generichash(&digest, 32, $0, UInt64($1), key, 32) }))
    figures.append(PrimitiveFigure(family: "hash", name: "SHA-256 (libsodium)", megabytesPerSecond:
        perFrame(csv) { crypto_hash_sha256(&digest, $0, UInt64($1)) }))
    figures.append(PrimitiveFigure(family: "hash", name: "SHA-256 (OpenSSL)", megabytesPerSecond:
        perFrame(csv) { _ = SHA256($0, $1, &digest) }))
    figures.append(PrimitiveFigure(family: "hash", name: "HMAC-SHA-256 (OpenSSL)", megabytesPerSecond:
        perFrame(csv) { p, n in var length: UInt32 = 0; _ = HMAC(EVP_sha256(), key, 32, p, n, &digest, &length) }))
    figures.append(PrimitiveFigure(family: "hash", name: "BLAKE3 keyed (C, \(String(cString: blake3_version())))", megabytesPerSecond:
        perFrame(csv) { blake3Keyed($0, $1, key: key, into: &digest) }))

    // LZ4 on the CSV block: compress speed, decompress speed and ratio per level.
    for level in [0, 3, 6, 9] {
        var compressed: [[UInt8]] = []
        var total = 0
        let compress = perFrame(csv) { p, n in
            let size = work.withUnsafeMutableBytes { o in
                let src = UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)
                let dst = o.baseAddress!.assumingMemoryBound(to: CChar.self)
                return level == 0 ? LZ4_compress_default(src, dst, Int32(n), Int32(o.count))
                                  : LZ4_compress_HC(src, dst, Int32(n), Int32(o.count), Int32(level))
            }
            if compressed.count < csv.count / frameSize { compressed.append(Array(work.prefix(Int(size)))); total += Int(size) }
        }
        let decompress = measure(csv.count) {
            plain.withUnsafeMutableBytes { o in
                for frame in compressed {
                    let n = frame.withUnsafeBytes {
                        LZ4_decompress_safe($0.baseAddress!.assumingMemoryBound(to: CChar.self),
                                            o.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(frame.count), Int32(o.count))
                    }
                    precondition(n > 0)
                }
            }
        }
        let name = level == 0 ? "LZ4 default" : "LZ4-HC level \(level)"
        let ratio = String(format: "ratio %.2f", Double(csv.count) / Double(total))
        figures.append(PrimitiveFigure(family: "LZ4", name: name + " compress", megabytesPerSecond: compress, note: ratio))
        figures.append(PrimitiveFigure(family: "LZ4", name: name + " decompress", megabytesPerSecond: decompress, note: ratio))
    }
    return figures
}
