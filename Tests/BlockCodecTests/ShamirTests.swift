import SodiumSupport
import Testing

struct ShamirTests {
    static func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    @Test func anyThresholdOfSharesRebuildsTheSecretAndFewerDoNot() throws {
        let secret = SecretBytes(copying: (0..<32).map { UInt8(($0 * 37 + 11) & 0xFF) })
        for (threshold, count) in [(1, 1), (2, 3), (3, 5), (4, 7)] {
            let shares = try Shamir.split(secret, threshold: threshold, count: count)
            #expect(shares.map(\.x) == (1...count).map { UInt8($0) })
            // Every subset of exactly `threshold` shares, and the whole set.
            for mask in 1..<(1 << count) where mask.nonzeroBitCount >= threshold {
                let subset = shares.indices.filter { mask & (1 << $0) != 0 }.map { shares[$0] }
                #expect(Self.bytes(try Shamir.combine(subset)) == Self.bytes(secret))
            }
            if threshold > 1 {
                #expect(Self.bytes(try Shamir.combine(Array(shares.prefix(threshold - 1)))) != Self.bytes(secret))
            }
        }
    }

    @Test func fieldArithmeticMatchesTheAESField() {
        // 0x53 · 0xCA = 1 in GF(2^8) with x^8 + x^4 + x^3 + x + 1 (FIPS-197's example).
        #expect(Shamir.multiply(0x53, 0xCA) == 0x01)
        #expect(Shamir.multiply(0x57, 0x83) == 0xC1)
        for a in 1...255 { #expect(Shamir.multiply(UInt8(a), Shamir.inverse(UInt8(a))) == 1) }
    }

    @Test func badSharesAreRefused() throws {
        #expect(throws: Shamir.Failure.self) { try Shamir.combine([]) }
        #expect(throws: Shamir.Failure.self) { try Shamir.combine([.init(x: 1, y: [1]), .init(x: 1, y: [2])]) }
        #expect(throws: Shamir.Failure.self) { try Shamir.combine([.init(x: 0, y: [1])]) }
        #expect(throws: Shamir.Failure.self) { try Shamir.combine([.init(x: 1, y: [1]), .init(x: 2, y: [2, 3])]) }
        #expect(throws: Shamir.Failure.self) { try Shamir.split(SecretBytes(copying: [1]), threshold: 3, count: 2) }
    }
}
