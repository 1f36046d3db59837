import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Node

struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Break a running cluster on purpose: partitions, slow or lossy links, killed and paused nodes.",
        discussion: """
            Network faults are rules in each node's transport (messages dropped or delayed per peer), set through any holder of the cluster secrets; `heal` clears them all. Process faults act on the local processes of `yonke cluster up` (DATA/cluster.pids).

            Example:
              yonke chaos partition m1,w4 / m2,m3
              yonke chaos show
              yonke chaos heal
              yonke chaos pause m2 && sleep 10 && yonke chaos resume m2
            """,
        subcommands: [
            ChaosPartitionCommand.self, ChaosIsolateCommand.self, ChaosBridgeCommand.self, ChaosOneWayCommand.self,
            ChaosSlowCommand.self, ChaosLossyCommand.self, ChaosHealCommand.self, ChaosShowCommand.self,
            ChaosKillCommand.self, ChaosPauseCommand.self, ChaosResumeCommand.self, ChaosRestartCommand.self,
            ChaosRunCommand.self, ChaosWorkloadCommand.self, ChaosCheckCommand.self,
        ]
    )
}

struct ChaosPartitionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partition",
        abstract: "Cut every link between two or more groups of nodes (both ways).",
        discussion: """
            Groups are comma-separated node names separated by `/`. Nodes named in no group keep talking to everyone (a bridge). Rules already set on other links stay.

            Example:
              yonke chaos partition m1,w4 / m2,m3
            """
    )
    @Argument(parsing: .allUnrecognized, help: "Groups: A,B / C,D [/ …].") var groups: [String]
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let sides = try ChaosGroups.parse(groups.joined(separator: " "), expecting: 2...)
        try await ChaosNetwork.connect(client).inject(.partition(sides))
    }
}

struct ChaosIsolateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isolate",
        abstract: "Cut one node off from every other node.",
        discussion: """
            Clients still reach it, as clients on its side of a real partition would.

            Example:
              yonke chaos isolate m1
            """
    )
    @Argument(help: "The node to cut off.") var name: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ChaosNetwork.connect(client).inject(.isolate(name))
    }
}

struct ChaosBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Split the cluster in two sides that only the bridge nodes in the middle can both see.",
        discussion: """
            Example:
              yonke chaos bridge m1,w4 / m2 / m3
            """
    )
    @Argument(parsing: .allUnrecognized, help: "SIDE_A / BRIDGE / SIDE_B, each comma-separated names.") var groups: [String]
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let parts = try ChaosGroups.parse(groups.joined(separator: " "), expecting: 3...3)
        try await ChaosNetwork.connect(client).inject(.bridge(sideA: parts[0], middle: parts[1], sideB: parts[2]))
    }
}

struct ChaosOneWayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "one-way",
        abstract: "Drop every message from one node to another; the other way still works.",
        discussion: """
            Quote the arrow (a shell reads a bare `>` as a redirection), or give the two names.

            Example:
              yonke chaos one-way "m1 -> m2"
              yonke chaos one-way m1 m2
            """
    )
    @Argument(help: "\"FROM -> TO\", or FROM TO.") var link: [String]
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let text = link.joined(separator: " ")
        let ends = (link.count == 2 ? link : text.components(separatedBy: "->"))
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty, ends[0] != ends[1] else {
            throw CLIError("'\(text)' is not FROM -> TO", hint: "write it like `yonke chaos one-way \"m1 -> m2\"` or `yonke chaos one-way m1 m2`")
        }
        try await ChaosNetwork.connect(client).inject(.oneWay(from: ends[0], to: ends[1]))
    }
}

struct ChaosSlowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slow",
        abstract: "Delay every message a node sends to or receives from the other nodes.",
        discussion: """
            Example:
              yonke chaos slow w4 --ms 200
            """
    )
    @Argument(help: "The node to slow down.") var name: String
    @Option(name: .long, help: "Added delay per message, in milliseconds.") var ms: Int64
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard (1...600_000).contains(ms) else { throw CLIError("--ms \(ms) is out of range", hint: "use 1...600000") }
        try await ChaosNetwork.connect(client).inject(.slow(name, milliseconds: ms))
    }
}

struct ChaosLossyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lossy",
        abstract: "Drop a share of the messages a node sends to or receives from the other nodes.",
        discussion: """
            Example:
              yonke chaos lossy w4 --percent 20
            """
    )
    @Argument(help: "The node whose links lose messages.") var name: String
    @Option(name: .long, help: "Share of messages dropped each way, 1...100.") var percent: Int
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard (1...100).contains(percent) else { throw CLIError("--percent \(percent) is out of range", hint: "use 1...100") }
        try await ChaosNetwork.connect(client).inject(.lossy(name, percent: percent))
    }
}

struct ChaosHealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal",
        abstract: "Clear every network fault on every node.",
        discussion: """
            Example:
              yonke chaos heal
            """
    )
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ChaosNetwork.connect(client).healAll()
    }
}

struct ChaosShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List the network faults in force on every node.",
        discussion: """
            Example:
              yonke chaos show --json
            """
    )
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let network = try await ChaosNetwork.connect(client)
        let rules = try await network.currentRules()
        if client.json {
            try client.printJSON(rules)
            return
        }
        for name in network.names {
            let list = rules[name] ?? []
            print("\(name): " + (list.isEmpty ? "no faults" : list.map(ChaosNetwork.describe).joined(separator: "; ")))
        }
    }
}
