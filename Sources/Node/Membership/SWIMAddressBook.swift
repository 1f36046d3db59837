import YonkeProtocol
import YonkeClient
import Membership
import Topology

/// SWIM addresses members by `host:port` (their metadata address); links go
/// by node name. This maps one to the other: the topology's machines first,
/// then members learned by gossip (a machine that joined later).
struct SWIMAddressBook {
    private var nameByAddress: [SWIM.Address: String] = [:]
    private var addressByName: [String: SWIM.Address] = [:]

    init(topology: Topology) {
        for machine in topology.machines { _ = learn(name: machine.name, address: machine.address.description) }
    }

    func name(at address: SWIM.Address) -> String? { nameByAddress[address] }
    func address(of name: String) -> SWIM.Address? { addressByName[name] }

    enum Learned: Equatable {
        /// News: the peer directory must be told.
        case learned
        case unchanged
        /// The address belongs to another registered machine: gossip may suggest
        /// an address, never give a machine's address (and so its traffic) to a new name.
        case refused(owner: String)
    }

    /// Records that `name` listens at `address`. `registeredOwner` is the
    /// registered machine at that address, if any (the registry is the
    /// authority on identities; gossip only on addresses not yet registered).
    /// An address that moved to another name (a machine removed from the
    /// registry, a new one on the same port) follows the newest claim.
    mutating func learn(name: String, address: SWIM.Address, registeredOwner: String? = nil) -> Learned {
        if let owner = registeredOwner, owner != name { return .refused(owner: owner) }
        guard addressByName[name] != address else { return .unchanged }
        if let old = addressByName[name], nameByAddress[old] == name { nameByAddress[old] = nil }
        if let previousOwner = nameByAddress[address] { addressByName[previousOwner] = nil }
        addressByName[name] = address
        nameByAddress[address] = name
        return .learned
    }
}
