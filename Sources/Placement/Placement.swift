/// Capacity-weighted, rack- and reliability-aware replica placement, and the
/// rebalance planner.
///
/// **Choosing replicas (straw2).** For block `b` and eligible machine `m`,
/// `u = unit(hash(b) ⊕ hash(m.name))` and the draw is `ln(u) / w'(m)`. The
/// machine with the highest draw wins the first replica; the next highest
/// allowed one wins the second, and so on. `−ln(u)/w` is an exponential clock
/// of rate `w`, so each pick is proportional to weight among the machines
/// still allowed; a machine's draws for other blocks do not depend on any other
/// machine, so a join or a loss moves only the blocks whose winners changed
/// (Ceph's straw2, weighted rendezvous hashing).
///
/// **Allowed** machines at each pick: not yet chosen; in a rack holding fewer
/// than `replicasPerRackMax` of the block's replicas; and such that the block
/// can still be completed under both rules below. With two or more racks,
/// `replicasPerRackMax ≤ RF − 1`, so a block never sits in one rack (HDFS's
/// rule). It is the smallest cap that every rack's share of capacity allows:
/// three equal racks get one replica each; unequal racks get at most two, as a
/// cap of one would force every rack to a third of all replicas whatever its size.
///
/// **Shares that follow capacity (weight set).** A machine holds at most one
/// replica per block, so plain per-replica draws under-fill the largest
/// machines: with capacities spanning 30×, the 3.6 TB box of a 12.7 TB cluster
/// would get 24 % of replicas instead of 28 %. Like Ceph's weight-set (the
/// balancer's `crush-compat` mode) we draw with corrected weights `w'`, found
/// once per member set: the probability that each machine is among a block's
/// replicas is computed *exactly* from the pick rules above (an enumeration of
/// the at most n·(n−1)·(n−2) ordered picks), and `w'` is rescaled by
/// target/actual until they agree to 1e-7 — a deterministic fixed point, no
/// sampling. Clusters too large to enumerate (more than ~46 machines at RF 3)
/// use the closed form `w' ∝ 1 − (1 − p)^(1/RF)`, which treats the other
/// machines' clocks as one Poisson stream: approximate (it ignores the rack
/// cap), and the smaller each machine's share, the better it gets.
/// A machine's target share of replicas is its weight share, except that no
/// machine can hold more than one replica per block: the excess goes to the rest.
///
/// **Changes move little.** Re-solving the weight set after a join re-tunes
/// every machine, and each retuned weight moves blocks between old machines.
/// So a map built with `previous:` keeps each machine's old corrected weight
/// while its expected share stays within `weightSetTolerance` (2 %) of target
/// and nudges the others only to the edge of half that band. On junkyard.yaml
/// a 1 TB join then copies 1.08× the new machine's share instead of 1.15×,
/// a drain 1.10× instead of 1.17×
/// (100,000 blocks; see the README). The weight set becomes part of the
/// cluster map's history, as in Ceph, so the master stores it in the catalog.
///
/// **Weights.** Free bytes in the tier (hot: SSD; cold and glacier: all disks)
/// times `Reliability.weightFactor(score)`. Full (less than one block free) and
/// draining machines get weight 0 and no replicas. Glacier uses only the largest
/// machines.
///
/// **Unreliable machines.** When at least one eligible machine scores at or
/// above `Config.reliabilityThreshold`, a pick that would leave only unreliable
/// machines for a block is not allowed — so a block always keeps one replica on
/// a machine that can be trusted, and otherwise the score only shades weights.
public enum Placement {}
