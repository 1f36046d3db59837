import ArgumentParser
import Chaos
import Foundation
import Yams

struct ChaosRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Inject random faults from a seed for a while, logging each as it happens, then heal.",
        discussion: """
            Each round draws a fault (partition, isolate, bridge, one-way, slow, lossy, kill, pause), holds it for the interval, heals it (network rules cleared, paused nodes resumed, killed nodes restarted) and lets the cluster settle for half the interval. The log gets one JSON line per fault and heal. kill and pause need the local cluster's --data folder. A plan file (YAML) may set `seed`, `interval` (seconds) and `faults` (a list of kinds); options override it.

            Example:
              yonke chaos run --duration 5m --interval 10 --seed 7 --faults partition,isolate,pause --log chaos.jsonl
              yonke chaos run --plan plan.yaml --duration 300
            """
    )

    @Option(name: .long, help: "YAML plan: seed, interval, faults.") var plan: String?
    @Option(name: .long, help: "How long to run: seconds, or 30s / 5m / 1h.") var duration: String
    @Option(name: .long, help: "Seconds each fault lasts (default 10).") var interval: Double?
    @Option(name: .long, help: "Seed of the schedule (default 1).") var seed: UInt64?
    @Option(name: .long, help: "Fault kinds, comma-separated (default: all that apply).") var faults: String?
    @Option(name: .long, help: "JSON-lines log of what was done. Default: DATA/chaos.jsonl.") var log: String?
    @Option(name: .long, help: "Cluster data folder of `yonke cluster up` (for kill and pause).") var data: String = "./.yonke-data"
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let planned = try plan.map(ChaosPlan.load) ?? ChaosPlan()
        let seconds = try ChaosPlan.seconds(duration, option: "--duration")
        let holdSeconds = interval ?? planned.interval ?? 10
        guard holdSeconds > 0, holdSeconds <= 3600 else { throw CLIError("--interval \(holdSeconds) is out of range", hint: "use 0.1...3600 seconds") }
        let kinds = try ChaosPlan.kinds(faults.map { $0.split(separator: ",").map(String.init) } ?? planned.faults)
        var network = try await ChaosNetwork.connect(client)
        network.quiet = true
        let folder = ClusterFolder(data)
        let local = Set(folder.readPids().map(\.name))
        let usable = kinds.filter { ($0 != .kill && $0 != .pause) || !local.isEmpty }
        guard !usable.isEmpty else {
            throw CLIError("kill and pause need the local cluster's processes, and \(folder.pidsPath) lists none", hint: "pass --data, or other --faults")
        }
        guard network.names.count >= 3 else { throw CLIError("chaos needs at least 3 nodes, found \(network.names)", hint: "start a bigger cluster") }
        let logPath = log ?? folder.root + "/chaos.jsonl"
        let journal = try JSONLinesFile(path: logPath, what: "log")
        var schedule = FaultSchedule(seed: seed ?? planned.seed ?? 1, nodes: network.names, kinds: usable)
        let end = Date().addingTimeInterval(seconds)
        var rounds = 0
        while Date() < end {
            var fault = schedule.next()
            // Process faults only on this machine's nodes.
            while [.kill, .pause].contains(fault.kind), !local.contains(fault.processTarget ?? "") { fault = schedule.next() }
            try await apply(fault, network: network)
            journal.append(ChaosEvent("fault", fault.description))
            if !client.json { print("\(ChaosEvent.timestamp()) \(fault)") }
            try await Task.sleep(for: .seconds(min(holdSeconds, max(0.1, end.timeIntervalSinceNow))))
            try await heal(fault, network: network)
            journal.append(ChaosEvent("heal", fault.description))
            if !client.json { print("\(ChaosEvent.timestamp()) heal") }
            rounds += 1
            try await Task.sleep(for: .seconds(min(holdSeconds / 2, max(0, end.timeIntervalSinceNow))))
        }
        if client.json { try client.printJSON(["rounds": rounds]) } else { print("\(rounds) faults injected and healed; log \(logPath)") }
    }

    private func apply(_ fault: Fault, network: ChaosNetwork) async throws {
        switch fault {
        case let .kill(node): try LocalNodeProcess(data: data, name: node).signal(SIGKILL, "killed", quiet: true)
        case let .pause(node): try LocalNodeProcess(data: data, name: node).signal(SIGSTOP, "paused", quiet: true)
        default: try await network.inject(fault)
        }
    }

    private func heal(_ fault: Fault, network: ChaosNetwork) async throws {
        switch fault {
        case let .kill(node):
            let process = try LocalNodeProcess(data: data, name: node)
            _ = waitpid(process.pid, nil, WNOHANG)
            _ = try process.restart()
        case let .pause(node): try LocalNodeProcess(data: data, name: node).signal(SIGCONT, "resumed", quiet: true)
        default: try await network.healAll()
        }
    }
}

extension Fault {
    var processTarget: String? {
        switch self {
        case let .kill(node), let .pause(node): node
        default: nil
        }
    }
}

/// The optional plan file of `chaos run`.
struct ChaosPlan: Decodable {
    var seed: UInt64?
    var interval: Double?
    var faults: [String]?

    static func load(_ path: String) throws -> ChaosPlan {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read the plan \(path)", hint: "check the path")
        }
        do { return try YAMLDecoder().decode(ChaosPlan.self, from: text) } catch {
            throw CLIError("the plan \(path) is not valid: \(error)", hint: "write `seed: 7`, `interval: 10`, `faults: [partition, pause]`")
        }
    }

    static func kinds(_ names: [String]?) throws -> [Fault.Kind] {
        guard let names else { return Fault.Kind.allCases }
        return try names.map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let kind = Fault.Kind(rawValue: trimmed) else {
                throw CLIError("unknown fault kind '\(trimmed)'", hint: "kinds: \(Fault.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
    }

    /// `90`, `90s`, `5m`, `1h`.
    static func seconds(_ text: String, option: String) throws -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        let unit = text.last.flatMap { units[$0] }
        let number = Double(unit == nil ? text : String(text.dropLast()))
        guard let number, number > 0, number.isFinite else {
            throw CLIError("\(option) '\(text)' is not a duration", hint: "write seconds, or 30s / 5m / 1h")
        }
        return number * (unit ?? 1)
    }
}

/// A line of `chaos run`'s log: what was done, and when (milliseconds since 1970).
struct ChaosEvent: Codable {
    var atMillis: Int64
    var event: String
    var detail: String

    init(_ event: String, _ detail: String) {
        atMillis = Int64(Date().timeIntervalSince1970 * 1000)
        self.event = event
        self.detail = detail
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }
}
