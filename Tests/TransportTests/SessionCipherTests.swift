import NIOCore
import Testing
@testable import Transport

/// Sealed frames: per-direction counter nonces, header as associated data.
@Suite struct SessionCipherTests {
    let allocator = ByteBufferAllocator()

    /// A matched pair of ciphers from a real handshake between two members
    /// offering these link ciphers.
    func pair(initiatorOffers: LinkCipher.Set = .available, responderOffers: LinkCipher.Set = .available) throws
        -> (initiator: SessionCipher, responder: SessionCipher) {
        let cluster = TestCluster()
        var initiatorSettings = try cluster.settings("a")
        initiatorSettings.linkCiphers = initiatorOffers
        var responderSettings = try cluster.settings("b")
        responderSettings.linkCiphers = responderOffers
        var initiator = Handshake(role: .initiator, settings: initiatorSettings, expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: responderSettings, expectedPeerKey: nil)
        let initiatorKeys = try initiator.onHello(responder.localHello.encoded())
        let responderKeys = try responder.onHello(initiator.localHello.encoded())
        return (SessionCipher(keys: initiatorKeys), SessionCipher(keys: responderKeys))
    }

    /// Both sides pick the fastest cipher they share, and frames open under it.
    static let offers: [(LinkCipher.Set, LinkCipher.Set)] = [
        (.available, .available),
        (.xchacha20poly1305, .available),
        (.available, .xchacha20poly1305),
    ]

    @Test(arguments: offers)
    func cipherIsNegotiated(initiatorOffers: LinkCipher.Set, responderOffers: LinkCipher.Set) throws {
        var (a, b) = try pair(initiatorOffers: initiatorOffers, responderOffers: responderOffers)
        let expected: LinkCipher = initiatorOffers.intersection(responderOffers).contains(.aes256gcm) ? .aes256gcm : .xchacha20poly1305
        #expect(a.cipher == expected && b.cipher == expected)
        let frame = try sealedPayload(&a, kind: 3, Array(0..<200))
        #expect(Array(try b.open(kind: frame.kind, sealed: frame.payload, allocator: allocator).readableBytesView) == Array(0..<200))
    }

    @Test func noCommonCipherIsRefused() throws {
        let cluster = TestCluster()
        var onlyChaCha = try cluster.settings("a")
        onlyChaCha.linkCiphers = [.xchacha20poly1305]
        var onlyAES = try cluster.settings("b")
        onlyAES.linkCiphers = [.aes256gcm]
        var initiator = Handshake(role: .initiator, settings: onlyChaCha, expectedPeerKey: nil)
        let responder = Handshake(role: .responder, settings: onlyAES, expectedPeerKey: nil)
        #expect(throws: TransportError.self) { try initiator.onHello(responder.localHello.encoded()) }
    }

    /// A man in the middle who strips AES from a hello changes the transcript,
    /// so the two sides derive different keys and the first sealed frame fails.
    @Test func downgradedHelloBreaksTheLink() throws {
        let cluster = TestCluster()
        var initiator = Handshake(role: .initiator, settings: try cluster.settings("a"), expectedPeerKey: nil)
        var responder = Handshake(role: .responder, settings: try cluster.settings("b"), expectedPeerKey: nil)
        var tampered = initiator.localHello
        tampered.ciphers = [.xchacha20poly1305]
        var a = SessionCipher(keys: try initiator.onHello(responder.localHello.encoded()))
        var b = SessionCipher(keys: try responder.onHello(tampered.encoded()))
        let frame = try sealedPayload(&a, kind: 3, [1, 2, 3])
        #expect(throws: TransportError.authenticationFailed(frameIndex: 0)) {
            try b.open(kind: frame.kind, sealed: frame.payload, allocator: allocator)
        }
    }

    func sealedPayload(_ cipher: inout SessionCipher, kind: UInt8, _ bytes: [UInt8]) throws -> Frame {
        let wire = cipher.seal(kind: kind, payload: ByteBuffer(bytes: bytes), allocator: allocator)
        var buffer = wire
        return try #require(try FrameDecoder(maxFrameBytes: 1 << 21).nextFrame(&buffer))
    }

    @Test func framesOpenInOrderBothWays() throws {
        var (a, b) = try pair()
        for index in 0..<5 {
            let frame = try sealedPayload(&a, kind: 3, [UInt8(index), 1, 2])
            let plain = try b.open(kind: frame.kind, sealed: frame.payload, allocator: allocator)
            #expect(Array(plain.readableBytesView) == [UInt8(index), 1, 2])
        }
        let back = try sealedPayload(&b, kind: 4, [9])
        #expect(Array(try a.open(kind: back.kind, sealed: back.payload, allocator: allocator).readableBytesView) == [9])
    }

    @Test func replayedFrameFails() throws {
        var (a, b) = try pair()
        let frame = try sealedPayload(&a, kind: 3, [1])
        _ = try b.open(kind: frame.kind, sealed: frame.payload, allocator: allocator)
        #expect(throws: TransportError.authenticationFailed(frameIndex: 1)) {
            try b.open(kind: frame.kind, sealed: frame.payload, allocator: allocator)
        }
    }

    @Test func reorderedFrameFails() throws {
        var (a, b) = try pair()
        _ = try sealedPayload(&a, kind: 3, [1])
        let second = try sealedPayload(&a, kind: 3, [2])
        #expect(throws: TransportError.authenticationFailed(frameIndex: 0)) {
            try b.open(kind: second.kind, sealed: second.payload, allocator: allocator)
        }
    }

    @Test func alteredKindFails() throws {
        var (a, b) = try pair()
        let frame = try sealedPayload(&a, kind: 3, [1])
        #expect(throws: TransportError.authenticationFailed(frameIndex: 0)) {
            try b.open(kind: 4, sealed: frame.payload, allocator: allocator)
        }
    }

    @Test(arguments: [0, 5, 16, 20])
    func flippedByteFails(position: Int) throws {
        var (a, b) = try pair()
        let frame = try sealedPayload(&a, kind: 3, [UInt8](repeating: 7, count: 5))
        var bytes = Array(frame.payload.readableBytesView)
        bytes[position] ^= 0x01
        #expect(throws: TransportError.authenticationFailed(frameIndex: 0)) {
            try b.open(kind: 3, sealed: ByteBuffer(bytes: bytes), allocator: allocator)
        }
    }

    @Test func ownFramesDoNotOpenWithOwnReceiveKey() throws {
        // Reflection: each direction has its own key.
        var (a, _) = try pair()
        let frame = try sealedPayload(&a, kind: 3, [1])
        #expect(throws: TransportError.authenticationFailed(frameIndex: 0)) {
            try a.open(kind: 3, sealed: frame.payload, allocator: allocator)
        }
    }
}
