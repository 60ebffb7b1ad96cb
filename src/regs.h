/* SPDX-License-Identifier: MIT */
/* Register file state and the MMIO decoder (regs.c). */
#ifndef VSMMU_REGS_H
#define VSMMU_REGS_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/regs.h"

struct vsmmu;
struct vsmmu_config;

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

    /* Optional, installed by the module that keeps stalled transactions (not
     * changed by reset): called from the CR0 write, without evtq.lock, after
     * CR0ACK.SMMUEN went 1->0, when every stalled transaction of the
     * interface must be marked for abort-termination (6.3.9.6). A stall
     * inserted by a translation that read CR0ACK.SMMUEN=1 before the ACK
     * changed must be terminated too (e.g. check CR0ACK under the stall
     * module's lock when inserting). */
    void (*smmuen_cleared)(struct vsmmu *s);
};

/* Reset every register; synthesise IDR0-5/IIDR/AIDR from s->cfg. Called
 * with evtq.lock held (vsmmu_reset). */
void vsmmu_regs_reset(struct vsmmu *s);
/* Decode one CPU access; offset < VSMMU_MMIO_SIZE, size in {1,2,4,8}.
 * Side effects of writes (docs/registers.md):
 *  - CR0 and IRQ_CTRL updates are acknowledged inside the write (CR0ACK,
 *    IRQ_CTRLACK equal the new value on return). CR0ACK and IRQ_CTRLACK are
 *    stored under evtq.lock, so a producer that checks CR0ACK.EVENTQEN /
 *    PRIQEN / IRQ_CTRLACK under that lock never writes after the ACK reads 0.
 *  - After the ACK (lock not held): vsmmu_evtq_enable_changed(s, EVENTQEN)
 *    when CR0.EVENTQEN changed; vsmmu_priq_enable_changed(s, en) when the
 *    effective PRIQEN (PRIQEN && SMMUEN, 6.3.9.5) changed; vsmmu_cmdq_process
 *    on CMDQEN 0->1.
 *  - vsmmu_cmdq_process after every CMDQ_PROD write (it checks CMDQEN and
 *    CMDQ_ERR itself).
 *  - GERRORN: stored under evtq.lock, then vsmmu_gerrorn_written(s, old, new)
 *    (lock not held), which restarts the command queue if the write
 *    acknowledged an active CMDQ_ERR.
 *  - EVENTQ_CONS: stored under evtq.lock, then vsmmu_evtq_cons_written(s).
 *  - PROD/CONS index writes keep bits [QS:0] only (QS = effective LOG2SIZE);
 *    a *_BASE write truncates that queue's PROD/CONS to the new QS. */
uint64_t vsmmu_regs_read(struct vsmmu *s, uint32_t offset, unsigned size);
void vsmmu_regs_write(struct vsmmu *s, uint32_t offset, uint64_t val, unsigned size);

/* CR0 fields that exist for configuration `c` (others are RES0, not stored). */
uint32_t vsmmu_regs_cr0_mask(const struct vsmmu_config *c);
/* GERROR/GERRORN bits that exist for configuration `c`. */
uint32_t vsmmu_regs_gerror_mask(const struct vsmmu_config *c);

/* Effective values used by other modules. */
static inline unsigned vsmmu_q_log2size(uint64_t base, unsigned max)
{
    unsigned l = (unsigned)FIELD_GET(Q_BASE_LOG2SIZE, base);
    return l > max ? max : l;
}

/* GBPA as it applies to transactions (6.3.14): without IDR1.ATTR_TYPES_OVR,
 * MTCFG/SHCFG/ALLOCCFG act as "use incoming" (MTCFG=0, SHCFG=0b01,
 * ALLOCCFG=0); without IDR1.ATTR_PERMS_OVR, INSTCFG/PRIVCFG act as "use
 * incoming" (0). The register itself reads back what was written. */
static inline uint32_t vsmmu_gbpa_effective(uint32_t gbpa, bool types_ovr, bool perms_ovr)
{
    uint64_t v = gbpa;
    if (!types_ovr) {
        v = FIELD_SET(GBPA_MTCFG, v, 0);
        v = FIELD_SET(GBPA_SHCFG, v, 1);
        v = FIELD_SET(GBPA_ALLOCCFG, v, 0);
    }
    if (!perms_ovr) {
        v = FIELD_SET(GBPA_INSTCFG, v, 0);
        v = FIELD_SET(GBPA_PRIVCFG, v, 0);
    }
    return (uint32_t)v;
}

#endif
