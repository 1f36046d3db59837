import NIOCore
import Testing
import YonkeCore
@testable import Transport

/// Bytes from someone who is not a member, straight onto the listening port:
/// each such connection is closed with a logged reason and the listener keeps
/// serving good clients.
@Suite struct HostileInputTests {
    let cluster = TestCluster()

    static let hello = Frame.wire(kind: FrameKind.hello, payload: [Transport.protocolVersion, 0, 1, 7, 1, 65] + [UInt8](repeating: 9, count: 64)
                                      + [LinkCipher.Set.available.rawValue],
                                  allocator: ByteBufferAllocator())

    @Test(arguments: [
        ("length 2^32-1", [0xFF, 0xFF, 0xFF, 0xFF], false, "frame length 4294967295 exceeds limit"),
        ("length just over the limit", [0x00, 0x11, 0x00, 0x01, 1, 0xF0], false, "frame length 1114113 exceeds limit"),
        ("length zero", [0, 0, 0, 0], false, "frame length 0 is below"),
        ("unknown version", [0, 0, 0, 8, 9, 0xF0, 1, 2], false, "unsupported frame version 9"),
        ("HTTP request", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), false, "exceeds limit"),
        ("truncated header then close", [0, 0, 0], true, "connection closed mid-frame: 3 of 4 bytes"),
        ("truncated body then close", [0, 0, 0, 100, 1, 0xF0, 1, 2, 3], true, "connection closed mid-frame: 9 of 104 bytes"),
        ("application frame before handshake", [0, 0, 0, 3, 1, 5, 0], false, "unexpected frame kind 5 while awaiting hello"),
        ("garbage hello", [0, 0, 0, 6, 1, 0xF0, 1, 2, 3, 4], false, "refused peer: malformed handshake"),
        ("hello from another cluster", Array(hello.readableBytesView), false, "refused peer: cluster id mismatch"),
    ] as [(String, [UInt8], Bool, String)])
    func hostileBytesCloseOnlyThatConnection(name: String, bytes: [UInt8], closeOurSide: Bool, reason: String) async throws {
        let logs = LogStore()
        let server = try cluster.settings("server", logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            try await sendRawAndAwaitClose(port: listener.port, bytes: bytes, closeOurSide: closeOurSide)
            #expect(await logs.waitFor(reason), "\(name): no log line containing '\(reason)' in \(logs.all)")
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing, "\(name): listener stopped serving")
        }
    }

    @Test func randomGarbageNeverCrashesTheListener() async throws {
        let server = try cluster.settings("server")
        var generator = SeededGenerator(seed: 2026)
        let inputs: [[UInt8]] = (0..<20).map { _ in
            (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        try await withServer(server, handler: echoHandler) { listener in
            for input in inputs {
                // Some garbage is a plausible prefix that waits for more: half-close then.
                try await sendRawAndAwaitClose(port: listener.port, bytes: input, closeOurSide: true)
            }
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing)
        }
    }

    @Test func silentConnectionTimesOutInTheHandshake() async throws {
        var limits = Transport.Limits.test
        limits.handshakeTimeoutMilliseconds = 200
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            let started = ContinuousClock.now
            try await sendRawAndAwaitClose(port: listener.port, bytes: [])
            #expect(ContinuousClock.now - started >= .milliseconds(150))
            #expect(await logs.waitFor("handshake not finished within 200 ms"))
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing)
        }
    }

    @Test func handshakeFloodIsBoundedAndMembersStillGetIn() async throws {
        var limits = Transport.Limits.test
        limits.maxPendingHandshakes = 2
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            let silent = [try await rawConnect(port: listener.port), try await rawConnect(port: listener.port)]
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            try await sendRawAndAwaitClose(port: listener.port, bytes: [], seconds: 1.5)
            #expect(ContinuousClock.now - started < .milliseconds(1_500), "dropped on arrival, not by the handshake timer")
            #expect(await logs.waitFor("127.0.0.1 already has 2 handshakes in progress"))
            for channel in silent { try await channel.close() }
            try await Task.sleep(for: .milliseconds(100))
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing)
        }
    }

    @Test func silentConnectionDoesNotBlockOthers() async throws {
        let server = try cluster.settings("server")
        try await withServer(server, handler: echoHandler) { listener in
            let silent = try await rawConnect(port: listener.port)
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing)
            #expect(silent.isActive)
            try await silent.close()
        }
    }

    @Test func logLinesNameTheNode() async throws {
        let logs = LogStore()
        let server = try cluster.settings("node-a", logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            try await sendRawAndAwaitClose(port: listener.port, bytes: [0xFF, 0xFF, 0xFF, 0xFF])
            #expect(await logs.waitFor("exceeds limit"))
        }
        let line = try #require(logs.all.first { $0.contains("exceeds limit") })
        #expect(line.contains("node=node-a"))
        #expect(line.contains("peer-address="))
    }
}
