/// Capacity-weighted, rack- and reliability-aware replica placement and the rebalance planner.
public enum Placement {}
