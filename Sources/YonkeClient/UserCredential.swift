import Foundation
import Logging
import SodiumSupport
import Transport
import YonkeCore

/// A person's credential file (mode 0600), what `yonke user add` and `cluster up` write:
/// the cluster id, the user name and the Ed25519 seed whose public key the user registry holds.
/// It holds no data key and no join token: the client asks for the keyring over its link, and
/// revoking the user ends that.
///
///     # Yonke user credential: keep it secret (mode 0600)
///     cluster-id: 3f…
///     user: alice
///     key: 9a…
public struct UserCredential: Sendable {
    public let clusterID: [UInt8]
    public let user: String
    public let identity: NodeIdentity
    private let seed: SecretBytes

    public static func generate(clusterID: [UInt8], user: String) throws -> UserCredential {
        var seed = try NodeIdentity.randomSeed()
        defer { seed.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return try UserCredential(clusterID: clusterID, user: user, seed: seed)
    }

    init(clusterID: [UInt8], user: String, seed: [UInt8]) throws {
        self.clusterID = clusterID
        self.user = user
        self.identity = try NodeIdentity(seed: seed)
        self.seed = SecretBytes(copying: seed)
    }

    public var publicKeyHex: String { identity.publicKey.hex }

    public func fileContents() -> String {
        let seedHex = Hex.encode(Array(UnsafeBufferPointer(start: seed.typedPointer, count: seed.count)))
        return "# Yonke user credential: keep it secret (mode 0600)\ncluster-id: \(Hex.encode(clusterID))\nuser: \(user)\nkey: \(seedHex)\n"
    }

    public func write(to path: String) throws { try SecretFile.create(path: path, contents: fileContents()) }

    public static func load(path: String) throws -> UserCredential {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw NodeError.badSecrets(path: path, reason: "cannot read the credential file (does it exist?)")
        }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = fields["cluster-id"].flatMap(Hex.decode), !id.isEmpty else {
            throw NodeError.badSecrets(path: path, reason: "no valid 'cluster-id:' line")
        }
        guard let user = fields["user"], !user.isEmpty else { throw NodeError.badSecrets(path: path, reason: "no 'user:' line") }
        guard var seed = fields["key"].flatMap(Hex.decode), seed.count == NodeIdentity.seedByteCount else {
            throw NodeError.badSecrets(path: path, reason: "no valid 'key:' line")
        }
        defer { seed.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return try UserCredential(clusterID: id, user: user, seed: seed)
    }

    /// Link settings for this user's client: its identity, and no join token.
    public func settings(logger: Logger) throws -> Transport.Settings {
        try Transport.Settings(nodeName: user, identity: identity, clusterID: clusterID, joinToken: nil, logger: logger)
    }
}
