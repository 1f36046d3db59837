import YonkeProtocol
import YonkeClient
import Foundation
import Topology
import Transport

/// How a node follows the machine registry: addresses for its links, the join token for new
/// links (persisted, so a restart still gets in), and key pins for machines it has just heard.
extension YonkeNode {
    func followRegistry() async {
        for await view in context.registry.changes() {
            for machine in context.registry.machines where machine.name != config.name {
                await context.peers.setAddress(machine.address, of: machine.name)
            }
            if let hex = view.joinKeyHex, let key = NodePublicKey(hex: hex), key != context.settings.joinKey {
                // Joins must prove the new token from now on; this machine, pinned, needs none.
                context.settings.setJoinKey(key)
                context.logger.notice("join token rotated")
            }
            let registry = context.registry
            for peer in links.closeLinks(unless: { registry.principal(for: $0) != nil }) {
                context.logger.notice("closed the link of a peer no longer admitted", metadata: ["peer": "\(peer)"])
            }
            rewriteJoinedTopology()
            do { try RegistryCache.save(view, path: config.registryCachePath) } catch {
                context.logger.warning("could not save the registry cache", metadata: ["error": "\(error)"])
            }
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
