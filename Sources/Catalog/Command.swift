import YonkeCore

extension Catalog {
    /// One Raft log entry's worth of change. Commands that need time carry the leader's
    /// `epochMillis`; the state machine never reads a clock.
    public enum Command: Hashable, Sendable {
        /// Makes the root and the three zone folders; refused once done.
        case bootstrap(clusterName: String, policy: ReplicationPolicy, epochMillis: Int64)
        /// `parents` is `mkdir -p`: missing ancestors are made and an existing directory is fine.
        case makeDirectory(path: LakePath, parents: Bool, epochMillis: Int64)
        /// Makes the file visible with its whole block list in one step (blocks are written to
        /// the stores first, so a reader never sees a half-written file).
        case commitFile(CommitFile)
        case delete(path: LakePath, recursive: Bool)
        case move(from: LakePath, to: LakePath)
        /// A file, or every file under a directory (`tier set lake://bronze/2025/ glacier`).
        case setTier(path: LakePath, tier: Tier)
        case acquireLease(job: String, holder: String, durationMillis: Int64, epochMillis: Int64)
        case renewLease(job: String, holder: String, durationMillis: Int64, epochMillis: Int64)
        case releaseLease(job: String, holder: String, epochMillis: Int64)
        /// An incremental ingest's high-water mark (`id > 41230`). With a `holder`, refused unless
        /// that holder has the job's lease, so a run that lost its lease cannot move the bookmark.
        case setBookmark(job: String, bookmark: String, holder: String?, epochMillis: Int64)
        case registerNode(name: String, publicKeyHex: String, address: String, roles: Roles, epochMillis: Int64)
        case removeNode(name: String)
        /// Adds a machine to the registry or updates it (same name, same or not-yet-pinned key).
        case admitMachine(MachineAdmission)
        /// The public join key (`Transport.JoinKey`) of the token links must prove from now on
        /// (`cluster token --rotate`); the token itself never enters the log.
        case setJoinKey(publicKeyHex: String, epochMillis: Int64)
        /// The first master registers the topology's machines in one entry, so a master change
        /// mid-way cannot leave half of them out; refused once the registry holds any machine.
        case seedMachines([MachineAdmission], epochMillis: Int64)
        /// Drain (`draining`), undrain (`active`) or retire (`removed`) a storage machine. A
        /// removed machine also loses its node record; registering it again makes it active.
        case setMachineState(name: String, state: MachineState)
        /// Adds, revokes or re-keys a person (`yonke user …`).
        case users(UserCommand)
        /// Makes an ingest job (`replace`: redefines one, keeping its runs and bookmark).
        case defineJob(JobDefinition, replace: Bool)
        /// Takes the job's lease for a new run, or records the run `skipped` when another run
        /// still holds it; a running run whose holder lost its lease is recorded `failed` first.
        case startRun(job: String, holder: String, trigger: RunTrigger, leaseMillis: Int64, epochMillis: Int64)
        /// A run's files and its new bookmark in one entry, refused unless the run still holds
        /// the lease under the fencing token it was given.
        case commitRun(RunCommit)
        /// Records a run failed (nothing of it becomes visible) and frees its lease.
        case failRun(job: String, run: UInt64, holder: String, fencingToken: UInt64, message: String, epochMillis: Int64)
        /// Rewinds the bookmark to what it was after run `toRun` (0: the beginning), as Glue's
        /// ResetJobBookmark; refused while a run holds the lease.
        case resetBookmark(job: String, toRun: UInt64, epochMillis: Int64)

        public var epochMillis: Int64? {
            switch self {
            case .bootstrap(_, _, let t), .makeDirectory(_, _, let t),
                 .acquireLease(_, _, _, let t), .renewLease(_, _, _, let t), .releaseLease(_, _, let t),
                 .setBookmark(_, _, _, let t), .registerNode(_, _, _, _, let t),
                 .setJoinKey(_, let t), .seedMachines(_, let t),
                 .startRun(_, _, _, _, let t), .failRun(_, _, _, _, _, let t), .resetBookmark(_, _, let t):
                t
            case .defineJob(let definition, _): definition.createdAtEpochMillis
            case .commitRun(let commit): commit.epochMillis
            case .admitMachine(let admission): admission.epochMillis
            case .users(let command): command.epochMillis
            case .commitFile(let commit): commit.epochMillis
            case .delete, .move, .setTier, .removeNode, .setMachineState: nil
            }
        }
    }

    /// What the rebalancer may do with a machine: place on it (`active`), only move blocks off it
    /// while it stays readable (`draining`), or ignore it for good (`removed`).
    public enum MachineState: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
        case active = 0, draining, removed

        public var description: String {
            switch self {
            case .active: "active"
            case .draining: "draining"
            case .removed: "removed"
            }
        }
    }

    public struct CommitFile: Hashable, Sendable {
        public var path: LakePath
        public var blocks: [BlockEntry]
        public var metadata: FileMetadata
        /// Without it an existing file is `alreadyExists` (HDFS `put` without `-f`).
        public var overwrite: Bool
        /// Makes missing parent directories, as `put` to a new folder expects.
        public var createParents: Bool
        /// Becomes the file's load time.
        public var epochMillis: Int64

        public init(path: LakePath, blocks: [BlockEntry], metadata: FileMetadata = FileMetadata(),
                    overwrite: Bool = false, createParents: Bool = true, epochMillis: Int64) {
            self.path = path
            self.blocks = blocks
            self.metadata = metadata
            self.overwrite = overwrite
            self.createParents = createParents
            self.epochMillis = epochMillis
        }
    }
}
