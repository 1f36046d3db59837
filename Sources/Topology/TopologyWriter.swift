/// A topology as the YAML `TopologyFile.parse` reads back to an equal value (sizes in bytes,
/// every text quoted), for files Yonke writes itself (`node join`'s `joined.yaml`).
public enum TopologyWriter {
    public static func yaml(_ topology: Topology) -> String {
        var out = "cluster:\n"
        out += "  name: \(quoted(topology.cluster.name))\n"
        out += "  blockSize: \(topology.cluster.blockSizeBytes)\n"
        out += "  replicationFactor: \(topology.cluster.replicationFactor)\n"
        out += "machines:\n"
        for machine in topology.machines {
            out += "  - name: \(quoted(machine.name))\n"
            out += "    address: \(quoted(machine.address.description))\n"
            out += "    roles: [\(machine.roles.map(\.rawValue).joined(separator: ", "))]\n"
            out += "    rack: \(quoted(machine.rack))\n"
            if let age = machine.diskAgeYears { out += "    diskAgeYears: \(age)\n" }
            guard !machine.disks.isEmpty else { continue }
            out += "    disks:\n"
            for disk in machine.disks {
                out += "      - path: \(quoted(disk.path))\n"
                out += "        capacity: \(disk.capacityBytes)\n"
                out += "        class: \(disk.diskClass.rawValue)\n"
            }
        }
        return out
    }

    /// A YAML double-quoted scalar (names and paths never hold control characters).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
