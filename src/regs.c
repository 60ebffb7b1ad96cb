/* SPDX-License-Identifier: MIT */
/* Register file of the Non-secure programming interface (IHI0070 6.2, 6.3):
 * reset values, ID registers synthesised from the configuration, writable
 * masks, guards, the CR0/IRQ_CTRL update protocol, GBPA Update, GERRORN and
 * the queue registers. Choices the spec leaves open are listed in
 * docs/registers.md. */
#include <string.h>

#include "internal.h"

/* ---- ID registers ---------------------------------------------------------- */

static uint32_t idr0_value(const struct vsmmu_config *c)
{
    uint64_t v = 0;
    v |= FIELD_PREP(IDR0_S2P, c->s2p);
    v |= FIELD_PREP(IDR0_S1P, c->s1p);
    v |= FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH64);      /* AArch64 tables only */
    v |= FIELD_PREP(IDR0_COHACC, c->cohacc);
    v |= FIELD_PREP(IDR0_BTM, c->btm);
    v |= FIELD_PREP(IDR0_HTTU, (unsigned)c->httu);
    v |= FIELD_PREP(IDR0_DORMHINT, c->dormhint);
    v |= FIELD_PREP(IDR0_HYP, c->hyp);
    v |= FIELD_PREP(IDR0_ATS, c->ats);
    v |= FIELD_PREP(IDR0_NS1ATS, c->ns1ats);
    v |= FIELD_PREP(IDR0_ASID16, c->asid16);
    v |= FIELD_PREP(IDR0_MSI, c->msi);
    v |= FIELD_PREP(IDR0_SEV, c->sev);
    /* ATOS, VATOS: the GATOS/VATOS interfaces are not modelled (0). */
    v |= FIELD_PREP(IDR0_PRI, c->pri);
    v |= FIELD_PREP(IDR0_VMW, c->vmw);
    v |= FIELD_PREP(IDR0_VMID16, c->vmid16);
    v |= FIELD_PREP(IDR0_CD2L, c->cd2l);
    v |= FIELD_PREP(IDR0_TTENDIAN, IDR0_TTENDIAN_LE); /* little-endian tables only */
    /* ATSRECERR (v3.3 CR2.REC_CFG_ATS) not modelled: 0. */
    v |= FIELD_PREP(IDR0_STALL_MODEL, (unsigned)c->stall_model);
    v |= FIELD_PREP(IDR0_TERM_MODEL, c->term_model);
    v |= FIELD_PREP(IDR0_ST_LEVEL, c->st2l ? IDR0_ST_LEVEL_2LVL : IDR0_ST_LEVEL_LINEAR);
    return (uint32_t)v;
}

static uint32_t idr1_value(const struct vsmmu_config *c)
{
    uint64_t v = 0;
    v |= FIELD_PREP(IDR1_SIDSIZE, c->sidsize);
    v |= FIELD_PREP(IDR1_SSIDSIZE, c->ssidsize);
    /* PRIQS is IMPLEMENTATION DEFINED without PRI (6.3.2): this model reads 0. */
    v |= FIELD_PREP(IDR1_PRIQS, c->pri ? c->priqs : 0);
    v |= FIELD_PREP(IDR1_EVENTQS, c->eventqs);
    v |= FIELD_PREP(IDR1_CMDQS, c->cmdqs);
    v |= FIELD_PREP(IDR1_ATTR_PERMS_OVR, c->attr_perms_ovr);
    v |= FIELD_PREP(IDR1_ATTR_TYPES_OVR, c->attr_types_ovr);
    /* REL, QUEUES_PRESET, TABLES_PRESET, ECMDQ: 0 (nothing preset, no ECMDQ). */
    return (uint32_t)v;
}

static uint32_t idr3_value(const struct vsmmu_config *c)
{
    uint64_t v = 0;
    v |= FIELD_PREP(IDR3_HAD, c->had);
    v |= FIELD_PREP(IDR3_PBHA, c->pbha);
    v |= FIELD_PREP(IDR3_XNX, c->xnx);
    /* PPS: 0 (STE.PPAR honoured). */
    v |= FIELD_PREP(IDR3_MPAM, c->mpam);
    v |= FIELD_PREP(IDR3_FWB, c->fwb);
    v |= FIELD_PREP(IDR3_STT, c->stt);
    v |= FIELD_PREP(IDR3_RIL, c->ril);
    v |= FIELD_PREP(IDR3_BBML, c->bbml);
    v |= FIELD_PREP(IDR3_E0PD, c->e0pd);
    v |= FIELD_PREP(IDR3_PTWNNC, c->ptwnnc);
    return (uint32_t)v;
}

static uint32_t idr5_value(const struct vsmmu_config *c)
{
    uint64_t v = 0;
    v |= FIELD_PREP(IDR5_OAS, vsmmu_oas_encode(c->oas_bits));
    v |= FIELD_PREP(IDR5_GRAN4K, c->gran4k);
    v |= FIELD_PREP(IDR5_GRAN16K, c->gran16k);
    v |= FIELD_PREP(IDR5_GRAN64K, c->gran64k);
    v |= FIELD_PREP(IDR5_VAX, c->vax52 ? IDR5_VAX_52 : IDR5_VAX_48);
    /* STALL_MAX is RES0 when stalls are not supported (6.3.6). */
    if (c->stall_model != VSMMU_TERM_ONLY)
        v |= FIELD_PREP(IDR5_STALL_MAX, c->stall_max);
    return (uint32_t)v;
}

/* ID_REGS: designer and part number mirror IIDR (6.3.7: PIDR{0,1}.PART and
 * PIDR{1,2,4}.DES match IIDR.ProductID and IIDR.Implementer); the CoreSight
 * revision/REVAND carry IIDR.Variant/Revision. */
static uint32_t id_regs_value(const struct vsmmu_config *c, uint32_t off)
{
    uint32_t part = (uint32_t)FIELD_GET(IIDR_PRODUCTID, c->iidr);
    uint32_t des = (uint32_t)FIELD_GET(IIDR_IMPLEMENTER, c->iidr);
    uint32_t des_id = (uint32_t)FIELD_GET(JEP106_ID, des);
    uint32_t des_cont = (uint32_t)FIELD_GET(JEP106_CONT, des);
    switch (off) {
    case SMMU_PIDR0: return (uint32_t)FIELD_PREP(PIDR0_PART_0, part);
    case SMMU_PIDR1: return (uint32_t)(FIELD_PREP(PIDR1_PART_1, part >> 8) |
                                       FIELD_PREP(PIDR1_DES_0, des_id));
    case SMMU_PIDR2: return (uint32_t)(FIELD_PREP(PIDR2_DES_1, des_id >> 4) | PIDR2_JEDEC |
                                       FIELD_PREP(PIDR2_REVISION,
                                                  FIELD_GET(IIDR_VARIANT, c->iidr)));
    case SMMU_PIDR3: return (uint32_t)FIELD_PREP(PIDR3_REVAND, FIELD_GET(IIDR_REVISION, c->iidr));
    case SMMU_PIDR4: return (uint32_t)FIELD_PREP(PIDR4_DES_2, des_cont);
    case SMMU_CIDR0: return CIDR0_VALUE;
    case SMMU_CIDR1: return CIDR1_VALUE;
    case SMMU_CIDR2: return CIDR2_VALUE;
    case SMMU_CIDR3: return CIDR3_VALUE;
    default: return 0; /* PIDR5-7 */
    }
}

/* ---- writable masks (the fields that exist for this configuration) -------- */

static uint64_t pa_mask(const struct vsmmu *s)
{
    /* Address bits above IDR5.OAS are RES0 and not stored (6.3.21, 6.3.24...). */
    return bits_mask_low(s->cfg.oas_bits);
}

uint32_t vsmmu_regs_cr0_mask(const struct vsmmu_config *c)
{
    uint64_t m = CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;
    if (c->pri)
        m |= CR0_PRIQEN;
    if (c->ats)
        m |= CR0_ATSCHK;
    if (c->vmw)
        m |= CR0_VMW;
    return (uint32_t)m;
}

static uint32_t cr1_mask(void)
{
    return (uint32_t)(CR1_QUEUE_IC | CR1_QUEUE_OC | CR1_QUEUE_SH |
                      CR1_TABLE_IC | CR1_TABLE_OC | CR1_TABLE_SH);
}

static uint32_t cr2_mask(const struct vsmmu_config *c)
{
    uint64_t m = CR2_RECINVSID;
    if (c->hyp)
        m |= CR2_E2H;
    if (c->btm)
        m |= CR2_PTM;
    return (uint32_t)m;
}

static uint32_t gbpa_mask(void)
{
    /* Fields an override does not support are stored and read back but act
     * as "use incoming" (6.3.14): see vsmmu_gbpa_effective(). */
    return (uint32_t)(GBPA_MEMATTR | GBPA_MTCFG | GBPA_ALLOCCFG | GBPA_SHCFG |
                      GBPA_PRIVCFG | GBPA_INSTCFG | GBPA_ABORT);
}

static uint32_t irq_ctrl_mask(const struct vsmmu_config *c)
{
    uint64_t m = IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN;
    if (c->pri)
        m |= IRQ_CTRL_PRIQ_IRQEN;
    return (uint32_t)m;
}

uint32_t vsmmu_regs_gerror_mask(const struct vsmmu_config *c)
{
    uint64_t m = GERROR_CMDQ_ERR | GERROR_EVENTQ_ABT_ERR | GERROR_SFM_ERR;
    if (c->pri)
        m |= GERROR_PRIQ_ABT_ERR;
    if (c->msi)
        m |= GERROR_MSI_CMDQ_ABT_ERR | GERROR_MSI_EVENTQ_ABT_ERR | GERROR_MSI_GERROR_ABT_ERR;
    if (c->msi && c->pri)
        m |= GERROR_MSI_PRIQ_ABT_ERR;
    return (uint32_t)m;
}

static uint64_t irq_cfg0_mask(const struct vsmmu *s)
{
    return IRQ_CFG0_ADDR & pa_mask(s);
}

static uint64_t strtab_base_mask(const struct vsmmu *s)
{
    return (STRTAB_BASE_ADDR & pa_mask(s)) | STRTAB_BASE_RA;
}

static uint32_t strtab_cfg_mask(const struct vsmmu_config *c)
{
    uint64_t m = STRTAB_CFG_LOG2SIZE;
    if (c->st2l) /* FMT and SPLIT are RES0 when IDR0.ST_LEVEL == 0 (6.3.25) */
        m |= STRTAB_CFG_SPLIT | STRTAB_CFG_FMT;
    return (uint32_t)m;
}

static uint64_t q_base_mask(const struct vsmmu *s)
{
    return (Q_BASE_ADDR & pa_mask(s)) | Q_BASE_RWA | Q_BASE_LOG2SIZE;
}

/* PROD/CONS index bits [QS:0] for the effective queue size. Bits above the
 * wrap bit are RAZ (SMMU-owned) or RES0 "might be stored" (software-owned):
 * this model never stores them (6.3.27, 6.3.28, 6.3.95-6.3.98). */
static uint32_t q_idx_mask(uint64_t base, unsigned max_log2)
{
    return (uint32_t)bits_mask_low(vsmmu_q_log2size(base, max_log2) + 1);
}

/* ---- guards ------------------------------------------------------------------ */

/* A field guarded by enable bits `m` of CR0 is writable only when those bits
 * are 0 in both CR0 and CR0ACK. v3.2+ ignores other writes; this model does
 * so for every version (6.3.24 ...). */
static bool cr0_clear(const struct vsmmu *s, uint32_t m)
{
    return !((reg_load(&s->regs.cr0) | reg_load(&s->regs.cr0ack)) & m);
}

static bool irq_clear(const struct vsmmu *s, uint32_t m)
{
    return !((s->regs.irq_ctrl | s->regs.irq_ctrlack) & m);
}

/* Merge a write of the byte lanes `lanes` into a register whose stored bits
 * are `wmask`. */
static uint64_t merge(uint64_t old, uint64_t val, uint64_t wmask, uint64_t lanes)
{
    return (old & wmask & ~lanes) | (val & wmask & lanes);
}

/* ---- reset -------------------------------------------------------------------- */

void vsmmu_regs_reset(struct vsmmu *s)
{
    const struct vsmmu_config *c = &s->cfg;
    struct vsmmu_regs *r = &s->regs;

    /* Registers with UNKNOWN reset values (CR1, CR2, bases, indexes, IRQ_CFG*)
     * reset to 0; CR0/ACK, IRQ_CTRL/ACK, GERROR/N, STATUSR and PRIQ_PROD.OVFLG
     * are architecturally 0 (6.3). Translators may be running: (T) fields are
     * stored atomically. */
    reg_store(&r->cr0, 0u);
    reg_store(&r->cr0ack, 0u);
    /* CR2.PTM resets to an IMPLEMENTATION SPECIFIC value; Arm recommends 1
     * where BTM is supported (6.3.12). */
    reg_store(&r->cr2, c->btm ? (uint32_t)CR2_PTM : 0u);
    reg_store(&r->strtab_base, UINT64_C(0));
    reg_store(&r->strtab_base_cfg, 0u);
    /* GBPA: Update resets to 0, the other fields to the configured value. */
    reg_store(&r->gbpa, c->gbpa_reset & gbpa_mask());
    r->cr1 = 0;
    r->statusr = 0;
    r->agbpa = 0;
    r->irq_ctrl = r->irq_ctrlack = 0;
    r->gerror = r->gerrorn = 0;
    r->gerror_irq_cfg0 = 0;
    r->gerror_irq_cfg1 = r->gerror_irq_cfg2 = 0;
    r->cmdq_base = 0;
    r->cmdq_prod = r->cmdq_cons = 0;
    r->eventq_base = 0;
    r->eventq_prod = r->eventq_cons = 0;
    r->eventq_irq_cfg0 = 0;
    r->eventq_irq_cfg1 = r->eventq_irq_cfg2 = 0;
    r->priq_base = 0;
    r->priq_prod = r->priq_cons = 0;
    r->priq_irq_cfg0 = 0;
    r->priq_irq_cfg1 = r->priq_irq_cfg2 = 0;

    r->idr[0] = idr0_value(c);
    r->idr[1] = idr1_value(c);
    r->idr[2] = 0;  /* no VATOS page */
    r->idr[3] = idr3_value(c);
    r->idr[4] = 0;  /* IMPLEMENTATION DEFINED: nothing to report */
    r->idr[5] = idr5_value(c);
    r->iidr = c->iidr;
    r->aidr = (uint32_t)(FIELD_PREP(AIDR_MAJOR, 0) | FIELD_PREP(AIDR_MINOR, c->arch_minor));
}

/* ---- register writes with side effects ---------------------------------------- */

/* CR0 (6.3.9): the update completes synchronously inside the write. Queue
 * enables are acknowledged under evtq.lock, which producers hold while they
 * check CR0ACK and write a record, so when the ACK reads 0 no record is in
 * flight (6.3.9.4, 6.3.9.5). Hooks run after the ACK, without the lock. */
static void cr0_write(struct vsmmu *s, uint32_t val)
{
    struct vsmmu_regs *r = &s->regs;
    uint32_t old = reg_load(&r->cr0ack);
    uint32_t now = val & vsmmu_regs_cr0_mask(&s->cfg);

    reg_store(&r->cr0, now);
    pthread_mutex_lock(&s->evtq.lock);
    reg_store(&r->cr0ack, now);
    pthread_mutex_unlock(&s->evtq.lock);

    uint32_t changed = old ^ now;
    if (changed & CR0_EVENTQEN)
        vsmmu_evtq_enable_changed(s, (now & CR0_EVENTQEN) != 0);
    /* PRI queue writes are enabled when PRIQEN and SMMUEN are both 1. */
    bool priq_old = (old & CR0_PRIQEN) && (old & CR0_SMMUEN);
    bool priq_now = (now & CR0_PRIQEN) && (now & CR0_SMMUEN);
    if (priq_old != priq_now)
        vsmmu_priq_enable_changed(s, priq_now);
    /* SMMUEN 1->0: stalled transactions are terminated (6.3.9.6). */
    if ((changed & CR0_SMMUEN) && !(now & CR0_SMMUEN) && r->smmuen_cleared)
        r->smmuen_cleared(s);
    /* CMDQEN 0->1: consume if PROD != CONS and no CMDQ_ERR (6.3.9.3). */
    if ((changed & CR0_CMDQEN) && (now & CR0_CMDQEN))
        vsmmu_cmdq_process(s);
}

/* IRQ_CTRL (6.3.16): acknowledged synchronously; irq.c reads the ACK under
 * evtq.lock. */
static void irq_ctrl_write(struct vsmmu *s, uint32_t val)
{
    uint32_t now = val & irq_ctrl_mask(&s->cfg);
    pthread_mutex_lock(&s->evtq.lock);
    reg_store(&s->regs.irq_ctrl, now);
    reg_store(&s->regs.irq_ctrlack, now);
    pthread_mutex_unlock(&s->evtq.lock);
}

/* GBPA (6.3.14.1): only a write with Update=1 while Update reads 0 takes
 * effect (v3.2 rule, applied to every version). The update completes inside
 * the write, so Update always reads 0 afterwards. */
static void gbpa_write(struct vsmmu *s, uint32_t val)
{
    if (!(val & GBPA_UPDATE))
        return;
    if (reg_load(&s->regs.gbpa) & GBPA_UPDATE)
        return;
    reg_store(&s->regs.gbpa, val & gbpa_mask());
}

/* GERRORN (6.3.20): stored as written (existing bits only). Acknowledging
 * CMDQ_ERR restarts command consumption (7.1). */
static void gerrorn_write(struct vsmmu *s, uint32_t val)
{
    uint32_t now = val & vsmmu_regs_gerror_mask(&s->cfg);
    pthread_mutex_lock(&s->evtq.lock);
    uint32_t old = s->regs.gerrorn;
    reg_store(&s->regs.gerrorn, now);
    pthread_mutex_unlock(&s->evtq.lock);

    /* irq.c restarts the command queue when CMDQ_ERR is acknowledged. */
    vsmmu_gerrorn_written(s, old, now);
}

/* Queue base registers: after a LOG2SIZE change the index bits from the new
 * wrap bit down keep their value, the bits above are dropped (6.3.27). */
static void cmdq_base_write(struct vsmmu *s, uint64_t val, uint64_t lanes)
{
    struct vsmmu_regs *r = &s->regs;
    if (!cr0_clear(s, CR0_CMDQEN))
        return;
    r->cmdq_base = merge(r->cmdq_base, val, q_base_mask(s), lanes);
    uint32_t m = q_idx_mask(r->cmdq_base, s->cfg.cmdqs);
    r->cmdq_prod &= m;
    r->cmdq_cons &= m | (uint32_t)CMDQ_CONS_ERR;
}

static void eventq_base_write(struct vsmmu *s, uint64_t val, uint64_t lanes)
{
    struct vsmmu_regs *r = &s->regs;
    if (!cr0_clear(s, CR0_EVENTQEN))
        return;
    pthread_mutex_lock(&s->evtq.lock);
    reg_store(&r->eventq_base, merge(r->eventq_base, val, q_base_mask(s), lanes));
    uint32_t m = q_idx_mask(r->eventq_base, s->cfg.eventqs);
    reg_store(&r->eventq_prod, r->eventq_prod & (m | (uint32_t)Q_PROD_OVFLG));
    reg_store(&r->eventq_cons, r->eventq_cons & (m | (uint32_t)Q_CONS_OVACKFLG));
    pthread_mutex_unlock(&s->evtq.lock);
}

static void priq_base_write(struct vsmmu *s, uint64_t val, uint64_t lanes)
{
    struct vsmmu_regs *r = &s->regs;
    /* Guarded by the actual PRIQEN, not the effective one (6.3.9.5). */
    if (!s->cfg.pri || !cr0_clear(s, CR0_PRIQEN))
        return;
    pthread_mutex_lock(&s->evtq.lock);
    reg_store(&r->priq_base, merge(r->priq_base, val, q_base_mask(s), lanes));
    uint32_t m = q_idx_mask(r->priq_base, s->cfg.priqs);
    reg_store(&r->priq_prod, r->priq_prod & (m | (uint32_t)Q_PROD_OVFLG));
    reg_store(&r->priq_cons, r->priq_cons & (m | (uint32_t)Q_CONS_OVACKFLG));
    pthread_mutex_unlock(&s->evtq.lock);
}

/* Page-1 queue indexes (and their optional page-0 alias). `off` is the page
 * offset (0xA8, 0xAC, 0xC8, 0xCC). */
static uint32_t q1_read(struct vsmmu *s, uint32_t off)
{
    struct vsmmu_regs *r = &s->regs;
    uint32_t v = 0;
    if ((off == 0xC8 || off == 0xCC) && !s->cfg.pri)
        return 0;  /* PRIQ registers are RES0 without PRI */
    pthread_mutex_lock(&s->evtq.lock);
    switch (off) {
    case 0xA8: v = r->eventq_prod; break;
    case 0xAC: v = r->eventq_cons; break;
    case 0xC8: v = r->priq_prod; break;
    case 0xCC: v = r->priq_cons; break;
    default: break;
    }
    pthread_mutex_unlock(&s->evtq.lock);
    return v;
}

static void q1_write(struct vsmmu *s, uint32_t off, uint32_t val)
{
    struct vsmmu_regs *r = &s->regs;
    if ((off == 0xC8 || off == 0xCC) && !s->cfg.pri)
        return;
    pthread_mutex_lock(&s->evtq.lock);
    switch (off) {
    case 0xA8: /* EVENTQ_PROD: guarded by EVENTQEN (6.3.95) */
        if (cr0_clear(s, CR0_EVENTQEN))
            reg_store(&r->eventq_prod, val & (q_idx_mask(r->eventq_base, s->cfg.eventqs) |
                                              (uint32_t)Q_PROD_OVFLG));
        break;
    case 0xAC: /* EVENTQ_CONS: always RW (6.3.96) */
        reg_store(&r->eventq_cons, val & (q_idx_mask(r->eventq_base, s->cfg.eventqs) |
                                          (uint32_t)Q_CONS_OVACKFLG));
        break;
    case 0xC8: /* PRIQ_PROD: guarded by PRIQEN (6.3.97) */
        if (cr0_clear(s, CR0_PRIQEN))
            reg_store(&r->priq_prod, val & (q_idx_mask(r->priq_base, s->cfg.priqs) |
                                            (uint32_t)Q_PROD_OVFLG));
        break;
    case 0xCC: /* PRIQ_CONS: always RW (6.3.98) */
        reg_store(&r->priq_cons, val & (q_idx_mask(r->priq_base, s->cfg.priqs) |
                                        (uint32_t)Q_CONS_OVACKFLG));
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&s->evtq.lock);
    if (off == 0xAC)
        vsmmu_evtq_cons_written(s);  /* room for pending stall records */
}

/* ---- decode ------------------------------------------------------------------- */

/* The 64-bit registers of page 0 present in this configuration; NULL if
 * `off` (8-byte aligned) is not one. */
static uint64_t *reg64_ptr(struct vsmmu *s, uint32_t off)
{
    struct vsmmu_regs *r = &s->regs;
    switch (off) {
    case SMMU_GERROR_IRQ_CFG0: return s->cfg.msi ? &r->gerror_irq_cfg0 : NULL;
    case SMMU_STRTAB_BASE: return &r->strtab_base;
    case SMMU_CMDQ_BASE: return &r->cmdq_base;
    case SMMU_EVENTQ_BASE: return &r->eventq_base;
    case SMMU_EVENTQ_IRQ_CFG0: return s->cfg.msi ? &r->eventq_irq_cfg0 : NULL;
    case SMMU_PRIQ_BASE: return s->cfg.pri ? &r->priq_base : NULL;
    case SMMU_PRIQ_IRQ_CFG0: return (s->cfg.msi && s->cfg.pri) ? &r->priq_irq_cfg0 : NULL;
    default: return NULL;
    }
}

static uint64_t reg64_read(struct vsmmu *s, uint32_t off)
{
    uint64_t *p = reg64_ptr(s, off);
    if (!p)
        return 0;
    switch (off) {
    case SMMU_STRTAB_BASE:
        return reg_load(p);
    case SMMU_EVENTQ_BASE:
    case SMMU_PRIQ_BASE: {
        pthread_mutex_lock(&s->evtq.lock);
        uint64_t v = *p;
        pthread_mutex_unlock(&s->evtq.lock);
        return v;
    }
    default:
        return *p;
    }
}

/* Write the byte lanes `lanes` of the 64-bit register at `off`. */
static void reg64_write(struct vsmmu *s, uint32_t off, uint64_t val, uint64_t lanes)
{
    struct vsmmu_regs *r = &s->regs;
    if (!reg64_ptr(s, off))
        return;
    switch (off) {
    case SMMU_GERROR_IRQ_CFG0:
        if (irq_clear(s, IRQ_CTRL_GERROR_IRQEN))
            r->gerror_irq_cfg0 = merge(r->gerror_irq_cfg0, val, irq_cfg0_mask(s), lanes);
        break;
    case SMMU_EVENTQ_IRQ_CFG0:
        if (irq_clear(s, IRQ_CTRL_EVENTQ_IRQEN))
            r->eventq_irq_cfg0 = merge(r->eventq_irq_cfg0, val, irq_cfg0_mask(s), lanes);
        break;
    case SMMU_PRIQ_IRQ_CFG0:
        if (irq_clear(s, IRQ_CTRL_PRIQ_IRQEN))
            r->priq_irq_cfg0 = merge(r->priq_irq_cfg0, val, irq_cfg0_mask(s), lanes);
        break;
    case SMMU_STRTAB_BASE: /* guarded by SMMUEN (6.3.24) */
        if (cr0_clear(s, CR0_SMMUEN))
            reg_store(&r->strtab_base, merge(r->strtab_base, val, strtab_base_mask(s), lanes));
        break;
    case SMMU_CMDQ_BASE:
        cmdq_base_write(s, val, lanes);
        break;
    case SMMU_EVENTQ_BASE:
        eventq_base_write(s, val, lanes);
        break;
    case SMMU_PRIQ_BASE:
        priq_base_write(s, val, lanes);
        break;
    default:
        break;
    }
}

static uint32_t read32(struct vsmmu *s, uint32_t off)
{
    const struct vsmmu_config *c = &s->cfg;
    struct vsmmu_regs *r = &s->regs;

    if (off >= SMMU_PAGE1) {
        /* Page 1: only the four queue index registers; other offsets are
         * RES0 (the CONSTRAINED UNPREDICTABLE choice of 6.2). */
        uint32_t p = off - SMMU_PAGE1;
        if (p == 0xA8 || p == 0xAC || p == 0xC8 || p == 0xCC)
            return q1_read(s, p);
        return 0;
    }
    uint64_t *p64 = reg64_ptr(s, off & ~7u);
    if (p64) {
        uint64_t v = reg64_read(s, off & ~7u);
        return (uint32_t)(off & 4 ? v >> 32 : v);
    }
    switch (off) {
    case SMMU_IDR0: case SMMU_IDR1: case SMMU_IDR2:
    case SMMU_IDR3: case SMMU_IDR4: case SMMU_IDR5:
        return r->idr[off / 4];
    case SMMU_IIDR: return r->iidr;
    case SMMU_AIDR: return r->aidr;
    case SMMU_CR0: return reg_load(&r->cr0);
    case SMMU_CR0ACK: return reg_load(&r->cr0ack);
    case SMMU_CR1: return r->cr1;
    case SMMU_CR2: return reg_load(&r->cr2);
    case SMMU_STATUSR: return r->statusr;
    case SMMU_GBPA: return reg_load(&r->gbpa);
    case SMMU_AGBPA: return r->agbpa;
    case SMMU_IRQ_CTRL:
    case SMMU_IRQ_CTRLACK:
    case SMMU_GERROR:
    case SMMU_GERRORN: {
        pthread_mutex_lock(&s->evtq.lock);
        uint32_t v = off == SMMU_IRQ_CTRL ? r->irq_ctrl :
                     off == SMMU_IRQ_CTRLACK ? r->irq_ctrlack :
                     off == SMMU_GERROR ? r->gerror : r->gerrorn;
        pthread_mutex_unlock(&s->evtq.lock);
        return v;
    }
    case SMMU_GERROR_IRQ_CFG1: return c->msi ? r->gerror_irq_cfg1 : 0;
    case SMMU_GERROR_IRQ_CFG2: return c->msi ? r->gerror_irq_cfg2 : 0;
    case SMMU_STRTAB_BASE_CFG: return reg_load(&r->strtab_base_cfg);
    case SMMU_CMDQ_PROD: return r->cmdq_prod;
    case SMMU_CMDQ_CONS: return r->cmdq_cons;
    case SMMU_EVENTQ_PROD_ALIAS: case SMMU_EVENTQ_CONS_ALIAS:
    case SMMU_PRIQ_PROD_ALIAS: case SMMU_PRIQ_CONS_ALIAS:
        return c->page0_alias ? q1_read(s, off) : 0;
    case SMMU_EVENTQ_IRQ_CFG1: return c->msi ? r->eventq_irq_cfg1 : 0;
    case SMMU_EVENTQ_IRQ_CFG2: return c->msi ? r->eventq_irq_cfg2 : 0;
    case SMMU_PRIQ_IRQ_CFG1: return c->msi && c->pri ? r->priq_irq_cfg1 : 0;
    case SMMU_PRIQ_IRQ_CFG2: return c->msi && c->pri ? r->priq_irq_cfg2 : 0;
    default:
        if (off >= SMMU_PIDR4 && off <= SMMU_CIDR3)
            return id_regs_value(c, off);
        return 0;  /* undefined page-0 offsets and the Secure block: RES0 */
    }
}

static void write32(struct vsmmu *s, uint32_t off, uint32_t val)
{
    const struct vsmmu_config *c = &s->cfg;
    struct vsmmu_regs *r = &s->regs;

    if (off >= SMMU_PAGE1) {
        uint32_t p = off - SMMU_PAGE1;
        if (p == 0xA8 || p == 0xAC || p == 0xC8 || p == 0xCC)
            q1_write(s, p, val);
        return;
    }
    if (reg64_ptr(s, off & ~7u)) {
        unsigned sh = off & 4 ? 32 : 0;
        reg64_write(s, off & ~7u, (uint64_t)val << sh, (uint64_t)UINT32_MAX << sh);
        return;
    }
    switch (off) {
    case SMMU_CR0:
        cr0_write(s, val);
        break;
    case SMMU_CR1: {
        /* TABLE_* guarded by SMMUEN; QUEUE_* by all queue enables (6.3.11). */
        uint32_t m = 0;
        if (cr0_clear(s, CR0_SMMUEN))
            m |= (uint32_t)(CR1_TABLE_IC | CR1_TABLE_OC | CR1_TABLE_SH);
        if (cr0_clear(s, CR0_CMDQEN | CR0_EVENTQEN | CR0_PRIQEN))
            m |= (uint32_t)(CR1_QUEUE_IC | CR1_QUEUE_OC | CR1_QUEUE_SH);
        r->cr1 = (r->cr1 & ~m) | (val & cr1_mask() & m);
        break;
    }
    case SMMU_CR2: /* guarded by SMMUEN (6.3.12) */
        if (cr0_clear(s, CR0_SMMUEN))
            reg_store(&r->cr2, val & cr2_mask(c));
        break;
    case SMMU_GBPA:
        gbpa_write(s, val);
        break;
    case SMMU_IRQ_CTRL:
        irq_ctrl_write(s, val);
        break;
    case SMMU_GERRORN:
        gerrorn_write(s, val);
        break;
    case SMMU_GERROR_IRQ_CFG1:
        if (c->msi && irq_clear(s, IRQ_CTRL_GERROR_IRQEN))
            r->gerror_irq_cfg1 = val;
        break;
    case SMMU_GERROR_IRQ_CFG2:
        if (c->msi && irq_clear(s, IRQ_CTRL_GERROR_IRQEN))
            r->gerror_irq_cfg2 = val & (uint32_t)(IRQ_CFG2_MEMATTR | IRQ_CFG2_SH);
        break;
    case SMMU_STRTAB_BASE_CFG: /* guarded by SMMUEN (6.3.25) */
        if (cr0_clear(s, CR0_SMMUEN))
            reg_store(&r->strtab_base_cfg, val & strtab_cfg_mask(c));
        break;
    case SMMU_CMDQ_PROD: /* always RW (6.3.27) */
        r->cmdq_prod = val & q_idx_mask(r->cmdq_base, c->cmdqs);
        vsmmu_cmdq_process(s);
        break;
    case SMMU_CMDQ_CONS: /* guarded by CMDQEN; ERR takes the written value (6.3.28) */
        if (cr0_clear(s, CR0_CMDQEN))
            r->cmdq_cons = val & (q_idx_mask(r->cmdq_base, c->cmdqs) | (uint32_t)CMDQ_CONS_ERR);
        break;
    case SMMU_EVENTQ_PROD_ALIAS: case SMMU_EVENTQ_CONS_ALIAS:
    case SMMU_PRIQ_PROD_ALIAS: case SMMU_PRIQ_CONS_ALIAS:
        if (c->page0_alias)
            q1_write(s, off, val);
        break;
    case SMMU_EVENTQ_IRQ_CFG1:
        if (c->msi && irq_clear(s, IRQ_CTRL_EVENTQ_IRQEN))
            r->eventq_irq_cfg1 = val;
        break;
    case SMMU_EVENTQ_IRQ_CFG2:
        if (c->msi && irq_clear(s, IRQ_CTRL_EVENTQ_IRQEN))
            r->eventq_irq_cfg2 = val & (uint32_t)(IRQ_CFG2_MEMATTR | IRQ_CFG2_SH);
        break;
    case SMMU_PRIQ_IRQ_CFG1:
        if (c->msi && c->pri && irq_clear(s, IRQ_CTRL_PRIQ_IRQEN))
            r->priq_irq_cfg1 = val;
        break;
    case SMMU_PRIQ_IRQ_CFG2:
        if (c->msi && c->pri && irq_clear(s, IRQ_CTRL_PRIQ_IRQEN))
            r->priq_irq_cfg2 = val & (uint32_t)(IRQ_CFG2_MEMATTR | IRQ_CFG2_SH | IRQ_CFG2_LO);
        break;
    default:
        /* RO registers (IDs, CR0ACK, STATUSR, IRQ_CTRLACK, GERROR), AGBPA
         * (no IMPLEMENTATION DEFINED attributes: RES0), undefined offsets
         * and the Secure block: writes ignored. */
        break;
    }
}

/* Aligned 32-bit access to any register (or half of a 64-bit one), aligned
 * 64-bit access to a 64-bit register. Everything else is RAZ/WI: the
 * CONSTRAINED UNPREDICTABLE choice for illegal accesses and for 64-bit
 * accesses to two 32-bit registers (6.2). */
uint64_t vsmmu_regs_read(struct vsmmu *s, uint32_t offset, unsigned size)
{
    if (offset >= VSMMU_MMIO_SIZE)
        return 0;
    if (size == 4 && !(offset & 3))
        return read32(s, offset);
    if (size == 8 && !(offset & 7) && offset < SMMU_PAGE1 && reg64_ptr(s, offset))
        return reg64_read(s, offset);
    return 0;
}

void vsmmu_regs_write(struct vsmmu *s, uint32_t offset, uint64_t val, unsigned size)
{
    if (offset >= VSMMU_MMIO_SIZE)
        return;
    if (size == 4 && !(offset & 3))
        write32(s, offset, (uint32_t)val);
    else if (size == 8 && !(offset & 7) && offset < SMMU_PAGE1 && reg64_ptr(s, offset))
        reg64_write(s, offset, val, UINT64_MAX);
}
