import Testing
@testable import BlockStore

@Test func BlockStoreBuilds() { #expect(Bool(true)) }
