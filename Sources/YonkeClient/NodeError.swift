import YonkeProtocol
import Foundation

/// Why a node could not start or keep running: each names what and where.
public enum NodeError: Error, Sendable, CustomStringConvertible {
    case badSecrets(path: String, reason: String)
    case io(path: String, what: String, errno: Int32)
    case notInTopology(name: String, known: [String])
    case invalidConfig(String)

    public var description: String {
        switch self {
        case let .badSecrets(path, reason): "cluster secrets \(path): \(reason)"
        case let .io(path, what, code): "\(what) \(path): \(String(cString: strerror(code)))"
        case let .notInTopology(name, known): "no machine named '\(name)' in the topology (it has: \(known.joined(separator: ", ")))"
        case let .invalidConfig(why): "invalid node configuration: \(why)"
        }
    }
}
