import YonkeProtocol
import YonkeClient
import Foundation
import Topology
import Transport

/// How a node follows the machine registry: addresses for its links, the join token for new
/// links (persisted, so a restart still gets in), and key pins for machines it has just heard.
extension YonkeNode {
    func followRegistry() async {
        var token = config.secrets.joinToken
        for await view in context.registry.changes() {
            for machine in context.registry.machines where machine.name != config.name {
                await context.peers.setAddress(machine.address, of: machine.name)
            }
            if let rotated = view.joinToken, rotated != token {
                token = rotated
                adoptJoinToken(rotated)
            }
            rewriteJoinedTopology()
        }
    }

    private func adoptJoinToken(_ token: String) {
        do {
            try context.settings.setJoinToken(token)
        } catch {
            context.logger.error("could not switch to the rotated join token", metadata: ["error": "\(error)"])
            return
        }
        guard let path = config.secretsPath else {
            context.logger.notice("join token rotated (no secrets file to update)")
            return
        }
        do {
            try config.secrets.withJoinToken(token).replace(at: path)
            context.logger.notice("join token rotated; secrets file updated", metadata: ["path": "\(path)"])
        } catch {
            context.logger.error("join token rotated but the secrets file was not updated: a restart will be refused",
                                 metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    /// A joined machine restarts from `joined.yaml`: keep its machine list fresh so it finds the
    /// cluster even after the machines it joined through are gone.
    private func rewriteJoinedTopology() {
        let path = config.joinedTopologyPath
        guard FileManager.default.fileExists(atPath: path) else { return }
        var topology = config.topology
        topology.machines = context.registry.machines
        guard topology.machine(named: config.name) != nil else { return }
        do {
            try SecretFile.replace(path: path, contents: TopologyWriter.yaml(topology))
        } catch {
            context.logger.warning("could not update \(path)", metadata: ["error": "\(error)"])
        }
    }

    /// Machines registered from the topology get their key pinned by the master on first contact.
    func pinKeyIfNeeded(_ peer: Peer) {
        guard let admission = context.registry.pinCandidate(peer) else { return }
        let consensus = self.consensus
        Task { await consensus.pinKey(admission) }
    }
}
