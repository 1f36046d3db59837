/// Raft as a pure state machine (Ongaro & Ousterhout, "In Search of an
/// Understandable Consensus Algorithm", and Ongaro's thesis for pre-vote,
/// check-quorum, membership changes, ReadIndex and leadership transfer).
///
/// `Raft.Node` does no I/O: the driver feeds it ticks, received messages and
/// client requests, then takes a `Raft.Ready` (what to persist, what to
/// apply) and must call `advance(_:)` — which is the only way to obtain the
/// outgoing messages — after it has made `Ready`'s state durable. So the
/// ordering contract "persist before send" is enforced by the types.
///
/// Terms used here: *voters* decide elections and commits; *learners* receive
/// the log but never count; the *configuration* in force is the latest
/// configuration entry in a node's log, committed or not (thesis §4.1).
public enum Raft {}
