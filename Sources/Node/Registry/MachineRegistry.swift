import YonkeProtocol
import YonkeClient
import Catalog
import Synchronization
import Topology
import Transport

/// The cluster's machines as this node knows them: the registry in the catalog (node records:
/// name, address, roles, rack, disks, pinned key), which every node follows — voters and learners
/// as they apply the log, other nodes by asking the master every half second (`ConsensusService.syncRegistry`).
/// Until a node first hears the registry, the topology it started from stands in for it (a fresh
/// cluster's topology, or a joined machine's `joined.yaml`).
///
/// Keys are pinned on first use: machines registered from the topology carry no key until the
/// master sees a link from them (which already proved the join token); from then on a link under
/// that name with another key is refused by every node (`admissionRefusal`).
///
/// Read synchronously (a `Mutex`), because the transport asks it on an event loop.
public final class MachineRegistry: Sendable {
    /// What the catalog says: records sorted by name, and the rotated join token if any.
    public typealias View = RegistryView

    private struct State {
        var view: View?
        var machines: [Topology.Machine]
        var pinAttempts: [String: ContinuousClock.Instant] = [:]
        var watchers: [UInt64: AsyncStream<View>.Continuation] = [:]
        var nextWatcher: UInt64 = 0
    }

    /// How long before a key pin that did not take is tried again.
    static let pinRetry = Duration.seconds(2)

    let topology: Topology
    private let state: Mutex<State>

    init(topology: Topology) {
        self.topology = topology
        state = Mutex(State(view: nil, machines: topology.machines))
    }

    // MARK: Reading

    /// Every machine, topology machines first in file order, then joined ones by name.
    public var machines: [Topology.Machine] { state.withLock { $0.machines } }
    public var workers: [Topology.Machine] { machines.filter(\.isWorker) }
    public var voters: [Topology.Machine] { machines.filter(\.isVoter) }
    public func machine(named name: String) -> Topology.Machine? { machines.first { $0.name == name } }
    /// The catalog's view, nil until this node has heard it.
    public var view: View? { state.withLock { $0.view } }
    public func record(named name: String) -> Catalog.NodeRecord? { view?.records.first { $0.name == name } }

    /// Who a link's peer is (see `Principal`), nil when it is nobody this cluster admits. Asked
    /// at the handshake and again on every request, so a revoked user is refused as soon as
    /// this node hears the revocation.
    public func principal(for peer: Peer) -> Principal? {
        let key = peer.publicKey.hex
        return state.withLock { s -> Principal? in
            if let record = s.view?.records.first(where: { $0.name == peer.name }) {
                if record.isKeyPinned { if record.publicKeyHex == key { return .machine(peer.name) } }
                // Pinned on first use: until then the token is the proof (`pinCandidate`).
                else if peer.provedJoinToken { return .machine(peer.name) }
            } else if s.view?.records.isEmpty ?? true, peer.provedJoinToken, s.machines.contains(where: { $0.name == peer.name }) {
                // Before the registry is seeded the topology stands in for it, keys unpinned.
                return .machine(peer.name)
            }
            if let user = s.view?.users.first(where: { $0.name == peer.name }), user.publicKeyHex == key {
                return .user(user.name, user.role)
            }
            return peer.provedJoinToken ? .joiner(peer.name) : nil
        }
    }

    /// The transport's admission rule: machines under their pinned key, registered users, and
    /// holders of the join token.
    func admissionRefusal(for peer: Peer) -> String? {
        guard principal(for: peer) == nil else { return nil }
        if let record = record(named: peer.name), record.isKeyPinned {
            return "machine '\(peer.name)' is registered with another key: pick another name, or `yonke node remove \(peer.name)` first"
        }
        return "'\(peer.name)' is neither a machine of this cluster nor a user with this key (revoked, rotated, or never added: `yonke user add`), and did not prove the join token"
    }

    /// The pinned key of a machine name, for outgoing links (`Transport.Settings.pinnedKey`).
    func pinnedKey(of name: String) -> NodePublicKey? {
        guard let record = record(named: name), record.isKeyPinned else { return nil }
        return NodePublicKey(hex: record.publicKeyHex)
    }

    /// A registered machine whose key is not pinned yet, seen over a link that proved the token:
    /// the admission that pins it (at most once per `pinRetry` per name).
    func pinCandidate(_ peer: Peer, now: ContinuousClock.Instant = .now) -> Catalog.MachineAdmission? {
        state.withLock { s in
            guard peer.provedJoinToken,
                  let record = s.view?.records.first(where: { $0.name == peer.name }), !record.isKeyPinned else { return nil }
            if let last = s.pinAttempts[peer.name], now - last < Self.pinRetry { return nil }
            s.pinAttempts[peer.name] = now
            return Catalog.MachineAdmission(
                name: record.name, publicKeyHex: peer.publicKey.hex, address: record.address, roles: record.roles,
                rack: record.rack, disks: record.disks, epochMillis: 0)
        }
    }

    // MARK: Changing

    /// Takes the catalog's view; true (and watchers told) when it changed.
    @discardableResult
    func update(_ view: View) -> Bool {
        let watchers: [AsyncStream<View>.Continuation]? = state.withLock { s in
            guard s.view != view else { return nil }
            s.view = view
            s.machines = view.records.isEmpty ? topology.machines : RegistryMapping.machines(view.records, topology: topology)
            return s.watchers.keys.sorted().compactMap { s.watchers[$0] }
        }
        guard let watchers else { return false }
        for watcher in watchers { watcher.yield(view) }
        return true
    }

    /// Every change from now on (a slow consumer sees the latest); ends with `finishWatchers`.
    func changes() -> AsyncStream<View> {
        let (stream, continuation) = AsyncStream.makeStream(of: View.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { s in
            defer { s.nextWatcher += 1 }
            s.watchers[s.nextWatcher] = continuation
            if let view = s.view { continuation.yield(view) }
            return s.nextWatcher
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) } }
        return stream
    }

    func finishWatchers() {
        let watchers = state.withLock { s in
            defer { s.watchers = [:] }
            return Array(s.watchers.values)
        }
        for watcher in watchers { watcher.finish() }
    }
}
