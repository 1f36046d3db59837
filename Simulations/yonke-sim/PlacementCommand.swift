import ArgumentParser
import Foundation
import Simulator
import Topology
import YonkeCore

struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Place blocks on a topology, then plan a join, a loss and a drain; print one JSON line.",
        discussion: "Exits 1 on a violation (a machine twice in a block, a block in one rack, a plan step that lowers a replica count, a share outside the tolerance), 2 on a bad topology file."
    )

    @Option(help: "Topology file (YAML).")
    var topology: String = "topology/junkyard.yaml"

    @Option(help: "Blocks to place.")
    var blocks: Int = 100_000

    @Option(help: "Seed for the block ids.")
    var seed: UInt64 = 1

    @Option(help: "Allowed relative error of a machine's share of replicas.")
    var shareTolerance: Double = 0.05

    @Option(help: "Copies a machine may send or receive at once (per wave).")
    var movesPerWave: Int = 2

    @Option(help: "Capacity of the joining machine, e.g. 1TB (default: the median worker's).")
    var joinCapacity: String?

    @Option(help: "Machine to lose (default: the largest worker).")
    var remove: String?

    @Option(help: "Machine to drain (default: the median worker).")
    var drain: String?

    func validate() throws {
        guard blocks >= 0 else { throw ValidationError("--blocks must be 0 or more") }
        guard movesPerWave >= 1 else { throw ValidationError("--moves-per-wave must be at least 1") }
        guard shareTolerance >= 0 else { throw ValidationError("--share-tolerance must be 0 or more") }
        if let joinCapacity, (ByteCount.parse(joinCapacity) ?? 0) <= 0 {
            throw ValidationError("--join-capacity '\(joinCapacity)' is not a size (try 1TB or 500GiB)")
        }
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: topology, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("\(topology): cannot read: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        let parsed: Topology
        do {
            parsed = try TopologyFile.parse(yaml: text, fileName: topology)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            throw ExitCode(2)
        }
        let names = parsed.workers.map(\.name)
        for (flag, name) in [("--remove", remove), ("--drain", drain)] {
            if let name, !names.contains(name) {
                throw ValidationError("\(flag) \(name): no such worker in \(topology) (workers: \(names.joined(separator: ", ")))")
            }
        }
        let config = PlacementScenario.Config(
            blocks: blocks, seed: seed, shareTolerance: shareTolerance, movesPerMachinePerWaveMax: movesPerWave,
            joinCapacityBytes: joinCapacity.flatMap(ByteCount.parse), remove: remove, drain: drain)
        let report = PlacementScenario(topology: parsed, config: config).run()
        print(report.jsonLine())
        if !report.violations.isEmpty { throw ExitCode.failure }
    }
}
