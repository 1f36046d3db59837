import Foundation
import Testing
import YonkeCore

@Test(arguments: [1e-300, 2.2e-16, 1e-9, 0.001, 0.3, 0.5, 0.70710678, 0.999999, 1.0, 2.0, 1e10])
func stableLnMatchesLibm(x: Double) {
    #expect(abs(StableMath.ln(x) - Foundation.log(x)) <= 4 * Double.ulpOfOne * max(1, abs(Foundation.log(x))))
}

@Test(arguments: [-700.0, -20, -1, -0.5, -1e-9, 0, 0.3, 1, 5, 300])
func stableExpMatchesLibm(x: Double) {
    #expect(abs(StableMath.exp(x) / Foundation.exp(x) - 1) <= 16 * Double.ulpOfOne)
}

@Test(arguments: [0.01, 0.5, 2, 9, 11, 99, 101, 999, 1001, 31_250, 1e15])
func stableLog10MatchesLibm(x: Double) {
    #expect(abs(StableMath.log10(x) - Foundation.log10(x)) <= 4 * Double.ulpOfOne * max(1, abs(Foundation.log10(x))))
}

@Test(arguments: [0.1, 0.75, 3, 31.25, 1000 / 32.0, 1e6])
func stableLog2MatchesLibm(x: Double) {
    #expect(abs(StableMath.log2(x) - Foundation.log2(x)) <= 4 * Double.ulpOfOne * max(1, abs(Foundation.log2(x))))
}

/// Membership rounds these up (`⌈log10(N+1)⌉`, `2 · log10 N` periods): one
/// ulp above an integer would add a whole retransmit or period.
@Test func logsAreExactAtTheirPowers() {
    var power = 1.0
    for k in 0...22 {
        #expect(StableMath.log10(power) == Double(k))
        power *= 10
    }
    for k in -20...60 {
        #expect(StableMath.log2(Double(sign: .plus, exponent: k, significand: 1)) == Double(k))
    }
}
