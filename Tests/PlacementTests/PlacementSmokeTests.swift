import Testing
@testable import Placement

@Test func PlacementBuilds() { #expect(Bool(true)) }
