import YonkeProtocol
import YonkeClient
import Logging
import NIOCore
import Synchronization
import Testing
import Transport
@testable import Node

/// RPC over real authenticated links on 127.0.0.1.
struct RPCTests {
    final class EchoHandler: NodeMessageHandler {
        let oneWays = Mutex<[UInt32]>([])

        func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
            switch op {
            case 1: return payload
            case 2: throw RPCFailure(.notFound, "no such thing on the server")
            case 3:
                try await Task.sleep(for: .seconds(5))
                return payload
            default: throw RPCFailure(.unknownOperation, "op \(op)")
            }
        }

        func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {
            var payload = payload
            if let value = try? payload.readWireInteger("n", as: UInt32.self) { oneWays.withLock { $0.append(value) } }
        }

        func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {}
    }

    static let secrets = try! ClusterSecrets.generate()

    static func settings(_ name: String, secrets: ClusterSecrets = secrets) throws -> Transport.Settings {
        try Transport.Settings(nodeName: name, identity: try NodeIdentity.generate(), clusterID: secrets.clusterID,
                               joinToken: secrets.joinToken, limits: .test, logger: Logger(label: "test"))
    }

    func withServer(_ handler: EchoHandler, _ body: (PeerDirectory.Address) async throws -> Void) async throws {
        let server = try await NodeServer.bind(host: "127.0.0.1", port: 0, settings: try Self.settings("server"), handler: handler)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        try await body(PeerDirectory.Address(host: "127.0.0.1", port: server.port))
        await server.close()
    }

    @Test func requestsFailuresTimeoutsAndOneWaysInOrder() async throws {
        let handler = EchoHandler()
        try await withServer(handler) { address in
            let (link, task) = try await RPCConnector.open(
                address, expectedName: "server", settings: try Self.settings("client"), handler: RefusingHandler(),
                logger: Logger(label: "test"), timeout: .seconds(3))
            defer { task.cancel() }
            var payload = ByteBuffer()
            payload.writeWireString("hello")
            var answer = try await link.call(op: 1, payload: payload, timeout: .seconds(3))
            #expect(try answer.readWireString("echo") == "hello")

            await #expect(throws: RPCFailure(.notFound, "no such thing on the server")) {
                try await link.call(op: 2, payload: ByteBuffer(), timeout: .seconds(3))
            }
            let failure = await #expect(throws: RPCFailure.self) {
                try await link.call(op: 3, payload: ByteBuffer(), timeout: .milliseconds(200))
            }
            #expect(failure?.code == .timeout)

            // Concurrent calls on one link each get their own answer.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<50 {
                    group.addTask {
                        var request = ByteBuffer()
                        request.writeWireString("call \(i)")
                        var reply = try await link.call(op: 1, payload: request, timeout: .seconds(3))
                        #expect(try reply.readWireString("echo") == "call \(i)")
                    }
                }
                try await group.waitForAll()
            }

            for i in 0..<100 as Range<UInt32> {
                var message = ByteBuffer()
                message.writeWireInteger(i)
                try await link.sendOneWay(channel: .raft, payload: message)
            }
            _ = try await link.call(op: 1, payload: ByteBuffer(), timeout: .seconds(3))
            for _ in 0..<100 where handler.oneWays.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(handler.oneWays.withLock { $0 } == Array(0..<100))
        }
    }

    @Test func wrongNameAndWrongTokenAreRefused() async throws {
        try await withServer(EchoHandler()) { address in
            await #expect(throws: (any Error).self) {
                _ = try await RPCConnector.open(
                    address, expectedName: "someone-else", settings: try Self.settings("client"),
                    handler: RefusingHandler(), logger: Logger(label: "test"), timeout: .seconds(3))
            }
            let stranger = try ClusterSecrets.generate()
            await #expect(throws: (any Error).self) {
                _ = try await RPCConnector.open(
                    address, expectedName: nil, settings: try Self.settings("client", secrets: stranger),
                    handler: RefusingHandler(), logger: Logger(label: "test"), timeout: .seconds(3))
            }
        }
    }

    @Test func clientFallsOverToTheNextEndpoint() async throws {
        try await withServer(EchoHandler()) { address in
            // Port 1 on loopback refuses connections: the client must move on.
            let client = try ClusterClient(
                endpoints: [PeerDirectory.Address(host: "127.0.0.1", port: 1), address],
                settings: try Self.settings("client"), logger: Logger(label: "test"))
            var payload = ByteBuffer()
            payload.writeWireString("x")
            var reply = try await client.call(op: 1, payload: payload)
            #expect(try reply.readWireString("echo") == "x")
            #expect(await client.connectedNode == "server")
            await client.close()
        }
    }

    @Test func secretsFileRoundTrips() throws {
        let secrets = try ClusterSecrets.generate()
        let parsed = try ClusterSecrets.parse(secrets.fileContents(), path: "test")
        #expect(parsed.clusterID == secrets.clusterID)
        #expect(parsed.joinToken == secrets.joinToken)
        #expect(throws: (any Error).self) { try ClusterSecrets.parse("cluster-id: 00\n", path: "test") }
    }
}
