import ArgumentParser
import Chaos
import Foundation
import YonkeCore

struct ChaosWorkloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Write, overwrite, delete and read files with known contents, recording every operation.",
        discussion: """
            Each process owns its own files (lake://bronze/chaos/pP-fF) and runs one `yonke` command at a time, as a user would; the history (JSON lines: kind, path, version, invoke and completion time, outcome, error) is what `chaos check` verifies. Every write has a version of its own whose bytes follow from its name, so a read names the version it saw or proves it saw bytes never written.

            Example:
              yonke chaos workload --duration 60 --processes 2 --history history.jsonl &
              yonke chaos run --duration 50 --interval 5 --faults partition,pause
              yonke chaos check --history history.jsonl
            """
    )

    @Option(name: .long, help: "How long to run: seconds, or 30s / 5m.") var duration: String
    @Option(name: .long, help: "Concurrent clients, each with files of its own.") var processes: Int = 2
    @Option(name: .long, help: "Files per client.") var files: Int = 3
    @Option(name: .long, help: "Bytes per written file.") var size: Int = 256 << 10
    @Option(name: .long, help: "Seconds before an operation counts as hung (it is then killed).") var opTimeout: Double = 30
    @Option(name: .long, help: "Seed of the operation mix.") var seed: UInt64 = 1
    @Option(name: .long, help: "The history file (JSON lines).") var history: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard (1...64).contains(processes), (1...1000).contains(files), (1...(256 << 20)).contains(size) else {
            throw CLIError("--processes 1...64, --files 1...1000 and --size 1...256MiB", hint: "pick smaller figures")
        }
        let seconds = try ChaosPlan.seconds(duration, option: "--duration")
        let recorder = try JSONLinesFile(path: history, what: "history")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("yonke-workload-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let connection = try client.connectionArguments()
        let end = Date().addingTimeInterval(seconds)
        let worker = WorkloadProcess.Settings(files: files, size: size, opTimeout: opTimeout, scratch: scratch, connection: connection)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for process in 0..<processes {
                group.addTask {
                    var runner = WorkloadProcess(index: process, seed: seed &+ UInt64(process), settings: worker)
                    return try await runner.run(until: end, recorder: recorder)
                }
            }
            return try await group.reduce(0, +)
        }
        if client.json { try client.printJSON(["operations": counts]) } else { print("\(counts) operations recorded in \(history)") }
    }
}

/// One client of the workload: its files, its versions, one command at a time.
struct WorkloadProcess {
    struct Settings: Sendable {
        var files: Int
        var size: Int
        var opTimeout: Double
        var scratch: String
        var connection: [String]
    }

    let index: Int
    let settings: Settings
    private var generator: SeededGenerator
    private var versions = 0

    init(index: Int, seed: UInt64, settings: Settings) {
        self.index = index
        self.settings = settings
        generator = SeededGenerator(seed: seed)
    }

    static func path(process: Int, file: Int) -> String { "lake://bronze/chaos/p\(process)-f\(file)" }

    mutating func run(until end: Date, recorder: JSONLinesFile) async throws -> Int {
        var count = 0
        while Date() < end {
            let file = Int(generator.next() % UInt64(settings.files))
            let path = Self.path(process: index, file: file)
            let roll = generator.next() % 100
            if roll < 45 {
                versions += 1
                let version = "p\(index)f\(file)v\(versions)"
                let local = settings.scratch + "/w\(index)"
                try FileContents.bytes(version: version, size: settings.size).write(to: URL(fileURLWithPath: local))
                recorder.append(try await perform(.write, path: path, value: version,
                                                  ["put", local, path] + settings.connection))
            } else if roll < 55 {
                recorder.append(try await perform(.delete, path: path, value: nil, ["rm", path] + settings.connection))
            } else {
                recorder.append(try await Self.read(path: path, into: settings.scratch + "/r\(index)", process: index,
                                                    connection: settings.connection, timeoutSeconds: settings.opTimeout))
            }
            count += 1
        }
        return count
    }

    private func perform(_ kind: HistoryRecord.Kind, path: String, value: String?, _ arguments: [String]) async throws -> HistoryRecord {
        let invoked = Self.nowMillis()
        let result = try await ChildProcess.yonke(arguments, timeoutSeconds: settings.opTimeout)
        // Removing a file that is not there is a definite answer: it was absent then.
        let ok = !result.timedOut && (result.status == 0 || (kind == .delete && result.stderr.contains(": not found")))
        return HistoryRecord(process: index, kind: kind, path: path, value: value, invokeMillis: invoked,
                             completeMillis: Self.nowMillis(), outcome: ok ? .ok : .failed,
                             error: ok ? nil : Self.errorText(result))
    }

    /// A read names the version it saw (`nil`: no such file). `chaos check` reads
    /// through here too, as process -1.
    static func read(path: String, into local: String, process: Int, connection: [String],
                     timeoutSeconds: Double) async throws -> HistoryRecord {
        try? FileManager.default.removeItem(atPath: local)
        let invoked = nowMillis()
        let result = try await ChildProcess.yonke(["get", path, local] + connection, timeoutSeconds: timeoutSeconds)
        let completed = nowMillis()
        var record = HistoryRecord(process: process, kind: .read, path: path, value: nil, invokeMillis: invoked,
                                   completeMillis: completed, outcome: .ok)
        if result.status == 0, !result.timedOut {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: local))) ?? Data()
            record.value = FileContents.version(of: bytes) ?? HistoryRecord.unknownValue
        } else if !result.timedOut, result.stderr.contains(": not found") {
            record.value = nil
        } else {
            record.outcome = .failed
            record.error = errorText(result)
        }
        return record
    }

    static func errorText(_ result: ChildProcess.Result) -> String {
        result.timedOut ? "hung: killed after the operation timeout"
                        : result.stderr.split(separator: "\n").first.map(String.init) ?? "exit \(result.status) without a message"
    }

    static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// The bytes of a version: a header naming it, then bytes that follow from the name.
enum FileContents {
    static let prefix = "yonke-chaos "

    static func bytes(version: String, size: Int) -> Data {
        var data = Data((prefix + version + "\n").utf8)
        var generator = SeededGenerator(seed: version.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 })
        while data.count < size {
            withUnsafeBytes(of: generator.next()) { data.append(contentsOf: $0.prefix(size - data.count)) }
        }
        return data
    }

    /// The version these bytes are, or nil when they are not exactly some version's bytes.
    static func version(of data: Data) -> String? {
        guard data.starts(with: Data(prefix.utf8)), let newline = data.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let version = String(decoding: data[data.startIndex + prefix.utf8.count..<newline], as: UTF8.self)
        return bytes(version: version, size: data.count) == data ? version : nil
    }
}
