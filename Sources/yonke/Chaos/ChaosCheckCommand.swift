import YonkeProtocol
import YonkeClient
import ArgumentParser
import Chaos
import Foundation
import Node

struct ChaosCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify a chaos run: linearizable files, acknowledged writes kept, one master per term, full replication.",
        discussion: """
            Run it after `chaos run` healed everything. It reads every file of the history once more (retrying until the heal bound), then checks:
              - each file behaved as a linearizable register: every read saw the last acknowledged write or a write whose outcome was unknown, never older or never-written bytes, and the final contents are allowed;
              - `ls` and `stat` agree with what the final reads found;
              - every failed operation failed with a message, and none hung past the operation timeout;
              - the node logs (DATA/NAME/node.log) name at most one master per Raft term;
              - every block is back at its replication factor within the heal bound.
            Exits non-zero when any check fails.

            Example:
              yonke chaos check --history history.jsonl --data ./.yonke-data --heal-seconds 120
            """
    )

    @Option(name: .long, help: "The workload's history (JSON lines).") var history: String
    @Option(name: .long, help: "Local cluster data folder with the node logs (omit to skip the master-per-term check).") var data: String?
    @Option(name: .long, help: "Seconds the cluster may take to read every file and re-replicate every block.") var healSeconds: Double = 120
    @OptionGroup var client: ClientOptions

    struct Report: Encodable {
        var valid: Bool
        var operations: Int
        var acknowledged: Int
        var failed: Int
        var hung: Int
        var failedWithoutMessage: Int
        var registerViolations: [RegisterCheck.Violation]
        var unreadableAfterHeal: [String]
        /// Files whose `ls` entry or `stat` disagrees with what the final read found.
        var catalogMismatches: [String]
        var terms: Int?
        var electionViolations: [ElectionCheck.Violation]
        var underReplicated: Int?
        var missing: Int?
        var replicatedAfterSeconds: Double?
    }

    func run() async throws {
        let records = try JSONLinesFile.read(HistoryRecord.self, path: history, what: "history",
                                             hint: "record one with `yonke chaos workload --history \(history)`")
        let connection = try client.connectionArguments()
        let started = Date()
        let deadline = started.addingTimeInterval(healSeconds)
        var finalReads: [HistoryRecord] = []
        var unreadable: [String] = []
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("yonke-check-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        func read(_ path: String) async throws -> HistoryRecord {
            try await WorkloadProcess.read(path: path, into: scratch, process: -1, connection: connection, timeoutSeconds: 30)
        }
        for path in Set(records.map(\.path)).sorted() {
            var final = try await read(path)
            while final.outcome == .failed, Date() < deadline {
                try await Task.sleep(for: .milliseconds(500))
                final = try await read(path)
            }
            if final.outcome == .ok { finalReads.append(final) } else { unreadable.append(path) }
        }
        let catalogMismatches = try await catalogMismatches(finalReads)
        var report = Report(
            valid: true, operations: records.count, acknowledged: records.filter { $0.outcome == .ok }.count,
            failed: records.filter { $0.outcome == .failed }.count,
            hung: records.filter { $0.error?.hasPrefix("hung") == true }.count,
            failedWithoutMessage: records.filter { $0.outcome == .failed && ($0.error ?? "").isEmpty }.count,
            registerViolations: RegisterCheck.violations(records, finalReads: finalReads),
            unreadableAfterHeal: unreadable, catalogMismatches: catalogMismatches, terms: nil, electionViolations: [])
        if let data {
            let folder = ClusterFolder(data)
            var logs: [String: [Substring]] = [:]
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.root)) ?? [] {
                if let text = try? String(contentsOfFile: folder.logPath(name), encoding: .utf8) {
                    logs[name] = text.split(separator: "\n")
                }
            }
            let election = ElectionCheck.check(logs: logs)
            report.terms = election.terms
            report.electionViolations = election.violations
        }
        while true {
            let capacity = try? await ChildProcess.yonke(["capacity", "--json"] + connection, timeoutSeconds: 30)
            if let capacity, capacity.status == 0,
               let object = try? JSONSerialization.jsonObject(with: Data(capacity.stdout.utf8)) as? [String: Any],
               let cluster = object["cluster"] as? [String: Any] {
                report.underReplicated = cluster["underReplicated"] as? Int
                report.missing = cluster["missing"] as? Int
                if report.underReplicated == 0, report.missing == 0 {
                    report.replicatedAfterSeconds = Date().timeIntervalSince(started)
                    break
                }
            }
            if Date() >= deadline { break }
            try await Task.sleep(for: .seconds(1))
        }
        report.valid = report.registerViolations.isEmpty && report.unreadableAfterHeal.isEmpty && report.hung == 0
            && report.catalogMismatches.isEmpty
            && report.failedWithoutMessage == 0 && report.electionViolations.isEmpty && report.replicatedAfterSeconds != nil
        if client.json {
            try client.printJSON(report)
        } else {
            print("\(report.operations) operations: \(report.acknowledged) acknowledged, \(report.failed) failed (\(report.hung) hung, \(report.failedWithoutMessage) without a message)")
            print("linearizable files: " + (report.registerViolations.isEmpty ? "yes" : "NO"))
            for violation in report.registerViolations { print("  \(violation)") }
            if !unreadable.isEmpty { print("unreadable after heal: \(unreadable.joined(separator: ", "))") }
            print("ls and stat agree with the files: " + (catalogMismatches.isEmpty ? "yes" : "NO"))
            for mismatch in catalogMismatches { print("  \(mismatch)") }
            if let terms = report.terms { print("one master per term: " + (report.electionViolations.isEmpty ? "yes (\(terms) terms)" : "NO")) }
            for violation in report.electionViolations { print("  \(violation)") }
            print("replication: " + (report.replicatedAfterSeconds.map { String(format: "every block at its factor after %.1f s", $0) }
                ?? "\(report.underReplicated.map(String.init) ?? "?") under-replicated, \(report.missing.map(String.init) ?? "?") missing after \(Int(healSeconds)) s"))
        }
        if !report.valid { throw ExitCode(2) }
    }

    /// After the heal, `ls` of each file's folder lists exactly the files a read
    /// found, and `stat` gives the same size as `ls` for each.
    private func catalogMismatches(_ finalReads: [HistoryRecord]) async throws -> [String] {
        guard !finalReads.isEmpty else { return [] }
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        var listed: [String: Int64] = [:]
        for folder in Set(finalReads.map { String($0.path[..<($0.path.lastIndex(of: "/") ?? $0.path.endIndex)]) + "/" }).sorted() {
            do {
                let listing = try await CatalogOps.ls(folder, recursive: true, client: cluster)
                for entry in listing.entries where !entry.isDirectory { listed[entry.path] = entry.sizeBytes }
            } catch let failure as RPCFailure where failure.code == .notFound {
                continue  // no such folder: nothing listed
            }
        }
        var mismatches: [String] = []
        for read in finalReads {
            switch (read.value, listed[read.path]) {
            case (nil, nil): continue
            case (nil, .some): mismatches.append("\(read.path): listed, but a read found no such file")
            case (.some, nil): mismatches.append("\(read.path): read back, but not listed")
            case (.some, .some(let size)):
                let stat = try? await CatalogOps.stat(read.path, client: cluster)
                if stat?.sizeBytes != size || size <= 0 {
                    mismatches.append("\(read.path): ls says \(size) bytes, stat \(stat.map { "\($0.sizeBytes)" } ?? "failed")")
                }
            }
        }
        return mismatches
    }
}
