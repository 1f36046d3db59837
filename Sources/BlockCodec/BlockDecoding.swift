import CLZ4
import CSodium
import SodiumSupport
import YonkeCore

extension BlockCodec {
    /// Reads only the header: cheap, for block reports and scrubbing listings.
    public static func blockID(ofEncoded encoded: [UInt8]) throws(BlockCodecError) -> BlockID {
        try encoded.withUnsafeBytes { raw in
            Result { () throws(BlockCodecError) in try blockID(ofEncoded: raw) }
        }.get()
    }

    public static func blockID(ofEncoded encoded: UnsafeRawBufferPointer) throws(BlockCodecError) -> BlockID {
        try BlockFormat.Header.parse(encoded).blockID
    }

    public func decode(_ encoded: [UInt8], expecting expected: BlockID? = nil) throws(BlockCodecError) -> [UInt8] {
        var output: [UInt8] = []
        let length = try encoded.withUnsafeBytes { raw in
            Result { () throws(BlockCodecError) in try decode(raw, expecting: expected, reusing: &output) }
        }.get()
        output.removeLast(output.count - length)
        return output
    }

    /// Verifies and decodes a whole block into `output` (grown when needed,
    /// never shrunk), returning the plaintext length. Every frame is
    /// authenticated against its index, the header and the cluster; the
    /// reassembled plaintext must hash back to the block id. The first failing
    /// frame (lowest index) is reported.
    public func decode(
        _ encoded: UnsafeRawBufferPointer, expecting expected: BlockID? = nil, reusing output: inout [UInt8]
    ) throws(BlockCodecError) -> Int {
        let header = try BlockFormat.Header.parse(encoded)
        let id = header.blockID
        if let expected, expected != id { throw .unexpectedBlock(expected: expected, found: id) }
        guard header.algorithm.isAvailable else { throw .algorithmUnavailable(header.algorithm) }
        guard header.keyCheck == keyring.keyCheck else { throw .wrongKey(block: id) }
        let records = try FrameRecord.locate(in: encoded, header: header)
        let key = keyring.blockKey(for: id)
        let associatedPrefix = keyring.clusterID + Array(encoded[0..<BlockFormat.headerByteCount])
        var failures = [BlockCodecError?](repeating: nil, count: header.frameCount)
        var digests = [UInt8](repeating: 0, count: header.frameCount * BlockDigest.frameDigestByteCount)
        if output.count < header.plaintextLength { output = [UInt8](repeating: 0, count: header.plaintextLength) }
        output.withUnsafeMutableBytes { out in
            failures.withUnsafeMutableBufferPointer { failed in
            digests.withUnsafeMutableBytes { digestBytes in
                ParallelFrames.forEach(
                    count: header.frameCount, parallelism: parallelism, scratchBytes: header.frameSizeBytes
                ) { index, scratch in
                    let record = records[index]
                    let start = index * header.frameSizeBytes
                    let target = UnsafeMutableRawBufferPointer(rebasing: out[start..<start + record.plainLength])
                    if let error = record.open(
                        from: encoded, into: target, scratch: scratch, header: header,
                        associatedPrefix: associatedPrefix, key: key)
                    {
                        failed[index] = error
                        return
                    }
                    BlockDigest.frameDigest(
                        UnsafeRawBufferPointer(target),
                        into: digestBytes.baseAddress! + index * BlockDigest.frameDigestByteCount,
                        version: header.version, keyring: keyring)
                }
            }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        let computed = digests.withUnsafeBytes {
            BlockDigest.blockID(
                frameDigests: $0, plaintextLength: header.plaintextLength,
                frameSizeBytes: header.frameSizeBytes, version: header.version, keyring: keyring)
        }
        guard computed == id else { throw .digestMismatch(block: id) }
        return header.plaintextLength
    }
}

/// Where one frame sits in an encoded block, after its bounds were checked.
struct FrameRecord: Sendable {
    let index: Int
    let offset: Int
    let compressed: Bool
    let plainLength: Int
    let storedLength: Int

    /// Walks the record headers (no crypto): catches truncation, reordering and
    /// impossible lengths before any thread touches the payloads.
    static func locate(in encoded: UnsafeRawBufferPointer, header: BlockFormat.Header) throws(BlockCodecError) -> [FrameRecord] {
        var records: [FrameRecord] = []
        records.reserveCapacity(header.frameCount)
        var offset = BlockFormat.headerByteCount
        let id = header.blockID
        for index in 0..<header.frameCount {
            guard encoded.count - offset >= BlockFormat.recordHeaderByteCount else {
                throw .truncated(block: id, frame: index)
            }
            let flags = encoded[offset]
            let foundIndex = Int(encoded.loadLittleEndian(UInt32.self, at: offset + 1))
            let plainLength = Int(encoded.loadLittleEndian(UInt32.self, at: offset + 5))
            let storedLength = Int(encoded.loadLittleEndian(UInt32.self, at: offset + 9))
            guard foundIndex == index else { throw .frameOutOfOrder(block: id, expected: index, found: foundIndex) }
            guard flags & ~BlockFormat.FrameFlags.compressed == 0 else {
                throw .malformedFrame(block: id, frame: index, reason: "unknown flags \(flags)")
            }
            let compressed = flags & BlockFormat.FrameFlags.compressed != 0
            guard plainLength == header.plainLength(ofFrame: index) else {
                throw .malformedFrame(block: id, frame: index, reason: "plain length \(plainLength), expected \(header.plainLength(ofFrame: index))")
            }
            guard compressed ? storedLength < plainLength : storedLength == plainLength else {
                throw .malformedFrame(block: id, frame: index, reason: "stored length \(storedLength) for \(plainLength) plain bytes")
            }
            guard encoded.count - offset - BlockFormat.recordHeaderByteCount >= storedLength + AEADAlgorithm.tagByteCount else {
                throw .truncated(block: id, frame: index)
            }
            records.append(FrameRecord(
                index: index, offset: offset, compressed: compressed,
                plainLength: plainLength, storedLength: storedLength))
            offset += BlockFormat.frameOverheadByteCount + storedLength
        }
        if offset != encoded.count { throw .trailingBytes(block: id, count: encoded.count - offset) }
        return records
    }

    /// Authenticates and decrypts into `target` (decompressing through a
    /// scratch buffer when compressed). Returns the error instead of throwing
    /// because it runs on a worker thread.
    func open(
        from encoded: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer,
        scratch: UnsafeMutableRawBufferPointer, header: BlockFormat.Header, associatedPrefix: [UInt8], key: SecretBytes
    ) -> BlockCodecError? {
        let record = UnsafeRawBufferPointer(rebasing: encoded[offset..<offset + BlockFormat.recordHeaderByteCount])
        let payloadStart = offset + BlockFormat.recordHeaderByteCount
        let ciphertext = UnsafeRawBufferPointer(rebasing: encoded[payloadStart..<payloadStart + storedLength])
        let tag = encoded.baseAddress! + payloadStart + storedLength
        let nonce = record.baseAddress! + BlockFormat.recordBoundByteCount
        return FrameAssociatedData.with(prefix: associatedPrefix, record: record) { ad -> BlockCodecError? in
            guard compressed else {
                return header.algorithm.open(ciphertext, into: target, tag: tag, nonce: nonce, associatedData: ad, key: key.typedPointer)
                    ? nil : .authenticationFailed(block: header.blockID, frame: index)
            }
            // A compressed frame is shorter than the frame size, so it fits the worker's scratch.
            let compressedFrame = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<storedLength])
            guard header.algorithm.open(
                ciphertext, into: compressedFrame, tag: tag, nonce: nonce, associatedData: ad, key: key.typedPointer)
            else {
                return .authenticationFailed(block: header.blockID, frame: index)
            }
            let produced = LZ4_decompress_safe(
                compressedFrame.baseAddress!.assumingMemoryBound(to: CChar.self),
                target.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(storedLength), Int32(plainLength))
            return produced == Int32(plainLength)
                ? nil : .malformedFrame(block: header.blockID, frame: index, reason: "LZ4 produced \(produced) of \(plainLength) bytes")
        }
    }
}
