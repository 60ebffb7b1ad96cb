/* SPDX-License-Identifier: MIT */
/* Guest side: pools, a Linux-like driver over MMIO + memory, translation
 * table and STE/CD builders. Everything here is what a guest OS would do;
 * the model is only reached through vsmmu_mmio_* and shared memory. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bits.h"
#include "cli.h"
#include "fields.h"
#include "guest.h"
#include "stecd.h"
#include "spec/pte.h"
#include "spec/regs.h"

int pool_alloc(struct kit_mem *m, struct pool *p, uint64_t size, uint64_t align, uint64_t *pa)
{
    if (!align)
        align = 8;
    uint64_t a = (p->brk + align - 1) & ~(align - 1);
    if (a < p->brk || size > p->pa + p->size || a > p->pa + p->size - size)
        return -1;
    void *host = kit_mem_ptr(m, a, size);
    if (!host)
        return -1;
    memset(host, 0, size);
    p->brk = a + size;
    *pa = a;
    return 0;
}

/* kit/drv allocates with kit_mem_alloc from the memory's bump cursor,
 * which is the first region's: keep it in step with the pool. */
static int drv_enter(struct gd *g, uint64_t need)
{
    struct pool *p = g->pool;
    if (p->brk > p->pa + p->size || need > p->pa + p->size - p->brk) {
        snprintf(g->err, sizeof(g->err), "out of guest memory in the first RAM region");
        return -1;
    }
    g->m->brk = p->brk;
    g->m->brk_end = p->pa + p->size;
    return 0;
}

static void drv_leave(struct gd *g)
{
    g->pool->brk = g->m->brk;
}

static int drv_err(struct gd *g)
{
    snprintf(g->err, sizeof(g->err), "%s", g->d.err);
    return -1;
}

int gd_init(struct gd *g, struct vsmmu *s, struct kit_mem *m, struct pool *pool)
{
    memset(g, 0, sizeof(*g));
    g->s = s;
    g->m = m;
    g->pool = pool;
    return 0;
}

int gd_probe(struct gd *g)
{
    uint64_t v = 0;
    vsmmu_mmio_read(g->s, SMMU_IIDR, 4, &v);
    g->iidr = (uint32_t)v;
    vsmmu_mmio_read(g->s, SMMU_AIDR, 4, &v);
    g->aidr = (uint32_t)v;
    int rc = kit_drv_probe(&g->d, g->s, g->m);
    memcpy(g->idr, g->d.idr, sizeof(g->idr));
    g->sidsize = g->d.sidsize;
    g->ssidsize = g->d.ssidsize;
    g->oas_bits = g->d.oas_bits;
    if (rc)
        return drv_err(g);
    return 0;
}

int gd_reset(struct gd *g, const struct gd_opts *o)
{
    if (gd_probe(g))
        return -1;
    struct kit_drv_opts ko;
    kit_drv_default_opts(&ko);
    ko.strtab = o->st2l ? KIT_ST_AUTO : KIT_ST_LINEAR;
    if (o->st2l && g->d.st2l && o->sid_bits > 8)
        ko.strtab = KIT_ST_2LVL;
    ko.sid_bits = o->sid_bits;
    ko.cmdq_log2 = o->cmdq_log2;
    ko.evtq_log2 = o->evtq_log2;
    ko.no_priq = true;
    /* Upper bound of what reset allocates: L1 table (<= 2^24 / 2^8 * 8),
     * or a linear table of 2^sid_bits STEs, and the queues. */
    unsigned bits = o->sid_bits ? o->sid_bits : 16;
    uint64_t need = (ko.strtab == KIT_ST_LINEAR || !g->d.st2l ? (64ull << bits) : (8ull << bits))
                    + (16ull << 19) / (o->cmdq_log2 ? (1u << (19 - o->cmdq_log2)) : 2048)
                    + (32ull << 19) / (o->evtq_log2 ? (1u << (19 - o->evtq_log2)) : 4096)
                    + (64u << 10);
    if (drv_enter(g, need))
        return -1;
    int rc = kit_drv_reset(&g->d, &ko);
    drv_leave(g);
    if (rc)
        return drv_err(g);
    g->strtab = g->d.strtab;
    g->st2l = g->d.two_level;
    g->log2size = g->d.sid_bits;
    g->cmdq = g->d.cmdq_base;
    g->cmdq_log2 = g->d.cmdq_log2;
    g->evtq = g->d.evtq_base;
    g->evtq_log2 = g->d.evtq_log2;
    g->enabled = true;
    return 0;
}

int gd_ste_addr(struct gd *g, uint32_t sid, uint64_t *pa)
{
    if (!g->enabled) {
        snprintf(g->err, sizeof(g->err), "stream table not set up");
        return -1;
    }
    if (g->log2size < 32 && sid >> g->log2size) {
        snprintf(g->err, sizeof(g->err), "StreamID %u outside the stream table (2^%u entries)",
                 sid, g->log2size);
        return -1;
    }
    if (drv_enter(g, g->st2l ? (64u << 10) * 2 : 0))
        return -1;
    *pa = kit_drv_ste_pa(&g->d, sid);
    drv_leave(g);
    if (!*pa) {
        snprintf(g->err, sizeof(g->err), "no STE for StreamID %u", sid);
        return -1;
    }
    return 0;
}

int gd_ste_write(struct gd *g, uint32_t sid, const uint64_t ste[8])
{
    uint64_t pa;
    if (gd_ste_addr(g, sid, &pa))
        return -1;
    for (int i = 7; i >= 0; i--)
        kit_w64(g->m, pa + 8 * (uint64_t)i, ste[i]);
    return 0;
}

int gd_cmd(struct gd *g, const uint64_t cmd[2])
{
    if (!g->enabled) {
        snprintf(g->err, sizeof(g->err), "command queue not set up");
        return -1;
    }
    const uint64_t (*c)[2] = (const uint64_t (*)[2])cmd;
    if (kit_drv_submit(&g->d, c, 1, false) < 0)
        return drv_err(g);
    return 0;
}

int gd_sync(struct gd *g)
{
    if (!g->enabled) {
        snprintf(g->err, sizeof(g->err), "command queue not set up");
        return -1;
    }
    int rc = kit_drv_sync(&g->d);
    if (rc < 0)
        return drv_err(g);
    if (rc > 0)
        snprintf(g->err, sizeof(g->err), "CERROR_%s (the driver replaced the command with "
                 "CMD_SYNC and acknowledged GERROR)", cli_cerror_name((unsigned)rc));
    return rc;
}

int gd_event(struct gd *g, uint64_t rec[4])
{
    if (!g->enabled)
        return 0;
    return kit_drv_event(&g->d, rec) == 1;
}

struct inv_ctx {
    struct gd *g;
    const struct gd_inv *inv;
    int n, rc;
};

static void inv_emit(void *arg, const struct kit_tlbi_range *r)
{
    struct inv_ctx *c = arg;
    uint64_t cmd[2];
    if (c->inv->opcode == 0x2A)
        kit_cmd_tlbi_s2_ipa(cmd, c->inv->vmid, r);
    else
        kit_cmd_tlbi_nh_va(cmd, c->inv->vmid, c->inv->asid, r);
    if (!c->rc && gd_cmd(c->g, cmd))
        c->rc = -1;
    c->n++;
}

int gd_tlbi_range(struct gd *g, const struct gd_inv *inv)
{
    bool ril = g->idr[3] & IDR3_RIL;
    unsigned glog = (unsigned)__builtin_ctzll(inv->granule);
    uint64_t c[2];
    if (!ril && inv->size >= (1ull << (glog - 3)) * inv->granule) {
        /* Too many operations without RIL: flush the whole context, as
         * Linux 7.1 does (arm_smmu_inv_size_too_big, linux-driver.md 2.4) */
        if (inv->opcode == 0x2A)
            kit_cmd_tlbi_s12_vmall(c, inv->vmid);
        else
            kit_cmd_tlbi_nh_asid(c, inv->vmid, inv->asid);
        return gd_cmd(g, c) ? -1 : 1;
    }
    struct inv_ctx ctx = { .g = g, .inv = inv };
    kit_tlbi_linux_ranges(inv->iova, inv->size, inv->granule, inv->pgshift, inv->leaf, ril,
                          inv_emit, &ctx);
    return ctx.rc ? -1 : ctx.n;
}

/* ---- translation tables ---- */
unsigned tg_enc(unsigned gl)
{
    return gl == 16 ? 1 : gl == 14 ? 2 : 0;
}

unsigned ps_enc(unsigned bits)
{
    switch (bits) {
    case 32: return 0;
    case 36: return 1;
    case 40: return 2;
    case 42: return 3;
    case 44: return 4;
    case 48: return 5;
    default: return 6;
    }
}

static unsigned lvl_shift(const struct pt *t, int lvl)
{
    return t->g + (unsigned)(3 - lvl) * (t->g - 3);
}

unsigned pt_sl0(const struct pt *t)
{
    /* IHI0070 5.2 S2SL0 / translation.md 5.1 */
    if (t->g == 12)
        return t->start == 3 ? 3 : (unsigned)(2 - t->start);
    return (unsigned)(3 - t->start);
}

/* kit/ptb allocates with kit_mem_alloc from the memory's bump cursor: point
 * the cursor at the pool for the duration of a call. `need` is an upper
 * bound of the bytes the call may allocate; kit_mem_alloc must not run out. */
static int pool_enter(struct pt *t, uint64_t need, uint64_t saved[2])
{
    struct kit_mem *m = t->k.m;
    uint64_t end = t->pool->pa + t->pool->size;
    if (t->pool->brk > end || need > end - t->pool->brk)
        return -1;
    saved[0] = m->brk;
    saved[1] = m->brk_end;
    m->brk = t->pool->brk;
    m->brk_end = end;
    return 0;
}

static void pool_leave(struct pt *t, const uint64_t saved[2])
{
    struct kit_mem *m = t->k.m;
    t->pool->brk = m->brk;
    m->brk = saved[0];
    m->brk_end = saved[1];
}

int pt_init(struct pt *t, struct kit_mem *m, struct pool *pool, int stage, unsigned g,
            unsigned ias, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    t->pool = pool;
    t->stage = stage;
    t->g = g;
    t->ias = ias;
    t->k.m = m;
    if (g != 12 && g != 14 && g != 16) {
        snprintf(err, errlen, "granule must be 4K, 16K or 64K");
        return -1;
    }
    if (ias < 25 || ias > 48) {
        snprintf(err, errlen, "input size %u bits outside 25..48", ias);
        return -1;
    }
    unsigned s = g - 3;
    t->start = 4 - (int)((ias - g + s - 1) / s);
    /* Stage 2 cannot start at level 0 with 16K (needs DS) or 64K: start one
     * level lower with concatenated tables (translation.md 5.2). */
    if (stage == 2 && t->start == 0 && g != 12)
        t->start = 1;
    uint64_t saved[2];
    if (pool_enter(t, (16ull << g) * 2, saved)) {
        snprintf(err, errlen, "out of memory for a translation table");
        return -1;
    }
    int rc = stage == 1 ? kit_ptb_init_s1(&t->k, m, g, 64 - ias)
                        : kit_ptb_init_s2(&t->k, m, g, pt_sl0(t), 64 - ias);
    pool_leave(t, saved);
    if (rc) {
        snprintf(err, errlen, "no stage-%d table geometry for %u-bit input with the %uK granule",
                 stage, ias, 1u << (g - 10));
        return -1;
    }
    t->k.delta = pool->ipa - pool->pa;
    return 0;
}

static uint64_t leaf_attrs(const struct pt *t, const struct pt_attr *a)
{
    uint64_t d = 0;
    if (!a->noaf)
        d |= PTE_AF;
    if (a->dbm)
        d |= PTE_DBM;
    d |= FIELD_PREP(PTE_SH, a->attr == PT_ATTR_WB ? 3 : 2);   /* ISH for WB, else OSH */
    if (t->stage == 1) {
        /* AttrIndx into MAIR 0xF404FF44: 0 NC, 1 WB, 2 Device (as Linux) */
        d |= FIELD_PREP(PTE_ATTRINDX, a->attr);
        if (!a->w)
            d |= PTE_AP2;
        if (!a->priv_only)
            d |= PTE_AP1;
        if (!a->global)
            d |= PTE_NG;
        if (!a->x)
            d |= PTE_PXN | PTE_UXN;
    } else {
        static const unsigned ma[3] = { 0x5, 0xF, 0x1 };   /* NC, WB, Device-nGnRE */
        d |= FIELD_PREP(PTE_S2_MEMATTR, ma[a->attr]);
        if (a->r)
            d |= PTE_S2AP_R;
        if (a->w)
            d |= PTE_S2AP_W;
        if (!a->x)
            d |= PTE_S2_XN1;
    }
    return d;
}

int pt_map(struct pt *t, uint64_t iova, uint64_t pa, uint64_t size, uint64_t pgsize,
           const struct pt_attr *a, char *err, size_t errlen)
{
    int leaf = -1;
    for (int l = t->start; l <= 3; l++)
        if (pgsize == 1ull << lvl_shift(t, l))
            leaf = l;
    bool block_ok = leaf == 3 || leaf == 2 || (leaf == 1 && t->g == 12);
    if (leaf < 0 || !block_ok) {
        snprintf(err, errlen, "page size 0x%" PRIx64 " is not a leaf size of the %uK granule",
                 pgsize, 1u << (t->g - 10));
        return -1;
    }
    if ((iova | pa | size) & (pgsize - 1)) {
        snprintf(err, errlen, "IOVA, PA and size must be multiples of the page size 0x%" PRIx64,
                 pgsize);
        return -1;
    }
    if (t->stage == 1 && !a->r) {
        snprintf(err, errlen, "stage-1 mappings are always readable (use perm=r..)");
        return -1;
    }
    if (!size || iova + size < iova || (iova + size - 1) >> t->ias) {
        snprintf(err, errlen, "IOVA range is empty or ends above the %u-bit input size", t->ias);
        return -1;
    }
    /* Upper bound of new tables: at each level below the start, one per
     * entry of the level above that the range touches. */
    uint64_t need = 0;
    for (int l = t->start + 1; l <= leaf; l++)
        need += ((size >> lvl_shift(t, l - 1)) + 2) << t->g;
    uint64_t saved[2];
    if (pool_enter(t, need + (1ull << t->g), saved)) {
        snprintf(err, errlen, "out of memory for translation tables (mapping 0x%" PRIx64
                 " bytes may need 0x%" PRIx64 ")", size, need);
        return -1;
    }
    int rc = kit_ptb_map(&t->k, iova, pa, size, leaf, leaf_attrs(t, a));
    pool_leave(t, saved);
    if (rc) {
        snprintf(err, errlen, "cannot map 0x%" PRIx64 " (level %d leaf not allowed here)", iova,
                 leaf);
        return -1;
    }
    return 0;
}

int pt_unmap(struct pt *t, uint64_t iova, uint64_t size, char *err, size_t errlen)
{
    if (!size || iova + size < iova || (iova + size - 1) >> t->ias) {
        snprintf(err, errlen, "IOVA range is empty or ends above the %u-bit input size", t->ias);
        return -1;
    }
    kit_ptb_unmap(&t->k, iova, size);
    return 0;
}

int pt_leaf(const struct pt *t, uint64_t iova, uint64_t *pa, int *level)
{
    for (int l = t->start; l <= 3; l++) {
        uint64_t dpa = kit_ptb_desc_pa(&t->k, iova, l);
        if (!dpa)
            return -1;
        uint64_t d = kit_ptb_get(&t->k, dpa);
        if (!(d & PTE_VALID))
            return -1;
        if (l == 3 || !(d & PTE_TYPE)) {
            *pa = dpa;
            *level = l;
            return 0;
        }
    }
    return -1;
}

/* ---- STE / CD: kit/stecd encoders ---- */
void ste_abort(uint64_t ste[8])
{
    struct kit_ste f = { .v = true, .config = KIT_CFG_ABORT };
    kit_ste_encode(&f, ste);
}

void ste_bypass(uint64_t ste[8])
{
    struct kit_ste f = { .v = true, .config = KIT_CFG_BYPASS, .shcfg = 1 /* incoming */ };
    kit_ste_encode(&f, ste);
}

void ste_s1(uint64_t ste[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned s1dss)
{
    /* As Linux builds a CD-table STE (linux-driver.md 1.6): CD fetches WB, ISH */
    struct kit_ste f = { .v = true, .config = KIT_CFG_S1, .s1fmt = fmt, .s1ctxptr = cdptr,
                         .s1cdmax = cdmax, .s1dss = s1dss, .s1cir = 1, .s1cor = 1, .s1csh = 3 };
    kit_ste_encode(&f, ste);
}

void ste_add_s2(uint64_t ste[8], const struct pt *s2, uint16_t vmid, unsigned oas_bits)
{
    struct kit_ste f = { .v = true, .config = KIT_CFG_S2, .s2vmid = vmid,
                         .s2t0sz = 64 - s2->ias, .s2sl0 = pt_sl0(s2), .s2ir0 = 1, .s2or0 = 1,
                         .s2sh0 = 3, .s2tg = tg_enc(s2->g), .s2ps = ps_enc(oas_bits),
                         .s2aa64 = true, .s2r = true, .s2ttb = pt_ttb(s2) };
    uint64_t t[8];
    kit_ste_encode(&f, t);
    unsigned cfg = (unsigned)ft_getn(&ft_ste, ste, "Config");
    ste[2] = t[2];
    ste[3] = t[3];
    ft_setn(&ft_ste, ste, "V", 1);
    ft_setn(&ft_ste, ste, "Config", cfg == KIT_CFG_S1 ? KIT_CFG_NESTED : KIT_CFG_S2);
}

void cd_s1(uint64_t cd[8], const struct pt *s1, uint16_t asid, unsigned ips_bits)
{
    /* As Linux builds a stage-1 CD (linux-driver.md 4.1/4.3): TTB1 disabled,
     * walks WB ISH, record and abort on faults, MAIR 0xF404FF44. */
    struct kit_cd f = { .v = true, .t0sz = 64 - s1->ias, .tg0 = tg_enc(s1->g), .ir0 = 1,
                        .or0 = 1, .sh0 = 3, .epd1 = true, .ips = ps_enc(ips_bits), .aa64 = true,
                        .r = true, .a = true, .asid = asid, .ttb0 = pt_ttb(s1),
                        .mair = 0xF404FF44u };
    kit_cd_encode(&f, cd);
}
