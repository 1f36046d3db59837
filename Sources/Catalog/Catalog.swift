/// The metadata state machine that Raft replicates: namespace, files, blocks, zones, tiers.
public enum Catalog {}
