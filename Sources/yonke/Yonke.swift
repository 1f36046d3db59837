import ArgumentParser

@main
struct Yonke: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "yonke",
        abstract: "A peer-to-peer storage cluster for mismatched machines: replicated, encrypted, tiered.",
        discussion: """
            Files are cut into 64 MiB blocks of 1 MiB frames, each LZ4-compressed and sealed with libsodium. Today the local commands work; the cluster commands (cluster, node, put, get, ls, capacity, chaos) arrive as the cluster does.

            Example:
              yonke pack ./sales.csv ./packed      # encode into ./packed (keyring created there)
              yonke unpack ./packed ./copy.csv     # decode and verify every frame
            """,
        version: version,
        subcommands: [
            ClusterCommand.self, NodeCommand.self, PutCommand.self, GetCommand.self, LsCommand.self, StatCommand.self,
            RmCommand.self, StatusCommand.self, CapacityCommand.self, RebalanceCommand.self, PackCommand.self, UnpackCommand.self, SampleCommand.self,
        ]
    )
}
