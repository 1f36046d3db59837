import CLZ4
import CSodium
import YonkeCore

/// Turns a block's plaintext into its sealed, framed form and back.
/// See `BlockFormat` for the layout. Thread-safe: it holds no mutable state.
public struct BlockCodec: Sendable {
    public let keyring: Keyring
    public let frameSizeBytes: Int
    public let blockSizeBytes: Int
    public let algorithm: AEADAlgorithm
    /// How many threads work on one block's frames.
    public let parallelism: Int
    /// The format `encode` writes (`decode` reads every version, as the header says).
    public let formatVersion: BlockFormat.Version

    public init(
        keyring: Keyring,
        blockSizeBytes: Int = BlockFormat.defaultBlockSizeBytes,
        frameSizeBytes: Int = BlockFormat.defaultFrameSizeBytes,
        algorithm: AEADAlgorithm = .preferred,
        parallelism: Int = 1,
        formatVersion: BlockFormat.Version = .current
    ) throws(BlockCodecError) {
        guard frameSizeBytes > 0, frameSizeBytes <= BlockFormat.maxFrameSizeBytes else {
            throw .invalidParameters("frame size \(frameSizeBytes) outside 1...\(BlockFormat.maxFrameSizeBytes)")
        }
        guard blockSizeBytes > 0, UInt64(blockSizeBytes) <= BlockFormat.maxBlockSizeBytes else {
            throw .invalidParameters("block size \(blockSizeBytes) outside 1...\(BlockFormat.maxBlockSizeBytes)")
        }
        guard algorithm.isAvailable else { throw .algorithmUnavailable(algorithm) }
        self.keyring = keyring
        self.blockSizeBytes = blockSizeBytes
        self.frameSizeBytes = frameSizeBytes
        self.algorithm = algorithm
        self.parallelism = max(1, parallelism)
        self.formatVersion = formatVersion
    }

    /// The encoded size can exceed the plaintext by this much at worst (incompressible data).
    public func maxEncodedSize(plaintextLength: Int) -> Int {
        let frames = BlockFormat.Header.frameCount(plaintextLength: plaintextLength, frameSizeBytes: frameSizeBytes)
        return BlockFormat.headerByteCount + plaintextLength + frames * BlockFormat.frameOverheadByteCount
    }
}

/// What one `encode` produced: the id, the sealed bytes and how well it compressed.
public struct EncodedBlock: Sendable {
    public let id: BlockID
    public let bytes: [UInt8]
    public let plaintextLength: Int
    /// Sum of the frames' stored (compressed or raw) payloads, before AEAD overhead.
    public let storedPayloadBytes: Int
}

// MARK: - Encoding

/// The result of encoding into a reused buffer: the block is its first `byteCount` bytes.
public struct EncodedBlockSummary: Sendable, Equatable {
    public let id: BlockID
    public let byteCount: Int
    public let plaintextLength: Int
    public let storedPayloadBytes: Int
}

extension BlockCodec {
    public func encode(_ plaintext: [UInt8]) throws(BlockCodecError) -> EncodedBlock {
        var buffer: [UInt8] = []
        let summary = try plaintext.withUnsafeBytes { raw in
            Result { () throws(BlockCodecError) in try encode(raw, reusing: &buffer) }
        }.get()
        buffer.removeLast(buffer.count - summary.byteCount)
        return EncodedBlock(
            id: summary.id, bytes: buffer, plaintextLength: summary.plaintextLength,
            storedPayloadBytes: summary.storedPayloadBytes)
    }

    /// Encodes into `buffer`, growing it when needed and never shrinking it, so
    /// a stream of blocks reuses one buffer (and its already-faulted pages).
    ///
    /// Two passes over the frames, both parallel: (1) digest and compress each
    /// frame into its own slot of the buffer, then — once the id, and so the
    /// key, is known — (2) seal each slot in place. Finally the slots are packed
    /// together with `memmove`, so the buffer is the only copy of the output.
    public func encode(
        _ plaintext: UnsafeRawBufferPointer, reusing buffer: inout [UInt8]
    ) throws(BlockCodecError) -> EncodedBlockSummary {
        guard plaintext.count <= blockSizeBytes else {
            throw .invalidParameters("block of \(plaintext.count) bytes exceeds the block size \(blockSizeBytes)")
        }
        let frameCount = BlockFormat.Header.frameCount(plaintextLength: plaintext.count, frameSizeBytes: frameSizeBytes)
        // A compressed frame is kept only when shorter than the frame, so LZ4 gets
        // just that much room (it answers 0 when the output does not fit). Each slot
        // is then exactly a raw record: when no frame compresses (random bytes) every
        // slot is already where it belongs and packing moves nothing.
        let payloadCapacity = frameSizeBytes
        let slotSize = BlockFormat.recordHeaderByteCount + frameSizeBytes + AEADAlgorithm.tagByteCount
        let capacity = BlockFormat.headerByteCount + frameCount * slotSize
        if buffer.count < capacity { buffer = [UInt8](repeating: 0, count: capacity) }
        var storedLengths = [Int](repeating: 0, count: frameCount)
        var compressedFlags = [Bool](repeating: false, count: frameCount)
        var digests = [UInt8](repeating: 0, count: frameCount * BlockDigest.frameDigestByteCount)

        let (id, byteCount) = buffer.withUnsafeMutableBytes { out in
            func slot(_ index: Int) -> UnsafeMutableRawPointer {
                out.baseAddress! + BlockFormat.headerByteCount + index * slotSize
            }
            return storedLengths.withUnsafeMutableBufferPointer { stored in
            compressedFlags.withUnsafeMutableBufferPointer { compressed in
            digests.withUnsafeMutableBytes { digestBytes in
                ParallelFrames.forEach(count: frameCount, parallelism: parallelism) { index in
                    let start = index * frameSizeBytes
                    let frame = UnsafeRawBufferPointer(
                        rebasing: plaintext[start..<min(start + frameSizeBytes, plaintext.count)])
                    BlockDigest.frameDigest(
                        frame, into: digestBytes.baseAddress! + index * BlockDigest.frameDigestByteCount,
                        version: formatVersion, keyring: keyring)
                    let payload = slot(index) + BlockFormat.recordHeaderByteCount
                    let size = Int(LZ4_compress_default(
                        frame.baseAddress?.assumingMemoryBound(to: CChar.self),
                        payload.assumingMemoryBound(to: CChar.self), Int32(frame.count), Int32(payloadCapacity)))
                    if size > 0 && size < frame.count {
                        stored[index] = size
                        compressed[index] = true
                    } else {
                        // LZ4 did not shrink it: store raw, so no frame ever grows by more than its overhead.
                        if let base = frame.baseAddress { payload.copyMemory(from: base, byteCount: frame.count) }
                        stored[index] = frame.count
                    }
                }
                let id = BlockDigest.blockID(
                    frameDigests: UnsafeRawBufferPointer(digestBytes), plaintextLength: plaintext.count,
                    frameSizeBytes: frameSizeBytes, version: formatVersion, keyring: keyring)
                let header = BlockFormat.Header(
                    version: formatVersion, algorithm: algorithm, frameSizeBytes: frameSizeBytes, plaintextLength: plaintext.count,
                    frameCount: frameCount, keyCheck: keyring.keyCheck, blockID: id
                ).serialized()
                header.withUnsafeBytes { out.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                let key = keyring.blockKey(for: id)
                let associatedPrefix = keyring.clusterID + header
                ParallelFrames.forEach(count: frameCount, parallelism: parallelism) { index in
                    let record = UnsafeMutableRawBufferPointer(start: slot(index), count: slotSize)
                    record.storeBytes(of: compressed[index] ? BlockFormat.FrameFlags.compressed : 0, toByteOffset: 0, as: UInt8.self)
                    record.storeLittleEndian(UInt32(index), at: 1)
                    record.storeLittleEndian(UInt32(min(frameSizeBytes, plaintext.count - index * frameSizeBytes)), at: 5)
                    record.storeLittleEndian(UInt32(stored[index]), at: 9)
                    FrameAssociatedData.with(prefix: associatedPrefix, record: UnsafeRawBufferPointer(record)) { ad in
                        let payloadStart = BlockFormat.recordHeaderByteCount
                        algorithm.seal(
                            UnsafeMutableRawBufferPointer(rebasing: record[payloadStart..<payloadStart + stored[index]]),
                            tag: record.baseAddress! + payloadStart + stored[index],
                            nonce: record.baseAddress! + BlockFormat.recordBoundByteCount,
                            associatedData: ad, key: key.typedPointer)
                    }
                }
                // Pack: every slot moves left (or stays), so ascending memmove never overwrites unread data.
                var end = BlockFormat.headerByteCount
                for index in 0..<frameCount {
                    let length = BlockFormat.frameOverheadByteCount + stored[index]
                    if out.baseAddress! + end != slot(index) {
                        (out.baseAddress! + end).copyMemory(from: slot(index), byteCount: length)
                    }
                    end += length
                }
                return (id, end)
            }
            }
            }
        }
        return EncodedBlockSummary(
            id: id, byteCount: byteCount, plaintextLength: plaintext.count,
            storedPayloadBytes: storedLengths.reduce(0, +))
    }
}

/// clusterID ‖ header ‖ record[0..<13], assembled on the stack of the frame's thread.
enum FrameAssociatedData {
    static func with<R>(
        prefix: [UInt8], record: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        withUnsafeTemporaryAllocation(byteCount: prefix.count + BlockFormat.recordBoundByteCount, alignment: 1) { ad in
            prefix.withUnsafeBytes { ad.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            (ad.baseAddress! + prefix.count).copyMemory(from: record.baseAddress!, byteCount: BlockFormat.recordBoundByteCount)
            return body(UnsafeRawBufferPointer(ad))
        }
    }
}
