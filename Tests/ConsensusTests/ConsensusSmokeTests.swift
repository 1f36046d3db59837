import Testing
@testable import Consensus

@Test func ConsensusBuilds() { #expect(Bool(true)) }
