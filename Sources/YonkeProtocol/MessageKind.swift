/// The first byte of every node-level message (the transport's `kind`).
///
/// A link carries either RPC traffic (`oneWay`, `request`, `response`, any
/// mix, both directions) or one block stream: a link whose first message is a
/// `blockStream*` kind is handed whole to the block service, which owns it
/// until it closes (a block is 64 MiB in 1 MiB frames; interleaving it with
/// heartbeats on one link would delay the heartbeats behind it).
public enum MessageKind {
    /// `[u8 channel][payload]`, no reply: Raft and SWIM traffic (they tolerate loss).
    public static let oneWay: UInt8 = 0x01
    /// `[u64 requestID][u16 op][payload]`.
    public static let request: UInt8 = 0x02
    /// `[u64 requestID][u8 status][payload]`; status 0 = ok, else `RPCFailure` code with a message.
    public static let response: UInt8 = 0x03
    /// Block data streams, `0x40...0x5F`, owned by the block service.
    public static let blockStreamRange: ClosedRange<UInt8> = 0x40...0x5F
}

/// One-way channels.
public enum OneWayChannel: UInt8, Sendable {
    case raft = 1
    case swim = 2
    case blockReport = 3
}
