/// Blocks move through this process as 64 MiB buffers. glibc hands out
/// buffers that large with a fresh `mmap` and unmaps them on free, so every
/// block paid for page faults and zeroed pages in the kernel: about a third of
/// a `get`'s CPU time. Serving them from one heap that keeps freed memory for
/// the next block removes that cost; peak memory stays what it was (the same
/// buffers are live at the peak either way), it is just not returned between blocks.
enum LargeBufferHeap {
    static func configure() {
        #if os(Linux)
        // <malloc.h> is not in Swift's Glibc module; these are its values.
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3, trimThreshold: Int32 = -1
        _ = mallopt(arenaMax, 1)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 256 << 20)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
