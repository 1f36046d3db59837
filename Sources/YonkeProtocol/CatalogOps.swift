import Catalog
import NIOCore
import YonkeCore

/// Catalog operations (`RPCOperation.catalog`): their op codes, request and
/// response codecs, and the PUBLIC client-side functions the CLI calls. Any node
/// answers: a node that is not the master forwards the request to the master
/// (reads included, so every answer is linearizable), and answers `noQuorum`
/// when no master can be reached within `ConsensusService.masterWait` (≤ 3 s) —
/// `ClusterClient` then tries its next endpoint.
public enum CatalogOps {
    public enum Op: UInt16, Sendable {
        // Client operations.
        case ls = 0x0001
        case stat = 0x0002
        case commitFile = 0x0003
        case rm = 0x0004
        case status = 0x0005
        /// A machine asks to join (`yonke node join`): `[admission]` → `[join grant]`.
        case join = 0x0006
        /// `[bool rotate]` → `[str token]`: the join token in force (after rotating it).
        case joinToken = 0x0007
        /// `[str voter]` → `[str master][u64 term]`: the master hands leadership to that voter
        /// (Raft's leadership transfer, as `etcdctl move-leader`) and answers once it leads.
        case moveMaster = 0x0008
        /// `[u8 action][fields]` → `[UserRecord]`: add, list, revoke or rotate users (`yonke user`).
        case users = 0x0009
        /// → `[str keyring file]`: the cluster's data keyring, for a user's client to encode and
        /// decode blocks with (it travels only over the caller's sealed link).
        case keyring = 0x000A
        // Between nodes.
        /// An encoded `Catalog.Command` from a voter to the master → `[u64 index][u64 term]`.
        case propose = 0x0010
        /// ReadIndex for a voter's follower read → `[u64 index]`.
        case readIndex = 0x0011
        /// → `[bool known][str master][u64 term][u64 commitIndex]` (how non-voters learn the master).
        case whoIsMaster = 0x0012
        /// `[u16 op][payload]`: a client operation relayed to the master; refused (`notMaster`)
        /// by a node that is not the master, so a relay never loops.
        case forward = 0x0013
        /// `[u64 index][u64 offset]` → `[bytes chunk]`: part of a snapshot offered by reference.
        case snapshotChunk = 0x0014
        /// → the machine registry as this voter applied it (how non-voters follow it).
        case registry = 0x0015
        /// → `KeyShareWire.Reply`: the asked machine's secret or key share, for a node rebuilding
        /// the keyring after a start (machines only).
        case keyShare = 0x0016
        // Ingest jobs (JSON payloads, `JobWire`); client operations, relayed to the master.
        /// `DefineJobRequest` → `JobInfo`.
        case jobDefine = 0x0040
        /// `JobQuery` → `[JobInfo]` (every job, or the one named, with its runs when asked).
        case jobList = 0x0041
        /// `StartRunRequest` → `RunStartReply`: the lease for a new run, or the run recorded skipped.
        case jobStart = 0x0042
        /// `RenewRunRequest` → `RunInfo`: extends a running run's lease.
        case jobRenew = 0x0043
        /// `CommitRunRequest` → `RunInfo`: the run's files and bookmark in one entry.
        case jobCommit = 0x0044
        /// `FailRunRequest` → `RunInfo`.
        case jobFail = 0x0045
        /// `ResetBookmarkRequest` → `JobInfo`.
        case jobResetBookmark = 0x0046
        /// `RunNowRequest` → `RunNowReply`: the master picks a node and starts the run there.
        case jobRunNow = 0x0047
        /// Master → node: `RunOnNodeRequest`, answered once the run is started (it goes on there).
        case jobExecute = 0x0048
        // S3 access keys (`S3KeyWire`); relayed to the master.
        /// `[str user]` → `[str accessKeyID][str secret]` (admin): the secret is shown once.
        case s3KeyCreate = 0x0050
        /// `[str accessKeyID]` → the key's user, role and sealed secret (machines only: the gateway).
        case s3KeyLookup = 0x0051

        /// Job operations a client may send (relayed to the master by any node).
        public static let jobClientOps: Set<Op> = [.jobDefine, .jobList, .jobStart, .jobRenew, .jobCommit, .jobFail,
                                                   .jobResetBookmark, .jobRunNow]
        public static let s3KeyOps: Set<Op> = [.s3KeyCreate, .s3KeyLookup]
    }

    /// Largest `ls` answer: one transport frame is ~1 MiB, so a longer listing is cut and flagged.
    public static let maxListingBytes = 900 * 1024
    public static let maxListingEntries = 100_000

    // MARK: Public results

    public struct Block: Sendable, Hashable, Codable {
        public var id: BlockID
        /// Plaintext bytes of this block (the last block of a file is short).
        public var sizeBytes: Int64

        public init(id: BlockID, sizeBytes: Int64) {
            self.id = id
            self.sizeBytes = sizeBytes
        }

        public enum CodingKeys: String, CodingKey { case id, size }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let hex = try container.decode(String.self, forKey: .id)
            guard let id = BlockID(hex: hex) else {
                throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "not a block id: \(hex)")
            }
            self.id = id
            sizeBytes = try container.decode(Int64.self, forKey: .size)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id.hex, forKey: .id)
            try container.encode(sizeBytes, forKey: .size)
        }
    }

    /// A file or directory of the catalog, as `ls --long` and `stat` print it.
    public struct FileInfo: Sendable, Hashable, Codable {
        public var path: String
        public var isDirectory: Bool
        public var sizeBytes: Int64
        /// Load time of a file; creation time of a directory.
        public var loadedAtEpochMillis: Int64
        public var source: String
        public var contentType: String
        /// "hot", "cold" or "glacier" ("" for a directory).
        public var tier: String
        /// Raft index of the commit that made this version (0 for a directory).
        public var version: UInt64
        public var rowCount: Int64?
        public var blocks: [Block]

        public init(path: String, isDirectory: Bool, sizeBytes: Int64, loadedAtEpochMillis: Int64, source: String, contentType: String, tier: String, version: UInt64, rowCount: Int64? = nil, blocks: [Block]) {
            self.path = path
            self.isDirectory = isDirectory
            self.sizeBytes = sizeBytes
            self.loadedAtEpochMillis = loadedAtEpochMillis
            self.source = source
            self.contentType = contentType
            self.tier = tier
            self.version = version
            self.rowCount = rowCount
            self.blocks = blocks
        }
    }

    public struct Listing: Sendable, Hashable, Codable {
        public var entries: [FileInfo]
        /// The listing did not fit in one answer; list a deeper prefix.
        public var truncated: Bool

        public init(entries: [FileInfo], truncated: Bool) {
            self.entries = entries
            self.truncated = truncated
        }
    }

    public struct CommitResult: Sendable, Hashable {
        public var file: FileInfo
        public var createdDirectories: [String]
        /// Blocks of the version this commit replaced (nil when the path was new).
        public var replacedBlocks: [BlockID]?
        /// Blocks no file references any more: the stores may collect them.
        public var unreferencedBlocks: [BlockID]

        public init(file: FileInfo, createdDirectories: [String], replacedBlocks: [BlockID]? = nil, unreferencedBlocks: [BlockID]) {
            self.file = file
            self.createdDirectories = createdDirectories
            self.replacedBlocks = replacedBlocks
            self.unreferencedBlocks = unreferencedBlocks
        }
    }

    public struct RemoveResult: Sendable, Hashable {
        public var files: Int
        public var directories: Int
        public var bytes: Int64
        public var unreferencedBlocks: [BlockID]

        public init(files: Int, directories: Int, bytes: Int64, unreferencedBlocks: [BlockID]) {
            self.files = files
            self.directories = directories
            self.bytes = bytes
            self.unreferencedBlocks = unreferencedBlocks
        }
    }

    /// `yonke status` (JSON-ready): `{"master", "term", "commitIndex", "members": [...]}`.
    public struct ClusterStatus: Sendable, Hashable, Codable {
        public struct Member: Sendable, Hashable, Codable {
            public var name: String
            public var address: String
            public var state: String
            public var incarnation: UInt64
            public var roles: [String]
            /// The member's own scrubber figures; filled in by `yonke status`, which asks each member (nil: no answer).
            public var scrub: ScrubStatus? = nil

            public init(name: String, address: String, state: String, incarnation: UInt64, roles: [String], scrub: ScrubStatus? = nil) {
                self.name = name
                self.address = address
                self.state = state
                self.incarnation = incarnation
                self.roles = roles
                self.scrub = scrub
            }
        }

        public var master: String?
        public var term: UInt64
        public var commitIndex: UInt64
        /// The node that answered, and its Raft role ("leader", "follower", …, "nonVoter").
        public var answeredBy: String
        public var role: String
        public var members: [Member]
        /// The cluster's settings from its topology: clients cut files by this
        /// block size and require this many replicas per block.
        public var blockSizeBytes: Int64
        public var replicationFactor: Int
        /// Raft's configuration as the answering voter knows it (empty from a non-voter).
        public var voters: [String] = []
        public var learners: [String] = []

        public init(master: String? = nil, term: UInt64, commitIndex: UInt64, answeredBy: String, role: String, members: [Member], blockSizeBytes: Int64, replicationFactor: Int, voters: [String] = [], learners: [String] = []) {
            self.master = master
            self.term = term
            self.commitIndex = commitIndex
            self.answeredBy = answeredBy
            self.role = role
            self.members = members
            self.blockSizeBytes = blockSizeBytes
            self.replicationFactor = replicationFactor
            self.voters = voters
            self.learners = learners
        }
    }
}
