import YonkeProtocol
import YonkeClient
import Catalog
import NIOCore
import Testing
import YonkeCore
@testable import Node

/// Block reports and the master's ledger (as HDFS DataNode block reports: a
/// full report replaces what the master knew of a node, incremental ones add).
struct BlockReportTests {
    static func ids(_ count: Int, salt: UInt8 = 0) -> [BlockID] {
        var result: [BlockID] = []
        for i in 0..<count {
            var bytes = [UInt8](repeating: 9, count: BlockID.byteCount)
            bytes[0] = salt
            bytes[1] = UInt8(truncatingIfNeeded: i >> 16)
            bytes[2] = UInt8(truncatingIfNeeded: i >> 8)
            bytes[3] = UInt8(truncatingIfNeeded: i)
            result.append(BlockID(bytes: bytes)!)
        }
        return result.sorted()
    }

    static let disks = [
        BlockReport.Disk(diskClass: .ssd, capacityBytes: 1 << 30, usedBytes: 12345, blockCount: 3),
        BlockReport.Disk(diskClass: .hdd, capacityBytes: 4 << 30, usedBytes: 0, blockCount: 0),
    ]

    @Test(arguments: [0, 1, 29_999, 30_000, 30_001, 65_000])
    func fullReportsSplitIntoFramesAndRoundTrip(blockCount: Int) throws {
        let blocks = Self.ids(blockCount)
        let parts = BlockReport.fullReportParts(disks: Self.disks, blocks: blocks)
        #expect(parts.count == max(1, (blockCount + BlockReport.maxBlocksPerMessage - 1) / BlockReport.maxBlocksPerMessage))
        #expect(parts.map(\.isFull) == [true] + Array(repeating: false, count: parts.count - 1))
        #expect(parts.flatMap(\.blocks) == blocks)
        var ledger = BlockLedger()
        ledger.apply(BlockReport(isFull: true, disks: Self.disks, blocks: Self.ids(10, salt: 1)), from: "w2")
        for part in parts {
            let wire = part.encoded()
            #expect(wire.readableBytes <= (1 << 20) + (64 << 10) - 18, "fits one transport frame")
            let decoded = try BlockReport.decode(wire)
            #expect(decoded == part)
            ledger.apply(decoded, from: "w2")
        }
        #expect(ledger.map.blocks(on: "w2") == blocks, "the full report replaced the older blocks")
        #expect(ledger.usage["w2"] == Self.disks)
    }

    @Test func incrementalReportsAddAndMalformedOnesAreRefused() throws {
        var ledger = BlockLedger()
        ledger.apply(BlockReport(isFull: true, disks: Self.disks, blocks: Self.ids(2)), from: "w3")
        ledger.apply(BlockReport(isFull: false, disks: Self.disks, blocks: Self.ids(1, salt: 7)), from: "w3")
        #expect(ledger.map.blocks(on: "w3").count == 3)

        var truncated = BlockReport(isFull: false, disks: Self.disks, blocks: Self.ids(3)).encoded()
        truncated.moveWriterIndex(to: truncated.writerIndex - 5)
        #expect(throws: WireError.self) { try BlockReport.decode(truncated) }
        var badVersion = ByteBuffer()
        badVersion.writeWireInteger(UInt8(99))
        #expect(throws: WireError.self) { try BlockReport.decode(badVersion) }
        var hugeCount = ByteBuffer()
        hugeCount.writeWireInteger(UInt8(1))
        hugeCount.writeWireInteger(UInt8(0))
        hugeCount.writeWireInteger(UInt32(0))
        hugeCount.writeWireInteger(UInt32.max)
        #expect(throws: WireError.self) { try BlockReport.decode(hugeCount) }
    }

    @Test func streamMessagesRoundTrip() throws {
        let open = BlockStream.WriteOpen(
            id: Self.ids(1)[0], encodedLength: 123_456, tier: "cold",
            pipeline: [BlockTarget(name: "w3", address: .init(host: "127.0.0.1", port: 7403))])
        #expect(try BlockStream.WriteOpen.decode(open.encoded()) == open)
        let result = BlockWriteResult(storedOn: ["w2", "w3"], failed: [
            BlockWriteFailure(node: "w4", code: .insufficientCapacity, reason: "full")])
        #expect(try BlockStream.decodeResult(BlockStream.encodeResult(result)) == result)
        let request = BlockOps.PlacementRequest(id: Self.ids(1)[0], encodedBytes: 99, tier: "hot", exclude: ["m1"])
        #expect(try BlockOps.PlacementRequest.decode(request.encoded()) == request)
    }

    /// A holder that deleted blocks at the master's request says so; the flag
    /// and the list must agree, and a full report never carries removals.
    @Test func removalsRoundTripAndUnmapTheBlocks() throws {
        let blocks = Self.ids(4)
        var ledger = BlockLedger()
        ledger.apply(BlockReport(isFull: true, disks: Self.disks, blocks: blocks), from: "w2")
        let removal = BlockReport(isFull: false, disks: Self.disks, blocks: [], removed: Array(blocks.prefix(2)))
        let decoded = try BlockReport.decode(removal.encoded())
        #expect(decoded == removal)
        ledger.apply(decoded, from: "w2")
        #expect(ledger.map.blocks(on: "w2") == Array(blocks.suffix(2)))

        var flagged = BlockReport(isFull: false, disks: [], blocks: []).encoded()
        flagged.setInteger(UInt8(4), at: flagged.readerIndex + 1)
        #expect(throws: WireError.self) { try BlockReport.decode(flagged) }
        var fullWithRemovals = removal.encoded()
        fullWithRemovals.setInteger(UInt8(5), at: fullWithRemovals.readerIndex + 1)
        #expect(throws: WireError.self) { try BlockReport.decode(fullWithRemovals) }
        var unknownFlag = BlockReport(isFull: false, disks: [], blocks: []).encoded()
        unknownFlag.setInteger(UInt8(8), at: unknownFlag.readerIndex + 1)
        #expect(throws: WireError.self) { try BlockReport.decode(unknownFlag) }
    }
}
