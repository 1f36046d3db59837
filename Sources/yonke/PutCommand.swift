import YonkeProtocol
import YonkeClient
import ArgumentParser
import BlockCodec
import BlockStore
import Foundation
import Node
import YonkeCore

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Store a local file in the lake: encrypted blocks on three machines, then one catalog entry.",
        discussion: """
            Each block is compressed and sealed here (the nodes only ever see ciphertext), streamed down a pipeline of the replicas the master chose, and acknowledged once every replica has it on disk. The file appears in the catalog only after all its blocks are stored, replacing any earlier version at that path in one step.

            Example:
              yonke put ./sales.csv lake://bronze/sales/2026-11-27.csv --source crm
            """
    )

    @Argument(help: "The local file.") var file: String
    @Argument(help: "Where in the lake, e.g. lake://bronze/sales/2026-11-27.csv.") var path: String
    @Option(name: .long, help: "Where the data came from (recorded in the catalog).") var source: String = "cli"
    @Option(name: .long, help: "hot, cold or glacier.") var tier: String = "hot"
    @Option(name: .long, help: "Content type; default guessed from the file name.") var contentType: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let secrets = try client.loadSecrets()
        let status: CatalogOps.ClusterStatus
        do { status = try await CatalogOps.status(client: cluster) } catch { throw CLIError.cluster(error, while: "asking the cluster for its settings") }
        let codec = try BlockCodec(
            keyring: secrets.keyring, blockSizeBytes: Int(status.blockSizeBytes),
            parallelism: ProcessInfo.processInfo.activeProcessorCount)
        let reader: FileBlockReader
        do { reader = try FileBlockReader(path: file, blockSizeBytes: Int(status.blockSizeBytes)) } catch {
            throw CLIError(error, while: "opening \(file)", hint: "check the path and that it is a readable file")
        }
        let blocks = BlockClient(settings: cluster.settings)
        let progress = Progress(label: "put", totalBytes: reader.fileSizeBytes)
        var stored: [(id: BlockID, plaintextBytes: Int64)] = []
        var storedBytes: Int64 = 0
        var plaintext: [UInt8] = []
        var encodedBuffer: [UInt8] = []
        // Two blocks in flight: the next one is encoded while the last one streams to its replicas.
        try await withThrowingTaskGroup(of: (Int, BlockID, Int64, Int64).self) { group in
            var index = 0
            var inFlight = 0
            var results: [Int: (BlockID, Int64)] = [:]
            func collect() async throws {
                guard let (done, id, plain, encoded) = try await group.next() else { return }
                results[done] = (id, plain)
                storedBytes += encoded
                inFlight -= 1
            }
            while case let length = try reader.next(into: &plaintext), length > 0 {
                let summary = try plaintext.withUnsafeBytes {
                    try codec.encode(UnsafeRawBufferPointer(rebasing: $0[0..<length]), reusing: &encodedBuffer)
                }
                let encoded = Array(encodedBuffer[0..<summary.byteCount])
                let blockIndex = index
                let wanted = status.replicationFactor
                group.addTask {
                    let result = try await blocks.put(encoded: encoded, id: summary.id, tier: tier, replicas: wanted, cluster: cluster)
                    guard result.storedOn.count >= wanted else {
                        let why = result.failed.map { "\($0.node): \($0.reason)" }.joined(separator: "; ")
                        throw CLIError("block \(blockIndex) (\(summary.id.short)) reached only \(result.storedOn.count) of \(wanted) replicas (stored on \(result.storedOn.joined(separator: ", ")); failed: \(why))",
                                       hint: "run `yonke capacity` and `yonke status`: machines may be full or down")
                    }
                    return (blockIndex, summary.id, Int64(length), Int64(encoded.count))
                }
                inFlight += 1
                index += 1
                progress.advance(by: Int64(length))
                if inFlight >= 2 { try await collect() }
            }
            while inFlight > 0 { try await collect() }
            stored = (0..<index).compactMap { results[$0].map { (id: $0.0, plaintextBytes: $0.1) } }
        }
        progress.finish()
        let result: CatalogOps.CommitResult
        do {
            result = try await CatalogOps.commitFile(
                path, sizeBytes: reader.fileSizeBytes, blocks: stored, source: source,
                contentType: contentType ?? ContentType.guess(file), tier: tier, client: cluster)
        } catch {
            throw CLIError.cluster(error, while: "committing \(path) to the catalog (its blocks are stored)")
        }
        let seconds = progress.elapsedSeconds
        let report = PutReport(
            path: result.file.path, size: reader.fileSizeBytes, blocks: stored.count, storedBytes: storedBytes,
            replication: status.replicationFactor, seconds: seconds,
            megabytesPerSecond: Double(reader.fileSizeBytes) / 1e6 / max(seconds, 1e-9), version: result.file.version)
        if client.json {
            try client.printJSON(report)
        } else {
            print(String(format: "put %@: %@ in %d blocks × %d replicas, %@ encoded per replica, %.2fs, %.0f MB/s",
                         report.path, ByteCount.format(report.size), report.blocks, report.replication,
                         ByteCount.format(report.storedBytes), seconds, report.megabytesPerSecond))
        }
    }
}

struct PutReport: Encodable {
    let path: String
    let size: Int64
    let blocks: Int
    let storedBytes: Int64
    let replication: Int
    let seconds: Double
    let megabytesPerSecond: Double
    let version: UInt64
}

enum ContentType {
    static func guess(_ file: String) -> String {
        switch (file as NSString).pathExtension.lowercased() {
        case "csv": "text/csv"
        case "json": "application/json"
        case "jsonl", "ndjson": "application/x-ndjson"
        case "parquet": "application/vnd.apache.parquet"
        case "txt", "log": "text/plain"
        case "gz": "application/gzip"
        default: "application/octet-stream"
        }
    }
}
