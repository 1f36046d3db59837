import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Testing
import Topology
@testable import Node

/// `/metrics` over a real socket on real nodes.
@Suite(.serialized)
struct MetricsServerTests {
    @Test func metricsAreServedAndBadRequestsNeverHurtTheNode() async throws {
        let cluster = try BlockTestCluster()
        let ports = Dictionary(uniqueKeysWithValues: try cluster.topology.machines.map { ($0.name, try TestPorts.take()) })
        cluster.configure = { config in config.metricsAddress = .init(host: "127.0.0.1", port: ports[config.name]!) }
        try await cluster.start()
        let client = try cluster.blockClient()
        let endpoints = try cluster.clusterClient(["m1"])
        let encoded = try cluster.block(1 << 20, seed: 31)
        _ = try await client.put(encoded: encoded.bytes, id: encoded.id, cluster: endpoints)
        #expect(cluster.node("m1").metricsPort == ports["m1"])

        // Gossip needs a few periods before every member is alive in m1's view.
        var page = ""
        try await eventually("m1 sees four alive members", timeout: .seconds(15)) {
            page = try await HTTPProbe.get("/metrics", port: ports["m1"]!).body
            return Self.value(page, "yonke_gossip_members", ["node": "m1", "state": "alive"]) == 4
        }
        let response = try await HTTPProbe.get("/metrics", port: ports["m1"]!)
        #expect(response.status == 200)
        #expect(response.head.lowercased().contains("content-type: text/plain; version=0.0.4"))
        page = response.body
        #expect(try #require(Self.value(page, "yonke_raft_term", ["node": "m1"])) >= 1)
        #expect(Self.value(page, "yonke_raft_is_master", ["node": "m1"]) == 1)
        #expect(try #require(Self.value(page, "yonke_raft_commit_index", ["node": "m1"])) >= 1)
        #expect(Self.value(page, "yonke_disk_capacity_bytes", ["node": "m1", "class": "ssd"]) == Double(256 << 20))
        #expect(Self.value(page, "yonke_cluster_missing_blocks", ["node": "m1"]) == 0)
        #expect(try #require(Self.value(page, "yonke_transport_sent_bytes_total", ["node": "m1"])) > 0)
        #expect(try #require(Self.value(page, "yonke_rpc_requests_total", ["node": "m1", "service": "blocks"])) >= 1)
        #expect(page.contains("# TYPE yonke_scrub_verified_blocks_total counter"))
        #expect(page.contains("# HELP yonke_disk_free_bytes "))
        let families = page.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] }
        #expect(families.count >= 20 && families == families.sorted(), "families in a stable order: \(families)")

        // A holder's figures match its store; only the master reports cluster figures.
        let holder = try #require(["m1", "w2", "w3", "w4"].first { cluster.node($0).blocks.holds(encoded.id) && $0 != "m1" })
        let holderPage = try await HTTPProbe.get("/metrics", port: ports[holder]!).body
        let usage = cluster.node(holder).blocks.diskUsage[0]
        #expect(Self.value(holderPage, "yonke_blocks_held", ["node": holder]) == 1)
        #expect(Self.value(holderPage, "yonke_disk_used_bytes", ["node": holder, "class": "ssd"]) == Double(usage.usedBytes))
        #expect(Self.value(holderPage, "yonke_raft_is_master", ["node": holder]) == 0)
        #expect(!holderPage.contains("yonke_cluster_missing_blocks"))

        #expect(try await HTTPProbe.get("/nope", port: ports["m1"]!).status == 404)
        #expect(try await HTTPProbe.exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
                                             port: ports["m1"]!).status == 405)
        // Garbage: NIO's HTTP parser refuses it (400) and the connection closes.
        let garbage = try await HTTPProbe.exchange("\u{0}\u{1}\u{2} not http at all\r\n\r\n", port: ports["m1"]!)
        #expect(garbage.status == 400 || garbage.raw.isEmpty, "\(garbage.raw)")
        #expect(try await HTTPProbe.get("/metrics", port: ports["m1"]!).status == 200, "still serving")
        await endpoints.close()
    }

    @Test func idleConnectionsBeyondTheLimitAreClosedAndTheNodeServesAfterwards() async throws {
        let port = try TestPorts.take()
        let server = try await MetricsServer.bind(host: "127.0.0.1", port: port, logger: .init(label: "metrics-test")) {
            Array("yonke_up 1\n".utf8)
        }
        let serving = Task { try await server.run() }
        defer { serving.cancel() }
        let idle = try (0..<MetricsServer.maxConnections).map { _ in try HTTPProbe.connect(port: port) }
        try await Task.sleep(for: .milliseconds(300))
        let refused = try await HTTPProbe.get("/metrics", port: port)
        #expect(refused.raw.isEmpty, "closed unread while \(idle.count) connections are open: \(refused.raw)")
        for fd in idle { close(fd) }
        try await eventually("a slot frees up") { try await HTTPProbe.get("/metrics", port: port).status == 200 }
        await server.close()
    }

    /// The value of the series `name{labels}` in an exposition page.
    static func value(_ page: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in page.split(separator: "\n") where line.hasPrefix(name + "{") {
            guard let close = line.firstIndex(of: "}") else { continue }
            let inside = line[line.index(after: line.firstIndex(of: "{")!)..<close]
            var found: [String: String] = [:]
            for pair in inside.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { found[String(parts[0])] = String(parts[1].dropFirst().dropLast()) }
            }
            if found == labels { return Double(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }
}

/// A tiny blocking HTTP/1.1 client on a thread of its own (never on the
/// cooperative pool the nodes under test run on): sends bytes, reads to EOF.
enum HTTPProbe {
    struct Response {
        var raw: String
        var status: Int { Int(raw.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0 }
        var head: String { raw.components(separatedBy: "\r\n\r\n").first ?? "" }
        var body: String { raw.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
    }

    static func get(_ path: String, port: Int) async throws -> Response {
        try await exchange("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
    }

    static func exchange(_ request: String, port: Int) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingExchange(Array(request.utf8), port: port) }) }.start()
        }
    }

    private static func blockingExchange(_ request: [UInt8], port: Int) throws -> Response {
        let fd = try connect(port: port)
        defer { close(fd) }
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return Response(raw: String(decoding: received, as: UTF8.self))
    }

    /// A connected socket (10 s receive timeout); the caller closes it.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TimedOut(what: "a socket") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw TimedOut(what: "a connection to port \(port)")
        }
        return fd
    }
}
