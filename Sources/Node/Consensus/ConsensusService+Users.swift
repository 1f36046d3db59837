import YonkeProtocol
import Catalog
import NIOCore
import Transport

/// People on the Raft side: the first master registers the operator's admin (its public key is in
/// the machines' secrets file), the master serves `yonke user`, and any node hands a user's
/// client the keyring over its sealed link.
extension ConsensusService {
    /// The name `cluster up` gives the operator's credential.
    static let operatorName = "admin"

    func proposeAdminSeedIfNeeded() {
        guard let node = raft, node.role == .leader, catalog.isBootstrapped, catalog.users.isEmpty,
              let key = context.config.secrets.adminKeyHex,
              adminSeedProposedInTerm != node.term, appliedIndex >= node.commitIndex else { return }
        adminSeedProposedInTerm = node.term
        let command = Catalog.Command.users(.add(name: Self.operatorName, role: .admin, publicKeyHex: key,
                                                 epochMillis: Self.nowEpochMillis()))
        if case .failure(let error)? = raft?.step(.propose(command.encoded())) {
            logger.notice("could not propose the operator's admin user", metadata: ["error": "\(error)"])
            return
        }
        processReady()
        logger.info("master proposed the operator's admin user")
    }

    func serveUsers(_ request: UsersWire.Request) async throws -> ByteBuffer {
        let now = Self.nowEpochMillis()
        let command: Catalog.UserCommand
        switch request {
        case .list:
            return UsersWire.encode(try await read { $0.users })
        case .add(let name, let role, let key):
            if context.registry.machine(named: name) != nil {
                throw RPCFailure(.refused, "'\(name)' is a machine of this cluster: pick another user name")
            }
            command = .add(name: name, role: role, publicKeyHex: key, epochMillis: now)
        case .revoke(let name):
            command = .revoke(name: name, epochMillis: now)
        case .rotate(let name, let key):
            command = .rotate(name: name, publicKeyHex: key, epochMillis: now)
        }
        switch try await propose(.users(command)) {
        case .applied(let effect):
            logger.notice("users changed", metadata: ["change": "\(effect)"])
            return UsersWire.encode(catalog.users)
        case .refused(let refusal):
            throw Self.failure(refusal)
        }
    }

    /// Clients encode and decode blocks themselves; a user's client gets the keyring here, once
    /// this node has rebuilt it.
    func keyringReply() throws -> ByteBuffer {
        guard let keys = context.keys.unlocked else {
            let needed = context.keys.ownShare?.threshold
            throw RPCFailure(.unavailable, "\(selfID) has not rebuilt the cluster's keyring yet: it needs the key shares of a quorum of voters ("
                             + (needed.map { "\($0)" } ?? "a majority") + "); start more voters, or ask a node on the majority side")
        }
        var reply = ByteBuffer()
        reply.writeWireString(keys.fileContents())
        return reply
    }

    /// Another machine rebuilding the keyring: the secret if this node holds it, else its share.
    func keyShareReply() -> ByteBuffer {
        if let keys = context.keys.unlocked {
            return KeyShareWire.encode(.secret(keys.secret.withUnsafeBytes { Array($0) }))
        }
        guard let own = context.keys.ownShare else { return KeyShareWire.encode(.nothing) }
        return KeyShareWire.encode(.share(epoch: own.epoch, threshold: UInt8(own.threshold), count: UInt8(own.count),
                                          x: own.share.x, y: own.share.y))
    }
}
