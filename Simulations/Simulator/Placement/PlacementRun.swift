import Topology
import YonkeCore

/// The `yonke-sim placement` command's core, so that the command itself
/// depends on nothing but the Simulator: parse the options and the topology
/// text, run the scenario.
public enum PlacementRun {
    public struct Options: Sendable {
        public var blocks: Int
        public var seed: UInt64
        public var shareTolerance: Double
        public var movesPerWave: Int
        public var joinCapacity: String?
        public var remove: String?
        public var drain: String?

        public init(blocks: Int, seed: UInt64, shareTolerance: Double, movesPerWave: Int,
                    joinCapacity: String?, remove: String?, drain: String?) {
            self.blocks = blocks
            self.seed = seed
            self.shareTolerance = shareTolerance
            self.movesPerWave = movesPerWave
            self.joinCapacity = joinCapacity
            self.remove = remove
            self.drain = drain
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        /// The topology file is malformed; the text names file, line and field.
        case topology(String)
        /// An option does not fit the topology or is not a value.
        case option(String)

        public var description: String {
            switch self {
            case let .topology(text), let .option(text): return text
            }
        }
    }

    public static func run(topologyYAML: String, fileName: String, options: Options) throws(Failure) -> PlacementReport {
        let topology: Topology
        do {
            topology = try TopologyFile.parse(yaml: topologyYAML, fileName: fileName)
        } catch {
            throw .topology(error.description)
        }
        var joinBytes: Int64?
        if let text = options.joinCapacity {
            guard let bytes = ByteCount.parse(text), bytes > 0 else {
                throw .option("--join-capacity '\(text)' is not a size (try 1TB or 500GiB)")
            }
            joinBytes = bytes
        }
        let names = topology.workers.map(\.name)
        for (flag, name) in [("--remove", options.remove), ("--drain", options.drain)] {
            if let name, !names.contains(name) {
                throw .option("\(flag) \(name): no such worker in \(fileName) (workers: \(names.joined(separator: ", ")))")
            }
        }
        let config = PlacementScenario.Config(
            blocks: options.blocks, seed: options.seed, shareTolerance: options.shareTolerance,
            movesPerMachinePerWaveMax: options.movesPerWave, joinCapacityBytes: joinBytes,
            remove: options.remove, drain: options.drain)
        return PlacementScenario(topology: topology, config: config).run()
    }
}
