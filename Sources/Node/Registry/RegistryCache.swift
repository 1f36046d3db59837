import YonkeProtocol
import YonkeClient
import Foundation
import NIOCore

/// The registry view on disk (public keys only, nothing secret), so that a machine that joined or
/// restarted knows whom to trust before it hears the registry: the other machines hold the token
/// the cluster started with, which a machine that joined after a rotation cannot check.
public enum RegistryCache {
    public static func load(path: String) -> RegistryView? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? RegistryWire.decodeView(ByteBuffer(bytes: data))
    }

    public static func save(_ view: RegistryView, path: String) throws {
        var buffer = RegistryWire.encodeView(view)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        try SecretFile.replace(path: path, bytes: bytes)
    }
}
