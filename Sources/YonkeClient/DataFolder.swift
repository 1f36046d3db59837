import Foundation
import YonkeProtocol

/// Folders under a node's data folder: mode 0700 (a data folder holds keys,
/// secrets and the Raft log; nothing in it is anyone else's business), and
/// each new one made durable by fsyncing its parent. Files in them are
/// written with `SecretFile` (mode 0600).
public enum DataFolder {
    /// Creates `path` and any missing parents, mode 0700, fsyncing the parent
    /// of each folder it creates; an existing `path` is brought to 0700 (it is
    /// ours: a node's folder or one of its disks), its parents are left alone.
    public static func create(_ path: String) throws {
        var missing: [String] = []
        var current = path
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST else {
                throw NodeError.io(path: folder, what: "create the folder", errno: errno)
            }
            SecretFile.syncFolder(containing: folder)
        }
        if missing.isEmpty { chmod(path, 0o700) }
    }
}

extension SecretFile {
    /// Makes a new entry of `path`'s folder durable (best effort: a folder
    /// that cannot be opened read-only cannot be synced either).
    static func syncFolder(containing path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
