import YonkeProtocol
import YonkeClient
import ArgumentParser
import Node

struct ClusterMoveMasterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move-master",
        abstract: "Hand the master role to another voter (before maintenance on the master's machine).",
        discussion: """
            The master hands over with Raft's leadership transfer (as `etcdctl move-leader`): the voter is \
            brought up to date, then elected in the next term; writes pause for about one election. The \
            command returns once the voter leads. Naming the master itself changes nothing.

            Example:
              yonke cluster move-master m2
            """
    )

    @Argument(help: "The voter that should become the master.") var voter: String
    @OptionGroup var client: ClientOptions

    struct Report: Encodable {
        var master: String
        var term: UInt64
    }

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let moved: (master: String, term: UInt64)
        do { moved = try await CatalogOps.moveMaster(to: voter, client: cluster) } catch {
            throw CLIError.cluster(error, while: "moving the master role to \(voter)")
        }
        if client.json { return try client.printJSON(Report(master: moved.master, term: moved.term)) }
        print("master: \(moved.master) (term \(moved.term))")
    }
}
