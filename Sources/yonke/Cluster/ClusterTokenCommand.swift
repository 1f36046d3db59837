import YonkeProtocol
import YonkeClient
import ArgumentParser
import Foundation
import Node
import YonkeCore

struct ClusterTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print the join token new machines need (`--rotate`: replace it first).",
        discussion: """
            Prints yk1.<cluster id>.<token>, the value `yonke node join --token` takes. Anyone holding the cluster secrets may ask. With --rotate the master commits a new token through Raft; every node switches to it for new links (links already up stay up) and rewrites its secrets file; this command rewrites the secrets file it used (atomically, mode 0600). A join with the old token is refused from then on. A machine that was down during a rotation needs the new secrets file copied to it.

            Example:
              yonke cluster token
              yonke cluster token --rotate --json
            """
    )

    @OptionGroup var client: ClientOptions
    @Flag(name: .long, help: "Make a new token; the old one stops working.") var rotate = false

    struct Report: Encodable {
        var token: String
        var clusterID: String
        var rotated: Bool
        var secretsFile: String
    }

    func run() async throws {
        let secrets = try client.loadSecrets()
        let cluster = try client.connect()
        let token: String
        do {
            token = try await CatalogOps.joinToken(rotate: rotate, client: cluster)
        } catch {
            await cluster.close()
            throw CLIError.cluster(error, while: rotate ? "rotating the join token" : "reading the join token")
        }
        await cluster.close()
        if token != secrets.joinToken {
            do {
                try secrets.withJoinToken(token).replace(at: client.secretsPath)
            } catch {
                throw CLIError("the token is \(token) but \(client.secretsPath) was not updated: \(error)",
                               hint: "write `join-token: \(token)` into that file by hand")
            }
        }
        let joinToken = JoinToken.format(clusterID: secrets.clusterID, token: token)
        if client.json {
            try client.printJSON(Report(token: joinToken, clusterID: Hex.encode(secrets.clusterID), rotated: rotate,
                                        secretsFile: client.secretsPath))
        } else {
            print(joinToken)
        }
    }
}
