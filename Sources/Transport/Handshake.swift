import CSodium
import SodiumSupport
import YonkeCore

/// One side of the handshake described on `Transport`, without any I/O: the
/// link handler feeds it the peer's frames and sends what it returns.
struct Handshake {
    enum Role: UInt8, Sendable {
        case initiator = 0, responder = 1
        var label: [UInt8] { self == .initiator ? [UInt8(ascii: "I")] : [UInt8(ascii: "R")] }
        var opposite: Role { self == .initiator ? .responder : .initiator }
    }

    /// What the hello says about its sender.
    struct Hello: Equatable {
        var protocolVersion: UInt8
        var role: Role
        var clusterID: [UInt8]
        var nodeName: String
        var ephemeralKey: [UInt8]
        var identityKey: NodePublicKey
        /// Link ciphers the sender runs (`LinkCipher.Set`).
        var ciphers: LinkCipher.Set

        /// `version role clusterID(len:u8) nodeName(len:u8) ephemeralKey identityKey ciphers`
        func encoded() -> [UInt8] {
            var w = ByteWriter()
            w.u8(protocolVersion)
            w.u8(role.rawValue)
            w.lengthPrefixed(clusterID, prefix: .u8)
            w.string(nodeName, prefix: .u8)
            w.raw(ephemeralKey)
            w.raw(identityKey.bytes)
            w.u8(ciphers.rawValue)
            return w.bytes
        }

        static func decode(_ bytes: [UInt8]) throws(TransportError) -> Hello {
            var reader = ByteReader<TransportError>(bytes)
            let version = try reader.u8("hello version")
            let roleByte = try reader.u8("hello role")
            guard let role = Role(rawValue: roleByte) else {
                throw .malformedHandshake("hello role \(roleByte) is neither initiator (0) nor responder (1)")
            }
            let clusterID = try reader.lengthPrefixed("hello cluster id", prefix: .u8, limit: Int(UInt8.max))
            guard !clusterID.isEmpty else { throw .malformedHandshake("hello cluster id is empty") }
            let name = try reader.string("hello node name", prefix: .u8, limit: Int(UInt8.max))
            guard !name.isEmpty else { throw .malformedHandshake("hello node name is empty") }
            guard !Transport.hasControlCharacters(name) else {
                throw .malformedHandshake("hello node name contains control characters")
            }
            let ephemeral = try reader.take("hello ephemeral key", count: Crypto.kxPublicKeyBytes)
            let identityBytes = try reader.take("hello identity key", count: NodePublicKey.byteCount)
            guard let identity = NodePublicKey(bytes: Array(identityBytes)) else { throw .malformedHandshake("hello identity key malformed") }
            let ciphers = try reader.u8("hello cipher list")
            try reader.expectEnd()
            return Hello(protocolVersion: version, role: role, clusterID: Array(clusterID), nodeName: name,
                         ephemeralKey: Array(ephemeral), identityKey: identity, ciphers: LinkCipher.Set(rawValue: ciphers))
        }
    }

    /// The two link keys, each already bound to the transcript.
    struct SessionKeys {
        var cipher: LinkCipher
        var receive: SecretBytes
        var send: SecretBytes
    }

    let role: Role
    let settings: Transport.Settings
    /// The initiator may pin the responder's identity (a client that knows its seed).
    let expectedPeerKey: NodePublicKey?
    let localHello: Hello
    private let ephemeralSecret: SecretBytes
    private(set) var peerHello: Hello?
    private(set) var transcript: [UInt8] = []

    init(role: Role, settings: Transport.Settings, expectedPeerKey: NodePublicKey?,
         ephemeral: (publicKey: [UInt8], secretKey: SecretBytes) = Crypto.ephemeralKeyPair()) {
        self.role = role
        self.settings = settings
        self.expectedPeerKey = expectedPeerKey
        self.ephemeralSecret = ephemeral.secretKey
        self.localHello = Hello(
            protocolVersion: Transport.protocolVersion, role: role, clusterID: settings.clusterID,
            nodeName: settings.nodeName, ephemeralKey: ephemeral.publicKey,
            identityKey: settings.identity.publicKey, ciphers: settings.linkCiphers)
    }

    /// Checks the peer's hello and derives the link keys; a refusal is thrown
    /// as `.refused` with the reason to send back.
    mutating func onHello(_ bytes: [UInt8]) throws(TransportError) -> SessionKeys {
        let hello: Hello
        do { hello = try Hello.decode(bytes) } catch {
            throw .refused(.malformedHandshake, detail: error.description)
        }
        guard hello.protocolVersion == Transport.protocolVersion else {
            throw .refused(.protocolVersionMismatch,
                           detail: "peer speaks \(hello.protocolVersion), we speak \(Transport.protocolVersion)")
        }
        guard hello.role == role.opposite else {
            throw .refused(.malformedHandshake, detail: "peer claims our own role \(hello.role)")
        }
        guard hello.clusterID == settings.clusterID else {
            throw .refused(.clusterMismatch,
                           detail: "peer is in cluster \(Hex.encode(hello.clusterID)), we are in \(Hex.encode(settings.clusterID))")
        }
        if let expected = expectedPeerKey, expected != hello.identityKey {
            throw .refused(.unexpectedIdentity,
                           detail: "expected key \(expected), peer \(hello.nodeName) presented \(hello.identityKey)")
        }
        if let pinned = settings.pinnedKey?(hello.nodeName), pinned != hello.identityKey {
            throw .refused(.unexpectedIdentity,
                           detail: "machine '\(hello.nodeName)' is registered with another key (\(pinned), not \(hello.identityKey)): pick another name, or `yonke node remove \(hello.nodeName)` first")
        }
        guard let cipher = LinkCipher.negotiate(settings.linkCiphers, hello.ciphers) else {
            throw .refused(.malformedHandshake,
                           detail: "no link cipher in common (peer offers \(hello.ciphers.rawValue), we \(settings.linkCiphers.rawValue))")
        }
        peerHello = hello
        let (initiatorHello, responderHello) = role == .initiator ? (localHello, hello) : (hello, localHello)
        transcript = Crypto.blake2b(
            Array("yonke-transport-v3".utf8) + initiatorHello.encoded() + responderHello.encoded(), key: nil)
        return try deriveSessionKeys(peerEphemeral: hello.ephemeralKey, cipher: cipher)
    }

    private func deriveSessionKeys(peerEphemeral: [UInt8], cipher: LinkCipher) throws(TransportError) -> SessionKeys {
        var rx = [UInt8](repeating: 0, count: Crypto.sessionKeyBytes)
        var tx = [UInt8](repeating: 0, count: Crypto.sessionKeyBytes)
        defer { sodium_memzero(&rx, rx.count); sodium_memzero(&tx, tx.count) }
        let rc = switch role {
        case .initiator:
            crypto_kx_client_session_keys(&rx, &tx, localHello.ephemeralKey, ephemeralSecret.typedPointer, peerEphemeral)
        case .responder:
            crypto_kx_server_session_keys(&rx, &tx, localHello.ephemeralKey, ephemeralSecret.typedPointer, peerEphemeral)
        }
        // Fails only for a degenerate (low-order) peer key, which no honest peer sends.
        guard rc == 0 else {
            throw .refused(.malformedHandshake, detail: "peer ephemeral key rejected by crypto_kx")
        }
        func bind(_ kxKey: [UInt8]) -> SecretBytes {
            let keyed = SecretBytes(copying: kxKey)
            return SecretBytes(count: Crypto.aeadKeyBytes) { Crypto.blake2b(into: $0, transcript, key: keyed) }
        }
        return SessionKeys(cipher: cipher, receive: bind(rx), send: bind(tx))
    }

    /// Our proof: `[u8 flags]`, then, with `Proof.tokenFlag`, the join key's signature over
    /// "J" ‖ role ‖ transcript (we hold the join token), then the identity's signature over
    /// role ‖ transcript. Users hold no token and prove their identity only.
    func makeProof() -> [UInt8] {
        invariant(!transcript.isEmpty, "proof requested before the peer's hello (role \(role))")
        let message = role.label + transcript
        guard let joinKey = settings.joinSigner else { return [0] + settings.identity.sign(message) }
        return [Proof.tokenFlag] + joinKey.sign(Proof.joinDomain + message) + settings.identity.sign(message)
    }

    enum Proof {
        static let tokenFlag: UInt8 = 0x01
        static let joinDomain = [UInt8(ascii: "J")]
    }

    /// Checks the peer's proof; returns who it is and whether it proved the join token.
    func onProof(_ bytes: [UInt8]) throws(TransportError) -> Peer {
        guard let hello = peerHello else {
            throw .refused(.malformedHandshake, detail: "proof before hello")
        }
        let message = role.opposite.label + transcript
        var reader = ByteReader<TransportError>(bytes)
        let (flags, joinSignature, identitySignature): (UInt8, [UInt8]?, [UInt8])
        do throws(TransportError) {
            flags = try reader.u8("proof flags")
            guard flags & ~Proof.tokenFlag == 0 else { throw .malformedHandshake("proof flags \(flags)") }
            joinSignature = flags & Proof.tokenFlag != 0 ? Array(try reader.take("join signature", count: Crypto.signatureBytes)) : nil
            identitySignature = Array(try reader.take("identity signature", count: Crypto.signatureBytes))
            try reader.expectEnd()
        } catch {
            throw .refused(.malformedHandshake, detail: error.description)
        }
        guard hello.identityKey.verify(signature: identitySignature, of: message) else {
            throw .refused(.badIdentitySignature, detail: "peer \(hello.nodeName) did not prove key \(hello.identityKey)")
        }
        let provedToken = joinSignature.map { signature in
            settings.joinVerifier.map { $0.verify(signature: signature, of: Proof.joinDomain + message) } ?? false
        } ?? false
        let peer = Peer(name: hello.nodeName, publicKey: hello.identityKey, provedJoinToken: provedToken)
        let claimedToken = joinSignature != nil
        switch role {
        case .responder:
            // Without a policy (bare transports in tests) the token is the only way in.
            let refusal = settings.admit.map { $0(peer) }
                ?? (provedToken ? nil : "peer \(hello.nodeName) does not hold this cluster's join token")
            if let refusal {
                throw .refused(claimedToken && !provedToken ? .joinTokenMismatch : .notAdmitted, detail: refusal)
            }
        case .initiator:
            // A listener we could not pin must prove the token, unless we trust on first use
            // (a user's client, a joining machine: neither can know the listener's key yet).
            let pinned = expectedPeerKey != nil || settings.pinnedKey?(hello.nodeName) != nil
            guard pinned || provedToken || settings.trustOnFirstUse else {
                throw .refused(claimedToken ? .joinTokenMismatch : .notAdmitted,
                               detail: "\(hello.nodeName) is not pinned and did not prove this cluster's join token")
            }
        }
        return peer
    }
}
