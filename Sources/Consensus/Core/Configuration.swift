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
            var out: [UInt8] = []
            func u16(_ v: Int) { out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF)) }
            u16(voters.count); u16(learners.count)
            for id in voters + learners {
                let bytes = Array(id.name.utf8)
                u16(bytes.count); out.append(contentsOf: bytes)
            }
            return out
        }

        public init?(encoded bytes: [UInt8]) {
            var at = 0
            func u16() -> Int? {
                guard at + 2 <= bytes.count else { return nil }
                defer { at += 2 }
                return Int(bytes[at]) << 8 | Int(bytes[at + 1])
            }
            guard let voterCount = u16(), let learnerCount = u16() else { return nil }
            var names: [NodeID] = []
            for _ in 0..<(voterCount + learnerCount) {
                guard let length = u16(), at + length <= bytes.count else { return nil }
                names.append(NodeID(String(decoding: bytes[at..<at + length], as: UTF8.self)))
                at += length
            }
            guard at == bytes.count else { return nil }
            self.init(voters: Array(names[..<voterCount]), learners: Array(names[voterCount...]))
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
