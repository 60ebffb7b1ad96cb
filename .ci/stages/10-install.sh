#!/usr/bin/env bash
# CI stage: `cmake --install` into a scratch prefix, then build a program
# against the installed headers with pkg-config and run it on the shared
# library (checks headers, pkg-config file, SONAME and exported symbols).
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake -S . -B build-ci-install -DVSMMU_TESTS=OFF \
  -DCMAKE_INSTALL_PREFIX="$prefix" >/dev/null
cmake --build build-ci-install -j "$(nproc)" >/dev/null
cmake --install build-ci-install >/dev/null
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name vsmmu.pc)")
cat > "$prefix/consumer.c" <<'C'
#include <stdio.h>
#include <vsmmu/vsmmu.h>
#include <vsmmu/accel.h>
static int rd(void *o, uint64_t pa, void *b, size_t n, enum vsmmu_mem_kind k) { return -1; }
static int wr(void *o, uint64_t pa, const void *b, size_t n, enum vsmmu_mem_kind k) { return -1; }
int main(void)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    struct vsmmu_host_ops ops = { .read = rd, .write = wr };
    struct vsmmu *s;
    char err[256];
    if (vsmmu_create(&c, &ops, &s, err, sizeof err)) { puts(err); return 1; }
    uint64_t idr0 = 0;
    vsmmu_mmio_read(s, 0, 4, &idr0);
    vsmmu_destroy(s);
    printf("installed libvsmmu ok, IDR0=0x%llx\n", (unsigned long long)idr0);
    return idr0 ? 0 : 1;
}
C
cc -std=c11 -Wall -Werror "$prefix/consumer.c" -o "$prefix/consumer" $(pkg-config --cflags --libs vsmmu)
LD_LIBRARY_PATH=$(pkg-config --variable=libdir vsmmu) "$prefix/consumer"
# Only the public API is exported from the shared library.
bad=$(nm -D --defined-only "$(pkg-config --variable=libdir vsmmu)/libvsmmu.so" | awk '{print $3}' | grep -v '^vsmmu_' || true)
[ -z "$bad" ] || { echo "non-API symbols exported: $bad"; exit 1; }
test -x "$prefix/bin/vsmmu"
help=$("$prefix/bin/vsmmu" bench --help)
case "$help" in *--quick*) ;; *) echo "vsmmu bench is not built in"; exit 1 ;; esac
"$prefix/bin/vsmmu" demo --size 1 --quiet
echo "install: ok"
