import Testing
@testable import YonkeCore

@Test func YonkeCoreBuilds() { #expect(Bool(true)) }
