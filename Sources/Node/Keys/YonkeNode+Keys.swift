import BlockCodec
import YonkeClient
import YonkeProtocol
import NIOCore
import SodiumSupport

/// Unlocking after a start: no disk holds the data secret, so a node asks the other machines
/// (over links to their pinned keys) for their shares, or for the secret from one that has
/// rebuilt it, and rebuilds the keyring in locked memory once a quorum of shares agrees with the
/// cluster's key check. A node started alone, with no quorum of voters reachable, stays locked.
extension YonkeNode {
    static let unlockRetry = Duration.seconds(1)

    func unlockKeys() async throws {
        if let keys = context.keys.unlocked {
            installCodecs(keys)
            return
        }
        let secrets = config.secrets
        var shares: [String: KeyShareFile] = [:]
        if let own = context.keys.ownShare { shares[config.name] = own }
        context.logger.notice("keyring locked: rebuilding it from the voters' key shares",
                              metadata: ["ownShare": "\(context.keys.ownShare != nil)"])
        var rounds = 0
        while true {
            if let keys = rebuilt(from: Array(shares.values)) { return unlocked(with: keys, how: "\(shares.count) key shares") }
            for machine in context.registry.machines where machine.name != config.name {
                let reply: KeyShareWire.Reply
                do {
                    reply = try KeyShareWire.decode(try await context.peers.call(
                        machine.name, op: CatalogOps.Op.keyShare.rawValue, payload: ByteBuffer(), timeout: .seconds(2)))
                } catch {
                    continue
                }
                switch reply {
                case .nothing:
                    continue
                case .secret(let bytes):
                    // A peer's answer is outside input: a bad one is logged and skipped, never
                    // thrown (a throw here would stop the whole node).
                    guard let keyring = try? Keyring(clusterID: secrets.clusterID, clusterSecret: bytes),
                          keyring.keyCheck == secrets.keyCheck else {
                        context.logger.error("a machine answered a secret that does not match the cluster's key check; ignored",
                                             metadata: ["peer": "\(machine.name)"])
                        continue
                    }
                    return unlocked(with: ClusterSecrets.Unlocked(keyring: keyring, secret: SecretBytes(copying: bytes)),
                                    how: "the secret from \(machine.name)")
                case let .share(epoch, threshold, count, x, y):
                    shares[machine.name] = KeyShareFile(clusterID: secrets.clusterID, keyCheck: secrets.keyCheck,
                                                        threshold: Int(threshold), count: Int(count), epoch: epoch,
                                                        share: Shamir.Share(x: x, y: y))
                    if let keys = rebuilt(from: Array(shares.values)) {
                        return unlocked(with: keys, how: "\(shares.count) key shares")
                    }
                }
            }
            rounds += 1
            if rounds % 30 == 0 {
                context.logger.warning("keyring still locked: too few voters' key shares reachable", metadata: [
                    "shares": "\(shares.count)", "hint": "start more voters: any majority of them unlocks the cluster"])
            }
            try await Task.sleep(for: Self.unlockRetry)
        }
    }

    private func rebuilt(from shares: [KeyShareFile]) -> ClusterSecrets.Unlocked? {
        do {
            return try ClusterSecrets.Unlocked.combine(shares, clusterID: config.secrets.clusterID, keyCheck: config.secrets.keyCheck)
        } catch {
            context.logger.error("the key shares do not rebuild the cluster's key", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func unlocked(with keys: ClusterSecrets.Unlocked, how: String) {
        guard context.keys.install(keys) else { return }
        installCodecs(keys)
        context.logger.notice("keyring unlocked", metadata: ["from": "\(how)"])
    }

    private func installCodecs(_ keys: ClusterSecrets.Unlocked) {
        guard let codec = try? BlockCodec(keyring: keys.keyring) else {
            context.logger.error("cannot build the block codec from the keyring")
            return
        }
        for disk in blocks.disks where disk.store.codec == nil { disk.store.install(codec: codec) }
    }
}
