import CSodium
import SodiumSupport
import NIOCore
import YonkeCore

/// Seals and opens the frames of one established link. One key per direction;
/// the nonce is that direction's frame counter, so the receiver never needs a
/// nonce on the wire and a replayed, reordered or missing frame fails to open.
struct SessionCipher {
    let cipher: LinkCipher
    private let sendKey: SecretBytes
    private let receiveKey: SecretBytes
    private(set) var sentFrames: UInt64 = 0
    private(set) var receivedFrames: UInt64 = 0

    init(keys: Handshake.SessionKeys) {
        invariant(keys.send.count == Crypto.aeadKeyBytes && keys.receive.count == Crypto.aeadKeyBytes,
                  "link keys must be \(Crypto.aeadKeyBytes) bytes, got \(keys.send.count)/\(keys.receive.count)")
        cipher = keys.cipher
        sendKey = keys.send
        receiveKey = keys.receive
    }

    private func nonce(_ counter: UInt64) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: cipher.nonceBytes)
        withUnsafeBytes(of: counter.littleEndian) { nonce.replaceSubrange(0..<8, with: $0) }
        return nonce
    }

    /// The whole wire frame: header, then ciphertext and tag of `payload`.
    mutating func seal(kind: UInt8, payload: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        let nonce = nonce(sentFrames)
        sentFrames += 1
        let associated: [UInt8] = [Transport.frameVersion, kind]
        let sealedBytes = payload.readableBytes + Crypto.aeadTagBytes
        return Frame.wire(kind: kind, payloadBytes: sealedBytes, allocator: allocator) { out in
            payload.withUnsafeReadableBytes { plain in
                var written: UInt64 = 0
                let output = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let input = plain.baseAddress?.assumingMemoryBound(to: UInt8.self)
                let rc = switch cipher {
                case .xchacha20poly1305:
                    crypto_aead_xchacha20poly1305_ietf_encrypt(
                        output, &written, input, UInt64(plain.count),
                        associated, UInt64(associated.count), nil, nonce, sendKey.typedPointer)
                case .aes256gcm:
                    crypto_aead_aes256gcm_encrypt(
                        output, &written, input, UInt64(plain.count),
                        associated, UInt64(associated.count), nil, nonce, sendKey.typedPointer)
                }
                invariant(rc == 0 && written == UInt64(sealedBytes),
                          "\(cipher) encrypt failed: rc \(rc), wrote \(written) of \(sealedBytes)")
            }
        }
    }

    /// The plaintext of the next frame from the peer, or `.authenticationFailed`.
    mutating func open(kind: UInt8, sealed: ByteBuffer, allocator: ByteBufferAllocator) throws(TransportError) -> ByteBuffer {
        let index = receivedFrames
        guard sealed.readableBytes >= Crypto.aeadTagBytes else { throw .authenticationFailed(frameIndex: index) }
        let nonce = nonce(index)
        let associated: [UInt8] = [Transport.frameVersion, kind]
        let plainBytes = sealed.readableBytes - Crypto.aeadTagBytes
        var plain = allocator.buffer(capacity: plainBytes)
        var opened = false
        sealed.withUnsafeReadableBytes { sealedBytes in
            _ = plain.writeWithUnsafeMutableBytes(minimumWritableBytes: max(plainBytes, 1)) { out in
                var written: UInt64 = 0
                let output = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let input = sealedBytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let rc = switch cipher {
                case .xchacha20poly1305:
                    crypto_aead_xchacha20poly1305_ietf_decrypt(
                        output, &written, nil, input, UInt64(sealedBytes.count),
                        associated, UInt64(associated.count), nonce, receiveKey.typedPointer)
                case .aes256gcm:
                    crypto_aead_aes256gcm_decrypt(
                        output, &written, nil, input, UInt64(sealedBytes.count),
                        associated, UInt64(associated.count), nonce, receiveKey.typedPointer)
                }
                opened = rc == 0 && written == UInt64(plainBytes)
                return opened ? plainBytes : 0
            }
        }
        guard opened else { throw .authenticationFailed(frameIndex: index) }
        receivedFrames += 1
        return plain
    }
}
