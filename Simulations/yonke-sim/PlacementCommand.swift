import ArgumentParser
import Simulator

struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "placement", abstract: "Simulate placement (not built yet).")
    func run() throws { throw ExitCode.failure }
}
