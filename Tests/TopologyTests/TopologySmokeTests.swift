import Testing
@testable import Topology

@Test func TopologyBuilds() { #expect(Bool(true)) }
