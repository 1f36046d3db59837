import Synchronization

/// Bytes on the wire (frame headers included, after sealing) over every link
/// made with one `Transport.Settings`: what a node's metrics call bytes in/out.
public final class TrafficCounters: Sendable {
    private let received = Atomic<Int64>(0)
    private let sent = Atomic<Int64>(0)

    public init() {}

    public var receivedBytes: Int64 { received.load(ordering: .relaxed) }
    public var sentBytes: Int64 { sent.load(ordering: .relaxed) }

    func onReceived(_ bytes: Int) { received.add(Int64(bytes), ordering: .relaxed) }
    func onSent(_ bytes: Int) { sent.add(Int64(bytes), ordering: .relaxed) }
}
