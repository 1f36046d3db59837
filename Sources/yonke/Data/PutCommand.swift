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
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? nil
        let progress = Progress(label: "put", totalBytes: size ?? 0)
        let outcome = try await FilePut.put(
            file: file, to: path,
            options: FilePut.Options(source: source, tier: tier, contentType: contentType ?? ContentType.guess(file)),
            cluster: cluster, progress: { progress.advance(by: $0) })
        progress.finish()
        let seconds = progress.elapsedSeconds
        let report = PutReport(
            path: outcome.path, size: outcome.size, blocks: outcome.blocks, storedBytes: outcome.storedBytes,
            replication: outcome.replication, seconds: seconds,
            megabytesPerSecond: Double(outcome.size) / 1e6 / max(seconds, 1e-9), version: outcome.version)
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
