import Foundation

/// A private PostgreSQL server for one test: `initdb` in a temporary folder (as the `postgres`
/// user when the tests run as root, since the server refuses root), password authentication on
/// 127.0.0.1 at a free port, stopped (`pg_ctl stop -m immediate`) when released.
final class PostgresServer {
    static let password = "s3cret-for-tests"
    let folder = TemporaryFolder()
    let port: Int
    let bin: String
    var dataDirectory: String { folder.path + "/pg/data" }
    var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    /// The newest installed server (Debian: /usr/lib/postgresql/VERSION/bin).
    static func findBin() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb") else {
            throw ClusterFailure("no PostgreSQL server under \(root): install Debian's postgresql (scripts/test.sh does)")
        }
        return "\(root)/\(newest)/bin"
    }

    init() throws {
        bin = try Self.findBin()
        port = try FreePorts.take(1)[0]
        let pg = folder.path + "/pg"
        try FileManager.default.createDirectory(atPath: pg, withIntermediateDirectories: true)
        let passwordFile = pg + "/pw"
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            _ = try Self.run("/bin/chown", ["-R", "postgres:postgres", pg])
        }
        try asServerUser(bin + "/initdb", ["-D", dataDirectory, "-U", "postgres", "--pwfile", passwordFile,
                                           "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync"])
        try asServerUser(bin + "/pg_ctl", [
            "-D", dataDirectory, "-l", pg + "/server.log", "-w", "-t", "30",
            "-o", "-p \(port) -k \(pg) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=50",
            "start"])
    }

    deinit {
        _ = try? asServerUser(bin + "/pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// Through `system()` (fork, exec, waitpid), not `Process`: the server that `pg_ctl start`
    /// leaves behind keeps what it inherited, and `Process.waitUntilExit` then never returns.
    private func asServerUser(_ tool: String, _ arguments: [String]) throws {
        let output = folder.path + "/pg/tool.out"
        let quoted = ([tool] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command = (getuid() == 0 ? "/usr/sbin/runuser -u postgres -- " : "") + quoted + " </dev/null >'\(output)' 2>&1"
        let status = system(command)
        guard status == 0 else {
            let out = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let log = (try? String(contentsOfFile: folder.path + "/pg/server.log", encoding: .utf8)) ?? ""
            throw ClusterFailure("\(tool) failed (\(status)): \(out)\n\(log.suffix(2000))")
        }
    }

    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> YonkeProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stderrData = LockedData()
        let reader = Thread { stderrData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !stderrData.isSet { usleep(1000) }
        return YonkeProcess.Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                   stderr: String(decoding: stderrData.get(), as: UTF8.self))
    }

    var clientEnvironment: [String: String] { ["PGPASSWORD": Self.password] }

    /// Runs SQL through psql over TCP (stops at the first error).
    @discardableResult
    func sql(_ text: String) throws -> String {
        let result = try Self.run("/usr/bin/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres",
                                                   "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", text],
                                  environment: clientEnvironment)
        guard result.status == 0 else { throw ClusterFailure("psql failed: \(result.stderr) for \(text.prefix(200))") }
        return result.stdout
    }

    /// Starts psql on a script in the background (a writer that keeps inserting, or holds a
    /// transaction open); `wait()` on the result.
    func background(_ script: String) throws -> Process {
        let path = folder.path + "/script-\(UUID().uuidString).sql"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1",
                             "-X", "-q", "-f", path]
        process.environment = ProcessInfo.processInfo.environment.merging(clientEnvironment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
