/// The metadata state machine that Raft replicates (DESIGN.md, "Catalog"): the namespace under
/// `lake://` (zones `bronze`, `silver`, `gold` are top-level folders made at bootstrap), every
/// file's load metadata and block list, job leases and ingest bookmarks, and the admitted machines.
///
/// - `Catalog.State.apply(_:index:)` is a pure function of the state and one committed log entry;
///   a refused command leaves the state untouched (only `appliedIndex` and the clock advance).
/// - Time is the `epochMillis` a command carries (stamped by the leader); the state keeps the
///   largest seen, so time inside the state machine never runs backwards across leader changes.
/// - Block *locations* are not here: they are soft state rebuilt from block reports (`BlockMap`),
///   as HDFS's NameNode does, so a block moving between disks never costs a log entry.
/// - Nothing iterates a Dictionary or Set unsorted: snapshots, listings and outcomes are the same
///   bytes in every process (Swift seeds hashing per process).
public enum Catalog {}
