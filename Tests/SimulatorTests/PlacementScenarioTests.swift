import Foundation
import Testing
@testable import Simulator
import Topology

private func topology(_ name: String) throws -> Topology {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("topology").appendingPathComponent(name)
    return try TopologyFile.parse(yaml: String(contentsOf: url, encoding: .utf8), fileName: "topology/\(name)")
}

/// `yonke-sim placement` at CI scale: 5,000 blocks on junkyard.yaml. The
/// share tolerance is wide because the 120 GB laptop expects only ~140
/// replicas here (one standard deviation is 8 %); the README's run uses
/// 100,000 blocks and ±5 %.
@Test func junkyardScenarioHasNoViolations() throws {
    let config = PlacementScenario.Config(blocks: 5_000, seed: 7, shareTolerance: 0.3)
    let report = PlacementScenario(topology: try topology("junkyard.yaml"), config: config).run()
    #expect(report.violations.isEmpty, "\(report.violations.prefix(5))")
    #expect(report.machines.count == 9)
    #expect(report.rackSpreadRate == 1)
    #expect(report.replicasPerRackMax == 2)
    #expect(report.events.map(\.kind) == ["join", "remove", "drain"])
    #expect(report.events.allSatisfy { $0.moved > 0 && $0.waves > 0 })
    #expect(try #require(report.moveRatio["join"]) <= 1.15)
    #expect(try #require(report.moveRatio["remove"]) <= 1.15)
    let shares = report.machines.reduce(0.0) { $0 + $1.blockShare }
    #expect(abs(shares - 1) < 1e-9)
}

@Test func local4ScenarioHasNoViolations() throws {
    let config = PlacementScenario.Config(blocks: 3_000, seed: 7, shareTolerance: 0.1)
    let report = PlacementScenario(topology: try topology("local-4.yaml"), config: config).run()
    #expect(report.violations.isEmpty, "\(report.violations.prefix(5))")
    #expect(report.machines.map(\.name) == ["m1", "m2", "m3", "w4"])
    // One rack: there is no rack to spread over.
    #expect(report.rackSpreadRate == 0)
    // Losing one of four machines leaves three for three replicas: every block
    // that had a replica there gets exactly one copy.
    let remove = try #require(report.events.first { $0.kind == "remove" })
    #expect(remove.moveRatio == 1)
}

/// One seed, one line: the scenario replays byte for byte.
@Test func scenarioReplaysFromItsSeed() throws {
    let junkyard = try topology("junkyard.yaml")
    let config = PlacementScenario.Config(blocks: 1_000, seed: 3, shareTolerance: 1)
    let first = PlacementScenario(topology: junkyard, config: config).run().jsonLine()
    let second = PlacementScenario(topology: junkyard, config: config).run().jsonLine()
    #expect(first == second)
    let decoded = try JSONDecoder().decode(PlacementReport.self, from: Data(first.utf8))
    #expect(decoded.blocks == 1_000)
}

/// The share check can fail: with no tolerance at all, sampling noise alone is a violation.
@Test func shareCheckReportsViolations() throws {
    let config = PlacementScenario.Config(blocks: 500, seed: 3, shareTolerance: 0)
    let report = PlacementScenario(topology: try topology("junkyard.yaml"), config: config).run()
    #expect(report.violations.contains { $0.contains("of replicas, target") })
}

private let options = PlacementRun.Options(blocks: 10, seed: 1, shareTolerance: 1, movesPerWave: 2,
                                           joinCapacity: nil, remove: nil, drain: nil)

@Test func badTopologyIsReportedWithLineAndField() {
    let yaml = "cluster:\n  name: t\n  blockSize: 64XB\nmachines: []\n"
    #expect(throws: PlacementRun.Failure.self) { try PlacementRun.run(topologyYAML: yaml, fileName: "t.yaml", options: options) }
    do {
        _ = try PlacementRun.run(topologyYAML: yaml, fileName: "t.yaml", options: options)
    } catch {
        #expect(error.description.hasPrefix("t.yaml:3: cluster.blockSize: '64XB' is not a size"))
    }
}

@Test(arguments: [("remove", "nobody"), ("drain", "nobody"), ("join", "12XB")])
func optionsThatDoNotFitAreRejected(flag: String, value: String) throws {
    var bad = options
    switch flag {
    case "remove": bad.remove = value
    case "drain": bad.drain = value
    default: bad.joinCapacity = value
    }
    let yaml = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("topology/local-4.yaml"), encoding: .utf8)
    do {
        _ = try PlacementRun.run(topologyYAML: yaml, fileName: "topology/local-4.yaml", options: bad)
        Issue.record("accepted --\(flag) \(value)")
    } catch {
        #expect(error.description.contains(value))
    }
}
