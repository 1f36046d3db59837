import Foundation
import NIOCore
import Testing
@testable import Transport

/// Not a timed test: prints MiB/s of 1 MiB frames over one loopback link.
/// Off unless asked for, and meaningful only in release:
/// `YONKE_TRANSPORT_THROUGHPUT=1024 swift test -c release --filter TransportThroughput`
@Suite struct TransportThroughput {
    static let frames = ProcessInfo.processInfo.environment["YONKE_TRANSPORT_THROUGHPUT"].flatMap { Int($0) }

    @Test(.enabled(if: frames != nil))
    func mebibyteFramesOverLoopback() async throws {
        let frames = Self.frames ?? 0
        let cluster = TestCluster()
        let server = try cluster.settings("server"), client = try cluster.settings("client")
        let payload = ByteBuffer(repeating: 0x5A, count: 1 << 20)
        let seconds = try await withServer(server, handler: { connection in
            var count = 0
            for try await message in connection.inbound where message.payload.readableBytes == 1 << 20 {
                count += 1
                if count == frames { try await connection.send(kind: 1, bytes: [1]) }
            }
        }) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client) { connection in
                let start = ContinuousClock.now
                for _ in 0..<frames { try await connection.send(kind: 2, payload: payload) }
                var iterator = connection.inbound.makeAsyncIterator()
                #expect(try await iterator.next()?.kind == 1)
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
        }
        print("transport: \(frames) x 1 MiB sealed frames in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", Double(frames) / seconds)) MiB/s")
    }
}
