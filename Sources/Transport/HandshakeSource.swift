import NIOCore

/// Where an unauthenticated connection comes from, as far as fairness goes:
/// an IPv4 address, or the /64 of an IPv6 address (what one host or one
/// customer usually holds, so rotating the low 64 bits buys an attacker
/// nothing). An IPv4 address mapped into IPv6 counts as that IPv4 address.
struct HandshakeSource: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4), 8 bytes (IPv6 /64), or empty (Unix socket, unknown).
    let prefix: [UInt8]

    init(prefix: [UInt8]) { self.prefix = prefix }

    init(_ address: SocketAddress?) {
        switch address {
        case .v4(let v4)?:
            prefix = withUnsafeBytes(of: v4.address.sin_addr.s_addr) { Array($0) }
        case .v6(let v6)?:
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let mapped = bytes.prefix(10).allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            prefix = mapped ? Array(bytes.suffix(4)) : Array(bytes.prefix(8))
        case .unixDomainSocket?, nil:
            prefix = []
        }
    }

    var description: String {
        switch prefix.count {
        case 4: return prefix.map { String($0) }.joined(separator: ".")
        case 8:
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(prefix[$0]) << 8 | UInt16(prefix[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        default: return "local"
        }
    }
}
