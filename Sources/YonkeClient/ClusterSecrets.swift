import YonkeProtocol
import BlockCodec
import Foundation
import Transport
import YonkeCore

/// What a cluster's machines hold, in one file (mode 0600): the keyring (cluster id + data
/// secret; nodes scrub with it and hand it to users' clients over their links), the join token
/// (machines prove it to be admitted) and the operator's public key (the first master registers
/// it as the `admin` user). People hold a `UserCredential` instead.
public struct ClusterSecrets: Sendable {
    public let keyring: Keyring
    public let clusterSecret: [UInt8]
    public let joinToken: String
    /// Public, not secret: which key `cluster up`'s operator credential has.
    public let adminKeyHex: String?

    public var clusterID: [UInt8] { keyring.clusterID }

    public static func generate(adminKeyHex: String? = nil) throws -> ClusterSecrets {
        let (id, secret) = try Keyring.randomMaterial()
        return ClusterSecrets(
            keyring: try Keyring(clusterID: id, clusterSecret: secret), clusterSecret: secret,
            joinToken: try Transport.generateJoinToken(), adminKeyHex: adminKeyHex)
    }

    public func fileContents() -> String {
        keyring.fileContents(clusterSecret: clusterSecret) + "join-token: \(joinToken)\n"
            + (adminKeyHex.map { "admin-key: \($0)\n" } ?? "")
    }

    public static func parse(_ text: String, path: String) throws -> ClusterSecrets {
        let (keyring, secret) = try Keyring.parse(fileContents: text)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("join-token:") }) else {
            throw NodeError.badSecrets(path: path, reason: "no 'join-token:' line")
        }
        let token = line.dropFirst("join-token:".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw NodeError.badSecrets(path: path, reason: "empty join token") }
        var adminKey: String?
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("admin-key:") }) {
            let hex = line.dropFirst("admin-key:".count).trimmingCharacters(in: .whitespaces)
            guard NodePublicKey(hex: hex) != nil else { throw NodeError.badSecrets(path: path, reason: "admin-key is not a public key") }
            adminKey = hex
        }
        return ClusterSecrets(keyring: keyring, clusterSecret: secret, joinToken: token, adminKeyHex: adminKey)
    }

    public static func load(path: String) throws -> ClusterSecrets {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw NodeError.badSecrets(path: path, reason: "cannot read the file (does it exist?)")
        }
        return try parse(text, path: path)
    }

    /// Writes the file with mode 0600; refuses to replace an existing one.
    public func write(to path: String) throws {
        try SecretFile.create(path: path, contents: fileContents())
    }

    /// Replaces the file atomically (mode 0600): readers see the old secrets or the new, never half.
    public func replace(at path: String) throws {
        try SecretFile.replace(path: path, contents: fileContents())
    }

    public func withJoinToken(_ token: String) -> ClusterSecrets {
        ClusterSecrets(keyring: keyring, clusterSecret: clusterSecret, joinToken: token, adminKeyHex: adminKeyHex)
    }

    public init(keyring: Keyring, clusterSecret: [UInt8], joinToken: String, adminKeyHex: String? = nil) {
        self.keyring = keyring
        self.clusterSecret = clusterSecret
        self.joinToken = joinToken
        self.adminKeyHex = adminKeyHex
    }
}

/// Small secret files: created with O_EXCL and mode 0600, fsynced.
public enum SecretFile {
    public static func create(path: String, contents: String) throws {
        try create(path: path, bytes: Array(contents.utf8))
    }

    public static func create(path: String, bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw NodeError.io(path: path, what: "create", errno: errno) }
        defer { close(fd) }
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            let code = errno
            unlink(path)
            throw NodeError.io(path: path, what: "write", errno: code)
        }
    }
}

extension SecretFile {
    /// Writes a fresh 0600 file beside `path`, fsyncs it, renames it over `path`, fsyncs the folder.
    public static func replace(path: String, contents: String) throws {
        try replace(path: path, bytes: Array(contents.utf8))
    }

    public static func replace(path: String, bytes: [UInt8]) throws {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        try create(path: temporary, bytes: bytes)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw NodeError.io(path: path, what: "replace", errno: code)
        }
        syncFolder(containing: path)
    }
}

/// A node's long-term identity seed, created on first start in its data folder.
public enum IdentityFile {
    public static func loadOrCreate(path: String) throws -> NodeIdentity {
        if let text = try? String(contentsOfFile: path, encoding: .utf8) {
            guard let seed = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  seed.count == NodeIdentity.seedByteCount
            else { throw NodeError.badSecrets(path: path, reason: "not a hex identity seed") }
            return try NodeIdentity(seed: seed)
        }
        let seed = try NodeIdentity.randomSeed()
        try SecretFile.create(path: path, contents: Hex.encode(seed) + "\n")
        return try NodeIdentity(seed: seed)
    }
}
