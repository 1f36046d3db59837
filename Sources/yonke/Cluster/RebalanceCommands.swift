import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Node
import YonkeCore

struct NodeDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Move every block off a machine; it takes no new replicas and stays readable.",
        discussion: """
            The master's rebalancer copies each block to another machine before deleting it from this one, at the cluster's rebalance limit. A draining master first hands leadership to another voter. `yonke status` shows the blocks and bytes left; `--undo` makes the machine active again.

            Example:
              yonke node drain w4 && yonke status      # then, at 0 blocks left: yonke node remove w4
            """
    )

    @Argument(help: "The machine's name.") var name: String
    @Flag(name: .long, help: "Stop draining: the machine takes replicas again.") var undo = false
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let report: RebalanceReport
        do {
            report = undo ? try await BlockClient.undrain(name, client: cluster) : try await BlockClient.drain(name, client: cluster)
        } catch { throw CLIError.cluster(error, while: undo ? "undraining \(name)" : "draining \(name)") }
        if client.json { return try client.printJSON(report) }
        print(report.message ?? "")
        RebalanceText.printDrains(report.drains)
    }
}

struct NodeRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a machine from the cluster: it is no longer placed on or counted.",
        discussion: """
            Refused while the machine holds a replica that its block needs (fewer than the replication factor of live replicas elsewhere): drain it first.

            Example:
              yonke node drain w4; yonke status; yonke node remove w4
            """
    )

    @Argument(help: "The machine's name.") var name: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let report: RebalanceReport
        do { report = try await BlockClient.remove(name, client: cluster) } catch {
            throw CLIError.cluster(error, while: "removing \(name)")
        }
        if client.json { return try client.printJSON(report) }
        print(report.message ?? "\(name) removed")
    }
}

struct RebalanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebalance",
        abstract: "Show or run the moves that bring every block to its placement.",
        subcommands: [RebalancePlanCommand.self, RebalanceApplyCommand.self]
    )
}

struct RebalancePlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Moves per machine, bytes to copy and the estimated time at the current limit; nothing moves.",
        discussion: """
            The master heals and balances in the background all the time; this shows what is left.

            Example:
              yonke rebalance plan --json
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let report: RebalanceReport
        do { report = try await BlockClient.rebalancePlan(client: cluster) } catch {
            throw CLIError.cluster(error, while: "asking for the rebalance plan")
        }
        if client.json { return try client.printJSON(report) }
        guard let preview = report.preview else {
            print("the master is waiting for \(report.waitingFor ?? "block reports"); try again in a few seconds")
            return
        }
        print("machine       in  bytes in     out  bytes out   sending   moving in/out")
        for machine in preview.machines {
            print([machine.name.padded(10), String(machine.movesIn).leftPadded(5), ByteCount.format(machine.bytesIn).leftPadded(10),
                   String(machine.movesOut).leftPadded(7), ByteCount.format(machine.bytesOut).leftPadded(10),
                   ByteCount.format(machine.bytesSent).leftPadded(9), "   \(machine.movingIn)/\(machine.movingOut)"].joined(separator: " "))
        }
        print("copies \(preview.copies) (\(ByteCount.format(preview.copyBytes))), deletes \(preview.deletes), running \(preview.inFlight); "
              + String(format: "about %.0f s at %@/s per machine", preview.etaSeconds, ByteCount.format(preview.bytesPerSecond)))
        print("under-replicated \(preview.underReplicated), unrecoverable \(preview.unrecoverable), waiting for a machine in its grace period \(preview.waiting)"
              + (preview.settling ? "; balancing held back while the live machines settle (heal and drain go on)" : ""))
        RebalanceText.printDrains(report.drains)
    }
}

struct RebalanceApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Run the plan now and wait until it is done (progress on a terminal).",
        discussion: """
            The master's rebalancer carries out the plan (copy, then delete) at the cluster's limit; this follows it until nothing is left to move, or --timeout passes.

            Example:
              yonke rebalance apply --timeout 600
            """
    )

    @Option(name: .long, help: "Give up after this many seconds (exit 1).") var timeout: Double = 3600
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let deadline = Date().addingTimeInterval(timeout)
        var progress: Progress?
        var total: Int64 = 0
        var lastLeft: Int64 = 0
        while true {
            let report: RebalanceReport
            do { report = try await BlockClient.rebalancePlan(client: cluster) } catch {
                throw CLIError.cluster(error, while: "following the rebalance")
            }
            if let preview = report.preview {
                let left = preview.copyBytes
                if progress == nil {
                    total = max(1, preview.copyBytes)
                    progress = Progress(label: "rebalance", totalBytes: total)
                }
                if preview.copies == 0 && preview.deletes == 0 && preview.inFlight == 0 && !preview.settling {
                    progress?.finish()
                    struct Done: Encodable { let done: Bool; let seconds: Double; let bytes: Int64 }
                    let done = Done(done: true, seconds: progress?.elapsedSeconds ?? 0, bytes: total)
                    if client.json { return try client.printJSON(done) }
                    print("balanced: every block is where placement wants it (\(ByteCount.format(total)) planned at the start)")
                    return
                }
                if lastLeft > 0, left < lastLeft { progress?.advance(by: lastLeft - left) }
                lastLeft = left
            }
            guard Date() < deadline else {
                progress?.finish()
                throw CLIError("the rebalance did not finish within \(Int(timeout)) s", hint: "`yonke rebalance plan` shows what is left; raise --timeout or cluster.rebalanceMbps")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

enum RebalanceText {
    static func printDrains(_ drains: [RebalanceReport.Drain]) {
        for drain in drains {
            print("  \(drain.name.padded(10)) \(drain.state.padded(9)) \(drain.blocksLeft) blocks, \(ByteCount.format(drain.bytesLeft)) left")
        }
    }
}
