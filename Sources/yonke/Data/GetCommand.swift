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
        let output = try OutputFile(file)
        var progress: Progress?
        let outcome: FileGet.Outcome
        do {
            outcome = try await FileGet.get(path, cluster: cluster, found: { size in
                progress = Progress(label: "get", totalBytes: size, enabled: file != "-" && Progress.onTerminal)
            }) { plaintext in
                try output.write(plaintext)
                progress?.advance(by: Int64(plaintext.count))
            }
        } catch {
            progress?.finish()
            throw error
        }
        progress?.finish()
        try output.commit()
        // Set once the file was found, before its first block: the lookup is not timed, as before.
        let seconds = progress?.elapsedSeconds ?? 0
        if file == "-" { return }
        let report = GetReport(path: outcome.path, file: file, size: outcome.size, blocks: outcome.blocks, seconds: seconds,
                               megabytesPerSecond: Double(outcome.size) / 1e6 / max(seconds, 1e-9))
        if client.json {
            try client.printJSON(report)
        } else {
            print(String(format: "get %@ → %@: %@ in %d blocks, %.2fs, %.0f MB/s", report.path, file,
                         ByteCount.format(outcome.size), report.blocks, seconds, report.megabytesPerSecond))
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
