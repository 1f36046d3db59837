import CSodium
import SodiumSupport
import YonkeCore

/// Thin wrappers over the libsodium calls the handshake and the link use.
enum Crypto {
    static let hashBytes = 32
    static let kxPublicKeyBytes = Int(crypto_kx_PUBLICKEYBYTES)
    static let kxSecretKeyBytes = Int(crypto_kx_SECRETKEYBYTES)
    static let sessionKeyBytes = Int(crypto_kx_SESSIONKEYBYTES)
    static let aeadKeyBytes = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    static let aeadTagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)
    static let signatureBytes = Int(crypto_sign_BYTES)

    /// BLAKE2b-256 of `input`, keyed when `key` is given (16...64 bytes).
    static func blake2b(into out: UnsafeMutableRawBufferPointer, _ input: [UInt8], key: SecretBytes?) {
        invariant(out.count == hashBytes, "blake2b output must be \(hashBytes) bytes, got \(out.count)")
        let rc = crypto_generichash(
            out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
            input, UInt64(input.count),
            key?.typedPointer, key?.count ?? 0)
        invariant(rc == 0, "crypto_generichash failed (rc \(rc), key \(key?.count ?? 0) bytes)")
    }

    static func blake2b(_ input: [UInt8], key: SecretBytes?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: hashBytes)
        out.withUnsafeMutableBytes { blake2b(into: $0, input, key: key) }
        return out
    }

    /// A fresh X25519 key pair for one connection (forward secrecy).
    static func ephemeralKeyPair() -> (publicKey: [UInt8], secretKey: SecretBytes) {
        var publicKey = [UInt8](repeating: 0, count: kxPublicKeyBytes)
        let secretKey = SecretBytes(count: kxSecretKeyBytes) { out in
            let rc = crypto_kx_keypair(&publicKey, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            invariant(rc == 0, "crypto_kx_keypair failed (rc \(rc))")
        }
        return (publicKey, secretKey)
    }

    /// Constant-time comparison for MACs.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && sodium_memcmp(a, b, a.count) == 0
    }
}
