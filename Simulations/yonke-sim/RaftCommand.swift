import ArgumentParser
import Simulator

struct RaftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "raft", abstract: "Simulate raft (not built yet).")
    func run() throws { throw ExitCode.failure }
}
