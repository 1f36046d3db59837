import YonkeCore

extension Catalog.Command {
    /// Field rules that need no state. `apply` runs it too, so a command built in code obeys the
    /// same rules as one decoded from the log; a leader may call it before proposing.
    public func validate() throws(Catalog.Refusal) {
        typealias V = Catalog.Validate
        if let epochMillis, !(0...Catalog.Limits.maxEpochMillis).contains(epochMillis) {
            throw .invalid(.outOfRange(.epochMillis, value: epochMillis))
        }
        switch self {
        case .bootstrap(let clusterName, let policy, _):
            try V.text(clusterName, .clusterName, limit: Catalog.Limits.maxClusterNameBytes, allowEmpty: true)
            for replicas in [policy.hotReplicas, policy.coldReplicas, policy.glacierReplicas]
            where !(1...Catalog.ReplicationPolicy.maxReplicas).contains(replicas) {
                throw .invalid(.outOfRange(.replicationPolicy, value: Int64(replicas)))
            }
        case .makeDirectory, .delete, .move, .setTier, .removeNode:
            break
        case .commitFile(let commit):
            try V.commit(commit)
        case .acquireLease(let job, let holder, let durationMillis, _),
             .renewLease(let job, let holder, let durationMillis, _):
            try V.name(job, .job)
            try V.name(holder, .holder)
            guard (1...Catalog.Limits.maxLeaseDurationMillis).contains(durationMillis) else {
                throw .invalid(.outOfRange(.leaseDuration, value: durationMillis))
            }
        case .releaseLease(let job, let holder, _):
            try V.name(job, .job)
            try V.name(holder, .holder)
        case .setBookmark(let job, let bookmark, let holder, _):
            try V.name(job, .job)
            if let holder { try V.name(holder, .holder) }
            // Opaque to the catalog, but bounded.
            let bytes = bookmark.utf8.count
            guard bytes <= Catalog.Limits.maxBookmarkBytes else {
                throw .invalid(.tooLong(.bookmark, bytes: bytes, limit: Catalog.Limits.maxBookmarkBytes))
            }
        case .setMachineState(let name, _):
            try V.name(name, .nodeName)
        case .defineJob(let definition, _):
            try V.job(definition)
        case .startRun(let job, let holder, _, let leaseMillis, _):
            try V.name(job, .job)
            try V.name(holder, .holder)
            guard (1...Catalog.Limits.maxLeaseDurationMillis).contains(leaseMillis) else {
                throw .invalid(.outOfRange(.leaseDuration, value: leaseMillis))
            }
        case .commitRun(let commit):
            try V.runCommit(commit)
        case .failRun(let job, _, let holder, _, let message, _):
            try V.name(job, .job)
            try V.name(holder, .holder)
            try V.text(message, .runMessage, limit: Catalog.Limits.maxRunMessageBytes, allowEmpty: true, allowNewlines: true)
        case .resetBookmark(let job, _, _):
            try V.name(job, .job)
        case .registerNode(let name, let publicKeyHex, let address, let roles, _):
            try V.name(name, .nodeName)
            try V.publicKey(publicKeyHex)
            try V.text(address, .address, limit: Catalog.Limits.maxAddressBytes, allowEmpty: false)
            guard !roles.isEmpty, roles.isSubset(of: .all) else {
                throw .invalid(.outOfRange(.roles, value: Int64(roles.rawValue)))
            }
        case .admitMachine(let admission):
            try V.admission(admission)
        case .setJoinKey(let key, _):
            try V.publicKey(key, field: .joinKey)
        case .users(let command):
            try command.validate()
        case .seedMachines(let admissions, _):
            guard admissions.count <= Catalog.Limits.maxSeedMachines else {
                throw .invalid(.tooLong(.machines, bytes: admissions.count, limit: Catalog.Limits.maxSeedMachines))
            }
            for admission in admissions { try V.admission(admission) }
        }
    }
}

extension Catalog {
    enum Validate {
        static func name(_ text: String, _ field: Field) throws(Refusal) {
            try self.text(text, field, limit: Limits.maxNameBytes, allowEmpty: false)
        }

        static func text(_ text: String, _ field: Field, limit: Int, allowEmpty: Bool, allowNewlines: Bool = false) throws(Refusal) {
            let bytes = text.utf8.count
            guard allowEmpty || bytes > 0 else { throw .invalid(.empty(field)) }
            guard bytes <= limit else { throw .invalid(.tooLong(field, bytes: bytes, limit: limit)) }
            guard !text.unicodeScalars.contains(where: {
                ($0.value < 0x20 && !(allowNewlines && $0 == "\n")) || (0x7F...0x9F).contains($0.value)
            }) else {
                throw .invalid(.controlCharacter(field))
            }
        }

        static func admission(_ admission: MachineAdmission) throws(Refusal) {
            try name(admission.name, .nodeName)
            let key = admission.publicKeyHex
            guard key.isEmpty || (key.utf8.count == 2 * Limits.publicKeyBytes && Hex.decode(key) != nil) else {
                throw .invalid(.outOfRange(.publicKey, value: Int64(key.utf8.count)))
            }
            try text(admission.address, .address, limit: Limits.maxAddressBytes, allowEmpty: false)
            guard !admission.roles.isEmpty, admission.roles.isSubset(of: .all) else {
                throw .invalid(.outOfRange(.roles, value: Int64(admission.roles.rawValue)))
            }
            try name(admission.rack, .rack)
            guard admission.disks.count <= Limits.maxDisksPerMachine else {
                throw .invalid(.tooLong(.disks, bytes: admission.disks.count, limit: Limits.maxDisksPerMachine))
            }
            // A storing machine without a disk would be placed on and fail every write.
            guard !admission.roles.contains(.storage) || !admission.disks.isEmpty else { throw .invalid(.empty(.disks)) }
            for disk in admission.disks {
                try text(disk.path, .diskPath, limit: Limits.maxDiskPathBytes, allowEmpty: false)
                guard (1...Limits.maxDiskCapacityBytes).contains(disk.capacityBytes) else {
                    throw .invalid(.outOfRange(.diskCapacity, value: disk.capacityBytes))
                }
            }
        }

        static func publicKey(_ key: String, field: Field = .publicKey) throws(Refusal) {
            guard key.utf8.count == 2 * Limits.publicKeyBytes, Hex.decode(key) != nil else {
                throw .invalid(.outOfRange(field, value: Int64(key.utf8.count)))
            }
        }

        static func job(_ definition: JobDefinition) throws(Refusal) {
            typealias L = Limits
            try name(definition.name, .job)
            try text(definition.sourceURL, .sourceURL, limit: L.maxSourceURLBytes, allowEmpty: false)
            if urlCarriesPassword(definition.sourceURL) { throw .invalid(.secretInURL) }
            try text(definition.table, .table, limit: L.maxTableBytes, allowEmpty: false)
            try text(definition.passwordFile, .passwordFile, limit: L.maxDiskPathBytes, allowEmpty: true)
            guard (1...L.maxBookmarkColumns).contains(definition.bookmarkColumns.count) else {
                throw .invalid(.outOfRange(.bookmarkColumns, value: Int64(definition.bookmarkColumns.count)))
            }
            for column in definition.bookmarkColumns {
                try text(column, .bookmarkColumns, limit: L.maxColumnNameBytes, allowEmpty: false)
            }
            switch definition.schedule {
            case .manual: break
            case .every(let millis):
                guard (L.minScheduleIntervalMillis...L.maxEpochMillis).contains(millis) else {
                    throw .invalid(.outOfRange(.schedule, value: millis))
                }
            case .cron(let expression):
                try text(expression, .schedule, limit: L.maxCronBytes, allowEmpty: false)
            }
            guard definition.target.zone != nil, definition.target.depth >= 2 else {
                throw .invalid(.outOfRange(.runFiles, value: Int64(definition.target.depth)))
            }
        }

        /// `scheme://user:password@host…` or a `password=` parameter.
        static func urlCarriesPassword(_ url: String) -> Bool {
            let lowered = url.lowercased()
            if lowered.contains("password=") { return true }
            guard let schemeEnd = lowered.range(of: "://") else { return false }
            let rest = lowered[schemeEnd.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" }
            guard let at = authority.lastIndex(of: "@") else { return false }
            return authority[..<at].contains(":")
        }

        static func runCommit(_ commit: RunCommit) throws(Refusal) {
            typealias L = Limits
            try name(commit.job, .job)
            try name(commit.holder, .holder)
            let bytes = commit.bookmark.utf8.count
            guard bytes <= L.maxJobBookmarkBytes else {
                throw .invalid(.tooLong(.bookmark, bytes: bytes, limit: L.maxJobBookmarkBytes))
            }
            guard commit.files.count <= L.maxFilesPerRun else {
                throw .invalid(.tooLong(.runFiles, bytes: commit.files.count, limit: L.maxFilesPerRun))
            }
            for file in commit.files { try self.commit(file) }
            for value in [commit.rows, commit.bytes, commit.nullBookmarkRows] where value < 0 {
                throw .invalid(.outOfRange(.rowCount, value: value))
            }
            guard commit.columns.count <= L.maxSchemaColumns else {
                throw .invalid(.tooLong(.schemaColumns, bytes: commit.columns.count, limit: L.maxSchemaColumns))
            }
            for column in commit.columns {
                try text(column.name, .columnName, limit: L.maxColumnNameBytes, allowEmpty: false)
                try text(column.type, .columnType, limit: L.maxColumnTypeBytes, allowEmpty: false)
            }
        }

        static func commit(_ commit: CommitFile) throws(Refusal) {
            guard commit.blocks.count <= Limits.maxBlocksPerFile else {
                throw .invalid(.tooLong(.blockCount, bytes: commit.blocks.count, limit: Limits.maxBlocksPerFile))
            }
            for block in commit.blocks where !(1...Limits.maxBlockSizeBytes).contains(block.sizeBytes) {
                throw .invalid(.outOfRange(.blockSize, value: block.sizeBytes))
            }
            let metadata = commit.metadata
            try text(metadata.source, .source, limit: Limits.maxSourceBytes, allowEmpty: true)
            try text(metadata.contentType, .contentType, limit: Limits.maxContentTypeBytes, allowEmpty: true)
            if let rowCount = metadata.rowCount, rowCount < 0 {
                throw .invalid(.outOfRange(.rowCount, value: rowCount))
            }
            if let schema = metadata.schema {
                guard schema.columns.count <= Limits.maxSchemaColumns else {
                    throw .invalid(.tooLong(.schemaColumns, bytes: schema.columns.count, limit: Limits.maxSchemaColumns))
                }
                for column in schema.columns {
                    try text(column.name, .columnName, limit: Limits.maxColumnNameBytes, allowEmpty: false)
                    try text(column.type, .columnType, limit: Limits.maxColumnTypeBytes, allowEmpty: false)
                }
            }
        }
    }
}
