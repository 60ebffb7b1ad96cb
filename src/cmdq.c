/* SPDX-License-Identifier: MIT */
/* Command queue — placeholder until the command queue lands. */
#include "internal.h"

void vsmmu_cmdq_init(struct vsmmu *s) { (void)s; }
void vsmmu_cmdq_reset(struct vsmmu *s) { s->cmdq.syncs = 0; }
void vsmmu_cmdq_process(struct vsmmu *s) { (void)s; }
