import Foundation
import Testing
import YonkeCore
@testable import Catalog

/// Figures for the README, off by default: `CATALOG_BENCH=1 swift test -c release --filter CatalogBenchmarks`.
/// They print; they assert only correctness, never time.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CATALOG_BENCH"] != nil))
struct CatalogBenchmarks {
    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test func figures() throws {
        let clock = ContinuousClock()
        let directories = 1000
        let filesPerDirectory = 100
        var harness = Harness.bootstrapped()
        var generator = SeededGenerator(seed: 1)
        let commands: [Catalog.Command] = (0..<directories * filesPerDirectory).map { i in
            .commitFile(Catalog.CommitFile(
                path: path("lake://bronze/table\(i % directories)/part-\(generator.next() % 1_000_000_000).csv"),
                blocks: (0..<4).map { _ in block(Int(generator.next() % 200_000)) },
                metadata: Catalog.FileMetadata(source: "bench", contentType: "text/csv"),
                epochMillis: harness.nowEpochMillis))
        }
        var refused = 0
        let applyTime = clock.measure { for command in commands where harness.apply(command).refusal != nil { refused += 1 } }
        #expect(refused == 0)
        let files = harness.state.totals.files
        print("apply: \(files) commitFile (4 blocks, 100 per folder) in \(seconds(applyTime)) s = \(Int(Double(commands.count) / seconds(applyTime))) commands/s")

        let encoded = commands.map { $0.encoded() }
        var decodedCount = 0
        let decodeTime = try clock.measure { for bytes in encoded { _ = try Catalog.Command.decode(bytes); decodedCount += 1 } }
        print("command decode: \(Int(Double(decodedCount) / seconds(decodeTime))) commands/s, \(encoded[0].count) bytes each")

        var snapshot: [UInt8] = []
        let encodeTime = clock.measure { snapshot = harness.state.snapshot() }
        var restored = Catalog.State()
        let restoreTime = try clock.measure { restored = try Catalog.State(snapshot: snapshot) }
        #expect(restored == harness.state)
        print("snapshot: \(files) files, \(snapshot.count / 1024) KiB, encode \(seconds(encodeTime)) s, restore \(seconds(restoreTime)) s")

        var listed = 0
        let listTime = try clock.measure { listed = try harness.state.list(prefix: path("lake://bronze/table7")).count }
        print("ls of a \(listed)-entry folder: \(seconds(listTime) * 1e6) µs")
        let allBlocksTime = clock.measure { _ = harness.state.allBlocks() }
        print("allBlocks (\(harness.state.totals.uniqueBlocks) blocks): \(seconds(allBlocksTime)) s")

        var map = BlockMap()
        let ids = harness.state.allBlocks().map(\.id)
        let reportTime = clock.measure {
            for node in 0..<10 { map.onBlockReport(node: "w\(node)", blocks: ids.enumerated().filter { $0.offset % 10 != node }.map(\.element)) }
        }
        print("block reports: 10 nodes × \(ids.count * 9 / 10) blocks in \(seconds(reportTime)) s")
        map.onNodeDead("w3")
        let expected = harness.state.allBlocks()
        let healTime = clock.measure { _ = map.underReplicated(expected) }
        print("underReplicated over \(expected.count) blocks: \(seconds(healTime)) s")
    }
}

/// Always on and small: a big folder must not cost quadratic copies, and order must hold.
@Suite struct ScaleTests {
    @Test func largeFolderStaysSortedAndRestores() throws {
        var harness = Harness.bootstrapped()
        var generator = SeededGenerator(seed: 9)
        for i in 0..<3000 {
            let name = i % 2 == 0 ? "day-\(100_000 + i).csv" : "part-\(generator.next()).csv"
            harness.put("lake://bronze/big/\(name)", [i % 50])
        }
        let names = harness.names("lake://bronze/big")
        #expect(names.count == 3000)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(harness.state.audit().isEmpty)
        #expect(try Catalog.State(snapshot: harness.state.snapshot()) == harness.state)
        let deleted = harness.apply(.delete(path: path("lake://bronze/big"), recursive: true))
        let bytes: Int64 = (0..<3000).reduce(0) { (sum: Int64, i: Int) in sum + 1000 + Int64(i % 50) }
        let expected = Catalog.Deleted(files: 3000, directories: 1, bytes: bytes, unreferencedBlocks: (0..<50).map(blockID))
        #expect(deleted.effect == .deleted(expected))
    }
}
