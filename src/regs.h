/* SPDX-License-Identifier: MIT */
/* Register file state and the MMIO decoder (regs.c). */
#ifndef VSMMU_REGS_H
#define VSMMU_REGS_H

#include <stdint.h>
#include "spec/regs.h"

struct vsmmu;

/* Architectural register state of the Non-secure interface. Fields marked
 * (T) are read by translators: store with reg_store(), load with reg_load().
 * Fields marked (Q) belong to the queue that owns them and are accessed
 * under that queue's rules (cmdq: MMIO thread; evtq/priq: their lock). */
struct vsmmu_regs {
    uint32_t idr[6];           /* synthesised from the configuration */
    uint32_t iidr, aidr;
    uint32_t cr0;              /* (T) */
    uint32_t cr0ack;           /* (T) */
    uint32_t cr1;
    uint32_t cr2;              /* (T) */
    uint32_t statusr;
    uint32_t gbpa;             /* (T) */
    uint32_t agbpa;
    uint32_t irq_ctrl, irq_ctrlack;
    uint32_t gerror, gerrorn;  /* gerror: written by irq.c under evtq.lock */
    uint64_t gerror_irq_cfg0;
    uint32_t gerror_irq_cfg1, gerror_irq_cfg2;
    uint64_t strtab_base;      /* (T) */
    uint32_t strtab_base_cfg;  /* (T) */
    uint64_t cmdq_base;        /* (Q) */
    uint32_t cmdq_prod, cmdq_cons;   /* (Q) */
    uint64_t eventq_base;      /* (Q) */
    uint32_t eventq_prod, eventq_cons; /* (Q) */
    uint64_t eventq_irq_cfg0;
    uint32_t eventq_irq_cfg1, eventq_irq_cfg2;
    uint64_t priq_base;        /* (Q) */
    uint32_t priq_prod, priq_cons;   /* (Q) */
    uint64_t priq_irq_cfg0;
    uint32_t priq_irq_cfg1, priq_irq_cfg2;
};

/* Reset every register; synthesise IDR0-5/IIDR/AIDR from s->cfg. */
void vsmmu_regs_reset(struct vsmmu *s);
/* Decode one CPU access; offset < VSMMU_MMIO_SIZE, size in {1,2,4,8}. */
uint64_t vsmmu_regs_read(struct vsmmu *s, uint32_t offset, unsigned size);
void vsmmu_regs_write(struct vsmmu *s, uint32_t offset, uint64_t val, unsigned size);

/* Effective values used by other modules. */
static inline unsigned vsmmu_q_log2size(uint64_t base, unsigned max)
{
    unsigned l = (unsigned)FIELD_GET(Q_BASE_LOG2SIZE, base);
    return l > max ? max : l;
}

#endif
