import YonkeProtocol
import YonkeClient
import BlockStore
import Foundation
import Logging
import Synchronization
import YonkeCore

/// Re-verifies every block of the node's stores in the background
/// (`BlockStore.scrub`: every frame authenticated, the digest matched), paced
/// at `ScrubSettings.bytesPerSecond` and starting a full pass at most every
/// `passIntervalMilliseconds`. A corrupt replica gets one warning line, is
/// moved to its store's quarantine folder (so it is no longer reported and a
/// good copy can land here again) and is reported to the master, which stops
/// counting it and heals the block from a good replica.
///
/// A pass decodes blocks on a thread of its own, never on Swift's cooperative
/// pool where Raft and SWIM tick: a 64 MiB decode takes ~100 ms of one core.
public final class ScrubService: Sendable {
    let context: NodeContext
    let stores: [BlockStore]
    let settings: ScrubSettings
    private let state = Mutex(ScrubStatus())

    init(context: NodeContext, stores: [BlockStore]) {
        self.context = context
        self.stores = stores
        settings = context.config.scrub
    }

    public var status: ScrubStatus { state.withLock { $0 } }

    private enum Event: Sendable {
        case verified(encodedBytes: Int64)
        case corrupt(BlockID, store: String, reason: String)
        case unverifiable(BlockID, store: String, reason: String)
    }

    func run() async throws {
        guard settings.isOn, !stores.isEmpty else {
            context.logger.info("scrubber off", metadata: ["reason": "\(stores.isEmpty ? "no disks" : "rate 0")"])
            return
        }
        // Nothing can be verified before the keyring is rebuilt.
        _ = try await context.keys.waitUntilUnlocked()
        if let last = ScrubStateFile.load(path: context.config.scrubStatePath) {
            state.withLock { $0.lastPassStartMillis = last.start; $0.lastPassEndMillis = last.end }
        }
        while true {
            let wait = settings.millisecondsUntilNextPass(lastPassStart: state.withLock { $0.lastPassStartMillis },
                                                           now: Self.nowMillis())
            if wait > 0 {
                try await Task.sleep(for: .milliseconds(wait))
            } else {
                try await pass()
            }
        }
    }

    /// One full pass over every store; recorded as done only if it was not cancelled.
    private func pass() async throws {
        let start = Self.nowMillis()
        let before = state.withLock { s -> ScrubStatus in
            s.isPassRunning = true
            return s
        }
        defer { state.withLock { $0.isPassRunning = false } }
        context.logger.debug("scrub pass started", metadata: ["rate": "\(ByteCount.format(settings.bytesPerSecond))/s"])
        let stop = StopFlag()
        let (events, sink) = AsyncStream.makeStream(of: Event.self)
        let worker = Thread { [stores, settings, logger = context.logger] in
            Self.walk(stores, settings: settings, stop: stop, sink: sink, logger: logger)
            sink.finish()
        }
        worker.name = "yonke-scrub"
        try await withTaskCancellationHandler {
            worker.start()
            for await event in events { await onEvent(event) }
            try Task.checkCancellation()
        } onCancel: {
            stop.set()
        }
        let end = Self.nowMillis()
        state.withLock {
            $0.completedPasses += 1
            $0.lastPassStartMillis = start
            $0.lastPassEndMillis = end
        }
        ScrubStateFile.save(start: start, end: end, path: context.config.scrubStatePath, logger: context.logger)
        let after = status
        context.logger.info("scrub pass done", metadata: [
            "seconds": "\(Double(end - start) / 1000)", "blocks": "\(after.verifiedBlocks - before.verifiedBlocks)",
            "bytes": "\(after.verifiedBytes - before.verifiedBytes)", "corrupt": "\(after.corruptBlocks - before.corruptBlocks)"])
    }

    /// Runs on the pass's own thread: checks every block, sleeping to keep the pace.
    private static func walk(_ stores: [BlockStore], settings: ScrubSettings, stop: StopFlag,
                             sink: AsyncStream<Event>.Continuation, logger: Logger) {
        let pace = ScrubPace(bytesPerSecond: settings.bytesPerSecond)
        let began = ContinuousClock.now
        var bytes: Int64 = 0
        for store in stores where !stop.isSet {
            do {
                try store.purgeQuarantine(olderThanSeconds: settings.quarantineKeepSeconds)
                _ = try store.scrub(quarantine: true) { id, verdict, _ in
                    switch verdict {
                    case .intact: sink.yield(.verified(encodedBytes: verdict.encodedBytes))
                    case let .corrupt(_, reason): sink.yield(.corrupt(id, store: store.root, reason: reason))
                    case let .unverifiable(_, reason): sink.yield(.unverifiable(id, store: store.root, reason: reason))
                    case .gone: break
                    }
                    bytes += verdict.encodedBytes
                    let elapsed = (ContinuousClock.now - began).nanoseconds
                    return stop.sleep(nanoseconds: pace.delayNanoseconds(afterBytes: bytes, elapsedNanoseconds: elapsed))
                }
            } catch {
                logger.error("scrub of a disk failed; the next pass tries again", metadata: [
                    "store": "\(store.root)", "error": "\(error)"])
            }
        }
    }

    private func onEvent(_ event: Event) async {
        switch event {
        case let .verified(bytes):
            state.withLock {
                $0.verifiedBlocks += 1
                $0.verifiedBytes += bytes
            }
        case let .corrupt(id, store, reason):
            state.withLock {
                $0.verifiedBlocks += 1
                $0.corruptBlocks += 1
            }
            context.logger.warning("scrubber found a corrupt replica; quarantined and reported to the master", metadata: [
                "block": "\(id.short)", "store": "\(store)", "reason": "\(reason)"])
            await report(id, reason: reason)
        case let .unverifiable(id, store, reason):
            let first = state.withLock { s -> Bool in
                s.unverifiableBlocks += 1
                return s.unverifiableBlocks == 1
            }
            // One line per node run: the cause (keyring, CPU) is the same for every block.
            if first {
                context.logger.error("scrubber cannot verify blocks on this node; they are left alone", metadata: [
                    "block": "\(id.short)", "store": "\(store)", "reason": "\(reason)",
                    "hint": "check that the node's secrets file holds the cluster's keyring"])
            }
        }
    }

    /// Tells the master (itself, or over a link) to stop counting this replica.
    /// A lost report is repaired anyway: the next full block report no longer lists the block.
    private func report(_ id: BlockID, reason: String) async {
        let name = context.config.name
        guard let master = await context.consensus.masterName else {
            context.logger.notice("no master to report a corrupt replica to; the next full block report drops it",
                                  metadata: ["block": "\(id.short)"])
            return
        }
        if master == name {
            await context.blocks.onCorruptReplica(id, node: name, reason: "scrub: \(reason)", reporter: name)
            return
        }
        do {
            _ = try await context.peers.call(
                master, op: BlockOps.Op.reportCorrupt.rawValue, payload: BlockOps.corruptReport(id, node: name, reason: "scrub: \(reason)"),
                timeout: .milliseconds(Int64(context.config.timing.requestTimeoutMilliseconds)))
        } catch {
            context.logger.notice("corrupt replica report to the master failed; the next full block report drops it",
                                  metadata: ["block": "\(id.short)", "master": "\(master)", "error": "\(error)"])
        }
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// Tells a pass's thread to stop (the service's task was cancelled).
final class StopFlag: Sendable {
    private let stopped = Atomic<Bool>(false)

    var isSet: Bool { stopped.load(ordering: .relaxed) }
    func set() { stopped.store(true, ordering: .relaxed) }

    /// Sleeps in steps of at most 100 ms so that a stop is noticed; false once stopped.
    func sleep(nanoseconds: Int64) -> Bool {
        var left = nanoseconds
        while left > 0, !isSet {
            let step = min(left, 100_000_000)
            Thread.sleep(forTimeInterval: Double(step) / 1e9)
            left -= step
        }
        return !isSet
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// `DATA/NAME/scrub.state`: `<start ms> <end ms>` of the last full pass.
enum ScrubStateFile {
    static func load(path: String) -> (start: Int64, end: Int64)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let parts = text.split(whereSeparator: \.isWhitespace).compactMap { Int64($0) }
        guard parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }

    static func save(start: Int64, end: Int64, path: String, logger: Logger) {
        do {
            try SecretFile.replace(path: path, contents: "\(start) \(end)\n")
        } catch {
            logger.notice("could not record the scrub pass; the next start scrubs again", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
