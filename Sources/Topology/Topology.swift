import YonkeCore

/// A validated cluster description. Machines keep the file's order, which is
/// also the order reports list them in.
///
/// Its parts are nested (`Topology.Machine`, `Topology.Address`, …) so that
/// other modules can name them even though the module has the same name.
public struct Topology: Sendable, Equatable {
    public var cluster: ClusterSettings
    public var machines: [Machine]

    public init(cluster: ClusterSettings, machines: [Machine]) {
        self.cluster = cluster
        self.machines = machines
    }

    public var voters: [Machine] { machines.filter(\.isVoter) }
    public var workers: [Machine] { machines.filter(\.isWorker) }
    public var racks: [String] { Array(Set(machines.map(\.rack))).sorted() }
    /// Raw capacity of the machines that store blocks.
    public var workerCapacityBytes: Int64 { workers.saturatingSum(\.capacityBytes) }

    public func machine(named name: String) -> Machine? {
        machines.first { $0.name == name }
    }
}

extension Topology {
    public struct ClusterSettings: Sendable, Equatable {
        public var name: String
        public var blockSizeBytes: Int64
        public var replicationFactor: Int
        /// Background scrub read rate per node in MB/s (0 = off); nil: the node's default.
        public var scrubMbps: Double?
        /// A node starts a full scrub pass at most this often; nil: the node's default.
        public var scrubIntervalHours: Double?
        /// How long a dead machine's replicas still count before the master heals
        /// them elsewhere (`healGrace: 30s`): a reboot does not trigger a copy storm.
        public var healGraceMilliseconds: Int64 = 30_000
        /// Per-machine limit of healing and rebalancing copies (`rebalanceMbps: 100`, megabytes per second).
        public var rebalanceBytesPerSecond: Int64 = 100_000_000
        /// A block no file references is deleted from its holders after this long
        /// (`gcGrace: 1h`); longer than any put, whose blocks are stored before the commit.
        public var garbageGraceMilliseconds: Int64 = 3_600_000

        public init(name: String, blockSizeBytes: Int64, replicationFactor: Int,
                    scrubMbps: Double? = nil, scrubIntervalHours: Double? = nil) {
            self.name = name
            self.blockSizeBytes = blockSizeBytes
            self.replicationFactor = replicationFactor
            self.scrubMbps = scrubMbps
            self.scrubIntervalHours = scrubIntervalHours
        }
    }

    public struct Machine: Sendable, Equatable {
        public var name: String
        public var address: Address
        /// Sorted, without duplicates.
        public var roles: [Role]
        public var rack: String
        public var disks: [Disk]
        /// Declared age of the machine's disks; nil when the operator does not know.
        public var diskAgeYears: Double?
        /// Where the node serves Prometheus `/metrics`; nil: not served (unless `node start --metrics-listen`).
        public var metricsAddress: Address?
        /// Where the node serves the S3-compatible door; nil: not served (unless `node start --s3-listen`).
        public var s3Address: Address?

        public init(name: String, address: Address, roles: [Role], rack: String, disks: [Disk], diskAgeYears: Double? = nil,
                    metricsAddress: Address? = nil) {
            self.name = name
            self.address = address
            self.roles = Array(Set(roles)).sorted()
            self.rack = rack
            self.disks = disks
            self.diskAgeYears = diskAgeYears
            self.metricsAddress = metricsAddress
            self.s3Address = nil
        }

        public var isVoter: Bool { roles.contains(.voter) }
        public var isWorker: Bool { roles.contains(.worker) }
        public var capacityBytes: Int64 { disks.saturatingSum(\.capacityBytes) }

        public func capacityBytes(of diskClass: DiskClass) -> Int64 {
            disks.filter { $0.diskClass == diskClass }.saturatingSum(\.capacityBytes)
        }
    }

    public struct Address: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// `host:port` or `[v6]:port`; nil when either half is missing or the port is outside 1…65535.
        public init?(parsing text: String) {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, !host.contains(" "),
                  let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

        public static func < (lhs: Address, rhs: Address) -> Bool {
            (lhs.host, lhs.port) < (rhs.host, rhs.port)
        }
    }

    public enum Role: String, Sendable, CaseIterable, Comparable {
        /// May be master: runs Raft as a voting member.
        case voter
        /// Stores blocks and runs tasks.
        case worker

        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Disk: Sendable, Equatable {
        public var path: String
        public var capacityBytes: Int64
        public var diskClass: DiskClass

        public init(path: String, capacityBytes: Int64, diskClass: DiskClass) {
            self.path = path
            self.capacityBytes = capacityBytes
            self.diskClass = diskClass
        }
    }

    public enum DiskClass: String, Sendable, CaseIterable {
        case ssd
        case hdd
    }
}
