// swift-tools-version:6.0
import PackageDescription

// Functional core, actor shell: YonkeCore, Consensus, Membership, Placement,
// Catalog and Chaos do no I/O and import only YonkeCore; RaftStorage (Raft's log
// on disk), BlockCodec, BlockStore, Transport, Node and the CLI do. See ../shared/DESIGN.md.
let package = Package(
    name: "Yonke",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "yonke", targets: ["yonke"]),
        .executable(name: "yonke-sim", targets: ["yonke-sim"]),
        .executable(name: "yonke-bench", targets: ["yonke-bench"]),
        .executable(name: "yonke-meta-bench", targets: ["yonke-meta-bench"]),
        .executable(name: "yonke-parquet-bench", targets: ["yonke-parquet-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Only the Ingest shell (and so the CLI) links it: nothing else pays its build time.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium",
                       providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // The official BLAKE3 C code, compiled from Debian 12's librust-blake3-dev (Debian ships
        // it only inside that Rust source package); the files here only include it.
        .target(name: "CBLAKE3", cSettings: [.define("BLAKE3_USE_NEON", to: "0")]),

        .target(name: "YonkeCore"),
        .target(name: "SodiumSupport", dependencies: ["YonkeCore", "CSodium"]),
        .target(name: "BlockCodec", dependencies: ["YonkeCore", "CLZ4", "CSodium", "COpenSSL", "CBLAKE3", "SodiumSupport"]),
        .target(name: "BlockStore", dependencies: ["YonkeCore", "BlockCodec"]),
        .target(name: "Consensus", dependencies: ["YonkeCore"]),
        .target(name: "RaftStorage", dependencies: ["YonkeCore", "Consensus"]),
        .target(name: "Membership", dependencies: ["YonkeCore"]),
        .target(name: "Placement", dependencies: ["YonkeCore"]),
        .target(name: "Topology", dependencies: ["YonkeCore", .product(name: "Yams", package: "Yams")]),
        .target(name: "Catalog", dependencies: ["YonkeCore"]),
        .target(name: "Chaos", dependencies: ["YonkeCore"]),
        .target(name: "Parquet", dependencies: ["YonkeCore", "CLZ4"]),
        // Incremental ingest, pure half: what to query, how to page, schema diffs, bookmark
        // encoding, the schedule. No I/O, no PostgreSQL driver.
        .target(name: "IngestPlan", dependencies: ["YonkeCore", "Catalog", "Parquet"]),
        .target(name: "Transport", dependencies: [
            "YonkeCore", "CSodium", "SodiumSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Every wire message and result type between clients and nodes, and between nodes.
        .target(name: "YonkeProtocol", dependencies: [
            "YonkeCore", "Catalog", "Consensus", "Placement", "Topology", "Transport",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // The cluster client: links, catalog calls, block streams (put/get, the replica
        // pipeline). Used by the CLI and by nodes alike (replica moves; later gateways and tasks).
        .target(name: "YonkeClient", dependencies: [
            "YonkeCore", "YonkeProtocol", "BlockCodec", "BlockStore", "Catalog", "Topology", "Transport", "SodiumSupport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "Node", dependencies: [
            "YonkeProtocol", "YonkeClient", "IngestPlan",
            "YonkeCore", "BlockCodec", "BlockStore", "Consensus", "RaftStorage", "Membership", "Placement", "Topology",
            "Catalog", "Transport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // Incremental ingest, shell half: PostgreSQL over postgres-nio, Parquet files, blocks and
        // the one catalog commit per run through YonkeClient.
        .target(name: "Ingest", dependencies: [
            "IngestPlan", "Parquet", "YonkeCore", "YonkeProtocol", "YonkeClient", "Catalog",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        // The S3 door, pure half: SigV4 (headers, presigned URLs, aws-chunked), routing, XML,
        // listings, ranges and preconditions. No I/O.
        .target(name: "S3Protocol", dependencies: ["YonkeCore", "COpenSSL"]),
        .executableTarget(name: "yonke", dependencies: [
            "Ingest", "IngestPlan", "YonkeCore", "YonkeProtocol", "YonkeClient", "Chaos", "BlockCodec", "BlockStore", "Node", "Topology", "Transport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .target(name: "Simulator", dependencies: ["YonkeCore", "Consensus", "Membership", "Placement", "Topology"],
                path: "Simulations/Simulator"),
        .executableTarget(name: "yonke-sim", dependencies: [
            "Simulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Simulations/yonke-sim"),

        .executableTarget(name: "yonke-bench", dependencies: ["YonkeCore", "BlockCodec", "CLZ4", "CSodium", "COpenSSL", "CBLAKE3"],
                          path: "Benchmarks/yonke-bench"),

        .executableTarget(name: "yonke-parquet-bench", dependencies: ["Parquet", "YonkeCore"],
                          path: "Benchmarks/yonke-parquet-bench"),

        .executableTarget(name: "yonke-meta-bench", dependencies: [
            "Node", "YonkeProtocol", "YonkeClient", .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/yonke-meta-bench"),

        .testTarget(name: "YonkeCoreTests", dependencies: ["YonkeCore"]),
        .testTarget(name: "BlockCodecTests", dependencies: ["BlockCodec", "SodiumSupport"]),
        .testTarget(name: "BlockStoreTests", dependencies: ["BlockStore"]),
        .testTarget(name: "ConsensusTests", dependencies: ["Consensus"]),
        .testTarget(name: "RaftStorageTests", dependencies: ["RaftStorage", "Consensus"]),
        .testTarget(name: "MembershipTests", dependencies: ["Membership"]),
        .testTarget(name: "PlacementTests", dependencies: ["Placement", "Topology"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog"]),
        .testTarget(name: "ChaosCheckTests", dependencies: ["Chaos"]),
        .testTarget(name: "IngestPlanTests", dependencies: ["IngestPlan", "Catalog", "Parquet"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "YonkeCore"],
                    exclude: ["interop.py"]),
        .testTarget(name: "S3ProtocolTests", dependencies: ["S3Protocol"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport"]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "YonkeProtocol", "YonkeClient"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator"]),
        .testTarget(name: "YonkeCLITests", dependencies: ["yonke", "YonkeClient", "BlockCodec", "SodiumSupport", "YonkeCore"], exclude: ["ingest_check.py"]),

        // Seeded random-mutation fuzzing of every decoder, inside the normal test run
        // (`scripts/fuzz.sh` runs it longer, with fresh seeds).
        .target(name: "FuzzSupport", dependencies: ["YonkeCore"], path: "Tests/FuzzSupport"),
        .testTarget(name: "FuzzTests", dependencies: [
            "FuzzSupport", "YonkeCore", "YonkeProtocol", "Catalog", "Consensus", "Membership", "BlockCodec", "Topology",
            "Transport", .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Corpus"]),
    ]
)
