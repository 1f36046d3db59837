import YonkeCore

/// The user registry: people and their roles, each under one public key that no machine or other
/// user holds (a key names exactly one principal).
extension Catalog.State {
    public var users: [Catalog.UserRecord] { userRecords.keys.sorted(by: LakePath.precedes).compactMap { userRecords[$0] } }

    public func user(named name: String) -> Catalog.UserRecord? { userRecords[name] }

    mutating func onUserCommand(_ command: Catalog.UserCommand, now: Int64) throws(Refusal) -> Catalog.Effect {
        switch command {
        case .add(let name, let role, let key, _):
            guard userRecords[name] == nil else { throw .userExists(name) }
            try checkKeyIsFree(key.lowercased())
            let record = Catalog.UserRecord(name: name, role: role, publicKeyHex: key.lowercased(),
                                            createdAtEpochMillis: now, keyChangedAtEpochMillis: now)
            userRecords[name] = record
            return .userAdded(record)
        case .revoke(let name, _):
            guard let record = userRecords.removeValue(forKey: name) else { throw .unknownUser(name) }
            removeS3Keys(of: name)
            return .userRevoked(record)
        case .rotate(let name, let key, _):
            guard var record = userRecords[name] else { throw .unknownUser(name) }
            try checkKeyIsFree(key.lowercased())
            record.publicKeyHex = key.lowercased()
            record.keyChangedAtEpochMillis = now
            userRecords[name] = record
            return .userKeyRotated(record)
        case .addS3Key(let key):
            return try onAddS3Key(key)
        case .removeS3Key(let id, _):
            return try onRemoveS3Key(id)
        }
    }

    /// Keys are unique across users, so at most one matches.
    func userHolding(_ key: String) -> String? { userRecords.values.first { $0.publicKeyHex == key }?.name }

    private func checkKeyIsFree(_ key: String) throws(Refusal) {
        for name in nodeRecords.keys.sorted(by: LakePath.precedes) where nodeRecords[name]?.publicKeyHex == key {
            throw .publicKeyInUse(by: name)
        }
        for name in userRecords.keys.sorted(by: LakePath.precedes) where userRecords[name]?.publicKeyHex == key {
            throw .publicKeyInUse(by: name)
        }
    }
}

extension Catalog.UserCommand {
    func validate() throws(Catalog.Refusal) {
        typealias V = Catalog.Validate
        switch self {
        case .add(let name, _, let key, _), .rotate(let name, let key, _):
            try V.name(name, .userName)
            try V.publicKey(key)
        case .revoke(let name, _):
            try V.name(name, .userName)
        case .addS3Key(let key):
            try V.name(key.user, .userName)
            try Catalog.S3Key.validate(key)
        case .removeS3Key(let id, _):
            try Catalog.S3Key.validateID(id)
        }
    }
}
