import YonkeProtocol
import YonkeClient
import Logging
import NIOCore
import Synchronization
import Testing
import Transport
@testable import Node

/// Requests in flight on one link: an honest caller is held back (and every
/// call succeeds), a peer that ignores the bound gets a typed refusal.
struct RPCInFlightTests {
    /// Answers after 50 ms and remembers how many it ran at once.
    final class SlowHandler: NodeMessageHandler {
        let running = Mutex(0)
        let mostRunning = Mutex(0)

        func handleRequest(op: UInt16, payload: ByteBuffer, from peer: Peer) async throws -> ByteBuffer {
            let now = running.withLock { $0 += 1; return $0 }
            mostRunning.withLock { $0 = max($0, now) }
            defer { running.withLock { $0 -= 1 } }
            try await Task.sleep(for: .milliseconds(op == 9 ? 2_000 : 50))
            return payload
        }

        func handleOneWay(channel: OneWayChannel, payload: ByteBuffer, from peer: Peer) async {}
        func handleStream(first: Transport.Message, inbound: Connection.Inbound.AsyncIterator, connection: Connection) async throws {}
    }

    func withServer(_ handler: SlowHandler, _ body: (PeerDirectory.Address) async throws -> Void) async throws {
        let server = try await NodeServer.bind(host: "127.0.0.1", port: 0, settings: try RPCTests.settings("server"), handler: handler)
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        try await body(PeerDirectory.Address(host: "127.0.0.1", port: server.port))
        await server.close()
    }

    @Test func anHonestCallerWaitsForASlotAndEveryCallSucceeds() async throws {
        let handler = SlowHandler()
        try await withServer(handler) { address in
            let (link, task) = try await RPCConnector.open(
                address, expectedName: "server", settings: try RPCTests.settings("client"), handler: RefusingHandler(),
                logger: Logger(label: "test"), timeout: .seconds(3))
            defer { task.cancel() }
            let calls = 3 * RPCLink.callsInFlightMax
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<calls {
                    group.addTask {
                        var request = ByteBuffer()
                        request.writeWireString("call \(i)")
                        var reply = try await link.call(op: 1, payload: request, timeout: .seconds(10))
                        return try reply.readWireString("echo") == "call \(i)"
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(answered == calls)
            #expect(handler.mostRunning.withLock { $0 } <= RPCLink.callsInFlightMax)
        }
    }

    @Test func aPeerIgnoringTheBoundIsRefusedWithATypedError() async throws {
        let handler = SlowHandler()
        try await withServer(handler) { address in
            let sent = RPCLink.servedInFlightMax + 20
            let codes = try await TransportClient.withConnection(
                host: address.host, port: address.port, settings: try RPCTests.settings("abuser")
            ) { connection -> [UInt8] in
                // Raw requests, one after another without waiting for answers.
                for id in 1...UInt64(sent) {
                    var message = ByteBuffer()
                    message.writeWireInteger(id)
                    message.writeWireInteger(UInt16(9))
                    try await connection.send(kind: MessageKind.request, payload: message)
                }
                // The refusals come at once; the served ones after 2 s.
                var codes: [UInt8] = []
                var inbound = connection.inbound.makeAsyncIterator()
                while codes.count < 20, let message = try await inbound.next() {
                    var payload = message.payload
                    _ = try payload.readWireInteger("id", as: UInt64.self)
                    codes.append(try payload.readWireInteger("status", as: UInt8.self))
                }
                return codes
            }
            #expect(codes == Array(repeating: RPCFailure.Code.tooManyRequests.rawValue, count: 20))
            #expect(handler.mostRunning.withLock { $0 } <= RPCLink.servedInFlightMax)
        }
    }
}
