import YonkeProtocol
import YonkeClient
import Catalog
import Consensus
import NIOCore
import Topology
import Transport
import YonkeCore

extension Catalog.Command {
    /// Entries after which nodes must re-read the machine registry.
    var changesRegistry: Bool {
        switch self {
        case .registerNode, .removeNode, .admitMachine, .setJoinKey, .seedMachines, .setMachineState, .users: true
        default: false
        }
    }
}

/// The machine registry on the Raft side: the first master seeds it from the topology, the master
/// pins keys and admits joining machines, turns new voters into learners and promotes them once
/// caught up; replicas publish every change to `context.registry`; non-voters poll the master.
extension ConsensusService {
    /// How often the master looks for voters to add or promote, in ticks (≈ 200 ms at 10 ms).
    static let voterReconcileTicks: UInt64 = 20
    /// Names CLI clients use on their links: no machine may take them.
    static let reservedNames: Set<String> = ["client"]

    // MARK: Replicas

    func publishRegistryIfChanged() {
        // An unseeded replica (a new learner before its snapshot) has nothing to say: keep what
        // the node already trusts (its registry cache).
        guard registryDirty, raft != nil, !catalog.nodes.isEmpty else { return }
        registryDirty = false
        let view = registryView
        if context.registry.update(view), !view.records.isEmpty {
            logger.info("machine registry changed", metadata: ["machines": "\(view.records.map(\.name).joined(separator: ","))"])
        }
    }

    var registryView: MachineRegistry.View {
        MachineRegistry.View(records: catalog.nodes, joinKeyHex: catalog.joinKeyHex, users: catalog.users)
    }

    /// The first master registers the topology's machines, its own key pinned, the others' keys
    /// pinned on first contact. Once per term at most, after the catalog bootstrap applied.
    func proposeRegistrySeedIfNeeded() {
        guard let node = raft, node.role == .leader, catalog.isBootstrapped, catalog.nodes.isEmpty,
              registrySeedProposedInTerm != node.term, appliedIndex >= node.commitIndex else { return }
        registrySeedProposedInTerm = node.term
        let now = Self.nowEpochMillis()
        let admissions = context.config.topology.machines.map {
            RegistryMapping.admission($0, publicKeyHex: $0.name == selfID.name ? context.settings.identity.publicKey.hex : "",
                                      epochMillis: now)
        }
        if case .failure(let error)? = raft?.step(.propose(Catalog.Command.seedMachines(admissions, epochMillis: now).encoded())) {
            logger.notice("could not propose the machine registry seed", metadata: ["error": "\(error)"])
            return
        }
        processReady()
        logger.info("master proposed the machine registry", metadata: ["machines": "\(admissions.count)"])
    }

    /// Pins the key a registered machine presented on its first link (master only).
    func pinKey(_ admission: Catalog.MachineAdmission) async {
        guard isMaster, !stopped else { return }
        var pinned = admission
        pinned.epochMillis = Self.nowEpochMillis()
        do {
            if case .refused(let refusal) = try await propose(.admitMachine(pinned)) {
                logger.warning("could not pin a machine's key", metadata: ["machine": "\(admission.name)", "reason": "\(refusal)"])
            } else {
                logger.info("pinned a machine's key on first contact", metadata: ["machine": "\(admission.name)"])
            }
        } catch {
            logger.debug("key pin not committed; retried on the next contact", metadata: ["error": "\(error)"])
        }
    }

    /// Registered voters that Raft does not count yet: added as learners, promoted once they hold
    /// everything committed (thesis §4.2.1), one change at a time (the core refuses overlaps).
    func reconcileVotersIfDue() {
        guard let node = raft, node.role == .leader, tickCount - lastVoterReconcileTick >= Self.voterReconcileTicks else { return }
        lastVoterReconcileTick = tickCount
        let configuration = node.configuration
        for record in catalog.nodes where record.roles.contains(.master) {
            let id = Raft.NodeID(record.name)
            if configuration.isVoter(id) { continue }
            let change: Raft.ConfigurationChange = configuration.isLearner(id) ? .promoteLearner(id) : .addLearner(id)
            switch raft?.step(.proposeConfigurationChange(change)) {
            case .success?:
                logger.notice("raft membership change proposed", metadata: ["change": "\(change)"])
                processReady()
            case .failure(let error)?:
                logger.debug("raft membership change not yet possible", metadata: ["change": "\(change)", "reason": "\(error)"])
            case nil:
                break
            }
            return
        }
    }

    // MARK: Non-voters

    /// A node without a catalog replica asks the master for the registry.
    func syncRegistry() async {
        guard raft == nil, let master = learned.master, master != selfID.name,
              let reply = try? await context.peers.call(master, op: CatalogOps.Op.registry.rawValue, payload: ByteBuffer(),
                                                       timeout: .milliseconds(1_000))
        else { return }
        do {
            let view = try RegistryWire.decodeView(reply)
            if context.registry.update(view) {
                logger.info("machine registry changed", metadata: ["machines": "\(view.records.map(\.name).joined(separator: ","))"])
            }
        } catch {
            logger.warning("the master's registry reply does not decode", metadata: ["error": "\(error)"])
        }
    }

    /// This replica's registry (voters and learners; not linearizable, it is polled).
    func registryReply() throws -> ByteBuffer {
        guard raft != nil else { throw RPCFailure(.notMaster, "\(selfID) holds no catalog replica") }
        return RegistryWire.encodeView(registryView)
    }

    // MARK: Join and token (client operations, served by the master)

    /// The join request from `peer`, with the key its link proved, ready to relay to the master.
    func admissionPayload(_ payload: ByteBuffer, from peer: Peer) throws -> ByteBuffer {
        var admission = try RegistryWire.decodeAdmission(payload, epochMillis: 0)
        guard admission.name == peer.name else {
            throw RPCFailure(.refused, "a machine joins under its own link name: the link says '\(peer.name)', the request '\(admission.name)'")
        }
        admission.publicKeyHex = peer.publicKey.hex
        return RegistryWire.encodeAdmission(admission)
    }

    func serveJoin(_ payload: ByteBuffer) async throws -> ByteBuffer {
        let admission = try RegistryWire.decodeAdmission(payload, epochMillis: Self.nowEpochMillis())
        let cluster = context.config.topology.cluster
        try checkJoin(admission, blockSizeBytes: cluster.blockSizeBytes)
        switch try await propose(.admitMachine(admission)) {
        case .applied(.nodeRegistered(let record, let isNew)):
            logger.notice(isNew ? "machine joined" : "machine re-joined",
                          metadata: ["machine": "\(record.name)", "address": "\(record.address)"])
        case .refused(.nodeKeyMismatch(let name)):
            throw Self.keyMismatch(name)
        case .refused(.publicKeyInUse(let other)):
            throw RPCFailure(.refused, "this machine's key already belongs to '\(other)': restart it with `yonke node start --name \(other)` instead of joining again")
        case .refused(let refusal):
            throw RPCFailure(.refused, "join refused: \(refusal)")
        case .applied(let other):
            throw RPCFailure(.internalError, "join had an unexpected effect \(other)")
        }
        // The joiner keeps the token it proved; the master may not even know the one in force.
        return RegistryWire.encodeGrant(JoinGrant(
            cluster: cluster, machines: catalog.nodes, secretsFileContents: context.config.secrets.withoutSecret().fileContents()))
    }

    static func keyMismatch(_ name: String) -> RPCFailure {
        RPCFailure(.refused, "machine '\(name)' is already registered with another key: pick another --name, or remove the old machine first with `yonke node remove \(name)`")
    }

    /// What the catalog cannot check: addresses, sizes against the block size, reserved names.
    private func checkJoin(_ admission: Catalog.MachineAdmission, blockSizeBytes: Int64) throws {
        if Self.reservedNames.contains(admission.name) {
            throw RPCFailure(.refused, "'\(admission.name)' is reserved for command-line clients: pick another --name")
        }
        do throws(Catalog.Refusal) { try Catalog.Command.admitMachine(admission).validate() } catch {
            throw RPCFailure(.refused, "join refused: \(error)")
        }
        guard Topology.Address(parsing: admission.address) != nil else {
            throw RPCFailure(.refused, "'\(admission.address)' is not HOST:PORT: pass --listen like 10.0.0.9:7400")
        }
        for disk in admission.disks where disk.capacityBytes < blockSizeBytes {
            throw RPCFailure(.refused, "disk \(disk.path) (\(ByteCount.format(disk.capacityBytes))) cannot hold one block of \(ByteCount.format(blockSizeBytes))")
        }
        if let existing = catalog.node(admission.name), existing.isKeyPinned, existing.publicKeyHex != admission.publicKeyHex.lowercased() {
            throw Self.keyMismatch(admission.name)
        }
        if let other = catalog.nodes.first(where: { $0.address == admission.address && $0.name != admission.name }) {
            throw RPCFailure(.refused, "address \(admission.address) already belongs to machine '\(other.name)': pass another --listen")
        }
    }

    /// The join token in force; with `rotate`, a new one whose public key is committed first.
    /// Only the key enters the log, so after a rotation the token exists only in the answer.
    func serveJoinToken(_ payload: ByteBuffer) async throws -> ByteBuffer {
        var input = payload
        let rotate = try input.readConsensusBool("rotate")
        try input.expectFullyRead("join token request")
        let clusterID = context.config.secrets.clusterID
        let token: String
        if rotate {
            let fresh = try Transport.generateJoinToken()
            let key = try JoinKey.publicKey(clusterID: clusterID, token: fresh)
            if case .refused(let refusal) = try await propose(.setJoinKey(publicKeyHex: key.hex, epochMillis: Self.nowEpochMillis())) {
                throw RPCFailure(.refused, "token rotation refused: \(refusal)")
            }
            token = fresh
            // At once, not when the registry watcher gets to it: a join that reaches this master
            // after the answer must prove the new token.
            context.settings.setJoinKey(key)
            logger.notice("join token rotated")
        } else {
            let inForce = try await read { $0.joinKeyHex }
            let own = context.config.secrets.joinToken
            let ownKey = try JoinKey.publicKey(clusterID: clusterID, token: own).hex
            guard inForce == nil || inForce == ownKey else {
                throw RPCFailure(.refused, "the join token in force was issued by a rotation and is kept nowhere: issue a new one with `yonke cluster token --rotate`")
            }
            token = own
        }
        var reply = ByteBuffer()
        reply.writeWireString(token)
        return reply
    }
}
