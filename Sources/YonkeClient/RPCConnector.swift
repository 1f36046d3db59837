import YonkeProtocol
import Logging
import Synchronization
import Topology
import Transport

/// Opens RPC links: the link lives in a task that serves it until it closes.
public enum RPCConnector {
    public static func open(
        _ address: Topology.Address, expectedName: String?, settings: Transport.Settings,
        handler: any NodeMessageHandler, logger: Logger, timeout: Duration
    ) async throws -> (RPCLink, Task<Void, Never>) {
        let opened = OpenedLink()
        let task = Task {
            do {
                try await TransportClient.withConnection(host: address.host, port: address.port, settings: settings) { connection in
                    if let expectedName, connection.peer.name != expectedName {
                        throw RPCFailure(.refused, "\(address) answered as \(connection.peer.name), expected \(expectedName)")
                    }
                    let link = RPCLink(connection: connection)
                    opened.deliver(.success(link))
                    await link.serve(handler: handler, logger: logger)
                }
            } catch {
                opened.deliver(.failure(error))
            }
        }
        do {
            return (try await opened.wait(timeout: timeout, address: address), task)
        } catch {
            task.cancel()
            throw error
        }
    }
}

/// Hands the link (or the failure) from the task that owns the connection to the caller.
public final class OpenedLink: Sendable {
    private let state = Mutex<(result: Result<RPCLink, any Error>?, waiter: CheckedContinuation<RPCLink, any Error>?)>((nil, nil))

    public func deliver(_ result: Result<RPCLink, any Error>) {
        let waiter = state.withLock { s -> CheckedContinuation<RPCLink, any Error>? in
            guard s.result == nil else {
                // Too late (the caller timed out): nobody will use this link.
                if case .success(let link) = result { link.close() }
                return nil
            }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(with: result)
    }

    public func wait(timeout: Duration, address: Topology.Address) async throws -> RPCLink {
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.deliver(.failure(RPCFailure(.unavailable, "no link to \(address) within \(timeout)")))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { s -> Result<RPCLink, any Error>? in
                if let result = s.result { return result }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
