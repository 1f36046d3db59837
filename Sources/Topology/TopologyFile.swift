import Foundation
import Yams

/// Cluster descriptions (topology/*.yaml): machines, disks, capacities, racks, roles.
///
/// The format, with every field an operator may write:
///
/// ```yaml
/// cluster:
///   name: junkyard            # required
///   blockSize: 64MiB          # optional, default 64MiB
///   replicationFactor: 3      # optional, default 3
///   scrubMbps: 20             # optional, default 20: background block verification per node, MB/s; 0 = off
///   scrubIntervalHours: 168   # optional, default 168: a full scrub pass starts at most this often
/// machines:
///   - name: m1                # unique
///     address: 10.0.0.5:7400  # host:port, unique
///     roles: [voter, worker]  # voter = may be master (runs Raft); worker = stores blocks
///     rack: r1                # optional, default "default"
///     diskAgeYears: 4         # optional: declared age of the machine's disks
///     metricsAddress: 10.0.0.5:8400  # optional: serve Prometheus /metrics there (default: not served)
///     s3Address: 10.0.0.5:9401       # optional: serve the S3-compatible door there (default: not served)
///     disks:                  # required for workers
///       - path: /mnt/disk1    # relative paths are relative to where the node runs
///         capacity: 120GB     # decimal (GB, TB) or binary (GiB, TiB) units
///         class: ssd          # ssd | hdd
/// ```
///
/// Parsing is pure: the caller reads the file and hands over its text and its
/// name, which every error message starts with, so that an operator gets
/// `topology/x.yaml:14: machines[2].disks[0].capacity: '12XB' is not a size`.
public enum TopologyFile {
    public static let defaultBlockSizeBytes: Int64 = 64 * 1024 * 1024
    public static let defaultReplicationFactor = 3
    public static let defaultRack = "default"

    /// `30s`, `2s`, `500ms`, `1m` (or bare milliseconds) as milliseconds; nil when it is none of these.
    public static func milliseconds(parsing text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(suffix: String, factor: Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000)]
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            guard let value = Double(trimmed.dropLast(unit.suffix.count)), value.isFinite, value >= 0,
                  value * unit.factor <= 86_400_000 else { return nil }
            return Int64((value * unit.factor).rounded())
        }
        guard let value = Int64(trimmed), value >= 0, value <= 86_400_000 else { return nil }
        return value
    }

    /// Parses and validates a topology; the first problem found is thrown.
    public static func parse(yaml text: String, fileName: String) throws(TopologyError) -> Topology {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw TopologyError(file: fileName, line: error.line, field: "", problem: error.problem)
        } catch {
            throw TopologyError(file: fileName, line: nil, field: "", problem: "not YAML: \(error)")
        }
        guard let root else {
            throw TopologyError(file: fileName, line: nil, field: "", problem: "the file is empty (expected `cluster:` and `machines:`)")
        }
        var decoder = TopologyDecoder(fileName: fileName)
        return try decoder.decode(root)
    }
}

extension YamlError {
    fileprivate var line: Int? {
        switch self {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }

    fileprivate var problem: String {
        switch self {
        case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
            return "not valid YAML: " + (context.map { "\($0.text), " } ?? "") + problem
        case let .duplicatedKeysInMapping(duplicates, _):
            return "duplicated keys: " + duplicates.sorted().joined(separator: ", ")
        default:
            return "not valid YAML: \(self)"
        }
    }
}
