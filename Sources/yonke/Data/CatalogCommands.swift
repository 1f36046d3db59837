import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Node
import YonkeCore

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the catalog: what is in the lake, without opening a block.",
        discussion: """
            With --long: load time, size, tier, source and content type of each file.

            Example:
              yonke ls lake://bronze/ --long
            """
    )

    @Argument(help: "A folder or file in the lake.") var path: String = "lake://"
    @Flag(name: .long, help: "Load time, size, tier, source and content type.") var long = false
    @Flag(name: [.short, .long], help: "Everything below the folder.") var recursive = false
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let listing: CatalogOps.Listing
        do { listing = try await CatalogOps.ls(path, recursive: recursive, client: cluster) } catch {
            throw CLIError.cluster(error, while: "listing \(path)")
        }
        if client.json { return try client.printJSON(listing) }
        for entry in listing.entries {
            guard long else {
                print(entry.path + (entry.isDirectory ? "/" : ""))
                continue
            }
            let when = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(entry.loadedAtEpochMillis) / 1000))
            let kind = entry.isDirectory ? "dir " : "file"
            print([kind, when, ByteCount.format(entry.sizeBytes).leftPadded(10), entry.tier.padded(7),
                   entry.source.padded(12), entry.contentType.padded(16), entry.path + (entry.isDirectory ? "/" : "")]
                .joined(separator: "  "))
        }
    }
}

struct StatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat",
        abstract: "Show a file's catalog entry, its blocks and the machines holding each replica.",
        discussion: """
            Example:
              yonke stat lake://bronze/sales/2026-11-27.csv --json
            """
    )

    @Argument(help: "The file in the lake.") var path: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let info: CatalogOps.FileInfo
        let locations: [BlockID: [BlockTarget]]
        let pending: Int
        do {
            info = try await CatalogOps.stat(path, client: cluster)
            (locations, pending) = try await BlockClient.locate(info.blocks.map(\.id), client: cluster)
        } catch {
            throw CLIError.cluster(error, while: "looking up \(path)")
        }
        let report = StatReport(
            path: info.path, size: info.sizeBytes, tier: info.tier, source: info.source, contentType: info.contentType,
            loadedAtEpochMillis: info.loadedAtEpochMillis, version: info.version, isDirectory: info.isDirectory,
            blocks: info.blocks.map { .init(id: $0.id.hex, size: $0.sizeBytes, replicas: (locations[$0.id] ?? []).map(\.name)) },
            reportsPending: pending)
        if client.json { return try client.printJSON(report) }
        print("\(report.path)  \(ByteCount.format(report.size))  tier \(report.tier)  source \(report.source)  \(report.contentType)  version \(report.version)")
        if pending > 0 { print("  (the master has just been elected: block reports pending from \(pending) machine\(pending == 1 ? "" : "s"); replicas may be missing from this list)") }
        for (index, block) in report.blocks.enumerated() {
            print("  block \(index)  \(block.id.prefix(16))  \(ByteCount.format(block.size).leftPadded(10))  on \(block.replicas.joined(separator: ", "))")
        }
    }
}

struct StatReport: Encodable {
    struct Block: Encodable {
        let id: String
        let size: Int64
        let replicas: [String]
    }
    let path: String
    let size: Int64
    let tier: String
    let source: String
    let contentType: String
    let loadedAtEpochMillis: Int64
    let version: UInt64
    let isDirectory: Bool
    let blocks: [Block]
    /// Live machines the master has not yet heard a full report from this term.
    let reportsPending: Int
}

struct RmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a file (or, with -r, a folder) from the catalog.",
        discussion: """
            Example:
              yonke rm lake://bronze/sales/2026-11-27.csv
            """
    )

    @Argument(help: "The file or folder in the lake.") var path: String
    @Flag(name: [.short, .long], help: "Remove a folder and everything below it.") var recursive = false
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let result: CatalogOps.RemoveResult
        do { result = try await CatalogOps.rm(path, recursive: recursive, client: cluster) } catch {
            throw CLIError.cluster(error, while: "removing \(path)")
        }
        struct Report: Encodable { let path: String; let files: Int; let directories: Int; let bytes: Int64 }
        let report = Report(path: path, files: result.files, directories: result.directories, bytes: result.bytes)
        if client.json { return try client.printJSON(report) }
        print("removed \(path): \(result.files) files, \(result.directories) folders, \(ByteCount.format(result.bytes))")
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the master, the Raft term and commit index, and every member's state and scrub figures.",
        discussion: """
            Each alive member is also asked for its scrubber's figures (last full pass, corrupt replicas found); a member that does not answer within a second shows none. Draining machines show the blocks and bytes they still hold.

            Example:
              yonke status --json
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        var status: CatalogOps.ClusterStatus
        do { status = try await CatalogOps.status(client: cluster) } catch { throw CLIError.cluster(error, while: "asking for the cluster's status") }
        let scrub = await Self.scrubFigures(of: status.members, settings: cluster.settings)
        for index in status.members.indices { status.members[index].scrub = scrub[status.members[index].name] }
        // Drain progress is the master's; a node cut off from it still answers the rest.
        let drains = (try? await BlockClient.rebalancePlan(client: cluster))?.drains ?? []
        if client.json {
            struct Report: Encodable {
                let status: CatalogOps.ClusterStatus
                let drains: [RebalanceReport.Drain]
                func encode(to encoder: any Encoder) throws {
                    try status.encode(to: encoder)
                    var container = encoder.container(keyedBy: Key.self)
                    try container.encode(drains, forKey: Key(stringValue: "drains")!)
                }
                struct Key: CodingKey {
                    var stringValue: String
                    var intValue: Int? { nil }
                    init?(stringValue: String) { self.stringValue = stringValue }
                    init?(intValue: Int) { nil }
                }
            }
            return try client.printJSON(Report(status: status, drains: drains))
        }
        print("master \(status.master ?? "(none)")  term \(status.term)  commit index \(status.commitIndex)  (answered by \(status.answeredBy), \(status.role))")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for member in status.members {
            print("  \(member.name.padded(10)) \(member.address.padded(22)) \(member.state.padded(8)) incarnation \(member.incarnation)  [\(member.roles.joined(separator: ","))]  \(Self.describe(member.scrub, now: now))")
        }
        if !status.voters.isEmpty {
            print("raft voters \(status.voters.joined(separator: ","))" + (status.learners.isEmpty ? "" : "  learners \(status.learners.joined(separator: ","))"))
        }
        if !drains.isEmpty { print("drains:") }
        RebalanceText.printDrains(drains)
    }
}

struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Per machine: total, used and free bytes, blocks held, and its share against its capacity share.",
        discussion: """
            Example:
              yonke capacity --json
            """
    )

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let report: CapacityReport
        do { report = try await BlockClient.capacity(client: cluster) } catch { throw CLIError.cluster(error, while: "asking for capacity") }
        if client.json { return try client.printJSON(report) }
        print("machine         total       used       free   blocks   share  capacity share  moving in/out  heartbeat  reliability  state")
        for machine in report.machines {
            let heartbeat = machine.lastHeartbeatMs.map { String(format: "%.1fs", Double($0) / 1000) } ?? "never"
            let state = machine.machineState == "active" ? machine.state : "\(machine.state), \(machine.machineState)"
            print([machine.name.padded(10), ByteCount.format(machine.totalBytes).leftPadded(10),
                   ByteCount.format(machine.usedBytes).leftPadded(10), ByteCount.format(machine.freeBytes).leftPadded(10),
                   String(machine.blocks).leftPadded(8), String(format: "%6.1f%%", machine.share * 100),
                   String(format: "%14.1f%%", machine.capacityShare * 100),
                   "\(machine.movingIn)/\(machine.movingOut)".leftPadded(14), heartbeat.leftPadded(10),
                   String(format: "%12.2f", machine.reliability), " " + state].joined(separator: " "))
        }
        let c = report.cluster
        let health = c.reportsPending.isEmpty
            ? "under-replicated \(c.underReplicated), missing \(c.missing)"
            : "reports pending from \(c.reportsPending.count) machine\(c.reportsPending.count == 1 ? "" : "s") (\(c.reportsPending.joined(separator: ", "))): the master was just elected; replica counts follow"
        print("cluster: raw \(ByteCount.format(c.rawBytes)), usable \(ByteCount.format(c.usableBytes)) at the replication factor, \(health)"
              + (c.healEtaSeconds > 0 ? String(format: ", heal ETA %.0f s at %@/s per machine", c.healEtaSeconds, ByteCount.format(c.rebalanceBytesPerSecond)) : ""))
    }
}

extension String {
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
