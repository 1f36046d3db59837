import BlockCodec
import Catalog
import NIOCore
import YonkeProtocol

/// S3 access keys on the master: a new key's secret is made and sealed here (it enters the log
/// sealed only), and a gateway looks a key up by id.
extension ConsensusService {
    func serveS3Keys(_ op: CatalogOps.Op, payload: ByteBuffer) async throws -> ByteBuffer {
        var input = payload
        switch op {
        case .s3KeyCreate:
            let user = try input.readWireString("user", maxBytes: Catalog.Limits.maxNameBytes)
            try input.expectFullyRead("s3 key create request")
            let id = S3SecretSeal.newAccessKeyID()
            let secret = S3SecretSeal.newSecret()
            guard let keys = context.keys.unlocked else {
                throw RPCFailure(.unavailable, "\(selfID) has not rebuilt the cluster's keyring yet; retry in a moment")
            }
            guard let sealed = S3SecretSeal.seal(secret: secret, accessKeyID: id, clusterSecret: keys.secret.withUnsafeBytes { Array($0) }) else {
                throw RPCFailure(.refused, "could not seal the new secret (libsodium unavailable?)")
            }
            let key = Catalog.S3Key(accessKeyID: id, user: user, sealedSecret: sealed, createdAtEpochMillis: Self.nowEpochMillis())
            switch try await propose(.users(.addS3Key(key))) {
            case .applied:
                logger.notice("S3 access key created", metadata: ["user": "\(user)", "accessKeyID": "\(id)"])
                return S3KeyWire.encodeCreated(.init(accessKeyID: id, secret: secret, user: user))
            case .refused(let refusal):
                throw Self.failure(refusal)
            }
        case .s3KeyLookup:
            let id = try input.readWireString("access key id", maxBytes: Catalog.S3Key.maxAccessKeyIDBytes)
            try input.expectFullyRead("s3 key lookup request")
            let found = try await read { state -> S3KeyWire.Found? in
                guard let key = state.s3Key(id), let user = state.user(named: key.user) else { return nil }
                return S3KeyWire.Found(user: user.name, role: user.role, sealedSecret: key.sealedSecret)
            }
            return S3KeyWire.encodeFound(found)
        default:
            throw RPCFailure(.malformed, "\(op) is not an S3 key operation")
        }
    }
}
