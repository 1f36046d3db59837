import YonkeClient
import Synchronization

/// This node's hold on the cluster's data keyring. A node whose secrets file carries no secret
/// starts locked and unlocks once it has rebuilt the keyring from a quorum of voters' key
/// shares, or received it from a machine that has (`YonkeNode.unlockKeys`); until then it stores and
/// moves ciphertext as usual but cannot scrub, verify or hand the keyring to users.
public final class NodeKeys: Sendable {
    private let state: Mutex<ClusterSecrets.Unlocked?>
    /// This voter's own share, if it holds one.
    public let ownShare: KeyShareFile?

    init(secrets: ClusterSecrets, ownShare: KeyShareFile?) {
        state = Mutex(secrets.unlocked)
        self.ownShare = ownShare
    }

    public var unlocked: ClusterSecrets.Unlocked? { state.withLock { $0 } }

    /// True the first time only.
    func install(_ keys: ClusterSecrets.Unlocked) -> Bool {
        state.withLock { current in
            guard current == nil else { return false }
            current = keys
            return true
        }
    }

    /// Waits until unlocked (polled: unlocking happens once per process).
    public func waitUntilUnlocked() async throws -> ClusterSecrets.Unlocked {
        while true {
            if let keys = unlocked { return keys }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}
