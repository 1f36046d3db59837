/* BLAKE3's C API from Debian 12's librust-blake3-dev (the official C code,
   which Debian ships only inside that Rust source package; scripts/ensure-deps.sh
   installs it). Nothing of it is copied into this repository. */
#include "/usr/share/cargo/registry/blake3-1.3.1/c/blake3.h"
