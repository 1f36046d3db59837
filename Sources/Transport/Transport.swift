/// Framed, authenticated and encrypted links between nodes and from clients.
///
/// ## Wire format
/// Every frame is `[u32 length, big endian][u8 version][u8 kind][payload]`,
/// where `length` counts the version, kind and payload bytes (so `length >= 2`).
/// A length above `Limits.maxFrameBytes`, a length below 2, an unknown version,
/// a kind not allowed in the current state, or a connection that ends
/// mid-frame closes that connection with a logged reason; the listener keeps
/// serving everyone else. Lengths are checked before anything is buffered, so a
/// hostile length never makes us allocate what it asks for; until the peer is
/// authenticated the limit is `Limits.handshakeFrameBytesMax` (4 KiB).
///
/// Kinds `0...0xEF` are application messages (their meaning belongs to the node
/// layer); `0xF0...` are the transport's own (see `FrameKind`).
///
/// ## Handshake (shaped like Noise XX; v3)
/// Each side has a long-term Ed25519 identity (`crypto_sign`): machines and users alike.
/// Each connection makes a fresh X25519 key pair (`crypto_kx`).
///
/// 1. I → R  `hello`: protocol version, role, cluster id, name,
///    ephemeral kx public key, identity public key, the link ciphers it runs.
/// 2. R → I  `hello` (same fields), sent once I's hello has arrived and checked out: a
///    listener volunteers nothing (no key made, no name told) to a silent connection. Each
///    side checks version, opposite role, cluster id and, where it knows one, the key
///    pinned to the peer's name; it refuses (plaintext `refusal` frame, then close) on
///    mismatch. A listener bounds the handshakes it runs per source and in all, and drops
///    any not finished `Limits.handshakeTimeoutMilliseconds` after arrival (`HandshakeGate`).
/// 3. Both derive `transcript = BLAKE2b-256("yonke-transport-v3" ‖ hello_I ‖ hello_R)`
///    and session keys: `crypto_kx_client/server_session_keys` on the ephemeral keys, each
///    then hashed with BLAKE2b keyed by the kx key over the transcript (forward secrecy,
///    bound to the exact hellos). From here on every non-refusal frame is sealed (below).
/// 4. I → R  sealed `proof`: `[u8 flags]`, with flag 1 `Ed25519_sign_joinKey("J" ‖ "I" ‖
///    transcript)` (the sender holds the join token, `JoinKey`), then
///    `Ed25519_sign_identity("I" ‖ transcript)`.
/// 5. R verifies the signatures and asks its admission policy (`Settings.admit`: a node
///    admits registered machines under their pinned key, registered users, and token
///    holders, who may then only join), then sends its own sealed `proof` with role "R".
///    R proves nothing to a peer it does not admit.
/// 6. I verifies R's proof; a listener it could not pin must prove the token, unless I
///    trusts on first use (a user's client, a joining machine). The link is established.
///
/// The join key's seed is `BLAKE2b-256("yonke join key v1" ‖ len(clusterID) ‖ clusterID ‖
/// token)`; the cluster keeps only its public half, so a stolen log cannot join. Proofs
/// travel sealed; tokens are 256 random bits (`Transport.generateJoinToken()`).
///
/// Not a goal: hiding who talks. Hellos are plaintext, so anyone who connects
/// learns the listener's cluster id, node name and public key (as with an
/// SSH host key); nothing else is revealed before the token is proven.
///
/// ## Sealed frames
/// AES-256-GCM where both sides have AES-NI, else XChaCha20-Poly1305 (`LinkCipher`),
/// with one key per direction and the nonce a per-direction frame counter starting at 0; the version and kind bytes are associated data.
/// A replayed, reordered, dropped or altered frame therefore fails to open and
/// closes the link. Each direction carries at most 2^64 frames per session.
public enum Transport {
    /// The version byte of every frame. Bump on any incompatible wire change.
    public static let frameVersion: UInt8 = 1
    /// The version carried in `hello`: the handshake and message conventions.
    public static let protocolVersion: UInt8 = 3
    /// Bytes before the payload: length, version, kind.
    public static let frameHeaderBytes = 6
    /// Poly1305 tag on every sealed frame.
    public static let sealOverheadBytes = 16
    /// Largest kind the application may use; above belong to the transport.
    public static let maxApplicationKind: UInt8 = 0xEF
    /// Largest node name in a hello, in UTF-8 bytes.
    public static let maxNodeNameBytes = 255
    /// Largest cluster id in a hello.
    public static let maxClusterIDBytes = 64
}

/// Transport-owned frame kinds, above every application kind.
enum FrameKind {
    static let hello: UInt8 = 0xF0
    static let proof: UInt8 = 0xF1
    static let refusal: UInt8 = 0xF2
}
