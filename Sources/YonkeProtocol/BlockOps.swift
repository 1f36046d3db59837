import Foundation
import NIOCore
import YonkeCore

/// Block operations (`RPCOperation.block`), answered by the master;
/// any node asked forwards them there (with `forwardedBit` set, so a node
/// that is not the master refuses instead of forwarding again).
///
///     placement      [id 32][u64 encodedBytes][string tier][u32 n]{string exclude} → [u32 n]{target}
///     locations      [u32 n]{id 32}                                               → [u32 n]{id 32, u32 m, {target}}
///     capacity       empty                                                        → JSON (`CapacityReport`)
///     reportCorrupt  [id 32][string node][string reason]                          → empty
///     rebalancePlan  empty                                                        → JSON (`RebalanceReport`)
///     setMachineState [string name][u8 state]                                     → JSON (`RebalanceReport`)
///
/// Sent by the master to one holder, never forwarded (`BlockService+Moves`):
///
///     replicate      [id 32][string tier][target]  copy the block to target      → empty, once the target fsynced it
///     deleteReplica  [id 32]                       delete the local copy          → empty (also when already gone)
///     collectGarbage [id 32][i64 idle seconds]     delete it unless written within → [u8 1: gone, 0: kept]
public enum BlockOps {
    public enum Op: UInt16, Sendable, CaseIterable {
        // Answered by the master (forwarded there by any other node).
        case placement = 0x0100
        case locations = 0x0101
        case capacity = 0x0102
        case reportCorrupt = 0x0103
        case rebalancePlan = 0x0106
        case setMachineState = 0x0107
        // Sent by the master to one holder.
        case replicate = 0x0104
        case deleteReplica = 0x0105
        case collectGarbage = 0x0108
        /// `[block id]` → `[u8 verdict]` (0 intact, 1 corrupt, 2 cannot judge, 3 not held): the
        /// holder checks its copy, because a user's report that it is bad is not taken as fact.
        case verifyReplica = 0x0109

        /// Holder operations go to the one node named; the others to the master.
        public var isHolderOperation: Bool {
            switch self {
            case .replicate, .deleteReplica, .collectGarbage, .verifyReplica: true
            case .placement, .locations, .capacity, .reportCorrupt, .rebalancePlan, .setMachineState: false
            }
        }
    }

    /// Set on a master operation relayed to the master: a node that is not
    /// the master refuses it instead of forwarding it again.
    public static let forwardedBit: UInt16 = 0x0080

    /// A request's operation code: the operation, and whether it was relayed.
    public static func decodeOp(_ raw: UInt16) -> (op: Op, forwarded: Bool)? {
        guard let op = Op(rawValue: raw & ~forwardedBit) else { return nil }
        let forwarded = raw & forwardedBit != 0
        guard !(forwarded && op.isHolderOperation) else { return nil }
        return (op, forwarded)
    }

    public static let maxLocationQuery = 10_000
    public static let maxExcluded = 256

    public struct PlacementRequest: Sendable, Equatable {
        public var id: BlockID
        public var encodedBytes: Int64
        public var tier: String
        public var exclude: [String]

        public func encoded() -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.writeWireBlockID(id)
            buffer.writeWireInteger(UInt64(max(0, encodedBytes)))
            buffer.writeWireString(tier)
            buffer.writeWireInteger(UInt32(exclude.count))
            for name in exclude { buffer.writeWireString(name) }
            return buffer
        }

        public static func decode(_ payload: ByteBuffer) throws(WireError) -> PlacementRequest {
            var buffer = payload
            let id = try buffer.readWireBlockID("placement block")
            let bytes: UInt64 = try buffer.readWireInteger("placement size")
            guard bytes <= UInt64(Int64.max) else { throw WireError("placement size out of range") }
            let tier = try buffer.readWireString("placement tier", maxBytes: 32)
            var exclude: [String] = []
            for _ in 0..<(try buffer.readWireCount("excluded nodes", max: maxExcluded)) {
                exclude.append(try buffer.readWireString("excluded node", maxBytes: BlockStream.maxNameBytes))
            }
            try buffer.expectFullyRead("placement")
            return PlacementRequest(id: id, encodedBytes: Int64(bytes), tier: tier, exclude: exclude)
        }

        public init(id: BlockID, encodedBytes: Int64, tier: String, exclude: [String]) {
            self.id = id
            self.encodedBytes = encodedBytes
            self.tier = tier
            self.exclude = exclude
        }
    }

    public static func corruptReport(_ id: BlockID, node: String, reason: String) -> ByteBuffer {
        var payload = ByteBuffer()
        payload.writeWireBlockID(id)
        payload.writeWireString(node)
        payload.writeWireString(String(reason.prefix(1000)))
        return payload
    }

    public static func encodeTargets(_ targets: [BlockTarget], into buffer: inout ByteBuffer) {
        buffer.writeWireInteger(UInt32(targets.count))
        for target in targets { buffer.writeTarget(target) }
    }

    public static func decodeTargets(_ buffer: inout ByteBuffer) throws(WireError) -> [BlockTarget] {
        var targets: [BlockTarget] = []
        for _ in 0..<(try buffer.readWireCount("targets", max: 1024)) { targets.append(try buffer.readTarget()) }
        return targets
    }

    public static func encodeIDs(_ ids: [BlockID]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWireInteger(UInt32(ids.count))
        for id in ids { buffer.writeWireBlockID(id) }
        return buffer
    }

    public static func decodeIDs(_ payload: ByteBuffer) throws(WireError) -> [BlockID] {
        var buffer = payload
        var ids: [BlockID] = []
        for _ in 0..<(try buffer.readWireCount("blocks", max: maxLocationQuery)) { ids.append(try buffer.readWireBlockID("block")) }
        try buffer.expectFullyRead("locations")
        return ids
    }

    /// The master's answer to `locations`: live replicas per block, and how many
    /// live machines have not yet sent the current master term's full report
    /// (while any has not, a block may have more replicas than listed).
    public struct Locations: Sendable {
        public var blocks: [(BlockID, [BlockTarget])]
        public var reportsPending: Int

        public var byBlock: [BlockID: [BlockTarget]] {
            Dictionary(blocks, uniquingKeysWith: { first, _ in first })
        }

        public init(blocks: [(BlockID, [BlockTarget])], reportsPending: Int) {
            self.blocks = blocks
            self.reportsPending = reportsPending
        }
    }

    ///     [u32 n]{id 32, targets}[u32 reports pending]
    public static func encodeLocations(_ locations: Locations) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWireInteger(UInt32(locations.blocks.count))
        for (id, targets) in locations.blocks {
            buffer.writeWireBlockID(id)
            encodeTargets(targets, into: &buffer)
        }
        buffer.writeWireInteger(UInt32(clamping: locations.reportsPending))
        return buffer
    }

    public static func decodeLocations(_ payload: ByteBuffer) throws(WireError) -> Locations {
        var buffer = payload
        var blocks: [(BlockID, [BlockTarget])] = []
        for _ in 0..<(try buffer.readWireCount("locations", max: maxLocationQuery)) {
            let id = try buffer.readWireBlockID("located block")
            blocks.append((id, try decodeTargets(&buffer)))
        }
        let pending: UInt32 = try buffer.readWireInteger("reports pending")
        try buffer.expectFullyRead("locations")
        return Locations(blocks: blocks, reportsPending: Int(pending))
    }
}

/// `yonke capacity`: per machine and for the cluster. `share` is the machine's
/// part of all stored bytes, `capacityShare` its part of all capacity: equal
/// figures mean placement follows capacity. `usableBytes` is raw capacity over
/// the replication factor. `underReplicated`/`missing` count the catalog's
/// blocks (`countedFrom: "catalog"`); when the catalog cannot be read they
/// count the blocks the master's block map knows against the replication
/// factor (`countedFrom: "blockMap"`, and `missing` is then 0: a block no node
/// reports is unknown to the map); while a live machine's full report to a new
/// master term is missing they are 0 (`countedFrom: "pendingReports"`).
public struct CapacityReport: Codable, Sendable, Equatable {
    public struct Machine: Codable, Sendable, Equatable {
        public var name: String
        public var totalBytes: Int64
        public var usedBytes: Int64
        public var freeBytes: Int64
        public var blocks: Int
        public var share: Double
        public var capacityShare: Double
        /// "alive" when membership counts it alive, else its last known state.
        public var state: String
        /// False until the master has heard a report from it (figures are then the topology's).
        public var reported: Bool
        /// Copies running to / from it now.
        public var movingIn: Int = 0
        public var movingOut: Int = 0
        /// Since the master last heard from it (a block report or gossip); nil when never.
        public var lastHeartbeatMs: Int?
        /// Placement's reliability score (1 = new disks; lower draws fewer replicas).
        public var reliability: Double = 1
        /// "active", "draining" or "removed" (from the catalog).
        public var machineState: String = "active"
        /// Free bytes on its SSD and HDD disks.
        public var ssdFreeBytes: Int64 = 0
        public var hddFreeBytes: Int64 = 0

        public init(name: String, totalBytes: Int64, usedBytes: Int64, freeBytes: Int64, blocks: Int, share: Double, capacityShare: Double, state: String, reported: Bool, movingIn: Int = 0, movingOut: Int = 0, lastHeartbeatMs: Int? = nil, reliability: Double = 1, machineState: String = "active", ssdFreeBytes: Int64 = 0, hddFreeBytes: Int64 = 0) {
            self.name = name
            self.totalBytes = totalBytes
            self.usedBytes = usedBytes
            self.freeBytes = freeBytes
            self.blocks = blocks
            self.share = share
            self.capacityShare = capacityShare
            self.state = state
            self.reported = reported
            self.movingIn = movingIn
            self.movingOut = movingOut
            self.lastHeartbeatMs = lastHeartbeatMs
            self.reliability = reliability
            self.machineState = machineState
            self.ssdFreeBytes = ssdFreeBytes
            self.hddFreeBytes = hddFreeBytes
        }
    }

    public struct Cluster: Codable, Sendable, Equatable {
        public var rawBytes: Int64
        public var usableBytes: Int64
        public var usedBytes: Int64
        public var underReplicated: Int
        public var missing: Int
        public var countedFrom: String
        /// Live machines the master has no full report from in its term yet
        /// (`countedFrom: "pendingReports"`: the counts wait for them).
        public var reportsPending: [String] = []
        /// Bytes still to copy for under-replicated blocks over the per-machine limit (0 when healthy).
        public var healEtaSeconds: Double = 0
        public var rebalanceBytesPerSecond: Int64 = 0

        public init(rawBytes: Int64, usableBytes: Int64, usedBytes: Int64, underReplicated: Int, missing: Int, countedFrom: String, reportsPending: [String] = [], healEtaSeconds: Double = 0, rebalanceBytesPerSecond: Int64 = 0) {
            self.rawBytes = rawBytes
            self.usableBytes = usableBytes
            self.usedBytes = usedBytes
            self.underReplicated = underReplicated
            self.missing = missing
            self.countedFrom = countedFrom
            self.reportsPending = reportsPending
            self.healEtaSeconds = healEtaSeconds
            self.rebalanceBytesPerSecond = rebalanceBytesPerSecond
        }
    }

    public var machines: [Machine]
    public var cluster: Cluster

    public func json() -> ByteBuffer { JSONPayload.encode(self) }

    public static func decode(_ payload: ByteBuffer) throws -> CapacityReport {
        try JSONPayload.decode(CapacityReport.self, from: payload, what: "the capacity answer")
    }

    public init(machines: [Machine], cluster: Cluster) {
        self.machines = machines
        self.cluster = cluster
    }
}
