import YonkeProtocol
import Logging
import NIOCore
import Synchronization
import Transport

/// Request/response and one-way messages over one authenticated link, in both
/// directions at once. `serve` must be running for calls to get answers.
public final class RPCLink: Sendable {
    public let peer: Peer
    public let connection: Connection

    private enum Slot {
        case waiting(CheckedContinuation<ByteBuffer, any Error>?)
        case done(Result<ByteBuffer, any Error>)
    }

    private struct State {
        var nextRequestID: UInt64 = 1
        var pending: [UInt64: Slot] = [:]
        var closedBecause: (any Error)?
    }

    private let state = Mutex(State())

    /// Requests this side keeps in flight on the link; one more `call` waits
    /// for an answer to come back first (backpressure, within its timeout).
    public static let callsInFlightMax = 64
    /// Requests this side serves at once for the peer; one more is answered
    /// `.tooManyRequests` at once, without running. Twice `callsInFlightMax`:
    /// a call that timed out frees its slot while the server may still work on
    /// it, so an honest peer can briefly exceed its own bound, never this one.
    public static let servedInFlightMax = 2 * callsInFlightMax
    private let callSlots = CallSlots(capacity: RPCLink.callsInFlightMax)
    private let served = Atomic<Int>(0)

    public init(connection: Connection) {
        self.connection = connection
        self.peer = connection.peer
    }

    public var isClosed: Bool { state.withLock { $0.closedBecause != nil } }

    // MARK: Calling

    /// Sends a request and waits for its answer, at most `timeout`. Throws the
    /// peer's `RPCFailure`, `.timeout`, or the link's error.
    public func call(op: UInt16, payload: ByteBuffer, timeout: Duration) async throws -> ByteBuffer {
        let started = ContinuousClock.now
        try await takeCallSlot(within: timeout)
        defer { callSlots.release() }
        let timeout = max(.zero, timeout - (ContinuousClock.now - started))
        let id = try state.withLock { s in
            if let error = s.closedBecause { throw error }
            let id = s.nextRequestID
            s.nextRequestID += 1
            s.pending[id] = .waiting(nil)
            return id
        }
        var message = ByteBuffer()
        message.reserveCapacity(10 + payload.readableBytes)
        message.writeWireInteger(id)
        message.writeWireInteger(op)
        message.writeImmutableBuffer(payload)
        do {
            try await connection.send(kind: MessageKind.request, payload: message)
        } catch {
            _ = state.withLock { $0.pending.removeValue(forKey: id) }
            throw error
        }
        return try await withThrowingTaskGroup(of: ByteBuffer.self) { group in
            group.addTask { try await self.response(to: id) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw RPCFailure(.timeout, "\(self.peer.name) did not answer within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            return first
        }
    }

    /// Waits (at most `timeout`) until fewer than `callsInFlightMax` calls are in flight.
    private func takeCallSlot(within timeout: Duration) async throws {
        if callSlots.tryAcquire() { return }
        let slots = callSlots
        let acquired = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { try await slots.acquire(); return true }
            group.addTask { try await Task.sleep(for: timeout); return false }
            let first = try await group.next() ?? false
            group.cancelAll()
            if first { return true }
            // Timed out, but the slot may have come at the same moment: give it back.
            while let late = try? await group.next() { if late { slots.release() } }
            return false
        }
        guard acquired else {
            throw RPCFailure(.timeout, "\(RPCLink.callsInFlightMax) calls to \(peer.name) were still in flight after \(timeout)")
        }
    }

    private func response(to id: UInt64) async throws -> ByteBuffer {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                let ready: Result<ByteBuffer, any Error>? = state.withLock { s in
                    switch s.pending[id] {
                    case .done(let result)?:
                        s.pending.removeValue(forKey: id)
                        return result
                    case .waiting?:
                        s.pending[id] = .waiting(continuation)
                        return nil
                    case nil:
                        return .failure(CancellationError())
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            self.complete(id, with: .failure(CancellationError()))
        }
    }

    private func complete(_ id: UInt64, with result: Result<ByteBuffer, any Error>) {
        let continuation: CheckedContinuation<ByteBuffer, any Error>? = state.withLock { s in
            switch s.pending[id] {
            case .waiting(let continuation?)?:
                s.pending.removeValue(forKey: id)
                return continuation
            case .waiting(nil)?:
                s.pending[id] = .done(result)
                return nil
            case .done?, nil:
                return nil // answered twice, or after a timeout: ignore
            }
        }
        continuation?.resume(with: result)
    }

    public func sendOneWay(channel: OneWayChannel, payload: ByteBuffer) async throws {
        var message = ByteBuffer()
        message.reserveCapacity(1 + payload.readableBytes)
        message.writeWireInteger(channel.rawValue)
        message.writeImmutableBuffer(payload)
        try await connection.send(kind: MessageKind.oneWay, payload: message)
    }

    public func close() { connection.close() }

    // MARK: Serving

    /// Reads the link until it closes: answers come back to `call`, requests go
    /// to `handler` (concurrently), one-way messages to `handler` in order.
    /// A malformed message closes the link. Pending calls fail when it ends.
    /// `first` is a message already read from `inbound` by whoever accepted the link.
    public func serve(
        handler: any NodeMessageHandler, logger: Logger,
        first: Transport.Message? = nil, inbound: Connection.Inbound.AsyncIterator? = nil
    ) async {
        var reason: any Error = TransportError.connectionClosed
        var iterator = inbound ?? connection.inbound.makeAsyncIterator()
        do {
            try await withThrowingDiscardingTaskGroup { group in
                var next = first
                if next == nil { next = try await iterator.next() }
                while let message = next {
                    try await process(message, group: &group, handler: handler, logger: logger)
                    next = try await iterator.next()
                }
            }
        } catch {
            reason = error
            logger.notice("link closed", metadata: ["peer": "\(peer.name)", "reason": "\(error)"])
        }
        connection.close()
        let waiting = state.withLock { s -> [CheckedContinuation<ByteBuffer, any Error>] in
            s.closedBecause = reason
            let continuations = s.pending.values.compactMap { slot -> CheckedContinuation<ByteBuffer, any Error>? in
                if case .waiting(let continuation?) = slot { return continuation }
                return nil
            }
            s.pending = [:]
            return continuations
        }
        for continuation in waiting {
            continuation.resume(throwing: RPCFailure(.unavailable, "link to \(peer.name) closed: \(reason)"))
        }
    }

    private func process(
        _ message: Transport.Message, group: inout ThrowingDiscardingTaskGroup<any Error>,
        handler: any NodeMessageHandler, logger: Logger
    ) async throws {
        var payload = message.payload
        switch message.kind {
        case MessageKind.response:
            let id: UInt64 = try payload.readWireInteger("response id")
            let status: UInt8 = try payload.readWireInteger("response status")
            if status == 0 {
                complete(id, with: .success(payload))
            } else {
                let code = RPCFailure.Code(rawValue: status) ?? .internalError
                let text = (try? payload.readWireString("failure message")) ?? "failed without a message"
                complete(id, with: .failure(RPCFailure(code, text)))
            }
        case MessageKind.request:
            let id: UInt64 = try payload.readWireInteger("request id")
            let op: UInt16 = try payload.readWireInteger("request op")
            let body = payload
            guard served.add(1, ordering: .relaxed).newValue <= Self.servedInFlightMax else {
                served.subtract(1, ordering: .relaxed)
                await refuseOverLimit(id: id, op: op, logger: logger)
                return
            }
            group.addTask {
                await self.answer(id: id, op: op, payload: body, handler: handler, logger: logger)
                self.served.subtract(1, ordering: .relaxed)
            }
        case MessageKind.oneWay:
            let raw: UInt8 = try payload.readWireInteger("one-way channel")
            guard let channel = OneWayChannel(rawValue: raw) else { throw WireError("unknown one-way channel \(raw)") }
            await handler.handleOneWay(channel: channel, payload: payload, from: peer)
        default:
            throw WireError("message kind \(message.kind) on an RPC link")
        }
    }

    /// A peer that ignores its own bound gets a typed refusal, and the
    /// request never runs: nothing it sends makes this node queue more work.
    private func refuseOverLimit(id: UInt64, op: UInt16, logger: Logger) async {
        var reply = ByteBuffer()
        reply.writeWireInteger(id)
        reply.writeWireInteger(RPCFailure.Code.tooManyRequests.rawValue)
        reply.writeWireString("more than \(Self.servedInFlightMax) requests in flight on one link; wait for answers before sending more")
        do {
            try await connection.send(kind: MessageKind.response, payload: reply)
        } catch {
            logger.debug("could not refuse request", metadata: ["peer": "\(peer.name)", "op": "\(op)", "error": "\(error)"])
        }
    }

    private func answer(id: UInt64, op: UInt16, payload: ByteBuffer, handler: any NodeMessageHandler, logger: Logger) async {
        var reply = ByteBuffer()
        reply.writeWireInteger(id)
        do {
            let result = try await handler.handleRequest(op: op, payload: payload, from: peer)
            reply.writeWireInteger(UInt8(0))
            reply.writeImmutableBuffer(result)
        } catch {
            let failure = (error as? RPCFailure)
                ?? (error as? WireError).map { RPCFailure(.malformed, $0.description) }
                ?? RPCFailure(.internalError, "\(error)")
            reply.writeWireInteger(failure.code.rawValue)
            reply.writeWireString(failure.message)
        }
        do {
            try await connection.send(kind: MessageKind.response, payload: reply)
        } catch {
            logger.debug("could not answer request", metadata: ["peer": "\(peer.name)", "op": "\(op)", "error": "\(error)"])
        }
    }
}
