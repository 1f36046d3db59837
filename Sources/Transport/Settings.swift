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
        /// Consulted by a listener once a peer has proven its identity (and perhaps the join
        /// token, `Peer.provedJoinToken`): return a reason to refuse it, nil to admit. Nodes admit
        /// registered machines under their pinned key, registered users, and token holders (who
        /// may then only join). Runs on an event loop: keep it quick.
        public var admit: (@Sendable (Peer) -> String?)?
        /// The key a peer name must present when we dial it (a machine's pinned key), nil when
        /// not known. A listener that is neither pinned nor proves the join token is refused
        /// unless `trustOnFirstUse`.
        public var pinnedKey: (@Sendable (String) -> NodePublicKey?)?
        /// Users' clients and joining machines cannot know a listener's key beforehand.
        public var trustOnFirstUse: Bool
        /// Shared by every copy of these settings, so every link counts into it.
        public let traffic = TrafficCounters()
        /// The join token's signing key, when we hold the token (nodes, joining machines).
        let joinSigner: NodeIdentity?
        /// The join key in force (see `Transport`); shared by every copy of these settings, so a
        /// rotation reaches the listener at once.
        private let joinKeyBox: JoinKeyBox
        var joinVerifier: NodePublicKey? { joinKeyBox.current }
        public var joinKey: NodePublicKey? { joinKeyBox.current }
        /// Tests only: alters sealed frames after they are sealed.
        var tamperSealedFrame: (@Sendable (_ frameIndex: UInt64, _ frame: inout [UInt8]) -> Void)?

        /// `joinToken` nil: a user's client, which proves its identity only.
        public init(nodeName: String, identity: NodeIdentity, clusterID: [UInt8], joinToken: String?,
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
            if let joinToken, joinToken.isEmpty { throw .invalidSettings("join token is empty") }
            self.nodeName = nodeName
            self.identity = identity
            self.clusterID = clusterID
            self.limits = limits
            self.faults = faults
            self.logger = logger
            self.logger[metadataKey: "node"] = "\(nodeName)"
            self.trustOnFirstUse = joinToken == nil
            let signer = try joinToken.map { token throws(TransportError) in try JoinKey.signer(clusterID: clusterID, token: token) }
            self.joinSigner = signer
            self.joinKeyBox = JoinKeyBox(signer?.publicKey)
        }

        /// After a token rotation (the catalog holds only the join key): new handshakes check
        /// the new token; links already up stay up.
        public func setJoinKey(_ key: NodePublicKey) { joinKeyBox.replace(key) }
    }

    /// The join key in force, replaceable while links are being made.
    final class JoinKeyBox: Sendable {
        private let key: Mutex<NodePublicKey?>
        init(_ key: NodePublicKey?) { self.key = Mutex(key) }
        var current: NodePublicKey? { key.withLock { $0 } }
        func replace(_ next: NodePublicKey) { key.withLock { $0 = next } }
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
    /// It signed this link's transcript with the join token's key.
    public let provedJoinToken: Bool

    public init(name: String, publicKey: NodePublicKey, provedJoinToken: Bool = false) {
        self.name = name
        self.publicKey = publicKey
        self.provedJoinToken = provedJoinToken
    }
    public var description: String { "\(name)[\(publicKey)]" }

    /// A peer is its name and key; whether this link proved the token is not part of who it is.
    public static func == (a: Peer, b: Peer) -> Bool { a.name == b.name && a.publicKey == b.publicKey }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(publicKey)
    }
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
