#!/usr/bin/env bash
# Installs what Yonke builds and tests against, only when it is missing.
# Debian 12 with Swift 6.3 on PATH is assumed (swift.org toolchain).
set -euo pipefail

# librust-blake3-dev: the official BLAKE3 C code (Sources/CBLAKE3 compiles it from there).
packages=(libsodium-dev liblz4-dev libssl-dev librust-blake3-dev pkg-config "$@")
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
    echo "error: swift is not on PATH; install Swift 6.3 from swift.org (or add /opt/swift/usr/bin to PATH)" >&2
    exit 1
fi
