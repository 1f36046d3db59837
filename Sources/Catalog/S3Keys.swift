import YonkeCore

extension Catalog {
    /// An S3 access key of a user (`yonke user s3-key create NAME`). SigV4 needs the secret on the
    /// server, so it is stored — sealed with a subkey of the cluster keyring (the nodes hold it in
    /// memory), never in plaintext in the log. The catalog only keeps the sealed bytes.
    public struct S3Key: Hashable, Sendable {
        public static let maxAccessKeyIDBytes = 64
        public static let maxSealedSecretBytes = 256

        public var accessKeyID: String
        public var user: String
        public var sealedSecret: [UInt8]
        public var createdAtEpochMillis: Int64

        public init(accessKeyID: String, user: String, sealedSecret: [UInt8], createdAtEpochMillis: Int64) {
            self.accessKeyID = accessKeyID
            self.user = user
            self.sealedSecret = sealedSecret
            self.createdAtEpochMillis = createdAtEpochMillis
        }
    }
}

extension ByteWriter {
    mutating func s3Key(_ key: Catalog.S3Key) {
        string(key.accessKeyID)
        string(key.user)
        lengthPrefixed(key.sealedSecret, prefix: .u32)
        i64(key.createdAtEpochMillis)
    }
}

extension ByteReader where Failure == Catalog.DecodeError {
    mutating func s3Key() throws(Failure) -> Catalog.S3Key {
        let id = try string("accessKeyID", limit: Catalog.S3Key.maxAccessKeyIDBytes)
        let user = try string("user", limit: Catalog.Limits.maxNameBytes)
        let sealed = Array(try lengthPrefixed("sealedSecret", prefix: .u32, limit: Catalog.S3Key.maxSealedSecretBytes))
        return Catalog.S3Key(accessKeyID: id, user: user, sealedSecret: sealed, createdAtEpochMillis: try i64("createdAtEpochMillis"))
    }
}
