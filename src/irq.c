/* SPDX-License-Identifier: MIT */
/* Interrupts, MSIs and GERROR activation: IHI0070 3.18, 6.3.17-6.3.20, 7.5. */
#include "internal.h"
#include "stall.h"

#define PEND(src) (1u << (unsigned)(src))

static uint32_t irqen_bit(enum vsmmu_irq_src src)
{
    switch (src) {
    case VSMMU_SRC_EVTQ: return IRQ_CTRL_EVENTQ_IRQEN;
    case VSMMU_SRC_PRIQ: return IRQ_CTRL_PRIQ_IRQEN;
    default: return IRQ_CTRL_GERROR_IRQEN;
    }
}

/* Each enable gates both the wired and the MSI output of its source, and
 * nothing is raised for an occurrence that predates the enable (IHI0070
 * 6.3.12): checked when the occurrence is noted and again at delivery. */
static bool irq_enabled(struct vsmmu *s, enum vsmmu_irq_src src)
{
    return (reg_load(&s->regs.irq_ctrlack) & irqen_bit(src)) != 0;
}

void vsmmu_irq_raise(struct vsmmu *s, enum vsmmu_irq_src src)
{
    if (irq_enabled(s, src))
        s->evtq.irq_pending |= PEND(src);
}

void vsmmu_gerror_activate(struct vsmmu *s, uint32_t bits)
{
    uint32_t gerror = reg_load(&s->regs.gerror);
    uint32_t gerrorn = reg_load(&s->regs.gerrorn);
    /* Only inactive errors are toggled; an active one is not logged again. */
    uint32_t fresh = bits & ~(gerror ^ gerrorn);
    if (!fresh)
        return;
    reg_store(&s->regs.gerror, gerror ^ fresh);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_GERROR, fresh, gerror ^ fresh, 0, 0, NULL, 0, NULL);
    /* MSI_GERROR_ABT_ERR does not itself raise a GERROR interrupt (7.5). */
    if (fresh & ~(uint32_t)GERROR_MSI_GERROR_ABT_ERR)
        vsmmu_irq_raise(s, VSMMU_SRC_GERROR);
}

int vsmmu_msi_send_kind(struct vsmmu *s, uint64_t addr, uint32_t data, uint32_t attrs,
                        enum vsmmu_mem_kind kind)
{
    stat_add(s, msis, 1);
    if (s->ops.msi)
        return s->ops.msi(s->ops.opaque, addr, data, attrs) ? -1 : 0;
    /* No MSI op: an MSI is a 32-bit store of DATA at ADDR (IHI0070 3.18). */
    uint8_t b[4] = { (uint8_t)data, (uint8_t)(data >> 8), (uint8_t)(data >> 16),
                     (uint8_t)(data >> 24) };
    return vsmmu_mem_write(s, addr, b, sizeof(b), kind);
}

void vsmmu_wired_pulse(struct vsmmu *s, int line)
{
    /* Wired outputs exist when the host supplied an irq op (their presence
     * is IMPLEMENTATION DEFINED, IHI0070 3.18). */
    if (!s->ops.irq)
        return;
    stat_add(s, irqs, 1);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_IRQ, (uint64_t)line, 0, 0, 0, NULL, 0, "wired");
    s->ops.irq(s->ops.opaque, (enum vsmmu_irq_line)line);
}

static void irq_deliver(struct vsmmu *s, enum vsmmu_irq_src src)
{
    const uint64_t *cfg0;
    const uint32_t *cfg1, *cfg2;
    uint32_t abt;
    int line;

    switch (src) {
    case VSMMU_SRC_EVTQ:
        cfg0 = &s->regs.eventq_irq_cfg0; cfg1 = &s->regs.eventq_irq_cfg1;
        cfg2 = &s->regs.eventq_irq_cfg2;
        abt = GERROR_MSI_EVENTQ_ABT_ERR; line = VSMMU_IRQ_EVTQ;
        break;
    case VSMMU_SRC_PRIQ:
        cfg0 = &s->regs.priq_irq_cfg0; cfg1 = &s->regs.priq_irq_cfg1;
        cfg2 = &s->regs.priq_irq_cfg2;
        abt = GERROR_MSI_PRIQ_ABT_ERR; line = VSMMU_IRQ_PRIQ;
        break;
    default:
        cfg0 = &s->regs.gerror_irq_cfg0; cfg1 = &s->regs.gerror_irq_cfg1;
        cfg2 = &s->regs.gerror_irq_cfg2;
        abt = GERROR_MSI_GERROR_ABT_ERR; line = VSMMU_IRQ_GERROR;
        break;
    }
    /* The *_IRQ_CFG registers are guarded by the enable (writes ignored
     * while it is set); read them with the enable under the lock regs.c
     * acknowledges IRQ_CTRL with. */
    pthread_mutex_lock(&s->evtq.lock);
    bool en = irq_enabled(s, src);
    uint64_t addr = *cfg0 & IRQ_CFG0_ADDR;
    uint32_t data = *cfg1;
    uint32_t attrs = *cfg2 & (uint32_t)(IRQ_CFG2_MEMATTR | IRQ_CFG2_SH);
    pthread_mutex_unlock(&s->evtq.lock);
    if (!en)
        return;
    /* IHI0070 3.18.2: an enabled source pulses its wired output, if wired
     * outputs are implemented (here: the host supplied an irq op), and
     * sends an MSI if MSIs are supported and ADDR != 0 (the whole field is
     * compared). Address bits above the OAS are RES0 and not used. */
    if (s->cfg.msi && addr) {
        addr &= bits_mask_low(s->oas_bits);
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_IRQ, (uint64_t)line, addr, data, 0, NULL, 0, "msi");
        if (vsmmu_msi_send(s, addr, data, attrs)) {
            pthread_mutex_lock(&s->evtq.lock);
            vsmmu_gerror_activate(s, abt);
            pthread_mutex_unlock(&s->evtq.lock);
        }
    }
    vsmmu_wired_pulse(s, line);
}

void vsmmu_irq_flush(struct vsmmu *s)
{
    /* Each round can only add a GERROR interrupt (an MSI abort), and a GERROR
     * MSI abort adds nothing, so three rounds always suffice. */
    for (int round = 0; round < 4; round++) {
        pthread_mutex_lock(&s->evtq.lock);
        uint32_t pend = s->evtq.irq_pending;
        s->evtq.irq_pending = 0;
        pthread_mutex_unlock(&s->evtq.lock);
        if (!pend)
            return;
        if (pend & PEND(VSMMU_SRC_EVTQ))
            irq_deliver(s, VSMMU_SRC_EVTQ);
        if (pend & PEND(VSMMU_SRC_PRIQ))
            irq_deliver(s, VSMMU_SRC_PRIQ);
        if (pend & PEND(VSMMU_SRC_GERROR))
            irq_deliver(s, VSMMU_SRC_GERROR);
    }
}

void vsmmu_gerrorn_written(struct vsmmu *s, uint32_t old, uint32_t now)
{
    uint32_t gerror = reg_load(&s->regs.gerror);
    bool was_active = ((gerror ^ old) & GERROR_CMDQ_ERR) != 0;
    bool active = ((gerror ^ now) & GERROR_CMDQ_ERR) != 0;
    /* Acknowledging CMDQ_ERR restarts consumption at CMDQ_CONS.RD without a
     * CMDQ_PROD write (IHI0070 7.1). */
    if (was_active && !active)
        vsmmu_cmdq_process(s);
    /* The Event queue is writable again once EVENTQ_ABT_ERR is
     * acknowledged: pending stall records go out (7.2.1). */
    if (((gerror ^ old) & GERROR_EVENTQ_ABT_ERR) && !((gerror ^ now) & GERROR_EVENTQ_ABT_ERR))
        vsmmu_stall_flush(s);
    vsmmu_irq_flush(s);
}
