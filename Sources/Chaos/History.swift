/// What a chaos workload did, one operation per record, as it saw it: when it
/// asked, when it heard back, and what it heard. Written as JSON lines while
/// the run goes on, so a crashed run still leaves its history.
public struct HistoryRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case write, delete, read
    }

    public enum Outcome: String, Codable, Sendable {
        /// Acknowledged: a write or delete took effect; a read returned `value`.
        case ok
        /// Refused or timed out: a write or delete may or may not have taken
        /// effect (the reply can be lost after the commit); a read says nothing.
        case failed
    }

    public var process: Int
    public var kind: Kind
    public var path: String
    /// Writes: the version written. Reads: the version read, `nil` for "no such
    /// file", `Self.unknownValue` for content that matches no version ever written.
    public var value: String?
    public var invokeMillis: Int64
    public var completeMillis: Int64
    public var outcome: Outcome
    /// The client's error, for failed operations: it must say what went wrong.
    public var error: String?

    public static let unknownValue = "?"

    public init(process: Int, kind: Kind, path: String, value: String?, invokeMillis: Int64, completeMillis: Int64,
                outcome: Outcome, error: String? = nil) {
        self.process = process
        self.kind = kind
        self.path = path
        self.value = value
        self.invokeMillis = invokeMillis
        self.completeMillis = completeMillis
        self.outcome = outcome
        self.error = error
    }
}
