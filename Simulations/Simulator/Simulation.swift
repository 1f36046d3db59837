/// The deterministic simulator: many nodes, one thread, one seed.
/// `Core/` holds the protocol-independent parts (time, event queue, network,
/// faults, traces); `Raft/` and `Swim/` drive one protocol each.
public enum Simulation {}
