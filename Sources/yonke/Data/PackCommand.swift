import ArgumentParser
import BlockCodec
import BlockStore
import Foundation
import Logging
import YonkeCore

struct CodecOptions: ParsableArguments {
    @Option(name: .long, help: "Keyring file (created on first pack, mode 0600). Default: DIR/keyring.")
    var keyring: String?

    @Option(name: .long, help: "Threads working on one block's frames. Default: all cores.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print one JSON report on stdout instead of text.")
    var json = false
}

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Cut a local file into compressed, encrypted blocks in a local folder.",
        discussion: """
            Prints each block id, the compression ratio and the speed. The folder keeps the keyring (unless --keyring points elsewhere) so `yonke unpack DIR FILE` needs nothing else.

            Example:
              yonke pack ./sales.csv ./packed --block-size 64MiB
            """
    )

    @Argument(help: "The file to pack.") var file: String
    @Argument(help: "The folder to pack into (created if missing).") var folder: String
    @Option(name: .long, help: "Block size, e.g. 64MiB.") var blockSize: String = "64MiB"
    @Option(name: .long, help: "Frame size inside a block, e.g. 1MiB.") var frameSize: String = "1MiB"
    @Option(name: .long, help: "Capacity to allow the folder's block store, e.g. 20GiB.") var capacity: String = "1TiB"
    @OptionGroup var options: CodecOptions

    func run() throws {
        let logger = Logger.yonke(node: "local")
        guard let blockSizeBytes = ByteCount.parse(blockSize), let frameSizeBytes = ByteCount.parse(frameSize),
              let capacityBytes = ByteCount.parse(capacity)
        else {
            throw CLIError("cannot read a size in --block-size \(blockSize), --frame-size \(frameSize) or --capacity \(capacity)",
                           hint: "write sizes like 64MiB, 1MiB or 500GB")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let vault = LocalVault(folder: folder, keyringPath: options.keyring)
        let keyring = try vault.loadKeyring(createIfMissing: true)
        let codec: BlockCodec
        do {
            codec = try BlockCodec(keyring: keyring, blockSizeBytes: Int(blockSizeBytes),
                                   frameSizeBytes: Int(frameSizeBytes), parallelism: options.threads)
        } catch {
            throw CLIError(error, while: "setting up the codec", hint: "pick a block size up to 1GiB and a frame size up to 16MiB")
        }
        let reader: FileBlockReader
        let store: BlockStore
        do {
            reader = try FileBlockReader(path: file, blockSizeBytes: Int(blockSizeBytes))
            store = try BlockStore(root: vault.storePath, capacityBytes: capacityBytes, codec: codec)
        } catch {
            throw CLIError(error, while: "opening \(file) and \(vault.storePath)", hint: "check both paths exist and are readable/writable")
        }
        let progress = Progress(label: "pack", totalBytes: reader.fileSizeBytes)
        var blocks: [Manifest.Block] = []
        var storedBytes: Int64 = 0
        var encodedBytes: Int64 = 0
        var plaintext: [UInt8] = []
        let slots = [BackgroundWriter.Slot(), BackgroundWriter.Slot()]
        let writer = BackgroundWriter()
        while case let length = try reader.next(into: &plaintext), length > 0 {
            let slot = slots[blocks.count % 2]
            let encoded = try plaintext.withUnsafeBytes {
                try codec.encode(UnsafeRawBufferPointer(rebasing: $0[0..<length]), reusing: &slot.bytes)
            }
            slot.count = encoded.byteCount
            // The previous block must be on disk before this one's write starts (and before its slot is reused).
            try waitForWrite(writer, progress: progress, block: blocks.count - 1)
            writer.submit {
                try slot.bytes.withUnsafeBytes { _ = try store.put(UnsafeRawBufferPointer(rebasing: $0[0..<slot.count])) }
            }
            logger.debug("encoded block", metadata: ["block": "\(encoded.id.short)", "bytes": "\(encoded.byteCount)"])
            blocks.append(.init(id: encoded.id.hex, size: length))
            storedBytes += Int64(encoded.storedPayloadBytes)
            encodedBytes += Int64(encoded.byteCount)
            progress.advance(by: Int64(length))
            if !options.json { print(encoded.id.hex) }
        }
        try waitForWrite(writer, progress: progress, block: blocks.count - 1)
        progress.finish()
        let manifest = Manifest(
            file: (file as NSString).lastPathComponent, sizeBytes: reader.fileSizeBytes,
            blockSizeBytes: Int(blockSizeBytes), frameSizeBytes: Int(frameSizeBytes), blocks: blocks)
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: vault.manifestPath), options: .atomic)

        let seconds = progress.elapsedSeconds
        let report = CodecReport(
            operation: "pack", file: file, folder: folder, bytes: reader.fileSizeBytes, blocks: blocks.count,
            encodedBytes: encodedBytes, compressionRatio: storedBytes > 0 ? Double(reader.fileSizeBytes) / Double(storedBytes) : 1,
            seconds: seconds, megabytesPerSecond: Double(reader.fileSizeBytes) / 1e6 / max(seconds, 1e-9),
            algorithm: codec.algorithm.description)
        try report.print(json: options.json)
    }
}

extension PackCommand {
    private func waitForWrite(_ writer: BackgroundWriter, progress: Progress, block: Int) throws {
        do {
            try writer.wait()
        } catch {
            progress.finish()
            throw CLIError(error, while: "storing block \(block) of \(file)",
                           hint: "free space or raise --capacity; blocks already stored are intact")
        }
    }
}

struct CodecReport: Codable {
    let operation: String
    let file: String
    let folder: String
    let bytes: Int64
    let blocks: Int
    let encodedBytes: Int64
    let compressionRatio: Double
    let seconds: Double
    let megabytesPerSecond: Double
    let algorithm: String

    func print(json: Bool) throws {
        if json {
            try JSONReport.print(self)
        } else {
            Swift.print(String(
                format: "%@ %@: %@ in %d blocks, compression %.2fx, %@ on disk, %.2fs, %.0f MB/s (%@)",
                operation, file, ByteCount.format(bytes), blocks, compressionRatio, ByteCount.format(encodedBytes),
                seconds, megabytesPerSecond, algorithm))
        }
    }
}
