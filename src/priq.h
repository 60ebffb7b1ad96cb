/* SPDX-License-Identifier: MIT */
/* PRI queue producer (priq.c): IHI0070 3.9, 8. */
#ifndef VSMMU_PRIQ_H
#define VSMMU_PRIQ_H

#include <stdbool.h>
#include <stdint.h>

struct vsmmu;

struct vsmmu_priq {
    bool overflowed;           /* PRIQ_PROD.OVFLG toggled, not yet acknowledged */
};

void vsmmu_priq_reset(struct vsmmu *s);
/* Write one 16-byte PRI record (takes evtq.lock). Returns 0 written, -1 not
 * (disabled, overflow, abort). `last` drives PRIQ_IRQ_CFG2.LO. */
int  vsmmu_priq_write(struct vsmmu *s, const uint64_t rec[2], bool last);
void vsmmu_priq_enable_changed(struct vsmmu *s, bool enabled);

#endif
