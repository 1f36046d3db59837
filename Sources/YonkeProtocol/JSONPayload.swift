import Foundation
import NIOCore

/// Payloads that are small JSON documents (reports the CLI prints as they
/// are): sorted keys, so answers diff cleanly; a payload that does not decode
/// is `malformed`, naming what was expected.
public enum JSONPayload {
    public static func encode<T: Encodable>(_ value: T) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Our report types hold only strings, numbers, arrays and dictionaries: encoding cannot fail.
        guard let data = try? encoder.encode(value) else { preconditionFailure("\(T.self) did not encode to JSON") }
        return ByteBuffer(bytes: data)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from payload: ByteBuffer, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(payload.readableBytesView))
        } catch {
            throw RPCFailure(.malformed, "\(what) is not the expected JSON: \(error)")
        }
    }
}
