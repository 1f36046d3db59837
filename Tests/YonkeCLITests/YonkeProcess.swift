import Foundation

/// Runs the real `yonke` binary that `swift build` put next to the test bundle.
enum YonkeProcess {
    static var binary: String {
        if let explicit = ProcessInfo.processInfo.environment["YONKE_BIN"] { return explicit }
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleFolder, bundleFolder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("yonke").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return bundleFolder.appendingPathComponent("yonke").path
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs to completion; a run past `timeoutSeconds` is killed (and its result says so).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 300) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
        defer { watchdog.cancel() }
        // Read both pipes concurrently so a chatty stderr cannot block the child.
        let stderrData = LockedData()
        let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !stderrData.isSet { usleep(1000) }
        let stderr = stderrData.get()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data ?? Data() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return data != nil }
}

final class TemporaryFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "yonke-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
