import NIOCore
import YonkeCore

/// `CatalogOps.Op.keyShare`, machine to machine: what the asked node can give towards the
/// cluster's data keyring. A machine that has rebuilt it answers the secret; a locked voter its
/// share; anyone else nothing. Only pinned machines may ask (the door checks), over their sealed link.
public enum KeyShareWire {
    public static let secretByteCount = 32

    public enum Reply: Sendable, Equatable {
        case nothing
        case share(epoch: UInt64, threshold: UInt8, count: UInt8, x: UInt8, y: [UInt8])
        case secret([UInt8])
    }

    public static func encode(_ reply: Reply) -> ByteBuffer {
        var buffer = ByteBuffer()
        switch reply {
        case .nothing:
            buffer.writeWireInteger(UInt8(0))
        case let .share(epoch, threshold, count, x, y):
            buffer.writeWireInteger(UInt8(1))
            buffer.writeWireInteger(epoch)
            buffer.writeWireInteger(threshold)
            buffer.writeWireInteger(count)
            buffer.writeWireInteger(x)
            buffer.writeBytes(y)
        case .secret(let bytes):
            buffer.writeWireInteger(UInt8(2))
            buffer.writeBytes(bytes)
        }
        return buffer
    }

    public static func decode(_ payload: ByteBuffer) throws -> Reply {
        var buffer = payload
        let kind: UInt8 = try buffer.readWireInteger("key share kind")
        let reply: Reply
        switch kind {
        case 0:
            reply = .nothing
        case 1:
            let epoch: UInt64 = try buffer.readWireInteger("key share epoch")
            let threshold: UInt8 = try buffer.readWireInteger("key share threshold")
            let count: UInt8 = try buffer.readWireInteger("key share count")
            let x: UInt8 = try buffer.readWireInteger("key share point")
            guard threshold >= 1, threshold <= count, x >= 1, let y = buffer.readBytes(length: secretByteCount) else {
                throw RPCFailure(.malformed, "key share with threshold \(threshold), count \(count), point \(x) or a short value")
            }
            reply = .share(epoch: epoch, threshold: threshold, count: count, x: x, y: y)
        case 2:
            guard let secret = buffer.readBytes(length: secretByteCount) else { throw RPCFailure(.malformed, "short secret in a key share reply") }
            reply = .secret(secret)
        default:
            throw RPCFailure(.malformed, "unknown key share reply kind \(kind)")
        }
        try buffer.expectFullyRead("key share reply")
        return reply
    }
}
