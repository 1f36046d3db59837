#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import BlockCodec
import YonkeCore

/// What checking one stored block found.
public enum ScrubVerdict: Sendable, Equatable {
    /// Every frame authenticated and the digest matched; `encodedBytes` were read.
    case intact(encodedBytes: Int64)
    /// The file on disk is not the block it is named after (bit rot, a torn or foreign file).
    case corrupt(encodedBytes: Int64, reason: String)
    /// This node cannot judge the block (another keyring, a cipher this CPU
    /// lacks, a newer format): says nothing about the bytes, so never quarantined.
    case unverifiable(encodedBytes: Int64, reason: String)
    /// Deleted, or replaced by a new copy, while it was being checked: nothing to say about it.
    case gone

    public var encodedBytes: Int64 {
        switch self {
        case let .intact(bytes), let .corrupt(bytes, _), let .unverifiable(bytes, _): bytes
        case .gone: 0
        }
    }
}

extension BlockCodecError {
    /// Errors about this node's keys, CPU or build rather than the block's
    /// bytes. A node with the wrong keyring must not quarantine every block it holds.
    var isLimitationOfTheChecker: Bool {
        switch self {
        case .cryptoUnavailable, .invalidKeyring, .invalidParameters, .unsupportedVersion, .unsupportedAlgorithm,
             .algorithmUnavailable, .wrongKey:
            true
        case .truncatedHeader, .badMagic, .corruptHeader, .truncated, .frameOutOfOrder, .malformedFrame,
             .authenticationFailed, .trailingBytes, .digestMismatch, .unexpectedBlock:
            false
        }
    }
}

/// What one pass over a store found. With `quarantine` on, corrupt files are
/// moved aside (`BlockStore.quarantine`); otherwise they are only listed.
public struct ScrubReport: Sendable, Equatable {
    public var checkedBlocks = 0
    /// Encoded bytes read from the disk (what pacing limits).
    public var checkedBytes: Int64 = 0
    public var corrupt: [BlockID: String] = [:]
    /// Corrupt blocks moved to the quarantine folder during this pass.
    public var quarantined: [BlockID] = []
    /// Blocks this store's codec could not judge (see `ScrubVerdict.unverifiable`).
    public var unverifiable = 0

    public init() {}
}

/// Spreads a scrub pass over time so that it reads at most `bytesPerSecond`
/// on average: after `bytes` read in `elapsed`, the next read waits until
/// `bytes / bytesPerSecond` has passed since the pass began. A pass that fell
/// behind (a slow disk) does not burst to catch up by more than one block,
/// since the delay is never negative.
public struct ScrubPace: Sendable, Equatable {
    public var bytesPerSecond: Int64

    public init(bytesPerSecond: Int64) {
        self.bytesPerSecond = bytesPerSecond
    }

    /// Nanoseconds to wait before the next block; 0 for an unlimited pace (`bytesPerSecond <= 0`).
    public func delayNanoseconds(afterBytes bytes: Int64, elapsedNanoseconds: Int64) -> Int64 {
        guard bytesPerSecond > 0, bytes > 0 else { return 0 }
        // Doubles: bytes × 10⁹ overflows Int64 past 9 GB.
        let due = Double(bytes) / Double(bytesPerSecond) * 1e9
        return max(0, Int64(due.rounded(.up)) - elapsedNanoseconds)
    }
}

extension BlockStore {
    /// The store's quarantine folder: corrupt block files moved out of
    /// `blocks/`, kept for forensics; neither held nor counted in usage.
    public var quarantinePath: String { root + "/quarantine" }

    /// Decodes every block (authenticating each frame and the digest), one
    /// after another, calling `onBlock` after each with the verdict and the
    /// report so far; it returns false to stop the pass, and may sleep to pace
    /// it (a pass is long and blocking: run it on a thread of its own). With
    /// `quarantine`, a corrupt block is moved aside before `onBlock` hears of
    /// it, unless it changed on disk during the check.
    public func scrub(
        quarantine: Bool = false,
        onBlock: (BlockID, ScrubVerdict, ScrubReport) -> Bool = { _, _, _ in true }
    ) throws(BlockStoreError) -> ScrubReport {
        guard codec != nil else { throw .invalidStore(path: root, reason: "no keyring loaded, cannot verify blocks") }
        var report = ScrubReport()
        var plaintext: [UInt8] = []
        for id in blockReport() {
            var (verdict, identity) = try check(id, reusing: &plaintext)
            if case let .corrupt(_, reason) = verdict {
                if !quarantine {
                    report.corrupt[id] = reason
                } else if let identity, try self.quarantine(id, ifStill: identity) {
                    report.corrupt[id] = reason
                    report.quarantined.append(id)
                } else {
                    verdict = .gone
                }
            }
            if case .unverifiable = verdict { report.unverifiable += 1 } else if verdict != .gone { report.checkedBlocks += 1 }
            report.checkedBytes += verdict.encodedBytes
            guard onBlock(id, verdict, report) else { break }
        }
        return report
    }

    /// One block's verdict, on request (a reader's report that a replica is bad is checked here,
    /// never believed).
    public func verify(_ id: BlockID) throws(BlockStoreError) -> ScrubVerdict {
        var plaintext: [UInt8] = []
        return try check(id, reusing: &plaintext).0
    }

    /// Checks one block. The file's identity (device, inode, change time) comes
    /// back with the verdict so that a quarantine can tell the file it judged
    /// from a new copy written since.
    func check(_ id: BlockID, reusing plaintext: inout [UInt8]) throws(BlockStoreError) -> (ScrubVerdict, FileIdentity?) {
        guard contains(id) else { return (.gone, nil) }
        guard let codec else { return (.unverifiable(encodedBytes: 0, reason: "this node has not rebuilt the keyring yet"), nil) }
        let file = path(of: id)
        let bytes: [UInt8]
        let identity: FileIdentity
        do {
            (bytes, identity) = try POSIXFile.readWholeFileWithIdentity(file)
        } catch let .io(_, _, code) where code == ENOENT {
            return (.gone, nil)
        }
        let size = Int64(bytes.count)
        do {
            _ = try bytes.withUnsafeBytes { raw in
                Result { () throws(BlockCodecError) in try codec.decode(raw, expecting: id, reusing: &plaintext) }
            }.get()
            return (.intact(encodedBytes: size), identity)
        } catch where error.isLimitationOfTheChecker {
            return (.unverifiable(encodedBytes: size, reason: "\(error)"), identity)
        } catch {
            return (.corrupt(encodedBytes: size, reason: "\(error)"), identity)
        }
    }

    /// Moves a block's file to `quarantine/<id>.<unix seconds>` and stops
    /// holding it, so block reports no longer list it and a good copy can be
    /// written here again. Refuses (returns false) when the block was deleted
    /// or its file replaced since `identity` was taken: a good re-copy must not
    /// be mistaken for the corrupt file it replaced.
    @discardableResult
    public func quarantine(_ id: BlockID, ifStill identity: FileIdentity) throws(BlockStoreError) -> Bool {
        let file = path(of: id)
        try POSIXFile.makeDirectoryDurably(quarantinePath)
        let destination = "\(quarantinePath)/\(id.hex).\(time(nil))"
        return try withHeldBlock(id) { () throws(BlockStoreError) -> Bool in
            guard FileIdentity(path: file) == identity else { return false }
            guard rename(file, destination) == 0 else { throw .from(errno: errno, path: file, operation: "rename") }
            try POSIXFile.fsyncDirectory(String(file.dropLast(id.hex.count + 1)))
            try POSIXFile.fsyncDirectory(quarantinePath)
            return true
        }
    }

    /// Removes quarantined files older than `maxAgeSeconds` (by the time in
    /// their name); returns how many went.
    @discardableResult
    public func purgeQuarantine(olderThanSeconds maxAgeSeconds: Int64) throws(BlockStoreError) -> Int {
        guard POSIXFile.fileSize(quarantinePath) != nil else { return 0 }
        let now = Int64(time(nil))
        var removed = 0
        for name in try POSIXFile.listDirectory(quarantinePath) {
            guard let stamp = name.split(separator: ".").last.flatMap({ Int64($0) }), now - stamp > maxAgeSeconds else { continue }
            if unlink(quarantinePath + "/" + name) == 0 { removed += 1 }
        }
        return removed
    }
}

/// Which file a path named at one moment: a rename over the path (a new copy
/// of the block) changes the inode; a rewrite in place changes the change time.
public struct FileIdentity: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64
    let changeSeconds: Int
    let changeNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        changeSeconds = Int(info.st_ctim.tv_sec)
        changeNanoseconds = Int(info.st_ctim.tv_nsec)
    }

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }
}
