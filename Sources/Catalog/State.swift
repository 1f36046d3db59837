import YonkeCore

extension Catalog {
    /// The replicated catalog. Every replica that applies the same log holds an equal `State` and
    /// encodes the same snapshot bytes.
    public struct State: Hashable, Sendable {
        /// Index of the last log entry applied (refused ones included: they were applied as no-ops).
        public internal(set) var appliedIndex: UInt64 = 0
        /// Largest `epochMillis` any applied command carried: "now" for lease checks.
        public internal(set) var clockEpochMillis: Int64 = 0
        public internal(set) var isBootstrapped = false
        public internal(set) var clusterName = ""
        public internal(set) var policy = ReplicationPolicy.standard

        var directories: [LakePath: DirectoryRecord] = [:]
        var files: [LakePath: FileRecord] = [:]
        /// Derived from `files` (rebuilt on restore, never encoded): reference counts per tier so
        /// dedup and the replication target cost O(1) per block.
        var blockUsage: [BlockKey: BlockUsage] = [:]
        var leases: [String: Lease] = [:]
        var bookmarks: [String: String] = [:]
        var nodeRecords: [String: NodeRecord] = [:]
        /// The public join key set by the last rotation; nil = still the token the cluster was
        /// created with (it lives in the machines' secrets files, never in the log).
        public internal(set) var joinKeyHex: String?
        var userRecords: [String: UserRecord] = [:]
        /// Machines that are not `active` (absent means active).
        var machineStates: [String: MachineState] = [:]
        /// Ingest jobs by name, with their runs, bookmarks and schema versions.
        var jobs: [String: JobRecord] = [:]
        /// S3 access keys by access key id (State+AccessKeys.swift).
        var s3Keys: [String: S3Key] = [:]

        public init() {}

        /// Applies one committed log entry. Pure: the result depends only on the state and the
        /// arguments. Raft hands entries over in order, so `index` must grow.
        public mutating func apply(_ command: Command, index: UInt64) -> Outcome {
            invariant(index > appliedIndex, "applying index \(index) after \(appliedIndex)")
            appliedIndex = index
            do throws(Refusal) {
                try command.validate()
                // Only validated times move the clock: one absurd stamp would otherwise expire
                // every lease for good.
                if let epochMillis = command.epochMillis { clockEpochMillis = max(clockEpochMillis, epochMillis) }
                return .applied(try perform(command, index: index))
            } catch {
                return .refused(error)
            }
        }

        /// Each handler checks everything that can refuse before its first mutation, so a refused
        /// command leaves the state as it was.
        private mutating func perform(_ command: Command, index: UInt64) throws(Refusal) -> Effect {
            let now = clockEpochMillis
            if case .bootstrap(let name, let policy, _) = command {
                guard !isBootstrapped else { throw .alreadyBootstrapped }
                onBootstrap(clusterName: name, policy: policy, now: now)
                return .bootstrapped
            }
            guard isBootstrapped else { throw .notBootstrapped }
            switch command {
            case .bootstrap:
                invariant(false, "bootstrap handled above")
                throw .alreadyBootstrapped
            case .makeDirectory(let path, let parents, _):
                return .directoriesCreated(try onMakeDirectory(path, parents: parents, now: now))
            case .commitFile(let commit):
                return .fileCommitted(try onCommitFile(commit, index: index, now: now))
            case .delete(let path, let recursive):
                return .deleted(try onDelete(path, recursive: recursive))
            case .move(let from, let to):
                return try onMove(from: from, to: to)
            case .setTier(let path, let tier):
                return try onSetTier(path, tier: tier)
            case .acquireLease(let job, let holder, let durationMillis, _):
                return .leaseGranted(try onAcquireLease(job: job, holder: holder, durationMillis: durationMillis, index: index, now: now))
            case .renewLease(let job, let holder, let durationMillis, _):
                return .leaseGranted(try onRenewLease(job: job, holder: holder, durationMillis: durationMillis, now: now))
            case .releaseLease(let job, let holder, _):
                try onReleaseLease(job: job, holder: holder, now: now)
                return .leaseReleased(job: job)
            case .setBookmark(let job, let bookmark, let holder, _):
                return .bookmarkSet(job: job, previous: try onSetBookmark(job: job, bookmark: bookmark, holder: holder, now: now))
            case .registerNode(let name, let key, let address, let roles, _):
                return try onRegisterNode(name: name, publicKeyHex: key, address: address, roles: roles, now: now)
            case .removeNode(let name):
                return .nodeRemoved(try onRemoveNode(name))
            case .admitMachine(let admission):
                return try onAdmitMachine(admission, now: now)
            case .setJoinKey(let key, _):
                joinKeyHex = key.lowercased()
                return .joinKeySet
            case .seedMachines(let admissions, _):
                return .machinesSeeded(try onSeedMachines(admissions, now: now))
            case .setMachineState(let name, let state):
                return onSetMachineState(name, state)
            case .users(let command):
                return try onUserCommand(command, now: now)
            case .defineJob(let definition, let replace):
                return .jobDefined(try onDefineJob(definition, replace: replace))
            case .startRun(let job, let holder, let trigger, let leaseMillis, _):
                return .runStarted(try onStartRun(job: job, holder: holder, trigger: trigger, leaseMillis: leaseMillis,
                                                  index: index, now: now))
            case .commitRun(let commit):
                return .runCommitted(try onCommitRun(commit, index: index, now: now))
            case .failRun(let job, let run, let holder, let token, let message, _):
                return .runFailed(try onFailRun(job: job, run: run, holder: holder, fencingToken: token, message: message, now: now))
            case .resetBookmark(let job, let toRun, _):
                return try onResetBookmark(job: job, toRun: toRun, now: now)
            }
        }

        private mutating func onBootstrap(clusterName: String, policy: ReplicationPolicy, now: Int64) {
            isBootstrapped = true
            self.clusterName = clusterName
            self.policy = policy
            directories[.root] = DirectoryRecord(createdAtEpochMillis: now, children: [])
            for zone in Zone.allCases {
                insertDirectory(LakePath(zone: zone), now: now)
            }
        }
    }

    struct BlockUsage: Hashable, Sendable {
        var sizeBytes: Int64
        var hotReferences = 0
        var coldReferences = 0
        var glacierReferences = 0

        var references: Int { hotReferences + coldReferences + glacierReferences }

        mutating func add(_ delta: Int, in tier: Tier) {
            switch tier {
            case .hot: hotReferences += delta
            case .cold: coldReferences += delta
            case .glacier: glacierReferences += delta
            }
            invariant(hotReferences >= 0 && coldReferences >= 0 && glacierReferences >= 0,
                      "negative block references \(self)")
        }

        /// A block shared by a hot and a glacier file keeps the hot file's copies.
        func replicationTarget(_ policy: ReplicationPolicy) -> Int {
            var target = 0
            if hotReferences > 0 { target = max(target, policy.hotReplicas) }
            if coldReferences > 0 { target = max(target, policy.coldReplicas) }
            if glacierReferences > 0 { target = max(target, policy.glacierReplicas) }
            return target
        }
    }
}
