import CSodium

/// Shamir's secret sharing over GF(2^8), byte by byte: a secret cut into `count` shares of
/// which any `threshold` rebuild it and fewer reveal nothing. The field arithmetic runs in
/// constant time (no tables indexed by secret bytes), and every intermediate that depends on
/// the secret lives in locked memory.
public enum Shamir {
    public struct Share: Sendable, Equatable {
        /// The share's point, 1…255 (0 is the secret itself).
        public let x: UInt8
        public let y: [UInt8]

        public init(x: UInt8, y: [UInt8]) {
            self.x = x
            self.y = y
        }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case badParameters(String)
        case badShares(String)

        public var description: String {
            switch self {
            case .badParameters(let reason): "cannot split the secret: \(reason)"
            case .badShares(let reason): "cannot combine the key shares: \(reason)"
            }
        }
    }

    /// Shares at x = 1…count of a random polynomial of degree threshold − 1 whose value at 0 is
    /// `secret`.
    public static func split(_ secret: SecretBytes, threshold: Int, count: Int) throws(Failure) -> [Share] {
        guard threshold >= 1, count >= threshold, count <= 255 else {
            throw .badParameters("need 1 ≤ threshold (\(threshold)) ≤ count (\(count)) ≤ 255")
        }
        guard Sodium.ready else { throw .badParameters("libsodium failed to initialise") }
        let length = secret.count
        // Coefficients a1…a(t−1) of every byte's polynomial, in locked memory.
        let coefficients = SecretBytes(count: max(1, length * (threshold - 1))) { out in
            if let base = out.baseAddress { randombytes_buf(base, out.count) }
        }
        var shares: [Share] = []
        for point in 1...count {
            let x = UInt8(point)
            var y = [UInt8](repeating: 0, count: length)
            secret.withUnsafeBytes { s in
                coefficients.withUnsafeBytes { a in
                    for byte in 0..<length {
                        // Horner: ((a(t−1)·x + a(t−2))·x + … + a1)·x + s.
                        var value: UInt8 = 0
                        var degree = threshold - 1
                        while degree >= 1 {
                            value = multiply(value, x) ^ a[byte * (threshold - 1) + degree - 1]
                            degree -= 1
                        }
                        y[byte] = multiply(value, x) ^ s[byte]
                    }
                }
            }
            shares.append(Share(x: x, y: y))
        }
        return shares
    }

    /// The secret from `shares` (exactly the threshold's worth or more; extra shares must lie on
    /// the same polynomial, which `combine` cannot check — callers verify the result).
    public static func combine(_ shares: [Share]) throws(Failure) -> SecretBytes {
        guard let length = shares.first?.y.count, length > 0 else { throw .badShares("no shares") }
        guard shares.allSatisfy({ $0.y.count == length }) else { throw .badShares("shares of different lengths") }
        guard shares.allSatisfy({ $0.x != 0 }) else { throw .badShares("a share at x = 0") }
        guard Set(shares.map(\.x)).count == shares.count else { throw .badShares("two shares at the same point") }
        guard Sodium.ready else { throw .badShares("libsodium failed to initialise") }
        // Lagrange basis at 0: l_i = Π_{j≠i} x_j / (x_j − x_i); in GF(2^8) minus is xor.
        let weights: [UInt8] = shares.indices.map { i in
            var numerator: UInt8 = 1
            var denominator: UInt8 = 1
            for j in shares.indices where j != i {
                numerator = multiply(numerator, shares[j].x)
                denominator = multiply(denominator, shares[j].x ^ shares[i].x)
            }
            return multiply(numerator, inverse(denominator))
        }
        return SecretBytes(count: length) { out in
            for byte in 0..<length {
                var value: UInt8 = 0
                for (share, weight) in zip(shares, weights) { value ^= multiply(share.y[byte], weight) }
                out[byte] = value
            }
        }
    }

    /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, without branches on the operands.
    public static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var a = a
        var b = b
        var product: UInt8 = 0
        for _ in 0..<8 {
            product ^= a & (0 &- (b & 1))
            let carry = 0 &- (a >> 7)
            a = (a << 1) ^ (0x1B & carry)
            b >>= 1
        }
        return product
    }

    /// a^254 = a^−1 for a ≠ 0 (square and multiply over a fixed exponent).
    public static func inverse(_ a: UInt8) -> UInt8 {
        var result: UInt8 = 1
        var base = a
        var exponent = 254
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }
}
