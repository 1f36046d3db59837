import CSodium

/// libsodium must be initialised once per process before any call; `sodium_init`
/// is idempotent and thread-safe, so a lazily evaluated global suffices.
/// (Same pattern as BlockCodec's internal `Sodium`; both are module-internal.)
enum Sodium {
    static let ready: Bool = sodium_init() >= 0

    static func ensureReady() throws(TransportError) {
        guard ready else { throw .cryptoUnavailable("sodium_init failed") }
    }
}
