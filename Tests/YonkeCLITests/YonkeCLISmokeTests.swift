import Testing
@testable import YonkeCore

@Test func YonkeCLIBuilds() { #expect(Bool(true)) }
