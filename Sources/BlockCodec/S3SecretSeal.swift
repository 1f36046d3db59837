import CSodium
import SodiumSupport

/// Seals S3 secret access keys for the catalog: XChaCha20-Poly1305 under a subkey of the cluster
/// secret (context `yonkes3k`, apart from the block keys), a random nonce in front, the access
/// key id as associated data so a sealed secret cannot be moved to another key id.
public enum S3SecretSeal {
    private static let context = Array("yonkes3k".utf8).map { CChar(bitPattern: $0) }
    static let nonceBytes = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    static let tagBytes = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    private static func key(clusterSecret: [UInt8]) -> [UInt8]? {
        guard Sodium.ready, clusterSecret.count == Keyring.secretByteCount else { return nil }
        var key = [UInt8](repeating: 0, count: Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES))
        let rc = key.withUnsafeMutableBufferPointer { out -> Int32 in
            guard let base = out.baseAddress else { return -1 }
            return crypto_kdf_derive_from_key(base, out.count, 1, context, clusterSecret)
        }
        return rc == 0 ? key : nil
    }

    /// A fresh secret: 40 characters of base62 from libsodium's generator (AWS's secrets are 40).
    public static func newSecret(count: Int = 40) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        _ = Sodium.ready
        return String(decoding: (0..<count).map { _ in alphabet[Int(randombytes_uniform(UInt32(alphabet.count)))] }, as: UTF8.self)
    }

    /// A fresh access key id: `YK` and 18 of A-Z, 0-9.
    public static func newAccessKeyID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        _ = Sodium.ready
        return "YK" + String(decoding: (0..<18).map { _ in alphabet[Int(randombytes_uniform(UInt32(alphabet.count)))] }, as: UTF8.self)
    }

    public static func seal(secret: String, accessKeyID: String, clusterSecret: [UInt8]) -> [UInt8]? {
        guard let key = key(clusterSecret: clusterSecret) else { return nil }
        var nonce = [UInt8](repeating: 0, count: nonceBytes)
        randombytes_buf(&nonce, nonce.count)
        let message = Array(secret.utf8), ad = Array(accessKeyID.utf8)
        var out = [UInt8](repeating: 0, count: message.count + tagBytes)
        var length: UInt64 = 0
        let rc = crypto_aead_xchacha20poly1305_ietf_encrypt(&out, &length, message, UInt64(message.count), ad, UInt64(ad.count), nil, nonce, key)
        guard rc == 0 else { return nil }
        return nonce + out.prefix(Int(length))
    }

    /// nil when the bytes were not sealed under this cluster for this key id.
    public static func open(_ sealed: [UInt8], accessKeyID: String, clusterSecret: [UInt8]) -> String? {
        guard sealed.count > nonceBytes + tagBytes, let key = key(clusterSecret: clusterSecret) else { return nil }
        let nonce = Array(sealed.prefix(nonceBytes)), box = Array(sealed.dropFirst(nonceBytes)), ad = Array(accessKeyID.utf8)
        var out = [UInt8](repeating: 0, count: box.count - tagBytes)
        var length: UInt64 = 0
        let rc = crypto_aead_xchacha20poly1305_ietf_decrypt(&out, &length, nil, box, UInt64(box.count), ad, UInt64(ad.count), nonce, key)
        guard rc == 0 else { return nil }
        return String(validating: out.prefix(Int(length)), as: UTF8.self)
    }
}
