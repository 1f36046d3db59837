import CSodium

/// libsodium must be initialised once per process before any call; `sodium_init`
/// is idempotent and thread-safe, so a lazily evaluated global suffices.
public enum Sodium {
    public static let ready: Bool = sodium_init() >= 0

    public static var aes256gcmAvailable: Bool {
        _ = ready
        return crypto_aead_aes256gcm_is_available() == 1
    }
}
