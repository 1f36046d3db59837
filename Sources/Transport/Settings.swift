import CSodium
import SodiumSupport
import Synchronization
import Logging
import YonkeCore

extension Transport {
    /// Who a node is on the wire and what it will accept. One value per
    /// process (or per client), shared by every link it makes or accepts.
    public struct Settings: Sendable {
        public let nodeName: String
        public var identity: NodeIdentity
        /// Part of the token key: fixed for the life of these settings.
        public let clusterID: [UInt8]
        public var limits: Limits
        /// Ciphers this side offers (see `LinkCipher`); tests narrow it.
        public var linkCiphers: LinkCipher.Set = .available
        /// Off (nil) by default; the chaos commands install one.
        public var faults: FaultInjector?
        /// Every refused or broken link is logged here, one line, with the
        /// node name and the peer address in metadata.
        public var logger: Logger
        /// Consulted by a listener once a peer has proven the token and its
        /// identity: return a reason to refuse it (e.g. a known name presenting
        /// another key), nil to admit. Runs on an event loop: keep it quick.
        public var admit: (@Sendable (Peer) -> String?)?
        /// Shared by every copy of these settings, so every link counts into it.
        public let traffic = TrafficCounters()
        /// Derived from the join token and the cluster id (see `Transport`); shared by every
        /// copy of these settings, so `setJoinToken` reaches the listener and the dialer at once.
        private let tokenKeyBox: TokenKeyBox
        var tokenKey: SecretBytes { tokenKeyBox.current }
        /// Tests only: alters sealed frames after they are sealed.
        var tamperSealedFrame: (@Sendable (_ frameIndex: UInt64, _ frame: inout [UInt8]) -> Void)?

        public init(nodeName: String, identity: NodeIdentity, clusterID: [UInt8], joinToken: String,
                    limits: Limits = .lan, faults: FaultInjector? = nil,
                    logger: Logger = Logger(label: "yonke.transport")) throws(TransportError) {
            guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
            try limits.validate()
            let nameBytes = nodeName.utf8.count
            guard nameBytes > 0, nameBytes <= Transport.maxNodeNameBytes else {
                throw .invalidSettings("node name must be 1...\(Transport.maxNodeNameBytes) UTF-8 bytes, got \(nameBytes)")
            }
            guard !Transport.hasControlCharacters(nodeName) else {
                throw .invalidSettings("node name contains control characters")
            }
            guard !clusterID.isEmpty, clusterID.count <= Transport.maxClusterIDBytes else {
                throw .invalidSettings("cluster id must be 1...\(Transport.maxClusterIDBytes) bytes, got \(clusterID.count)")
            }
            guard !joinToken.isEmpty else { throw .invalidSettings("join token is empty") }
            self.nodeName = nodeName
            self.identity = identity
            self.clusterID = clusterID
            self.limits = limits
            self.faults = faults
            self.logger = logger
            self.logger[metadataKey: "node"] = "\(nodeName)"
            self.tokenKeyBox = TokenKeyBox(Self.deriveTokenKey(clusterID: clusterID, joinToken: joinToken))
        }

        /// After a token rotation: new handshakes (both directions) prove the new token; links
        /// already up keep their session keys and stay up.
        public func setJoinToken(_ joinToken: String) throws(TransportError) {
            guard !joinToken.isEmpty else { throw .invalidSettings("join token is empty") }
            tokenKeyBox.replace(Self.deriveTokenKey(clusterID: clusterID, joinToken: joinToken))
        }

        static func deriveTokenKey(clusterID: [UInt8], joinToken: String) -> SecretBytes {
            var input = Array("yonke join token v1".utf8)
            input.append(UInt8(clusterID.count))
            input += clusterID
            input += Array(joinToken.utf8)
            defer { sodium_memzero(&input, input.count) }
            return SecretBytes(count: Crypto.hashBytes) { out in
                Crypto.blake2b(into: out, input, key: nil)
            }
        }
    }

    /// The token key in force, replaceable while links are being made.
    final class TokenKeyBox: Sendable {
        private let key: Mutex<SecretBytes>
        init(_ key: SecretBytes) { self.key = Mutex(key) }
        var current: SecretBytes { key.withLock { $0 } }
        func replace(_ next: SecretBytes) { key.withLock { $0 = next } }
    }

    /// A fresh join token: 32 random bytes in hex, far beyond any guessing.
    public static func generateJoinToken() throws(TransportError) -> String {
        guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
        var bytes = [UInt8](repeating: 0, count: 32)
        randombytes_buf(&bytes, bytes.count)
        defer { sodium_memzero(&bytes, bytes.count) }
        return Hex.encode(bytes)
    }
}

/// The authenticated other end of a link.
public struct Peer: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let publicKey: NodePublicKey

    public init(name: String, publicKey: NodePublicKey) {
        self.name = name
        self.publicKey = publicKey
    }
    public var description: String { "\(name)[\(publicKey)]" }
}

extension Transport {
    /// Names and refusal details from a peer end up in log lines: a newline in
    /// them could forge a line, so names with control characters are refused
    /// and details are cleaned.
    static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    static func printable(_ text: String, maxCharacters: Int = 200) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(maxCharacters).map {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0
        }))
    }
}
