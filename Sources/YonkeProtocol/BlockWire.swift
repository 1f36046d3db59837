import Topology
import NIOCore
import YonkeCore

/// A node a block goes to or comes from: its name (checked against the
/// identity it presents) and where to reach it.
public struct BlockTarget: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var address: Topology.Address

    public init(name: String, address: Topology.Address) {
        self.name = name
        self.address = address
    }

    public var description: String { "\(name)@\(address)" }
}

/// A replica that did not store a block, and why (`insufficientCapacity`,
/// `timeout`, `unavailable`, `refused`, …): the writer replaces it.
public struct BlockWriteFailure: Sendable, Hashable, CustomStringConvertible {
    public var node: String
    public var code: RPCFailure.Code
    public var reason: String

    public init(node: String, code: RPCFailure.Code, reason: String) {
        self.node = node
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(node): \(reason)" }
}

/// What a write down a pipeline achieved: the nodes that hold the block
/// durably (fsynced and renamed into place), in pipeline order, and the rest.
public struct BlockWriteResult: Sendable, Hashable {
    public var storedOn: [String]
    public var failed: [BlockWriteFailure]

    public init(storedOn: [String] = [], failed: [BlockWriteFailure] = []) {
        self.storedOn = storedOn
        self.failed = failed
    }

    public mutating func append(_ other: BlockWriteResult) {
        storedOn += other.storedOn
        failed += other.failed
    }
}

/// Messages of block-stream links (`MessageKind.blockStreamRange`). A link
/// carries one stream, all integers little-endian:
///
/// Write (client → r1 → r2 → r3, results flow back):
///   `writeOpen`  [blockID 32][u64 encodedLength][string tier][u32 n]{target} — the pipeline after the receiver
///   `writeData`  raw bytes, at most `maxPayloadBytes`, in order
///   `writeEnd`   empty: the sender has sent everything
///   `writeResult` (back) [u32 n]{string stored}[u32 m]{string node, u8 code, string reason}
/// Read (client → node):
///   `readOpen`   [blockID 32]
///   `readStart`  (back) [u64 encodedLength], then `readData` pieces totalling that length
///   `failure`    (back) [u8 RPCFailure code][string message] instead of `readStart`
/// Anything else, or a malformed message, closes the link.
public enum BlockStream {
    public static let writeOpen: UInt8 = 0x40
    public static let writeData: UInt8 = 0x41
    public static let writeEnd: UInt8 = 0x42
    public static let writeResult: UInt8 = 0x43
    public static let readOpen: UInt8 = 0x48
    public static let readStart: UInt8 = 0x49
    public static let readData: UInt8 = 0x4A
    public static let failure: UInt8 = 0x4F

    /// More hops than any sane replication factor (the topology allows 16).
    public static let maxPipelineTargets = 16
    public static let maxNameBytes = 255

    public struct WriteOpen: Sendable, Equatable {
        public var id: BlockID
        public var encodedLength: Int64
        public var tier: String
        public var pipeline: [BlockTarget]

        public func encoded() -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.writeWireBlockID(id)
            buffer.writeWireInteger(UInt64(encodedLength))
            buffer.writeWireString(tier)
            buffer.writeWireInteger(UInt32(pipeline.count))
            for target in pipeline { buffer.writeTarget(target) }
            return buffer
        }

        public static func decode(_ payload: ByteBuffer) throws(WireError) -> WriteOpen {
            var buffer = payload
            let id = try buffer.readWireBlockID("write block id")
            let length: UInt64 = try buffer.readWireInteger("write length")
            guard length <= UInt64(Int64.max) else { throw WireError("write length \(length) out of range") }
            let tier = try buffer.readWireString("write tier", maxBytes: 32)
            let count = try buffer.readWireCount("pipeline", max: maxPipelineTargets)
            var pipeline: [BlockTarget] = []
            for _ in 0..<count { pipeline.append(try buffer.readTarget()) }
            try buffer.expectFullyRead("write open")
            return WriteOpen(id: id, encodedLength: Int64(length), tier: tier, pipeline: pipeline)
        }

        public init(id: BlockID, encodedLength: Int64, tier: String, pipeline: [BlockTarget]) {
            self.id = id
            self.encodedLength = encodedLength
            self.tier = tier
            self.pipeline = pipeline
        }
    }

    public static func encodeResult(_ result: BlockWriteResult) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWireInteger(UInt32(result.storedOn.count))
        for name in result.storedOn { buffer.writeWireString(name) }
        buffer.writeWireInteger(UInt32(result.failed.count))
        for failure in result.failed {
            buffer.writeWireString(failure.node)
            buffer.writeWireInteger(failure.code.rawValue)
            buffer.writeWireString(String(failure.reason.prefix(1000)))
        }
        return buffer
    }

    public static func decodeResult(_ payload: ByteBuffer) throws(WireError) -> BlockWriteResult {
        var buffer = payload
        var result = BlockWriteResult()
        for _ in 0..<(try buffer.readWireCount("stored", max: maxPipelineTargets + 1)) {
            result.storedOn.append(try buffer.readWireString("stored node", maxBytes: maxNameBytes))
        }
        for _ in 0..<(try buffer.readWireCount("failed", max: maxPipelineTargets + 1)) {
            let node = try buffer.readWireString("failed node", maxBytes: maxNameBytes)
            let raw: UInt8 = try buffer.readWireInteger("failure code")
            let reason = try buffer.readWireString("failure reason")
            result.failed.append(BlockWriteFailure(node: node, code: RPCFailure.Code(rawValue: raw) ?? .internalError, reason: reason))
        }
        try buffer.expectFullyRead("write result")
        return result
    }

    public static func encodeFailure(_ failure: RPCFailure) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeWireInteger(failure.code.rawValue)
        buffer.writeWireString(String(failure.message.prefix(1000)))
        return buffer
    }

    public static func decodeFailure(_ payload: ByteBuffer) throws(WireError) -> RPCFailure {
        var buffer = payload
        let raw: UInt8 = try buffer.readWireInteger("failure code")
        let message = try buffer.readWireString("failure message")
        return RPCFailure(RPCFailure.Code(rawValue: raw) ?? .internalError, message)
    }
}

extension ByteBuffer {
    public mutating func writeTarget(_ target: BlockTarget) {
        writeWireString(target.name)
        writeWireString(target.address.host)
        writeWireInteger(UInt32(target.address.port))
    }

    public mutating func readTarget() throws(WireError) -> BlockTarget {
        let name = try readWireString("target name", maxBytes: BlockStream.maxNameBytes)
        let host = try readWireString("target host", maxBytes: 255)
        let port: UInt32 = try readWireInteger("target port")
        guard (1...65535).contains(port) else { throw WireError("target port \(port) out of range") }
        return BlockTarget(name: name, address: .init(host: host, port: Int(port)))
    }
}
