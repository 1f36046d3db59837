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
            Prints yk1.<cluster id>.<token>, the value `yonke node join` takes (from --token-file or $YONKE_JOIN_TOKEN). Needs the admin role. With --rotate the master makes a new token and commits only its public key through Raft, so the token itself exists nowhere but in this command's output: keep it, or rotate again. Every node checks joins against the new key at once; links already up stay up, and machines already in the cluster need no token (they are pinned by key). A join with the old token is refused from then on.

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
    }

    func run() async throws {
        let clusterID = try client.loadCredential().clusterID
        let cluster = try client.connect()
        let token: String
        do {
            token = try await CatalogOps.joinToken(rotate: rotate, client: cluster)
        } catch {
            await cluster.close()
            throw CLIError.cluster(error, while: rotate ? "rotating the join token" : "reading the join token")
        }
        await cluster.close()
        let joinToken = JoinToken.format(clusterID: clusterID, token: token)
        if client.json {
            try client.printJSON(Report(token: joinToken, clusterID: Hex.encode(clusterID), rotated: rotate))
        } else {
            print(joinToken)
        }
    }
}
