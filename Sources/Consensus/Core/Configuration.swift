import YonkeCore

extension Raft {
    /// Who votes and who only listens. Arrays are kept sorted so iteration is
    /// deterministic and encodings are canonical.
    public struct Configuration: Hashable, Sendable, CustomStringConvertible {
        public private(set) var voters: [NodeID]
        public private(set) var learners: [NodeID]

        public init(voters: [NodeID], learners: [NodeID] = []) {
            self.voters = Array(Set(voters)).sorted()
            self.learners = Array(Set(learners).subtracting(voters)).sorted()
        }

        public var quorum: Int { voters.count / 2 + 1 }
        public func isVoter(_ id: NodeID) -> Bool { voters.contains(id) }
        public func isLearner(_ id: NodeID) -> Bool { learners.contains(id) }
        public var members: [NodeID] { (voters + learners).sorted() }

        public var description: String {
            "voters [\(voters.map(\.name).joined(separator: ","))]" + (learners.isEmpty ? "" : " learners [\(learners.map(\.name).joined(separator: ","))]")
        }

        /// The configuration after one change, or nil if the change would move
        /// more than one voter at a time or is meaningless (thesis §4.1: single-server changes).
        public func applying(_ change: ConfigurationChange) -> Configuration? {
            switch change {
            case .addLearner(let id):
                guard !isVoter(id), !isLearner(id) else { return nil }
                return Configuration(voters: voters, learners: learners + [id])
            case .promoteLearner(let id):
                guard isLearner(id) else { return nil }
                return Configuration(voters: voters + [id], learners: learners.filter { $0 != id })
            case .addVoter(let id):
                guard !isVoter(id) else { return nil }
                return Configuration(voters: voters + [id], learners: learners.filter { $0 != id })
            case .remove(let id):
                guard isVoter(id) || isLearner(id) else { return nil }
                let next = Configuration(voters: voters.filter { $0 != id }, learners: learners.filter { $0 != id })
                return next.voters.isEmpty ? nil : next
            }
        }

        // Encoding: [voterCount:u16][learnerCount:u16] then each name as [len:u16][utf8].
        public func encoded() -> [UInt8] {
            var w = ByteWriter()
            w.length(voters.count, prefix: .u16)
            w.length(learners.count, prefix: .u16)
            for id in voters + learners { w.string(id.name, prefix: .u16) }
            return w.bytes
        }

        /// Nil for bytes that are not a whole encoding (they arrive in log entries and
        /// snapshots from peers): short, over-long, trailing bytes or a name that is not UTF-8.
        public init?(encoded bytes: [UInt8]) {
            var r = ByteReader<ByteReadError>(bytes)
            do throws(ByteReadError) {
                let voterCount = Int(try r.u16("voter count"))
                let learnerCount = Int(try r.u16("learner count"))
                // Each name takes at least its 2-byte length.
                let total = try r.count("names", UInt64(voterCount + learnerCount), limit: 2 * Int(UInt16.max),
                                        minElementBytes: 2, fieldStart: 0)
                var names: [NodeID] = []
                names.reserveCapacity(total)
                for _ in 0..<total { names.append(NodeID(try r.string("name", prefix: .u16, limit: Int(UInt16.max)))) }
                try r.expectEnd()
                self.init(voters: Array(names[..<voterCount]), learners: Array(names[voterCount...]))
            } catch {
                return nil
            }
        }
    }

    public enum ConfigurationChange: Hashable, Sendable {
        /// A non-voting member that receives the log (to catch up before promotion).
        case addLearner(NodeID)
        case promoteLearner(NodeID)
        case addVoter(NodeID)
        case remove(NodeID)
    }
}
