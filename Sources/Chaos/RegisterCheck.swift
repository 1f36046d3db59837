/// Checks that every file behaved as a linearizable register, for a history
/// in which each file is used by one process at a time (the workload gives
/// each process files of its own, so per file the history is sequential).
///
/// A failed write or delete is indeterminate: it may never take effect, or
/// take effect at any moment after it was invoked, even after the client gave
/// up on it (an entry already in the Raft log commits later). So the check
/// keeps, per file, the value the acknowledged operations and observed reads
/// leave current, plus the values of failed mutations not yet seen (each may
/// still appear once; a failed delete may appear any number of times). A read
/// must return the current value or a pending one; what it returns becomes
/// current. Every write writes a value of its own, so a value names its write.
/// `nil` stands for "no such file".
public enum RegisterCheck {
    public struct Violation: Sendable, Equatable, CustomStringConvertible, Codable {
        public var path: String
        public var read: HistoryRecord
        public var allowed: [String]

        public var description: String {
            "\(path): read at \(read.invokeMillis)–\(read.completeMillis) ms returned \(read.value ?? absent), "
                + "allowed then: \(allowed.joined(separator: ", "))"
        }
    }

    static let absent = "no file"

    /// `finalReads` are reads made after every fault healed; they follow the
    /// history of their path. Files start absent.
    public static func violations(_ history: [HistoryRecord], finalReads: [HistoryRecord] = []) -> [Violation] {
        var byPath: [String: [HistoryRecord]] = [:]
        for record in history.sorted(by: { ($0.invokeMillis, $0.completeMillis) < ($1.invokeMillis, $1.completeMillis) }) {
            byPath[record.path, default: []].append(record)
        }
        for read in finalReads { byPath[read.path, default: []].append(read) }
        var found: [Violation] = []
        for path in byPath.keys.sorted() {
            var current = absent
            var pending: Set<String> = []
            for record in byPath[path] ?? [] {
                let value = record.value ?? absent
                switch (record.kind, record.outcome) {
                case (.write, .ok):
                    current = value
                case (.delete, .ok):
                    current = absent
                case (.write, .failed), (.delete, .failed):
                    pending.insert(record.kind == .delete ? absent : value)
                case (.read, .ok):
                    if value == current || pending.contains(value) {
                        current = value
                        if value != absent { pending.remove(value) }
                    } else {
                        found.append(Violation(path: path, read: record, allowed: ([current] + pending.sorted())))
                    }
                case (.read, .failed):
                    break
                }
            }
        }
        return found
    }
}
