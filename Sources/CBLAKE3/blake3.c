/* Compiles blake3.c of Debian 12's librust-blake3-dev (see include/blake3.h). */
#include "/usr/share/cargo/registry/blake3-1.3.1/c/blake3.c"
