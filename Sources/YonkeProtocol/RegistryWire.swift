import Catalog
import NIOCore
import Topology
import YonkeCore

/// What a machine asks when it joins (`yonke node join`), as the CLI parsed it.
public struct JoinRequest: Sendable, Equatable {
    public var name: String
    public var address: Topology.Address
    public var roles: [Topology.Role]
    public var rack: String
    /// Absolute paths on the joining machine.
    public var disks: [Topology.Disk]

    public init(name: String, address: Topology.Address, roles: [Topology.Role], rack: String, disks: [Topology.Disk]) {
        self.name = name
        self.address = address
        self.roles = roles
        self.rack = rack
        self.disks = disks
    }
}

/// What the master answers an admitted machine: enough to run without a topology file.
public struct JoinGrant: Sendable, Equatable {
    public var cluster: Topology.ClusterSettings
    /// The registry after the admission, the new machine included.
    public var machines: [Catalog.NodeRecord]
    /// The secrets file's text: keyring (nodes scrub with it) and the join token in force.
    public var secretsFileContents: String

    /// The cluster's settings and machines as a topology (what `joined.yaml` holds).
    public func topology() -> Topology {
        Topology(cluster: cluster, machines: machines.compactMap { RegistryMapping.machine($0) })
    }

    public init(cluster: Topology.ClusterSettings, machines: [Catalog.NodeRecord], secretsFileContents: String) {
        self.cluster = cluster
        self.machines = machines
        self.secretsFileContents = secretsFileContents
    }
}

/// Binary forms of the registry, join requests and grants (same conventions as `CatalogOps`).
public enum RegistryWire {
    public static let maxMachines = Catalog.Limits.maxSeedMachines
    public static let maxSecretsBytes = 4096

    public static func writeDisks(_ disks: [Catalog.NodeDisk], to out: inout ByteBuffer) {
        out.writeWireInteger(UInt32(disks.count))
        for disk in disks {
            out.writeWireString(disk.path)
            out.writeWireInteger(disk.capacityBytes)
            out.writeWireInteger(disk.diskClass.rawValue)
        }
    }

    public static func readDisks(_ input: inout ByteBuffer) throws(WireError) -> [Catalog.NodeDisk] {
        let count = try input.readWireCount("disks", max: Catalog.Limits.maxDisksPerMachine)
        var disks: [Catalog.NodeDisk] = []
        for _ in 0..<count {
            let path = try input.readWireString("disk path", maxBytes: Catalog.Limits.maxDiskPathBytes)
            let capacity: Int64 = try input.readWireInteger("disk capacity")
            let code: UInt8 = try input.readWireInteger("disk class")
            guard let diskClass = Catalog.DiskClass(rawValue: code) else { throw WireError("disk class \(code) is not known") }
            disks.append(Catalog.NodeDisk(path: path, capacityBytes: capacity, diskClass: diskClass))
        }
        return disks
    }

    public static func writeRecord(_ record: Catalog.NodeRecord, to out: inout ByteBuffer) {
        out.writeWireString(record.name)
        out.writeWireString(record.publicKeyHex)
        out.writeWireString(record.address)
        out.writeWireInteger(record.roles.rawValue)
        out.writeWireInteger(record.admittedAtEpochMillis)
        out.writeWireString(record.rack)
        writeDisks(record.disks, to: &out)
    }

    public static func readRecord(_ input: inout ByteBuffer) throws(WireError) -> Catalog.NodeRecord {
        let name = try input.readWireString("name", maxBytes: Catalog.Limits.maxNameBytes)
        let key = try input.readWireString("public key", maxBytes: 2 * Catalog.Limits.publicKeyBytes)
        let address = try input.readWireString("address", maxBytes: Catalog.Limits.maxAddressBytes)
        let roles = Catalog.Roles(rawValue: try input.readWireInteger("roles"))
        let admitted: Int64 = try input.readWireInteger("admitted at")
        let rack = try input.readWireString("rack", maxBytes: Catalog.Limits.maxNameBytes)
        let disks = try readDisks(&input)
        return Catalog.NodeRecord(name: name, publicKeyHex: key, address: address, roles: roles,
                                  admittedAtEpochMillis: admitted, rack: rack, disks: disks)
    }

    public static func writeRecords(_ records: [Catalog.NodeRecord], to out: inout ByteBuffer) {
        out.writeWireInteger(UInt32(records.count))
        for record in records { writeRecord(record, to: &out) }
    }

    public static func readRecords(_ input: inout ByteBuffer) throws(WireError) -> [Catalog.NodeRecord] {
        let count = try input.readWireCount("machines", max: maxMachines)
        var records: [Catalog.NodeRecord] = []
        for _ in 0..<count { records.append(try readRecord(&input)) }
        return records
    }

    // MARK: The registry (`CatalogOps.Op.registry`)

    public static func encodeView(_ view: RegistryView) -> ByteBuffer {
        var out = ByteBuffer()
        writeRecords(view.records, to: &out)
        out.writeConsensusBool(view.joinKeyHex != nil)
        out.writeWireString(view.joinKeyHex ?? "")
        UsersWire.writeUsers(view.users, to: &out)
        return out
    }

    public static func decodeView(_ payload: ByteBuffer) throws(WireError) -> RegistryView {
        var input = payload
        let records = try readRecords(&input)
        let hasKey = try input.readConsensusBool("has join key")
        let key = try input.readWireString("join key", maxBytes: 2 * Catalog.Limits.publicKeyBytes)
        let users = try UsersWire.readUsers(&input)
        try input.expectFullyRead("registry")
        return RegistryView(records: records, joinKeyHex: hasKey ? key : nil, users: users)
    }

    // MARK: Joining (`CatalogOps.Op.join`)

    /// The admission a joiner asks for; `publicKeyHex` is filled in by the node that received
    /// it from the joiner's authenticated link (never by the joiner).
    public static func encodeAdmission(_ admission: Catalog.MachineAdmission) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireString(admission.name)
        out.writeWireString(admission.publicKeyHex)
        out.writeWireString(admission.address)
        out.writeWireInteger(admission.roles.rawValue)
        out.writeWireString(admission.rack)
        writeDisks(admission.disks, to: &out)
        return out
    }

    public static func decodeAdmission(_ payload: ByteBuffer, epochMillis: Int64) throws(WireError) -> Catalog.MachineAdmission {
        var input = payload
        let admission = Catalog.MachineAdmission(
            name: try input.readWireString("name", maxBytes: Catalog.Limits.maxNameBytes),
            publicKeyHex: try input.readWireString("public key", maxBytes: 2 * Catalog.Limits.publicKeyBytes),
            address: try input.readWireString("address", maxBytes: Catalog.Limits.maxAddressBytes),
            roles: Catalog.Roles(rawValue: try input.readWireInteger("roles")),
            rack: try input.readWireString("rack", maxBytes: Catalog.Limits.maxNameBytes),
            disks: try readDisks(&input), epochMillis: epochMillis)
        try input.expectFullyRead("join request")
        return admission
    }

    public static func encodeGrant(_ grant: JoinGrant) -> ByteBuffer {
        var out = ByteBuffer()
        out.writeWireString(grant.cluster.name)
        out.writeWireInteger(grant.cluster.blockSizeBytes)
        out.writeWireInteger(UInt32(grant.cluster.replicationFactor))
        writeRecords(grant.machines, to: &out)
        out.writeWireString(grant.secretsFileContents)
        return out
    }

    public static func decodeGrant(_ payload: ByteBuffer) throws(WireError) -> JoinGrant {
        var input = payload
        let name = try input.readWireString("cluster name", maxBytes: Catalog.Limits.maxClusterNameBytes)
        let blockSize: Int64 = try input.readWireInteger("block size")
        let replication: UInt32 = try input.readWireInteger("replication factor")
        guard (1...SizeLimits.maxBlockSizeBytes).contains(blockSize), (1...16).contains(replication) else {
            throw WireError("join grant: block size \(blockSize) or replication factor \(replication) out of range")
        }
        let machines = try readRecords(&input)
        let secrets = try input.readWireString("secrets", maxBytes: maxSecretsBytes)
        try input.expectFullyRead("join grant")
        return JoinGrant(cluster: Topology.ClusterSettings(name: name, blockSizeBytes: blockSize, replicationFactor: Int(replication)),
                         machines: machines, secretsFileContents: secrets)
    }
}
