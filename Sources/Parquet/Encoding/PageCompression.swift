import YonkeCore
import CLZ4

/// Page compression. LZ4_RAW is a bare LZ4 block (no frame, no Hadoop
/// length prefix), so `LZ4_compress_default` and `LZ4_decompress_safe` are the
/// whole codec.
enum PageCompression {
    /// Compresses `input` with `codec` (only `.uncompressed` and `.lz4Raw` are
    /// written) into the front of `out`, a scratch buffer grown as needed and
    /// kept across pages; returns the compressed length.
    static func compress(_ input: [UInt8], codec: CompressionCodec, into out: inout [UInt8]) -> Int {
        switch codec {
        case .lz4Raw:
            let bound = Int(LZ4_compressBound(Int32(input.count)))
            if out.count < bound { out = [UInt8](repeating: 0, count: bound) }
            let written = input.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { target in
                    LZ4_compress_default(source.baseAddress?.assumingMemoryBound(to: CChar.self),
                                         target.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         Int32(input.count), Int32(target.count))
                }
            }
            invariant(written > 0 || input.isEmpty, "LZ4 compression of \(input.count) bytes failed")
            return Int(written)
        default:
            if out.count < input.count { out = [UInt8](repeating: 0, count: input.count) }
            out.withUnsafeMutableBytes { target in
                input.withUnsafeBytes { source in
                    if let base = source.baseAddress { target.baseAddress!.copyMemory(from: base, byteCount: source.count) }
                }
            }
            return input.count
        }
    }

    /// Decompresses one page body from untrusted bytes into exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, codec: CompressionCodec, size: Int) throws -> [UInt8] {
        switch codec {
        case .uncompressed:
            guard input.count == size else {
                throw ParquetError.corrupt("uncompressed page of \(input.count) bytes claims \(size)")
            }
            return Array(input)
        case .lz4Raw:
            if size == 0 { return [] }
            guard input.count <= Int(Int32.max), size <= Int(Int32.max) else {
                throw ParquetError.limitExceeded("LZ4 page of \(size) bytes")
            }
            var out = [UInt8](repeating: 0, count: size)
            let produced = input.withUnsafeBytes { source in
                out.withUnsafeMutableBytes { target in
                    LZ4_decompress_safe(source.baseAddress?.assumingMemoryBound(to: CChar.self),
                                        target.baseAddress!.assumingMemoryBound(to: CChar.self),
                                        Int32(source.count), Int32(size))
                }
            }
            guard produced == Int32(size) else {
                throw ParquetError.corrupt("LZ4_RAW page does not decompress to its \(size) bytes (got \(produced))")
            }
            return out
        case .snappy, .gzip, .lzo, .brotli, .lz4, .zstd:
            throw ParquetError.unsupportedCodec(codec.parquetName)
        }
    }
}
