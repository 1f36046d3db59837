import CBLAKE3
import CSodium
import SodiumSupport
import YonkeCore

/// The block id: a keyed 256-bit hash over the block's length, frame size and the
/// keyed 256-bit hash of each frame. Hashing per frame lets every core hash while
/// the frame is still in cache from compression (or decryption). The id is the
/// end-to-end digest: decoding recomputes it, so a key holder cannot serve other
/// content under an id without breaking the hash.
///
/// The hash is fixed by the block's format version (the header decides, never the reader):
/// - version 1: BLAKE2b-256 (libsodium) keyed by the keyring's `hashKey`;
/// - version 2: BLAKE3 (its C implementation, AVX-512 here: about 5× BLAKE2b on
///   one core) keyed by `hashKeyV2`, a separate subkey, so the two id spaces never meet.
enum BlockDigest {
    static let frameDigestByteCount = 32

    static func frameDigest(
        _ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer, version: BlockFormat.Version, keyring: Keyring
    ) {
        switch version {
        case .v1:
            let rc = crypto_generichash(
                out.assumingMemoryBound(to: UInt8.self), frameDigestByteCount,
                frame.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(frame.count),
                keyring.hashKey.typedPointer, keyring.hashKey.count)
            invariant(rc == 0, "crypto_generichash failed (rc \(rc))")
        case .v2:
            BLAKE3Keyed.hash([frame], key: keyring.hashKeyV2, into: out)
        }
    }

    static func blockID(
        frameDigests: UnsafeRawBufferPointer, plaintextLength: Int, frameSizeBytes: Int,
        version: BlockFormat.Version, keyring: Keyring
    ) -> BlockID {
        var out = [UInt8](repeating: 0, count: BlockID.byteCount)
        var prefix: [UInt8] = []
        prefix.appendLittleEndian(UInt64(plaintextLength))
        prefix.appendLittleEndian(UInt32(frameSizeBytes))
        switch version {
        case .v1:
            // The state struct is over-aligned in C, so Swift sees it as opaque.
            withUnsafeTemporaryAllocation(byteCount: crypto_generichash_statebytes(), alignment: 64) { raw in
                let state = OpaquePointer(raw.baseAddress!)
                crypto_generichash_init(state, keyring.hashKey.typedPointer, keyring.hashKey.count, out.count)
                crypto_generichash_update(state, prefix, UInt64(prefix.count))
                crypto_generichash_update(
                    state, frameDigests.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(frameDigests.count))
                crypto_generichash_final(state, &out, out.count)
            }
        case .v2:
            prefix.withUnsafeBytes { prefixBytes in
                out.withUnsafeMutableBytes { outBytes in
                    BLAKE3Keyed.hash([prefixBytes, frameDigests], key: keyring.hashKeyV2, into: outBytes.baseAddress!)
                }
            }
        }
        guard let id = BlockID(bytes: out) else { preconditionFailure("digest length \(out.count) is not an id") }
        return id
    }
}

/// Keyed BLAKE3-256 over the concatenation of `parts`. The hasher holds the key,
/// so it lives on this stack frame only and is zeroed before returning.
enum BLAKE3Keyed {
    static func hash(_ parts: [UnsafeRawBufferPointer], key: SecretBytes, into out: UnsafeMutableRawPointer) {
        invariant(key.count == Int(BLAKE3_KEY_LEN), "BLAKE3 key of \(key.count) bytes")
        withUnsafeTemporaryAllocation(of: blake3_hasher.self, capacity: 1) { hasher in
            let state = hasher.baseAddress!
            defer { sodium_memzero(state, MemoryLayout<blake3_hasher>.size) }
            blake3_hasher_init_keyed(state, key.typedPointer)
            for part in parts where part.count > 0 { blake3_hasher_update(state, part.baseAddress!, part.count) }
            blake3_hasher_finalize(state, out.assumingMemoryBound(to: UInt8.self), Int(BLAKE3_OUT_LEN))
        }
    }
}
