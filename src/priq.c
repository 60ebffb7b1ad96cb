/* SPDX-License-Identifier: MIT */
/* PRI queue — placeholder. */
#include "internal.h"

void vsmmu_priq_reset(struct vsmmu *s) { s->priq.overflowed = false; }
int vsmmu_priq_write(struct vsmmu *s, const uint64_t rec[2], bool last) { return -1; }
void vsmmu_priq_enable_changed(struct vsmmu *s, bool enabled) { (void)s; }
