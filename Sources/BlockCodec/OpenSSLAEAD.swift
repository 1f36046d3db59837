import COpenSSL
import CSodium
import YonkeCore

/// The frame ciphers through OpenSSL's EVP interface, whose AES-256-GCM uses
/// AES-NI with VAES/VPCLMULQDQ and whose ChaCha20-Poly1305 uses AVX-512 where the
/// CPU has them (libsodium 1.0.18 uses neither). The bytes are the standard
/// algorithms', identical to libsodium's: a frame sealed by one opens with the other,
/// so this is an implementation choice, not a format change.
///
/// Keys: the caller's key stays in its `SecretBytes`; OpenSSL copies the expanded
/// schedule into a context that lives for one frame and is wiped on free
/// (`EVP_CIPHER_CTX_free` → the provider's `OPENSSL_clear_free`). XChaCha20's
/// HChaCha20 subkey is built on the stack and zeroed before returning.
enum OpenSSLAEAD {
    enum Cipher {
        case aes256gcm
        case chacha20poly1305

        var evp: OpaquePointer {
            switch self {
            case .aes256gcm: FetchedCiphers.shared.aes256gcm
            case .chacha20poly1305: FetchedCiphers.shared.chacha20poly1305
            }
        }
    }

    /// Seals `message` in place with a 12-byte `nonce`; writes the 16-byte tag.
    static func seal(
        _ cipher: Cipher, _ message: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawPointer,
        nonce: UnsafeRawPointer, associatedData: UnsafeRawBufferPointer, key: UnsafePointer<UInt8>
    ) {
        let ok = run(cipher, encrypt: true, key: key, nonce: nonce, associatedData: associatedData) { context in
            var produced: Int32 = 0
            let m = message.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard EVP_CipherUpdate(context, m, &produced, m, Int32(message.count)) == 1,
                  EVP_CipherFinal_ex(context, m + Int(produced), &produced) == 1
            else { return false }
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, Int32(AEADAlgorithm.tagByteCount), tag) == 1
        }
        precondition(ok, "OpenSSL \(cipher) seal failed for valid lengths")
    }

    /// Opens `ciphertext` into `plaintext` (same length, may alias). On a tag that
    /// does not verify, `plaintext` is zeroed (EVP writes before it can check) and the answer is false.
    static func open(
        _ cipher: Cipher, _ ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer,
        tag: UnsafeRawPointer, nonce: UnsafeRawPointer, associatedData: UnsafeRawBufferPointer,
        key: UnsafePointer<UInt8>
    ) -> Bool {
        let ok = run(cipher, encrypt: false, key: key, nonce: nonce, associatedData: associatedData) { context in
            var produced: Int32 = 0
            let m = plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let c = ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self)
            guard EVP_CipherUpdate(context, m, &produced, c, Int32(ciphertext.count)) == 1,
                  EVP_CIPHER_CTX_ctrl(
                    context, EVP_CTRL_AEAD_SET_TAG, Int32(AEADAlgorithm.tagByteCount), UnsafeMutableRawPointer(mutating: tag)) == 1
            else { return false }
            return EVP_CipherFinal_ex(context, m + Int(produced), &produced) == 1
        }
        if !ok { plaintext.initializeMemory(as: UInt8.self, repeating: 0) }
        return ok
    }

    /// XChaCha20-Poly1305 (IETF) exactly as libsodium builds it: the key is
    /// HChaCha20(key, nonce[0..<16]) and the ChaCha20-Poly1305 nonce is four zero
    /// bytes ‖ nonce[16..<24].
    static func withXChaChaSubkey<R>(
        key: UnsafePointer<UInt8>, nonce: UnsafeRawPointer, _ body: (UnsafePointer<UInt8>, UnsafeRawPointer) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(byteCount: 32 + 12, alignment: 16) { scratch in
            let subkey = scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
            defer { sodium_memzero(scratch.baseAddress!, scratch.count) }
            let rc = crypto_core_hchacha20(subkey, nonce.assumingMemoryBound(to: UInt8.self), key, nil)
            precondition(rc == 0, "crypto_core_hchacha20 cannot fail")
            let shortNonce = scratch.baseAddress! + 32
            shortNonce.initializeMemory(as: UInt8.self, repeating: 0, count: 4)
            (shortNonce + 4).copyMemory(from: nonce + 16, byteCount: 8)
            return body(UnsafePointer(subkey), UnsafeRawPointer(shortNonce))
        }
    }

    private static func run(
        _ cipher: Cipher, encrypt: Bool, key: UnsafePointer<UInt8>, nonce: UnsafeRawPointer,
        associatedData: UnsafeRawBufferPointer, _ body: (OpaquePointer) -> Bool
    ) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { preconditionFailure("EVP_CIPHER_CTX_new: out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        var produced: Int32 = 0
        guard EVP_CipherInit_ex2(
                context, cipher.evp, key, nonce.assumingMemoryBound(to: UInt8.self), encrypt ? 1 : 0, nil) == 1
        else { return false }
        if associatedData.count > 0 {
            guard EVP_CipherUpdate(
                    context, nil, &produced, associatedData.baseAddress!.assumingMemoryBound(to: UInt8.self),
                    Int32(associatedData.count)) == 1
            else { return false }
        }
        return body(context)
    }
}

/// `EVP_CIPHER_fetch` once per process: an implicit fetch on every init takes a
/// lock on the provider store. Fetched ciphers are immutable and thread-safe.
private final class FetchedCiphers: @unchecked Sendable {
    static let shared = FetchedCiphers()
    let aes256gcm: OpaquePointer
    let chacha20poly1305: OpaquePointer

    private init() {
        guard let gcm = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil),
              let chacha = EVP_CIPHER_fetch(nil, "ChaCha20-Poly1305", nil)
        else { preconditionFailure("OpenSSL's default provider lacks AES-256-GCM or ChaCha20-Poly1305") }
        aes256gcm = gcm
        chacha20poly1305 = chacha
    }
}
