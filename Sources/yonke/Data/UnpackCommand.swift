import ArgumentParser
import BlockCodec
import BlockStore
import Foundation
import Logging
import YonkeCore

struct UnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Decode a packed folder back into a file, verifying every frame.",
        discussion: """
            The file appears under its name only once every block has decoded and verified.

            Example:
              yonke unpack ./packed ./copy.csv
            """
    )

    @Argument(help: "A folder written by `yonke pack`.") var folder: String
    @Argument(help: "Where to write the restored file.") var file: String
    @OptionGroup var options: CodecOptions

    func run() throws {
        let logger = Logger.yonke(node: "local")
        let vault = LocalVault(folder: folder, keyringPath: options.keyring)
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: vault.manifestPath)))
        } catch {
            throw CLIError("cannot read \(vault.manifestPath): \(error.localizedDescription)",
                           hint: "is \(folder) a folder written by `yonke pack`?")
        }
        let keyring = try vault.loadKeyring(createIfMissing: false)
        let codec = try BlockCodec(keyring: keyring, blockSizeBytes: manifest.blockSizeBytes,
                                   frameSizeBytes: manifest.frameSizeBytes, parallelism: options.threads)
        let store = try BlockStore(root: vault.storePath, capacityBytes: Int64.max / 2, codec: codec)
        let writer = try AtomicFileWriter(path: file)
        let progress = Progress(label: "unpack", totalBytes: manifest.sizeBytes)
        var encodedBytes: Int64 = 0
        var plaintext: [UInt8] = []
        for (index, block) in manifest.blocks.enumerated() {
            guard let id = BlockID(hex: block.id) else {
                throw CLIError("manifest entry \(index) has a malformed block id '\(block.id)'", hint: "the manifest was edited or damaged")
            }
            let length: Int
            do {
                let encoded = try store.readEncoded(id)
                encodedBytes += Int64(encoded.count)
                length = try encoded.withUnsafeBytes { try codec.decode($0, expecting: id, reusing: &plaintext) }
            } catch {
                progress.finish()
                throw CLIError(error, while: "reading block \(index) of \(manifest.file)",
                               hint: "the block is missing or damaged; nothing was written to \(file)")
            }
            guard length == block.size else {
                throw CLIError("block \(index) decoded to \(length) bytes, manifest says \(block.size)",
                               hint: "the manifest does not belong to these blocks")
            }
            try plaintext.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            logger.debug("restored block", metadata: ["block": "\(id.short)"])
            progress.advance(by: Int64(length))
        }
        try writer.commit()
        progress.finish()
        let seconds = progress.elapsedSeconds
        try CodecReport(
            operation: "unpack", file: file, folder: folder, bytes: manifest.sizeBytes, blocks: manifest.blocks.count,
            encodedBytes: encodedBytes,
            compressionRatio: encodedBytes > 0 ? Double(manifest.sizeBytes) / Double(encodedBytes) : 1, seconds: seconds,
            megabytesPerSecond: Double(manifest.sizeBytes) / 1e6 / max(seconds, 1e-9), algorithm: codec.algorithm.description
        ).print(json: options.json)
    }
}
