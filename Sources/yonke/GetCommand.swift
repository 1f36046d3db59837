import YonkeProtocol
import YonkeClient
import ArgumentParser
import BlockCodec
import BlockStore
import Foundation
import Node
import YonkeCore

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read a file from the lake, verifying every frame of every block.",
        discussion: """
            Each block is read from the first live replica; a replica that is down or fails verification is skipped (and reported to the master for repair). The local file appears under its name only once every block has been verified; `-` writes to stdout.

            Example:
              yonke get lake://bronze/sales/2026-11-27.csv ./copy.csv
            """
    )

    @Argument(help: "The file in the lake.") var path: String
    @Argument(help: "The local file to write, or - for stdout.") var file: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let secrets = try client.loadSecrets()
        let info: CatalogOps.FileInfo
        do { info = try await CatalogOps.stat(path, client: cluster) } catch { throw CLIError.cluster(error, while: "looking up \(path)") }
        guard !info.isDirectory else { throw CLIError("\(path) is a directory", hint: "list it with `yonke ls \(path) --long`") }
        let largest = info.blocks.map(\.sizeBytes).max() ?? 1
        let codec = try BlockCodec(keyring: secrets.keyring, blockSizeBytes: Int(max(largest, 1)),
                                   parallelism: ProcessInfo.processInfo.activeProcessorCount)
        let locations: [BlockID: [BlockTarget]]
        do { locations = try await Self.locations(of: info.blocks.map(\.id), cluster: cluster) } catch {
            throw CLIError.cluster(error, while: "asking where the blocks of \(path) are")
        }
        let reader = BlockClient(settings: cluster.settings)
        let output = try OutputFile(file)
        let progress = Progress(label: "get", totalBytes: info.sizeBytes, enabled: file != "-" && Progress.onTerminal)
        var written: Int64 = 0
        // Up to `window` blocks are fetched (and verified) at once, from different
        // replicas, while the oldest one is written out in order.
        let window = 3
        var pending: [Int: Task<[UInt8], any Error>] = [:]
        func fetch(_ index: Int) -> Task<[UInt8], any Error> {
            let block = info.blocks[index]
            let replicas = Self.spread(locations[block.id] ?? [], index: index)
            return Task { try await reader.readDecoded(id: block.id, replicas: replicas, codec: codec, reportingTo: cluster) }
        }
        for index in info.blocks.indices {
            for ahead in index..<min(index + window, info.blocks.count) where pending[ahead] == nil {
                pending[ahead] = fetch(ahead)
            }
            guard let current = pending.removeValue(forKey: index) else { preconditionFailure("block \(index) was not fetched") }
            let plaintext: [UInt8]
            do { plaintext = try await current.value } catch {
                for task in pending.values { task.cancel() }
                progress.finish()
                throw CLIError("block \(index) of \(path) could not be read: \(error)",
                               hint: "every replica failed; run `yonke stat \(path)` to see where its replicas are")
            }
            guard Int64(plaintext.count) == info.blocks[index].sizeBytes else {
                throw CLIError("block \(index) of \(path) has \(plaintext.count) bytes, the catalog says \(info.blocks[index].sizeBytes)",
                               hint: "report this: the catalog and the block disagree")
            }
            try output.write(plaintext)
            written += Int64(plaintext.count)
            progress.advance(by: Int64(plaintext.count))
        }
        progress.finish()
        guard written == info.sizeBytes else {
            throw CLIError("read \(written) bytes of \(path), the catalog says \(info.sizeBytes)", hint: "report this: the file's block list is inconsistent")
        }
        try output.commit()
        let seconds = progress.elapsedSeconds
        if file == "-" { return }
        let report = GetReport(path: info.path, file: file, size: written, blocks: info.blocks.count, seconds: seconds,
                               megabytesPerSecond: Double(written) / 1e6 / max(seconds, 1e-9))
        if client.json {
            try client.printJSON(report)
        } else {
            print(String(format: "get %@ → %@: %@ in %d blocks, %.2fs, %.0f MB/s", report.path, file,
                         ByteCount.format(written), report.blocks, seconds, report.megabytesPerSecond))
        }
    }
}

extension GetCommand {
    /// Starts each block's read at a different replica (the rest stay as
    /// fallbacks), so blocks read in parallel come from different machines.
    static func spread(_ replicas: [BlockTarget], index: Int) -> [BlockTarget] {
        guard !replicas.isEmpty else { return replicas }
        let start = index % replicas.count
        return Array(replicas[start...] + replicas[..<start])
    }

    /// Replica locations are soft state: a master elected a moment ago knows a
    /// block's replicas only once their nodes have sent it their reports (they
    /// do at once on a new master term), and of a block just written once its
    /// holders' additions arrive. So a block with no known replica is asked
    /// for again for a few seconds before the read gives up on it.
    static func locations(of ids: [BlockID], cluster: ClusterClient) async throws -> [BlockID: [BlockTarget]] {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let found = try await BlockClient.locations(ids, client: cluster)
            if ids.allSatisfy({ !(found[$0] ?? []).isEmpty }) || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

struct GetReport: Encodable {
    let path: String
    let file: String
    let size: Int64
    let blocks: Int
    let seconds: Double
    let megabytesPerSecond: Double
}

/// A local file written atomically, or stdout.
final class OutputFile {
    private let writer: AtomicFileWriter?

    init(_ path: String) throws {
        if path == "-" {
            writer = nil
        } else {
            do { writer = try AtomicFileWriter(path: path) } catch {
                throw CLIError(error, while: "creating \(path)", hint: "check the folder exists and is writable")
            }
        }
    }

    func write(_ bytes: [UInt8]) throws {
        if let writer {
            try writer.write(bytes)
        } else {
            // No copy into a Data of its own: the block is handed to write(2) as it is.
            try bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                let view = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: raw.count, deallocator: .none)
                try FileHandle.standardOutput.write(contentsOf: view)
            }
        }
    }

    func commit() throws { try writer?.commit() }
}
