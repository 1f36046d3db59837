import Testing
@testable import Placement
import YonkeCore

/// Placement must not change when the master moves to another process or
/// platform: these values are fixed forever (changing them moves every block).
@Test(arguments: [
    (Array(0..<32) as [UInt8], UInt64(11_378_130_190_547_389_282)),
    (Array("laptop-a".utf8), UInt64(6_213_284_659_328_699_632)),
    ([], UInt64(4_921_355_523_342_797_015)),
])
func stableHashIsFixed(bytes: [UInt8], expected: UInt64) {
    #expect(StableHash.hash(bytes) == expected)
}

@Test func stableCombineIsFixed() {
    #expect(StableHash.combine(1, 2) == 12_872_960_805_245_674_186)
}

@Test func unitIntervalNeverReachesZero() {
    #expect(StableHash.unitInterval(0) > 0)
    #expect(StableHash.unitInterval(.max) == 1)
}

/// Bits of `combine` for neighbouring block hashes must look independent:
/// each output bit is set about half the time over 20,000 inputs.
@Test func combineSpreadsBits() {
    var ones = Array(repeating: 0, count: 64)
    let samples = 20_000
    for block in 0..<UInt64(samples) {
        let value = StableHash.combine(block, StableHash.hash("m"))
        for bit in 0..<64 where value >> UInt64(bit) & 1 == 1 { ones[bit] += 1 }
    }
    // 4.5 standard deviations of a fair coin over 20,000 draws is 318.
    #expect(ones.allSatisfy { abs($0 - samples / 2) < 318 }, "\(ones)")
}
