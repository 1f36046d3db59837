import Foundation
import Testing
import BlockStore

struct FileBlockReaderTests {
    @Test(arguments: [0, 1, 999, 1000, 1001, 3500])
    func cutsIntoBlocksAndRestores(size: Int) throws {
        let folder = TemporaryFolder()
        let source = folder.path + "/in"
        let data = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try data.write(to: URL(fileURLWithPath: source))
        let reader = try FileBlockReader(path: source, blockSizeBytes: 1000)
        #expect(reader.fileSizeBytes == Int64(size))
        let writer = try AtomicFileWriter(path: folder.path + "/out")
        var blocks = 0
        while let block = try reader.next() {
            #expect(block.count == min(1000, size - blocks * 1000))
            try writer.write(block)
            blocks += 1
        }
        #expect(blocks == (size + 999) / 1000)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/out"), "nothing under the real name before commit")
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path + "/out")) == data)
    }

    @Test func missingFileAndFolderAreClearErrors() {
        #expect(throws: BlockStoreError.self) { try FileBlockReader(path: "/nonexistent/file", blockSizeBytes: 10) }
        #expect(throws: BlockStoreError.self) { try FileBlockReader(path: "/tmp", blockSizeBytes: 10) }
    }
}
