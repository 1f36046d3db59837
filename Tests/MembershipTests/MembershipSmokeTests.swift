import Testing
@testable import Membership

@Test func MembershipBuilds() { #expect(Bool(true)) }
