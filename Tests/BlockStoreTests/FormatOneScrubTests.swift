import Foundation
import Testing
import BlockCodec
@testable import BlockStore
import YonkeCore

/// A store that holds blocks written by the format-1 codec (before format 2)
/// scrubs them as intact next to new format-2 blocks, and still catches rot in them.
struct FormatOneScrubTests {
    /// The same bytes as BlockCodecTests' FormatOneFixtures.xchacha20poly1305 (cluster id 7…, secret 9…, 256-byte frames).
    static let formatOneBlock = Array(Data(base64Encoded: "WU5LQgEBAAAAAQAAvAIAAAAAAAADAAAAUyq7c0hEsDNcUYQaf7RTJve3JgvkSc5UPSTuCHv+7mLPfUGxhAK9mKs7clYBAAAAAAABAAAcAAAATsn/WwfUT5tcuMU8cxgeTXX6A1WbEOGIXyhAC8tohe1CgUF6SXZvcINbIEow8KxvqYi2ph7m4/Rk7q+AFTgRvKkAVwIBAQAAAAABAAAcAAAAK4ND3SmUz34b8xQyaVvyQkNYWI+F8T6+Jh7YW/RLFBq/rS5mGYbpwsEdgEFmwN3RbAHqBeti+UBuJ4TL1jMqMvvb7M4AAgAAALwAAAC8AAAAj2466yICi9GySDo7Q4AGjJyXSHHItyUuRBrtGUBQulD86lobCPH7TK5MHXfkooLlrpizDCkpUxB0B9b/TGigKH/tujIz1wcGOFYAbXTj3+HrCvya8Ab33Y7elS6KEOegDVyxAysOLAgrzWJsdh4WyvTC9UKW8IdU4vWqcc4sh1ITEcQyT9E1YN5mcckj6EsUN73noZnuEP+h1h5XYqPQocnuDFKWt0TDvbcqRGce1MSvAAzq9TBufHkIBXkzTlVBZ7TCi0H/EyVBVZ7niVp3YoGr6aIo9rhbtCZ0Nv5qpMnyoIXr")!)

    @Test func formatOneBlocksScrubIntactAndRotIsCaught() throws {
        let keyring = try Keyring(clusterID: Array(repeating: 7, count: 16), clusterSecret: Array(repeating: 9, count: 32))
        let codec = try BlockCodec(keyring: keyring, blockSizeBytes: 4096, frameSizeBytes: 256)
        let folder = TemporaryFolder()
        let store = try BlockStore(root: folder.path, capacityBytes: 10 << 20, codec: codec)
        let old = try BlockCodec.blockID(ofEncoded: Self.formatOneBlock)
        try store.put(Self.formatOneBlock)
        let new = try codec.encode(Array(repeating: 42, count: 3000))
        #expect(new.bytes[4] == 2 && Self.formatOneBlock[4] == 1)
        try store.put(new.bytes)

        let clean = try store.scrub(quarantine: false) { _, _, _ in true }
        #expect(clean.checkedBlocks == 2 && clean.corrupt.isEmpty && clean.unverifiable == 0)

        try flipByte(at: UInt64(Self.formatOneBlock.count - 30), in: store.path(of: old))
        let rotten = try store.scrub(quarantine: false) { _, _, _ in true }
        #expect(Array(rotten.corrupt.keys) == [old])
    }
}
