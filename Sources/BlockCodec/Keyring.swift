import Foundation
import CSodium
import SodiumSupport
import YonkeCore

/// All key material of one cluster. Every key is derived from one 32-byte cluster
/// secret with `crypto_kdf`, so a keyring file holds only the cluster id and that
/// secret. Derived keys live in locked memory that is wiped on release.
public final class Keyring: Sendable {
    public static let clusterIDByteCount = 16
    public static let secretByteCount = Int(crypto_kdf_KEYBYTES)

    public let clusterID: [UInt8]
    /// Keys the block-id digest of format 1 (BLAKE2b): equal plaintexts get equal ids only under one secret.
    let hashKey: SecretBytes
    /// Keys the block-id digest of format 2 (BLAKE3, 32 bytes); a separate subkey,
    /// so a version-1 id and a version-2 id never share a keyed hash.
    let hashKeyV2: SecretBytes
    /// Root of the per-block encryption keys.
    let dataKey: SecretBytes
    /// Public fingerprint of `dataKey`, stored in every block header so that a
    /// wrong keyring is reported as such instead of as corruption of frame 0.
    public let keyCheck: [UInt8]

    private enum Subkey: UInt64 { case hash = 1, data = 2, check = 3, hashV2 = 4 }
    private static let context = Array("yonkekey".utf8).map { CChar(bitPattern: $0) }

    public convenience init(clusterID: [UInt8], clusterSecret: [UInt8]) throws(BlockCodecError) {
        try self.init(clusterID: clusterID, secretCount: clusterSecret.count) { body in clusterSecret.withUnsafeBufferPointer { body($0.baseAddress!) } }
    }

    /// From a secret held in locked memory (reassembled from key shares): no copy leaves it.
    public convenience init(clusterID: [UInt8], clusterSecret: SecretBytes) throws(BlockCodecError) {
        try self.init(clusterID: clusterID, secretCount: clusterSecret.count) { body in body(clusterSecret.typedPointer) }
    }

    private init(clusterID: [UInt8], secretCount: Int,
                 withSecret: ((UnsafePointer<UInt8>) -> Void) -> Void) throws(BlockCodecError) {
        guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
        guard clusterID.count == Self.clusterIDByteCount else {
            throw .invalidKeyring("cluster id must be \(Self.clusterIDByteCount) bytes, got \(clusterID.count)")
        }
        guard secretCount == Self.secretByteCount else {
            throw .invalidKeyring("cluster secret must be \(Self.secretByteCount) bytes, got \(secretCount)")
        }
        self.clusterID = clusterID
        func derive(_ id: Subkey, count: Int) -> SecretBytes {
            SecretBytes(count: count) { out in
                withSecret { secret in
                    let rc = crypto_kdf_derive_from_key(
                        out.baseAddress!.assumingMemoryBound(to: UInt8.self), count,
                        id.rawValue, Self.context, secret)
                    precondition(rc == 0, "crypto_kdf_derive_from_key failed for a valid key length")
                }
            }
        }
        hashKey = derive(.hash, count: Int(crypto_generichash_KEYBYTES))
        hashKeyV2 = derive(.hashV2, count: 32)
        dataKey = derive(.data, count: Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
        keyCheck = derive(.check, count: 16).withUnsafeBytes { Array($0.prefix(8)) }
    }

    /// Material for a new cluster: random id and secret from the OS generator.
    public static func randomMaterial() throws(BlockCodecError) -> (clusterID: [UInt8], secret: [UInt8]) {
        guard Sodium.ready else { throw .cryptoUnavailable("sodium_init failed") }
        var id = [UInt8](repeating: 0, count: clusterIDByteCount)
        var secret = [UInt8](repeating: 0, count: secretByteCount)
        randombytes_buf(&id, id.count)
        randombytes_buf(&secret, secret.count)
        return (id, secret)
    }

    /// A keyring for a new cluster whose secret is not kept (tests, throwaway data).
    public static func generate() throws(BlockCodecError) -> Keyring {
        var (id, secret) = try randomMaterial()
        defer { sodium_memzero(&secret, secret.count) }
        return try Keyring(clusterID: id, clusterSecret: secret)
    }

    /// The per-block encryption key. `crypto_kdf` takes a 64-bit subkey id, too
    /// small for a 256-bit block id, so the derivation is BLAKE2b keyed by the
    /// data key over the whole id (what `crypto_kdf` does inside, widened).
    func blockKey(for id: BlockID) -> SecretBytes {
        SecretBytes(count: Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)) { out in
            let rc = id.bytes.withUnsafeBufferPointer { idBytes in
                crypto_generichash(
                    out.baseAddress!.assumingMemoryBound(to: UInt8.self), out.count,
                    idBytes.baseAddress, UInt64(idBytes.count),
                    dataKey.typedPointer, dataKey.count)
            }
            precondition(rc == 0, "crypto_generichash failed for valid lengths")
        }
    }
}

// MARK: - Keyring file

extension Keyring {
    /// The text of a keyring file. The secret is in it: callers write it with mode 0600.
    public func fileContents(clusterSecret: [UInt8]) -> String {
        """
        # Yonke keyring. Anyone holding this file can read every block of the cluster.
        cluster-id: \(Hex.encode(clusterID))
        secret: \(Hex.encode(clusterSecret))

        """
    }

    /// Parses a keyring file; returns the keyring and its secret (to re-serialise).
    public static func parse(fileContents text: String) throws(BlockCodecError) -> (Keyring, secret: [UInt8]) {
        var fields: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw .invalidKeyring("line \(number + 1): expected 'name: value'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let idText = fields["cluster-id"], let id = Hex.decode(idText) else {
            throw .invalidKeyring("missing or non-hex 'cluster-id'")
        }
        guard let secretText = fields["secret"], let secret = Hex.decode(secretText) else {
            throw .invalidKeyring("missing or non-hex 'secret'")
        }
        return (try Keyring(clusterID: id, clusterSecret: secret), secret)
    }
}
