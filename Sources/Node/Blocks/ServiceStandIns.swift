// ============================================================================
// STAND-INS — DELETE THIS FILE when merging the consensus and membership helpers.
//
// The block service calls the other services only through the spec's
// signatures (node-spec.md, "Interfaces between services"):
//   ConsensusService.masterName, .isMaster, .read(_:)
//   MembershipService.aliveMembers() (only `.name` is used), .updateLocalUsage(capacityBytes:usedBytes:)
// They were not on this branch yet, so these minimal versions stand in: the
// master is the first voter of the topology, every topology machine is alive,
// usage is not gossiped, and catalog reads are unavailable (capacity then counts
// under-replication over the blocks the block map knows). Once the real ones are
// merged these become duplicate declarations: delete this file, nothing else.
// ============================================================================
import Catalog

extension ConsensusService {
    var masterName: String? { context.config.topology.voters.first?.name }
    var isMaster: Bool { masterName == context.config.name }

    func read<T: Sendable>(_ body: @Sendable (Catalog.State) -> T) async throws -> T {
        throw RPCFailure(.unavailable, "catalog reads are not available on this build (stand-in)")
    }
}

/// Stand-in for the membership helper's member view; only the fields the block service reads.
public struct MemberView: Sendable, Equatable {
    public var name: String
    public var state: String
}

extension MembershipService {
    func aliveMembers() -> [MemberView] {
        context.config.topology.machines.map { MemberView(name: $0.name, state: "alive") }
    }

    func updateLocalUsage(capacityBytes: Int64, usedBytes: Int64) {}
}
