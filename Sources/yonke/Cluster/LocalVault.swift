import YonkeProtocol
import YonkeClient
import BlockCodec
import BlockStore
import Foundation
import Node

/// A folder holding one packed file: `keyring` (mode 0600, unless kept
/// elsewhere), `manifest.json` (the block list) and the block store `store/`.
struct LocalVault {
    let folder: String
    let keyringPath: String

    var manifestPath: String { folder + "/manifest.json" }
    var storePath: String { folder + "/store" }

    init(folder: String, keyringPath: String?) {
        self.folder = folder
        self.keyringPath = keyringPath ?? folder + "/keyring"
    }

    func loadKeyring(createIfMissing: Bool) throws -> Keyring {
        if let text = try? String(contentsOfFile: keyringPath, encoding: .utf8) {
            do {
                return try Keyring.parse(fileContents: text).0
            } catch {
                throw CLIError(error, while: "reading keyring \(keyringPath)",
                               hint: "restore the keyring file that packed this folder, or pass --keyring FILE")
            }
        }
        guard createIfMissing else {
            throw CLIError("no keyring at \(keyringPath)",
                           hint: "pass --keyring FILE with the keyring used by `yonke pack`")
        }
        let (clusterID, secret) = try Keyring.randomMaterial()
        let keyring = try Keyring(clusterID: clusterID, clusterSecret: secret)
        do {
            try SecretFile.create(path: keyringPath, contents: keyring.fileContents(clusterSecret: secret))
        } catch {
            throw CLIError("cannot create keyring: \(error)", hint: "check that the folder exists, is writable and has free space")
        }
        return keyring
    }
}

/// What `pack` records so that `unpack` needs only the folder.
struct Manifest: Codable {
    struct Block: Codable {
        let id: String
        let size: Int
    }
    let file: String
    let sizeBytes: Int64
    let blockSizeBytes: Int
    let frameSizeBytes: Int
    let blocks: [Block]
}
