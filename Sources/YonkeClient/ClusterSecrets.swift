import YonkeProtocol
import BlockCodec
import Foundation
import SodiumSupport
import Transport
import YonkeCore

/// What a cluster's machines hold, in one file (mode 0600): the cluster id and the public check
/// of its data key, the join token (machines prove it to be admitted) and the operator's public
/// key (the first master registers it as the `admin` user). The data secret itself is not in it:
/// voters each hold a key share (`KeyShareFile`) and a node rebuilds the keyring from a quorum of
/// them in locked memory (`Node/Keys`). A file written by an older build, or for in-process
/// tests, may still carry the secret (`secret:` line): then `unlocked` holds it. People hold a
/// `UserCredential` instead.
public struct ClusterSecrets: Sendable {
    /// The keyring and its secret, both in locked memory.
    public struct Unlocked: Sendable {
        public let keyring: Keyring
        public let secret: SecretBytes

        public init(keyring: Keyring, secret: SecretBytes) {
            self.keyring = keyring
            self.secret = secret
        }

        /// The keyring file's text (for a user's client, over its sealed link).
        public func fileContents() -> String {
            secret.withUnsafeBytes { keyring.fileContents(clusterSecret: Array($0)) }
        }
    }

    public let clusterID: [UInt8]
    /// Public: identifies the data key (it is in every block header), so rebuilt shares can be checked.
    public let keyCheck: [UInt8]
    public let unlocked: Unlocked?
    public let joinToken: String
    /// Public, not secret: which key `cluster up`'s operator credential has.
    public let adminKeyHex: String?

    public var keyring: Keyring? { unlocked?.keyring }

    /// A cluster whose secret lives in this value (in-process nodes, tests).
    public static func generate(adminKeyHex: String? = nil) throws -> ClusterSecrets {
        let (id, secret) = try Keyring.randomMaterial()
        return try ClusterSecrets(keyring: try Keyring(clusterID: id, clusterSecret: secret), clusterSecret: secret,
                                  joinToken: try Transport.generateJoinToken(), adminKeyHex: adminKeyHex)
    }

    /// A new cluster for `voters`: the machines' file (no secret in it) and one key share per
    /// voter, any majority of which rebuilds the secret.
    public static func generateShared(voters: [String], adminKeyHex: String?) throws -> (ClusterSecrets, [String: KeyShareFile]) {
        let (id, secretArray) = try Keyring.randomMaterial()
        let secret = SecretBytes(copying: secretArray)
        let keyring = try Keyring(clusterID: id, clusterSecret: secret)
        let threshold = KeyShareFile.threshold(voters: voters.count)
        let shares = try Shamir.split(secret, threshold: threshold, count: voters.count)
        var files: [String: KeyShareFile] = [:]
        for (voter, share) in zip(voters, shares) {
            files[voter] = KeyShareFile(clusterID: id, keyCheck: keyring.keyCheck, threshold: threshold,
                                        count: voters.count, epoch: 1, share: share)
        }
        let secrets = ClusterSecrets(clusterID: id, keyCheck: keyring.keyCheck, unlocked: nil,
                                     joinToken: try Transport.generateJoinToken(), adminKeyHex: adminKeyHex)
        return (secrets, files)
    }

    public func fileContents() -> String {
        var text = "# Yonke machines' secrets: the join token admits new machines (keep this file 0600).\n"
        if let unlocked {
            text = unlocked.fileContents()
        } else {
            text += "cluster-id: \(Hex.encode(clusterID))\n"
        }
        text += "key-check: \(Hex.encode(keyCheck))\njoin-token: \(joinToken)\n"
        return text + (adminKeyHex.map { "admin-key: \($0)\n" } ?? "")
    }

    /// The same secrets without the data secret: what a joining machine is handed.
    public func withoutSecret() -> ClusterSecrets {
        ClusterSecrets(clusterID: clusterID, keyCheck: keyCheck, unlocked: nil, joinToken: joinToken, adminKeyHex: adminKeyHex)
    }

    public static func parse(_ text: String, path: String) throws -> ClusterSecrets {
        let fields = try SecretFields(text, path: path)
        let token = try fields.required("join-token", path: path)
        var adminKey: String?
        if let hex = fields["admin-key"] {
            guard NodePublicKey(hex: hex) != nil else { throw NodeError.badSecrets(path: path, reason: "admin-key is not a public key") }
            adminKey = hex
        }
        if fields["secret"] != nil {
            let (keyring, secret) = try Keyring.parse(fileContents: text)
            return ClusterSecrets(clusterID: keyring.clusterID, keyCheck: keyring.keyCheck,
                                  unlocked: Unlocked(keyring: keyring, secret: SecretBytes(copying: secret)),
                                  joinToken: token, adminKeyHex: adminKey)
        }
        let id = try fields.hex("cluster-id", count: Keyring.clusterIDByteCount, path: path)
        let check = try fields.hex("key-check", count: nil, path: path)
        return ClusterSecrets(clusterID: id, keyCheck: check, unlocked: nil, joinToken: token, adminKeyHex: adminKey)
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

    public func withAdminKey(_ hex: String) -> ClusterSecrets {
        ClusterSecrets(clusterID: clusterID, keyCheck: keyCheck, unlocked: unlocked, joinToken: joinToken, adminKeyHex: hex)
    }

    public func withJoinToken(_ token: String) -> ClusterSecrets {
        ClusterSecrets(clusterID: clusterID, keyCheck: keyCheck, unlocked: unlocked, joinToken: token, adminKeyHex: adminKeyHex)
    }

    public init(keyring: Keyring, clusterSecret: [UInt8], joinToken: String, adminKeyHex: String? = nil) throws {
        self.init(clusterID: keyring.clusterID, keyCheck: keyring.keyCheck,
                  unlocked: Unlocked(keyring: keyring, secret: SecretBytes(copying: clusterSecret)),
                  joinToken: joinToken, adminKeyHex: adminKeyHex)
    }

    public init(clusterID: [UInt8], keyCheck: [UInt8], unlocked: Unlocked?, joinToken: String, adminKeyHex: String?) {
        self.clusterID = clusterID
        self.keyCheck = keyCheck
        self.unlocked = unlocked
        self.joinToken = joinToken
        self.adminKeyHex = adminKeyHex
    }
}

/// `name: value` lines of a secrets or share file (`#` comments, blank lines).
struct SecretFields {
    private var values: [String: String] = [:]

    init(_ text: String, path: String) throws {
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw NodeError.badSecrets(path: path, reason: "line \(number + 1): expected 'name: value'")
            }
            values[line[..<colon].trimmingCharacters(in: .whitespaces)] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    subscript(name: String) -> String? { values[name] }

    func required(_ name: String, path: String) throws -> String {
        guard let value = values[name], !value.isEmpty else { throw NodeError.badSecrets(path: path, reason: "no '\(name):' line") }
        return value
    }

    func hex(_ name: String, count: Int?, path: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try required(name, path: path)), !bytes.isEmpty, count.map({ bytes.count == $0 }) ?? true else {
            throw NodeError.badSecrets(path: path, reason: "'\(name)' is not \(count.map { "\($0) bytes of " } ?? "")hex")
        }
        return bytes
    }

    func integer(_ name: String, in range: ClosedRange<Int>, path: String) throws -> Int {
        guard let value = Int(try required(name, path: path)), range.contains(value) else {
            throw NodeError.badSecrets(path: path, reason: "'\(name)' must be a number in \(range.lowerBound)…\(range.upperBound)")
        }
        return value
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
