import YonkeCore

/// Every way an encoded block can be refused. Each case names the block (when
/// its header was readable) and the frame, so an operator knows which replica
/// to repair.
public enum BlockCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    case cryptoUnavailable(String)
    case invalidKeyring(String)
    case invalidParameters(String)
    case truncatedHeader(length: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case unsupportedAlgorithm(UInt8)
    case algorithmUnavailable(AEADAlgorithm)
    case corruptHeader(String)
    case wrongKey(block: BlockID)
    case truncated(block: BlockID, frame: Int)
    case frameOutOfOrder(block: BlockID, expected: Int, found: Int)
    case malformedFrame(block: BlockID, frame: Int, reason: String)
    case authenticationFailed(block: BlockID, frame: Int)
    case trailingBytes(block: BlockID, count: Int)
    case digestMismatch(block: BlockID)
    case unexpectedBlock(expected: BlockID, found: BlockID)

    public var description: String {
        switch self {
        case .cryptoUnavailable(let why): "crypto library unavailable: \(why)"
        case .invalidKeyring(let why): "invalid keyring: \(why)"
        case .invalidParameters(let why): "invalid codec parameters: \(why)"
        case .truncatedHeader(let length): "not a Yonke block: \(length) bytes is shorter than a block header"
        case .badMagic: "not a Yonke block: bad magic bytes"
        case .unsupportedVersion(let v): "block format version \(v) is not supported by this build"
        case .unsupportedAlgorithm(let a): "unknown encryption algorithm id \(a) in block header"
        case .algorithmUnavailable(let a): "block is sealed with \(a), which this CPU/libsodium cannot run"
        case .corruptHeader(let why): "corrupt block header: \(why)"
        case .wrongKey(let block): "block \(block.short): sealed under another cluster key (wrong keyring?)"
        case .truncated(let block, let frame): "block \(block.short): truncated in frame \(frame)"
        case .frameOutOfOrder(let block, let expected, let found):
            "block \(block.short): frame \(found) found where frame \(expected) belongs (reordered, dropped or duplicated)"
        case .malformedFrame(let block, let frame, let reason): "block \(block.short) frame \(frame): \(reason)"
        case .authenticationFailed(let block, let frame):
            "block \(block.short) frame \(frame): authentication failed (corrupted or tampered bytes)"
        case .trailingBytes(let block, let count): "block \(block.short): \(count) unexpected bytes after the last frame"
        case .digestMismatch(let block): "block \(block.short): decoded data does not match the block id"
        case .unexpectedBlock(let expected, let found): "expected block \(expected.short), found block \(found.short)"
        }
    }
}
