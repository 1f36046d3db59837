#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import YonkeCore
import BlockCodec

public enum BlockStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case capacityExceeded(store: String, neededBytes: Int64, freeBytes: Int64)
    case diskFull(path: String)
    case permissionDenied(path: String)
    case notFound(store: String, block: BlockID)
    case corrupt(store: String, block: BlockID, reason: BlockCodecError)
    case io(path: String, operation: String, errno: Int32)
    case invalidStore(path: String, reason: String)
    /// A streamed write that is not the block it claimed to be (bad header, wrong id, wrong length).
    case refusedWrite(store: String, reason: String)

    public var description: String {
        switch self {
        case let .capacityExceeded(store, needed, free):
            "store \(store) is full: the block needs \(ByteCount.format(needed)) but only \(ByteCount.format(free)) of the configured capacity is free; add a disk or raise its capacity"
        case let .diskFull(path):
            "no space left on the device holding \(path); existing blocks are intact, free space or add a disk"
        case let .permissionDenied(path):
            "permission denied on \(path); check the owner and mode of the data folder"
        case let .notFound(store, block):
            "block \(block.short) is not in store \(store)"
        case let .corrupt(store, block, reason):
            "block \(block.short) in store \(store) is corrupt: \(reason)"
        case let .io(path, operation, errno):
            "\(operation) failed on \(path): \(String(cString: strerror(errno)))"
        case let .invalidStore(path, reason):
            "\(path) is not a usable block store: \(reason)"
        case let .refusedWrite(store, reason):
            "store \(store) refused a block write: \(reason)"
        }
    }

    static func from(errno code: Int32, path: String, operation: String) -> BlockStoreError {
        switch code {
        case ENOSPC, EDQUOT: .diskFull(path: path)
        case EACCES, EPERM, EROFS: .permissionDenied(path: path)
        default: .io(path: path, operation: operation, errno: code)
        }
    }
}
