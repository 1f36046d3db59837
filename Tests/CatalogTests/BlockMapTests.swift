import Testing
import YonkeCore
@testable import Catalog

/// Block locations as soft state: HDFS Architecture, "Data Replication" and "Persistence of File
/// System Metadata" — the NameNode learns locations from Blockreports and never logs them.
@Suite struct BlockMapTests {
    private func info(_ n: Int, target: Int) -> Catalog.BlockInfo {
        Catalog.BlockInfo(id: blockID(n), sizeBytes: 1, references: 1, replicationTarget: target)
    }

    @Test func fullReportReplacesIncrementalUpdatesAdjust() {
        var map = BlockMap()
        map.onBlockReport(node: "w2", blocks: [blockID(1), blockID(2)])
        map.onBlockReport(node: "w1", blocks: [blockID(1)])
        #expect(map.replicas(of: blockID(1)) == ["w1", "w2"])
        map.onBlockReport(node: "w2", blocks: [blockID(3)])
        #expect(map.replicas(of: blockID(1)) == ["w1"])
        #expect(map.replicas(of: blockID(2)) == [])
        #expect(map.blocks(on: "w2") == [blockID(3)])
        map.onBlocksAdded(node: "w3", blocks: [blockID(1), blockID(3)])
        map.onBlocksRemoved(node: "w1", blocks: [blockID(1), blockID(9)])
        #expect(map.replicas(of: blockID(1)) == ["w3"])
        #expect(map.replicas(of: blockID(3)) == ["w2", "w3"])
        #expect(map.nodes == ["w2", "w3"])
        #expect(map.knownBlocks == [blockID(1), blockID(3)])
    }

    @Test func deadNodeCopiesStopCounting() {
        var map = BlockMap()
        map.onBlockReport(node: "w1", blocks: [blockID(1), blockID(2)])
        map.onBlockReport(node: "w2", blocks: [blockID(1)])
        map.onNodeDead("w1")
        #expect(map.replicas(of: blockID(1)) == ["w2"])
        #expect(map.missing([info(1, target: 2), info(2, target: 2)]) == [blockID(2)])
        // It comes back and reports again.
        map.onBlockReport(node: "w1", blocks: [blockID(2)])
        #expect(map.missing([info(1, target: 2), info(2, target: 2)]) == [])
        map.onNodeDead("never-seen")
        #expect(map.nodes == ["w1", "w2"])
    }

    @Test func underReplicatedMostEndangeredFirst() {
        var map = BlockMap()
        map.onBlockReport(node: "a", blocks: [1, 2, 3, 4, 5].map(blockID))
        map.onBlockReport(node: "b", blocks: [2, 4, 5].map(blockID))
        map.onBlockReport(node: "c", blocks: [5].map(blockID))
        let expected = [info(1, target: 3), info(2, target: 3), info(3, target: 2), info(4, target: 2),
                        info(5, target: 3), info(6, target: 3)]
        let short = map.underReplicated(expected)
        // 1 live copy before 2; among single copies the bigger deficit first; then by id.
        #expect(short.map(\.id) == [blockID(1), blockID(3), blockID(2)])
        #expect(short.map(\.liveReplicas) == [1, 1, 2])
        #expect(short.map(\.missingReplicas) == [2, 1, 1])
        #expect(short.first?.replicas == ["a"])
        #expect(map.missing(expected) == [blockID(6)])
        #expect(map.underReplicated(target: 3).map(\.id) == [blockID(1), blockID(3), blockID(2), blockID(4)])
    }

    @Test func overReplicatedAndUnreferenced() {
        var map = BlockMap()
        map.onBlockReport(node: "a", blocks: [1, 2, 9].map(blockID))
        map.onBlockReport(node: "b", blocks: [1].map(blockID))
        let expected = [info(1, target: 1), info(2, target: 1)]
        #expect(map.overReplicated(expected) == [blockID(1)])
        #expect(map.unreferenced(expected) == [blockID(9)])
    }

    @Test func reportOrderDoesNotMatter() {
        var generator = SeededGenerator(seed: 3)
        let reports: [(String, [BlockID])] = (0..<20).map { node in
            ("n\(node)", (0..<30).map { _ in blockID(Int(generator.next() % 50)) })
        }
        var forward = BlockMap()
        for (node, blocks) in reports { forward.onBlockReport(node: node, blocks: blocks) }
        var backward = BlockMap()
        for (node, blocks) in reports.reversed() { backward.onBlockReport(node: node, blocks: blocks.reversed()) }
        #expect(forward == backward)
        #expect(forward.underReplicated(target: 5) == backward.underReplicated(target: 5))
        #expect(forward.knownBlocks.map(forward.replicas) == backward.knownBlocks.map(backward.replicas))
    }

    @Test func blockKeysKeepTheIdAndItsOrder() {
        var generator = SeededGenerator(seed: 17)
        let ids = (0..<200).compactMap { _ in BlockID(bytes: (0..<32).map { _ in UInt8(truncatingIfNeeded: generator.next() % 3) }) }
        #expect(ids.map { BlockKey($0).id } == ids)
        #expect(ids.sorted().map(BlockKey.init) == ids.map(BlockKey.init).sorted())
        #expect(Set(ids.map(BlockKey.init)).count == Set(ids).count)
    }

    @Test func statReportJoinsCatalogAndBlockMap() throws {
        var harness = Harness.bootstrapped()
        harness.put("lake://bronze/sales/2026-11-27.csv", [1, 2], tier: .cold)
        var map = BlockMap()
        map.onBlockReport(node: "w2", blocks: [blockID(1)])
        map.onBlockReport(node: "w1", blocks: [blockID(1), blockID(2)])
        let file = try #require(harness.state.file(at: path("lake://bronze/sales/2026-11-27.csv")))
        let report = Catalog.StatReport(file: file, blockMap: map)
        #expect(report.path == "lake://bronze/sales/2026-11-27.csv")
        #expect(report.size == 2003)
        #expect(report.tier == "cold")
        #expect(report.blocks.map(\.id) == [blockID(1).hex, blockID(2).hex])
        #expect(report.blocks.map(\.replicas) == [["w1", "w2"], ["w1"]])
    }
}
