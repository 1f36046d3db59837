/// Raft as a pure state machine: see Raft.Node. No clock, socket, disk or ambient randomness.
public enum Raft {}
