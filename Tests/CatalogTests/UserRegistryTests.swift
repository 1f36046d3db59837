import Catalog
import Testing

/// People in the catalog: one public key per principal, roles, revocation and rotation.
@Suite struct UserRegistryTests {
    let keyA = String(repeating: "a1", count: 32)
    let keyB = String(repeating: "b2", count: 32)

    @Test func addRotateRevoke() throws {
        var harness = Harness.bootstrapped()
        let t = harness.nowEpochMillis
        guard case .applied(.userAdded(let added)) = harness.apply(.users(.add(name: "alice", role: .writer, publicKeyHex: keyA, epochMillis: t + 10))) else {
            Issue.record("add refused"); return
        }
        #expect(added.role == .writer && added.publicKeyHex == keyA && added.createdAtEpochMillis == t + 10)
        #expect(harness.apply(.users(.add(name: "alice", role: .reader, publicKeyHex: keyB, epochMillis: t + 11))).refusal == .userExists("alice"))
        guard case .applied(.userKeyRotated(let rotated)) = harness.apply(.users(.rotate(name: "alice", publicKeyHex: keyB, epochMillis: t + 12))) else {
            Issue.record("rotate refused"); return
        }
        #expect(rotated.publicKeyHex == keyB && rotated.keyChangedAtEpochMillis == t + 12 && rotated.createdAtEpochMillis == t + 10)
        #expect(try Catalog.State(snapshot: harness.state.snapshot()).users == harness.state.users)
        #expect(harness.apply(.users(.revoke(name: "alice", epochMillis: t + 13))).effect == .userRevoked(rotated))
        #expect(harness.state.users.isEmpty)
        #expect(harness.apply(.users(.revoke(name: "alice", epochMillis: t + 14))).refusal == .unknownUser("alice"))
        #expect(harness.apply(.users(.rotate(name: "nobody", publicKeyHex: keyA, epochMillis: t + 14))).refusal == .unknownUser("nobody"))
    }

    /// A key names one principal: no user may take a machine's key or another user's, and no
    /// machine a user's.
    @Test func keysAreUniqueAcrossMachinesAndUsers() {
        var harness = Harness.bootstrapped()
        #expect(harness.apply(.registerNode(name: "w1", publicKeyHex: keyA, address: "10.0.0.1:7400", roles: .all, epochMillis: 1)).refusal == nil)
        #expect(harness.apply(.users(.add(name: "mallory", role: .admin, publicKeyHex: keyA, epochMillis: 2))).refusal == .publicKeyInUse(by: "w1"))
        #expect(harness.apply(.users(.add(name: "bob", role: .reader, publicKeyHex: keyB, epochMillis: 2))).refusal == nil)
        #expect(harness.apply(.users(.add(name: "eve", role: .reader, publicKeyHex: keyB, epochMillis: 3))).refusal == .publicKeyInUse(by: "bob"))
        #expect(harness.apply(.registerNode(name: "w2", publicKeyHex: keyB, address: "10.0.0.2:7400", roles: .all, epochMillis: 4)).refusal
            == .publicKeyInUse(by: "bob"))
    }

    @Test func badFieldsAreRefused() {
        var harness = Harness.bootstrapped()
        #expect(harness.apply(.users(.add(name: "", role: .reader, publicKeyHex: keyA, epochMillis: 1))).refusal == .invalid(.empty(.userName)))
        #expect(harness.apply(.users(.add(name: "a\nb", role: .reader, publicKeyHex: keyA, epochMillis: 1))).refusal
            == .invalid(.controlCharacter(.userName)))
        #expect(harness.apply(.users(.add(name: "x", role: .reader, publicKeyHex: "abc", epochMillis: 1))).refusal
            == .invalid(.outOfRange(.publicKey, value: 3)))
        #expect(harness.state.users.isEmpty)
    }

    @Test func rolesAreOrdered() {
        #expect(Catalog.UserRole.reader < .writer && Catalog.UserRole.writer < .admin)
        #expect(Catalog.UserRole(name: "writer") == .writer && Catalog.UserRole(name: "root") == nil)
    }
}
