/// The deterministic simulator: many nodes, one thread, one seed.
public enum Simulation {}
