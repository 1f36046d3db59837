import YonkeProtocol
import YonkeClient
import Catalog
import Foundation
import Logging
import NIOCore
import Testing
import Topology
import Transport
import YonkeCore
@testable import Node

/// The machine registry on real in-process nodes: seeded by the first master, keys pinned on
/// first contact, followed by the non-voter, enforced by every listener.
@Suite(.serialized)
struct MachineRegistryNodeTests {
    @Test func seededPinnedFollowedAndEnforced() async throws {
        try await ConsensusTestCluster.with(voters: ["m1", "m2", "m3"], workers: ["w4"]) { cluster in
            _ = try await cluster.waitForMaster(within: .seconds(2))
            try await cluster.waitForBootstrap()
            // Every node, the non-voter w4 included, ends with all four machines pinned to their keys.
            for name in cluster.allNames {
                let node = try #require(cluster.nodes[name])
                try await eventually("\(name) sees every key pinned", timeout: .seconds(20)) {
                    let records = node.context.registry.view?.records ?? []
                    return records.map(\.name) == ["m1", "m2", "m3", "w4"] && records.allSatisfy(\.isKeyPinned)
                }
                for other in cluster.allNames {
                    let key = try #require(cluster.nodes[other]).context.settings.identity.publicKey.hex
                    #expect(node.context.registry.record(named: other)?.publicKeyHex == key, "\(name)'s record of \(other)")
                }
                #expect(node.context.registry.workers.map(\.name) == ["m1", "m2", "m3", "w4"])
            }

            // Someone else's key under a registered name: refused at the handshake, with the way out.
            let impostor = try Transport.Settings(
                nodeName: "w4", identity: try NodeIdentity.generate(), clusterID: cluster.secrets.clusterID,
                joinToken: cluster.secrets.joinToken, logger: cluster.logger)
            let client = try ClusterClient(endpoints: [try #require(cluster.topology.machine(named: "m1")).address],
                                           settings: impostor, logger: cluster.logger)
            let refused = await #expect(throws: (any Error).self) { try await CatalogOps.status(client: client) }
            #expect("\(refused.map { "\($0)" } ?? "")".contains("registered with another key"), "\(String(describing: refused))")
            await client.close()

            // A join under a topology name with another key is refused by the master too.
            let thief = try Transport.Settings(
                nodeName: "m2", identity: try NodeIdentity.generate(), clusterID: cluster.secrets.clusterID,
                joinToken: cluster.secrets.joinToken, logger: cluster.logger)
            let request = JoinRequest(name: "m2", address: .init(host: "127.0.0.1", port: 1), roles: [.worker], rack: "x",
                                      disks: [Topology.Disk(path: "/d", capacityBytes: 1 << 30, diskClass: .hdd)])
            await #expect(throws: (any Error).self) {
                _ = try await CatalogOps.join(request, seed: try #require(cluster.topology.machine(named: "m1")).address,
                                              settings: thief, logger: cluster.logger, attempts: 1)
            }
        }
    }

    @Test func joinTokenFormat() throws {
        let id: [UInt8] = [0x01, 0xAB, 0xFF]
        let text = JoinToken.format(clusterID: id, token: "9f9f")
        #expect(text == "yk1.01abff.9f9f")
        let parsed = try #require(JoinToken.parse(" " + text + "\n"))
        #expect(parsed.clusterID == id && parsed.token == "9f9f")
        for bad in ["", "yk1", "yk1.01abff", "yk1.01abff.", "yk2.01abff.9f", "yk1.zz.9f", "yk1..9f", "9f9f"] {
            #expect(JoinToken.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func joinedTopologyRoundTripsThroughYAML() throws {
        let topology = Topology(
            cluster: .init(name: "lake \"one\"", blockSizeBytes: 4 << 20, replicationFactor: 3),
            machines: (1...3).map { index in
                Topology.Machine(name: "m\(index)", address: .init(host: "10.0.0.\(index)", port: 7400),
                                 roles: index == 1 ? [.voter, .worker] : [.worker], rack: "r\(index % 2)",
                                 disks: [Topology.Disk(path: "/mnt/a:b\\c", capacityBytes: 1 << 40, diskClass: index == 2 ? .hdd : .ssd)],
                                 diskAgeYears: index == 3 ? 4.5 : nil)
            })
        #expect(try TopologyFile.parse(yaml: TopologyWriter.yaml(topology), fileName: "joined.yaml") == topology)
    }
}
