/* SPDX-License-Identifier: MIT */
/* Event queue producer (evtq.c): IHI0070 7.1-7.4. */
#ifndef VSMMU_EVTQ_H
#define VSMMU_EVTQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vsmmu;

struct vsmmu_evtq {
    pthread_mutex_t lock;      /* guards regs.eventq_*, regs.gerror and production */
};

int  vsmmu_evtq_init(struct vsmmu *s);
void vsmmu_evtq_fini(struct vsmmu *s);
void vsmmu_evtq_reset(struct vsmmu *s);
/* Record one 32-byte event. Takes evtq.lock. Returns 0 if written to the
 * queue, -1 if it was not (queue disabled, full -> overflow flag, abort ->
 * GERROR.EVENTQ_ABT_ERR). Raises the EVTQ interrupt as the spec says. */
int  vsmmu_evtq_write(struct vsmmu *s, const uint64_t rec[4]);
/* Side effects of a CR0.EVENTQEN change (called by regs.c, lock not held). */
void vsmmu_evtq_enable_changed(struct vsmmu *s, bool enabled);

#endif
