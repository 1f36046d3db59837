/// Raft's Election Safety from the nodes' logs: every node logs
/// `master changed … master=NAME … term=N` when it learns of a master; two
/// different names for one term mean two masters in that term.
public enum ElectionCheck {
    public struct Violation: Sendable, Equatable, Codable, CustomStringConvertible {
        public var term: UInt64
        /// Each master named for the term, with the nodes that named it.
        public var masters: [String: [String]]

        public var description: String {
            "term \(term) had \(masters.count) masters: "
                + masters.keys.sorted().map { "\($0) (seen by \(masters[$0]!.joined(separator: ", ")))" }.joined(separator: "; ")
        }
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var terms: Int
        public var violations: [Violation]
    }

    /// `logs`: node name → its log lines.
    public static func check(logs: [String: [Substring]]) -> Summary {
        var seen: [UInt64: [String: Set<String>]] = [:]
        for node in logs.keys.sorted() {
            for line in logs[node] ?? [] where line.contains("master changed") {
                guard let master = field("master", in: line), master != "unknown",
                      let term = field("term", in: line).flatMap(UInt64.init) else { continue }
                seen[term, default: [:]][master, default: []].insert(node)
            }
        }
        let violations = seen.keys.sorted().compactMap { term -> Violation? in
            guard let masters = seen[term], masters.count > 1 else { return nil }
            return Violation(term: term, masters: masters.mapValues { $0.sorted() })
        }
        return Summary(terms: seen.count, violations: violations)
    }

    /// `key=value` from a swift-log line (values without spaces).
    static func field(_ key: String, in line: Substring) -> String? {
        for word in line.split(separator: " ") where word.hasPrefix(key + "=") {
            return String(word.dropFirst(key.count + 1))
        }
        return nil
    }
}
