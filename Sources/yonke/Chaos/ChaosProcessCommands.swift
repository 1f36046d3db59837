import ArgumentParser
import Foundation

/// A node process of a local cluster (`yonke cluster up`), by name.
struct LocalNodeProcess {
    let folder: ClusterFolder
    let name: String
    let pid: pid_t

    init(data: String, name: String) throws {
        folder = ClusterFolder(data)
        let pids = folder.readPids()
        guard let entry = pids.first(where: { $0.name == name }) else {
            throw CLIError("no node named '\(name)' in \(folder.pidsPath)",
                           hint: pids.isEmpty ? "start a local cluster with `yonke cluster up TOPOLOGY --data \(data)`"
                                              : "local nodes: \(pids.map(\.name).joined(separator: ", "))")
        }
        self.name = name
        pid = entry.pid
    }

    func signal(_ signal: Int32, _ what: String, quiet: Bool = false) throws {
        guard kill(pid, signal) == 0 else {
            throw CLIError("cannot \(what) \(name) (pid \(pid)): \(String(cString: strerror(errno)))",
                           hint: "is it still running? `yonke chaos restart \(name)` starts it again")
        }
        if !quiet { print("\(what) \(name) (pid \(pid))") }
    }
}

struct ChaosKillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "SIGKILL a node of the local cluster (no goodbye to its peers).",
        discussion: """
            Example:
              yonke chaos kill w4 --data ./.yonke-data
            """
    )
    @Argument(help: "The node.") var name: String
    @Option(name: .long, help: "Cluster data folder of `yonke cluster up`.") var data: String = "./.yonke-data"

    func run() throws {
        let node = try LocalNodeProcess(data: data, name: name)
        try node.signal(SIGKILL, "killed")
        _ = waitpid(node.pid, nil, 0)
    }
}

struct ChaosPauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "SIGSTOP a node: a hung machine that keeps its connections open.",
        discussion: """
            Example:
              yonke chaos pause m2 && sleep 10 && yonke chaos resume m2
            """
    )
    @Argument(help: "The node.") var name: String
    @Option(name: .long, help: "Cluster data folder of `yonke cluster up`.") var data: String = "./.yonke-data"

    func run() throws { try LocalNodeProcess(data: data, name: name).signal(SIGSTOP, "paused") }
}

struct ChaosResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "SIGCONT a paused node.",
        discussion: """
            Example:
              yonke chaos resume m2
            """
    )
    @Argument(help: "The node.") var name: String
    @Option(name: .long, help: "Cluster data folder of `yonke cluster up`.") var data: String = "./.yonke-data"

    func run() throws { try LocalNodeProcess(data: data, name: name).signal(SIGCONT, "resumed") }
}

struct ChaosRestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop a node of the local cluster (if running) and start it again from its data.",
        discussion: """
            SIGTERM, then SIGKILL after 10 s; the node starts with the arguments `cluster up` gave it.

            Example:
              yonke chaos restart w4
            """
    )
    @Argument(help: "The node.") var name: String
    @Option(name: .long, help: "Cluster data folder of `yonke cluster up`.") var data: String = "./.yonke-data"

    func run() throws {
        let pid = try LocalNodeProcess(data: data, name: name).restart()
        print("restarted \(name) (pid \(pid))")
    }
}

extension LocalNodeProcess {
    /// Stops the node if it runs (SIGTERM, then SIGKILL after 10 s) and starts it with its recorded arguments.
    func restart() throws -> pid_t {
        if ProcessSpawner.isAlive(pid) {
            kill(pid, SIGCONT)  // a paused node cannot act on SIGTERM
            ClusterStopper.stop([(name, pid)])
        }
        guard let text = try? String(contentsOfFile: folder.argumentsPath(name), encoding: .utf8) else {
            throw CLIError("no start arguments recorded for \(name) in \(folder.argumentsPath(name))",
                           hint: "restart the whole cluster: `yonke cluster down` then `yonke cluster up`")
        }
        let restarted = try folder.startNode(name, arguments: text.split(separator: "\n").map(String.init))
        try folder.writePids(folder.readPids().map { $0.name == name ? (name, restarted) : $0 })
        return restarted
    }
}
