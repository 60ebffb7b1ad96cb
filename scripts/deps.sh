#!/usr/bin/env bash
# Install the Debian packages the build, the tests and CI need, if missing.
# Usage: scripts/deps.sh [--ci]   (--ci adds clang + sanitizer/fuzzer runtimes)
set -euo pipefail
pkgs=(cmake gcc make)
if [ "${1:-}" = "--ci" ]; then
  pkgs+=(clang libclang-rt-14-dev ninja-build pkg-config)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]} (run as root to install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
