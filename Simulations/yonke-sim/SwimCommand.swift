import ArgumentParser
import Simulator

struct SwimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "swim", abstract: "Simulate swim (not built yet).")
    func run() throws { throw ExitCode.failure }
}
