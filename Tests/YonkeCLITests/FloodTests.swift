import Foundation
import Testing

/// Outsiders with no credential holding connections open against every node
/// (the review's experiment, and then some): real `yonke` processes, real
/// sockets from other loopback addresses, real puts and gets meanwhile.
/// `Benchmarks/flood.sh` runs the same load tool with 10,000 per node.
@Suite(.serialized)
struct FloodTests {
    /// Benchmarks/flood_load.py, found from this file.
    static var loadTool: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/flood_load.py").path
    }

    /// The load tool in the background, one process per node (so it gets its
    /// share of a busy machine's CPU), each reporting into a file (one JSON
    /// line a second).
    final class Flood {
        let processes: [Process]
        let reportPaths: [String]
        /// The most connections held at once among the samples taken.
        private(set) var mostOpen = 0

        init(targets: [String], perTarget: Int, sources: Int, folder: String) throws {
            var processes: [Process] = []
            var paths: [String] = []
            for (index, target) in targets.enumerated() {
                let path = folder + "/flood-\(index).jsonl"
                FileManager.default.createFile(atPath: path, contents: nil)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", FloodTests.loadTool, "--targets", target, "--per-target", "\(perTarget)",
                                     "--mode", "mixed", "--sources", "\(sources)", "--reopen-ms", "100"]
                process.standardOutput = FileHandle(forWritingAtPath: path)
                process.standardError = FileHandle.nullDevice
                try process.run()
                processes.append(process)
                paths.append(path)
            }
            self.processes = processes
            reportPaths = paths
        }

        func reports(_ index: Int) -> [[String: Any]] {
            ((try? String(contentsOfFile: reportPaths[index], encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// Connections held now (the latest report of each process), remembered in `mostOpen`.
        func sampleOpen() -> Int {
            let open = reportPaths.indices.reduce(0) { $0 + ((reports($1).last?["open"] as? Int) ?? 0) }
            mostOpen = max(mostOpen, open)
            return open
        }

        /// The sum of one field of every process's latest report.
        func total(_ field: String) -> Double {
            reportPaths.indices.reduce(0) { sum, index in
                let value = reports(index).last?[field]
                return sum + ((value as? Double) ?? Double((value as? Int) ?? 0))
            }
        }

        /// Waits until the tool holds at least `open` connections.
        func waitUntilOpen(_ open: Int, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if sampleOpen() >= open { return true }
                usleep(200_000)
            }
            return false
        }

        func stop() {
            for process in processes where process.isRunning { process.terminate() }
            for process in processes {
                for _ in 0..<50 where process.isRunning { usleep(100_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
        }

        deinit { stop() }
    }

    @Test func strangersHoldingHundredsOfConnectionsPerNodeDoNotStopPutsAndGets() throws {
        // The review's conditions: a 10 s handshake deadline (so the strangers
        // pile up however slowly the tool reopens them on a busy machine) and more
        // than 256 per node (the old gate's size): 300 each, half silent, half a
        // byte a second, from 40 addresses. The 2 s default and trickling past it
        // are checked in TransportTests.FloodTests.
        let cluster = try LocalCluster(nodeEnvironment: ["YONKE_HANDSHAKE_TIMEOUT": "10s"])
        let source = try ClusterTests.sample(cluster, "small.csv", size: "64KiB")
        let perNode = 300
        let flood = try Flood(targets: cluster.ports.map { "127.0.0.1:\($0)" }, perTarget: perNode, sources: 40,
                              folder: cluster.folder.path)
        defer { flood.stop() }
        #expect(flood.waitUntilOpen(1_120, seconds: 60), "the flood held only \(flood.mostOpen)")
        for round in 0..<3 {
            let put = try Self.retryingElection { try cluster.yonke(["put", source, "lake://bronze/flood-\(round).csv"], timeoutSeconds: 60) }
            #expect(put.status == 0, "put \(round) under the flood: \(put.stderr)")
            let copy = cluster.folder.path + "/copy-\(round).csv"
            let get = try cluster.yonke(["get", "lake://bronze/flood-\(round).csv", copy], timeoutSeconds: 60)
            #expect(get.status == 0, "get \(round) under the flood: \(get.stderr)")
            #expect(FileManager.default.contentsEqual(atPath: source, andPath: copy))
            _ = flood.sampleOpen()
        }
        #expect(flood.mostOpen >= 1_120, "the flood held at most \(flood.mostOpen)")
        // The nodes still drop strangers at the deadline.
        for _ in 0..<75 where flood.total("dropped") < Double(perNode) { usleep(200_000) }
        let lifetime = flood.total("medianLifetimeSeconds") / Double(cluster.ports.count)
        #expect(lifetime > 0 && lifetime < 12, "strangers lived \(lifetime) s (deadline 10 s)")
        flood.stop()
        #expect(try cluster.json(["status"])["master"] != nil)
    }

    /// On a starved 2-core machine an election can land in the middle of a put
    /// ("not the master (any more); retry"): that is Raft's business, not the
    /// flood's, so the put is retried once, as its message says.
    static func retryingElection(_ run: () throws -> YonkeProcess.Result) throws -> YonkeProcess.Result {
        let first = try run()
        guard first.status != 0, first.stderr.contains("retry") else { return first }
        return try run()
    }

    @Test func oversizedFrameBeforeAuthenticationIsRefusedOnItsLength() throws {
        let cluster = try LocalCluster(machines: 3, voters: 3)
        // The header of a 64 KiB "hello" and nothing more: a node that buffered
        // before checking would wait for the body until the 2 s deadline.
        let started = Date()
        let closed = try RawSocket.sendAndAwaitClose([0, 1, 0, 2, 1, 0xF0], port: cluster.ports[0], seconds: 3)
        #expect(closed && Date().timeIntervalSince(started) < 1.0, "closed after \(Date().timeIntervalSince(started)) s")
        #expect(try cluster.json(["status"])["master"] != nil)
    }
}

extension RawSocket {
    /// Connects, writes `bytes`, and waits up to `seconds` for the node to close.
    static func sendAndAwaitClose(_ bytes: [UInt8], port: Int, seconds: Int) throws -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClusterFailure("cannot connect to 127.0.0.1:\(port)") }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }
}
