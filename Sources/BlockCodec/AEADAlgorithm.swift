import CSodium
import SodiumSupport
import YonkeCore

/// The frame cipher, recorded in every block header so a cluster with mixed
/// CPUs can still read every block (and says so clearly when it cannot).
public enum AEADAlgorithm: UInt8, Sendable, CustomStringConvertible, CaseIterable {
    case xchacha20poly1305 = 1
    case aes256gcm = 2

    /// AES-256-GCM where the CPU has AES-NI and CLMUL (libsodium's only AES path), else XChaCha20-Poly1305.
    public static var preferred: AEADAlgorithm {
        Sodium.aes256gcmAvailable ? .aes256gcm : .xchacha20poly1305
    }

    public var isAvailable: Bool {
        switch self {
        case .xchacha20poly1305: Sodium.ready
        case .aes256gcm: Sodium.aes256gcmAvailable
        }
    }

    public var description: String {
        switch self {
        case .xchacha20poly1305: "XChaCha20-Poly1305"
        case .aes256gcm: "AES-256-GCM"
        }
    }

    static let tagByteCount = 16
    /// Every frame record reserves the larger nonce so the layout does not depend on the algorithm.
    static let nonceFieldByteCount = 24

    var nonceByteCount: Int {
        switch self {
        case .xchacha20poly1305: Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
        case .aes256gcm: Int(crypto_aead_aes256gcm_NPUBBYTES)
        }
    }

    /// Encrypts `message` in place and writes the tag. Nonces are random: the
    /// per-block key is derived from the content, and a re-encoding of the same
    /// block (another LZ4 version, another compression level) must never reuse
    /// a (key, nonce) pair with different bytes.
    func seal(
        _ message: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawPointer, nonce: UnsafeMutableRawPointer,
        associatedData: UnsafeRawBufferPointer, key: UnsafePointer<UInt8>
    ) {
        randombytes_buf(nonce, nonceByteCount)
        guard let m = message.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            preconditionFailure("frames are never empty")
        }
        let t = tag.assumingMemoryBound(to: UInt8.self)
        let n = UnsafePointer(nonce.assumingMemoryBound(to: UInt8.self))
        let ad = associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let rc: Int32
        switch self {
        case .xchacha20poly1305:
            rc = crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
                m, t, nil, m, UInt64(message.count), ad, UInt64(associatedData.count), nil, n, key)
        case .aes256gcm:
            rc = crypto_aead_aes256gcm_encrypt_detached(
                m, t, nil, m, UInt64(message.count), ad, UInt64(associatedData.count), nil, n, key)
        }
        precondition(rc == 0, "AEAD encryption cannot fail for valid lengths (rc \(rc))")
    }

    /// Verifies and decrypts `ciphertext` into `plaintext` (same length; may be
    /// the same memory). False when the tag does not verify.
    func open(
        _ ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer,
        tag: UnsafeRawPointer, nonce: UnsafeRawPointer,
        associatedData: UnsafeRawBufferPointer, key: UnsafePointer<UInt8>
    ) -> Bool {
        invariant(ciphertext.count == plaintext.count, "open: \(ciphertext.count) bytes into \(plaintext.count)")
        guard let c = ciphertext.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let m = plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self)
        else { preconditionFailure("frames are never empty") }
        let t = tag.assumingMemoryBound(to: UInt8.self)
        let n = nonce.assumingMemoryBound(to: UInt8.self)
        let ad = associatedData.baseAddress?.assumingMemoryBound(to: UInt8.self)
        switch self {
        case .xchacha20poly1305:
            return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
                m, nil, c, UInt64(ciphertext.count), t, ad, UInt64(associatedData.count), n, key) == 0
        case .aes256gcm:
            return crypto_aead_aes256gcm_decrypt_detached(
                m, nil, c, UInt64(ciphertext.count), t, ad, UInt64(associatedData.count), n, key) == 0
        }
    }
}
