import CSodium
import YonkeCore

/// The block id: a keyed BLAKE2b-256 over the block's length, frame size and the
/// keyed BLAKE2b-256 digest of each frame. Hashing per frame lets both cores hash
/// while the frame is still in cache from compression.
enum BlockDigest {
    static let frameDigestByteCount = 32

    static func frameDigest(_ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer, keyring: Keyring) {
        let rc = crypto_generichash(
            out.assumingMemoryBound(to: UInt8.self), frameDigestByteCount,
            frame.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(frame.count),
            keyring.hashKey.typedPointer, keyring.hashKey.count)
        invariant(rc == 0, "crypto_generichash failed (rc \(rc))")
    }

    static func blockID(
        frameDigests: UnsafeRawBufferPointer, plaintextLength: Int, frameSizeBytes: Int, keyring: Keyring
    ) -> BlockID {
        var out = [UInt8](repeating: 0, count: BlockID.byteCount)
        var prefix: [UInt8] = []
        prefix.appendLittleEndian(UInt64(plaintextLength))
        prefix.appendLittleEndian(UInt32(frameSizeBytes))
        // The state struct is over-aligned in C, so Swift sees it as opaque.
        withUnsafeTemporaryAllocation(byteCount: crypto_generichash_statebytes(), alignment: 64) { raw in
            let state = OpaquePointer(raw.baseAddress!)
            crypto_generichash_init(state, keyring.hashKey.typedPointer, keyring.hashKey.count, out.count)
            crypto_generichash_update(state, prefix, UInt64(prefix.count))
            crypto_generichash_update(
                state, frameDigests.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(frameDigests.count))
            crypto_generichash_final(state, &out, out.count)
        }
        guard let id = BlockID(bytes: out) else { preconditionFailure("digest length \(out.count) is not an id") }
        return id
    }
}
