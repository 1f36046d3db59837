import YonkeCore

/// S3 access keys: each belongs to one user and dies with it (`user revoke`).
extension Catalog.State {
    public func s3Key(_ accessKeyID: String) -> Catalog.S3Key? { s3Keys[accessKeyID] }

    public func s3Keys(of user: String) -> [Catalog.S3Key] {
        s3Keys.keys.sorted(by: LakePath.precedes).compactMap { s3Keys[$0] }.filter { $0.user == user }
    }

    mutating func onAddS3Key(_ key: Catalog.S3Key) throws(Refusal) -> Catalog.Effect {
        guard userRecords[key.user] != nil else { throw .unknownUser(key.user) }
        guard s3Keys[key.accessKeyID] == nil else { throw .s3KeyExists(key.accessKeyID) }
        s3Keys[key.accessKeyID] = key
        return .s3KeyAdded(key)
    }

    mutating func onRemoveS3Key(_ id: String) throws(Refusal) -> Catalog.Effect {
        guard let key = s3Keys.removeValue(forKey: id) else { throw .unknownS3Key(id) }
        return .s3KeyRemoved(key)
    }

    mutating func removeS3Keys(of user: String) {
        for id in s3Keys.keys.sorted(by: LakePath.precedes) where s3Keys[id]?.user == user { s3Keys[id] = nil }
    }
}

extension Catalog.S3Key {
    /// Access key ids travel in the SigV4 credential scope (`ID/date/region/s3/aws4_request`):
    /// uppercase letters and digits only, as AWS's.
    static func validateID(_ id: String) throws(Catalog.Refusal) {
        guard (16...maxAccessKeyIDBytes).contains(id.utf8.count),
              id.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { throw .invalidS3Key("the access key id must be 16…\(maxAccessKeyIDBytes) of A-Z and 0-9") }
    }

    static func validate(_ key: Catalog.S3Key) throws(Catalog.Refusal) {
        try validateID(key.accessKeyID)
        guard (16...maxSealedSecretBytes).contains(key.sealedSecret.count) else {
            throw .invalidS3Key("the sealed secret must be 16…\(maxSealedSecretBytes) bytes")
        }
    }
}
