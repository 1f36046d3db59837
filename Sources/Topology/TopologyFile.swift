import Yams

/// Cluster descriptions (topology/*.yaml): machines, disks, capacities, racks, roles.
public enum TopologyFile {}
