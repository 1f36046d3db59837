import Foundation
import Testing

/// The CLI as a user meets it: a real process, real files, exit codes and messages.
@Suite(.serialized)
struct PackUnpackCLITests {
    @Test func packUnpackRoundTripWithJSONReports() throws {
        let folder = TemporaryFolder()
        let source = folder.path + "/rows.csv"
        let sample = try YonkeProcess.run(["sample", source, "--size", "3MiB", "--seed", "7"])
        #expect(sample.status == 0, "\(sample.stderr)")

        let pack = try YonkeProcess.run([
            "pack", source, folder.path + "/vault", "--block-size", "1MiB", "--frame-size", "64KiB", "--json",
        ])
        #expect(pack.status == 0, "\(pack.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(pack.stdout.utf8)) as? [String: Any]
        #expect(report?["blocks"] as? Int == 3)
        #expect((report?["compressionRatio"] as? Double ?? 0) > 1.5, "CSV rows compress")
        #expect(pack.stderr.isEmpty, "no progress output when not on a terminal")

        let keyring = folder.path + "/vault/keyring"
        let mode = try FileManager.default.attributesOfItem(atPath: keyring)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let unpack = try YonkeProcess.run(["unpack", folder.path + "/vault", folder.path + "/copy.csv", "--json"])
        #expect(unpack.status == 0, "\(unpack.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: source, andPath: folder.path + "/copy.csv"))

        // No plaintext reaches the disk: a distinctive row of the source appears in no block file.
        let firstRow = try String(contentsOfFile: source, encoding: .utf8).split(separator: "\n")[1]
        let enumerator = FileManager.default.enumerator(atPath: folder.path + "/vault/store/blocks")!
        while let name = enumerator.nextObject() as? String {
            guard let data = FileManager.default.contents(atPath: folder.path + "/vault/store/blocks/" + name) else { continue }
            #expect(data.range(of: Data(firstRow.utf8)) == nil)
        }
    }

    @Test func corruptBlockFailsUnpackAndWritesNothing() throws {
        let folder = TemporaryFolder()
        let source = folder.path + "/rows.csv"
        _ = try YonkeProcess.run(["sample", source, "--size", "600KiB"])
        let pack = try YonkeProcess.run(["pack", source, folder.path + "/vault", "--block-size", "256KiB", "--frame-size", "64KiB"])
        #expect(pack.status == 0, "\(pack.stderr)")
        let blocks = pack.stdout.split(separator: "\n").filter { $0.count == 64 }
        #expect(blocks.count == 3)
        let id = String(blocks[1])
        let path = "\(folder.path)/vault/store/blocks/\(id.prefix(2))/\(id.dropFirst(2).prefix(2))/\(id)"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))

        let unpack = try YonkeProcess.run(["unpack", folder.path + "/vault", folder.path + "/copy.csv"])
        #expect(unpack.status != 0)
        #expect(unpack.stderr.contains("block 1"))
        #expect(unpack.stderr.contains("authentication failed"))
        #expect(unpack.stderr.contains("hint:"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/copy.csv"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/copy.csv.yonke-partial"))
    }

    @Test func wrongKeyringIsNamed() throws {
        let folder = TemporaryFolder()
        let source = folder.path + "/rows.csv"
        _ = try YonkeProcess.run(["sample", source, "--size", "100KiB"])
        _ = try YonkeProcess.run(["pack", source, folder.path + "/a"])
        _ = try YonkeProcess.run(["pack", source, folder.path + "/b"])
        let unpack = try YonkeProcess.run([
            "unpack", folder.path + "/a", folder.path + "/copy.csv", "--keyring", folder.path + "/b/keyring",
        ])
        #expect(unpack.status != 0)
        #expect(unpack.stderr.contains("wrong keyring"))
    }

    @Test(arguments: [
        (["unpack", "/nonexistent/vault", "/tmp/x"], "is /nonexistent/vault a folder written by `yonke pack`?"),
        (["pack", "/nonexistent/file", "/tmp/yonke-never"], "/nonexistent/file"),
        (["pack", "/etc/hostname", "/tmp/yonke-never", "--block-size", "12XB"], "64MiB"),
    ])
    func badInputGetsClearErrors(arguments: [String], mention: String) throws {
        let result = try YonkeProcess.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(mention), "\(result.stderr)")
    }

    @Test(arguments: [
        "pack", "unpack", "sample", "put", "get", "ls", "stat", "rm", "status", "capacity",
        "cluster up", "cluster down", "node start", "node join", "cluster token",
        "node drain", "node remove", "rebalance plan", "rebalance apply",
    ])
    func helpShowsAnExample(command: String) throws {
        let result = try YonkeProcess.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Example:"))
        #expect(result.stdout.contains("yonke \(command)"))
    }

    @Test func versionPrints() throws {
        let result = try YonkeProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }
}
