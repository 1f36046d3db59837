// Metadata speed: sequential small catalog operations against a running
// cluster (create an empty file, then stat it), as ops/s and p50/p99 latency.
//   yonke cluster up topology/local-4.yaml --detach
//   swift run -c release yonke-meta-bench --cluster 127.0.0.1:7401 --credential .yonke-data/admin.credential --ops 2000
import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Node

let arguments = CommandLine.arguments
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil } }
let endpoint = option("--cluster") ?? "127.0.0.1:7401"
let credentialPath = option("--credential") ?? ".yonke-data/admin.credential"
let operations = Int(option("--ops") ?? "") ?? 2000

guard let address = PeerDirectory.Address(parsing: endpoint) else {
    print("error: --cluster must be HOST:PORT")
    exit(2)
}
var logger = Logger(label: "meta-bench")
logger.logLevel = .critical
let client = try ClusterClient(
    endpoints: [address],
    credential: try UserCredential.load(path: credentialPath), logger: logger)

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

let run = UInt64(Date().timeIntervalSince1970)
var commits: [Double] = []
var stats: [Double] = []
let start = ContinuousClock.now
for index in 0..<operations {
    let path = "lake://bronze/meta-bench-\(run)/file-\(index)"
    let before = ContinuousClock.now
    _ = try await CatalogOps.commitFile(path, sizeBytes: 0, blocks: [], source: "bench", contentType: "text/plain",
                                        tier: "hot", client: client)
    let between = ContinuousClock.now
    _ = try await CatalogOps.stat(path, client: client)
    commits.append(milliseconds(between - before))
    stats.append(milliseconds(ContinuousClock.now - between))
}
let seconds = milliseconds(ContinuousClock.now - start) / 1000
commits.sort()
stats.sort()
print(String(format: "%d creates + %d stats via %@ in %.2fs: %.0f ops/s", operations, operations, endpoint, seconds, Double(2 * operations) / seconds))
print(String(format: "create (Raft commit): p50 %.2f ms, p99 %.2f ms", percentile(commits, 0.5), percentile(commits, 0.99)))
print(String(format: "stat (ReadIndex):     p50 %.2f ms, p99 %.2f ms", percentile(stats, 0.5), percentile(stats, 0.99)))
await client.close()
