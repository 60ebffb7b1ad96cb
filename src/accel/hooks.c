/* SPDX-License-Identifier: MIT */
/* Placeholder front-end hooks until the accelerated mode lands. */
#include "internal.h"
#include "accel/accel_int.h"

int vsmmu_accel_cmd(struct vsmmu *s, const uint64_t cmd[2], uint32_t cons) { return 0; }
int vsmmu_accel_sync(struct vsmmu *s, uint32_t *failed_cons) { return 0; }
bool vsmmu_accel_owns(struct vsmmu *s, uint32_t sid) { return false; }
int vsmmu_accel_translate(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res)
{
    return VSMMU_EUNSUPPORTED;
}
void vsmmu_accel_destroy(struct vsmmu *s) { (void)s; }
