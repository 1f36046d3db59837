import CSodium
import SodiumSupport
import YonkeCore

/// A node's long-term Ed25519 key pair (`crypto_sign`). The public key is the
/// node's identity on the wire; the secret key stays in locked, wiped memory.
/// A node keeps only the 32-byte seed on disk and rebuilds the pair from it.
public final class NodeIdentity: Sendable {
    public static let seedByteCount = Int(crypto_sign_SEEDBYTES)

    public let publicKey: NodePublicKey
    private let secretKey: SecretBytes

    public init(seed: [UInt8]) throws(TransportError) {
        guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
        guard seed.count == Self.seedByteCount else {
            throw .invalidSettings("identity seed must be \(Self.seedByteCount) bytes, got \(seed.count)")
        }
        var publicBytes = [UInt8](repeating: 0, count: Int(crypto_sign_PUBLICKEYBYTES))
        secretKey = SecretBytes(count: Int(crypto_sign_SECRETKEYBYTES)) { out in
            let rc = crypto_sign_seed_keypair(
                &publicBytes, out.baseAddress!.assumingMemoryBound(to: UInt8.self), seed)
            invariant(rc == 0, "crypto_sign_seed_keypair failed (rc \(rc)) for a valid seed length")
        }
        publicKey = NodePublicKey(bytes: publicBytes, checked: ())
    }

    /// A fresh random seed from the OS generator (store it with mode 0600).
    public static func randomSeed() throws(TransportError) -> [UInt8] {
        guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
        var seed = [UInt8](repeating: 0, count: seedByteCount)
        randombytes_buf(&seed, seed.count)
        return seed
    }

    /// An identity whose seed is not kept (tests, one-shot clients).
    public static func generate() throws(TransportError) -> NodeIdentity {
        var seed = try randomSeed()
        defer { sodium_memzero(&seed, seed.count) }
        return try NodeIdentity(seed: seed)
    }

    func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Int(crypto_sign_BYTES))
        let rc = crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey.typedPointer)
        invariant(rc == 0, "crypto_sign_detached failed (rc \(rc))")
        return signature
    }
}

/// The public half of a node identity: what peers pin and what membership
/// records next to a node name.
public struct NodePublicKey: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = Int(crypto_sign_PUBLICKEYBYTES)
    public let bytes: [UInt8]

    /// Nil unless exactly `byteCount` bytes: callers report their own error.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var hex: String { Hex.encode(bytes) }
    /// Short form for logs: enough to tell keys apart at a glance.
    public var description: String { String(hex.prefix(16)) }

    func verify(signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == Int(crypto_sign_BYTES) else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), bytes) == 0
    }
}

extension NodePublicKey {
    fileprivate init(bytes: [UInt8], checked: Void) { self.bytes = bytes }
}
