import YonkeCore

extension Catalog {
    /// What a person may do (`yonke user add NAME --role …`). Each role includes the ones below it.
    public enum UserRole: UInt8, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
        /// get, ls, stat, status, capacity, catalog.
        case reader = 1
        /// + put, rm, ingest and ETL jobs.
        case writer = 2
        /// + tokens, users, drain/remove, rebalance, chaos, lifecycle.
        case admin = 3

        public static func < (a: UserRole, b: UserRole) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .reader: "reader"
            case .writer: "writer"
            case .admin: "admin"
            }
        }

        public init?(name: String) {
            guard let role = Self.allCases.first(where: { $0.description == name }) else { return nil }
            self = role
        }
    }

    /// A person's credential as the cluster knows it: the public half of an Ed25519 key only
    /// (the secret half stays in the person's credential file), so the log holds no secret.
    public struct UserRecord: Hashable, Sendable {
        public var name: String
        public var role: UserRole
        public var publicKeyHex: String
        public var createdAtEpochMillis: Int64
        /// When the key last changed (`user rotate`); the creation time until then.
        public var keyChangedAtEpochMillis: Int64

        public init(name: String, role: UserRole, publicKeyHex: String, createdAtEpochMillis: Int64, keyChangedAtEpochMillis: Int64) {
            self.name = name
            self.role = role
            self.publicKeyHex = publicKeyHex
            self.createdAtEpochMillis = createdAtEpochMillis
            self.keyChangedAtEpochMillis = keyChangedAtEpochMillis
        }
    }

    /// Changes to the user registry (one `Command.users` log entry each).
    public enum UserCommand: Hashable, Sendable {
        case add(name: String, role: UserRole, publicKeyHex: String, epochMillis: Int64)
        /// The user's links are refused from the moment a node applies (or hears) it.
        case revoke(name: String, epochMillis: Int64)
        /// A new key for the same user and role; the old key stops working.
        case rotate(name: String, publicKeyHex: String, epochMillis: Int64)
        /// An S3 access key for an existing user (State+AccessKeys.swift).
        case addS3Key(S3Key)
        case removeS3Key(accessKeyID: String, epochMillis: Int64)

        public var epochMillis: Int64 {
            switch self {
            case .add(_, _, _, let t), .revoke(_, let t), .rotate(_, _, let t), .removeS3Key(_, let t): t
            case .addS3Key(let key): key.createdAtEpochMillis
            }
        }
    }
}
