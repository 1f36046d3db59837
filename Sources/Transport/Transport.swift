import NIOCore
import NIOPosix

/// Framed, authenticated and encrypted links between nodes and from clients.
public enum Transport {}
