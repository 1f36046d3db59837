import Foundation

/// One JSON object per line, appended from any task as things happen, so a
/// run that dies midway still leaves what it did (chaos logs and histories).
final class JSONLinesFile: Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    /// Creates (or empties) the file; `what` names it in the error.
    init(path: String, what: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CLIError("cannot create the \(what) \(path)", hint: "check the folder exists and is writable")
        }
        self.handle = handle
    }

    func append<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return }
        lock.lock()
        defer { lock.unlock() }
        handle.write(data + Data("\n".utf8))
    }

    static func read<T: Decodable>(_ type: T.Type, path: String, what: String, hint: String) throws -> [T] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read the \(what) \(path)", hint: hint)
        }
        return try text.split(separator: "\n").enumerated().map { number, line in
            do { return try JSONDecoder().decode(type, from: Data(line.utf8)) } catch {
                throw CLIError("line \(number + 1) of \(path) is not a \(what) record: \(error)", hint: "was the file cut short?")
            }
        }
    }
}
