import NIOCore
import YonkeCore

/// One decoded frame: its kind and the bytes after the header (a slice of
/// the receive buffer, not a copy).
struct Frame {
    var kind: UInt8
    var payload: ByteBuffer
}

extension Frame {
    /// A whole wire frame whose payload `fill` writes in place, so a sealed
    /// 1 MiB frame is encrypted straight into the buffer the socket sends.
    static func wire(kind: UInt8, payloadBytes: Int, allocator: ByteBufferAllocator,
                     fill: (UnsafeMutableRawBufferPointer) -> Void) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: Transport.frameHeaderBytes + payloadBytes)
        buffer.writeInteger(UInt32(2 + payloadBytes))
        buffer.writeInteger(Transport.frameVersion)
        buffer.writeInteger(kind)
        let written = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: payloadBytes) { raw in
            fill(UnsafeMutableRawBufferPointer(rebasing: raw.prefix(payloadBytes)))
            return payloadBytes
        }
        invariant(written == payloadBytes, "wrote \(written) of \(payloadBytes) payload bytes")
        return buffer
    }

    static func wire(kind: UInt8, payload: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        wire(kind: kind, payloadBytes: payload.count, allocator: allocator) { out in
            out.copyBytes(from: payload)
        }
    }
}

/// Splits the byte stream into frames. The length prefix is validated before
/// the body is awaited, so a hostile length costs nothing; a violation throws
/// a `TransportError` that the link handler logs before closing.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame
    /// Shared with the link handler, which raises it once the peer is authenticated.
    let limit: FrameSizeLimit
    var maxFrameBytes: Int { limit.maxFrameBytes }

    init(maxFrameBytes: Int) { limit = FrameSizeLimit(maxFrameBytes) }
    init(limit: FrameSizeLimit) { self.limit = limit }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while let frame = try nextFrame(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        if buffer.readableBytes > 0 {
            let expected = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map { Int($0) + 4 } ?? 4
            throw TransportError.truncatedFrame(receivedBytes: buffer.readableBytes, expectedBytes: expected)
        }
        return .needMoreData
    }

    func nextFrame(_ buffer: inout ByteBuffer) throws(TransportError) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        guard length >= 2 else { throw .frameTooSmall(lengthBytes: length) }
        guard Int(length) <= maxFrameBytes else {
            throw .frameTooLarge(lengthBytes: length, limitBytes: maxFrameBytes)
        }
        // The version is checked as soon as it arrives, not after the body.
        if let version = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self),
           version != Transport.frameVersion {
            throw .unsupportedFrameVersion(version)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        guard let kind = buffer.readInteger(as: UInt8.self),
              let payload = buffer.readSlice(length: Int(length) - 2) else {
            invariant(false, "frame of length \(length) not readable from \(buffer.readableBytes) bytes")
            return nil
        }
        return Frame(kind: kind, payload: payload)
    }
}

/// The frame length a link accepts right now: small until the peer is
/// authenticated, `Limits.maxFrameBytes` after. Used only on the link's event loop.
final class FrameSizeLimit {
    var maxFrameBytes: Int
    init(_ maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }
}
