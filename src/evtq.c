/* SPDX-License-Identifier: MIT */
/* Event queue producer: IHI0070 3.5, 7.2 (writability), 7.4 (overflow). */
#include "internal.h"
#include "queue.h"
#include "stall.h"

int vsmmu_evtq_init(struct vsmmu *s)
{
    s->evtq.irq_pending = 0;
    return pthread_mutex_init(&s->evtq.lock, NULL) ? -1 : 0;
}

void vsmmu_evtq_fini(struct vsmmu *s) { pthread_mutex_destroy(&s->evtq.lock); }

void vsmmu_evtq_reset(struct vsmmu *s)
{
    pthread_mutex_lock(&s->evtq.lock);
    s->evtq.irq_pending = 0;
    pthread_mutex_unlock(&s->evtq.lock);
}

/* A record of a stalled transaction: one of the four translation faults
 * (0x10-0x13) with Stall (DW1[31]) set (7.3). */
static bool is_stall_record(const uint64_t rec[4])
{
    unsigned type = (unsigned)(rec[0] & 0xff);
    return type >= 0x10 && type <= 0x13 && (rec[1] & (UINT64_C(1) << 31));
}

static int evtq_write_locked(struct vsmmu *s, const uint64_t rec[4], bool stall)
{
    /* Writable iff enabled, not full and no EVENTQ_ABT_ERR active (7.2.1). */
    if (!(reg_load(&s->regs.cr0ack) & CR0_EVENTQEN))
        return VSMMU_EVTQ_DISABLED;  /* discarded; never an overflow (7.4) */
    uint32_t gact = reg_load(&s->regs.gerror) ^ reg_load(&s->regs.gerrorn);
    if (gact & GERROR_EVENTQ_ABT_ERR)
        return VSMMU_EVTQ_ABT;

    struct vsmmu_qgeo g;
    q_geo(&g, s->regs.eventq_base, s->cfg.eventqs, EVT_SIZE_LOG2, s->oas_bits);
    uint32_t prod = s->regs.eventq_prod, cons = s->regs.eventq_cons;

    /* Inconsistent PROD/CONS: treated as full (one of the CONSTRAINED
     * UNPREDICTABLE choices of 3.5.1, docs/queues.md). */
    if (q_full(&g, prod, cons) || q_inconsistent(&g, prod, cons)) {
        /* Overflow: toggle OVFLG only if no overflow is active (7.4). A
         * stall record is not discarded (its producer keeps it pending), so
         * it causes no overflow. */
        if (!stall && !((prod ^ cons) & Q_PROD_OVFLG))
            reg_store(&s->regs.eventq_prod, prod ^ (uint32_t)Q_PROD_OVFLG);
        return VSMMU_EVTQ_FULL;
    }

    uint8_t b[32];
    for (int i = 0; i < 4; i++)
        q_put_le64(b + 8 * i, rec[i]);
    if (vsmmu_mem_write(s, q_slot(&g, prod), b, sizeof(b), VSMMU_MEM_EVTQ)) {
        /* Synchronous abort: PROD is not advanced (7.2.2). */
        vsmmu_gerror_activate(s, GERROR_EVENTQ_ABT_ERR);
        return VSMMU_EVTQ_ABT;
    }
    bool was_empty = q_empty(&g, prod, cons);
    /* The record is visible before the PROD update that publishes it; bits
     * above the wrap bit of this SMMU-owned index read as zero. */
    uint32_t nprod = q_inc(&g, prod) | (prod & (uint32_t)Q_PROD_OVFLG);
    reg_store(&s->regs.eventq_prod, nprod);
    stat_add(s, events, 1);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_EVENT, prod & g.ptrmask, 0, 0, 0, rec, 4, NULL);
    /* Interrupt on the empty -> non-empty transition (3.18.2). */
    if (was_empty)
        vsmmu_irq_raise(s, VSMMU_SRC_EVTQ);
    return VSMMU_EVTQ_WRITTEN;
}

int vsmmu_evtq_write(struct vsmmu *s, const uint64_t rec[4])
{
    bool stall = is_stall_record(rec);
    pthread_mutex_lock(&s->evtq.lock);
    int rc = evtq_write_locked(s, rec, stall);
    pthread_mutex_unlock(&s->evtq.lock);
    /* A stall record that was not written is retried by its producer: it
     * is counted once, when written. */
    if (!rc || !stall)
        stat_add(s, event_by_type[rec[0] & 0xff], 1);
    if (rc && !stall)
        stat_add(s, events_lost, 1);
    vsmmu_irq_flush(s);
    return rc;
}

void vsmmu_evtq_enable_changed(struct vsmmu *s, bool enabled)
{
    /* Pending stall records are not written here but by the next CMD_SYNC,
     * EVENTQ_CONS write or translation (stall.c's tests rely on that). */
    (void)enabled;
    vsmmu_irq_flush(s);
}

void vsmmu_evtq_cons_written(struct vsmmu *s)
{
    vsmmu_stall_flush(s);
}
