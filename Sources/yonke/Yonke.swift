import ArgumentParser

@main
struct Yonke: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "yonke",
        abstract: "A peer-to-peer storage cluster for mismatched machines: replicated, encrypted, tiered.",
        discussion: """
            Files are cut into 64 MiB blocks of 1 MiB frames, each LZ4-compressed and sealed with libsodium, and stored three times on different machines. `cluster up` starts a local cluster from a topology file; the client commands talk to any of its nodes.

            Example:
              yonke cluster up topology/local-4.yaml --detach
              export YONKE_CLUSTER=127.0.0.1:7401 YONKE_SECRETS=.yonke-data/cluster.secrets
              yonke put ./sales.csv lake://bronze/sales.csv
              yonke capacity
            """,
        version: version,
        subcommands: [
            ClusterCommand.self, NodeCommand.self, PutCommand.self, GetCommand.self, LsCommand.self, StatCommand.self,
            RmCommand.self, StatusCommand.self, CapacityCommand.self, ChaosCommand.self, RebalanceCommand.self, PackCommand.self, UnpackCommand.self, SampleCommand.self, UserCommand.self,
            IngestCommand.self, JobsCommand.self,
        ]
    )

    static func main() async {
        LargeBufferHeap.configure()
        await main(nil)
    }
}
