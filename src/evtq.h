/* SPDX-License-Identifier: MIT */
/* Event queue producer (evtq.c): IHI0070 3.5, 7.2, 7.4. */
#ifndef VSMMU_EVTQ_H
#define VSMMU_EVTQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vsmmu;

#define EVT_SIZE_LOG2 5u   /* 32-byte records */

struct vsmmu_evtq {
    pthread_mutex_t lock;      /* guards regs.eventq_*, regs.priq_*, regs.gerror,
                                  production and irq_pending */
    uint32_t irq_pending;      /* interrupts noted, not yet delivered (irq.c) */
};

/* Why a record was not written (vsmmu_evtq_write return value). */
enum vsmmu_evtq_status {
    VSMMU_EVTQ_WRITTEN = 0,
    VSMMU_EVTQ_DISABLED = -1,  /* CR0ACK.EVENTQEN == 0: discarded, no overflow */
    VSMMU_EVTQ_ABT = -2,       /* GERROR.EVENTQ_ABT_ERR active, or this write aborted */
    VSMMU_EVTQ_FULL = -3,      /* full (or inconsistent indexes): overflow */
};

int  vsmmu_evtq_init(struct vsmmu *s);
void vsmmu_evtq_fini(struct vsmmu *s);
void vsmmu_evtq_reset(struct vsmmu *s);
/* Record one 32-byte event (DW0..DW3). Takes evtq.lock. Counts the record
 * in stats.event_by_type[type] (every record offered, written or not) and in
 * stats.events when written. Returns VSMMU_EVTQ_WRITTEN (0) or a negative
 * vsmmu_evtq_status: the record was discarded and counted in
 * stats.events_lost (a full queue sets the overflow
 * flag, an abort GERROR.EVENTQ_ABT_ERR). A producer of stall records keeps a
 * record that was not written and retries it when the queue is writable.
 * Raises the EVTQ interrupt when the queue goes from empty to non-empty. */
int  vsmmu_evtq_write(struct vsmmu *s, const uint64_t rec[4]);
/* Side effects of a CR0.EVENTQEN change (called by regs.c, lock not held).
 * Record writes are synchronous, so every committed record is already
 * visible when the change is acknowledged (IHI0070 6.3.9.4). */
void vsmmu_evtq_enable_changed(struct vsmmu *s, bool enabled);
/* After an EVENTQ_CONS write (lock not held): space may have been freed, so
 * pending stall records are written (3.5.3). Also done on the
 * acknowledgement of EVENTQ_ABT_ERR and at every CMD_SYNC (and by the next
 * translation, translate.c). */
void vsmmu_evtq_cons_written(struct vsmmu *s);

#endif
