import YonkeCore

extension SWIM {
    /// The binary wire form of `SWIM.Message`:
    ///
    ///     message  = version(1) tag(1) body
    ///     ping     = from:id self target:id seq:varint gossip
    ///     pingReq  = from:id target:id targetAddress:str seq:varint gossip
    ///     ack      = from:id self seq:varint gossip
    ///     self     = fromIncarnation:varint fromMetadataVersion:varint
    ///     nack     = from:id seq:varint gossip
    ///     joinReq  = update
    ///     joinRep  = from:id count:varint update*
    ///     sync     = from:id wantsReply(1: 0|1) count:varint update*
    ///     gossip   = count:varint update*
    ///     update   = id incarnation:varint status(1) flags(1) [accuser:str] [metadata]
    ///     id       = name:str generation:varint
    ///     metadata = address:str rack:str disk(1) (capacity:zigzag used:zigzag)×3
    ///                labelCount:varint (key:str value:str)* (keys sorted) version:varint
    ///
    /// Decoding checks every length against `Limits` before allocating and
    /// throws `DecodeError` on anything malformed; it never traps.
    public enum Codec {
        public static let version: UInt8 = 1
        typealias Reader = ByteReader<DecodeError>

        public struct Limits: Hashable, Sendable {
            /// Probes are datagrams; a join reply carries the whole view.
            public var messageBytesMax: Int
            public var stringBytesMax: Int
            public var labelsMax: Int
            public var updatesMax: Int

            public init(messageBytesMax: Int, stringBytesMax: Int, labelsMax: Int, updatesMax: Int) {
                self.messageBytesMax = messageBytesMax
                self.stringBytesMax = stringBytesMax
                self.labelsMax = labelsMax
                self.updatesMax = updatesMax
            }

            /// Enough for a 10,000-member join reply with a few labels each.
            public static let standard = Limits(
                messageBytesMax: 4 << 20, stringBytesMax: 255, labelsMax: 64, updatesMax: 100_000)
        }

        enum Tag: UInt8 {
            case ping = 1, pingRequest = 2, ack = 3, nack = 4, joinRequest = 5, joinReply = 6, sync = 7
        }

        static let flagAccuser: UInt8 = 1
        static let flagMetadata: UInt8 = 2

        public static func encode(_ message: Message) -> [UInt8] {
            var w = ByteWriter()
            w.u8(version)
            switch message {
            case .ping(let m):
                w.u8(Tag.ping.rawValue)
                write(m.from, &w); w.varint(m.fromIncarnation); w.varint(m.fromMetadataVersion)
                write(m.target, &w); w.varint(m.sequence); write(m.gossip, &w)
            case .pingRequest(let m):
                w.u8(Tag.pingRequest.rawValue)
                write(m.from, &w); write(m.target, &w); w.string(m.targetAddress)
                w.varint(m.sequence); write(m.gossip, &w)
            case .ack(let m):
                w.u8(Tag.ack.rawValue)
                write(m.from, &w); w.varint(m.fromIncarnation); w.varint(m.fromMetadataVersion)
                w.varint(m.sequence); write(m.gossip, &w)
            case .nack(let m):
                w.u8(Tag.nack.rawValue)
                write(m.from, &w); w.varint(m.sequence); write(m.gossip, &w)
            case .joinRequest(let m):
                w.u8(Tag.joinRequest.rawValue)
                write(m.member, &w)
            case .joinReply(let m):
                w.u8(Tag.joinReply.rawValue)
                write(m.from, &w); write(m.members, &w)
            case .sync(let m):
                w.u8(Tag.sync.rawValue)
                write(m.from, &w); w.u8(m.wantsReply ? 1 : 0); write(m.members, &w)
            }
            return w.bytes
        }

        public static func decode(_ bytes: [UInt8], limits: Limits = .standard) throws(DecodeError) -> Message {
            guard bytes.count <= limits.messageBytesMax else {
                throw .messageTooLarge(bytes: bytes.count, limit: limits.messageBytesMax)
            }
            var r = Reader(bytes)
            let v = try r.u8("version")
            guard v == version else { throw .unsupportedVersion(v) }
            let rawTag = try r.u8("tag")
            guard let tag = Tag(rawValue: rawTag) else { throw .unknownMessageTag(rawTag) }
            let message: Message
            switch tag {
            case .ping:
                let from = try readID(&r, limits)
                let incarnation = try r.varint("fromIncarnation")
                let version = try r.varint("fromMetadataVersion")
                let target = try readID(&r, limits)
                let seq = try r.varint("sequence")
                message = .ping(Ping(from: from, target: target, sequence: seq, gossip: try readUpdates(&r, limits),
                                     fromIncarnation: incarnation, fromMetadataVersion: version))
            case .pingRequest:
                let from = try readID(&r, limits), target = try readID(&r, limits)
                let address = try r.string("targetAddress", limit: limits.stringBytesMax)
                let seq = try r.varint("sequence")
                message = .pingRequest(PingRequest(
                    from: from, target: target, targetAddress: address, sequence: seq, gossip: try readUpdates(&r, limits)))
            case .ack:
                let from = try readID(&r, limits)
                let incarnation = try r.varint("fromIncarnation")
                let version = try r.varint("fromMetadataVersion")
                let seq = try r.varint("sequence")
                message = .ack(Ack(from: from, sequence: seq, gossip: try readUpdates(&r, limits),
                                   fromIncarnation: incarnation, fromMetadataVersion: version))
            case .nack:
                let from = try readID(&r, limits)
                let seq = try r.varint("sequence")
                message = .nack(Nack(from: from, sequence: seq, gossip: try readUpdates(&r, limits)))
            case .joinRequest:
                message = .joinRequest(JoinRequest(member: try readUpdate(&r, limits)))
            case .joinReply:
                let from = try readID(&r, limits)
                message = .joinReply(JoinReply(from: from, members: try readUpdates(&r, limits)))
            case .sync:
                let from = try readID(&r, limits)
                let flagOffset = r.offset
                let flag = try r.u8("wantsReply")
                guard flag <= 1 else { throw .unknownFlags(flag, offset: flagOffset) }
                message = .sync(Sync(from: from, wantsReply: flag == 1, members: try readUpdates(&r, limits)))
            }
            try r.expectEnd()
            return message
        }

        public static func encodedSize(of message: Message) -> Int { encode(message).count }

        static func encodedSize(of update: MemberUpdate) -> Int {
            var w = ByteWriter()
            write(update, &w)
            return w.bytes.count
        }

        // MARK: writing

        private static func write(_ id: MemberID, _ w: inout ByteWriter) {
            w.string(id.name)
            w.varint(id.generation)
        }

        private static func write(_ updates: [MemberUpdate], _ w: inout ByteWriter) {
            w.varint(UInt64(updates.count))
            for u in updates { write(u, &w) }
        }

        private static func write(_ u: MemberUpdate, _ w: inout ByteWriter) {
            write(u.id, &w)
            w.varint(u.incarnation)
            w.u8(u.status.rawValue)
            w.u8((u.accuser == nil ? 0 : flagAccuser) | (u.metadata == nil ? 0 : flagMetadata))
            if let accuser = u.accuser { w.string(accuser) }
            if let m = u.metadata { write(m, &w) }
        }

        private static func write(_ m: Metadata, _ w: inout ByteWriter) {
            w.string(m.address)
            w.string(m.rack)
            w.u8(m.diskClass.rawValue)
            for tier in Tier.allCases {
                w.signed(m[tier].capacityBytes)
                w.signed(m[tier].usedBytes)
            }
            w.varint(UInt64(m.labels.count))
            for key in m.labels.keys.sorted() {
                w.string(key)
                w.string(m.labels[key] ?? "")
            }
            w.varint(m.version)
        }

        // MARK: reading

        private static func readID(_ r: inout Reader, _ l: Limits) throws(DecodeError) -> MemberID {
            let name = try r.string("member name", limit: l.stringBytesMax)
            return MemberID(name: name, generation: try r.varint("generation"))
        }

        private static func readUpdates(_ r: inout Reader, _ l: Limits) throws(DecodeError) -> [MemberUpdate] {
            // An update is at least name length + generation + incarnation + status + flags.
            let n = try r.count("gossip count", limit: l.updatesMax, minBytesEach: 5)
            var out: [MemberUpdate] = []
            out.reserveCapacity(n)
            for _ in 0..<n { out.append(try readUpdate(&r, l)) }
            return out
        }

        private static func readUpdate(_ r: inout Reader, _ l: Limits) throws(DecodeError) -> MemberUpdate {
            let id = try readID(&r, l)
            let incarnation = try r.varint("incarnation")
            let statusOffset = r.offset
            let rawStatus = try r.u8("status")
            guard let status = Status(rawValue: rawStatus) else { throw .unknownStatus(rawStatus, offset: statusOffset) }
            let flagsOffset = r.offset
            let flags = try r.u8("flags")
            guard flags & ~(flagAccuser | flagMetadata) == 0 else { throw .unknownFlags(flags, offset: flagsOffset) }
            let accuser = flags & flagAccuser != 0 ? try r.string("accuser", limit: l.stringBytesMax) : nil
            let metadata = flags & flagMetadata != 0 ? try readMetadata(&r, l) : nil
            return MemberUpdate(id: id, incarnation: incarnation, status: status, accuser: accuser, metadata: metadata)
        }

        private static func readMetadata(_ r: inout Reader, _ l: Limits) throws(DecodeError) -> Metadata {
            let address = try r.string("address", limit: l.stringBytesMax)
            let rack = try r.string("rack", limit: l.stringBytesMax)
            let diskOffset = r.offset
            let rawDisk = try r.u8("disk class")
            guard let disk = DiskClass(rawValue: rawDisk) else { throw .unknownDiskClass(rawDisk, offset: diskOffset) }
            var m = Metadata(address: address, rack: rack, diskClass: disk)
            for tier in Tier.allCases {
                m[tier] = TierUsage(capacityBytes: try r.signed("capacity"), usedBytes: try r.signed("used"))
            }
            let labelCount = try r.count("label count", limit: l.labelsMax, minBytesEach: 2)
            for _ in 0..<labelCount {
                let key = try r.string("label key", limit: l.stringBytesMax)
                m.labels[key] = try r.string("label value", limit: l.stringBytesMax)
            }
            m.version = try r.varint("metadata version")
            return m
        }
    }
}
