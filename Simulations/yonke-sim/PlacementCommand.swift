import ArgumentParser
import Foundation
import Simulator

struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Place blocks on a topology, then plan a join, a loss and a drain; print one JSON line.",
        discussion: """
        Exits 1 on a violation (a machine twice in a block, a block in one rack, a plan step that \
        lowers a replica count, a share outside the tolerance), 2 on a bad topology file or option.
        """
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
    }

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: topology, encoding: .utf8)
        } catch {
            FileHandle.standardError.write(Data("\(topology): cannot read: \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        let options = PlacementRun.Options(blocks: blocks, seed: seed, shareTolerance: shareTolerance,
                                           movesPerWave: movesPerWave, joinCapacity: joinCapacity,
                                           remove: remove, drain: drain)
        let report: PlacementReport
        do {
            report = try PlacementRun.run(topologyYAML: text, fileName: topology, options: options)
        } catch {
            FileHandle.standardError.write(Data("\(error.description)\n".utf8))
            throw ExitCode(2)
        }
        print(report.jsonLine())
        if !report.violations.isEmpty { throw ExitCode.failure }
    }
}
