import Catalog
import NIOCore

/// `CatalogOps.Op.users`: `[u8 action][fields]` → `[u32 n][UserRecord…]` (the users after the change).
public enum UsersWire {
    public enum Request: Sendable, Equatable {
        case add(name: String, role: Catalog.UserRole, publicKeyHex: String)
        case list
        case revoke(name: String)
        case rotate(name: String, publicKeyHex: String)
    }

    public static let maxUsers = 100_000

    public static func encode(_ request: Request) -> ByteBuffer {
        var out = ByteBuffer()
        switch request {
        case .add(let name, let role, let key):
            out.writeWireInteger(UInt8(1)); out.writeWireString(name); out.writeWireInteger(role.rawValue); out.writeWireString(key)
        case .list:
            out.writeWireInteger(UInt8(2))
        case .revoke(let name):
            out.writeWireInteger(UInt8(3)); out.writeWireString(name)
        case .rotate(let name, let key):
            out.writeWireInteger(UInt8(4)); out.writeWireString(name); out.writeWireString(key)
        }
        return out
    }

    public static func decodeRequest(_ payload: ByteBuffer) throws(WireError) -> Request {
        var input = payload
        let action: UInt8 = try input.readWireInteger("user action")
        let request: Request
        switch action {
        case 1:
            let name = try input.readWireString("user name", maxBytes: Catalog.Limits.maxNameBytes)
            let raw: UInt8 = try input.readWireInteger("role")
            guard let role = Catalog.UserRole(rawValue: raw) else { throw WireError("role \(raw) is not known") }
            request = .add(name: name, role: role, publicKeyHex: try input.readWireString("public key", maxBytes: 128))
        case 2:
            request = .list
        case 3:
            request = .revoke(name: try input.readWireString("user name", maxBytes: Catalog.Limits.maxNameBytes))
        case 4:
            request = .rotate(name: try input.readWireString("user name", maxBytes: Catalog.Limits.maxNameBytes),
                              publicKeyHex: try input.readWireString("public key", maxBytes: 128))
        default:
            throw WireError("user action \(action) is not known")
        }
        try input.expectFullyRead("user request")
        return request
    }

    public static func encode(_ users: [Catalog.UserRecord]) -> ByteBuffer {
        var out = ByteBuffer()
        writeUsers(users, to: &out)
        return out
    }

    public static func decodeUsers(_ payload: ByteBuffer) throws(WireError) -> [Catalog.UserRecord] {
        var input = payload
        let users = try readUsers(&input)
        try input.expectFullyRead("user list")
        return users
    }

    static func writeUsers(_ users: [Catalog.UserRecord], to out: inout ByteBuffer) {
        out.writeWireInteger(UInt32(users.count))
        for user in users {
            out.writeWireString(user.name)
            out.writeWireInteger(user.role.rawValue)
            out.writeWireString(user.publicKeyHex)
            out.writeWireInteger(user.createdAtEpochMillis)
            out.writeWireInteger(user.keyChangedAtEpochMillis)
        }
    }

    static func readUsers(_ input: inout ByteBuffer) throws(WireError) -> [Catalog.UserRecord] {
        let count = try input.readWireCount("users", max: maxUsers)
        var users: [Catalog.UserRecord] = []
        for _ in 0..<count {
            let name = try input.readWireString("user name", maxBytes: Catalog.Limits.maxNameBytes)
            let raw: UInt8 = try input.readWireInteger("role")
            guard let role = Catalog.UserRole(rawValue: raw) else { throw WireError("role \(raw) is not known") }
            users.append(Catalog.UserRecord(
                name: name, role: role, publicKeyHex: try input.readWireString("public key", maxBytes: 128),
                createdAtEpochMillis: try input.readWireInteger("created"), keyChangedAtEpochMillis: try input.readWireInteger("key changed")))
        }
        return users
    }
}
