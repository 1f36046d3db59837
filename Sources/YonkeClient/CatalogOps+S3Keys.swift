import NIOCore
import YonkeProtocol

extension CatalogOps {
    /// A new S3 access key for `user` (admin); the secret is in the answer and nowhere else in plaintext.
    public static func createS3Key(user: String, client: ClusterClient) async throws -> S3KeyWire.Created {
        var request = ByteBuffer()
        request.writeWireString(user)
        return try S3KeyWire.decodeCreated(try await client.call(op: Op.s3KeyCreate.rawValue, payload: request))
    }

    /// The user, role and sealed secret behind an access key id (machines only); nil if unknown.
    public static func lookupS3Key(_ accessKeyID: String, client: ClusterClient) async throws -> S3KeyWire.Found? {
        var request = ByteBuffer()
        request.writeWireString(accessKeyID)
        return try S3KeyWire.decodeFound(try await client.call(op: Op.s3KeyLookup.rawValue, payload: request))
    }
}
