import YonkeCore

/// Binary forms of user commands and records, in log entries and snapshots.
extension ByteWriter {
    mutating func userCommand(_ command: Catalog.UserCommand) {
        switch command {
        case .add(let name, let role, let key, let t):
            u8(1); string(name); u8(role.rawValue); string(key); i64(t)
        case .revoke(let name, let t):
            u8(2); string(name); i64(t)
        case .rotate(let name, let key, let t):
            u8(3); string(name); string(key); i64(t)
        case .addS3Key(let key):
            u8(4); s3Key(key)
        case .removeS3Key(let id, let t):
            u8(5); string(id); i64(t)
        }
    }

    mutating func userRecord(_ record: Catalog.UserRecord) {
        string(record.name)
        u8(record.role.rawValue)
        string(record.publicKeyHex)
        i64(record.createdAtEpochMillis)
        i64(record.keyChangedAtEpochMillis)
    }
}

extension ByteReader where Failure == Catalog.DecodeError {
    private typealias L = Catalog.Limits

    mutating func userRole() throws(Failure) -> Catalog.UserRole {
        let raw = try u8("role")
        guard let role = Catalog.UserRole(rawValue: raw) else { throw .unknownTag(field: "role", value: raw) }
        return role
    }

    mutating func userCommand() throws(Failure) -> Catalog.UserCommand {
        let kind = try u8("userCommand")
        switch kind {
        case 1:
            return .add(name: try string("user", limit: L.maxNameBytes), role: try userRole(),
                        publicKeyHex: try string("publicKey", limit: 2 * L.publicKeyBytes), epochMillis: try i64("epochMillis"))
        case 2:
            return .revoke(name: try string("user", limit: L.maxNameBytes), epochMillis: try i64("epochMillis"))
        case 3:
            return .rotate(name: try string("user", limit: L.maxNameBytes),
                           publicKeyHex: try string("publicKey", limit: 2 * L.publicKeyBytes), epochMillis: try i64("epochMillis"))
        case 4:
            return .addS3Key(try s3Key())
        case 5:
            return .removeS3Key(accessKeyID: try string("accessKeyID", limit: Catalog.S3Key.maxAccessKeyIDBytes),
                                epochMillis: try i64("epochMillis"))
        default:
            throw .unknownTag(field: "userCommand", value: kind)
        }
    }

    mutating func userRecord() throws(Failure) -> Catalog.UserRecord {
        Catalog.UserRecord(
            name: try string("user", limit: L.maxNameBytes), role: try userRole(),
            publicKeyHex: try string("publicKey", limit: 2 * L.publicKeyBytes),
            createdAtEpochMillis: try i64("createdAtEpochMillis"), keyChangedAtEpochMillis: try i64("keyChangedAtEpochMillis"))
    }
}
