import Consensus
import YonkeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Durable Raft storage for the real driver — the one part of Consensus that
/// does I/O. A node's directory holds:
/// - `log.seg`: an append-only segment of entry records
///   `[0xE7][length u32][payload crc32 u32][header crc32 u32][term u64][index u64][kind u8][data]`
///   (the header CRC covers the 9 bytes before it, so a flipped length is
///   caught rather than trusted). Conflicts truncate it;
///   a snapshot rewrites it with only the entries after the snapshot.
/// - `hardstate`: term, vote and commit, replaced atomically, with a CRC.
/// - `snapshot`: the latest snapshot, replaced atomically, with a CRC.
///
/// Everything Raft needs after a crash (entries, snapshot, term and vote) is
/// fsynced before `save` returns, so the driver may call
/// `Raft.Node.advance` (and send) right after. On open, a damaged last record
/// is a torn write and is cut off; a damaged record followed by valid data is
/// corruption and refuses to open, because silently dropping acknowledged
/// entries would break Raft's promises to the rest of the cluster.
extension Raft {
    /// A class because it owns an open file descriptor; use from one thread (the node's actor).
    public final class FileStorage {
        public let directory: String
        public private(set) var state: PersistentState
        /// Bytes cut off a torn tail during recovery (0 after a clean shutdown).
        public let recoveredTornBytes: Int
        private var logPath: String { directory + "/log.seg" }
        private var hardStatePath: String { directory + "/hardstate" }
        private var snapshotPath: String { directory + "/snapshot" }
        /// Byte offset of each stored entry, and the end of the last one.
        private var offsets: [Int]
        private var logEnd: Int
        private var fd: Int32

        static let recordMagic: UInt8 = 0xE7
        static let headerBytes = 13
        static let hardStateMagic = Array("YHS1".utf8)
        static let snapshotMagic = Array("YSN1".utf8)
        /// Reads of the files' fields; `StorageError.init(_:path:decoding:)` adds the file to its errors.
        typealias Reader = ByteReader<ByteReadError>

        public init(directory: String) throws(StorageError) {
            self.directory = directory
            try PosixFile.makeDirectory(directory)
            let hard = try Self.readHardState(directory + "/hardstate")
            let snapshot = try Self.readSnapshot(directory + "/snapshot")
            let logPath = directory + "/log.seg"
            let bytes = try PosixFile.readAll(logPath) ?? []
            let scan = try Self.scan(bytes, path: logPath)
            var entries = scan.entries
            var offsets = scan.offsets
            var end = scan.validBytes
            // Entries the snapshot covers may linger if we crashed between
            // writing the snapshot and rewriting the segment: skip them.
            if let snap = snapshot, let first = entries.first, first.index <= snap.metadata.index {
                // If the entry at the snapshot's index disagrees with it, the rest
                // of the segment is a divergent history that a received snapshot
                // was replacing when we crashed: drop it all.
                let diverged = entries.first { $0.index == snap.metadata.index }.map { $0.term != snap.metadata.term } ?? false
                let drop = diverged ? entries.count : entries.prefix { $0.index <= snap.metadata.index }.count
                if drop < entries.count, entries[drop].index != snap.metadata.index + 1 {
                    throw .corruptLog(path: logPath, offset: offsets[drop], detail: "entry \(entries[drop].index) does not follow snapshot \(snap.metadata.index)")
                }
                entries.removeFirst(drop)
                offsets.removeFirst(drop)
            } else if let snap = snapshot, let first = entries.first, first.index != snap.metadata.index + 1 {
                throw .corruptLog(path: logPath, offset: 0, detail: "first entry \(first.index) does not follow snapshot \(snap.metadata.index)")
            }
            fd = try PosixFile.openForAppend(logPath)
            // A log created just now exists only once raft/ itself is synced.
            try PosixFile.syncDirectory(directory)
            if scan.tornBytes > 0 {
                try PosixFile.truncate(fd, to: scan.validBytes, path: logPath)
                try PosixFile.sync(fd, path: logPath)
            }
            if offsets.isEmpty { end = scan.validBytes }
            self.offsets = offsets
            self.logEnd = end
            self.recoveredTornBytes = scan.tornBytes
            self.state = PersistentState(hardState: hard ?? HardState(), snapshot: snapshot, entries: entries)
        }

        deinit { close(fd) }

        /// Makes a Ready durable (snapshot, then entries, then hard state), fsyncing each.
        public func save(_ ready: Ready) throws(StorageError) {
            if let snapshot = ready.snapshotToPersist {
                try saveSnapshot(snapshot, replacingLog: ready.snapshotToApply != nil)
            }
            if !ready.entriesToPersist.isEmpty { try append(ready.entriesToPersist) }
            if let hard = ready.hardState {
                // Figure 2 lists commitIndex as volatile state: a restarted node
                // relearns it from the leader. Only term and vote must survive a
                // crash, so a change of the commit index alone costs no fsync —
                // two fewer on every commit's path (etcd's mustSync decides alike).
                // It is written with the next term or vote change.
                if hard.term == state.hardState.term && hard.vote == state.hardState.vote {
                    state.hardState.commit = hard.commit
                    return
                }
                var w = ByteWriter()
                w.raw(Self.hardStateMagic)
                w.u64(hard.term)
                w.u64(hard.commit)
                w.string(hard.vote?.name ?? "", prefix: .u16)
                w.u32(CRC32C.checksum(w.bytes))
                try PosixFile.replaceAtomically(hardStatePath, with: w.bytes, directory: directory)
                state.hardState = hard
            }
        }

        /// Appends entries, first cutting off any stored entries they replace (§5.3).
        func append(_ entries: [Entry]) throws(StorageError) {
            guard let first = entries.first else { return }
            let snapIndex = state.snapshot?.metadata.index ?? 0
            let firstStored = snapIndex + 1
            let nextIndex = firstStored + Index(state.entries.count)
            guard first.index <= nextIndex, first.index > snapIndex else {
                throw .nonContiguous(path: logPath, expected: nextIndex, got: first.index)
            }
            if first.index < nextIndex {
                let keep = Int(first.index - firstStored)
                logEnd = offsets[keep]
                offsets.removeSubrange(keep...)
                state.entries.removeSubrange(keep...)
                try PosixFile.truncate(fd, to: logEnd, path: logPath)
            }
            var out: [UInt8] = []
            for entry in entries {
                offsets.append(logEnd + out.count)
                out.append(contentsOf: Self.record(entry))
            }
            try PosixFile.writeAll(fd, out, at: logEnd, path: logPath)
            try PosixFile.sync(fd, path: logPath)
            logEnd += out.count
            state.entries.append(contentsOf: entries)
        }

        private func saveSnapshot(_ snapshot: Snapshot, replacingLog: Bool) throws(StorageError) {
            var w = ByteWriter()
            w.raw(Self.snapshotMagic)
            w.u64(snapshot.metadata.index)
            w.u64(snapshot.metadata.term)
            w.lengthPrefixed(snapshot.metadata.configuration.encoded(), prefix: .u32)
            w.lengthPrefixed(snapshot.data, prefix: .u64)
            w.u32(CRC32C.checksum(w.bytes))
            try PosixFile.replaceAtomically(snapshotPath, with: w.bytes, directory: directory)
            state.snapshot = snapshot
            // Rewrite the segment with only what follows the snapshot.
            let kept = replacingLog ? [] : state.entries.filter { $0.index > snapshot.metadata.index }
            var out: [UInt8] = []
            var newOffsets: [Int] = []
            for entry in kept {
                newOffsets.append(out.count)
                out.append(contentsOf: Self.record(entry))
            }
            close(fd)
            try PosixFile.replaceAtomically(logPath, with: out, directory: directory)
            fd = try PosixFile.openForAppend(logPath)
            offsets = newOffsets
            logEnd = out.count
            state.entries = kept
        }

        static func record(_ entry: Entry) -> [UInt8] {
            var payload = ByteWriter()
            payload.u64(entry.term)
            payload.u64(entry.index)
            payload.u8(entry.kind.rawValue)
            payload.raw(entry.data)
            var w = ByteWriter(capacity: headerBytes + payload.bytes.count)
            w.u8(recordMagic)
            w.length(payload.bytes.count, prefix: .u32)
            w.u32(CRC32C.checksum(payload.bytes))
            w.u32(CRC32C.checksum(w.bytes))
            w.raw(payload.bytes)
            return w.bytes
        }

        struct Scan {
            var entries: [Entry] = []
            var offsets: [Int] = []
            var validBytes = 0
            var tornBytes = 0
        }

        /// A whole, intact record at `at`: its payload range, or nil.
        static func intactRecord(in bytes: [UInt8], at: Int) -> Range<Int>? {
            var reader = Reader(bytes[at...])
            guard (try? reader.u8("magic")) == recordMagic, let length = try? reader.u32("length"),
                  let payloadCRC = try? reader.u32("payload crc"), let headerCRC = try? reader.u32("header crc"),
                  CRC32C.checksum(bytes[at..<at + 9]) == headerCRC,
                  let payload = try? reader.take("payload", count: Int(length)),
                  CRC32C.checksum(payload) == payloadCRC else { return nil }
            return payload.indices
        }

        /// Reads records until the first one that is not intact. If no intact
        /// record follows it anywhere, it was the record being written when the
        /// machine stopped (disks may persist its sectors in any order): a torn
        /// tail, cut off. If an intact record follows, bytes in the middle of
        /// the log changed after being written: corruption, refused.
        static func scan(_ bytes: [UInt8], path: String) throws(StorageError) -> Scan {
            var result = Scan()
            var at = 0
            while at < bytes.count {
                guard let payload = intactRecord(in: bytes, at: at) else {
                    if let later = (at + 1..<bytes.count).first(where: { bytes[$0] == recordMagic && intactRecord(in: bytes, at: $0) != nil }) {
                        throw .corruptLog(path: path, offset: at, detail: "damaged record with an intact record after it at byte \(later)")
                    }
                    result.tornBytes = bytes.count - at
                    break
                }
                var p = Reader(bytes[payload])
                let term: Term, index: Index, kindRaw: UInt8
                do throws(ByteReadError) {
                    (term, index, kindRaw) = (try p.u64("term"), try p.u64("index"), try p.u8("kind"))
                } catch {
                    throw StorageError(error, path: path, decoding: "record that passes its checksums", logOffset: at)
                }
                guard let kind = EntryKind(rawValue: kindRaw) else {
                    throw .corruptLog(path: path, offset: at, detail: "record passes its checksums but has entry kind \(kindRaw)")
                }
                let data = Array(p.rest())
                guard index <= Raft.maxIndex, term <= Raft.maxTerm else {
                    throw .corruptLog(path: path, offset: at, detail: "entry \(index)@\(term) is beyond the bounds of any real log")
                }
                if let last = result.entries.last, index != last.index + 1 {
                    throw .corruptLog(path: path, offset: at, detail: "entry \(index) follows \(last.index)")
                }
                result.entries.append(Entry(term: term, index: index, kind: kind, data: data))
                result.offsets.append(at)
                at = payload.upperBound
                result.validBytes = at
            }
            return result
        }

        static func readHardState(_ path: String) throws(StorageError) -> HardState? {
            guard let bytes = try PosixFile.readAll(path) else { return nil }
            let body = try checksummedBody(bytes, path: path, what: "hard state", minBytes: 4 + 8 + 8 + 2 + 4)
            guard body.starts(with: hardStateMagic) else { throw .corruptFile(path: path, detail: "hard state has bad magic") }
            var r = Reader(body.dropFirst(hardStateMagic.count))
            let hard: HardState
            do throws(ByteReadError) {
                let term = try r.u64("term"), commit = try r.u64("commit")
                let name = try r.string("vote", prefix: .u16, limit: Int(UInt16.max))
                try r.expectEnd()
                hard = HardState(term: term, vote: name.isEmpty ? nil : NodeID(name), commit: commit)
            } catch {
                throw StorageError(error, path: path, decoding: "hard state")
            }
            // Written before terms were bounded, from a forged message: refuse with a
            // reason rather than trap at the next election.
            guard hard.term <= Raft.maxTerm else {
                throw .corruptFile(path: path, detail: "term \(hard.term) is beyond any term a leader could have won (\(Raft.maxTerm)): it came from a forged message; restore this node from a peer")
            }
            return hard
        }

        static func readSnapshot(_ path: String) throws(StorageError) -> Snapshot? {
            guard let bytes = try PosixFile.readAll(path) else { return nil }
            let body = try checksummedBody(bytes, path: path, what: "snapshot", minBytes: 4 + 8 + 8 + 4 + 8 + 4)
            guard body.starts(with: snapshotMagic) else { throw .corruptFile(path: path, detail: "snapshot has bad magic") }
            var r = Reader(body.dropFirst(snapshotMagic.count))
            let index: Index, term: Term, configBytes: ArraySlice<UInt8>, data: ArraySlice<UInt8>
            do throws(ByteReadError) {
                index = try r.u64("index")
                term = try r.u64("term")
                configBytes = try r.lengthPrefixed("configuration", prefix: .u32, limit: Int(UInt32.max))
                data = try r.lengthPrefixed("data", prefix: .u64, limit: Int.max)
                try r.expectEnd()
            } catch {
                throw StorageError(error, path: path, decoding: "snapshot")
            }
            guard let configuration = Configuration(encoded: Array(configBytes)) else {
                throw .corruptFile(path: path, detail: "snapshot configuration does not decode")
            }
            guard index <= Raft.maxIndex, term <= Raft.maxTerm else {
                throw .corruptFile(path: path, detail: "snapshot at \(index)@\(term) is beyond the bounds of any real log")
            }
            return Snapshot(metadata: SnapshotMetadata(index: index, term: term, configuration: configuration), data: Array(data))
        }

        /// A whole file's bytes before its trailing CRC-32C, once the CRC matches.
        static func checksummedBody(_ bytes: [UInt8], path: String, what: String, minBytes: Int) throws(StorageError) -> ArraySlice<UInt8> {
            let body = bytes.dropLast(4)
            var trailer = Reader(bytes.suffix(4))
            guard bytes.count >= minBytes, CRC32C.checksum(body) == (try? trailer.u32("checksum")) else {
                throw .corruptFile(path: path, detail: "\(what) fails its checksum (\(bytes.count) bytes)")
            }
            return body
        }
    }
}
