import CSodium
import SodiumSupport
import YonkeCore

/// The join token as a signing key: `seed = BLAKE2b-256("yonke join key v1" ‖ len(clusterID) ‖
/// clusterID ‖ token)`. A holder of the token signs each handshake's transcript with it; the
/// cluster keeps only the public half (in the catalog), so a stolen Raft log or snapshot lets
/// nobody join.
public enum JoinKey {
    static func signer(clusterID: [UInt8], token: String) throws(TransportError) -> NodeIdentity {
        var input = Array("yonke join key v1".utf8)
        input.append(UInt8(clamping: clusterID.count))
        input += clusterID
        input += Array(token.utf8)
        defer { sodium_memzero(&input, input.count) }
        var seed = Crypto.blake2b(input, key: nil)
        defer { sodium_memzero(&seed, seed.count) }
        return try NodeIdentity(seed: seed)
    }

    /// What the catalog records for a token.
    public static func publicKey(clusterID: [UInt8], token: String) throws(TransportError) -> NodePublicKey {
        try signer(clusterID: clusterID, token: token).publicKey
    }
}
