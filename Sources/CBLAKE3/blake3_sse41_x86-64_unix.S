/* Compiles Debian 12's librust-blake3-dev assembly for x86-64; other CPUs use the portable C. */
#if defined(__x86_64__)
#include "/usr/share/cargo/registry/blake3-1.3.1/c/blake3_sse41_x86-64_unix.S"
#endif
