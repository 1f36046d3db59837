import ArgumentParser

@main
struct YonkeSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yonke-sim",
        abstract: "Deterministic simulations of Yonke's pure cores: many nodes, one thread, one seed.",
        subcommands: [RaftCommand.self, SwimCommand.self, PlacementCommand.self]
    )
}
