import YonkeProtocol
import Logging
import NIOCore
import Synchronization
import Transport
import YonkeCore

/// The next hop of a write pipeline, seen from the node (or client) feeding it.
/// Every send is bounded by `ioTimeout`; a hop that fails, hangs or refuses is
/// dropped: the feeder keeps going and reports it (and the hops after it,
/// which it can no longer reach) as failed.
public final class Downstream: Sendable {
    public let target: BlockTarget
    /// The hops after `target`, which it forwards to.
    public let rest: [BlockTarget]
    public let timing: BlockTiming
    private let link: StreamLink
    private let watchdog: Watchdog
    private let answer = OneShot<BlockWriteResult>()
    private let failure = Mutex<BlockWriteFailure?>(nil)
    private let reader: Task<Void, Never>

    private init(target: BlockTarget, rest: [BlockTarget], timing: BlockTiming, link: StreamLink) {
        self.target = target
        self.rest = rest
        self.timing = timing
        self.link = link
        watchdog = Watchdog { link.connection.close() }
        let answer = self.answer
        let name = target.name
        reader = Task {
            do {
                for try await message in link.connection.inbound {
                    switch message.kind {
                    case BlockStream.writeResult:
                        answer.fulfill(Result { try BlockStream.decodeResult(message.payload) })
                    case BlockStream.failure:
                        answer.fulfill(.failure(try BlockStream.decodeFailure(message.payload)))
                    default:
                        answer.fulfill(.failure(RPCFailure(.malformed, "\(name) sent message kind \(message.kind) in a write stream")))
                    }
                    return
                }
                answer.fulfill(.failure(RPCFailure(.unavailable, "\(name) closed the stream without confirming")))
            } catch {
                answer.fulfill(.failure(RPCFailure(.unavailable, "stream to \(name) broke: \(error)")))
            }
        }
    }

    deinit {
        watchdog.stop()
        reader.cancel()
        link.release()
    }

    /// Opens the link and announces the block; throws if `target` cannot be reached in time.
    public static func open(_ target: BlockTarget, rest: [BlockTarget], id: BlockID, encodedLength: Int64, tier: String,
                     settings: Transport.Settings, timing: BlockTiming) async throws -> Downstream {
        let link = try await StreamLink.open(target, settings: settings, timeout: timing.ioTimeout)
        let downstream = Downstream(target: target, rest: rest, timing: timing, link: link)
        let open = BlockStream.WriteOpen(id: id, encodedLength: encodedLength, tier: tier, pipeline: rest)
        await downstream.send(kind: BlockStream.writeOpen, payload: open.encoded())
        if let failure = downstream.failed { throw RPCFailure(failure.code, failure.reason) }
        return downstream
    }

    public var failed: BlockWriteFailure? { failure.withLock { $0 } }
    /// Largest piece the link carries.
    public var maxPayloadBytes: Int { link.connection.maxPayloadBytes }

    /// Forwards one piece, unless this hop already failed (then it is skipped).
    public func forward(_ payload: ByteBuffer) async {
        await send(kind: BlockStream.writeData, payload: payload)
    }

    private func send(kind: UInt8, payload: ByteBuffer) async {
        guard failed == nil else { return }
        if answer.isFulfilled {
            // It answered before the end: it refused or broke; stop feeding it.
            if case .failure(let error)? = try? await answerResult() { markFailed(error) }
            return
        }
        watchdog.arm(timing.ioTimeout)
        defer { watchdog.disarm() }
        do {
            try await link.connection.send(kind: kind, payload: payload)
        } catch {
            markFailed(watchdog.fired
                ? RPCFailure(.timeout, "\(target.name) took more than \(timing.ioTimeout) to accept data (hung?)")
                : error)
        }
    }

    private func answerResult() async throws -> Result<BlockWriteResult, any Error> {
        do { return .success(try await answer.wait()) } catch { return .failure(error) }
    }

    /// Ends the stream and waits for the hop's verdict on itself and the hops after it.
    public func finish() async -> BlockWriteResult {
        await send(kind: BlockStream.writeEnd, payload: ByteBuffer())
        if failed == nil {
            let limit = timing.confirmTimeout(nodes: 1 + rest.count)
            watchdog.arm(limit)
            switch try? await answerResult() {
            case .success(let result)?:
                watchdog.disarm()
                return result
            case .failure(let error)?:
                markFailed(watchdog.fired
                    ? RPCFailure(.timeout, "\(target.name) did not confirm within \(limit)")
                    : error)
            case nil:
                markFailed(RPCFailure(.internalError, "no answer from \(target.name)"))
            }
        }
        return unreachedResult()
    }

    /// `target` failed: it and every later hop (which only it fed) count as failed.
    public func unreachedResult() -> BlockWriteResult {
        let first = failed ?? BlockWriteFailure(node: target.name, code: .unavailable, reason: "not reached")
        return BlockWriteResult(failed: [first] + rest.map {
            BlockWriteFailure(node: $0.name, code: .unavailable, reason: BlockWriteFailure.notReachedPrefix + "the hop before it (\(target.name)) failed")
        })
    }

    private func markFailed(_ error: any Error) {
        let failure = BlockWriteFailure(node: target.name, error: error)
        self.failure.withLock { if $0 == nil { $0 = failure } }
        link.connection.close()
    }

    /// The failures when `target` could not even be opened.
    public static func unreachable(_ target: BlockTarget, rest: [BlockTarget], error: any Error) -> BlockWriteResult {
        BlockWriteResult(failed: [BlockWriteFailure(node: target.name, error: error)] + rest.map {
            BlockWriteFailure(node: $0.name, code: .unavailable, reason: BlockWriteFailure.notReachedPrefix + "the hop before it (\(target.name)) failed")
        })
    }
}

extension BlockWriteFailure {
    /// Starts the reason of a node that was never reached (an earlier hop
    /// failed): it may be fine, so a retry need not avoid it.
    public static let notReachedPrefix = "not reached: "
    public var wasReached: Bool { !reason.hasPrefix(Self.notReachedPrefix) }

    public init(node: String, error: any Error) {
        if let failure = error as? RPCFailure {
            self.init(node: node, code: failure.code, reason: failure.message)
        } else {
            self.init(node: node, code: .unavailable, reason: "\(error)")
        }
    }
}
