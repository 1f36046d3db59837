import YonkeProtocol
import YonkeClient
import Foundation
import Synchronization
@testable import Node

/// Loopback ports for the in-process test clusters of this target (one
/// allocator, so two suites never hand out the same port).
enum TestPorts {
    /// Ports for test nodes come from below the kernel's ephemeral range
    /// (32768–60999 by default), so no outgoing connection of any test (a
    /// handshake flood opens hundreds) can take one between the pick and the
    /// node's bind. Each port is probed with a bind and handed out once per run;
    /// the start differs per process so parallel test processes rarely meet.
    private static let nextPort = Mutex<Int>(20_000 + Int(getpid() % 1_000) * 12)

    static func take() throws -> Int {
        for _ in 0..<2_000 {
            let port = nextPort.withLock { next -> Int in
                let port = next
                next = next >= 32_000 ? 20_000 : next + 1
                return port
            }
            if canBind(port) { return port }
        }
        throw NodeError.invalidConfig("no free port in 20000...32000")
    }

    static func take(_ count: Int) throws -> [Int] { try (0..<count).map { _ in try take() } }

    static func accepts(port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in connect(fd, address, length) == 0 }
    }

    private static func canBind(_ port: Int) -> Bool {
        withLoopbackSocket(port: port) { fd, address, length in bind(fd, address, length) == 0 }
    }

    private static func withLoopbackSocket(
        port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool
    ) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
