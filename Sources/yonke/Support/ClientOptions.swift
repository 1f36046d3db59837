import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Logging
import Node
import Topology

/// How every client command finds and joins its cluster.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "Cluster endpoints HOST:PORT[,HOST:PORT…]. Default: $YONKE_CLUSTER.")
    var cluster: String?

    @Option(name: .long, help: "Your user credential file (`yonke user add` writes one). Default: $YONKE_CREDENTIAL, else ./.yonke-data/admin.credential.")
    var credential: String?

    @Flag(name: .long, help: "Print one JSON document on stdout instead of text.")
    var json = false

    var endpoints: [PeerDirectory.Address] {
        get throws {
            guard let list = cluster ?? ProcessInfo.processInfo.environment["YONKE_CLUSTER"], !list.isEmpty else {
                throw CLIError("no cluster to talk to", hint: "pass --cluster 127.0.0.1:7401,127.0.0.1:7402 or export YONKE_CLUSTER (printed by `yonke cluster up`)")
            }
            return try list.split(separator: ",").map { item in
                let text = item.trimmingCharacters(in: .whitespaces)
                guard let address = Topology.Address(parsing: text) else {
                    throw CLIError("'\(text)' is not HOST:PORT", hint: "write endpoints like 127.0.0.1:7401")
                }
                return address
            }
        }
    }

    var credentialPath: String {
        credential ?? ProcessInfo.processInfo.environment["YONKE_CREDENTIAL"] ?? "./.yonke-data/admin.credential"
    }

    func loadCredential() throws -> UserCredential {
        do {
            return try UserCredential.load(path: credentialPath)
        } catch {
            throw CLIError("\(error)", hint: "pass --credential FILE or export YONKE_CREDENTIAL (`yonke cluster up` prints the operator's; `yonke user add` makes others)")
        }
    }

    func connect() throws -> ClusterClient {
        var logger = Logger(label: "yonke.client")
        logger.logLevel = .critical
        return try ClusterClient(endpoints: try endpoints, credential: try loadCredential(), logger: logger)
    }

    func printJSON<T: Encodable>(_ value: T) throws { try JSONReport.print(value) }

    /// The same cluster and secrets, as arguments for a child `yonke` command.
    func connectionArguments() throws -> [String] {
        ["--cluster", try endpoints.map(\.description).joined(separator: ","), "--credential", credentialPath]
    }
}

enum JSONReport {
    /// One report as JSON on stdout (sorted keys, so scripts and diffs are stable).
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
