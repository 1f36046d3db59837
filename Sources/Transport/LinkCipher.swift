import CSodium
import SodiumSupport

/// The AEAD that seals a link's frames. Each hello lists the ciphers its
/// sender can run; the link uses AES-256-GCM when both sides can (AES-NI makes
/// it several times faster than XChaCha20-Poly1305, and every block byte a
/// client reads crosses a link), else XChaCha20-Poly1305, which every machine
/// runs. The lists are part of the transcript both proofs cover, so a peer in
/// the middle cannot talk the two sides down to the slower cipher.
public enum LinkCipher: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case xchacha20poly1305 = 1
    case aes256gcm = 2

    /// The set a hello announces, one bit per cipher.
    public struct Set: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let xchacha20poly1305 = Set(rawValue: 1 << 0)
        public static let aes256gcm = Set(rawValue: 1 << 1)

        /// What this CPU runs: AES-256-GCM only with AES-NI and CLMUL (libsodium's only AES path).
        public static var available: Set {
            Sodium.aes256gcmAvailable ? [.xchacha20poly1305, .aes256gcm] : [.xchacha20poly1305]
        }
    }

    /// The fastest cipher both sets hold; nil when they share none.
    static func negotiate(_ local: Set, _ peer: Set) -> LinkCipher? {
        let common = local.intersection(peer)
        if common.contains(.aes256gcm) { return .aes256gcm }
        if common.contains(.xchacha20poly1305) { return .xchacha20poly1305 }
        return nil
    }

    public var description: String {
        switch self {
        case .xchacha20poly1305: "XChaCha20-Poly1305"
        case .aes256gcm: "AES-256-GCM"
        }
    }

    /// Bytes of nonce the cipher takes; the frame counter fills the first eight.
    var nonceBytes: Int {
        switch self {
        case .xchacha20poly1305: Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
        case .aes256gcm: Int(crypto_aead_aes256gcm_NPUBBYTES)
        }
    }
}
