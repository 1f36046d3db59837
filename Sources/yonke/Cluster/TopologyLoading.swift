import Foundation
import Topology

enum TopologyLoading {
    static func load(_ path: String) throws -> Topology {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read topology file \(path)", hint: "check the path; examples are in topology/")
        }
        do {
            return try TopologyFile.parse(yaml: text, fileName: path)
        } catch {
            throw CLIError("\(error)", hint: "fix that field; the format is described in Sources/Topology/TopologyFile.swift")
        }
    }
}
