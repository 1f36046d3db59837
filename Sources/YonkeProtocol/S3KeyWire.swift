import Catalog
import NIOCore
import YonkeCore

/// `CatalogOps.Op.s3KeyCreate` and `.s3KeyLookup` payloads.
public enum S3KeyWire {
    public struct Created: Sendable, Equatable {
        public var accessKeyID: String
        public var secret: String
        public var user: String

        public init(accessKeyID: String, secret: String, user: String) {
            self.accessKeyID = accessKeyID
            self.secret = secret
            self.user = user
        }
    }

    public struct Found: Sendable, Equatable {
        public var user: String
        public var role: Catalog.UserRole
        public var sealedSecret: [UInt8]

        public init(user: String, role: Catalog.UserRole, sealedSecret: [UInt8]) {
            self.user = user
            self.role = role
            self.sealedSecret = sealedSecret
        }
    }

    public static func encodeCreated(_ created: Created) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireString(created.accessKeyID)
        out.writeWireString(created.secret)
        out.writeWireString(created.user)
        return out
    }

    public static func decodeCreated(_ payload: ByteBuffer) throws(WireError) -> Created {
        var input = payload
        let created = Created(accessKeyID: try input.readWireString("access key id", maxBytes: Catalog.S3Key.maxAccessKeyIDBytes),
                              secret: try input.readWireString("secret", maxBytes: 128),
                              user: try input.readWireString("user", maxBytes: Catalog.Limits.maxNameBytes))
        try input.expectFullyRead("s3 key reply")
        return created
    }

    public static func encodeFound(_ found: Found?) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeConsensusBool(found != nil)
        if let found {
            out.writeWireString(found.user)
            out.writeWireInteger(found.role.rawValue)
            out.writeWireString(Hex.encode(found.sealedSecret))
        }
        return out
    }

    public static func decodeFound(_ payload: ByteBuffer) throws(WireError) -> Found? {
        var input = payload
        guard try input.readConsensusBool("found") else {
            try input.expectFullyRead("s3 key lookup reply")
            return nil
        }
        let user = try input.readWireString("user", maxBytes: Catalog.Limits.maxNameBytes)
        let raw: UInt8 = try input.readWireInteger("role")
        guard let role = Catalog.UserRole(rawValue: raw) else { throw WireError("role \(raw) is not known") }
        let hex = try input.readWireString("sealed secret", maxBytes: 2 * Catalog.S3Key.maxSealedSecretBytes)
        guard let sealed = Hex.decode(hex) else { throw WireError("sealed secret is not hex") }
        try input.expectFullyRead("s3 key lookup reply")
        return Found(user: user, role: role, sealedSecret: sealed)
    }
}
