extension Raft {
    public struct Message: Hashable, Sendable, CustomStringConvertible {
        public var from: NodeID
        public var to: NodeID
        /// The sender's term, except for a granted pre-vote response, which
        /// echoes the pre-vote's term (the responder does not change term).
        public var term: Term
        public var kind: Kind

        public init(from: NodeID, to: NodeID, term: Term, kind: Kind) {
            self.from = from
            self.to = to
            self.term = term
            self.kind = kind
        }

        public enum Kind: Hashable, Sendable {
            /// Pre-vote (thesis §9.6): "would you vote for me at `term`?" — changes no one's term.
            case preVote(lastIndex: Index, lastTerm: Term)
            case preVoteResponse(granted: Bool)
            /// `transfer` marks a campaign started by leadership transfer, which
            /// may override the receiver's leader lease (thesis §3.10).
            case vote(lastIndex: Index, lastTerm: Term, transfer: Bool)
            case voteResponse(granted: Bool)
            case append(prevIndex: Index, prevTerm: Term, entries: [Entry], commit: Index)
            /// On success `index` is the last index known to match the leader.
            /// On rejection `index` is the rejected `prevIndex` and the hint is
            /// the follower's best guess of where the logs agree (fast backtracking).
            case appendResponse(success: Bool, index: Index, hintIndex: Index, hintTerm: Term)
            case heartbeat(commit: Index, readContext: UInt64?)
            case heartbeatResponse(readContext: UInt64?)
            case installSnapshot(Snapshot)
            /// Leadership transfer: "campaign now, skip pre-vote".
            case timeoutNow
        }

        public var description: String {
            let body: String
            switch kind {
            case .preVote(let i, let t): body = "PreVote last \(i)@\(t)"
            case .preVoteResponse(let g): body = "PreVoteResp \(g ? "granted" : "rejected")"
            case .vote(let i, let t, let tr): body = "Vote last \(i)@\(t)\(tr ? " transfer" : "")"
            case .voteResponse(let g): body = "VoteResp \(g ? "granted" : "rejected")"
            case .append(let pi, let pt, let es, let c):
                body = "App prev \(pi)@\(pt) [\(es.count == 0 ? "" : "\(es.first!)..\(es.last!)")] commit \(c)"
            case .appendResponse(let ok, let i, let hi, let ht):
                body = ok ? "AppResp ok \(i)" : "AppResp reject \(i) hint \(hi)@\(ht)"
            case .heartbeat(let c, let ctx): body = "Heartbeat commit \(c)\(ctx.map { " read \($0)" } ?? "")"
            case .heartbeatResponse(let ctx): body = "HeartbeatResp\(ctx.map { " read \($0)" } ?? "")"
            case .installSnapshot(let s): body = "Snapshot \(s.metadata.index)@\(s.metadata.term)"
            case .timeoutNow: body = "TimeoutNow"
            }
            return "\(from)->\(to) t\(term) \(body)"
        }
    }
}
