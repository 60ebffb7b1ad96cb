/* SPDX-License-Identifier: MIT */
/* A mini guest driver, programmed as Linux's arm-smmu-v3 driver does
 * (linux-driver.md §1.1-1.5, §2.2, §3). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drv.h"
#include "cmd.h"
#include "spec/regs.h"

#define POLL_MAX   1000u   /* bound of every polling loop */

static int fail(struct kit_drv *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(struct kit_drv *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, sizeof(d->err), fmt, ap);
    va_end(ap);
    return -1;
}

uint32_t kit_drv_r32(struct kit_drv *d, uint32_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(d->s, off, 4, &v)) {
        fprintf(stderr, "kit_drv: MMIO read 0x%x failed\n", off);
        abort();
    }
    return (uint32_t)v;
}

uint64_t kit_drv_r64(struct kit_drv *d, uint32_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(d->s, off, 8, &v)) {
        fprintf(stderr, "kit_drv: MMIO read 0x%x failed\n", off);
        abort();
    }
    return v;
}

void kit_drv_w32(struct kit_drv *d, uint32_t off, uint32_t v)
{
    if (vsmmu_mmio_write(d->s, off, v, 4)) {
        fprintf(stderr, "kit_drv: MMIO write 0x%x failed\n", off);
        abort();
    }
}

void kit_drv_w64(struct kit_drv *d, uint32_t off, uint64_t v)
{
    if (vsmmu_mmio_write(d->s, off, v, 8)) {
        fprintf(stderr, "kit_drv: MMIO write 0x%x failed\n", off);
        abort();
    }
}

int kit_drv_write_sync(struct kit_drv *d, uint32_t reg, uint32_t ack, uint32_t v)
{
    kit_drv_w32(d, reg, v);
    for (unsigned i = 0; i < POLL_MAX; i++)
        if (kit_drv_r32(d, ack) == v)
            return 0;
    return fail(d, "register 0x%x: ack 0x%x never reached 0x%x", reg, ack, v);
}

/* ---- probe ------------------------------------------------------------------ */

int kit_drv_probe(struct kit_drv *d, struct vsmmu *s, struct kit_mem *m)
{
    memset(d, 0, sizeof(*d));
    d->s = s;
    d->m = m;
    for (unsigned i = 0; i < 6; i++)
        d->idr[i] = kit_drv_r32(d, SMMU_IDR0 + 4 * i);
    uint32_t i0 = d->idr[0], i1 = d->idr[1], i3 = d->idr[3], i5 = d->idr[5];
    d->s1p = (i0 & IDR0_S1P) != 0;
    d->s2p = (i0 & IDR0_S2P) != 0;
    if (!d->s1p && !d->s2p)
        return fail(d, "no translation stage");
    if (!(FIELD_GET(IDR0_TTF, i0) & IDR0_TTF_AARCH64))
        return fail(d, "AArch64 table format not supported");
    if (i1 & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET | IDR1_REL))
        return fail(d, "embedded implementation not supported");
    d->st2l = FIELD_GET(IDR0_ST_LEVEL, i0) == 1;
    d->cd2l = (i0 & IDR0_CD2L) != 0;
    d->msi = (i0 & IDR0_MSI) != 0;
    d->sev = (i0 & IDR0_SEV) != 0;
    d->hyp = (i0 & IDR0_HYP) != 0;
    d->pri = (i0 & IDR0_PRI) != 0;
    d->ats = (i0 & IDR0_ATS) != 0;
    d->asid16 = (i0 & IDR0_ASID16) != 0;
    d->vmid16 = (i0 & IDR0_VMID16) != 0;
    d->ril = (i3 & IDR3_RIL) != 0;
    d->sidsize = (unsigned)FIELD_GET(IDR1_SIDSIZE, i1);
    d->ssidsize = (unsigned)FIELD_GET(IDR1_SSIDSIZE, i1);
    d->cmdqs = (unsigned)FIELD_GET(IDR1_CMDQS, i1);
    d->eventqs = (unsigned)FIELD_GET(IDR1_EVENTQS, i1);
    d->priqs = (unsigned)FIELD_GET(IDR1_PRIQS, i1);
    static const unsigned oas[] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned code = (unsigned)FIELD_GET(IDR5_OAS, i5);
    d->oas_bits = code < 7 ? oas[code] : 48;
    /* The queue must hold more than one 64-command batch. */
    if (d->cmdqs <= 6)
        return fail(d, "IDR1.CMDQS=%u: command queue too small", d->cmdqs);
    return 0;
}

void kit_drv_default_opts(struct kit_drv_opts *o)
{
    memset(o, 0, sizeof(*o));
}

/* ---- stream table --------------------------------------------------------------- */

#define STE_SIZE      64u
#define STE_ABORT_DW0 UINT64_C(1)        /* V = 1, Config = 0b000 (abort) */
#define L2_SPLIT      8u                 /* Linux STRTAB_SPLIT */

static void fill_abort(struct kit_drv *d, uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        kit_w64(d->m, pa + i * STE_SIZE, STE_ABORT_DW0);
}

static int strtab_setup(struct kit_drv *d, const struct kit_drv_opts *o)
{
    bool two = o->strtab == KIT_ST_2LVL ||
               (o->strtab == KIT_ST_AUTO && d->st2l && (o->sid_bits ? o->sid_bits : d->sidsize) > 8);
    if (two && !d->st2l)
        return fail(d, "2-level stream table requested but IDR0.ST_LEVEL != 1");
    unsigned bits = o->sid_bits ? o->sid_bits : d->sidsize;
    unsigned cap = two ? 16 : 8;
    if (!o->sid_bits && bits > cap)
        bits = cap;
    if (bits > d->sidsize)
        bits = d->sidsize;
    d->two_level = two;
    d->sid_bits = bits;
    uint32_t cfg;
    if (!two) {
        uint64_t size = (uint64_t)STE_SIZE << bits;
        d->strtab = kit_mem_alloc(d->m, size, size);
        fill_abort(d, d->strtab, UINT64_C(1) << bits);
        cfg = (uint32_t)(FIELD_PREP(STRTAB_CFG_FMT, STRTAB_FMT_LINEAR) |
                         FIELD_PREP(STRTAB_CFG_LOG2SIZE, bits));
    } else {
        unsigned l1_bits = bits > L2_SPLIT ? bits - L2_SPLIT : 0;
        uint64_t size = UINT64_C(8) << l1_bits;
        d->strtab = kit_mem_alloc(d->m, size, size < 64 ? 64 : size);
        cfg = (uint32_t)(FIELD_PREP(STRTAB_CFG_FMT, STRTAB_FMT_2LVL) |
                         FIELD_PREP(STRTAB_CFG_SPLIT, L2_SPLIT) |
                         FIELD_PREP(STRTAB_CFG_LOG2SIZE, bits));
    }
    kit_drv_w64(d, SMMU_STRTAB_BASE, STRTAB_BASE_RA | (d->strtab & STRTAB_BASE_ADDR));
    kit_drv_w32(d, SMMU_STRTAB_BASE_CFG, cfg);
    return 0;
}

uint64_t kit_drv_ste_pa(struct kit_drv *d, uint32_t sid)
{
    if (d->sid_bits < 32 && sid >> d->sid_bits)
        return 0;
    if (!d->two_level)
        return d->strtab + (uint64_t)sid * STE_SIZE;
    uint64_t l1 = d->strtab + (uint64_t)(sid >> L2_SPLIT) * 8;
    uint64_t desc = kit_r64(d->m, l1);
    if (!(desc & 0x1f)) {
        /* L2 table of 2^SPLIT STEs, aligned to its size; L1STD.Span =
         * SPLIT + 1 and L2Ptr[51:6], written with one 64-bit store. */
        uint64_t size = (uint64_t)STE_SIZE << L2_SPLIT;
        uint64_t l2 = kit_mem_alloc(d->m, size, size);
        fill_abort(d, l2, UINT64_C(1) << L2_SPLIT);
        desc = (l2 & GENMASK(51, 6)) | (L2_SPLIT + 1);
        kit_w64(d->m, l1, desc);
    }
    return (desc & GENMASK(51, 6)) + (uint64_t)(sid & ((1u << L2_SPLIT) - 1)) * STE_SIZE;
}

int kit_drv_install_ste(struct kit_drv *d, uint32_t sid, const uint64_t ste[8])
{
    uint64_t pa = kit_drv_ste_pa(d, sid);
    if (!pa)
        return fail(d, "StreamID %u outside the stream table", sid);
    for (int i = 1; i < 8; i++)
        kit_w64(d->m, pa + 8 * (uint64_t)i, ste[i]);
    kit_w64(d->m, pa, ste[0]);
    uint64_t c[2];
    kit_cmd_cfgi_ste(c, sid, true);
    return kit_drv_cmd(d, c);
}

/* ---- command queue -------------------------------------------------------------- */

static uint32_t qmask(unsigned log2) { return (2u << log2) - 1; }

static bool q_full(uint32_t prod, uint32_t cons, unsigned log2)
{
    return ((prod - cons) & qmask(log2)) == (1u << log2);
}

static uint64_t cmd_slot(const struct kit_drv *d, uint32_t p)
{
    return d->cmdq_base + (uint64_t)(p & ((1u << d->cmdq_log2) - 1)) * 16;
}

static void put_cmd(struct kit_drv *d, uint32_t p, const uint64_t c[2])
{
    kit_w64(d->m, cmd_slot(d, p), c[0]);
    kit_w64(d->m, cmd_slot(d, p) + 8, c[1]);
}

uint32_t kit_drv_gerror(struct kit_drv *d)
{
    uint32_t gerror = kit_drv_r32(d, SMMU_GERROR);
    uint32_t gerrorn = kit_drv_r32(d, SMMU_GERRORN);
    uint32_t active = gerror ^ gerrorn;
    if (!(active & 0x1fd))           /* Linux GERROR_ERR_MASK */
        return 0;
    if (active & GERROR_CMDQ_ERR) {
        /* __arm_smmu_cmdq_skip_err: ILL (or unknown) -> overwrite the failing
         * entry with a CMD_SYNC; ABT and ATC_INV_SYNC -> retry as is. */
        uint32_t cons = kit_drv_r32(d, SMMU_CMDQ_CONS);
        unsigned err = (unsigned)FIELD_GET(CMDQ_CONS_ERR, cons);
        d->last_cerror = err;
        d->cerrors++;
        if (err != CERROR_NONE && err != CERROR_ABT && err != CERROR_ATC_INV_SYNC) {
            uint64_t c[2];
            kit_cmd_sync(c, KIT_CS_SEV, 0, 0, 3, 0xf);
            put_cmd(d, cons, c);
        }
    }
    d->gerror_seen |= active;
    kit_drv_w32(d, SMMU_GERRORN, gerror);
    return active;
}

/* Wait until CMDQ_CONS.RD reaches `target` (or, with `slot`, until the MSI
 * of the CMD_SYNC at `slot` has cleared its first word). While waiting, the
 * GERROR handler runs as Linux's interrupt would; CMDQ_PROD is re-written so
 * that work bounded per MMIO call keeps moving. */
static int cmdq_wait(struct kit_drv *d, uint32_t target, uint64_t slot, int *cerr)
{
    uint32_t mask = qmask(d->cmdq_log2);
    for (unsigned i = 0; i < POLL_MAX; i++) {
        if (slot && kit_r32(d->m, slot) == 0)
            return 0;
        /* Consumed past `target`: no more than prod - target entries left. */
        uint32_t cons = kit_drv_r32(d, SMMU_CMDQ_CONS);
        if (((d->cmdq_prod - cons) & mask) <= ((d->cmdq_prod - target) & mask))
            return 0;
        uint32_t g = kit_drv_r32(d, SMMU_GERROR) ^ kit_drv_r32(d, SMMU_GERRORN);
        if (g & GERROR_CMDQ_ERR) {
            kit_drv_gerror(d);
            if (cerr)
                *cerr = (int)d->last_cerror;
            continue;
        }
        kit_drv_w32(d, SMMU_CMDQ_PROD, d->cmdq_prod);
    }
    return fail(d, "command queue stuck (CONS 0x%x, PROD 0x%x)",
                kit_drv_r32(d, SMMU_CMDQ_CONS), d->cmdq_prod);
}

/* Wait until the queue has a free slot (publishing what is queued). */
static int cmdq_room(struct kit_drv *d, int *cerr)
{
    uint32_t cons = kit_drv_r32(d, SMMU_CMDQ_CONS);
    if (!q_full(d->cmdq_prod, cons, d->cmdq_log2))
        return 0;
    kit_drv_w32(d, SMMU_CMDQ_PROD, d->cmdq_prod);
    /* Room for one more entry once CONS has passed the oldest one. */
    uint32_t oldest_next = (d->cmdq_prod - (1u << d->cmdq_log2) + 1) & qmask(d->cmdq_log2);
    if (cmdq_wait(d, oldest_next, 0, cerr))
        return -1;
    cons = kit_drv_r32(d, SMMU_CMDQ_CONS);
    if (q_full(d->cmdq_prod, cons, d->cmdq_log2))
        return fail(d, "command queue full");
    return 0;
}

static int cmdq_push(struct kit_drv *d, const uint64_t c[2], int *cerr)
{
    if (cmdq_room(d, cerr))
        return -1;
    put_cmd(d, d->cmdq_prod, c);
    d->cmdq_prod = (d->cmdq_prod + 1) & qmask(d->cmdq_log2);
    return 0;
}

int kit_drv_submit(struct kit_drv *d, const uint64_t (*cmds)[2], unsigned n, bool sync)
{
    int cerr = 0;
    for (unsigned i = 0; i < n; i++)
        if (cmdq_push(d, cmds[i], &cerr))
            return -1;
    if (!sync) {
        kit_drv_w32(d, SMMU_CMDQ_PROD, d->cmdq_prod);
        return cerr;
    }
    uint64_t c[2];
    uint64_t slot = 0;
    if (cmdq_room(d, &cerr))
        return -1;
    if (d->msi_poll) {
        /* CS=IRQ, MSIAddress = this entry, MSIData = 0, MSH = ISH, MSIAttr =
         * Normal WB: completion clears the first word of the slot. */
        slot = cmd_slot(d, d->cmdq_prod);
        kit_cmd_sync(c, KIT_CS_IRQ, slot, 0, 3, 0xf);
    } else {
        kit_cmd_sync(c, KIT_CS_SEV, 0, 0, 3, 0xf);
    }
    if (cmdq_push(d, c, &cerr))
        return -1;
    kit_drv_w32(d, SMMU_CMDQ_PROD, d->cmdq_prod);
    if (cmdq_wait(d, d->cmdq_prod, slot, &cerr))
        return -1;
    d->syncs++;
    return cerr;
}

int kit_drv_cmd(struct kit_drv *d, const uint64_t cmd[2])
{
    const uint64_t (*one)[2] = (const uint64_t (*)[2])cmd;
    return kit_drv_submit(d, one, 1, true);
}

int kit_drv_sync(struct kit_drv *d)
{
    return kit_drv_submit(d, NULL, 0, true);
}

struct inv_batch {
    struct kit_drv *d;
    unsigned op, n;
    uint16_t vmid, asid;
    int rc;
    uint64_t cmds[64][2];
};

static void inv_emit(void *arg, const struct kit_tlbi_range *r)
{
    struct inv_batch *b = arg;
    uint64_t *c = b->cmds[b->n];
    switch (b->op) {
    case KIT_OP_TLBI_NH_VA: kit_cmd_tlbi_nh_va(c, b->vmid, b->asid, r); break;
    case KIT_OP_TLBI_NH_VAA: kit_cmd_tlbi_nh_vaa(c, b->vmid, r); break;
    case KIT_OP_TLBI_EL2_VA: kit_cmd_tlbi_el2_va(c, b->asid, r); break;
    case KIT_OP_TLBI_EL2_VAA: kit_cmd_tlbi_el2_vaa(c, r); break;
    default: kit_cmd_tlbi_s2_ipa(c, b->vmid, r); break;
    }
    /* A full batch is issued without a sync (arm_smmu_cmdq_batch_add). */
    if (++b->n == 64) {
        int rc = kit_drv_submit(b->d, (const uint64_t (*)[2])b->cmds, b->n, false);
        if (rc && !b->rc)
            b->rc = rc;
        b->n = 0;
    }
}

int kit_drv_inv_range(struct kit_drv *d, unsigned op, uint16_t vmid, uint16_t asid,
                      uint64_t iova, uint64_t size, uint64_t granule, unsigned tg, bool leaf)
{
    struct inv_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return fail(d, "out of memory");
    b->d = d; b->op = op; b->vmid = vmid; b->asid = asid;
    kit_tlbi_linux_ranges(iova, size, granule, tg, leaf, d->ril, inv_emit, b);
    int rc = kit_drv_submit(d, (const uint64_t (*)[2])b->cmds, b->n, true);
    if (b->rc)
        rc = b->rc;
    free(b);
    return rc;
}

/* ---- output queues ------------------------------------------------------------- */

int kit_drv_event(struct kit_drv *d, uint64_t rec[4])
{
    uint32_t mask = qmask(d->evtq_log2);
    if (((d->evtq_prod ^ d->evtq_cons) & mask) == 0) {
        uint32_t prod = kit_drv_r32(d, SMMU_EVENTQ_PROD);
        if ((prod ^ d->evtq_prod) & Q_PROD_OVFLG)
            d->evtq_overflows++;
        d->evtq_prod = prod;
    }
    if (((d->evtq_prod ^ d->evtq_cons) & mask) == 0) {
        /* Empty: acknowledge any overflow (OVACKFLG = OVFLG). */
        kit_drv_w32(d, SMMU_EVENTQ_CONS, (d->evtq_cons & mask) | (d->evtq_prod & Q_PROD_OVFLG));
        return 0;
    }
    uint64_t pa = d->evtq_base + (uint64_t)(d->evtq_cons & ((1u << d->evtq_log2) - 1)) * 32;
    for (int i = 0; i < 4; i++)
        rec[i] = kit_r64(d->m, pa + 8 * (uint64_t)i);
    d->evtq_cons = (d->evtq_cons + 1) & mask;
    kit_drv_w32(d, SMMU_EVENTQ_CONS, d->evtq_cons | (d->evtq_prod & Q_PROD_OVFLG));
    return 1;
}

int kit_drv_pri(struct kit_drv *d, uint64_t rec[2])
{
    if (!d->priq_on)
        return 0;
    uint32_t mask = qmask(d->priq_log2);
    if (((d->priq_prod ^ d->priq_cons) & mask) == 0) {
        uint32_t prod = kit_drv_r32(d, SMMU_PRIQ_PROD);
        if ((prod ^ d->priq_prod) & Q_PROD_OVFLG)
            d->priq_overflows++;
        d->priq_prod = prod;
    }
    if (((d->priq_prod ^ d->priq_cons) & mask) == 0) {
        kit_drv_w32(d, SMMU_PRIQ_CONS, (d->priq_cons & mask) | (d->priq_prod & Q_PROD_OVFLG));
        return 0;
    }
    uint64_t pa = d->priq_base + (uint64_t)(d->priq_cons & ((1u << d->priq_log2) - 1)) * 16;
    rec[0] = kit_r64(d->m, pa);
    rec[1] = kit_r64(d->m, pa + 8);
    d->priq_cons = (d->priq_cons + 1) & mask;
    kit_drv_w32(d, SMMU_PRIQ_CONS, d->priq_cons | (d->priq_prod & Q_PROD_OVFLG));
    return 1;
}

int kit_drv_pri_deny(struct kit_drv *d, const uint64_t rec[2])
{
    uint64_t c[2];
    bool ssv = (rec[0] >> 63) & 1;
    kit_cmd_pri_resp(c, (uint32_t)rec[0], ssv, ssv ? (uint32_t)(rec[0] >> 32) & 0xfffff : 0,
                     (unsigned)(rec[1] & 0x1ff), KIT_PRI_FAILURE);
    return kit_drv_cmd(d, c);
}

/* ---- reset ---------------------------------------------------------------------- */

static unsigned pick(unsigned want, unsigned dflt, unsigned max)
{
    unsigned v = want ? want : (dflt < max ? dflt : max);
    return v > max ? max : v;
}

static uint64_t q_alloc(struct kit_drv *d, unsigned log2, unsigned ent)
{
    uint64_t size = (uint64_t)ent << log2;
    if (size < 32)
        size = 32;
    return kit_mem_alloc(d->m, size, size);
}

static void msi_cfg(struct kit_drv *d, uint32_t cfg0, const struct kit_drv_msi *msi)
{
    if (!d->msi || !msi->addr)
        return;
    kit_drv_w64(d, cfg0, msi->addr & IRQ_CFG0_ADDR);
    kit_drv_w32(d, cfg0 + 8, msi->data);
    kit_drv_w32(d, cfg0 + 12, 1);    /* MemAttr Device-nGnRE, SH = 0 */
}

int kit_drv_reset(struct kit_drv *d, const struct kit_drv_opts *opts)
{
    struct kit_drv_opts dflt;
    const struct kit_drv_opts *o = opts;
    if (!o) {
        kit_drv_default_opts(&dflt);
        o = &dflt;
    }
    uint64_t c[2];
    int rc;

    /* 1. Already enabled: abort incoming transactions via GBPA first. */
    uint32_t cr0 = kit_drv_r32(d, SMMU_CR0);
    if (cr0 & CR0_SMMUEN) {
        uint32_t gbpa = 0;
        unsigned i;
        for (i = 0; i < POLL_MAX && ((gbpa = kit_drv_r32(d, SMMU_GBPA)) & GBPA_UPDATE); i++)
            ;
        kit_drv_w32(d, SMMU_GBPA, gbpa | (uint32_t)GBPA_ABORT | (uint32_t)GBPA_UPDATE);
        for (i = 0; i < POLL_MAX && (kit_drv_r32(d, SMMU_GBPA) & GBPA_UPDATE); i++)
            ;
        if (i == POLL_MAX)
            return fail(d, "GBPA update never completed");
    }
    /* 2. Disable everything. */
    if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, 0))
        return -1;
    /* 3-4. Table/queue attributes: ISH, WB; CR2 = PTM | RECINVSID. */
    kit_drv_w32(d, SMMU_CR1, 0x0D75);
    kit_drv_w32(d, SMMU_CR2, o->cr2 ? o->cr2 : (uint32_t)(CR2_PTM | CR2_RECINVSID));
    /* 5. Stream table. */
    if (strtab_setup(d, o))
        return -1;
    /* 6-7. Command queue, then CMDQEN. */
    d->cmdq_log2 = pick(o->cmdq_log2, 8, d->cmdqs);
    d->cmdq_base = q_alloc(d, d->cmdq_log2, 16);
    d->cmdq_prod = 0;
    kit_drv_w64(d, SMMU_CMDQ_BASE, Q_BASE_RWA | (d->cmdq_base & Q_BASE_ADDR) |
                FIELD_PREP(Q_BASE_LOG2SIZE, d->cmdq_log2));
    kit_drv_w32(d, SMMU_CMDQ_PROD, 0);
    kit_drv_w32(d, SMMU_CMDQ_CONS, 0);
    d->msi_poll = o->sync == KIT_SYNC_MSI || (o->sync == KIT_SYNC_AUTO && d->msi);
    if (d->msi_poll && !d->msi)
        return fail(d, "MSI CMD_SYNC requested but IDR0.MSI == 0");
    cr0 = CR0_CMDQEN;
    if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, cr0))
        return -1;
    /* 8. Invalidate cached configuration and TLBs, each with its own sync. */
    kit_cmd_cfgi_all(c);
    if ((rc = kit_drv_cmd(d, c)) != 0)
        return rc < 0 ? -1 : fail(d, "CMD_CFGI_ALL: CERROR %d", rc);
    if (d->hyp) {
        kit_cmd_tlbi_el2_all(c);
        if ((rc = kit_drv_cmd(d, c)) != 0)
            return rc < 0 ? -1 : fail(d, "CMD_TLBI_EL2_ALL: CERROR %d", rc);
    }
    kit_cmd_tlbi_nsnh_all(c);
    if ((rc = kit_drv_cmd(d, c)) != 0)
        return rc < 0 ? -1 : fail(d, "CMD_TLBI_NSNH_ALL: CERROR %d", rc);
    /* 9. Event queue (PROD/CONS in page 1). */
    d->evtq_log2 = pick(o->evtq_log2, 7, d->eventqs);
    d->evtq_base = q_alloc(d, d->evtq_log2, 32);
    d->evtq_prod = d->evtq_cons = 0;
    kit_drv_w64(d, SMMU_EVENTQ_BASE, Q_BASE_RWA | (d->evtq_base & Q_BASE_ADDR) |
                FIELD_PREP(Q_BASE_LOG2SIZE, d->evtq_log2));
    kit_drv_w32(d, SMMU_EVENTQ_PROD, 0);
    kit_drv_w32(d, SMMU_EVENTQ_CONS, 0);
    cr0 |= CR0_EVENTQEN;
    if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, cr0))
        return -1;
    /* 10. PRI queue. */
    if (d->pri && !o->no_priq) {
        d->priq_log2 = pick(o->priq_log2, 7, d->priqs);
        d->priq_base = q_alloc(d, d->priq_log2, 16);
        d->priq_prod = d->priq_cons = 0;
        kit_drv_w64(d, SMMU_PRIQ_BASE, Q_BASE_RWA | (d->priq_base & Q_BASE_ADDR) |
                    FIELD_PREP(Q_BASE_LOG2SIZE, d->priq_log2));
        kit_drv_w32(d, SMMU_PRIQ_PROD, 0);
        kit_drv_w32(d, SMMU_PRIQ_CONS, 0);
        cr0 |= CR0_PRIQEN;
        if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, cr0))
            return -1;
        d->priq_on = true;
    }
    /* 11. ATS checking. */
    if (d->ats) {
        cr0 |= CR0_ATSCHK;
        if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, cr0))
            return -1;
    }
    /* 12. Interrupts: disable, clear MSI addresses, program MSIs, enable. */
    if (kit_drv_write_sync(d, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, 0))
        return -1;
    if (d->msi) {
        kit_drv_w64(d, SMMU_GERROR_IRQ_CFG0, 0);
        kit_drv_w64(d, SMMU_EVENTQ_IRQ_CFG0, 0);
        if (d->pri)
            kit_drv_w64(d, SMMU_PRIQ_IRQ_CFG0, 0);
        msi_cfg(d, SMMU_EVENTQ_IRQ_CFG0, &o->evtq_msi);
        msi_cfg(d, SMMU_GERROR_IRQ_CFG0, &o->gerror_msi);
        if (d->priq_on)
            msi_cfg(d, SMMU_PRIQ_IRQ_CFG0, &o->priq_msi);
    }
    if (!o->no_irqs) {
        uint32_t en = IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN;
        if (d->priq_on)
            en |= IRQ_CTRL_PRIQ_IRQEN;
        if (kit_drv_write_sync(d, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK, en))
            return -1;
    }
    /* 14. Enable translation. */
    if (!o->no_smmuen) {
        cr0 |= CR0_SMMUEN;
        if (kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, cr0))
            return -1;
    }
    return 0;
}

int kit_drv_disable(struct kit_drv *d)
{
    return kit_drv_write_sync(d, SMMU_CR0, SMMU_CR0ACK, 0);
}
