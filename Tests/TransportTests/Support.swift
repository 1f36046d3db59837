import Logging
import NIOCore
import NIOPosix
import Synchronization
@testable import Transport

/// Log lines a link wrote, so tests can check the stated reason.
final class LogStore: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }

    /// Polls briefly: a server logs on its own event loop, after the client saw the close.
    func waitFor(_ text: String, milliseconds: Int = 3_000) async -> Bool {
        for _ in 0..<(milliseconds / 20) {
            if contains(text) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return contains(text)
    }
}

struct CapturingLogHandler: LogHandler {
    let store: LogStore
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        store.append("\(event.level) \(event.message) \(fields)")
    }
}

/// One cluster's shared material plus helpers to make its members.
struct TestCluster {
    var clusterID: [UInt8] = Array(0..<16)
    var joinToken = "test-token-0123456789abcdef"

    func settings(_ name: String, token: String? = nil, clusterID: [UInt8]? = nil,
                  limits: Transport.Limits = .test, logs: LogStore = LogStore(),
                  faults: FaultInjector? = nil) throws -> Transport.Settings {
        let logger = Logger(label: "test.\(name)") { _ in CapturingLogHandler(store: logs) }
        return try Transport.Settings(
            nodeName: name, identity: NodeIdentity.generate(), clusterID: clusterID ?? self.clusterID,
            joinToken: token ?? joinToken, limits: limits, faults: faults, logger: logger)
    }
}

/// Runs a server on 127.0.0.1:0 for the duration of `body`, then cancels it.
func withServer<R: Sendable>(
    _ settings: Transport.Settings,
    handler: @escaping @Sendable (Connection) async throws -> Void,
    _ body: @escaping @Sendable (TransportServer) async throws -> R
) async throws -> R {
    let server = try await TransportServer.bind(host: "127.0.0.1", port: 0, settings: settings)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run(handler) }
        defer { group.cancelAll() }
        return try await withTimeout(seconds: 15) { try await body(server) }
    }
}

/// Echo: every message comes back with the same kind and bytes.
let echoHandler: @Sendable (Connection) async throws -> Void = { connection in
    for try await message in connection.inbound {
        try await connection.send(kind: message.kind, payload: message.payload)
    }
}

struct TimedOut: Error {}

func withTimeout<R: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: R?.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TimedOut() }
        return result
    }
}

/// A plain TCP connection that says nothing.
func rawConnect(port: Int) async throws -> Channel {
    try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port).get()
}

/// A plain TCP client that writes raw bytes, for hostile-input tests.
/// Returns once the server has closed the connection (or throws TimedOut).
func sendRawAndAwaitClose(port: Int, bytes: [UInt8], closeOurSide: Bool = false,
                          seconds: Double = 5) async throws {
    let channel: Channel
    do {
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: false)
            .connect(host: "127.0.0.1", port: port).get()
    } catch where "\(error)".contains("reset") {
        return  // A listener that refuses on arrival resets: it may beat our side of the connect.
    }
    if !bytes.isEmpty {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }
    if closeOurSide {
        try? await channel.close(mode: .output).get()
    }
    try await withTimeout(seconds: seconds) { try await channel.closeFuture.get() }
}

/// Proves the server still serves: a fresh good client echoes one message.
func expectEchoWorks(port: Int, cluster: TestCluster, settings: Transport.Settings? = nil) async throws -> Bool {
    let settings = try settings ?? cluster.settings("probe")
    return try await TransportClient.withConnection(host: "127.0.0.1", port: port, settings: settings) { connection in
        try await connection.send(kind: 7, bytes: Array("ping".utf8))
        var iterator = connection.inbound.makeAsyncIterator()
        let reply = try await iterator.next()
        return reply?.kind == 7 && reply.map { String(buffer: $0.payload) } == "ping"
    }
}
