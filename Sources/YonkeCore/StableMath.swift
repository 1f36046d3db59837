/// `ln`, `exp`, `log10` and `log2` from IEEE-754 arithmetic alone.
/// Placement compares `ln(u) / weight` across machines; if two platforms'
/// libm disagreed in the last bit, a block could land on different machines
/// depending on where the master runs. Ceph avoids the same trap with a
/// fixed-point log table. Membership's formulas (suspicion timeouts,
/// retransmit limits) go through here too, so a simulator seed replays the
/// same on every platform. Rounding (`rounded(.up)` for ⌈x⌉) is exact in
/// IEEE-754 and needs no help. Accurate to a few ulps, which is all either
/// needs; it only has to be identical everywhere.
public enum StableMath {
    public static let ln2 = 0.693_147_180_559_945_309_417_232
    public static let ln10 = 2.302_585_092_994_045_684_017_991

    /// Natural logarithm of a positive, finite, normal number.
    public static func ln(_ x: Double) -> Double {
        invariant(x > 0 && x.isFinite && x.isNormal, "StableMath.ln(\(x)) needs a positive normal number")
        let bits = x.bitPattern
        var exponent = Int((bits >> 52) & 0x7FF) - 1023
        var mantissa = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | (UInt64(1023) << 52))
        if mantissa > 1.414_213_562_373_095_048_801_688 {
            mantissa /= 2
            exponent += 1
        }
        // ln m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.172: eleven odd terms reach 1e-17.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var k = 1.0
        for _ in 0..<11 {
            sum += term / k
            term *= s2
            k += 2
        }
        return Double(exponent) * ln2 + 2 * sum
    }

    /// e^x for x in −700…700.
    public static func exp(_ x: Double) -> Double {
        invariant(x.isFinite && abs(x) <= 700, "StableMath.exp(\(x)) needs −700 ≤ x ≤ 700")
        let k = (x / ln2).rounded()
        // ln 2 split in two (Cody–Waite) so that k·ln2 is exact to 1e-20 for |k| ≤ 1010.
        let r = (x - k * 0.693_147_180_369_123_816_490) - k * 1.908_214_929_270_587_700_02e-10
        // |r| ≤ 0.347: Taylor to r^18/18! is below 1e-17.
        var term = 1.0
        var sum = 1.0
        for n in 1...18 {
            term *= r / Double(n)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// log10 x of a positive normal number, exact at 1, 10, …, 1e22, so a
    /// formula that rounds up (`⌈log10(N+1)⌉`, `mult · log10 N`) does not
    /// step one too far at a power of ten.
    public static func log10(_ x: Double) -> Double {
        let estimate = ln(x) / ln10
        let k = estimate.rounded()
        if k >= 0, k <= 22 {
            var power = 1.0
            for _ in 0..<Int(k) { power *= 10 }
            if power == x { return k }
        }
        return estimate
    }

    /// log2 x of a positive normal number, exact at powers of two.
    public static func log2(_ x: Double) -> Double {
        invariant(x > 0 && x.isFinite && x.isNormal, "StableMath.log2(\(x)) needs a positive normal number")
        if x.significand == 1 { return Double(x.exponent) }
        return ln(x) / ln2
    }
}
