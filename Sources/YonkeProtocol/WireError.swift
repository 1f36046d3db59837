/// A node-level message that does not parse. Outside input only ever produces
/// this (never a crash); the link that sent it gets an error response or is closed.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public let what: String
    public init(_ what: String) { self.what = what }
    public var description: String { "malformed message: \(what)" }
}
