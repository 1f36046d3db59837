// OpenSSL's libcrypto (Debian's libssl-dev): its AES-256-GCM and SHA-256 use
// VAES/VPCLMULQDQ and SHA-NI where the CPU has them; libsodium's do not.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
