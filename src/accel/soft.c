/* SPDX-License-Identifier: MIT */
/*
 * The soft backend: a second vsmmu instance plays the physical SMMU, and
 * this file plays its host kernel driver with the Linux nested semantics
 * (docs/accel.md): it owns the host stream table, command queue and event
 * queue in host memory and drives the host instance through MMIO only.
 *
 *  - install_ste: the vSTE is checked as arm_smmu_validate_vste does (V=0
 *    accepted as abort; only V, Config, S1Fmt, S1ContextPtr, S1CDMax /
 *    S1DSS, S1CIR, S1COR, S1CSH, S1STALLD, EATS; Config abort, bypass or
 *    stage 1; EATS 0 or 1) and becomes the physical STE: abort, stage 2
 *    only (bypass), or nested (Config=7) with the host's stage 2 and MEV=1;
 *    then CFGI_STE + CMD_SYNC on the host queue.
 *  - invalidate: each command converted as arm_vsmmu_convert_user_cmd does
 *    (TLBI_NSNH_ALL -> TLBI_NH_ALL, VMID substituted in TLBI_NH_*, vSID ->
 *    pSID in CFGI_CD/CFGI_CD_ALL/ATC_INV, anything else refused), issued in
 *    chunks of 63 each followed by a CMD_SYNC.
 *  - read_events: host records for devices with a vSID, of the forwarded
 *    types, stage 1 and not stalled, with the SID replaced by the vSID.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accel/nested.h"
#include "fault.h"
#include "vsmmu/accel.h"

#define SOFT_ST_LOG2   8u      /* host stream table: 256 STEs, linear */
#define SOFT_CQ_LOG2   8u      /* host command queue: 256 commands */
#define SOFT_EQ_LOG2   7u      /* host event queue: 128 records */
#define SOFT_CHUNK     63u
#define SOFT_MAX_DEVS  64u

struct soft_dev {
    uint32_t vsid;
    uint32_t psid;
};

struct soft {
    struct vsmmu *h;
    struct vsmmu_soft_cfg cfg;
    uint64_t st_pa, cq_pa, eq_pa;
    uint32_t cq_prod;
    uint32_t eq_cons;
    struct soft_dev dev[SOFT_MAX_DEVS];
    unsigned ndev;
    char err[256];
    struct vsmmu_accel_backend be;
};

__attribute__((format(printf, 3, 4)))
static int soft_fail(struct soft *f, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->err, sizeof(f->err), fmt, ap);
    va_end(ap);
    return code;
}

static uint32_t rd32(struct soft *f, uint32_t off)
{
    uint64_t v = 0;
    vsmmu_mmio_read(f->h, off, 4, &v);
    return (uint32_t)v;
}

static void wr32(struct soft *f, uint32_t off, uint32_t v)
{
    vsmmu_mmio_write(f->h, off, v, 4);
}

static void wr64(struct soft *f, uint32_t off, uint64_t v)
{
    vsmmu_mmio_write(f->h, off, v, 8);
}

static int hmem_write(struct soft *f, uint64_t pa, const void *buf, size_t len)
{
    if (pa < f->cfg.mem_pa || pa + len > f->cfg.mem_pa + f->cfg.mem_len)
        return -1;
    memcpy((uint8_t *)f->cfg.mem + (pa - f->cfg.mem_pa), buf, len);
    return 0;
}

static int hmem_read(struct soft *f, uint64_t pa, void *buf, size_t len)
{
    if (pa < f->cfg.mem_pa || pa + len > f->cfg.mem_pa + f->cfg.mem_len)
        return -1;
    memcpy(buf, (const uint8_t *)f->cfg.mem + (pa - f->cfg.mem_pa), len);
    return 0;
}

static bool wait_ack(struct soft *f, uint32_t want)
{
    /* The model acknowledges synchronously; a few reads are plenty. */
    for (int i = 0; i < 16; i++)
        if (rd32(f, SMMU_CR0ACK) == want)
            return true;
    return false;
}

/* Put commands on the host queue followed by a CMD_SYNC and let the host
 * consume them. Returns 0 or -1 (host command error). */
static int host_issue(struct soft *f, const uint64_t (*cmd)[2], uint32_t n)
{
    const uint32_t qsz = 1u << SOFT_CQ_LOG2, wrap = qsz << 1;
    for (uint32_t i = 0; i <= n; i++) {
        uint64_t c[2] = { ACMD_SYNC, 0 };     /* CMD_SYNC, CS=SIG_NONE */
        if (i < n) {
            c[0] = cmd[i][0];
            c[1] = cmd[i][1];
        }
        uint64_t le[2] = { c[0], c[1] };
        if (hmem_write(f, f->cq_pa + (uint64_t)(f->cq_prod & (qsz - 1)) * 16, le, 16) != 0)
            return soft_fail(f, -1, "host command queue outside host memory");
        f->cq_prod = (f->cq_prod + 1) & (wrap - 1);
    }
    wr32(f, SMMU_CMDQ_PROD, f->cq_prod);
    uint32_t cons = rd32(f, SMMU_CMDQ_CONS);
    uint32_t gerr = rd32(f, SMMU_GERROR) ^ rd32(f, SMMU_GERRORN);
    if (gerr & GERROR_CMDQ_ERR) {
        unsigned code = (unsigned)FIELD_GET(CMDQ_CONS_ERR, cons);
        /* The host driver skips the bad command and goes on; here the
         * failure is reported and the queue restarted empty. */
        f->cq_prod = cons & (uint32_t)GENMASK(SOFT_CQ_LOG2, 0);
        wr32(f, SMMU_CMDQ_PROD, f->cq_prod);
        wr32(f, SMMU_GERRORN, rd32(f, SMMU_GERROR));
        return soft_fail(f, -1, "host SMMU command error %u at CONS 0x%x", code, cons);
    }
    if ((cons & (uint32_t)GENMASK(SOFT_CQ_LOG2, 0)) != f->cq_prod)
        return soft_fail(f, -1, "host SMMU did not consume its command queue (PROD 0x%x CONS 0x%x)",
                         f->cq_prod, cons);
    return 0;
}

static struct soft_dev *by_vsid(struct soft *f, uint32_t vsid)
{
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].vsid == vsid)
            return &f->dev[i];
    return NULL;
}

static struct soft_dev *by_psid(struct soft *f, uint32_t psid)
{
    for (unsigned i = 0; i < f->ndev; i++)
        if (f->dev[i].psid == psid)
            return &f->dev[i];
    return NULL;
}

/* The host's stage-2 words (the nest parent), as a stage-2 domain STE. */
static void s2_words(const struct soft *f, uint64_t ste[8])
{
    unsigned tg = f->cfg.s2_granule == 16 ? HSTE_S2TG_64K :
                  f->cfg.s2_granule == 14 ? HSTE_S2TG_16K : HSTE_S2TG_4K;
    ste[1] |= FIELD_PREP(HSTE1_SHCFG, HSTE_SHCFG_INCOMING);
    ste[2] = FIELD_PREP(HSTE2_S2VMID, f->cfg.vmid) | FIELD_PREP(HSTE2_S2T0SZ, f->cfg.s2_t0sz) |
             FIELD_PREP(HSTE2_S2SL0, f->cfg.s2_sl0) | FIELD_PREP(HSTE2_S2IR0, 1) |
             FIELD_PREP(HSTE2_S2OR0, 1) | FIELD_PREP(HSTE2_S2SH0, 3) |
             FIELD_PREP(HSTE2_S2TG, tg) | FIELD_PREP(HSTE2_S2PS, f->cfg.s2_ps) |
             HSTE2_S2AA64 | HSTE2_S2PTW | HSTE2_S2R;
    ste[3] = f->cfg.s2_ttb & HSTE3_S2TTB;
}

static int write_ste(struct soft *f, uint32_t psid, const uint64_t ste[8])
{
    if (hmem_write(f, f->st_pa + (uint64_t)psid * 64, ste, 64) != 0)
        return soft_fail(f, VSMMU_EBACKEND, "host stream table outside host memory");
    uint64_t c[1][2] = { { ACMD_CFGI_STE | FIELD_PREP(ACMD0_SID, psid), 1 /* Leaf */ } };
    return host_issue(f, (const uint64_t (*)[2])c, 1) ? VSMMU_EBACKEND : VSMMU_OK;
}

/* ---- backend operations ---------------------------------------------------------- */

static int op_hw_info(void *ctx, struct vsmmu_accel_hw_info *o)
{
    struct soft *f = ctx;
    for (unsigned i = 0; i < 6; i++)
        o->idr[i] = rd32(f, SMMU_IDR0 + 4 * i);
    o->iidr = rd32(f, SMMU_IIDR);
    o->aidr = rd32(f, SMMU_AIDR);
    return VSMMU_OK;
}

static int op_add_device(void *ctx, uint32_t vsid, uint64_t host_id)
{
    struct soft *f = ctx;
    if (host_id >= (1u << SOFT_ST_LOG2))
        return soft_fail(f, VSMMU_EINVAL, "host StreamID 0x%llx beyond the host stream table",
                         (unsigned long long)host_id);
    if (f->ndev == SOFT_MAX_DEVS)
        return soft_fail(f, VSMMU_EINVAL, "at most %u devices", SOFT_MAX_DEVS);
    /* IOMMU_VDEVICE_ALLOC: one vDEVICE per device, vSIDs unique (EEXIST) */
    if (by_vsid(f, vsid) || by_psid(f, (uint32_t)host_id))
        return soft_fail(f, VSMMU_EBUSY, "vSID 0x%x or host StreamID 0x%llx already in use",
                         vsid, (unsigned long long)host_id);
    f->dev[f->ndev++] = (struct soft_dev){ .vsid = vsid, .psid = (uint32_t)host_id };
    /* attached to the nest parent: stage 2 only */
    uint64_t ste[8] = { VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_S2), 0, 0, 0, 0, 0, 0, 0 };
    s2_words(f, ste);
    return write_ste(f, (uint32_t)host_id, ste);
}

static int op_del_device(void *ctx, uint32_t vsid)
{
    struct soft *f = ctx;
    struct soft_dev *d = by_vsid(f, vsid);
    if (!d)
        return soft_fail(f, VSMMU_ENOENT, "no device with vSID 0x%x", vsid);
    /* the vDEVICE goes; the device keeps aborting until the host reuses it */
    uint64_t ste[8] = { VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_ABORT), 0, 0, 0, 0, 0, 0, 0 };
    int rc = write_ste(f, d->psid, ste);
    *d = f->dev[--f->ndev];
    return rc;
}

static int op_install_ste(void *ctx, uint32_t vsid, const uint64_t v[2])
{
    struct soft *f = ctx;
    struct soft_dev *d = by_vsid(f, vsid);
    if (!d)
        return soft_fail(f, VSMMU_ENOENT, "no vDEVICE for vSID 0x%x (ENOENT)", vsid);
    uint64_t w0 = v[0], w1 = v[1];
    if (!(w0 & VSTE0_V))
        w0 = w1 = 0;      /* accepted, attached as abort */
    unsigned cfg = (unsigned)FIELD_GET(VSTE0_CONFIG, w0);
    if (w0 & VSTE0_V) {
        if ((w0 & ~VSTE0_ALLOWED) || (w1 & ~VSTE1_ALLOWED))
            return soft_fail(f, VSMMU_EINVAL, "vSTE has bits the host does not take (EIO): "
                             "0x%016llx 0x%016llx", (unsigned long long)(w0 & ~VSTE0_ALLOWED),
                             (unsigned long long)(w1 & ~VSTE1_ALLOWED));
        if (cfg != VSTE_CFG_ABORT && cfg != VSTE_CFG_BYPASS && cfg != VSTE_CFG_S1)
            return soft_fail(f, VSMMU_EINVAL, "vSTE Config %u not abort/bypass/S1 (EIO)", cfg);
        if (FIELD_GET(VSTE1_EATS, w1) > 1)
            return soft_fail(f, VSMMU_EINVAL, "vSTE EATS %u (EIO)",
                             (unsigned)FIELD_GET(VSTE1_EATS, w1));
    }
    uint64_t ste[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    if (!(w0 & VSTE0_V) || cfg == VSTE_CFG_ABORT) {
        ste[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_ABORT);
    } else if (cfg == VSTE_CFG_BYPASS) {
        ste[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_S2);
        s2_words(f, ste);
    } else {
        /* nested: guest stage 1 (its CD table at a guest IPA) + host S2 */
        ste[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_NESTED) |
                 (w0 & (VSTE0_S1FMT | VSTE0_S1CTXPTR | VSTE0_S1CDMAX));
        ste[1] = (w1 & (VSTE1_S1DSS | VSTE1_S1CIR | VSTE1_S1COR | VSTE1_S1CSH |
                        VSTE1_S1STALLD)) | HSTE1_MEV;
        s2_words(f, ste);
    }
    return write_ste(f, d->psid, ste);
}

/* One command as the kernel converts it; false if refused (EIO). */
static bool convert(struct soft *f, const uint64_t in[2], uint64_t out[2])
{
    unsigned op = (unsigned)FIELD_GET(ACMD0_OP, in[0]);
    out[0] = in[0];
    out[1] = in[1];
    switch (op) {
    case ACMD_TLBI_NSNH_ALL:
        out[0] = ACMD_TLBI_NH_ALL | FIELD_PREP(ACMD0_VMID, f->cfg.vmid);
        out[1] = 0;
        return true;
    case ACMD_TLBI_NH_ALL:
    case ACMD_TLBI_NH_ASID:
    case ACMD_TLBI_NH_VA:
    case ACMD_TLBI_NH_VAA:
        out[0] = FIELD_SET(ACMD0_VMID, in[0], f->cfg.vmid);
        return true;
    case ACMD_CFGI_CD:
    case ACMD_CFGI_CD_ALL:
    case ACMD_ATC_INV: {
        struct soft_dev *d = by_vsid(f, (uint32_t)FIELD_GET(ACMD0_SID, in[0]));
        if (!d)
            return false;
        out[0] = FIELD_SET(ACMD0_SID, in[0], d->psid);
        return true;
    }
    default:
        return false;
    }
}

static int op_invalidate(void *ctx, const uint64_t (*cmd)[2], uint32_t n, uint32_t *done)
{
    struct soft *f = ctx;
    uint64_t conv[SOFT_CHUNK][2];
    *done = 0;
    for (uint32_t base = 0; base < n; base += SOFT_CHUNK) {
        uint32_t m = n - base < SOFT_CHUNK ? n - base : SOFT_CHUNK;
        for (uint32_t i = 0; i < m; i++) {
            if (!convert(f, cmd[base + i], conv[i])) {
                /* [base, base+i) were converted, not issued; issue them so
                 * that exactly the commands before the refused one ran. */
                if (i && host_issue(f, (const uint64_t (*)[2])conv, i) != 0)
                    return VSMMU_EBACKEND;
                *done = base + i;
                return soft_fail(f, VSMMU_EINVAL, "command %u (opcode 0x%02x) refused (EIO)",
                                 base + i, (unsigned)FIELD_GET(ACMD0_OP, cmd[base + i][0]));
            }
        }
        if (host_issue(f, (const uint64_t (*)[2])conv, m) != 0)
            return VSMMU_EBACKEND;
        *done = base + m;
    }
    return VSMMU_OK;
}

static int op_read_events(void *ctx, uint64_t (*rec)[4], uint32_t max, uint32_t *n, bool *lost)
{
    struct soft *f = ctx;
    const uint32_t qsz = 1u << SOFT_EQ_LOG2, idxw = (qsz << 1) - 1;
    *n = 0;
    uint32_t prod = rd32(f, SMMU_EVENTQ_PROD);
    *lost = ((prod ^ f->eq_cons) & Q_PROD_OVFLG) != 0;
    uint32_t ack = (f->eq_cons & ~(uint32_t)Q_CONS_OVACKFLG) | (prod & Q_PROD_OVFLG);
    uint32_t cons = f->eq_cons & idxw;
    for (unsigned k = 0; k < qsz && (cons != (prod & idxw)) && *n < max; k++) {
        uint64_t e[4];
        if (hmem_read(f, f->eq_pa + (uint64_t)(cons & (qsz - 1)) * 32, e, 32) != 0)
            return soft_fail(f, VSMMU_EBACKEND, "host event queue outside host memory");
        cons = (cons + 1) & idxw;
        unsigned type = (unsigned)FIELD_GET(AEVT0_TYPE, e[0]);
        bool fwd = type == EVT_C_BAD_STE || type == EVT_F_STREAM_DISABLED ||
                   type == EVT_C_BAD_SUBSTREAMID || type == EVT_C_BAD_CD ||
                   ((type >= EVT_F_TRANSLATION && type <= EVT_F_PERMISSION) &&
                    !(e[1] & AEVT1_S2) && !(e[1] & AEVT1_STALL));
        struct soft_dev *d = by_psid(f, (uint32_t)FIELD_GET(AEVT0_SID, e[0]));
        if (!fwd || !d)
            continue;   /* stays on the host (logged there) */
        e[0] = FIELD_SET(AEVT0_SID, e[0], d->vsid);
        memcpy(rec[*n], e, 32);
        (*n)++;
    }
    f->eq_cons = (ack & ~idxw) | cons;
    wr32(f, SMMU_EVENTQ_CONS, f->eq_cons);
    return VSMMU_OK;
}

static const char *op_last_error(void *ctx)
{
    return ((struct soft *)ctx)->err;
}

static void op_release(void *ctx)
{
    struct soft *f = ctx;
    if (!f)
        return;
    wr32(f, SMMU_CR0, 0);
    free(f);
}

static const struct vsmmu_accel_backend_ops soft_ops = {
    .hw_info = op_hw_info,
    .add_device = op_add_device,
    .del_device = op_del_device,
    .install_ste = op_install_ste,
    .invalidate = op_invalidate,
    .read_events = op_read_events,
    .last_error = op_last_error,
    .release = op_release,
};

/* ---- construction --------------------------------------------------------------------- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

uint64_t vsmmu_soft_mem_size(const struct vsmmu *host)
{
    (void)host;
    /* each area aligned to its size, from an arbitrary 64-byte aligned base */
    return (64ull << SOFT_ST_LOG2) * 2 + (16ull << SOFT_CQ_LOG2) * 2 + (32ull << SOFT_EQ_LOG2) * 2;
}

int vsmmu_soft_backend_new(const struct vsmmu_soft_cfg *cfg, struct vsmmu_accel_backend **out,
                           char *err, size_t errlen)
{
#define SOFT_REFUSE(code, ...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); \
                                    free(f); return code; } while (0)
    struct soft *f = NULL;
    if (out)
        *out = NULL;
    if (!cfg || !out || !cfg->host || !cfg->mem)
        SOFT_REFUSE(VSMMU_EINVAL, "soft: configuration, host instance or memory is NULL");
    if (cfg->mem_len < vsmmu_soft_mem_size(cfg->host))
        SOFT_REFUSE(VSMMU_EINVAL, "soft: %llu bytes of host memory given, %llu needed",
                    (unsigned long long)cfg->mem_len,
                    (unsigned long long)vsmmu_soft_mem_size(cfg->host));
    if (cfg->s2_granule != 12 && cfg->s2_granule != 14 && cfg->s2_granule != 16)
        SOFT_REFUSE(VSMMU_EINVAL, "soft: stage-2 granule 2^%u is not 4K/16K/64K", cfg->s2_granule);
    f = calloc(1, sizeof(*f));
    if (!f)
        SOFT_REFUSE(VSMMU_ENOMEM, "soft: out of memory");
    f->h = cfg->host;
    f->cfg = *cfg;
    uint32_t idr0 = rd32(f, SMMU_IDR0);
    /* IOMMU_VIOMMU_ALLOC needs FEAT_NESTING: both stages (EOPNOTSUPP) */
    if (!(idr0 & IDR0_S1P) || !(idr0 & IDR0_S2P))
        SOFT_REFUSE(VSMMU_EUNSUPPORTED, "soft: the host SMMU cannot nest (needs S1P and S2P)");
    if (rd32(f, SMMU_CR0ACK) != 0)
        SOFT_REFUSE(VSMMU_EBUSY, "soft: the host SMMU is already enabled");
    uint64_t at = align_up(cfg->mem_pa, 64ull << SOFT_ST_LOG2);
    f->st_pa = at;
    at = align_up(at + (64ull << SOFT_ST_LOG2), 16ull << SOFT_CQ_LOG2);
    f->cq_pa = at;
    at = align_up(at + (16ull << SOFT_CQ_LOG2), 32ull << SOFT_EQ_LOG2);
    f->eq_pa = at;
    if (at + (32ull << SOFT_EQ_LOG2) > cfg->mem_pa + cfg->mem_len)
        SOFT_REFUSE(VSMMU_EINVAL, "soft: host memory too small after alignment");
    memset(cfg->mem, 0, cfg->mem_len);

    /* The host driver's reset sequence (IHI0070 6.3.9): tables and queues,
     * then CMDQEN and EVENTQEN, invalidate everything, then SMMUEN. */
    wr64(f, SMMU_STRTAB_BASE, f->st_pa & STRTAB_BASE_ADDR);
    wr32(f, SMMU_STRTAB_BASE_CFG, (uint32_t)(FIELD_PREP(STRTAB_CFG_FMT, STRTAB_FMT_LINEAR) |
                                             FIELD_PREP(STRTAB_CFG_LOG2SIZE, SOFT_ST_LOG2)));
    wr64(f, SMMU_CMDQ_BASE, (f->cq_pa & Q_BASE_ADDR) | FIELD_PREP(Q_BASE_LOG2SIZE, SOFT_CQ_LOG2));
    wr32(f, SMMU_CMDQ_PROD, 0);
    wr32(f, SMMU_CMDQ_CONS, 0);
    wr64(f, SMMU_EVENTQ_BASE, (f->eq_pa & Q_BASE_ADDR) | FIELD_PREP(Q_BASE_LOG2SIZE, SOFT_EQ_LOG2));
    wr32(f, SMMU_EVENTQ_PROD, 0);
    wr32(f, SMMU_EVENTQ_CONS, 0);
    uint32_t en = (uint32_t)(CR0_CMDQEN | CR0_EVENTQEN);
    wr32(f, SMMU_CR0, en);
    if (!wait_ack(f, en))
        SOFT_REFUSE(VSMMU_EBACKEND, "soft: host SMMU did not acknowledge CMDQEN|EVENTQEN");
    uint64_t inv[2][2] = { { ACMD_CFGI_STE_RANGE, 31 /* CFGI_ALL */ }, { 0x30 /* TLBI_NSNH_ALL */, 0 } };
    if (host_issue(f, (const uint64_t (*)[2])inv, 2) != 0) {
        char why[256];
        memcpy(why, f->err, sizeof(why));
        SOFT_REFUSE(VSMMU_EBACKEND, "soft: %s", why);
    }
    en |= (uint32_t)CR0_SMMUEN;
    wr32(f, SMMU_CR0, en);
    if (!wait_ack(f, en))
        SOFT_REFUSE(VSMMU_EBACKEND, "soft: host SMMU did not acknowledge SMMUEN");
    f->be.ops = &soft_ops;
    f->be.ctx = f;
    f->be.name = "soft";
    *out = &f->be;
    return VSMMU_OK;
#undef SOFT_REFUSE
}
