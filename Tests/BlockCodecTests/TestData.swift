import BlockCodec
import YonkeCore

/// Small geometry so every boundary case is cheap: 4 KiB frames, 64 KiB blocks.
enum TestGeometry {
    static let frameSize = 4096
    static let blockSize = 64 * 1024
}

enum TestData {
    static let keyring: Keyring = try! Keyring(clusterID: Array(repeating: 7, count: 16), clusterSecret: Array(repeating: 9, count: 32))

    static func codec(
        _ algorithm: AEADAlgorithm = .xchacha20poly1305, parallelism: Int = 1, keyring: Keyring = keyring,
        version: BlockFormat.Version = .current
    ) -> BlockCodec {
        try! BlockCodec(
            keyring: keyring, blockSizeBytes: TestGeometry.blockSize, frameSizeBytes: TestGeometry.frameSize,
            algorithm: algorithm, parallelism: parallelism, formatVersion: version)
    }

    static func random(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// CSV rows like the data lake ingests: `id,10-char text,ISO timestamp`.
    static func csv(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var out: [UInt8] = []
        var id = 0
        let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
        while out.count < count {
            id += 1
            let text = (0..<10).map { _ in letters.randomElement(using: &generator)! }
            out += Array("\(id),".utf8) + text + Array(",2026-11-27T09:\(10 + id % 50):\(10 + id % 49)Z\n".utf8)
        }
        return Array(out.prefix(count))
    }
}
