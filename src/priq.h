/* SPDX-License-Identifier: MIT */
/* PRI queue producer (priq.c): IHI0070 3.9, 8. */
#ifndef VSMMU_PRIQ_H
#define VSMMU_PRIQ_H

#include <stdbool.h>
#include <stdint.h>

struct vsmmu;

/* vsmmu_priq_write results. The caller (the PRI producer) owes the device
 * an automatic PRG response for some of them (IHI0070 8.1, events.md §10). */
enum vsmmu_priq_status {
    VSMMU_PRIQ_WRITTEN = 0,
    VSMMU_PRIQ_OFF = -1,       /* effective PRIQEN == 0 (incl. SMMUEN == 0) or
                                  PRIQ_ABT_ERR active: auto-response 0b1111 */
    VSMMU_PRIQ_ABT = -2,       /* this write aborted (sync): auto-response 0b1111 */
    VSMMU_PRIQ_OVERFLOW = -3,  /* discarded, overflow active or entered: a Last=1
                                  request gets the overflow auto-response */
};

struct vsmmu_priq {
    uint64_t written, discarded;
};

void vsmmu_priq_reset(struct vsmmu *s);
/* Write one 16-byte PRI record (DW0, DW1; takes evtq.lock). `last` is the
 * record's Last bit, which drives PRIQ_IRQ_CFG2.LO. Returns a
 * vsmmu_priq_status. */
int  vsmmu_priq_write(struct vsmmu *s, const uint64_t rec[2], bool last);
void vsmmu_priq_enable_changed(struct vsmmu *s, bool enabled);

#endif
