/* SPDX-License-Identifier: MIT */
/* PRI queue producer: IHI0070 8 (queue writability and overflow), 6.3.36
 * (interrupt condition, PRIQ_IRQ_CFG2.LO). */
#include <string.h>

#include "internal.h"
#include "queue.h"
#include "spec/priq.h"

void vsmmu_priq_reset(struct vsmmu *s)
{
    memset(&s->priq, 0, sizeof(s->priq));
}

/* Interrupt condition (6.3.36): LO == 0 -> queue went empty -> non-empty;
 * LO == 1 -> a record with Last == 1 was written or discarded by overflow. */
static void priq_irq(struct vsmmu *s, bool was_empty, bool last, bool written)
{
    bool lo = (s->regs.priq_irq_cfg2 & (uint32_t)IRQ_CFG2_LO) != 0;
    if (lo ? last : (written && was_empty))
        vsmmu_irq_raise(s, VSMMU_SRC_PRIQ);
}

static int priq_write_locked(struct vsmmu *s, const uint64_t rec[2], bool last)
{
    uint32_t ack = reg_load(&s->regs.cr0ack);
    /* Effective PRIQEN is 0 while SMMUEN == 0 (6.3.9.2). */
    if (!(ack & CR0_PRIQEN) || !(ack & CR0_SMMUEN))
        return VSMMU_PRIQ_OFF;
    uint32_t gact = reg_load(&s->regs.gerror) ^ reg_load(&s->regs.gerrorn);
    if (gact & GERROR_PRIQ_ABT_ERR)
        return VSMMU_PRIQ_OFF;

    struct vsmmu_qgeo g;
    q_geo(&g, s->regs.priq_base, s->cfg.priqs, PRIQ_ENT_SIZE_LOG2, s->oas_bits);
    uint32_t prod = s->regs.priq_prod, cons = s->regs.priq_cons;

    /* While an overflow is active every new message is discarded, even when
     * space has been freed (8.1: unlike the Event queue). */
    if ((prod ^ cons) & Q_PROD_OVFLG) {
        priq_irq(s, false, last, false);
        return VSMMU_PRIQ_OVERFLOW;
    }
    if (q_full(&g, prod, cons) || q_inconsistent(&g, prod, cons)) {
        reg_store(&s->regs.priq_prod, prod ^ (uint32_t)Q_PROD_OVFLG);
        priq_irq(s, false, last, false);
        return VSMMU_PRIQ_OVERFLOW;
    }
    uint8_t b[16];
    q_put_le64(b, rec[0]);
    q_put_le64(b + 8, rec[1]);
    if (vsmmu_mem_write(s, q_slot(&g, prod), b, sizeof(b), VSMMU_MEM_PRIQ)) {
        vsmmu_gerror_activate(s, GERROR_PRIQ_ABT_ERR);
        return VSMMU_PRIQ_ABT;
    }
    bool was_empty = q_empty(&g, prod, cons);
    reg_store(&s->regs.priq_prod, q_inc(&g, prod) | (prod & (uint32_t)Q_PROD_OVFLG));
    priq_irq(s, was_empty, last, true);
    return VSMMU_PRIQ_WRITTEN;
}

int vsmmu_priq_write(struct vsmmu *s, const uint64_t rec[2], bool last)
{
    pthread_mutex_lock(&s->evtq.lock);
    int rc = priq_write_locked(s, rec, last);
    if (rc)
        s->priq.discarded++;
    else
        s->priq.written++;
    pthread_mutex_unlock(&s->evtq.lock);
    vsmmu_irq_flush(s);
    return rc;
}

void vsmmu_priq_enable_changed(struct vsmmu *s, bool enabled)
{
    (void)enabled;
    vsmmu_irq_flush(s);
}
