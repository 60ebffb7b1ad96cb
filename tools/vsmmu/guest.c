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

/* ---- MMIO ---- */
uint64_t gd_rd(struct gd *g, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(g->s, off, size, &v))
        v = 0;
    return v;
}

void gd_wr(struct gd *g, uint32_t off, uint64_t v, unsigned size)
{
    (void)vsmmu_mmio_write(g->s, off, v, size);
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
    static const uint32_t off[6] = { SMMU_IDR0, SMMU_IDR1, SMMU_IDR2, SMMU_IDR3, SMMU_IDR4,
                                     SMMU_IDR5 };
    for (int i = 0; i < 6; i++)
        g->idr[i] = (uint32_t)gd_rd(g, off[i], 4);
    g->iidr = (uint32_t)gd_rd(g, SMMU_IIDR, 4);
    g->aidr = (uint32_t)gd_rd(g, SMMU_AIDR, 4);
    if (!g->idr[0]) {
        snprintf(g->err, sizeof(g->err), "IDR0 reads as 0: no register file");
        return -1;
    }
    g->sidsize = (unsigned)FIELD_GET(IDR1_SIDSIZE, g->idr[1]);
    g->ssidsize = (unsigned)FIELD_GET(IDR1_SSIDSIZE, g->idr[1]);
    static const unsigned oas[8] = { 32, 36, 40, 42, 44, 48, 52, 48 };
    g->oas_bits = oas[FIELD_GET(IDR5_OAS, g->idr[5])];
    return 0;
}

int gd_write_sync(struct gd *g, uint32_t off, uint32_t ackoff, uint32_t v)
{
    gd_wr(g, off, v, 4);
    for (int i = 0; i < 1000; i++)
        if ((uint32_t)gd_rd(g, ackoff, 4) == v)
            return 0;
    snprintf(g->err, sizeof(g->err), "register at 0x%x: ACK did not follow write of 0x%x",
             off, v);
    return -1;
}

/* ---- queues ---- */
static uint32_t q_inc(uint32_t v, unsigned log2)
{
    return (v + 1) & (uint32_t)((2u << log2) - 1);
}

static uint64_t q_slot(uint32_t v, unsigned log2)
{
    return v & ((1u << log2) - 1);
}

int gd_cmd(struct gd *g, const uint64_t cmd[2])
{
    if (!g->cmdq) {
        snprintf(g->err, sizeof(g->err), "command queue not set up");
        return -1;
    }
    uint32_t mask = (2u << g->cmdq_log2) - 1;
    uint32_t cons = (uint32_t)gd_rd(g, SMMU_CMDQ_CONS, 4) & mask;
    if ((cons ^ g->cmdq_prod) == (1u << g->cmdq_log2)) {
        unsigned e = gd_cerror(g);
        snprintf(g->err, sizeof(g->err), "command queue full (CONS=0x%x PROD=0x%x)%s%s", cons,
                 g->cmdq_prod, e ? ", CERROR_" : "", e ? cli_cerror_name(e) : "");
        return -1;
    }
    uint64_t a = g->cmdq + q_slot(g->cmdq_prod, g->cmdq_log2) * 16;
    kit_w64(g->m, a, cmd[0]);
    kit_w64(g->m, a + 8, cmd[1]);
    g->cmdq_prod = q_inc(g->cmdq_prod, g->cmdq_log2);
    g->cmds++;
    gd_wr(g, SMMU_CMDQ_PROD, g->cmdq_prod, 4);
    return 0;
}

unsigned gd_cerror(struct gd *g)
{
    uint32_t ge = (uint32_t)gd_rd(g, SMMU_GERROR, 4) ^ (uint32_t)gd_rd(g, SMMU_GERRORN, 4);
    if (!(ge & GERROR_CMDQ_ERR))
        return 0;
    unsigned e = (unsigned)FIELD_GET(CMDQ_CONS_ERR, gd_rd(g, SMMU_CMDQ_CONS, 4));
    return e ? e : 0x7f;
}

void gd_cerror_skip(struct gd *g)
{
    uint32_t cons = (uint32_t)gd_rd(g, SMMU_CMDQ_CONS, 4);
    uint64_t a = g->cmdq + q_slot(cons, g->cmdq_log2) * 16;
    uint64_t c[2];
    cmd_sync(c);
    kit_w64(g->m, a, c[0]);
    kit_w64(g->m, a + 8, c[1]);
    uint32_t ge = (uint32_t)gd_rd(g, SMMU_GERROR, 4);
    uint32_t gn = (uint32_t)gd_rd(g, SMMU_GERRORN, 4);
    gd_wr(g, SMMU_GERRORN, (gn & ~GERROR_CMDQ_ERR) | (ge & GERROR_CMDQ_ERR), 4);
}

int gd_sync(struct gd *g)
{
    uint64_t c[2];
    cmd_sync(c);
    if (gd_cmd(g, c))
        return -1;
    g->syncs++;
    uint32_t mask = (2u << g->cmdq_log2) - 1;
    /* CMD_SYNC with CS=SIG_SEV: wait until CONS has moved past it
     * (linux-driver.md 2.2). */
    for (int i = 0; i < 1000; i++) {
        uint32_t cons = (uint32_t)gd_rd(g, SMMU_CMDQ_CONS, 4) & mask;
        if (cons == g->cmdq_prod)
            return 0;
        unsigned e = gd_cerror(g);
        if (e) {
            uint64_t a = g->cmdq + q_slot(cons, g->cmdq_log2) * 16;
            unsigned op = (unsigned)(kit_r64(g->m, a) & 0xff);
            const char *n = cli_cmd_name(op);
            snprintf(g->err, sizeof(g->err), "CERROR_%s at queue index %u (%s, opcode 0x%02x)",
                     cli_cerror_name(e), (unsigned)q_slot(cons, g->cmdq_log2),
                     n ? n : "reserved", op);
            return -1;
        }
    }
    snprintf(g->err, sizeof(g->err), "command queue not consumed (CMDQ_CONS=0x%x, PROD=0x%x)",
             (uint32_t)gd_rd(g, SMMU_CMDQ_CONS, 4), g->cmdq_prod);
    return -1;
}

int gd_event(struct gd *g, uint64_t rec[4])
{
    if (!g->evtq)
        return 0;
    uint32_t prod = (uint32_t)gd_rd(g, SMMU_EVENTQ_PROD, 4);
    uint32_t mask = (2u << g->evtq_log2) - 1;
    if ((prod & mask) == (g->evtq_cons & mask))
        return 0;
    uint64_t a = g->evtq + q_slot(g->evtq_cons, g->evtq_log2) * 32;
    for (int i = 0; i < 4; i++)
        rec[i] = kit_r64(g->m, a + 8 * (uint64_t)i);
    g->evtq_cons = q_inc(g->evtq_cons, g->evtq_log2);
    /* OVACKFLG follows OVFLG: acknowledges an overflow (IHI0070 7.4). */
    gd_wr(g, SMMU_EVENTQ_CONS, g->evtq_cons | (prod & Q_PROD_OVFLG), 4);
    return 1;
}

/* ---- stream table ---- */
static void ste_fill_abort(struct gd *g, uint64_t pa, uint64_t n)
{
    uint64_t ste[8];
    ste_abort(ste);
    for (uint64_t i = 0; i < n; i++)
        kit_w64(g->m, pa + i * 64, ste[0]);
}

int gd_ste_addr(struct gd *g, uint32_t sid, uint64_t *pa)
{
    if (!g->strtab) {
        snprintf(g->err, sizeof(g->err), "stream table not set up");
        return -1;
    }
    if (g->log2size < 32 && sid >> g->log2size) {
        snprintf(g->err, sizeof(g->err), "StreamID %u outside the stream table (2^%u entries)",
                 sid, g->log2size);
        return -1;
    }
    if (!g->st2l) {
        *pa = g->strtab + (uint64_t)sid * 64;
        return 0;
    }
    uint64_t l1 = g->strtab + (uint64_t)(sid >> g->split) * 8;
    uint64_t d = kit_r64(g->m, l1);
    const struct fdef *span = ft_find(&ft_l1std, "Span"), *l2p = ft_find(&ft_l1std, "L2Ptr");
    if (!ft_get(span, &d)) {
        uint64_t n = 1ull << g->split, l2;
        if (pool_alloc(g->m, g->pool, n * 64, n * 64, &l2)) {
            snprintf(g->err, sizeof(g->err), "out of memory for a level-2 stream table");
            return -1;
        }
        ste_fill_abort(g, l2, n);
        d = 0;
        ft_set(span, &d, g->split + 1);
        ft_set(l2p, &d, l2 >> 6);
        kit_w64(g->m, l1, d);   /* single 64-bit store; no CFGI needed (1.3) */
    }
    *pa = (ft_get(l2p, &d) << 6) + (uint64_t)(sid & ((1u << g->split) - 1)) * 64;
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

int gd_reset(struct gd *g, const struct gd_opts *o)
{
    uint64_t c[2];
    if (!g->idr[0] && gd_probe(g))
        return -1;
    /* 1.4 step 1: if enabled, abort incoming traffic through GBPA first. */
    if (gd_rd(g, SMMU_CR0, 4) & CR0_SMMUEN) {
        uint32_t gbpa = (uint32_t)gd_rd(g, SMMU_GBPA, 4);
        gd_wr(g, SMMU_GBPA, gbpa | GBPA_ABORT | GBPA_UPDATE, 4);
    }
    if (gd_write_sync(g, SMMU_CR0, SMMU_CR0ACK, 0))
        return -1;
    gd_wr(g, SMMU_CR1, 0xD75, 4);   /* tables and queues: ISH, WB (1.4 step 3) */
    gd_wr(g, SMMU_CR2, CR2_PTM | CR2_RECINVSID, 4);

    /* Stream table */
    unsigned bits = o->sid_bits ? o->sid_bits : (g->sidsize < 16 ? g->sidsize : 16);
    if (bits > g->sidsize)
        bits = g->sidsize;
    bool can2l = FIELD_GET(IDR0_ST_LEVEL, g->idr[0]) == 1;
    g->st2l = o->st2l && can2l && bits > 6;
    g->split = o->split ? o->split : 8;
    if (g->split > bits)
        g->split = bits;
    g->log2size = bits;
    if (g->st2l) {
        uint64_t n = 1ull << (bits - g->split), sz = n * 8 < 64 ? 64 : n * 8;
        if (pool_alloc(g->m, g->pool, sz, sz, &g->strtab))
            goto nomem;
    } else {
        uint64_t sz = (1ull << bits) * 64;
        if (pool_alloc(g->m, g->pool, sz, sz, &g->strtab))
            goto nomem;
        ste_fill_abort(g, g->strtab, 1ull << bits);
    }
    gd_wr(g, SMMU_STRTAB_BASE, STRTAB_BASE_RA | (g->strtab & STRTAB_BASE_ADDR), 8);
    gd_wr(g, SMMU_STRTAB_BASE_CFG,
          FIELD_PREP(STRTAB_CFG_FMT, g->st2l ? STRTAB_FMT_2LVL : STRTAB_FMT_LINEAR) |
              FIELD_PREP(STRTAB_CFG_SPLIT, g->st2l ? g->split : 0) |
              FIELD_PREP(STRTAB_CFG_LOG2SIZE, bits), 4);

    /* Command queue */
    unsigned cq = (unsigned)FIELD_GET(IDR1_CMDQS, g->idr[1]);
    g->cmdq_log2 = o->cmdq_log2 ? o->cmdq_log2 : (cq < 8 ? cq : 8);
    if (g->cmdq_log2 > cq)
        g->cmdq_log2 = cq;
    uint64_t qsz = (16ull << g->cmdq_log2) < 32 ? 32 : (16ull << g->cmdq_log2);
    if (pool_alloc(g->m, g->pool, qsz, qsz, &g->cmdq))
        goto nomem;
    gd_wr(g, SMMU_CMDQ_BASE, Q_BASE_RWA | (g->cmdq & Q_BASE_ADDR) | g->cmdq_log2, 8);
    gd_wr(g, SMMU_CMDQ_PROD, 0, 4);
    gd_wr(g, SMMU_CMDQ_CONS, 0, 4);
    g->cmdq_prod = 0;
    if (gd_write_sync(g, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN))
        return -1;
    /* 1.4 step 8: invalidate everything, each with its own sync */
    cmd_cfgi_all(c);
    if (gd_cmd(g, c) || gd_sync(g))
        return -1;
    if (g->idr[0] & IDR0_HYP) {
        cmd_tlbi_el2_all(c);
        if (gd_cmd(g, c) || gd_sync(g))
            return -1;
    }
    cmd_tlbi_nsnh_all(c);
    if (gd_cmd(g, c) || gd_sync(g))
        return -1;

    /* Event queue */
    unsigned eq = (unsigned)FIELD_GET(IDR1_EVENTQS, g->idr[1]);
    g->evtq_log2 = o->evtq_log2 ? o->evtq_log2 : (eq < 7 ? eq : 7);
    if (g->evtq_log2 > eq)
        g->evtq_log2 = eq;
    qsz = 32ull << g->evtq_log2;
    if (pool_alloc(g->m, g->pool, qsz, qsz, &g->evtq))
        goto nomem;
    gd_wr(g, SMMU_EVENTQ_BASE, Q_BASE_RWA | (g->evtq & Q_BASE_ADDR) | g->evtq_log2, 8);
    gd_wr(g, SMMU_EVENTQ_PROD, 0, 4);
    gd_wr(g, SMMU_EVENTQ_CONS, 0, 4);
    g->evtq_cons = 0;
    if (gd_write_sync(g, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN | CR0_EVENTQEN))
        return -1;
    /* Wired interrupts (no MSI: IRQ_CFG0 = 0), 1.5 */
    gd_wr(g, SMMU_GERROR_IRQ_CFG0, 0, 8);
    gd_wr(g, SMMU_EVENTQ_IRQ_CFG0, 0, 8);
    if (gd_write_sync(g, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK,
                      IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN))
        return -1;
    if (gd_write_sync(g, SMMU_CR0, SMMU_CR0ACK, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN))
        return -1;
    g->enabled = true;
    return 0;
nomem:
    snprintf(g->err, sizeof(g->err), "out of guest memory for SMMU structures");
    return -1;
}

/* ---- commands ---- */
static void cmd_op(uint64_t c[2], unsigned op)
{
    c[0] = op;
    c[1] = 0;
}

void cmd_cfgi_ste(uint64_t c[2], uint32_t sid, bool leaf)
{
    cmd_op(c, 0x03);
    ft_setn(&ft_cmd, c, "StreamID", sid);
    ft_setn(&ft_cmd, c, "Leaf", leaf);
}

void cmd_cfgi_all(uint64_t c[2])
{
    cmd_op(c, 0x04);
    ft_setn(&ft_cmd, c, "Range", 31);
}

void cmd_cfgi_cd(uint64_t c[2], uint32_t sid, uint32_t ssid, bool leaf)
{
    cmd_op(c, 0x05);
    ft_setn(&ft_cmd, c, "StreamID", sid);
    ft_setn(&ft_cmd, c, "SubstreamID", ssid);
    ft_setn(&ft_cmd, c, "Leaf", leaf);
}

void cmd_tlbi_nh_asid(uint64_t c[2], uint16_t vmid, uint16_t asid)
{
    cmd_op(c, 0x11);
    ft_setn(&ft_cmd, c, "VMID", vmid);
    ft_setn(&ft_cmd, c, "ASID", asid);
}

void cmd_tlbi_s12_vmall(uint64_t c[2], uint16_t vmid)
{
    cmd_op(c, 0x28);
    ft_setn(&ft_cmd, c, "VMID", vmid);
}

void cmd_tlbi_nsnh_all(uint64_t c[2]) { cmd_op(c, 0x30); }
void cmd_tlbi_el2_all(uint64_t c[2]) { cmd_op(c, 0x20); }

void cmd_sync(uint64_t c[2])
{
    cmd_op(c, 0x46);
    ft_setn(&ft_cmd, c, "CS", 2);   /* SIG_SEV; completion seen via CONS */
}

int gd_tlbi_range(struct gd *g, const struct gd_inv *inv)
{
    bool ril = g->idr[3] & IDR3_RIL;
    unsigned glog = (unsigned)__builtin_ctzll(inv->granule);
    unsigned tg = inv->pgshift;
    uint64_t c[2];
    int n = 0;
    if (!ril && inv->size >= (1ull << (glog - 3)) * inv->granule) {
        /* Too many operations without RIL: flush the whole context (2.4) */
        if (inv->opcode == 0x2A)
            cmd_tlbi_s12_vmall(c, inv->vmid);
        else
            cmd_tlbi_nh_asid(c, inv->vmid, inv->asid);
        return gd_cmd(g, c) ? -1 : 1;
    }
    cmd_op(c, inv->opcode);
    ft_setn(&ft_cmd, c, "VMID", inv->vmid);
    if (inv->opcode != 0x2A)
        ft_setn(&ft_cmd, c, "ASID", inv->asid);
    ft_setn(&ft_cmd, c, "Leaf", inv->leaf);
    uint64_t iova = inv->iova, end = inv->iova + inv->size, step = inv->granule;
    uint64_t num_pages = 0;
    if (ril) {
        num_pages = inv->size >> tg;
        ft_setn(&ft_cmd, c, "TG", (tg - 10) / 2);
        if (inv->leaf)
            ft_setn(&ft_cmd, c, "TTL", 4 - ((glog - 3) / (tg - 3)));
        else if ((num_pages & 31) == 1)
            num_pages++;   /* TTL=0, NUM=0, SCALE=0 is reserved */
    }
    while (iova < end) {
        if (ril) {
            if (!num_pages)
                break;
            unsigned scale = (unsigned)__builtin_ctzll(num_pages);
            uint64_t num = (num_pages >> scale) & 31;
            ft_setn(&ft_cmd, c, "SCALE", scale);
            ft_setn(&ft_cmd, c, "NUM", num - 1);
            step = num << (scale + tg);
            num_pages -= num << scale;
        }
        ft_setn(&ft_cmd, c, inv->opcode == 0x2A ? "IPA" : "Address", iova >> 12);
        if (gd_cmd(g, c))
            return -1;
        n++;
        iova += step;
    }
    return n;
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

/* ---- STE / CD ---- */
void ste_abort(uint64_t ste[8])
{
    memset(ste, 0, 64);
    ft_setn(&ft_ste, ste, "V", 1);
}

void ste_bypass(uint64_t ste[8])
{
    ste_abort(ste);
    ft_setn(&ft_ste, ste, "Config", 4);
    ft_setn(&ft_ste, ste, "SHCFG", 1);   /* incoming shareability */
}

void ste_s1(uint64_t ste[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned s1dss)
{
    ste_abort(ste);
    ft_setn(&ft_ste, ste, "Config", 5);
    ft_setn(&ft_ste, ste, "S1Fmt", fmt);
    ft_setn(&ft_ste, ste, "S1ContextPtr", cdptr >> 6);
    ft_setn(&ft_ste, ste, "S1CDMax", cdmax);
    ft_setn(&ft_ste, ste, "S1DSS", s1dss);
    ft_setn(&ft_ste, ste, "S1CIR", 1);
    ft_setn(&ft_ste, ste, "S1COR", 1);
    ft_setn(&ft_ste, ste, "S1CSH", 3);
}

void ste_add_s2(uint64_t ste[8], const struct pt *s2, uint16_t vmid, unsigned oas_bits)
{
    unsigned cfg = (unsigned)ft_getn(&ft_ste, ste, "Config");
    ft_setn(&ft_ste, ste, "V", 1);
    ft_setn(&ft_ste, ste, "Config", cfg == 5 ? 7 : 6);
    ft_setn(&ft_ste, ste, "S2VMID", vmid);
    ft_setn(&ft_ste, ste, "S2T0SZ", 64 - s2->ias);
    ft_setn(&ft_ste, ste, "S2SL0", pt_sl0(s2));
    ft_setn(&ft_ste, ste, "S2IR0", 1);
    ft_setn(&ft_ste, ste, "S2OR0", 1);
    ft_setn(&ft_ste, ste, "S2SH0", 3);
    ft_setn(&ft_ste, ste, "S2TG", tg_enc(s2->g));
    ft_setn(&ft_ste, ste, "S2PS", ps_enc(oas_bits));
    ft_setn(&ft_ste, ste, "S2AA64", 1);
    ft_setn(&ft_ste, ste, "S2R", 1);
    ft_setn(&ft_ste, ste, "S2TTB", pt_ttb(s2) >> 4);
}

void cd_s1(uint64_t cd[8], const struct pt *s1, uint16_t asid, unsigned ips_bits)
{
    memset(cd, 0, 64);
    ft_setn(&ft_cd, cd, "T0SZ", 64 - s1->ias);
    ft_setn(&ft_cd, cd, "TG0", tg_enc(s1->g));
    ft_setn(&ft_cd, cd, "IR0", 1);
    ft_setn(&ft_cd, cd, "OR0", 1);
    ft_setn(&ft_cd, cd, "SH0", 3);
    ft_setn(&ft_cd, cd, "EPD1", 1);
    ft_setn(&ft_cd, cd, "V", 1);
    ft_setn(&ft_cd, cd, "IPS", ps_enc(ips_bits));
    ft_setn(&ft_cd, cd, "AA64", 1);
    ft_setn(&ft_cd, cd, "R", 1);
    ft_setn(&ft_cd, cd, "A", 1);
    ft_setn(&ft_cd, cd, "ASID", asid);
    ft_setn(&ft_cd, cd, "TTB0", pt_ttb(s1) >> 4);
    ft_setn(&ft_cd, cd, "MAIR", 0xF404FF44u);   /* NC, WB, Device-nGnRE, iNC-oWB */
}
