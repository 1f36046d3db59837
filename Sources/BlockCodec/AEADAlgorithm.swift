import CSodium
import SodiumSupport
import YonkeCore

/// The frame cipher, recorded in every block header so a cluster with mixed
/// CPUs can still read every block (and says so clearly when it cannot).
public enum AEADAlgorithm: UInt8, Sendable, CustomStringConvertible, CaseIterable {
    case xchacha20poly1305 = 1
    case aes256gcm = 2

    /// AES-256-GCM where the CPU has AES-NI and CLMUL, else XChaCha20-Poly1305
    /// (constant-time and fast in software). The check is libsodium's CPU probe.
    public static var preferred: AEADAlgorithm {
        Sodium.aes256gcmAvailable ? .aes256gcm : .xchacha20poly1305
    }

    /// Both run everywhere: without AES-NI, OpenSSL falls back to software AES-GCM
    /// (vector-permute AES, constant-time with SSSE3): slow, but a block sealed on
    /// another machine still opens here. Encoders there use XChaCha20 (`preferred`).
    public var isAvailable: Bool { Sodium.ready }

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
    /// a (key, nonce) pair with different bytes. Both ciphers run on OpenSSL
    /// (see `OpenSSLAEAD`); the bytes are what libsodium produced for format 1.
    func seal(
        _ message: UnsafeMutableRawBufferPointer, tag: UnsafeMutableRawPointer, nonce: UnsafeMutableRawPointer,
        associatedData: UnsafeRawBufferPointer, key: UnsafePointer<UInt8>
    ) {
        precondition(message.count > 0, "frames are never empty")
        randombytes_buf(nonce, nonceByteCount)
        switch self {
        case .xchacha20poly1305:
            OpenSSLAEAD.withXChaChaSubkey(key: key, nonce: nonce) { subkey, shortNonce in
                OpenSSLAEAD.seal(
                    .chacha20poly1305, message, tag: tag, nonce: shortNonce, associatedData: associatedData, key: subkey)
            }
        case .aes256gcm:
            OpenSSLAEAD.seal(.aes256gcm, message, tag: tag, nonce: nonce, associatedData: associatedData, key: key)
        }
    }

    /// Verifies and decrypts `ciphertext` into `plaintext` (same length; may be
    /// the same memory). False when the tag does not verify (and `plaintext` is then zeroed).
    func open(
        _ ciphertext: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer,
        tag: UnsafeRawPointer, nonce: UnsafeRawPointer,
        associatedData: UnsafeRawBufferPointer, key: UnsafePointer<UInt8>
    ) -> Bool {
        invariant(ciphertext.count == plaintext.count, "open: \(ciphertext.count) bytes into \(plaintext.count)")
        precondition(ciphertext.count > 0, "frames are never empty")
        switch self {
        case .xchacha20poly1305:
            return OpenSSLAEAD.withXChaChaSubkey(key: key, nonce: nonce) { subkey, shortNonce in
                OpenSSLAEAD.open(
                    .chacha20poly1305, ciphertext, into: plaintext, tag: tag, nonce: shortNonce,
                    associatedData: associatedData, key: subkey)
            }
        case .aes256gcm:
            return OpenSSLAEAD.open(
                .aes256gcm, ciphertext, into: plaintext, tag: tag, nonce: nonce, associatedData: associatedData, key: key)
        }
    }
}
