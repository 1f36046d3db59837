import Testing
@testable import Simulator

@Test func SimulatorBuilds() { #expect(Bool(true)) }
