import Catalog
import NIOCore
import Topology
import YonkeCore

/// What a node tells the master about its disks (one-way `.blockReport`):
/// usage per disk, and block ids. A `full` report replaces everything the
/// master knew of the node; otherwise the ids are additions (blocks just stored).
/// A full report too large for one message is sent as one full part followed
/// by addition parts; one-way messages on a link arrive in order, and a lost
/// part is repaired by the next full report.
///
///     [u8 version=1][u8 flags: 1 = full, 4 = removals][u32 disks]{u8 class, i64 capacity, i64 used, u32 blocks}[u32 n]{id 32}
///     and with flag 4: [u32 m]{id 32} blocks the node deleted (at the master's request)
///
/// The master sends the other way `[u8 version=1][u8 flags=2]` (`fullReportRequest`)
/// when it hears an addition from a node it has no full report of: it restarted
/// (same name, so nobody saw the master change) or missed the node's full report.
public struct BlockReport: Sendable, Equatable {
    public struct Disk: Sendable, Equatable {
        public var diskClass: Topology.DiskClass
        public var capacityBytes: Int64
        public var usedBytes: Int64
        public var blockCount: Int

        public init(diskClass: Topology.DiskClass, capacityBytes: Int64, usedBytes: Int64, blockCount: Int) {
            self.diskClass = diskClass
            self.capacityBytes = capacityBytes
            self.usedBytes = usedBytes
            self.blockCount = blockCount
        }
    }

    public var isFull: Bool
    public var disks: [Disk]
    public var blocks: [BlockID]
    /// Blocks this node no longer holds (never in a full report, which lists everything held).
    public var removed: [BlockID] = []

    public static let version: UInt8 = 1
    public static let requestFlag: UInt8 = 2
    public static let removalsFlag: UInt8 = 4

    public static func fullReportRequest() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWireInteger(version)
        buffer.writeWireInteger(requestFlag)
        return buffer
    }

    /// A master's request for a full report (see above), as opposed to a report.
    public static func isFullReportRequest(_ payload: ByteBuffer) -> Bool {
        var buffer = payload
        let version: UInt8? = try? buffer.readWireInteger("report version")
        let flags: UInt8? = try? buffer.readWireInteger("report flags")
        return version == Self.version && flags == requestFlag && buffer.readableBytes == 0
    }
    public static let maxDisks = 64
    /// Ids per message: 32 bytes each stays under 1 MiB with room for the rest.
    public static let maxBlocksPerMessage = 30_000

    // Figures from the wire (up to 64 disks of Int64.max each): sums saturate.
    public var usedBytes: Int64 { disks.saturatingSum(\.usedBytes) }
    public var capacityBytes: Int64 { disks.saturatingSum(\.capacityBytes) }
    public var blockCount: Int { disks.saturatingSum(\.blockCount) }

    public func encoded() -> ByteBuffer {
        invariant(blocks.count + removed.count <= Self.maxBlocksPerMessage, "report of \(blocks.count) blocks must be split first")
        invariant(!isFull || removed.isEmpty, "a full report lists removals: \(removed.count)")
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + disks.count * 21 + blocks.count * BlockID.byteCount)
        buffer.writeWireInteger(Self.version)
        buffer.writeWireInteger(UInt8(isFull ? 1 : 0) | (removed.isEmpty ? 0 : Self.removalsFlag))
        buffer.writeWireInteger(UInt32(disks.count))
        for disk in disks {
            buffer.writeWireInteger(UInt8(disk.diskClass == .ssd ? 0 : 1))
            buffer.writeWireInteger(disk.capacityBytes)
            buffer.writeWireInteger(disk.usedBytes)
            buffer.writeWireInteger(UInt32(disk.blockCount))
        }
        buffer.writeWireInteger(UInt32(blocks.count))
        for id in blocks { buffer.writeWireBlockID(id) }
        if !removed.isEmpty {
            buffer.writeWireInteger(UInt32(removed.count))
            for id in removed { buffer.writeWireBlockID(id) }
        }
        return buffer
    }

    public static func decode(_ payload: ByteBuffer) throws(WireError) -> BlockReport {
        var buffer = payload
        let version: UInt8 = try buffer.readWireInteger("report version")
        guard version == Self.version else { throw WireError("block report version \(version) is not supported") }
        let flags: UInt8 = try buffer.readWireInteger("report flags")
        guard flags & ~(1 | removalsFlag) == 0, flags & 1 == 0 || flags & removalsFlag == 0 else {
            throw WireError("block report flags \(flags) unknown")
        }
        var disks: [Disk] = []
        for _ in 0..<(try buffer.readWireCount("report disks", max: maxDisks)) {
            let raw: UInt8 = try buffer.readWireInteger("disk class")
            guard raw <= 1 else { throw WireError("disk class \(raw) unknown") }
            let capacity: Int64 = try buffer.readWireInteger("disk capacity")
            let used: Int64 = try buffer.readWireInteger("disk used")
            let count: UInt32 = try buffer.readWireInteger("disk blocks")
            guard capacity >= 0, used >= 0 else { throw WireError("negative disk figures") }
            disks.append(Disk(diskClass: raw == 0 ? .ssd : .hdd, capacityBytes: capacity, usedBytes: used, blockCount: Int(count)))
        }
        var blocks: [BlockID] = []
        let count = try buffer.readWireCount("report blocks", max: maxBlocksPerMessage)
        blocks.reserveCapacity(count)
        for _ in 0..<count { blocks.append(try buffer.readWireBlockID("reported block")) }
        var removed: [BlockID] = []
        if flags & removalsFlag != 0 {
            let removedCount = try buffer.readWireCount("removed blocks", max: maxBlocksPerMessage)
            guard removedCount > 0 else { throw WireError("block report flags removals but lists none") }
            for _ in 0..<removedCount { removed.append(try buffer.readWireBlockID("removed block")) }
        }
        try buffer.expectFullyRead("block report")
        return BlockReport(isFull: flags & 1 != 0, disks: disks, blocks: blocks, removed: removed)
    }

    /// A full report as messages that each fit in one frame.
    public static func fullReportParts(disks: [Disk], blocks: [BlockID]) -> [BlockReport] {
        var parts: [BlockReport] = []
        var start = 0
        repeat {
            let end = min(start + maxBlocksPerMessage, blocks.count)
            parts.append(BlockReport(isFull: start == 0, disks: disks, blocks: Array(blocks[start..<end])))
            start = end
        } while start < blocks.count
        return parts
    }

    public init(isFull: Bool, disks: [Disk], blocks: [BlockID], removed: [BlockID] = []) {
        self.isFull = isFull
        self.disks = disks
        self.blocks = blocks
        self.removed = removed
    }
}
