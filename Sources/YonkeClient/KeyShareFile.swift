import BlockCodec
import SodiumSupport
import YonkeCore

/// One voter's share of the cluster's data secret (`DATA/NAME/key.share`, mode 0600). Any
/// `threshold` shares of one `epoch` rebuild the secret; fewer reveal nothing about it, so a
/// stolen disk of one machine decrypts no block. The key check is public (every block header
/// carries it) and tells a rebuilt secret from a wrong one.
public struct KeyShareFile: Sendable, Equatable {
    public let clusterID: [UInt8]
    public let keyCheck: [UInt8]
    public let threshold: Int
    public let count: Int
    public let epoch: UInt64
    public let share: Shamir.Share

    /// A majority of the voters: as many as Raft needs to elect a master, so a cluster that can
    /// serve can also unlock, and one machine alone (of three or more) cannot.
    public static func threshold(voters: Int) -> Int { voters / 2 + 1 }

    public static func path(dataRoot: String, machine: String) -> String { "\(dataRoot)/\(machine)/key.share" }

    public init(clusterID: [UInt8], keyCheck: [UInt8], threshold: Int, count: Int, epoch: UInt64, share: Shamir.Share) {
        self.clusterID = clusterID
        self.keyCheck = keyCheck
        self.threshold = threshold
        self.count = count
        self.epoch = epoch
        self.share = share
    }

    public func fileContents() -> String {
        """
        # Yonke key share \(share.x) of \(count): any \(threshold) rebuild the cluster's data key; fewer reveal nothing.
        cluster-id: \(Hex.encode(clusterID))
        key-check: \(Hex.encode(keyCheck))
        threshold: \(threshold)
        shares: \(count)
        epoch: \(epoch)
        x: \(share.x)
        y: \(Hex.encode(share.y))

        """
    }

    public static func parse(_ text: String, path: String) throws -> KeyShareFile {
        let fields = try SecretFields(text, path: path)
        let count = try fields.integer("shares", in: 1...255, path: path)
        let threshold = try fields.integer("threshold", in: 1...count, path: path)
        let x = try fields.integer("x", in: 1...255, path: path)
        guard let epoch = UInt64(try fields.required("epoch", path: path)) else {
            throw NodeError.badSecrets(path: path, reason: "'epoch' is not a number")
        }
        return KeyShareFile(
            clusterID: try fields.hex("cluster-id", count: Keyring.clusterIDByteCount, path: path),
            keyCheck: try fields.hex("key-check", count: nil, path: path), threshold: threshold, count: count,
            epoch: epoch, share: Shamir.Share(x: UInt8(x), y: try fields.hex("y", count: Keyring.secretByteCount, path: path)))
    }

    /// The share at `path`, or nil when there is none (workers, and voters that joined later).
    public static func loadIfPresent(path: String) throws -> KeyShareFile? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return try parse(text, path: path)
    }

    public func write(to path: String) throws {
        try SecretFile.create(path: path, contents: fileContents())
    }
}

extension ClusterSecrets.Unlocked {
    /// The secret rebuilt from `shares` (one epoch, at least its threshold), checked against
    /// the cluster's key check; nil while there are too few.
    public static func combine(_ shares: [KeyShareFile], clusterID: [UInt8], keyCheck: [UInt8]) throws -> ClusterSecrets.Unlocked? {
        let usable = shares.filter { $0.clusterID == clusterID && $0.keyCheck == keyCheck }
        for epoch in Set(usable.map(\.epoch)).sorted(by: >) {
            var byPoint: [UInt8: KeyShareFile] = [:]
            for share in usable where share.epoch == epoch { byPoint[share.share.x] = share }
            let chosen = Array(byPoint.values.sorted { $0.share.x < $1.share.x })
            guard let threshold = chosen.first?.threshold, chosen.count >= threshold else { continue }
            let secret = try Shamir.combine(chosen.prefix(threshold).map(\.share))
            let keyring = try Keyring(clusterID: clusterID, clusterSecret: secret)
            guard keyring.keyCheck == keyCheck else {
                throw NodeError.badSecrets(path: "key shares of epoch \(epoch)",
                                           reason: "they rebuild a key whose check does not match the cluster's (a share is damaged or forged)")
            }
            return ClusterSecrets.Unlocked(keyring: keyring, secret: secret)
        }
        return nil
    }
}
