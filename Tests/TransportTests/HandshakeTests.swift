import NIOCore
import Testing
@testable import Transport

/// The handshake of `Transport` (hello, hello, proof I, proof R) without sockets.
@Suite struct HandshakeTests {
    let cluster = TestCluster()

    @Test func membersAuthenticateEachOther() throws {
        let a = try cluster.settings("alpha"), b = try cluster.settings("bravo")
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: b.identity.publicKey)
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        _ = try initiator.onHello(responder.localHello.encoded())
        _ = try responder.onHello(initiator.localHello.encoded())
        #expect(initiator.transcript == responder.transcript)
        let seenByResponder = try responder.onProof(initiator.makeProof())
        let seenByInitiator = try initiator.onProof(responder.makeProof())
        #expect(seenByResponder == Peer(name: "alpha", publicKey: a.identity.publicKey))
        #expect(seenByInitiator == Peer(name: "bravo", publicKey: b.identity.publicKey))
    }

    @Test func wrongTokenFailsTheProof() throws {
        let a = try cluster.settings("alpha", token: "not-the-token"), b = try cluster.settings("bravo")
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        _ = try initiator.onHello(responder.localHello.encoded())
        _ = try responder.onHello(initiator.localHello.encoded())
        #expect { try responder.onProof(initiator.makeProof()) } throws: { error in
            guard case .refused(.joinTokenMismatch, _) = error as? TransportError else { return false }
            return true
        }
    }

    @Test func proofFromAnotherIdentityFails() throws {
        // Same token, but the proof is signed by a key other than the one in the hello.
        let a = try cluster.settings("alpha"), b = try cluster.settings("bravo")
        var impostor = try cluster.settings("alpha")
        impostor.identity = try NodeIdentity.generate()
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        _ = try initiator.onHello(responder.localHello.encoded())
        _ = try responder.onHello(initiator.localHello.encoded())
        let honest = initiator.makeProof()
        // flags ‖ join signature, then the impostor's identity signature.
        let forged = Array(honest.prefix(1 + 64)) + impostor.identity.sign(Handshake.Role.initiator.label + initiator.transcript)
        #expect { try responder.onProof(forged) } throws: { error in
            guard case .refused(.badIdentitySignature, _) = error as? TransportError else { return false }
            return true
        }
    }

    @Test func pinnedKeyMismatchIsRefusedAtHello() throws {
        let a = try cluster.settings("alpha"), b = try cluster.settings("bravo")
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: try NodeIdentity.generate().publicKey)
        let responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        #expect { _ = try initiator.onHello(responder.localHello.encoded()) } throws: { error in
            guard case .refused(.unexpectedIdentity, _) = error as? TransportError else { return false }
            return true
        }
    }

    @Test func admissionPolicyCanRefuse() throws {
        let a = try cluster.settings("alpha")
        var b = try cluster.settings("bravo")
        b.admit = { peer in peer.name == "alpha" ? "alpha is already a member with another key" : nil }
        var initiator = Handshake(role: .initiator, settings: a, expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        _ = try initiator.onHello(responder.localHello.encoded())
        _ = try responder.onHello(initiator.localHello.encoded())
        #expect(throws: TransportError.refused(.notAdmitted, detail: "alpha is already a member with another key")) {
            try responder.onProof(initiator.makeProof())
        }
    }

    /// Each hello field, broken in turn, gives its own refusal reason.
    @Test(arguments: [
        ("other cluster", Transport.Refusal.clusterMismatch),
        ("other version", .protocolVersionMismatch),
        ("same role", .malformedHandshake),
        ("truncated", .malformedHandshake),
        ("trailing byte", .malformedHandshake),
        ("empty", .malformedHandshake),
        ("bad role", .malformedHandshake),
        ("non-utf8 name", .malformedHandshake),
        ("newline in name", .malformedHandshake),
    ])
    func brokenHelloIsRefused(change: String, expected: Transport.Refusal) throws {
        let a = try cluster.settings("alpha"), b = try cluster.settings("bravo")
        var responder = Handshake(role: .responder, settings: b, expectedPeerKey: nil)
        var hello = Handshake(role: .initiator, settings: a, expectedPeerKey: nil).localHello
        var bytes: [UInt8]
        switch change {
        case "other cluster": hello.clusterID = [9, 9]; bytes = hello.encoded()
        case "other version": hello.protocolVersion = 99; bytes = hello.encoded()
        case "same role": hello.role = .responder; bytes = hello.encoded()
        case "truncated": bytes = Array(hello.encoded().dropLast(3))
        case "trailing byte": bytes = hello.encoded() + [0]
        case "empty": bytes = []
        case "bad role": bytes = hello.encoded(); bytes[1] = 7
        case "newline in name": hello.nodeName = "a\nWARN forged"; bytes = hello.encoded()
        case "non-utf8 name": hello.nodeName = "abcde"; bytes = hello.encoded(); bytes[3 + 16 + 1] = 0xFF
        default: Issue.record("unknown case \(change)"); return
        }
        #expect { _ = try responder.onHello(bytes) } throws: { error in
            guard case .refused(let refusal, _) = error as? TransportError else { return false }
            return refusal == expected
        }
    }

    @Test func identityFromSeedIsStable() throws {
        let seed = [UInt8](repeating: 3, count: NodeIdentity.seedByteCount)
        #expect(try NodeIdentity(seed: seed).publicKey == NodeIdentity(seed: seed).publicKey)
        #expect(throws: TransportError.self) { try NodeIdentity(seed: [1, 2, 3]) }
    }

    @Test(arguments: [("", "t"), (String(repeating: "n", count: 256), "t"), ("node", ""), ("a\rb", "t")])
    func invalidSettingsAreTypedErrors(name: String, token: String) {
        #expect(throws: TransportError.self) {
            try Transport.Settings(nodeName: name, identity: NodeIdentity.generate(),
                                   clusterID: [1], joinToken: token)
        }
    }
}
