/// A master as the other services see it: who leads, and in which Raft term.
/// Soft state the master keeps (the block ledger) belongs to one term.
public struct MasterTerm: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let term: UInt64

    public var description: String { "\(name) (term \(term))" }
}
