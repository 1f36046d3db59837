import Consensus
import YonkeCore

extension Raft {
    /// Why a node's Raft storage cannot be used. Every case names the file and
    /// what is wrong, so an operator knows which disk or file to look at.
    public enum StorageError: Error, Hashable, Sendable, CustomStringConvertible {
        case io(operation: String, path: String, errno: Int32)
        /// A damaged record with valid records after it: not a torn write, so we
        /// refuse to guess which entries were acknowledged.
        case corruptLog(path: String, offset: Int, detail: String)
        case corruptFile(path: String, detail: String)
        /// Entries handed to `save` that do not continue the stored log.
        case nonContiguous(path: String, expected: Raft.Index, got: Raft.Index)

        public var description: String {
            switch self {
            case .io(let op, let path, let errno): "\(op) \(path) failed (errno \(errno))"
            case .corruptLog(let path, let offset, let detail): "log \(path) is corrupt at byte \(offset): \(detail); refusing to start (restore this node from a peer)"
            case .corruptFile(let path, let detail): "\(path) is corrupt: \(detail)"
            case .nonContiguous(let path, let expected, let got): "log \(path): next entry must be at most \(expected), got \(got)"
            }
        }
    }
}

extension Raft.StorageError {
    /// The one place a field of a storage file that does not read becomes a storage
    /// error: the reader's error names the field and byte, this adds the file.
    init(_ error: ByteReadError, path: String, decoding what: String, logOffset: Int? = nil) {
        if let logOffset {
            self = .corruptLog(path: path, offset: logOffset, detail: "\(what) does not decode: \(error)")
        } else {
            self = .corruptFile(path: path, detail: "\(what) does not decode: \(error)")
        }
    }
}
