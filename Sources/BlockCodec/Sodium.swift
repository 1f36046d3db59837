import CSodium

/// libsodium must be initialised once per process before any call; `sodium_init`
/// is itself idempotent and thread-safe, so a lazily evaluated global suffices.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0

    static func ensureReady() throws(BlockCodecError) {
        guard ready else { throw .cryptoUnavailable("sodium_init failed") }
    }

    static var aes256gcmAvailable: Bool {
        _ = ready
        return crypto_aead_aes256gcm_is_available() == 1
    }
}
