import YonkeProtocol
import YonkeClient
import Logging
import Node
import Topology
import Transport

/// `status`'s scrub column: figures each member gives for itself (`ScrubOps`).
extension StatusCommand {
    /// Asks every alive member at once; members that do not answer are left out.
    static func scrubFigures(of members: [CatalogOps.ClusterStatus.Member], settings: Transport.Settings) async -> [String: ScrubStatus] {
        var logger = Logger(label: "yonke.client")
        logger.logLevel = .critical
        return await withTaskGroup(of: (String, ScrubStatus?).self) { group in
            for member in members where member.state == "alive" {
                guard let address = Topology.Address(parsing: member.address) else { continue }
                group.addTask { [logger] in
                    (member.name, try? await ScrubOps.status(of: member.name, at: address, settings: settings, logger: logger))
                }
            }
            var figures: [String: ScrubStatus] = [:]
            for await (name, status) in group { figures[name] = status }
            return figures
        }
    }

    static func describe(_ scrub: ScrubStatus?, now: Int64) -> String {
        guard let scrub else { return "scrub ?" }
        let last = scrub.lastPassEndMillis.map { "last pass \(max(0, now - $0) / 60_000) min ago" } ?? "no pass yet"
        return "scrub: \(last)\(scrub.isPassRunning ? " (running)" : ""), \(scrub.corruptBlocks) corrupt found"
    }
}
