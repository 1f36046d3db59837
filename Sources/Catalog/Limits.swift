import YonkeCore

extension Catalog {
    /// Bounds on every field a command carries. The decoder checks lengths against these before
    /// allocating, and `apply` refuses commands beyond them, so hostile bytes cannot make a
    /// replica allocate gigabytes or a listing print a megabyte of one name.
    public enum Limits {
        /// 64 TiB at 64 MiB blocks: more than any one file in a junkyard lake.
        public static let maxBlocksPerFile = 1 << 20
        /// Blocks are 64 MiB; a 1 GiB bound leaves room for larger settings and keeps
        /// `blocks × size` far from Int64 overflow.
        public static let maxBlockSizeBytes: Int64 = SizeLimits.maxBlockSizeBytes
        public static let maxSourceBytes = 256
        public static let maxContentTypeBytes = 128
        public static let maxSchemaColumns = 4096
        public static let maxColumnNameBytes = 255
        public static let maxColumnTypeBytes = 64
        /// Job, holder and node names.
        public static let maxNameBytes = 128
        public static let maxBookmarkBytes = 4096
        public static let maxAddressBytes = 255
        public static let maxClusterNameBytes = 128
        /// A day: a holder that dies keeps a job blocked at most this long.
        public static let maxLeaseDurationMillis: Int64 = 86_400_000
        /// 9999-12-31T23:59:59.999Z: keeps `now + duration` far from overflow.
        public static let maxEpochMillis: Int64 = 253_402_300_799_999
        /// Ed25519/X25519 public keys.
        public static let publicKeyBytes = 32
        public static let maxDisksPerMachine = SizeLimits.maxDisksPerMachine
        public static let maxSeedMachines = 1024
        public static let maxDiskPathBytes = 1024
        /// 1 PiB (`SizeLimits`): keeps sums of capacities far from Int64 overflow.
        public static let maxDiskCapacityBytes: Int64 = SizeLimits.maxDiskCapacityBytes
        /// Join tokens: ASCII letters, digits, `-` and `_` (generated ones are 64 hex digits).
        public static let joinTokenBytes = 16...128
        public static let maxSourceURLBytes = 1024
        /// `schema.table`, each part a PostgreSQL identifier (≤ 63 bytes) quoted at worst.
        public static let maxTableBytes = 300
        public static let maxBookmarkColumns = 16
        public static let maxCronBytes = 128
        /// A job bookmark holds the high-water mark and the source snapshot's in-progress
        /// transactions (one per open writer at the time): larger than a plain bookmark.
        public static let maxJobBookmarkBytes = 64 * 1024
        public static let maxRunMessageBytes = 1024
        public static let maxFilesPerRun = 10_000
        /// Older runs are dropped from the record (their files stay in the lake).
        public static let maxRunsKeptPerJob = 1000
        /// Shortest `--every`: one second.
        public static let minScheduleIntervalMillis: Int64 = 1000
    }
}
