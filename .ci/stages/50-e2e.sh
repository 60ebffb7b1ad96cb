#!/usr/bin/env bash
# CI stage: the accelerated nested mode on a real Linux kernel. Boots an
# arm64 guest (QEMU TCG, nested SMMUv3, edu on vfio-pci) with the e2e kit
# from ../shared/e2e beside the checkout and runs tests/e2e/nested_dma.c
# (a vSMMU with the iommufd backend) inside it. E2E_KIT overrides the kit path.
#
# Skips cleanly (exit 0, with a message) when not root, when the kit is not
# beside the checkout, or when the kit cannot set itself up (no Debian
# mirror, no disk): set E2E_REQUIRED=1 to make those failures.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
kit="${E2E_KIT:-$(dirname "$root")/shared/e2e/boot-arm64-guest.sh}"

skip() {
  echo "e2e: SKIPPED: $*"
  if [ "${E2E_REQUIRED:-0}" = 1 ]; then exit 1; fi
  exit 0
}

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, QEMU)"
[ -f "$kit" ] || skip "e2e kit not found at $kit"

echo "e2e: preparing the guest (cached after the first run; ~12 min cold)"
E2E_JOBS=${E2E_JOBS:-$(nproc)} bash "$kit" --prepare
rc=$?
[ $rc = 0 ] || skip "kit preparation failed (exit $rc): see the kit's logs in \${E2E_DIR:-/var/tmp/vsmmu-e2e}/logs"

# two edu devices behind the one host SMMU (the program's phase C)
E2E_QEMU_TIMEOUT=${E2E_QEMU_TIMEOUT:-300} bash "$kit" \
  --qemu -device --qemu edu --device 1234:11e8,1234:11e8 \
  -I "$root/include" -I "$root/src" -I "$root/kit" -D _GNU_SOURCE \
  "$root/tests/e2e/nested_dma.c" "$root/src/" "$root/src/accel/" "$root/kit/"
rc=$?
case $rc in
  0) echo "e2e: PASSED" ;;
  124|125|126) echo "e2e: FAILED (kit exit $rc: 124 timeout, 125 guest failure, 126 compile error)"
               exit 1 ;;
  *) echo "e2e: FAILED (exit $rc)"; exit 1 ;;
esac
