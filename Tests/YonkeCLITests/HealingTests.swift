import Foundation
import Testing

/// Issue 6's failure handling, drain and remove on real processes: a short
/// grace period and small blocks keep each test well under a minute.
@Suite(.serialized)
struct HealingTests {
    static let settings = "  healGrace: 2s\n  rebalanceMbps: 40\n"

    /// Block id → live replicas, over every file (from `stat --json`).
    static func replicas(_ cluster: LocalCluster, _ paths: [String]) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for path in paths {
            let stat = try cluster.json(["stat", path])
            for block in stat["blocks"] as? [[String: Any]] ?? [] {
                result[block["id"] as? String ?? "?"] = (block["replicas"] as? [String] ?? []).sorted()
            }
        }
        return result
    }

    /// Polls until `done` holds (true) or the time is up (false); `each` sees every poll.
    static func poll(seconds: Double, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try body() { return true }
            usleep(300_000)
        }
        return false
    }

    /// `get`s the files in a loop on its own thread and counts failures.
    final class ReaderLoop: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private var failures: [String] = []
        private(set) var reads = 0
        private let thread: Thread

        init(cluster: LocalCluster, files: [(lake: String, local: String)]) {
            let box = Box()
            let environment = cluster.environment
            let folder = cluster.folder.path
            thread = Thread {
                var round = 0
                while !(box.loop?.isStopped ?? true) {
                    for file in files {
                        let copy = folder + "/read-\(round % 2).bin"
                        let result = try? YonkeProcess.run(["get", file.lake, copy], environment: environment, timeoutSeconds: 60)
                        let same = FileManager.default.contentsEqual(atPath: file.local, andPath: copy)
                        box.loop?.record(result?.status == 0 && same ? nil : "\(file.lake): \(result?.stderr ?? "no result")")
                    }
                    round += 1
                }
            }
            box.loop = self
            thread.start()
        }

        private final class Box: @unchecked Sendable { weak var loop: ReaderLoop? }

        var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }

        func record(_ failure: String?) {
            lock.lock()
            reads += 1
            if let failure { failures.append(failure) }
            lock.unlock()
        }

        /// Stops after the read in progress; returns (reads, failures).
        func stop() -> (reads: Int, failures: [String]) {
            lock.lock()
            stopped = true
            lock.unlock()
            while thread.isExecuting { usleep(50_000) }
            lock.lock()
            defer { lock.unlock() }
            return (reads, failures)
        }
    }

    /// A node process started by the test (a restarted machine), killed on release.
    final class NodeProcess {
        let process = Process()
        init(cluster: LocalCluster, name: String) throws {
            process.executableURL = URL(fileURLWithPath: YonkeProcess.binary)
            process.arguments = ["node", "start", "--topology", cluster.topologyPath, "--name", name, "--data", cluster.dataPath]
            let log = FileHandle(forWritingAtPath: cluster.dataPath + "/\(name)/node.log") ?? FileHandle.nullDevice
            log.seekToEndOfFile()
            process.standardOutput = log
            process.standardError = log
            try process.run()
        }
        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    /// Waits until every machine is alive in the master's view and the
    /// rebalancer has nothing left to do (blocks written before a machine was
    /// seen alive move to it first).
    static func settle(_ cluster: LocalCluster) throws {
        let settled = try poll(seconds: 30) {
            let machines = try cluster.json(["capacity"])["machines"] as? [[String: Any]] ?? []
            guard machines.count == cluster.names.count, machines.allSatisfy({ $0["state"] as? String == "alive" }) else { return false }
            let plan = try cluster.json(["rebalance", "plan"])
            guard let preview = plan["preview"] as? [String: Any] else { return false }
            return preview["copies"] as? Int == 0 && preview["deletes"] as? Int == 0 && preview["inFlight"] as? Int == 0
                && preview["settling"] as? Bool == false
        }
        if !settled { throw ClusterFailure("the rebalancer did not settle: \((try? cluster.json(["rebalance", "plan"])) ?? [:])") }
    }

    static func putFiles(_ cluster: LocalCluster, count: Int, size: String) throws -> [(lake: String, local: String)] {
        let files = try (1...count).map { index in
            let local = try ClusterTests.sample(cluster, "f\(index).csv", size: size, seed: index)
            let lake = "lake://bronze/heal/f\(index).csv"
            let put = try cluster.yonke(["put", local, lake])
            guard put.status == 0 else { throw ClusterFailure("put \(lake): \(put.stderr)") }
            return (lake, local)
        }
        try settle(cluster)
        return files
    }

    @Test func killedWorkerIsHealedThenTrimmedWhenItReturns() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", clusterYAML: Self.settings)
        let files = try Self.putFiles(cluster, count: 3, size: "3MiB")
        let paths = files.map(\.lake)
        let before = try Self.replicas(cluster, paths)
        #expect(before.count >= 9 && before.values.allSatisfy { $0.count == 3 }, "\(before)")
        let onW4 = before.filter { $0.value.contains("w4") }.count
        #expect(onW4 > 0, "w4 holds some blocks: \(before)")

        let readers = ReaderLoop(cluster: cluster, files: files)
        cluster.signal("w4", SIGKILL)
        let healed = try Self.poll(seconds: 45) {
            let now = try Self.replicas(cluster, paths)
            return now.values.allSatisfy { $0 == ["m1", "m2", "m3"] }
        }
        #expect(healed, "every block back at 3 live replicas on the survivors: \((try? Self.replicas(cluster, paths)) ?? [:])")

        // The machine comes back with its old copies: surplus is trimmed, never below 3.
        let restarted = try NodeProcess(cluster: cluster, name: "w4")
        var lowest = 3
        let trimmed = try Self.poll(seconds: 45) {
            let now = try Self.replicas(cluster, paths)
            lowest = min(lowest, now.values.map(\.count).min() ?? 0)
            let capacity = try cluster.json(["capacity"])
            let w4Alive = (capacity["machines"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "w4" && $0["state"] as? String == "alive" }
            return w4Alive && now.values.allSatisfy { $0.count == 3 } && now.values.contains { $0.contains("w4") }
        }
        let (reads, failures) = readers.stop()
        #expect(trimmed, "after w4 returns every block has exactly 3 replicas again: \((try? Self.replicas(cluster, paths)) ?? [:])")
        #expect(lowest >= 3, "a block went down to \(lowest) live replicas after the heal")
        #expect(reads > 0)
        #expect(failures.isEmpty, "\(failures.count) of \(reads) reads failed: \(failures.prefix(3))")

        // capacity --json matches the block files on each machine's disk and the catalog.
        let matches = try Self.poll(seconds: 20) {
            let capacity = try cluster.json(["capacity"])
            let replicas = try Self.replicas(cluster, paths)
            return (capacity["machines"] as? [[String: Any]] ?? []).allSatisfy { machine in
                let name = machine["name"] as? String ?? ""
                let folder = cluster.dataPath + "/disks/\(name)"
                let held = replicas.values.filter { $0.contains(name) }.count
                return (machine["usedBytes"] as? NSNumber)?.int64Value == ClusterTests.bytesOnDisk(folder)
                    && machine["blocks"] as? Int == Self.blockFiles(folder) && held == Self.blockFiles(folder)
            }
        }
        #expect(matches, "capacity --json: \((try? cluster.json(["capacity"])) ?? [:])")
        let capacity = try cluster.json(["capacity"])
        for machine in capacity["machines"] as? [[String: Any]] ?? [] {
            #expect(machine["lastHeartbeatMs"] as? Int != nil && machine["reliability"] as? Double != nil, "\(machine)")
            #expect(machine["movingIn"] as? Int != nil && machine["movingOut"] as? Int != nil, "\(machine)")
        }
        #expect((capacity["cluster"] as? [String: Any])?["healEtaSeconds"] as? Double == 0)
        _ = restarted
    }

    static func blockFiles(_ folder: String) -> Int {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return 0 }
        var count = 0
        while let name = enumerator.nextObject() as? String {
            let path = folder + "/" + name
            if path.contains("/blocks/"), (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular,
               !name.hasSuffix(".tmp"), !name.contains("/tmp") {
                count += 1
            }
        }
        return count
    }

    @Test func drainThenRemoveNeverLowersAReplicaCount() throws {
        // A slow limit (2 MB/s per machine) so the plan is seen before it is done.
        let cluster = try LocalCluster(blockSize: "1MiB", clusterYAML: "  healGrace: 2s\n  rebalanceMbps: 2\n")
        let files = try Self.putFiles(cluster, count: 3, size: "3MiB")
        let paths = files.map(\.lake)

        let early = try cluster.yonke(["node", "remove", "w4"])
        #expect(early.status != 0, "removal must be refused while w4 holds needed replicas")
        #expect(early.stderr.contains("drain it first"), "\(early.stderr)")

        let drain = try cluster.yonke(["node", "drain", "w4"])
        #expect(drain.status == 0, "\(drain.stderr)")
        let plan = try cluster.json(["rebalance", "plan"])
        let preview = try #require(plan["preview"] as? [String: Any], "\(plan)")
        let w4 = (preview["machines"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "w4" }
        #expect((w4?["movesOut"] as? Int ?? 0) + (preview["inFlight"] as? Int ?? 0) > 0, "the plan moves blocks off w4: \(plan)")
        #expect(preview["etaSeconds"] as? Double != nil)

        // `rebalance apply` follows the drain to its end while this thread checks replica counts.
        let applied = LockedData()
        let environment = cluster.environment
        Thread {
            let result = try? YonkeProcess.run(["rebalance", "apply", "--timeout", "50", "--json"], environment: environment, timeoutSeconds: 60)
            applied.set(Data("\(result?.status ?? -1)".utf8))
        }.start()
        var lowest = 3
        let drained = try Self.poll(seconds: 55) {
            let now = try Self.replicas(cluster, paths)
            lowest = min(lowest, now.values.map(\.count).min() ?? 0)
            return applied.isSet && now.values.allSatisfy { $0 == ["m1", "m2", "m3"] }
        }
        #expect(String(decoding: applied.get(), as: UTF8.self) == "0", "rebalance apply ends when the plan is done")
        #expect(drained, "everything moved off w4: \((try? Self.replicas(cluster, paths)) ?? [:])")
        #expect(lowest >= 3, "a block went down to \(lowest) replicas during the drain")
        let emptied = try Self.poll(seconds: 15) {
            let status = try cluster.json(["status"])
            let drains = status["drains"] as? [[String: Any]] ?? []
            return drains.contains { $0["name"] as? String == "w4" && $0["blocksLeft"] as? Int == 0 }
        }
        #expect(emptied, "status shows w4's drain at 0 blocks left: \((try? cluster.json(["status"])) ?? [:])")

        let remove = try cluster.yonke(["node", "remove", "w4"])
        #expect(remove.status == 0, "\(remove.stderr)")
        let capacity = try cluster.json(["capacity"])
        let names = (capacity["machines"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["m1", "m2", "m3"], "a removed machine is no longer counted: \(names)")
        for file in files {
            let copy = cluster.folder.path + "/after.bin"
            let get = try cluster.yonke(["get", file.lake, copy])
            #expect(get.status == 0 && FileManager.default.contentsEqual(atPath: file.local, andPath: copy), "\(get.stderr)")
        }
    }

    /// The block file of `id` under a machine's disk folder, if it holds one.
    static func blockFile(_ cluster: LocalCluster, machine: String, id: String) -> String? {
        let folder = cluster.dataPath + "/disks/\(machine)"
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return nil }
        while let name = enumerator.nextObject() as? String {
            if name.hasSuffix(id) { return folder + "/" + name }
        }
        return nil
    }

    /// A replica a reader finds corrupt is healed around: the block gets 3 good
    /// replicas elsewhere, then the bad copy is deleted (and placement may
    /// copy a good one back); no bad bytes stay on any disk.
    @Test func corruptReplicaIsReplacedAndRemoved() throws {
        let cluster = try LocalCluster(blockSize: "1MiB", clusterYAML: Self.settings)
        let files = try Self.putFiles(cluster, count: 1, size: "4MiB")
        // `get` reads block i first from replica i mod 3 (by name): corrupt the copy block 0 is read from.
        let stat = try cluster.json(["stat", files[0].lake])
        let first = try #require((stat["blocks"] as? [[String: Any]])?.first)
        let id = try #require(first["id"] as? String)
        let holders = ((first["replicas"] as? [String]) ?? []).sorted()
        try #require(holders.count == 3)
        let bad = try #require(Self.blockFile(cluster, machine: holders[0], id: id))
        let good = try #require(Self.blockFile(cluster, machine: holders[1], id: id))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bad))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: bad))

        let copy = cluster.folder.path + "/read.bin"
        let get = try cluster.yonke(["get", files[0].lake, copy])
        #expect(get.status == 0 && FileManager.default.contentsEqual(atPath: files[0].local, andPath: copy), "\(get.stderr)")
        let goodBytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let repaired = try Self.poll(seconds: 45) {
            // The reader meets that copy first unless its machine looked suspect to the master just then: read again.
            if (try? Data(contentsOf: URL(fileURLWithPath: bad))) == bytes { _ = try? cluster.yonke(["get", files[0].lake, copy]) }
            let now = try Self.replicas(cluster, [files[0].lake])
            guard now.values.allSatisfy({ $0.count == 3 }) else { return false }
            return cluster.names.allSatisfy { machine in
                guard let file = Self.blockFile(cluster, machine: machine, id: id) else { return true }
                return (try? Data(contentsOf: URL(fileURLWithPath: file))) == goodBytes
            }
        }
        let logs = cluster.names.flatMap { name in
            ((try? String(contentsOfFile: cluster.dataPath + "/\(name)/node.log", encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0.contains(String(id.prefix(12))) }.map { "\(name): \($0)" }
        }
        #expect(repaired, "3 good replicas and no corrupt copy left: \((try? Self.replicas(cluster, [files[0].lake])) ?? [:])\n\(logs.joined(separator: "\n"))")
    }
}
