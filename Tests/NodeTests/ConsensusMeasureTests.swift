import YonkeProtocol
import YonkeClient
import Catalog
import Foundation
import Testing
@testable import Node

@Suite(.serialized)
struct ConsensusMeasureTests {
    @Test func measure() async throws {
        guard ProcessInfo.processInfo.environment["YONKE_MEASURE"] != nil else { return }
        var elections: [Double] = [], failovers: [Double] = [], viaMaster: [Double] = [], viaFollower: [Double] = [], stats: [Double] = []
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
        for round in 0..<5 {
            let start = ContinuousClock.now
            try await ConsensusTestCluster.with(voters: ["m1", "m2", "m3"], workers: []) { cluster in
                let master = try await cluster.waitForMaster(within: .seconds(5))
                elections.append(ms(ContinuousClock.now - start))
                try await cluster.waitForBootstrap()
                let follower = cluster.voterNames.first { $0 != master }!
                let cm = try cluster.client(master), cf = try cluster.client(follower)
                for i in 0..<40 {
                    for (client, into) in [(cm, 0), (cf, 1)] {
                        let t = ContinuousClock.now
                        _ = try await CatalogOps.commitFile("lake://bronze/r\(round)/f\(i)-\(into).csv", sizeBytes: 1, blocks: [(ConsensusTestCluster.block(UInt8(i)), 1)], source: "m", contentType: "text/csv", tier: "hot", client: client)
                        if into == 0 { viaMaster.append(ms(ContinuousClock.now - t)) } else { viaFollower.append(ms(ContinuousClock.now - t)) }
                    }
                    let t = ContinuousClock.now
                    _ = try await CatalogOps.stat("lake://bronze/r\(round)/f\(i)-0.csv", client: cf)
                    stats.append(ms(ContinuousClock.now - t))
                }
                await cm.close(); await cf.close()
                let killAt = ContinuousClock.now
                await cluster.kill(master)
                _ = try await cluster.waitForMaster(within: .seconds(5), among: cluster.voterNames.filter { $0 != master })
                failovers.append(ms(ContinuousClock.now - killAt))
            }
        }
        func p(_ xs: [Double], _ q: Double) -> String { let s = xs.sorted(); return String(format: "%.1f", s[min(s.count - 1, Int(Double(s.count) * q))]) }
        print("MEASURE election-from-start ms p50 \(p(elections, 0.5)) max \(p(elections, 1))")
        print("MEASURE failover-after-kill ms p50 \(p(failovers, 0.5)) max \(p(failovers, 1))")
        print("MEASURE commit via master ms p50 \(p(viaMaster, 0.5)) p99 \(p(viaMaster, 0.99))")
        print("MEASURE commit via follower ms p50 \(p(viaFollower, 0.5)) p99 \(p(viaFollower, 0.99))")
        print("MEASURE stat via follower ms p50 \(p(stats, 0.5)) p99 \(p(stats, 0.99))")
    }
}
