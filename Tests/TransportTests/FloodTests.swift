import NIOCore
import NIOPosix
import Synchronization
import Testing
import YonkeCore
@testable import Transport

/// Strangers holding connections open: bounded per source, in total and in
/// time, and never at the expense of members or of other sources. Loopback
/// addresses other than 127.0.0.1 stand in for other machines (Linux routes
/// all of 127/8 to `lo`).
@Suite struct FloodTests {
    let cluster = TestCluster()

    /// A raw connection from `source` (a loopback address) that says nothing.
    func connect(from source: String, port: Int) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// A connection the listener refuses on arrival: it resets, which may
    /// even beat our side of the connect.
    func isRefused(from source: String, port: Int) async -> Bool {
        do {
            return await isClosedSoon(try await connect(from: source, port: port))
        } catch {
            return "\(error)".contains("reset")
        }
    }

    /// Polls: waiting on `closeFuture` cannot be cancelled, and would hold the test until the deadline.
    func isClosedSoon(_ channel: Channel, seconds: Double = 1) async -> Bool {
        for _ in 0..<Int(seconds * 50) {
            if !channel.isActive { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !channel.isActive
    }

    @Test func oversizedFrameBeforeAuthenticationIsRefusedOnItsLengthAlone() async throws {
        let logs = LogStore()
        let server = try cluster.settings("server", logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            // Only the 6-byte header of a 64 KiB hello: a decoder that waited to
            // buffer the body would hold the connection until the deadline.
            let started = ContinuousClock.now
            try await sendRawAndAwaitClose(port: listener.port, bytes: [0, 1, 0, 2, 1, 0xF0], seconds: 1.5)
            #expect(ContinuousClock.now - started < .milliseconds(1_000), "closed on the length, not by the handshake timer")
            #expect(await logs.waitFor("frame length 65538 exceeds limit 4096"), "\(logs.all)")
            #expect(try await expectEchoWorks(port: listener.port, cluster: cluster))
        }
    }

    @Test func authenticatedLinksStillCarryFullSizeFrames() async throws {
        let server = try cluster.settings("server")
        try await withServer(server, handler: echoHandler) { listener in
            let client = try cluster.settings("client")
            let big = [UInt8](repeating: 0x5A, count: client.limits.maxPayloadBytes)
            let echoed = try await TransportClient.withConnection(host: "127.0.0.1", port: listener.port, settings: client) { connection in
                try await connection.send(kind: 3, bytes: big)
                var inbound = connection.inbound.makeAsyncIterator()
                return try await inbound.next().map { Array($0.payload.readableBytesView) }
            }
            #expect(echoed == big)
        }
    }

    @Test func oneSourceIsHeldToItsShareAndOthersStillGetIn() async throws {
        var limits = Transport.Limits.test
        limits.maxPendingHandshakesPerSource = 4
        limits.maxPendingHandshakes = 64
        limits.handshakeTimeoutMilliseconds = 20_000  // the held ones must outlive the test
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            var held: [Channel] = []
            for _ in 0..<4 { held.append(try await connect(from: "127.0.0.2", port: listener.port)) }
            // The listener counts a connection when it accepts it, not when our connect returns.
            #expect(await pending(listener, reaches: 4))
            #expect(await isRefused(from: "127.0.0.2", port: listener.port), "a fifth from one source is closed on arrival")
            #expect(await logs.waitFor("127.0.0.2 already has 4 handshakes in progress"))
            // Another machine, and a member from the usual address, are not affected.
            let neighbour = try await connect(from: "127.0.0.3", port: listener.port)
            #expect(!(await isClosedSoon(neighbour, seconds: 0.2)))
            #expect(try await expectEchoWorks(port: listener.port, cluster: cluster))
            #expect(held.allSatisfy { $0.isActive }, "the source keeps its share until the deadline")
            for channel in held + [neighbour] { try? await channel.close() }
        }
    }

    @Test func fullGateFavoursANewSourceOverTheBusiestOne() async throws {
        var limits = Transport.Limits.test
        limits.maxPendingHandshakesPerSource = 4
        limits.maxPendingHandshakes = 6
        limits.handshakeTimeoutMilliseconds = 20_000
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            var flood: [Channel] = []
            for _ in 0..<4 { flood.append(try await connect(from: "127.0.0.2", port: listener.port)) }
            var quieter: [Channel] = []
            for _ in 0..<2 { quieter.append(try await connect(from: "127.0.0.3", port: listener.port)) }
            #expect(await pending(listener, reaches: 6))
            // The gate is full (127.0.0.2: 4, 127.0.0.3: 2): a member from a third
            // address still gets in, by evicting the busiest source's oldest.
            #expect(try await expectEchoWorks(port: listener.port, cluster: cluster))
            // (Which one is oldest is the listener's arrival order, not our connect order.)
            #expect(await closedCount(flood, reaches: 1), "one of the busiest source made room")
            #expect(await logs.waitFor("made room for a connection from a quieter source"))
            #expect(await pending(listener, reaches: 5))
            flood.append(try await connect(from: "127.0.0.2", port: listener.port))
            #expect(await pending(listener, reaches: 6))
            // Full again (4 and 2): the quieter source takes the busier one's oldest...
            quieter.append(try await connect(from: "127.0.0.3", port: listener.port))
            #expect(await closedCount(flood, reaches: 2), "127.0.0.3 (2) is quieter than 127.0.0.2 (4)")
            // ...and now that both hold 3, neither may evict the other.
            #expect(await isRefused(from: "127.0.0.2", port: listener.port), "the busiest source is refused when full")
            #expect(await logs.waitFor("6 handshakes already in progress"), "\(logs.all)")
            #expect(flood.filter { !$0.isActive }.count == 2 && quieter.allSatisfy { $0.isActive })
            for channel in flood + quieter { try? await channel.close() }
        }
    }

    /// Polls until `count` of `channels` are closed.
    func closedCount(_ channels: [Channel], reaches count: Int) async -> Bool {
        for _ in 0..<50 {
            if channels.filter({ !$0.isActive }).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return channels.filter { !$0.isActive }.count >= count
    }

    /// Accepting is asynchronous: wait until the listener holds `count` pending handshakes.
    func pending(_ listener: TransportServer, reaches count: Int) async -> Bool {
        for _ in 0..<150 {
            if listener.gate.pendingCount == count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return listener.gate.pendingCount == count
    }

    @Test func tricklingStrangerIsDroppedAtTheDeadlineHoweverItTrickles() async throws {
        var limits = Transport.Limits.test
        limits.handshakeTimeoutMilliseconds = 600
        let logs = LogStore()
        let server = try cluster.settings("server", limits: limits, logs: logs)
        try await withServer(server, handler: echoHandler) { listener in
            let channel = try await connect(from: "127.0.0.2", port: listener.port)
            let started = ContinuousClock.now
            // A plausible hello, one byte every 50 ms: never a whole frame in time.
            let hello = Array(HostileInputTests.hello.readableBytesView)
            let trickle = Task {
                for byte in hello {
                    guard channel.isActive else { return }
                    try? await channel.writeAndFlush(ByteBuffer(bytes: [byte])).get()
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            try await withTimeout(seconds: 3) { try await channel.closeFuture.get() }
            trickle.cancel()
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(500) && elapsed < .milliseconds(1_500), "dropped after \(elapsed)")
            #expect(await logs.waitFor("handshake not finished within 600 ms"))
            #expect(try await expectEchoWorks(port: listener.port, cluster: cluster))
        }
    }

    @Test func silentStrangerIsNotSentAHello() async throws {
        let server = try cluster.settings("server")
        try await withServer(server, handler: echoHandler) { listener in
            let received = ReceivedBytes()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteCounter(received: received))
                    }
                }
                .connect(host: "127.0.0.1", port: listener.port).get()
            try await Task.sleep(for: .milliseconds(300))
            #expect(received.count.withLock { $0 } == 0, "the listener answers a hello, it does not volunteer one")
            try await channel.close()
        }
    }

    @Test func listenerHoldsItsPendingHandshakesBelowTheDescriptorLimit() {
        let plenty = DescriptorLimit.Values(soft: 1 << 20, hard: 1 << 20)
        #expect(DescriptorLimit.pendingHandshakeLimit(configured: 8_192, descriptors: plenty) == 8_192)
        let tight = DescriptorLimit.Values(soft: 4_096, hard: 4_096)
        #expect(DescriptorLimit.pendingHandshakeLimit(configured: 8_192, descriptors: tight) == 4_096 - 1_024)
        let starved = DescriptorLimit.Values(soft: 256, hard: 256)
        #expect(DescriptorLimit.pendingHandshakeLimit(configured: 8_192, descriptors: starved) == 16)
        #expect(DescriptorLimit.pendingHandshakeLimit(configured: 6, descriptors: starved) == 6)
        let values = DescriptorLimit.raiseSoftToHard()
        #expect(values.map { $0.soft == $0.hard } == true, "soft limit raised to the hard one: \(String(describing: values))")
    }
}

/// The gate's bookkeeping alone.
@Suite struct HandshakeGateBookTests {
    let a = HandshakeSource(prefix: [10, 0, 0, 1])
    let b = HandshakeSource(prefix: [10, 0, 0, 2])
    let c = HandshakeSource(prefix: [10, 0, 0, 3])

    final class Evictions: Sendable {
        let names = Mutex<[String]>([])
        var log: [String] { names.withLock { $0 } }
        func evict(_ name: String) -> @Sendable () -> Void { { self.names.withLock { $0.append(name) } } }
    }

    @Test func perSourceLimitRefusesOnlyThatSource() {
        var book = HandshakeGate.Book(limit: 10, perSourceLimit: 2)
        #expect(admitted(book.enter(source: a, evict: {}).0))
        #expect(admitted(book.enter(source: a, evict: {}).0))
        #expect(book.enter(source: a, evict: {}).0 == .sourceFull(a, limit: 2))
        #expect(admitted(book.enter(source: b, evict: {}).0))
        #expect(book.total == 3)
    }

    @Test func fullGateEvictsTheOldestOfTheBusiestSource() {
        let evictions = Evictions()
        var book = HandshakeGate.Book(limit: 4, perSourceLimit: 4)
        var tickets: [HandshakeGate.Ticket] = []
        for i in 0..<3 { tickets.append(ticket(book.enter(source: a, evict: evictions.evict("a\(i)")).0)) }
        tickets.append(ticket(book.enter(source: b, evict: evictions.evict("b0")).0))
        // Full (a: 3, b: 1). c has none: it takes a's oldest.
        let (admission, evicted) = book.enter(source: c, evict: evictions.evict("c0"))
        #expect(admitted(admission))
        evicted?()
        #expect(evictions.log == ["a0"])
        // b (1) is quieter than a (2): it takes a's next oldest.
        let second = book.enter(source: b, evict: {})
        second.1?()
        #expect(evictions.log == ["a0", "a1"])
        // Now a: 1, b: 2, c: 1. b is the busiest and may not evict itself or the others.
        #expect(book.enter(source: b, evict: {}).0 == .gateFull(limit: 4))
        // An evicted ticket leaving later changes nothing.
        book.leave(tickets[0])
        #expect(book.total == 4)
        book.leave(tickets[2])
        #expect(book.total == 3 && book.count(of: a) == 0)
    }

    func admitted(_ admission: HandshakeGate.Admission) -> Bool {
        if case .admitted = admission { return true }
        return false
    }

    func ticket(_ admission: HandshakeGate.Admission) -> HandshakeGate.Ticket {
        guard case .admitted(let ticket) = admission else { return HandshakeGate.Ticket(id: 0, source: a) }
        return ticket
    }
}

@Suite struct HandshakeSourceTests {
    @Test func ipv6SourcesAreTheirSlash64AndMappedIPv4IsIPv4() throws {
        let one = HandshakeSource(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1))
        let two = HandshakeSource(try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 2))
        let other = HandshakeSource(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1))
        #expect(one == two && one != other)
        #expect("\(one)" == "2001:db8:1:2::/64")
        let mapped = HandshakeSource(try SocketAddress(ipAddress: "::ffff:10.1.2.3", port: 1))
        let v4 = HandshakeSource(try SocketAddress(ipAddress: "10.1.2.3", port: 9))
        #expect(mapped == v4 && "\(v4)" == "10.1.2.3")
    }
}

final class ReceivedBytes: Sendable {
    let count = Mutex(0)
}

/// Counts what the other side sends.
final class ByteCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received: ReceivedBytes
    init(received: ReceivedBytes) { self.received = received }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytes
        received.count.withLock { $0 += bytes }
    }
}
