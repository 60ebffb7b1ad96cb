/* SPDX-License-Identifier: MIT */
/* Command queue consumer (cmdq.c): IHI0070 chapter 4. */
#ifndef VSMMU_CMDQ_H
#define VSMMU_CMDQ_H

#include <stdint.h>

struct vsmmu;

struct vsmmu_cmdq {
    uint64_t syncs;            /* CMD_SYNCs completed */
};

void vsmmu_cmdq_init(struct vsmmu *s);
void vsmmu_cmdq_reset(struct vsmmu *s);
/* Consume commands if CMDQEN and no CMDQ_ERR is active. Called by regs.c on a
 * CMDQ_PROD write, on CR0.CMDQEN 0->1 and on a GERRORN write that
 * acknowledges CMDQ_ERR. Runs at most cfg.cmdq_batch commands per call. */
void vsmmu_cmdq_process(struct vsmmu *s);

#endif
