import YonkeCore

extension Catalog {
    /// What applying one command did: the effect, or why nothing changed.
    public enum Outcome: Hashable, Sendable {
        case applied(Effect)
        case refused(Refusal)

        public var refusal: Refusal? {
            if case .refused(let refusal) = self { return refusal }
            return nil
        }

        public var effect: Effect? {
            if case .applied(let effect) = self { return effect }
            return nil
        }
    }

    public enum Effect: Hashable, Sendable {
        case bootstrapped
        /// The directories made, parents first (empty when `mkdir -p` found it all there).
        case directoriesCreated([LakePath])
        case fileCommitted(FileCommitted)
        case deleted(Deleted)
        case moved(from: LakePath, to: LakePath, entries: Int)
        /// Files whose tier actually changed, and their bytes.
        case tierChanged(files: Int, bytes: Int64)
        case leaseGranted(Lease)
        case leaseReleased(job: String)
        case bookmarkSet(job: String, previous: String?)
        case nodeRegistered(NodeRecord, isNew: Bool)
        case nodeRemoved(NodeRecord)
        case joinKeySet
        case machinesSeeded(Int)
        case machineStateChanged(name: String, previous: MachineState, current: MachineState)
        case userAdded(UserRecord)
        case userRevoked(UserRecord)
        case userKeyRotated(UserRecord)
        case s3KeyAdded(S3Key)
        case s3KeyRemoved(S3Key)
        case jobDefined(JobRecord)
        case runStarted(RunStart)
        case runCommitted(RunCommitted)
        case runFailed(JobRun)
        case bookmarkReset(job: String, previous: String, current: String)
    }

    public struct FileCommitted: Hashable, Sendable {
        public var file: FileRecord
        public var createdDirectories: [LakePath]
        /// The block list of the version this commit replaced, if any.
        public var replacedBlocks: [BlockEntry]?
        /// Blocks no file references any more (sorted): the stores may collect them.
        public var unreferencedBlocks: [BlockID]
    }

    public struct Deleted: Hashable, Sendable {
        public var files: Int
        public var directories: Int
        public var bytes: Int64
        public var unreferencedBlocks: [BlockID]
    }

    /// Why a command changed nothing. Outside input gets one of these, never a crash.
    public enum Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        case notBootstrapped
        case alreadyBootstrapped
        case notFound(LakePath)
        case alreadyExists(LakePath)
        /// An ancestor (or the path itself, where a directory is needed) is a file.
        case notADirectory(LakePath)
        case isADirectory(LakePath)
        case directoryNotEmpty(LakePath)
        /// The root and the zone folders cannot be removed, moved or replaced.
        case protectedPath(LakePath)
        case moveIntoItself(from: LakePath, to: LakePath)
        /// The destination of a move would break a path rule for some descendant.
        case invalidPath(LakePath.ParseError)
        /// Same id means same plaintext, so the same size; anything else is a writer bug.
        case blockSizeMismatch(BlockID, knownBytes: Int64, claimedBytes: Int64)
        case invalid(InvalidArgument)
        case leaseHeld(by: String, untilEpochMillis: Int64)
        case leaseNotHeld(job: String)
        case leaseExpired(job: String, atEpochMillis: Int64)
        case unknownNode(String)
        /// A name is bound to one key until the node is removed.
        case nodeKeyMismatch(name: String)
        case publicKeyInUse(by: String)
        case registryAlreadySeeded
        case userExists(String)
        case unknownUser(String)
        case unknownS3Key(String)
        case s3KeyExists(String)
        case invalidS3Key(String)
        case unknownJob(String)
        case jobExists(String)
        case unknownRun(job: String, run: UInt64)
        case runNotRunning(job: String, run: UInt64, status: RunStatus)
        /// The run's lease was taken over (or never this run's): its commit would race the new holder.
        case staleFencingToken(job: String, presented: UInt64, current: UInt64?)
        /// A run's files collide with each other or with what the lake holds.
        case runFileConflict(LakePath)

        public var description: String {
            switch self {
            case .notBootstrapped: "the catalog is not bootstrapped"
            case .alreadyBootstrapped: "the catalog is already bootstrapped"
            case .notFound(let p): "\(p): not found"
            case .alreadyExists(let p): "\(p): already exists"
            case .notADirectory(let p): "\(p): not a directory"
            case .isADirectory(let p): "\(p): is a directory"
            case .directoryNotEmpty(let p): "\(p): directory not empty"
            case .protectedPath(let p): "\(p): the root and zone folders cannot be changed"
            case .moveIntoItself(let from, let to): "cannot move \(from) into itself (\(to))"
            case .invalidPath(let error): "invalid path: \(error)"
            case .blockSizeMismatch(let id, let known, let claimed):
                "block \(id.short) is \(known) bytes, commit claims \(claimed)"
            case .invalid(let argument): "invalid argument: \(argument)"
            case .leaseHeld(let holder, let until): "lease held by \(holder) until \(until) ms"
            case .leaseNotHeld(let job): "no lease on \(job) held by this holder"
            case .leaseExpired(let job, let at): "lease on \(job) expired at \(at) ms"
            case .unknownNode(let name): "unknown node \(name)"
            case .nodeKeyMismatch(let name): "node \(name) is registered with another key"
            case .publicKeyInUse(let name): "public key already belongs to node \(name)"
            case .registryAlreadySeeded: "the machine registry is already seeded"
            case .userExists(let name): "user \(name) already exists"
            case .unknownUser(let name): "unknown user \(name)"
            case .unknownS3Key(let id): "unknown S3 access key \(id)"
            case .s3KeyExists(let id): "S3 access key \(id) already exists"
            case .invalidS3Key(let why): "invalid S3 access key: \(why)"
            case .unknownJob(let job): "no job named \(job)"
            case .jobExists(let job): "job \(job) already exists"
            case .unknownRun(let job, let run): "job \(job) has no run \(run)"
            case .runNotRunning(let job, let run, let status): "run \(run) of \(job) is \(status), not running"
            case .staleFencingToken(let job, let presented, let current):
                "fencing token \(presented) of \(job) is stale (current: \(current.map(String.init) ?? "none")): the lease was lost"
            case .runFileConflict(let path): "\(path): already exists or appears twice in the run"
            }
        }
    }

    public enum Field: String, Hashable, Sendable {
        case epochMillis, clusterName, replicationPolicy, blockSize, blockCount, source, contentType
        case schemaColumns, columnName, columnType, rowCount
        case job, holder, leaseDuration, bookmark, nodeName, publicKey, address, roles
        case rack, disks, diskPath, diskCapacity, joinKey, machines, userName
        case sourceURL, table, bookmarkColumns, schedule, runMessage, runFiles, passwordFile, runNumbers
    }

    public enum InvalidArgument: Hashable, Sendable, CustomStringConvertible {
        case empty(Field)
        case tooLong(Field, bytes: Int, limit: Int)
        case controlCharacter(Field)
        case outOfRange(Field, value: Int64)
        /// A source URL with a password in it: the catalog never stores one.
        case secretInURL

        public var description: String {
            switch self {
            case .empty(let f): "\(f.rawValue) is empty"
            case .tooLong(let f, let bytes, let limit): "\(f.rawValue) is \(bytes) bytes, limit \(limit)"
            case .controlCharacter(let f): "\(f.rawValue) contains a control character"
            case .outOfRange(let f, let value): "\(f.rawValue) \(value) is out of range"
            case .secretInURL: "the source URL carries a password; give it with --password-file or PGPASSWORD instead"
            }
        }
    }
}
