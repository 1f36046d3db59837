import YonkeProtocol
import YonkeClient
import NIOCore
import NIOPosix

/// Threads of their own for the actors that hold the cluster together (Raft,
/// SWIM, the links they speak over). Swift's default executor has one thread
/// per core — two on the machines Yonke runs on — shared with everything else a
/// node does; a 50 ms Raft heartbeat that waits behind block work there turns
/// into an election nobody asked for (seen on local-4 during a 1 GiB put: two
/// terms). On these threads only quick, non-blocking work runs, so heartbeats
/// and probes leave on time whatever the data plane is doing.
enum ControlPlane {
    /// Process-wide (in-process test clusters share it); never shut down, so
    /// the executors handed out below outlive every actor that runs on them.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)

    /// A serial executor for one actor (the group's event loops in turn).
    static func executor() -> any SerialExecutor {
        group.next().executor
    }
}
