import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Chaos
import Node
import YonkeCore

/// Groups of node names on the command line: `m1,w4 / m2,m3`.
enum ChaosGroups {
    static func parse(_ text: String, expecting counts: some RangeExpression<Int>) throws -> [[String]] {
        let groups = text.split(separator: "/").map { group in
            group.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard counts.contains(groups.count), groups.allSatisfy({ !$0.isEmpty }) else {
            throw CLIError("'\(text)' does not name the groups this command needs",
                           hint: "write groups of comma-separated node names between slashes, e.g. `m1,w4 / m2,m3`")
        }
        let all = groups.flatMap { $0 }
        if let twice = all.first(where: { name in all.filter { $0 == name }.count > 1 }) {
            throw CLIError("node \(twice) is in more than one group", hint: "name each node once")
        }
        return groups
    }
}

/// The cluster's nodes as the chaos commands see them: each one's address and
/// its fault rules, changed one node at a time over a link to that node alone.
struct ChaosNetwork {
    let options: ClientOptions
    /// `chaos run` applies faults without a report per node; it logs each fault once.
    var quiet = false
    private(set) var addresses: [String: PeerDirectory.Address]

    var names: [String] { addresses.keys.sorted() }

    /// Every node any node knows of: the registry in `status` (when a master
    /// answers), then each node's gossip view (a node may lack a member it has
    /// not heard of yet, and in a partition there may be no master to ask).
    static func connect(_ options: ClientOptions) async throws -> ChaosNetwork {
        let cluster = try options.connect()
        defer { Task { await cluster.close() } }
        var network = ChaosNetwork(options: options, addresses: [:])
        if let status = try? await CatalogOps.status(client: cluster) {
            network.learn(status.members.map { ($0.name, $0.address) })
        }
        do { network.learn(try await MembershipOps.members(client: cluster).map { ($0.name, $0.address) }) } catch {
            if network.addresses.isEmpty { throw CLIError.cluster(error, while: "listing the cluster's nodes") }
        }
        var asked: Set<String> = []
        while let next = network.names.first(where: { !asked.contains($0) }) {
            asked.insert(next)
            if let members = try? await network.onNode(next, "listing members", { try await MembershipOps.members(client: $0) }) {
                network.learn(members.map { ($0.name, $0.address) })
            }
        }
        return network
    }

    private mutating func learn(_ members: [(name: String, address: String)]) {
        for member in members where addresses[member.name] == nil {
            if let address = PeerDirectory.Address(parsing: member.address) { addresses[member.name] = address }
        }
    }

    private func requireKnown(_ nodes: [String]) throws {
        for node in nodes where addresses[node] == nil {
            throw CLIError("no node named '\(node)' in the cluster", hint: "known nodes: \(names.joined(separator: ", ")) (see `yonke status`)")
        }
    }

    /// Sets the rules of a network fault on the nodes it involves (the same for
    /// a single `chaos` command and for a step of `chaos run`).
    func inject(_ fault: Fault) async throws {
        switch fault {
        case let .partition(groups): try await cut(between: groups)
        case let .isolate(node):
            try requireKnown([node])
            try await cut(between: [[node], names.filter { $0 != node }])
        case let .bridge(sideA, _, sideB): try await cut(between: [sideA, sideB])
        case let .oneWay(from, to):
            try requireKnown([from, to])
            try await add([from: [.init(peer: to, direction: .outbound, lossPercent: 100)],
                           to: [.init(peer: from, direction: .inbound, lossPercent: 100)]])
        case let .slow(node, ms): try await degrade(node) { .init(peer: $0, direction: $1, delayMilliseconds: ms) }
        case let .lossy(node, percent): try await degrade(node) { .init(peer: $0, direction: $1, lossPercent: percent) }
        case .kill, .pause: invariant(false, "\(fault) is a process fault, not a network one")
        }
    }

    /// Clears every rule on every node.
    func healAll() async throws {
        try await replace(Dictionary(uniqueKeysWithValues: names.map { ($0, []) }))
    }

    /// Drops everything between nodes of different groups, both ways.
    private func cut(between groups: [[String]]) async throws {
        try requireKnown(groups.flatMap { $0 })
        var added: [String: [ChaosOps.FaultRule]] = [:]
        for (index, group) in groups.enumerated() {
            let others = groups.enumerated().filter { $0.offset != index }.flatMap(\.element)
            for node in group {
                added[node] = others.flatMap { peer in
                    [ChaosOps.FaultRule(peer: peer, direction: .outbound, lossPercent: 100),
                     ChaosOps.FaultRule(peer: peer, direction: .inbound, lossPercent: 100)]
                }
            }
        }
        try await add(added)
    }

    /// Gives every link of `node` with the other nodes, both ways, the rule made by `rule`.
    private func degrade(_ node: String, rule: (String, ChaosOps.Direction) -> ChaosOps.FaultRule) async throws {
        try requireKnown([node])
        let peers = names.filter { $0 != node }
        try await add([node: peers.flatMap { [rule($0, .outbound), rule($0, .inbound)] }])
    }

    /// Adds rules to nodes, replacing any of theirs for the same peer and direction.
    private func add(_ added: [String: [ChaosOps.FaultRule]]) async throws {
        var merged: [String: [ChaosOps.FaultRule]] = [:]
        for (node, rules) in added {
            let replaced = Set(rules.map { "\($0.peer)/\($0.direction.rawValue)" })
            let kept = try await self.rules(of: node).filter { !replaced.contains("\($0.peer)/\($0.direction.rawValue)") }
            merged[node] = kept + rules
        }
        try await replace(merged)
    }

    /// Sets each listed node's rules to exactly the given ones, and says so.
    private func replace(_ rulesByNode: [String: [ChaosOps.FaultRule]]) async throws {
        var report: [String: [ChaosOps.FaultRule]] = [:]
        for node in rulesByNode.keys.sorted() {
            report[node] = try await onNode(node, "setting fault rules") {
                try await ChaosOps.setFaults(rulesByNode[node] ?? [], client: $0)
            }
        }
        if quiet {
            return
        } else if options.json {
            try options.printJSON(report)
        } else {
            for node in report.keys.sorted() {
                let list = report[node] ?? []
                print("\(node): " + (list.isEmpty ? "no faults" : list.map(Self.describe).joined(separator: "; ")))
            }
        }
    }

    func currentRules() async throws -> [String: [ChaosOps.FaultRule]] {
        var rules: [String: [ChaosOps.FaultRule]] = [:]
        for node in names { rules[node] = try await self.rules(of: node) }
        return rules
    }

    private func rules(of node: String) async throws -> [ChaosOps.FaultRule] {
        try await onNode(node, "reading fault rules") { try await ChaosOps.faults(client: $0) }
    }

    private func onNode<T>(_ node: String, _ doing: String, _ body: (ClusterClient) async throws -> T) async throws -> T {
        guard let address = addresses[node] else { throw CLIError("no address known for \(node)", hint: "see `yonke status`") }
        var logger = Logger(label: "yonke.chaos")
        logger.logLevel = .critical
        let client = try ClusterClient(endpoints: [address], credential: try options.loadCredential(), logger: logger)
        defer { Task { await client.close() } }
        do { return try await body(client) } catch {
            throw CLIError.cluster(error, while: "\(doing) on \(node) (\(address))")
        }
    }

    static func describe(_ rule: ChaosOps.FaultRule) -> String {
        let arrow = rule.direction == .outbound ? "to" : "from"
        if rule.lossPercent >= 100 { return "drop all \(arrow) \(rule.peer)" }
        var parts: [String] = []
        if rule.lossPercent > 0 { parts.append("drop \(rule.lossPercent)% \(arrow) \(rule.peer)") }
        if rule.delayMilliseconds > 0 { parts.append("delay \(rule.delayMilliseconds) ms \(arrow) \(rule.peer)") }
        return parts.joined(separator: ", ")
    }
}
