import NIOCore
import Synchronization
import Testing
import YonkeCore
@testable import Transport

/// Real sockets on 127.0.0.1: authenticated links, refusals, integrity, faults.
@Suite struct LinkTests {
    let cluster = TestCluster()

    /// `count` distinct 1 MiB payloads from a seed, so every frame's bytes are checkable.
    static func payloads(count: Int, seed: UInt64) -> [ByteBuffer] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for _ in 0..<(1 << 17) { buffer.writeInteger(generator.next()) }
            return buffer
        }
    }

    @Test func manyMebibyteFramesEchoIntact() async throws {
        let server = try cluster.settings("server")
        let client = try cluster.settings("client")
        let distinct = Self.payloads(count: 4, seed: 7)
        let frameCount = 48
        let received = try await withServer(server, handler: echoHandler) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client,
                                                     expectedPeerKey: server.identity.publicKey) { connection in
                #expect(connection.peer == Peer(name: "server", publicKey: server.identity.publicKey))
                return try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        for index in 0..<frameCount {
                            try await connection.send(kind: UInt8(index % 200), payload: distinct[index % distinct.count])
                        }
                        return 0
                    }
                    group.addTask {
                        var intact = 0
                        var iterator = connection.inbound.makeAsyncIterator()
                        for index in 0..<frameCount {
                            let message = try #require(try await iterator.next())
                            if message.kind == UInt8(index % 200), message.payload == distinct[index % distinct.count] {
                                intact += 1
                            }
                        }
                        return intact
                    }
                    return try await group.reduce(0, +)
                }
            }
        }
        #expect(received == frameCount)
    }

    @Test func manyClientsAtOnce() async throws {
        let server = try cluster.settings("server")
        let cluster = self.cluster
        let echoed = try await withServer(server, handler: echoHandler) { listener in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<16 {
                    group.addTask {
                        try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port,
                                                                 settings: try cluster.settings("c\(client)")) { connection in
                            var iterator = connection.inbound.makeAsyncIterator()
                            var good = 0
                            for index in 0..<10 {
                                let bytes = [UInt8(client), UInt8(index)]
                                try await connection.send(kind: UInt8(index), bytes: bytes)
                                let reply = try await iterator.next()
                                if reply?.kind == UInt8(index), reply.map({ Array($0.payload.readableBytesView) }) == bytes {
                                    good += 1
                                }
                            }
                            return good
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        #expect(echoed == 160)
    }

    @Test func serverSeesTheAuthenticatedClient() async throws {
        let server = try cluster.settings("server")
        let client = try cluster.settings("worker-7")
        let seen = Mutex<Peer?>(nil)
        try await withServer(server, handler: { connection in
            seen.withLock { $0 = connection.peer }
            try await echoHandler(connection)
        }) { listener in
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster, settings: client)
            #expect(stillServing)
        }
        #expect(seen.withLock { $0 } == Peer(name: "worker-7", publicKey: client.identity.publicKey))
    }

    /// A refusal both sides can observe: the caller gets a typed error, the
    /// server's handler never runs, the server keeps serving.
    func expectRefused(server: Transport.Settings, client: Transport.Settings,
                       expectedPeerKey: NodePublicKey? = nil, probe: Transport.Settings? = nil,
                       _ matches: @escaping @Sendable (TransportError) -> Bool) async throws {
        let handled = Mutex(0)
        let cluster = self.cluster
        try await withServer(server, handler: { connection in
            handled.withLock { $0 += 1 }
            try await echoHandler(connection)
        }) { listener in
            await #expect { 
                try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client,
                                                         expectedPeerKey: expectedPeerKey) { _ in }
            } throws: { error in
                guard let error = error as? TransportError else { return false }
                return matches(error)
            }
            #expect(handled.withLock { $0 } == 0)
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster, settings: probe)
            #expect(stillServing)
        }
    }

    @Test func clientWithoutTheTokenIsRefused() async throws {
        let logs = LogStore()
        try await expectRefused(server: try cluster.settings("server", logs: logs),
                                client: try cluster.settings("intruder", token: "guess")) {
            // What `yonke node join` prints comes straight from the description.
            $0.description.hasPrefix("refused: join token mismatch")
                && $0 == .refusedByPeer(.joinTokenMismatch, detail: "peer intruder does not hold this cluster's join token")
        }
        #expect(logs.contains("closing link: refused peer: join token mismatch"))
    }

    @Test func serverWithoutTheTokenIsRefused() async throws {
        // The client proves first, so the impostor server cannot open the proof:
        // it refuses too, and never learns anything the real token would give.
        try await expectRefused(server: try cluster.settings("server", token: "other"),
                                client: try cluster.settings("client"),
                                probe: try cluster.settings("probe", token: "other")) { error in
            if case .refusedByPeer(.joinTokenMismatch, _) = error { return true }
            return false
        }
    }

    @Test func otherClusterIsRefused() async throws {
        try await expectRefused(server: try cluster.settings("server"),
                                client: try cluster.settings("client", clusterID: [1, 2, 3])) { error in
            switch error {
            case .refused(.clusterMismatch, _), .refusedByPeer(.clusterMismatch, _): return true
            default: return false
            }
        }
    }

    @Test func pinnedIdentityMismatchIsRefused() async throws {
        try await expectRefused(server: try cluster.settings("server"), client: try cluster.settings("client"),
                                expectedPeerKey: try NodeIdentity.generate().publicKey) { error in
            if case .refused(.unexpectedIdentity, _) = error { return true }
            return false
        }
    }

    @Test func admissionPolicyRefusalReachesTheClient() async throws {
        var server = try cluster.settings("server")
        server.admit = { $0.name == "w1" ? "name w1 is taken by another key" : nil }
        try await expectRefused(server: server, client: try cluster.settings("w1")) {
            $0 == .refusedByPeer(.notAdmitted, detail: "name w1 is taken by another key")
        }
    }

    @Test func tamperedCiphertextClosesTheLink() async throws {
        let logs = LogStore()
        let server = try cluster.settings("server", logs: logs)
        var tampering = try cluster.settings("client")
        // Frame 0 is the client's proof; flip one ciphertext byte of frame 3.
        tampering.tamperSealedFrame = { index, bytes in if index == 3 { bytes[10] ^= 0x40 } }
        let client = tampering
        let serverSaw = Mutex<(messages: Int, error: TransportError?)>((0, nil))
        try await withServer(server, handler: { connection in
            do {
                for try await message in connection.inbound {
                    if connection.peer.name == "client" { serverSaw.withLock { $0.messages += 1 } }
                    try? await connection.send(kind: message.kind, payload: message.payload)
                }
            } catch let error as TransportError {
                serverSaw.withLock { $0.error = error }
            }
        }) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port,
                                                     settings: client) { connection in
                for index in 0..<5 { try? await connection.send(kind: 1, bytes: [UInt8(index)]) }
                // The server closes the link: our inbound ends instead of hanging.
                await #expect(throws: (any Error).self) {
                    for try await _ in connection.inbound {}
                    throw TransportError.connectionClosed
                }
            }
            #expect(await logs.waitFor("sealed frame #3 failed authentication"))
            let stillServing = try await expectEchoWorks(port: listener.port, cluster: cluster)
            #expect(stillServing)
        }
        // Messages 0 and 1 rode frames 1 and 2; message 2 was frame 3.
        #expect(serverSaw.withLock { $0.messages } == 2)
        #expect(serverSaw.withLock { $0.error } == .authenticationFailed(frameIndex: 3))
    }

    @Test func oversizedPayloadIsRejectedBeforeSending() async throws {
        let server = try cluster.settings("server")
        try await withServer(server, handler: echoHandler) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port,
                                                     settings: try cluster.settings("client")) { connection in
                let limit = connection.maxPayloadBytes
                await #expect(throws: TransportError.payloadTooLarge(bytes: limit + 1, limitBytes: limit)) {
                    try await connection.send(kind: 1, bytes: [UInt8](repeating: 0, count: limit + 1))
                }
                await #expect(throws: TransportError.reservedKind(0xF0)) {
                    try await connection.send(kind: 0xF0, bytes: [1])
                }
                // The link is still good afterwards.
                try await connection.send(kind: 2, bytes: [UInt8](repeating: 1, count: limit))
                var iterator = connection.inbound.makeAsyncIterator()
                #expect(try await iterator.next()?.payload.readableBytes == limit)
            }
        }
    }

    @Test func idleLinkIsClosed() async throws {
        var limits = Transport.Limits.test
        limits.idleTimeoutMilliseconds = 200
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            let started = ContinuousClock.now
            try? await TransportClient.withConnection(host: "127.0.0.1", port: listener.port,
                                                      settings: try cluster.settings("client")) { connection in
                for try await _ in connection.inbound {}
            }
            #expect(ContinuousClock.now - started >= .milliseconds(150))
            #expect(await logs.waitFor("no traffic for 200 ms"))
        }
    }

    @Test func droppedTrafficNeverArrivesAndHealingRestoresIt() async throws {
        let faults = FaultInjector(seed: 1), serverFaults = FaultInjector(seed: 2)
        let server = try cluster.settings("server", faults: serverFaults)
        let client = try cluster.settings("client", faults: faults)
        try await withServer(server, handler: echoHandler) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client) { connection in
                var iterator = connection.inbound.makeAsyncIterator()
                faults.set(.dropAll, peer: "server", direction: .outbound)
                for index in 0..<3 { try await connection.send(kind: 1, bytes: [UInt8(index)]) }
                faults.clear(peer: "server")
                try await connection.send(kind: 2, bytes: [42])
                let first = try await iterator.next()
                #expect(first?.kind == 2 && first.map { Array($0.payload.readableBytesView) } == [42])

                // One-way inbound drop at the server, whose reader pulls continuously.
                serverFaults.set(.dropAll, peer: "client", direction: .inbound)
                try await connection.send(kind: 3, bytes: [1])
                try await Task.sleep(for: .milliseconds(100))
                serverFaults.clear(peer: "client")
                try await connection.send(kind: 4, bytes: [2])
                #expect(try await iterator.next()?.kind == 4)
            }
        }
    }

    @Test func delayedTrafficArrivesLate() async throws {
        let faults = FaultInjector(seed: 1)
        let server = try cluster.settings("server")
        let client = try cluster.settings("client", faults: faults)
        try await withServer(server, handler: echoHandler) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client) { connection in
                var iterator = connection.inbound.makeAsyncIterator()
                faults.set(.init(delayMilliseconds: 150), peer: "server", direction: .outbound)
                let started = ContinuousClock.now
                try await connection.send(kind: 1, bytes: [1])
                #expect(try await iterator.next()?.kind == 1)
                #expect(ContinuousClock.now - started >= .milliseconds(150))
            }
        }
    }

    /// A reader that stops reading stops the sender: nothing is buffered whole.
    @Test func slowReaderPushesBackOnTheSender() async throws {
        let server = try cluster.settings("server")
        let release = AsyncStream<Void>.makeStream()
        let frame = Self.payloads(count: 1, seed: 3)[0]
        let total = 200
        try await withServer(server, handler: { connection in
            for await _ in release.stream { break }
            for try await _ in connection.inbound {}
        }) { listener in
            try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port,
                                                     settings: try cluster.settings("client")) { connection in
                let sent = Mutex(0)
                let sender = Task {
                    for _ in 0..<total {
                        try await connection.send(kind: 1, payload: frame)
                        sent.withLock { $0 += 1 }
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                let stalledAt = sent.withLock { $0 }
                // Socket buffers on loopback hold a few MiB, the reader's queue
                // `inboundHighWatermarkFrames`: far less than 64 MiB.
                #expect(stalledAt < total / 2, "sender got \(stalledAt) MiB out with nobody reading")
                release.continuation.yield()
                try await sender.value
                #expect(sent.withLock { $0 } == total)
            }
        }
    }
}
