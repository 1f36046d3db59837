import YonkeCore

extension Catalog {
    /// One block of a file: its content id and its plaintext size (the last block is short).
    public struct BlockEntry: Hashable, Sendable {
        public var id: BlockID
        public var sizeBytes: Int64

        public init(id: BlockID, sizeBytes: Int64) {
            self.id = id
            self.sizeBytes = sizeBytes
        }
    }

    public struct Column: Hashable, Sendable, Codable {
        public var name: String
        /// Free text (`int64`, `string`, `timestamp`): the ETL owns the type system.
        public var type: String

        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    public struct Schema: Hashable, Sendable, Codable {
        public var columns: [Column]

        public init(columns: [Column]) { self.columns = columns }
    }

    /// What the writer tells the catalog about a file, so analysts read the catalog before the
    /// files (DESIGN.md, "Catalog").
    public struct FileMetadata: Hashable, Sendable {
        /// Where the data came from (`crm`, `postgres:public.random_data`).
        public var source: String
        public var contentType: String
        public var tier: Tier
        public var schema: Schema?
        public var rowCount: Int64?

        public init(source: String = "", contentType: String = "application/octet-stream",
                    tier: Tier = .hot, schema: Schema? = nil, rowCount: Int64? = nil) {
            self.source = source
            self.contentType = contentType
            self.tier = tier
            self.schema = schema
            self.rowCount = rowCount
        }
    }

    public struct FileRecord: Hashable, Sendable {
        public internal(set) var path: LakePath
        /// Sum of the blocks' plaintext sizes.
        public internal(set) var sizeBytes: Int64
        public internal(set) var loadedAtEpochMillis: Int64
        public internal(set) var metadata: FileMetadata
        public internal(set) var blocks: [BlockEntry]
        /// Raft index of the entry that committed this version: a version number for the file.
        public internal(set) var committedIndex: UInt64

        public var tier: Tier { metadata.tier }
        public var source: String { metadata.source }
        /// Every file lives under a zone: the root holds only zones.
        public var zone: Zone {
            guard let zone = path.zone else {
                invariant(false, "file at \(path) outside any zone")
                return .bronze
            }
            return zone
        }
    }

    public struct DirectoryRecord: Hashable, Sendable {
        public internal(set) var createdAtEpochMillis: Int64
        /// Names of files and directories directly inside, in byte order.
        public internal(set) var children: [String]
    }

    /// One row of a listing.
    public enum Entry: Hashable, Sendable {
        case directory(path: LakePath, createdAtEpochMillis: Int64)
        case file(FileRecord)

        public var path: LakePath {
            switch self {
            case .directory(let path, _): path
            case .file(let file): file.path
            }
        }

        public var file: FileRecord? {
            if case .file(let file) = self { return file }
            return nil
        }
    }

    /// A job's exclusive right to run until `expiresAtEpochMillis` (DESIGN.md: a job never runs
    /// twice at once).
    public struct Lease: Hashable, Sendable {
        public var job: String
        public var holder: String
        public var expiresAtEpochMillis: Int64
        /// Raft index of the entry that granted this tenure; renewals keep it. A holder passes it
        /// along with its writes so a store can refuse a holder whose tenure has ended.
        public var fencingToken: UInt64
    }

    public struct Roles: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// May vote in Raft and so become master.
        public static let master = Roles(rawValue: 1 << 0)
        /// Stores blocks.
        public static let storage = Roles(rawValue: 1 << 1)
        /// Runs ETL tasks.
        public static let compute = Roles(rawValue: 1 << 2)
        public static let all: Roles = [.master, .storage, .compute]

        public var names: [String] {
            [(Roles.master, "master"), (.storage, "storage"), (.compute, "compute")]
                .filter { contains($0.0) }.map(\.1)
        }
    }

    /// A machine the master admitted (`node join` with a valid token).
    public struct NodeRecord: Hashable, Sendable {
        public var name: String
        /// Lowercase hex, so one key has one spelling.
        public var publicKeyHex: String
        /// `host:port` its peers dial.
        public var address: String
        public var roles: Roles
        public var admittedAtEpochMillis: Int64
        /// Failure domain for placement ("" for records made by `registerNode`).
        public var rack: String = ""
        public var disks: [NodeDisk] = []

        public init(name: String, publicKeyHex: String, address: String, roles: Roles, admittedAtEpochMillis: Int64,
                    rack: String = "", disks: [NodeDisk] = []) {
            self.name = name
            self.publicKeyHex = publicKeyHex
            self.address = address
            self.roles = roles
            self.admittedAtEpochMillis = admittedAtEpochMillis
            self.rack = rack
            self.disks = disks
        }

        /// An empty key means "not yet pinned": the machine was registered from the topology and
        /// the first link that proves the join token under this name pins its key.
        public var isKeyPinned: Bool { !publicKeyHex.isEmpty }
        public var capacityBytes: Int64 { disks.saturatingSum(\.capacityBytes) }
    }

    public enum DiskClass: UInt8, Hashable, Sendable, CaseIterable {
        case ssd = 1
        case hdd = 2

        public var name: String { self == .ssd ? "ssd" : "hdd" }
    }

    /// One disk of a registered machine, as the machine declared it.
    public struct NodeDisk: Hashable, Sendable {
        public var path: String
        public var capacityBytes: Int64
        public var diskClass: DiskClass

        public init(path: String, capacityBytes: Int64, diskClass: DiskClass) {
            self.path = path
            self.capacityBytes = capacityBytes
            self.diskClass = diskClass
        }
    }

    /// A machine entering (or re-entering) the registry: from the topology at bootstrap, from
    /// `node join`, or a key pinned on first contact.
    public struct MachineAdmission: Hashable, Sendable {
        public var name: String
        /// Lowercase hex Ed25519 key; empty = not yet known (never clears a pinned key).
        public var publicKeyHex: String
        public var address: String
        public var roles: Roles
        public var rack: String
        public var disks: [NodeDisk]
        public var epochMillis: Int64

        public init(name: String, publicKeyHex: String, address: String, roles: Roles, rack: String,
                    disks: [NodeDisk], epochMillis: Int64) {
            self.name = name
            self.publicKeyHex = publicKeyHex
            self.address = address
            self.roles = roles
            self.rack = rack
            self.disks = disks
            self.epochMillis = epochMillis
        }
    }
}
