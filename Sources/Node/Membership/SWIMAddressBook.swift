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

    /// Records that `name` listens at `address`; true when that is news
    /// (the peer directory must then be told). An address that moved to
    /// another name (a machine renamed on the same port) follows the newest claim.
    mutating func learn(name: String, address: SWIM.Address) -> Bool {
        guard addressByName[name] != address else { return false }
        if let old = addressByName[name], nameByAddress[old] == name { nameByAddress[old] = nil }
        if let previousOwner = nameByAddress[address] { addressByName[previousOwner] = nil }
        addressByName[name] = address
        nameByAddress[address] = name
        return true
    }
}
