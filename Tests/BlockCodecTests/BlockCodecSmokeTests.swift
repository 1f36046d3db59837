import Testing
@testable import BlockCodec

@Test func BlockCodecBuilds() { #expect(Bool(true)) }
