import YonkeCore

/// The log-entry form of a command: a version byte, a tag byte, then the fields.
///
/// Decoding checks structure and the catalog's length limits; field rules beyond that are
/// `validate()`'s (run by `apply`). Encode only commands that passed `validate()`: a committed
/// entry that fails to decode fails identically on every replica, so the shell must treat it
/// as a refused no-op rather than stop.
extension Catalog.Command {
    public static let encodingVersion: UInt8 = 1

    private enum Tag: UInt8 {
        case bootstrap = 1, makeDirectory, commitFile, delete, move, setTier
        case acquireLease, renewLease, releaseLease, setBookmark, registerNode, removeNode
        case admitMachine, setJoinKey, seedMachines
        case setMachineState
        case users
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.u8(Self.encodingVersion)
        switch self {
        case .bootstrap(let name, let policy, let t):
            w.u8(Tag.bootstrap.rawValue)
            w.string(name)
            w.policy(policy)
            w.i64(t)
        case .makeDirectory(let path, let parents, let t):
            w.u8(Tag.makeDirectory.rawValue)
            w.path(path)
            w.bool(parents)
            w.i64(t)
        case .commitFile(let commit):
            w.u8(Tag.commitFile.rawValue)
            w.path(commit.path)
            w.blocks(commit.blocks)
            w.metadata(commit.metadata)
            w.bool(commit.overwrite)
            w.bool(commit.createParents)
            w.i64(commit.epochMillis)
        case .delete(let path, let recursive):
            w.u8(Tag.delete.rawValue)
            w.path(path)
            w.bool(recursive)
        case .move(let from, let to):
            w.u8(Tag.move.rawValue)
            w.path(from)
            w.path(to)
        case .setTier(let path, let tier):
            w.u8(Tag.setTier.rawValue)
            w.path(path)
            w.u8(tier.code)
        case .acquireLease(let job, let holder, let duration, let t), .renewLease(let job, let holder, let duration, let t):
            if case .acquireLease = self { w.u8(Tag.acquireLease.rawValue) } else { w.u8(Tag.renewLease.rawValue) }
            w.string(job)
            w.string(holder)
            w.i64(duration)
            w.i64(t)
        case .releaseLease(let job, let holder, let t):
            w.u8(Tag.releaseLease.rawValue)
            w.string(job)
            w.string(holder)
            w.i64(t)
        case .setBookmark(let job, let bookmark, let holder, let t):
            w.u8(Tag.setBookmark.rawValue)
            w.string(job)
            w.string(bookmark)
            w.bool(holder != nil)
            if let holder { w.string(holder) }
            w.i64(t)
        case .registerNode(let name, let key, let address, let roles, let t):
            w.u8(Tag.registerNode.rawValue)
            w.string(name)
            w.string(key)
            w.string(address)
            w.u8(roles.rawValue)
            w.i64(t)
        case .removeNode(let name):
            w.u8(Tag.removeNode.rawValue)
            w.string(name)
        case .admitMachine(let admission):
            w.u8(Tag.admitMachine.rawValue)
            w.admission(admission)
        case .setJoinKey(let token, let t):
            w.u8(Tag.setJoinKey.rawValue)
            w.string(token)
            w.i64(t)
        case .seedMachines(let admissions, let t):
            w.u8(Tag.seedMachines.rawValue)
            w.count(admissions.count)
            for admission in admissions { w.admission(admission) }
            w.i64(t)
        case .setMachineState(let name, let state):
            w.u8(Tag.setMachineState.rawValue)
            w.string(name)
            w.u8(state.rawValue)
        case .users(let command):
            w.u8(Tag.users.rawValue)
            w.userCommand(command)
        case .defineJob, .startRun, .commitRun, .failRun, .resetBookmark:
            let encoded = encodeJobCommand(into: &w)
            invariant(encoded, "job command \(self) not encoded")
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(Catalog.DecodeError) -> Catalog.Command {
        typealias L = Catalog.Limits
        var r = ByteReader<Catalog.DecodeError>(bytes)
        let version = try r.u8("version")
        guard version == encodingVersion else { throw .unsupportedVersion(version) }
        let rawTag = try r.u8("command")
        if let jobTag = JobTag(rawValue: rawTag) {
            let command = try decodeJobCommand(jobTag, &r)
            try r.expectEnd()
            return command
        }
        guard let tag = Tag(rawValue: rawTag) else { throw .unknownTag(field: "command", value: rawTag) }
        let command: Catalog.Command
        switch tag {
        case .bootstrap:
            command = .bootstrap(clusterName: try r.string("clusterName", limit: L.maxClusterNameBytes),
                                 policy: try r.policy(), epochMillis: try r.i64("epochMillis"))
        case .makeDirectory:
            command = .makeDirectory(path: try r.path("path"), parents: try r.bool("parents"),
                                     epochMillis: try r.i64("epochMillis"))
        case .commitFile:
            command = .commitFile(Catalog.CommitFile(
                path: try r.path("path"), blocks: try r.blocks(), metadata: try r.metadata(),
                overwrite: try r.bool("overwrite"), createParents: try r.bool("createParents"),
                epochMillis: try r.i64("epochMillis")))
        case .delete:
            command = .delete(path: try r.path("path"), recursive: try r.bool("recursive"))
        case .move:
            command = .move(from: try r.path("from"), to: try r.path("to"))
        case .setTier:
            command = .setTier(path: try r.path("path"), tier: try r.tier())
        case .acquireLease, .renewLease:
            let job = try r.string("job", limit: L.maxNameBytes)
            let holder = try r.string("holder", limit: L.maxNameBytes)
            let duration = try r.i64("durationMillis")
            let t = try r.i64("epochMillis")
            command = tag == .acquireLease
                ? .acquireLease(job: job, holder: holder, durationMillis: duration, epochMillis: t)
                : .renewLease(job: job, holder: holder, durationMillis: duration, epochMillis: t)
        case .releaseLease:
            command = .releaseLease(job: try r.string("job", limit: L.maxNameBytes),
                                    holder: try r.string("holder", limit: L.maxNameBytes),
                                    epochMillis: try r.i64("epochMillis"))
        case .setBookmark:
            let job = try r.string("job", limit: L.maxNameBytes)
            let bookmark = try r.string("bookmark", limit: L.maxBookmarkBytes)
            let holder = try r.bool("hasHolder") ? try r.string("holder", limit: L.maxNameBytes) : nil
            command = .setBookmark(job: job, bookmark: bookmark, holder: holder, epochMillis: try r.i64("epochMillis"))
        case .registerNode:
            command = .registerNode(name: try r.string("name", limit: L.maxNameBytes),
                                    publicKeyHex: try r.string("publicKey", limit: 2 * L.publicKeyBytes),
                                    address: try r.string("address", limit: L.maxAddressBytes),
                                    roles: Catalog.Roles(rawValue: try r.u8("roles")),
                                    epochMillis: try r.i64("epochMillis"))
        case .removeNode:
            command = .removeNode(name: try r.string("name", limit: L.maxNameBytes))
        case .admitMachine:
            command = .admitMachine(try r.admission())
        case .setJoinKey:
            command = .setJoinKey(publicKeyHex: try r.string("joinKey", limit: 2 * L.publicKeyBytes),
                                  epochMillis: try r.i64("epochMillis"))
        case .users:
            command = .users(try r.userCommand())
        case .seedMachines:
            let n = try r.count("machines", limit: L.maxSeedMachines, minElementBytes: 4 * 5 + 1 + 8)
            var admissions: [Catalog.MachineAdmission] = []
            for _ in 0..<n { admissions.append(try r.admission()) }
            command = .seedMachines(admissions, epochMillis: try r.i64("epochMillis"))
        case .setMachineState:
            let name = try r.string("name", limit: L.maxNameBytes)
            let raw = try r.u8("machineState")
            guard let state = Catalog.MachineState(rawValue: raw) else { throw .unknownTag(field: "machineState", value: raw) }
            command = .setMachineState(name: name, state: state)
        }
        try r.expectEnd()
        return command
    }
}

// MARK: - Fields shared by commands and snapshots

extension ByteWriter {
    mutating func policy(_ policy: Catalog.ReplicationPolicy) {
        i64(Int64(policy.hotReplicas))
        i64(Int64(policy.coldReplicas))
        i64(Int64(policy.glacierReplicas))
    }

    mutating func blocks(_ blocks: [Catalog.BlockEntry]) {
        count(blocks.count)
        for block in blocks {
            blockID(block.id)
            i64(block.sizeBytes)
        }
    }

    mutating func admission(_ admission: Catalog.MachineAdmission) {
        string(admission.name)
        string(admission.publicKeyHex)
        string(admission.address)
        u8(admission.roles.rawValue)
        string(admission.rack)
        disks(admission.disks)
        i64(admission.epochMillis)
    }

    mutating func disks(_ disks: [Catalog.NodeDisk]) {
        count(disks.count)
        for disk in disks {
            string(disk.path)
            i64(disk.capacityBytes)
            u8(disk.diskClass.rawValue)
        }
    }

    mutating func metadata(_ metadata: Catalog.FileMetadata) {
        string(metadata.source)
        string(metadata.contentType)
        u8(metadata.tier.code)
        bool(metadata.schema != nil)
        if let schema = metadata.schema {
            count(schema.columns.count)
            for column in schema.columns {
                string(column.name)
                string(column.type)
            }
        }
        bool(metadata.rowCount != nil)
        if let rowCount = metadata.rowCount { i64(rowCount) }
    }
}

extension ByteReader where Failure == Catalog.DecodeError {
    mutating func policy() throws(Failure) -> Catalog.ReplicationPolicy {
        // Out-of-range values survive decoding as Int and are refused by validation.
        func replicas(_ r: inout Self, _ field: String) throws(Failure) -> Int {
            let value = try r.i64(field)
            guard let narrow = Int(exactly: value) else { throw .lengthTooLarge(field: field, length: Int.max, limit: Int.max) }
            return narrow
        }
        return Catalog.ReplicationPolicy(hotReplicas: try replicas(&self, "hotReplicas"),
                                         coldReplicas: try replicas(&self, "coldReplicas"),
                                         glacierReplicas: try replicas(&self, "glacierReplicas"))
    }

    mutating func tier() throws(Failure) -> Catalog.Tier {
        let code = try u8("tier")
        guard let tier = Catalog.Tier(code: code) else { throw .unknownTag(field: "tier", value: code) }
        return tier
    }

    mutating func blocks() throws(Failure) -> [Catalog.BlockEntry] {
        let n = try count("blocks", limit: Catalog.Limits.maxBlocksPerFile, minElementBytes: BlockID.byteCount + 8)
        var blocks: [Catalog.BlockEntry] = []
        blocks.reserveCapacity(n)
        for _ in 0..<n {
            blocks.append(Catalog.BlockEntry(id: try blockID("blockID"), sizeBytes: try i64("blockSize")))
        }
        return blocks
    }

    mutating func admission() throws(Failure) -> Catalog.MachineAdmission {
        typealias L = Catalog.Limits
        return Catalog.MachineAdmission(
            name: try string("name", limit: L.maxNameBytes),
            publicKeyHex: try string("publicKey", limit: 2 * L.publicKeyBytes),
            address: try string("address", limit: L.maxAddressBytes),
            roles: Catalog.Roles(rawValue: try u8("roles")),
            rack: try string("rack", limit: L.maxNameBytes),
            disks: try disks(),
            epochMillis: try i64("epochMillis"))
    }

    mutating func disks() throws(Failure) -> [Catalog.NodeDisk] {
        let n = try count("disks", limit: Catalog.Limits.maxDisksPerMachine, minElementBytes: 4 + 8 + 1)
        var disks: [Catalog.NodeDisk] = []
        for _ in 0..<n {
            let path = try string("diskPath", limit: Catalog.Limits.maxDiskPathBytes)
            let capacity = try i64("diskCapacity")
            let code = try u8("diskClass")
            guard let diskClass = Catalog.DiskClass(rawValue: code) else { throw .unknownTag(field: "diskClass", value: code) }
            disks.append(Catalog.NodeDisk(path: path, capacityBytes: capacity, diskClass: diskClass))
        }
        return disks
    }

    mutating func metadata() throws(Failure) -> Catalog.FileMetadata {
        typealias L = Catalog.Limits
        let source = try string("source", limit: L.maxSourceBytes)
        let contentType = try string("contentType", limit: L.maxContentTypeBytes)
        let tier = try tier()
        var schema: Catalog.Schema?
        if try bool("hasSchema") {
            let n = try count("columns", limit: L.maxSchemaColumns, minElementBytes: 8)
            var columns: [Catalog.Column] = []
            columns.reserveCapacity(n)
            for _ in 0..<n {
                columns.append(Catalog.Column(name: try string("columnName", limit: L.maxColumnNameBytes),
                                              type: try string("columnType", limit: L.maxColumnTypeBytes)))
            }
            schema = Catalog.Schema(columns: columns)
        }
        let rowCount = try bool("hasRowCount") ? try i64("rowCount") : nil
        return Catalog.FileMetadata(source: source, contentType: contentType, tier: tier, schema: schema, rowCount: rowCount)
    }
}
