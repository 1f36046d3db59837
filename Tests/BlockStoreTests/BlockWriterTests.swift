import Foundation
import Testing
import BlockCodec
@testable import BlockStore
import YonkeCore

/// The streamed write path (`beginWrite`/`append`/`commit`): a block that arrives in
/// pieces ends exactly as `put` would store it, and anything else leaves no trace.
struct BlockWriterTests {
    static let codec = BlockStoreTests.codec

    func block(_ size: Int, seed: UInt64) throws -> EncodedBlock {
        try BlockStoreTests().block(size, seed: seed)
    }

    func temporaryFiles(_ folder: TemporaryFolder) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path + "/tmp")
    }

    @Test(arguments: [1, 7, 68, 69, 4096, 1 << 20])
    func piecesOfAnySizeStoreTheSameBlock(pieceBytes: Int) throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: Self.codec)
        let encoded = try block(100_000, seed: 3)
        let writer = try store.beginWrite(expectedLength: Int64(encoded.bytes.count), expectedID: encoded.id)
        var offset = 0
        while offset < encoded.bytes.count {
            let end = min(offset + pieceBytes, encoded.bytes.count)
            try writer.append(Array(encoded.bytes[offset..<end]))
            if offset == 0 && end < BlockFormat.headerByteCount { #expect(writer.id == nil) }
            offset = end
            if offset >= BlockFormat.headerByteCount { #expect(writer.id == encoded.id, "id known from the header") }
        }
        let (id, outcome) = try writer.commit()
        #expect(id == encoded.id)
        #expect(outcome == .stored)
        #expect(try store.readEncoded(id) == encoded.bytes)
        #expect(try store.read(id).count == 100_000)
        #expect(store.usage.usedBytes == Int64(encoded.bytes.count))
        #expect(try temporaryFiles(folder).isEmpty)
    }

    @Test func shortStreamIsRefusedAndLeavesNothing() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let encoded = try block(50_000, seed: 4)
        let writer = try store.beginWrite(expectedLength: Int64(encoded.bytes.count))
        try writer.append(Array(encoded.bytes.dropLast(10)))
        #expect(throws: BlockStoreError.self) { try writer.commit() }
        #expect(!store.contains(encoded.id))
        #expect(try temporaryFiles(folder).isEmpty)
        #expect(store.usage.usedBytes == 0)
        // The reservation was released: the full capacity can be reserved again.
        _ = try store.beginWrite(expectedLength: 10 << 20)
    }

    @Test func longStreamIsRefusedAtTheExtraByte() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let encoded = try block(50_000, seed: 5)
        let writer = try store.beginWrite(expectedLength: Int64(encoded.bytes.count) - 1)
        #expect(throws: BlockStoreError.self) { try writer.append(encoded.bytes) }
        #expect(try temporaryFiles(folder).isEmpty)
    }

    @Test func wrongIDOrGarbageHeaderIsRefusedEarly() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let a = try block(20_000, seed: 6)
        let b = try block(20_000, seed: 7)
        let wrong = try store.beginWrite(expectedLength: Int64(a.bytes.count), expectedID: b.id)
        #expect(throws: BlockStoreError.self) { try wrong.append(Array(a.bytes.prefix(100))) }
        let garbage = try store.beginWrite(expectedLength: 1000)
        #expect(throws: BlockStoreError.self) { try garbage.append([UInt8](repeating: 0x41, count: 200)) }
        // A header whose frames cannot fit the announced length.
        let misfit = try store.beginWrite(expectedLength: Int64(a.bytes.count) + 100_000)
        #expect(throws: BlockStoreError.self) { try misfit.append(Array(a.bytes.prefix(68))) }
        #expect(try temporaryFiles(folder).isEmpty)
        #expect(store.blockReport().isEmpty)
    }

    @Test func capacityIsReservedAtBegin() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 100_000)
        let first = try store.beginWrite(expectedLength: 60_000)
        #expect(throws: BlockStoreError.capacityExceeded(store: folder.path, neededBytes: 60_000, freeBytes: 40_000)) {
            _ = try store.beginWrite(expectedLength: 60_000)
        }
        first.abort()
        _ = try store.beginWrite(expectedLength: 60_000)
    }

    @Test func droppedWriterRemovesItsTemporaryFile() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let encoded = try block(30_000, seed: 8)
        do {
            let writer = try store.beginWrite(expectedLength: Int64(encoded.bytes.count))
            try writer.append(Array(encoded.bytes.prefix(5000)))
            #expect(try temporaryFiles(folder).count == 1)
        }
        #expect(try temporaryFiles(folder).isEmpty)
        _ = try store.beginWrite(expectedLength: 10 << 20)
    }

    @Test func rewritingAStoredBlockIsANoOp() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let encoded = try block(30_000, seed: 9)
        try store.put(encoded.bytes)
        for expected in [encoded.id, nil] {
            let writer = try store.beginWrite(expectedLength: Int64(encoded.bytes.count), expectedID: expected)
            try writer.append(encoded.bytes)
            #expect(try writer.commit().outcome == .alreadyPresent)
        }
        #expect(store.usage.blockCount == 1)
        #expect(store.usage.usedBytes == Int64(encoded.bytes.count))
        #expect(try temporaryFiles(folder).isEmpty)
    }

    @Test func readStreamReturnsTheStoredBytesInPieces() throws {
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20)
        let encoded = try block(90_000, seed: 10)
        try store.put(encoded.bytes)
        let reader = try store.openRead(encoded.id)
        #expect(reader.length == Int64(encoded.bytes.count))
        var collected: [UInt8] = []
        while true {
            let piece = try reader.next(maxBytes: 8192)
            if piece.isEmpty { break }
            #expect(piece.count <= 8192)
            collected += piece
        }
        #expect(collected == encoded.bytes)
        #expect(throws: BlockStoreError.notFound(store: folder.path, block: try block(10, seed: 11).id)) {
            _ = try store.openRead(try block(10, seed: 11).id)
        }
    }
}
