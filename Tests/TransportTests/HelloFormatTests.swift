import Testing
@testable import Transport

/// Peers of different builds must read each other's hello: its bytes must not move.
@Suite struct HelloFormatTests {
    static let ephemeral = [UInt8](repeating: 0xE1, count: Crypto.kxPublicKeyBytes)
    static let identity = [UInt8](repeating: 0x1D, count: NodePublicKey.byteCount)

    @Test func keepsItsLayout() throws {
        let key = try #require(NodePublicKey(bytes: Self.identity))
        let hello = Handshake.Hello(protocolVersion: 1, role: .responder, clusterID: [7, 8, 9], nodeName: "ñ1",
                                    ephemeralKey: Self.ephemeral, identityKey: key, ciphers: LinkCipher.Set(rawValue: 3))
        let bytes: [UInt8] = [1, 1, 3, 7, 8, 9, 3, 0xC3, 0xB1, 0x31] + Self.ephemeral + Self.identity + [3]
        #expect(hello.encoded() == bytes)
        #expect(try Handshake.Hello.decode(bytes) == hello)
        for cut in 0..<bytes.count {
            #expect(throws: TransportError.self) { try Handshake.Hello.decode(Array(bytes.prefix(cut))) }
        }
    }
}
