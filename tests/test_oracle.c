/* SPDX-License-Identifier: MIT */
/*
 * Lockstep oracle (DESIGN 6): a cached instance (default capacities, and a
 * small-capacity one) and an uncached one (tlb_entries = cfg_entries = 0)
 * driven identically, only through MMIO, the command queue (kit/drv) and
 * guest memory, over random map / unmap / remap / permission-change /
 * invalidate / CD-switch / STE-switch sequences that follow the
 * architecture's rules:
 *  - a valid descriptor is changed only by break-before-make: write
 *    invalid, then the TLBI that covers it (the way Linux issues it, range
 *    commands when RIL), CMD_SYNC, then the new descriptor;
 *  - stage-2 changes under nested translation add a stage-1 invalidation
 *    of the VMID (IHI0070 16.2.1: S2_IPA need not remove combined entries);
 *  - STE/CD changes are followed by CFGI_STE/CFGI_CD + CMD_SYNC.
 * After every step each translation must agree field by field (outcome,
 * address, size, permissions, attributes, event record): caches are
 * transparent (DESIGN invariant 2). Mismatches: 0.
 *
 * ORACLE_OPS sets the number of operations (test_oracle_long: 1,000,000).
 */
#include "test.h"
#include "mem.h"
#include "ptb.h"
#include "drv.h"
#include "cmd.h"
#include "stecd.h"
#include "internal.h"
#include "spec/pte.h"

#ifndef ORACLE_OPS
#define ORACLE_OPS 120000
#endif

#define RAM_BASE   UINT64_C(0)
#define RAM_SIZE   (UINT64_C(48) << 20)
#define IPA_DELTA  UINT64_C(0x8000000000)   /* nested: RAM seen at this IPA */
#define K4         UINT64_C(0x1000)
#define M2         UINT64_C(0x200000)
#define NREG       16u                      /* 2 MiB regions per window */
#define NW         3                        /* worlds: uncached, cached, small cache */

enum { D_S1A, D_S1B, D_S1C, D_S2, D_NS1, D_NS2, D_EL2, ND };

struct dom {
    int stage;                  /* 1 or 2 */
    uint16_t asid, vmid;
    uint64_t base;              /* input window */
    uint64_t out_lo, out_span;  /* where outputs go */
    struct kit_ptb pt[NW];
    /* shadow: 0 unmapped, else output | 1 (| 2 read-only) */
    uint64_t page[NREG][512];
};

struct world {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_drv d;
};

static struct world W[NW];
static struct dom D[ND];
static uint64_t rng = 0x243f6a8885a308d3ull;
static unsigned mismatches;
static uint64_t cd5[NW], cd_nested[NW];
static bool sid4_bypass;
static bool cd5_swapped;

/* The streams: SIDs 1 and 4 share ASID 1's tables; SID 5 has two
 * substreams; SID 2 is stage-2 only; SID 3 nested. */
static const struct { uint32_t sid; bool ssv; uint32_t ssid; int dom; } S[] = {
    { 1, false, 0, D_S1A }, { 4, false, 0, D_S1A }, { 5, false, 0, D_S1B },
    { 5, true, 0, D_S1B }, { 5, true, 1, D_S1C }, { 2, false, 0, D_S2 },
    { 3, false, 0, D_NS1 }, { 6, false, 0, D_EL2 },
};
#define NS ((unsigned)(sizeof(S) / sizeof(S[0])))

static uint64_t ok_by_stream[NS], all_by_stream[NS];

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t attrs(const struct dom *d, bool ro)
{
    if (d->stage == 1)
        return PTE_AF | PTE_NG | FIELD_PREP(PTE_SH, 3) |
               FIELD_PREP(PTE_AP, ro ? AP_RO : AP_RW);
    return PTE_AF | FIELD_PREP(PTE_SH, 3) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) |
           FIELD_PREP(PTE_S2AP, ro ? 1 : 3);
}

/* ---- setup ------------------------------------------------------------------------ */

static int world_open(struct world *w, uint32_t tlb, uint32_t cfgc)
{
    w->m = kit_mem_new();
    if (!w->m || kit_mem_add(w->m, RAM_BASE, RAM_SIZE))
        return -1;
    kit_mem_alloc(w->m, 0x10000, 0x10000);
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.tlb_entries = tlb;
    c.cfg_entries = cfgc;
    struct vsmmu_host_ops ops;
    kit_mem_ops(w->m, &ops, false);
    char err[256];
    if (vsmmu_create(&c, &ops, &w->s, err, sizeof(err))) {
        fprintf(stderr, "create: %s\n", err);
        return -1;
    }
    if (kit_drv_probe(&w->d, w->s, w->m))
        return -1;
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.sid_bits = 8;
    o.cr2 = CR2_E2H | CR2_PTM | CR2_RECINVSID;  /* EL2 streams in the EL2-E2H world */
    if (kit_drv_reset(&w->d, &o)) {
        fprintf(stderr, "reset: %s\n", w->d.err);
        return -1;
    }
    return 0;
}

static void write_cd(int wi, uint64_t pa, const struct dom *d)
{
    struct kit_cd cd;
    kit_cd_s1(&cd, kit_ptb_ttb(&d->pt[wi]), 48, d->asid);
    uint64_t raw[8];
    kit_cd_encode(&cd, raw);
    kit_write8(W[wi].m, pa, raw);
}

static void install_sid4(int wi)
{
    struct kit_ste f;
    if (sid4_bypass) {
        memset(&f, 0, sizeof(f));
        f.v = true;
        f.config = KIT_CFG_BYPASS;
    } else {
        kit_ste_s1(&f, cd5[wi] + 128);      /* the SID-1 CD (ASID 1, shared) */
    }
    uint64_t ste[8];
    kit_ste_encode(&f, ste);
    kit_drv_install_ste(&W[wi].d, 4, ste);
}

static int setup(void)
{
    uint32_t caps[NW][2] = { { 0, 0 }, { 16384, 1024 }, { 48, 3 } };
    for (int i = 0; i < NW; i++)
        if (world_open(&W[i], caps[i][0], caps[i][1]))
            return -1;
    static const struct { int stage; uint16_t asid, vmid; uint64_t base, out_lo, out_span; } P[ND] = {
        [D_S1A] = { 1, 1, 0, 0x10000000, UINT64_C(0x100000000), UINT64_C(1) << 32 },
        [D_S1B] = { 1, 2, 0, 0x14000000, UINT64_C(0x100000000), UINT64_C(1) << 32 },
        [D_S1C] = { 1, 3, 0, 0x18000000, UINT64_C(0x100000000), UINT64_C(1) << 32 },
        [D_S2]  = { 2, 0, 5, 0x40000000, UINT64_C(0x200000000), UINT64_C(1) << 32 },
        [D_NS1] = { 1, 7, 6, 0x20000000, 0x60000000, NREG * M2 },
        [D_NS2] = { 2, 0, 6, 0x60000000, UINT64_C(0x300000000), UINT64_C(1) << 32 },
        [D_EL2] = { 1, 9, 0, 0x30000000, UINT64_C(0x400000000), UINT64_C(1) << 32 },
    };
    for (int di = 0; di < ND; di++) {
        struct dom *d = &D[di];
        d->stage = P[di].stage;
        d->asid = P[di].asid;
        d->vmid = P[di].vmid;
        d->base = P[di].base;
        d->out_lo = P[di].out_lo;
        d->out_span = P[di].out_span;
        for (int wi = 0; wi < NW; wi++) {
            int rc = d->stage == 1 ? kit_ptb_init_s1(&d->pt[wi], W[wi].m, 12, 16)
                                   : kit_ptb_init_s2(&d->pt[wi], W[wi].m, 12, 2, 16);
            if (rc)
                return -1;
            if (di == D_NS1)
                d->pt[wi].delta = IPA_DELTA;
        }
    }
    for (int wi = 0; wi < NW; wi++) {
        struct world *w = &W[wi];
        /* nested stage 2 maps all RAM at IPA_DELTA (tables and CDs), for good */
        if (kit_ptb_map(&D[D_NS2].pt[wi], IPA_DELTA + RAM_BASE, RAM_BASE, RAM_SIZE, -1,
                        attrs(&D[D_NS2], false)))
            return -1;
        /* CDs: [0] SID 5 ssid 0 (ASID 2), [1] ssid 1 (ASID 3), [2] SID 1 (ASID 1) */
        cd5[wi] = kit_mem_alloc(w->m, 256, 64);
        write_cd(wi, cd5[wi], &D[D_S1B]);
        write_cd(wi, cd5[wi] + 64, &D[D_S1C]);
        write_cd(wi, cd5[wi] + 128, &D[D_S1A]);
        cd_nested[wi] = kit_mem_alloc(w->m, 64, 64);
        write_cd(wi, cd_nested[wi], &D[D_NS1]);
        uint64_t cd_el2 = kit_mem_alloc(w->m, 64, 64);
        write_cd(wi, cd_el2, &D[D_EL2]);

        struct kit_ste f;
        uint64_t ste[8];
        kit_ste_s1(&f, cd5[wi] + 128);                  /* SID 1: S1, ASID 1 */
        kit_ste_encode(&f, ste);
        kit_drv_install_ste(&w->d, 1, ste);
        kit_ste_s1(&f, cd5[wi]);                        /* SID 5: two substreams */
        f.s1cdmax = 1;
        f.s1dss = 2;                                    /* non-substream: CD 0 */
        kit_ste_encode(&f, ste);
        kit_drv_install_ste(&w->d, 5, ste);
        kit_ste_s2(&f, kit_ptb_ttb(&D[D_S2].pt[wi]), 48, D[D_S2].vmid);   /* SID 2 */
        kit_ste_encode(&f, ste);
        kit_drv_install_ste(&w->d, 2, ste);
        kit_ste_s2(&f, kit_ptb_ttb(&D[D_NS2].pt[wi]), 48, D[D_NS2].vmid); /* SID 3 */
        f.config = KIT_CFG_NESTED;
        f.s1ctxptr = cd_nested[wi] + IPA_DELTA;
        kit_ste_encode(&f, ste);
        kit_drv_install_ste(&w->d, 3, ste);
        kit_ste_s1(&f, cd_el2);                         /* SID 6: EL2-E2H, ASID 9 */
        f.strw = 2;
        kit_ste_encode(&f, ste);
        kit_drv_install_ste(&w->d, 6, ste);
    }
    for (int wi = 0; wi < NW; wi++)
        install_sid4(wi);
    return 0;
}

/* ---- invalidation as a driver issues it ------------------------------------------------ */

static void cmd_all(const uint64_t c[2])
{
    for (int wi = 0; wi < NW; wi++)
        kit_drv_cmd(&W[wi].d, c);
}

/* After unmapping [in, in + size) of domain d (leaf size `leaf`). */
static void invalidate(struct dom *d, uint64_t in, uint64_t size, uint64_t leaf)
{
    unsigned how = (unsigned)(rnd() % 8);
    uint64_t c[2];
    int di = (int)(d - D);
    if (di == D_EL2) {
        /* the EL2-E2H world: by VA (ASID), by VA for all ASIDs, ASID, all */
        if (how < 4) {
            for (int wi = 0; wi < NW; wi++)
                kit_drv_inv_range(&W[wi].d, KIT_OP_TLBI_EL2_VA, 0, d->asid, in, size, leaf,
                                  12, true);
        } else if (how < 6) {
            struct kit_tlbi_range r = { .leaf = true };
            for (uint64_t a = in; a < in + size; a += leaf) {
                r.addr = a;
                kit_cmd_tlbi_el2_vaa(c, &r);
                cmd_all(c);
            }
        } else if (how == 6) {
            kit_cmd_tlbi_el2_asid(c, d->asid);
            cmd_all(c);
        } else {
            kit_cmd_tlbi_el2_all(c);
            cmd_all(c);
        }
        return;
    }
    if (d->stage == 1) {
        uint16_t vmid = di == D_NS1 ? d->vmid : 0;
        if (how == 3 || how == 4) {
            /* one non-range command per leaf, as without RIL: the address
             * of a block's first page must remove the whole block, and
             * every combined piece of it */
            struct kit_tlbi_range rr = { .leaf = true };
            for (uint64_t a = in; a < in + size; a += leaf) {
                rr.addr = a;
                kit_cmd_tlbi_nh_va(c, vmid, d->asid, &rr);
                cmd_all(c);
            }
        } else if (how < 5) {
            for (int wi = 0; wi < NW; wi++)
                kit_drv_inv_range(&W[wi].d, KIT_OP_TLBI_NH_VA, vmid, d->asid, in, size, leaf,
                                  12, true);
        } else if (how == 5) {
            kit_cmd_tlbi_nh_asid(c, vmid, d->asid);
            cmd_all(c);
        } else if (how == 6) {
            kit_cmd_tlbi_nh_all(c, vmid);
            cmd_all(c);
        } else {
            struct kit_tlbi_range r = { .addr = in, .leaf = false };
            for (uint64_t a = in; a < in + size; a += leaf) {   /* one command per leaf */
                r.addr = a;
                kit_cmd_tlbi_nh_vaa(c, vmid, &r);
                cmd_all(c);
            }
        }
        return;
    }
    if (how < 6) {
        for (int wi = 0; wi < NW; wi++)
            kit_drv_inv_range(&W[wi].d, KIT_OP_TLBI_S2_IPA, d->vmid, 0, in, size, leaf, 12,
                              true);
        if (di == D_NS2) {
            /* combined entries: S2_IPA need not reach them */
            kit_cmd_tlbi_nh_all(c, d->vmid);
            cmd_all(c);
        }
    } else {
        kit_cmd_tlbi_s12_vmall(c, d->vmid);
        cmd_all(c);
    }
}

/* ---- mapping operations ------------------------------------------------------------------ */

static bool is_block_region(unsigned r) { return r & 1; }

static uint64_t pick_out(const struct dom *d, uint64_t align)
{
    return (d->out_lo + (rnd() % d->out_span)) & ~(align - 1);
}

static void map_one(struct dom *d, unsigned r, unsigned p, uint64_t out, bool ro)
{
    bool blk = is_block_region(r);
    uint64_t in = d->base + r * M2 + (blk ? 0 : p * K4);
    for (int wi = 0; wi < NW; wi++)
        kit_ptb_map(&d->pt[wi], in, out, blk ? M2 : K4, blk ? 2 : 3, attrs(d, ro));
    d->page[r][blk ? 0 : p] = out | 1 | (ro ? 2 : 0);
}

static void translate_compare(uint64_t op, unsigned si, uint64_t addr);

/* Right after an unmap: translate inside the range through every stream
 * of the domain (nested domains through the nested stream). */
static void probe_range(const struct dom *d, uint64_t in, uint64_t sz)
{
    int di = (int)(d - D);
    for (unsigned si = 0; si < NS; si++) {
        bool uses = S[si].dom == di || (di == D_NS2 && S[si].dom == D_NS1);
        if (!uses)
            continue;
        for (int k = 0; k < 3; k++) {
            uint64_t a = in + rnd() % sz;
            if (di == D_NS2)                /* a VA of the nested stream */
                a = D[D_NS1].base + rnd() % (NREG * M2);
            translate_compare(0, si, a);
        }
    }
}

static void unmap_one(struct dom *d, unsigned r, unsigned p)
{
    bool blk = is_block_region(r);
    uint64_t in = d->base + r * M2 + (blk ? 0 : p * K4);
    uint64_t sz = blk ? M2 : K4;
    for (int wi = 0; wi < NW; wi++)
        kit_ptb_unmap(&d->pt[wi], in, sz);
    d->page[r][blk ? 0 : p] = 0;
    invalidate(d, in, sz, sz);
    probe_range(d, in, sz);
}

/* Unmap a run of pages in one page region with one ranged invalidation. */
static void unmap_run(struct dom *d, unsigned r)
{
    unsigned p0 = (unsigned)(rnd() % 512), n = (unsigned)(rnd() % 64) + 1;
    if (p0 + n > 512)
        n = 512 - p0;
    uint64_t in = d->base + r * M2 + p0 * K4;
    for (int wi = 0; wi < NW; wi++)
        kit_ptb_unmap(&d->pt[wi], in, n * K4);
    for (unsigned p = p0; p < p0 + n; p++)
        d->page[r][p] = 0;
    invalidate(d, in, n * K4, K4);
}

static void mutate(void)
{
    struct dom *d = &D[rnd() % ND];
    unsigned r = (unsigned)(rnd() % NREG);
    unsigned p = is_block_region(r) ? 0 : (unsigned)(rnd() % 512);
    uint64_t *slot = &d->page[r][p];
    uint64_t align = is_block_region(r) ? M2 : K4;
    unsigned what = (unsigned)(rnd() % 10);
    if (!*slot) {
        map_one(d, r, p, pick_out(d, align), rnd() % 4 == 0);
    } else if (what < 4) {
        unmap_one(d, r, p);
    } else if (what < 7) {
        /* remap elsewhere: break, invalidate, sync, make */
        unmap_one(d, r, p);
        map_one(d, r, p, pick_out(d, align), rnd() % 4 == 0);
    } else if (what < 9) {
        /* permission change, break-before-make */
        uint64_t out = *slot & ~UINT64_C(3);
        bool ro = !(*slot & 2);
        unmap_one(d, r, p);
        map_one(d, r, p, out, ro);
    } else if (!is_block_region(r)) {
        unmap_run(d, r);
    }
}

static void other_maintenance(void)
{
    uint64_t c[2];
    unsigned what = (unsigned)(rnd() % 6);
    if (what == 0) {
        /* switch SID 5 substream 1 between ASID 3 and ASID 2's tables */
        cd5_swapped = !cd5_swapped;
        for (int wi = 0; wi < NW; wi++) {
            write_cd(wi, cd5[wi] + 64, cd5_swapped ? &D[D_S1B] : &D[D_S1C]);
            kit_cmd_cfgi_cd(c, 5, 1, true);
            kit_drv_cmd(&W[wi].d, c);
        }
    } else if (what == 1) {
        /* SID 4: stage 1 (ASID 1) <-> bypass; CFGI_STE by install */
        sid4_bypass = !sid4_bypass;
        for (int wi = 0; wi < NW; wi++)
            install_sid4(wi);
    } else if (what == 2) {
        kit_cmd_tlbi_nsnh_all(c);
        cmd_all(c);
    } else if (what == 3) {
        kit_cmd_cfgi_all(c);
        cmd_all(c);
    } else if (what == 4) {
        kit_cmd_cfgi_cd_all(c, 5);
        cmd_all(c);
    } else {
        kit_cmd_tlbi_s12_vmall(c, 6);
        cmd_all(c);
    }
}

/* ---- translation and comparison -------------------------------------------------------------- */


/* Translate on every world and compare. si: stream (S[]), or ~0u for a
 * random one; addr: ~0 for a random address of its domain. */
static void translate_compare(uint64_t op, unsigned si, uint64_t addr)
{
    if (si >= NS)
        si = (unsigned)(rnd() % NS);
    const struct dom *d = &D[S[si].dom];
    if (S[si].sid == 5 && S[si].ssid == 1 && cd5_swapped)
        d = &D[D_S1B];
    struct vsmmu_txn t = { .sid = S[si].sid, .ssid = S[si].ssid };
    if (S[si].ssv)
        t.flags |= VSMMU_TXN_SSV;
    uint64_t span = NREG * M2;
    t.addr = d->base + rnd() % (span + span / 8);       /* some beyond the window */
    if (addr != ~UINT64_C(0)) {
        t.addr = addr;
    } else if (rnd() % 4) {
        /* mostly addresses the domain maps (so that the cache is used) */
        for (int tries = 0; tries < 16; tries++) {
            unsigned r = (unsigned)(rnd() % NREG);
            unsigned p = is_block_region(r) ? 0 : (unsigned)(rnd() % 512);
            if (d->page[r][p]) {
                t.addr = d->base + r * M2 + (is_block_region(r) ? rnd() % M2
                                                                : p * K4 + rnd() % K4);
                break;
            }
        }
    }
    if (rnd() % 2)
        t.flags |= VSMMU_TXN_WRITE;
    if (rnd() % 4 == 0)
        t.flags |= VSMMU_TXN_PRIV;
    struct vsmmu_result res[NW];
    for (int wi = 0; wi < NW; wi++)
        vsmmu_translate(W[wi].s, &t, &res[wi]);
    ok_by_stream[si] += res[0].outcome == VSMMU_XLATE_OK;
    all_by_stream[si]++;
    for (int wi = 1; wi < NW; wi++) {
        struct vsmmu_result *a = &res[0], *b = &res[wi];
        bool same = a->outcome == b->outcome && a->has_event == b->has_event;
        if (same && a->outcome == VSMMU_XLATE_OK)
            same = a->out_addr == b->out_addr && a->size_log2 == b->size_log2 &&
                   a->perm == b->perm && a->memattr == b->memattr && a->sh == b->sh &&
                   a->bypass == b->bypass;
        if (same && a->has_event)
            same = !memcmp(a->event, b->event, sizeof(a->event));
        if (!same) {
            if (mismatches++ < 10)
                fprintf(stderr, "op %" PRIu64 " world %d sid %u ssid %u addr 0x%" PRIx64
                        " flags %x: uncached outcome %d oa 0x%" PRIx64 " size %u perm %x ev %d,"
                        " cached outcome %d oa 0x%" PRIx64 " size %u perm %x ev %d\n",
                        op, wi, t.sid, t.ssid, t.addr, t.flags, a->outcome, a->out_addr,
                        a->size_log2, a->perm, a->has_event, b->outcome, b->out_addr,
                        b->size_log2, b->perm, b->has_event);
        }
    }
}

static void drain_events(void)
{
    uint64_t rec[4];
    for (int wi = 0; wi < NW; wi++)
        while (kit_drv_event(&W[wi].d, rec) == 1)
            ;
}

static void oracle(void)
{
    REQUIRE(setup() == 0);
    /* warm up: map some of everything */
    for (int i = 0; i < 400; i++)
        mutate();
    uint64_t translations = 0;
    for (uint64_t op = 0; op < ORACLE_OPS; op++) {
        unsigned k = (unsigned)(rnd() % 100);
        if (k < 12)
            mutate();
        else if (k < 13)
            other_maintenance();
        else {
            translate_compare(op, ~0u, ~UINT64_C(0));
            translations++;
        }
        if (op % 64 == 0)
            drain_events();
    }
    CHECK_EQ(mismatches, 0);
    /* the cached instance did hit (otherwise the oracle proves little) */
    struct vsmmu_stats st;
    vsmmu_get_stats(W[1].s, &st);
    CHECK(st.tlb_hits > translations / 4);
    CHECK(st.cfg_hits > translations / 2);
    CHECK(st.tlb_invalidated > 0);
    vsmmu_get_stats(W[0].s, &st);
    CHECK_EQ(st.tlb_hits, 0);
    for (int wi = 0; wi < NW; wi++) {
        vsmmu_get_stats(W[wi].s, &st);
        CHECK_EQ(st.cerrors, 0);                 /* every command was legal */
        CHECK(st.commands > ORACLE_OPS / 20);
        CHECK_EQ(W[wi].d.cerrors, 0);
    }
    if (getenv("VSMMU_TEST_VERBOSE")) {
        vsmmu_get_stats(W[1].s, &st);
        fprintf(stderr, "oracle: %" PRIu64 " ops, %" PRIu64 " translations, tlb hits %" PRIu64
                " misses %" PRIu64 " invalidated %" PRIu64 ", cfg hits %" PRIu64
                " invalidated %" PRIu64 ", commands %" PRIu64 "\n",
                (uint64_t)ORACLE_OPS, translations, st.tlb_hits, st.tlb_misses,
                st.tlb_invalidated, st.cfg_hits, st.cfg_invalidated, st.commands);
    }
    /* every stream translates often (the comparison covers real
     * translations), except SSV=1 with SubstreamID 0 under S1DSS=0b10,
     * which is C_BAD_SUBSTREAMID by design (IHI0070 5.2 S1DSS) */
    for (unsigned si = 0; si < NS; si++) {
        if (S[si].sid == 5 && S[si].ssv && S[si].ssid == 0) {
            CHECK_EQ(ok_by_stream[si], 0);
            continue;
        }
        CHECK_MSG(ok_by_stream[si] * 10 > all_by_stream[si],
                  "stream %u (SID %u): %" PRIu64 " of %" PRIu64 " translated", si, S[si].sid,
                  ok_by_stream[si], all_by_stream[si]);
    }
    for (int wi = 0; wi < NW; wi++) {
        vsmmu_destroy(W[wi].s);
        kit_mem_free(W[wi].m);
    }
}

int main(void)
{
    RUN(oracle);
    return t_done();
}
