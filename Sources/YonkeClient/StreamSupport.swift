import YonkeProtocol
import Logging
import NIOCore
import Synchronization
import Transport

/// An outbound block-stream link: the connection lives in a task that keeps
/// its scope open until `release()`, so the opener can use it from its own task.
public struct StreamLink: Sendable {
    public let connection: Connection
    private let done: AsyncStream<Never>.Continuation

    /// Connects and handshakes within `timeout`; the peer must present `target.name`.
    public static func open(_ target: BlockTarget, settings: Transport.Settings, timeout: Duration) async throws -> StreamLink {
        let opened = OneShot<StreamLink>()
        let task = Task {
            do {
                try await TransportClient.withConnection(
                    host: target.address.host, port: target.address.port, settings: settings
                ) { connection in
                    guard connection.peer.name == target.name else {
                        throw RPCFailure(.refused, "\(target.address) answered as \(connection.peer.name), expected \(target.name)")
                    }
                    let (stream, done) = AsyncStream<Never>.makeStream()
                    let link = StreamLink(connection: connection, done: done)
                    if !opened.fulfill(.success(link)) { return } // too late: the opener gave up
                    for await _ in stream {}
                }
            } catch {
                opened.fulfill(.failure(error))
            }
        }
        do {
            return try await opened.wait(timeout: timeout) {
                RPCFailure(.unavailable, "no stream link to \(target) within \(timeout)")
            }
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Ends the link's scope (closing it).
    public func release() {
        connection.close()
        done.finish()
    }

    init(connection: Connection, done: AsyncStream<Never>.Continuation) {
        self.connection = connection
        self.done = done
    }
}

/// A value delivered once, from any task, to one waiter.
public final class OneShot<Value: Sendable>: Sendable {
    private let state = Mutex<(result: Result<Value, any Error>?, waiter: CheckedContinuation<Value, any Error>?)>((nil, nil))

    /// False when a result was already there (this one is dropped).
    @discardableResult
    public func fulfill(_ result: Result<Value, any Error>) -> Bool {
        let (accepted, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard s.result == nil else { return (false, nil) }
            s.result = result
            defer { s.waiter = nil }
            return (true, s.waiter)
        }
        waiter?.resume(with: result)
        return accepted
    }

    public var isFulfilled: Bool { state.withLock { $0.result != nil } }

    public func wait() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<Value, any Error>? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Waits at most `timeout`; then fails with `onTimeout()` (and any later result is dropped).
    public func wait(timeout: Duration, onTimeout: @escaping @Sendable () -> any Error) async throws -> Value {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.fulfill(.failure(onTimeout()))
        }
        defer { timer.cancel() }
        return try await wait()
    }
}

/// Closes a link that makes no progress for too long: awaits on a connection
/// (a send into a full socket, a read from a silent peer) then end with an
/// error instead of hanging. `arm` sets the deadline from now; `disarm` stops it.
public final class Watchdog: Sendable {
    private final class Clock: Sendable {
        struct State {
            public var deadline: ContinuousClock.Instant?
            public var fired = false
        }
        let state = Mutex(State())
    }
    private let clock = Clock()
    private let task: Task<Void, Never>

    public init(onExpire: @escaping @Sendable () -> Void) {
        let clock = self.clock
        task = Task {
            while !Task.isCancelled {
                let now = ContinuousClock.now
                let expired = clock.state.withLock { s -> Bool in
                    guard let deadline = s.deadline, now >= deadline else { return false }
                    s.fired = true
                    s.deadline = nil
                    return true
                }
                if expired {
                    onExpire()
                    return
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    deinit { task.cancel() }

    public func arm(_ timeout: Duration) { clock.state.withLock { $0.deadline = ContinuousClock.now + timeout } }
    public func disarm() { clock.state.withLock { $0.deadline = nil } }
    public var fired: Bool { clock.state.withLock { $0.fired } }
    public func stop() { task.cancel() }
}
