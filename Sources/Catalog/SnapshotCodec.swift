import YonkeCore

/// The whole state as one byte string, for Raft snapshots: magic `YCAT`, a version byte, the
/// body, and a CRC-32C of everything before it. Every map is written in sorted key order, so
/// equal states give equal bytes in every process; derived data (children lists, block reference
/// counts, file sizes) is rebuilt on restore rather than trusted.
extension Catalog.State {
    public static let snapshotMagic: [UInt8] = Array("YCAT".utf8)
    /// 2 added machine states; 3 the join key in place of the token, users and ingest jobs;
    /// 4 S3 access keys (sealed).
    /// Versions 1 and 2 still load (a rotated token they hold is dropped: the machines'
    /// secrets files hold the one they need).
    public static let snapshotVersion: UInt8 = 4

    public func snapshot() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.snapshotMagic)
        w.u8(Self.snapshotVersion)
        w.u64(appliedIndex)
        w.i64(clockEpochMillis)
        w.bool(isBootstrapped)
        w.string(clusterName)
        w.policy(policy)

        let directoryPaths = directories.keys.sorted()
        w.count(directoryPaths.count)
        for path in directoryPaths {
            w.path(path)
            w.i64(directories[path]?.createdAtEpochMillis ?? 0)
        }
        let filePaths = files.keys.sorted()
        w.count(filePaths.count)
        for path in filePaths {
            guard let file = files[path] else { continue }
            w.path(path)
            w.i64(file.loadedAtEpochMillis)
            w.u64(file.committedIndex)
            w.metadata(file.metadata)
            w.blocks(file.blocks)
        }
        let jobs = leases.keys.sorted(by: LakePath.precedes)
        w.count(jobs.count)
        for job in jobs {
            guard let lease = leases[job] else { continue }
            w.string(job)
            w.string(lease.holder)
            w.i64(lease.expiresAtEpochMillis)
            w.u64(lease.fencingToken)
        }
        let bookmarked = bookmarks.keys.sorted(by: LakePath.precedes)
        w.count(bookmarked.count)
        for job in bookmarked {
            w.string(job)
            w.string(bookmarks[job] ?? "")
        }
        let names = nodeRecords.keys.sorted(by: LakePath.precedes)
        w.count(names.count)
        for name in names {
            guard let node = nodeRecords[name] else { continue }
            w.string(name)
            w.string(node.publicKeyHex)
            w.string(node.address)
            w.u8(node.roles.rawValue)
            w.i64(node.admittedAtEpochMillis)
            w.string(node.rack)
            w.disks(node.disks)
        }
        w.bool(joinKeyHex != nil)
        if let joinKeyHex { w.string(joinKeyHex) }
        let stated = machineStates.keys.sorted(by: LakePath.precedes)
        w.count(stated.count)
        for name in stated {
            w.string(name)
            w.u8(machineStates[name]?.rawValue ?? 0)
        }
        w.count(userRecords.count)
        for record in users { w.userRecord(record) }
        let jobNames = self.jobs.keys.sorted(by: LakePath.precedes)
        w.count(jobNames.count)
        for name in jobNames {
            guard let job = self.jobs[name] else { continue }
            w.jobDefinition(job.definition)
            w.string(job.bookmark)
            w.u64(job.nextRun)
            w.bool(job.lastScheduledAtEpochMillis != nil)
            if let last = job.lastScheduledAtEpochMillis { w.i64(last) }
            w.count(job.runs.count)
            for run in job.runs { w.jobRun(run) }
            w.count(job.schemaVersions.count)
            for version in job.schemaVersions { w.schemaVersion(version) }
        }
        // Version 4: S3 access keys.
        let keyIDs = s3Keys.keys.sorted(by: LakePath.precedes)
        w.count(keyIDs.count)
        for id in keyIDs { if let key = s3Keys[id] { w.s3Key(key) } }
        w.u32(CRC32C.checksum(w.bytes))
        return w.bytes
    }

    /// FNV-1a over the snapshot bytes: one number to compare replicas or replays by.
    public var digest: UInt64 {
        snapshot().reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    public init(snapshot bytes: [UInt8]) throws(Catalog.DecodeError) {
        typealias L = Catalog.Limits
        let headerBytes = Self.snapshotMagic.count + 1
        guard bytes.count >= headerBytes + 4 else {
            throw .truncated(field: "snapshot", neededBytes: headerBytes + 4, remainingBytes: bytes.count)
        }
        guard bytes.starts(with: Self.snapshotMagic) else { throw .badMagic }
        let version = bytes[Self.snapshotMagic.count]
        guard (1...Self.snapshotVersion).contains(version) else {
            throw .unsupportedVersion(bytes[Self.snapshotMagic.count])
        }
        let bodyEnd = bytes.count - 4
        var trailer = ByteReader<Catalog.DecodeError>(bytes[bodyEnd...])
        let storedChecksum = try trailer.u32("checksum")
        let computed = bytes[..<bodyEnd].withUnsafeBytes { CRC32C.checksum($0) }
        guard storedChecksum == computed else { throw .checksumMismatch(stored: storedChecksum, computed: computed) }

        var r = ByteReader<Catalog.DecodeError>(bytes[headerBytes..<bodyEnd])
        var state = Catalog.State()
        state.appliedIndex = try r.u64("appliedIndex")
        state.clockEpochMillis = try r.i64("clockEpochMillis")
        state.isBootstrapped = try r.bool("isBootstrapped")
        state.clusterName = try r.string("clusterName", limit: L.maxClusterNameBytes)
        state.policy = try r.policy()
        if state.isBootstrapped && !state.policy.isValid { throw .inconsistentSnapshot("replication policy out of range") }

        // Paths must come strictly sorted: that makes the encoding canonical and puts every
        // parent before its children.
        let pathBytesMin = 4 + LakePath.scheme.utf8.count
        let directoryCount = try r.count("directories", limit: Int(UInt32.max), minElementBytes: pathBytesMin + 8)
        var previous: LakePath?
        for _ in 0..<directoryCount {
            let path = try r.path("directory")
            let created = try r.i64("createdAtEpochMillis")
            if let previous, !(previous < path) { throw .inconsistentSnapshot("directories out of order at \(path)") }
            previous = path
            if path.isRoot {
                state.directories[path] = Catalog.DirectoryRecord(createdAtEpochMillis: created, children: [])
                continue
            }
            guard let parent = path.parent, state.directories[parent] != nil else {
                throw .inconsistentSnapshot("directory \(path) without parent")
            }
            state.directories[path] = Catalog.DirectoryRecord(createdAtEpochMillis: created, children: [])
            state.addChild(path)
        }

        let fileCount = try r.count("files", limit: Int(UInt32.max), minElementBytes: pathBytesMin + 8 + 8 + 4)
        previous = nil
        for _ in 0..<fileCount {
            let path = try r.path("file")
            let loaded = try r.i64("loadedAtEpochMillis")
            let committedIndex = try r.u64("committedIndex")
            let metadata = try r.metadata()
            let blocks = try r.blocks()
            if let previous, !(previous < path) { throw .inconsistentSnapshot("files out of order at \(path)") }
            previous = path
            guard path.depth >= 2, let parent = path.parent, state.directories[parent] != nil else {
                throw .inconsistentSnapshot("file \(path) without parent directory")
            }
            guard state.directories[path] == nil else { throw .inconsistentSnapshot("\(path) is both file and directory") }
            var size: Int64 = 0
            for block in blocks {
                guard (1...L.maxBlockSizeBytes).contains(block.sizeBytes) else {
                    throw .inconsistentSnapshot("block \(block.id.short) of \(path) sized \(block.sizeBytes)")
                }
                if let known = state.blockUsage[BlockKey(block.id)]?.sizeBytes, known != block.sizeBytes {
                    throw .inconsistentSnapshot("block \(block.id.short) sized \(known) and \(block.sizeBytes)")
                }
                state.addReferences([block], tier: metadata.tier)
                size += block.sizeBytes
            }
            state.files[path] = Catalog.FileRecord(path: path, sizeBytes: size, loadedAtEpochMillis: loaded,
                                                   metadata: metadata, blocks: blocks, committedIndex: committedIndex)
            state.addChild(path)
        }

        var previousKey: String?
        func ordered(_ key: String, _ what: String) throws(Catalog.DecodeError) {
            if let previousKey, !LakePath.precedes(previousKey, key) {
                throw .inconsistentSnapshot("\(what) out of order at \(key)")
            }
            previousKey = key
        }
        let leaseCount = try r.count("leases", limit: Int(UInt32.max), minElementBytes: 4 + 4 + 8 + 8)
        for _ in 0..<leaseCount {
            let job = try r.string("job", limit: L.maxNameBytes)
            let holder = try r.string("holder", limit: L.maxNameBytes)
            let expires = try r.i64("expiresAtEpochMillis")
            let token = try r.u64("fencingToken")
            try ordered(job, "leases")
            guard state.leases[job] == nil else { throw .inconsistentSnapshot("lease \(job) twice") }
            state.leases[job] = Catalog.Lease(job: job, holder: holder, expiresAtEpochMillis: expires, fencingToken: token)
        }
        previousKey = nil
        let bookmarkCount = try r.count("bookmarks", limit: Int(UInt32.max), minElementBytes: 4 + 4)
        for _ in 0..<bookmarkCount {
            let job = try r.string("job", limit: L.maxNameBytes)
            let bookmark = try r.string("bookmark", limit: L.maxBookmarkBytes)
            try ordered(job, "bookmarks")
            guard state.bookmarks[job] == nil else { throw .inconsistentSnapshot("bookmark \(job) twice") }
            state.bookmarks[job] = bookmark
        }
        previousKey = nil
        let nodeCount = try r.count("nodes", limit: Int(UInt32.max), minElementBytes: 4 + 4 + 4 + 1 + 8 + 4 + 4)
        for _ in 0..<nodeCount {
            let name = try r.string("name", limit: L.maxNameBytes)
            let key = try r.string("publicKey", limit: 2 * L.publicKeyBytes)
            let address = try r.string("address", limit: L.maxAddressBytes)
            let roles = Catalog.Roles(rawValue: try r.u8("roles"))
            let admitted = try r.i64("admittedAtEpochMillis")
            let rack = try r.string("rack", limit: L.maxNameBytes)
            let disks = try r.disks()
            try ordered(name, "nodes")
            guard state.nodeRecords[name] == nil else { throw .inconsistentSnapshot("node \(name) twice") }
            guard roles.isSubset(of: .all) else { throw .unknownTag(field: "roles", value: roles.rawValue) }
            state.nodeRecords[name] = Catalog.NodeRecord(name: name, publicKeyHex: key, address: address,
                                                         roles: roles, admittedAtEpochMillis: admitted,
                                                         rack: rack, disks: disks)
        }
        let hasJoinKey = try r.bool("hasJoinKey")
        let joinKey = hasJoinKey ? try r.string("joinKey", limit: version >= 3 ? 2 * L.publicKeyBytes : 128) : nil
        state.joinKeyHex = version >= 3 ? joinKey : nil
        if version >= 2 {
            previousKey = nil
            let stateCount = try r.count("machineStates", limit: Int(UInt32.max), minElementBytes: 4 + 1)
            for _ in 0..<stateCount {
                let name = try r.string("name", limit: L.maxNameBytes)
                let raw = try r.u8("machineState")
                try ordered(name, "machineStates")
                guard let machineState = Catalog.MachineState(rawValue: raw), machineState != .active else {
                    throw .unknownTag(field: "machineState", value: raw)
                }
                guard state.machineStates[name] == nil else { throw .inconsistentSnapshot("machine state \(name) twice") }
                state.machineStates[name] = machineState
            }
        }
        if version >= 3 {
            previousKey = nil
            let userCount = try r.count("users", limit: Int(UInt32.max), minElementBytes: 4 + 1 + 4 + 8 + 8)
            for _ in 0..<userCount {
                let record = try r.userRecord()
                try ordered(record.name, "users")
                guard state.userRecords[record.name] == nil else { throw .inconsistentSnapshot("user \(record.name) twice") }
                state.userRecords[record.name] = record
            }
            previousKey = nil
            let jobCount = try r.count("jobs", limit: Int(UInt32.max), minElementBytes: 4 * 5 + 1 + 8 + 4 + 8 + 1 + 8)
            for _ in 0..<jobCount {
                var job = Catalog.JobRecord(definition: try r.jobDefinition())
                let name = job.definition.name
                try ordered(name, "jobs")
                job.bookmark = try r.string("bookmark", limit: L.maxJobBookmarkBytes)
                job.nextRun = try r.u64("nextRun")
                job.lastScheduledAtEpochMillis = try r.bool("hasLastScheduled") ? try r.i64("lastScheduledAtEpochMillis") : nil
                let runCount = try r.count("runs", limit: L.maxRunsKeptPerJob, minElementBytes: 4 + 8 + 1 + 1 + 4 + 8 + 8 + 1)
                for _ in 0..<runCount {
                    let run = try r.jobRun()
                    guard run.job == name, (run.number < job.nextRun), (run.number > (job.runs.last?.number ?? 0)) else {
                        throw .inconsistentSnapshot("run \(run.number) of \(run.job) under job \(name)")
                    }
                    job.runs.append(run)
                }
                let versionCount = try r.count("schemaVersions", limit: Int(UInt32.max), minElementBytes: 4 + 4 + 8 + 8)
                for position in 0..<versionCount {
                    let schema = try r.schemaVersion()
                    guard schema.version == UInt32(position + 1) else {
                        throw .inconsistentSnapshot("schema version \(schema.version) of \(name) at position \(position)")
                    }
                    job.schemaVersions.append(schema)
                }
                guard state.jobs[name] == nil else { throw .inconsistentSnapshot("job \(name) twice") }
                state.jobs[name] = job
            }
        }
        if version >= 4 {
            previousKey = nil
            let keyCount = try r.count("s3Keys", limit: Int(UInt32.max), minElementBytes: 4 + 4 + 4 + 8)
            for _ in 0..<keyCount {
                let key = try r.s3Key()
                try ordered(key.accessKeyID, "s3Keys")
                guard state.s3Keys[key.accessKeyID] == nil, state.userRecords[key.user] != nil else {
                    throw .inconsistentSnapshot("S3 key \(key.accessKeyID) twice or of an unknown user")
                }
                state.s3Keys[key.accessKeyID] = key
            }
        }
        try r.expectEnd()

        if !state.isBootstrapped && !(state.directories.isEmpty && state.files.isEmpty) {
            throw .inconsistentSnapshot("namespace present before bootstrap")
        }
        // Children lists, sizes and block counts were rebuilt above from sorted, parent-checked
        // records, so they are consistent by construction; only the zones can still be absent.
        if state.isBootstrapped {
            for zone in [LakePath.root] + Catalog.Zone.allCases.map(LakePath.init(zone:)) where state.directories[zone] == nil {
                throw .inconsistentSnapshot("missing \(zone)")
            }
        }
        self = state
    }
}
