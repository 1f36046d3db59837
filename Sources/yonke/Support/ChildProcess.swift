import Foundation

/// Runs `yonke` itself as a child, as a user would from a shell: the chaos
/// workload records exactly what the CLI answered and how long it took.
enum ChildProcess {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    static func yonke(_ arguments: [String], timeoutSeconds: Double) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessSpawner.selfExecutable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.yield(); exited.continuation.finish() }
        try process.run()
        // Read while it runs: a full pipe would block the child.
        async let output = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let errors = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        // True only when the timeout itself killed the child (not a SIGKILL from elsewhere).
        let watchdog = Task { () -> Bool in
            do { try await Task.sleep(for: .seconds(timeoutSeconds)) } catch { return false }
            kill(process.processIdentifier, SIGKILL)
            return true
        }
        for await _ in exited.stream { break }
        watchdog.cancel()
        let timedOut = await watchdog.value
        return Result(status: process.terminationStatus, stdout: String(decoding: await output, as: UTF8.self),
                      stderr: String(decoding: await errors, as: UTF8.self), timedOut: timedOut)
    }
}
