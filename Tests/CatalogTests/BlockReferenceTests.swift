import Testing
import YonkeCore
@testable import Catalog

/// Dedup (identical blocks stored once) and the blocks a change leaves unreferenced, which the
/// stores may then collect.
@Suite struct BlockReferenceTests {
    private func committed(_ outcome: Catalog.Outcome) -> Catalog.FileCommitted? {
        if case .applied(.fileCommitted(let c)) = outcome { return c }
        Issue.record("expected a commit, got \(outcome)")
        return nil
    }

    @Test func sharedBlocksAreCountedAndFreedByTheLastFile() {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/a.csv", [1, 2])
        harness.put("lake://silver/b.csv", [2, 3])
        #expect(harness.state.blockReferences(blockID(1)) == 1)
        #expect(harness.state.blockReferences(blockID(2)) == 2)
        let first = harness.apply(.delete(path: path("lake://bronze/a.csv"), recursive: false))
        #expect(first.effect == .deleted(.init(files: 1, directories: 0, bytes: 2003, unreferencedBlocks: [blockID(1)])))
        let second = harness.apply(.delete(path: path("lake://silver/b.csv"), recursive: false))
        #expect(second.effect == .deleted(.init(files: 1, directories: 0, bytes: 2005, unreferencedBlocks: [blockID(2), blockID(3)])))
        #expect(harness.state.allBlocks().isEmpty)
    }

    @Test func overwriteReplacesAtomicallyAndReturnsTheOldBlockList() throws {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/a.csv", [1, 2])
        let result = try #require(committed(harness.put("lake://bronze/a.csv", [2, 3], tier: .cold, overwrite: true)))
        #expect(result.replacedBlocks == [block(1), block(2)])
        #expect(result.unreferencedBlocks == [blockID(1)])
        #expect(result.file.blocks == [block(2), block(3)])
        #expect(harness.state.blockReferences(blockID(2)) == 1)
        #expect(harness.state.blockReferences(blockID(3)) == 1)
        #expect(harness.state.file(at: path("lake://bronze/a.csv"))?.tier == .cold)
        #expect(harness.names("lake://bronze") == ["lake://bronze/a.csv"])
        #expect(harness.state.audit().isEmpty)
    }

    @Test func overwriteWithTheSameBlocksFreesNothing() throws {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/a.csv", [1, 1, 2])
        #expect(harness.state.blockReferences(blockID(1)) == 2)
        let result = try #require(committed(harness.put("lake://bronze/a.csv", [1, 2], overwrite: true)))
        #expect(result.unreferencedBlocks == [])
        #expect(harness.state.blockReferences(blockID(1)) == 1)
    }

    @Test func aBlockRepeatedInOneFileIsFreedOnce() {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/zeros.bin", [7, 7, 7])
        #expect(harness.state.blockReferences(blockID(7)) == 3)
        #expect(harness.state.totals.uniqueBlockBytes == 1007)
        #expect(harness.state.totals.bytes == 3 * 1007)
        let outcome = harness.apply(.delete(path: path("lake://bronze/zeros.bin"), recursive: false))
        #expect(outcome.effect == .deleted(.init(files: 1, directories: 0, bytes: 3021, unreferencedBlocks: [blockID(7)])))
    }

    @Test func recursiveDeleteKeepsBlocksStillReferencedElsewhere() {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/d/a", [1, 2])
        harness.put("lake://bronze/d/e/b", [2, 3])
        harness.put("lake://gold/keep", [3])
        let outcome = harness.apply(.delete(path: path("lake://bronze/d"), recursive: true))
        #expect(outcome.effect == .deleted(.init(files: 2, directories: 2, bytes: 4008, unreferencedBlocks: [blockID(1), blockID(2)])))
        #expect(harness.state.allBlocks().map(\.id) == [blockID(3)])
    }

    @Test func replicationTargetIsTheStrongestTierReferencingTheBlock() {
        let policy = Catalog.ReplicationPolicy(hotReplicas: 3, coldReplicas: 2, glacierReplicas: 1)
        var harness = Harness.bootstrapped(policy: policy)
        harness.put("lake://bronze/hot", [1, 2], tier: .hot)
        harness.put("lake://bronze/cold", [2, 3], tier: .cold)
        harness.put("lake://bronze/ice", [3, 4], tier: .glacier)
        #expect(harness.state.allBlocks().map(\.replicationTarget) == [3, 3, 2, 1])
        #expect(harness.state.allBlocks().map(\.references) == [1, 2, 2, 1])
        harness.apply(.setTier(path: path("lake://bronze/hot"), tier: .glacier))
        #expect(harness.state.allBlocks().map(\.replicationTarget) == [1, 2, 2, 1])
        #expect(harness.state.audit().isEmpty)
    }
}
