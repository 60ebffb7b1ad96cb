/* SPDX-License-Identifier: MIT */
/* Walker: stage 2 (start levels, concatenation, block sizes, input range,
 * S2AP/XN permissions, attributes) and nested walks (each granule pair,
 * stage-2 faults during the stage-1 walk, final-IPA faults, external
 * aborts), with the fault fields of events.md §3. */
#include "walk_common.h"

#define PR VSMMU_PERM_R
#define PW VSMMU_PERM_W
#define PX VSMMU_PERM_X

/* Leaf sizes by hand (translation.md §1), 0 = no block at that level. */
static unsigned leaf_log2(unsigned g, int level)
{
    static const unsigned t4[4] = { 0, 30, 21, 12 }, t16[4] = { 0, 0, 25, 14 },
                          t64[4] = { 0, 0, 29, 16 };
    return g == 12 ? t4[level] : g == 14 ? t16[level] : t64[level];
}

/* Stage-2 configurations with their start level and number of
 * concatenated tables, from translation.md §5.2 by hand. */
static const struct { unsigned g, sl0, t0sz; int sl; unsigned concat; } s2_geos[] = {
    { 12, 2, 16, 0, 1 }, { 12, 1, 25, 1, 1 }, { 12, 1, 24, 1, 2 }, { 12, 1, 21, 1, 16 },
    { 12, 0, 34, 2, 1 }, { 12, 0, 30, 2, 16 }, { 12, 3, 43, 3, 1 }, { 12, 3, 39, 3, 16 },
    { 14, 2, 17, 1, 1 }, { 14, 2, 16, 1, 2 }, { 14, 1, 28, 2, 1 }, { 14, 1, 24, 2, 16 },
    { 14, 0, 39, 3, 1 }, { 14, 0, 35, 3, 16 },
    { 16, 2, 16, 1, 1 }, { 16, 1, 22, 2, 1 }, { 16, 1, 18, 2, 16 }, { 16, 0, 35, 3, 1 },
    { 16, 0, 31, 3, 16 },
};

/* Every stage-2 granule x start level x concatenation x leaf level. The
 * input is the highest block of the range (so it indexes the last
 * concatenated table); output 0x5_0000_0000. OA = out + offset; reads =
 * leaf level - start level + 1. */
static void s2_geometry_sweep(void)
{
    for (size_t i = 0; i < sizeof(s2_geos) / sizeof(s2_geos[0]); i++) {
        for (int lvl = s2_geos[i].sl; lvl <= 3; lvl++) {
            unsigned g = s2_geos[i].g, ias = 64 - s2_geos[i].t0sz, bl = leaf_log2(g, lvl);
            if (!bl || bl >= ias)
                continue;
            struct wt w;
            wt_open(&w);
            struct kit_ptb p;
            REQUIRE(kit_ptb_init_s2(&p, w.m, g, s2_geos[i].sl0, s2_geos[i].t0sz) == 0);
            CHECK_EQ(p.sl, s2_geos[i].sl);
            CHECK_EQ(p.concat, s2_geos[i].concat);
            uint64_t bs = UINT64_C(1) << bl;
            uint64_t in = (UINT64_C(1) << ias) - bs;
            REQUIRE(kit_ptb_map(&p, in, 0x500000000, bs, lvl, S2_RW) == 0);
            struct vsmmu_s2_cfg c = wt_s2(&p, s2_geos[i].sl0, s2_geos[i].t0sz);
            uint64_t off = (bs >> 1) | 0x238;
            struct vsmmu_walk_out o;
            struct vsmmu_fault f;
            int rc = wt_walk(&w, NULL, &c, in + off, RD, &o, &f);
            CHECK_MSG(rc == 0, "g=%u sl0=%u t0sz=%u level=%d: fault 0x%x", g, s2_geos[i].sl0,
                      s2_geos[i].t0sz, lvl, f.type);
            CHECK_EQ(o.oa, 0x500000000 + off);
            CHECK_EQ(o.ipa, in + off);
            CHECK_EQ(o.size_log2, bl);
            CHECK_EQ(o.level, lvl);
            CHECK_EQ(o.desc_reads, (unsigned)(lvl - s2_geos[i].sl + 1));
            /* the first entry of the first concatenated table is empty */
            CHECK_FAULT(wt_walk(&w, NULL, &c, 0, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                        EVT_CLASS_IN, 0);
            /* IPA = 2^ias is outside the stage-2 input range: no read */
            CHECK_FAULT(wt_walk(&w, NULL, &c, UINT64_C(1) << ias, RD, &o, &f), f,
                        EVT_F_TRANSLATION, 1, EVT_CLASS_IN, UINT64_C(1) << ias);
            CHECK_EQ(o.desc_reads, 0);
            wt_close(&w);
        }
    }
}

/* Inconsistent S2SL0/S2T0SZ reaching the walker: stage-2 F_TRANSLATION
 * (Arm ARM D8.15.5 item 2; the STE decode normally rejects these). */
static void s2_bad_sl0(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 1, 25) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 1, 25);
    c.t0sz = 34;     /* level 1 cannot start a 30-bit IPA space */
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 1, EVT_CLASS_IN,
                0x1000);
    c.t0sz = 25;
    c.granule = 14;
    c.sl0 = 3;       /* 16K level 0: reserved without DS */
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 1, EVT_CLASS_IN,
                0x1000);
    CHECK_EQ(o.desc_reads, 0);
    wt_close(&w);
}

/* S2AP (translation.md §2.4/§7.2): bit 6 read, bit 7 write; XN[1:0] with
 * XNX, XN[1] alone without. */
static void s2_permissions(void)
{
    for (int xnx = 0; xnx < 2; xnx++) {
        struct vsmmu_config cf;
        if (xnx) {
            vsmmu_config_default(&cf);
        } else {
            /* XNX is mandatory from SMMUv3.1 with stage 2: use a v3.0 */
            vsmmu_config_profile(&cf, "minimal-v3.0");
            cf.s2p = true;
        }
        struct wt w;
        wt_open_cfg(&w, &cf);
        struct kit_ptb p;
        REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 1, 25) == 0);
        for (unsigned ap = 0; ap < 4; ap++)
            REQUIRE(kit_ptb_map(&p, 0x1000 * (ap + 1), 0x10000, 0x1000, 3,
                                PTE_AF | FIELD_PREP(PTE_S2AP, ap) | FIELD_PREP(PTE_S2_MEMATTR, 0xf)) == 0);
        for (unsigned xn = 0; xn < 4; xn++)
            REQUIRE(kit_ptb_map(&p, 0x10000 + 0x1000 * xn, 0x10000, 0x1000, 3,
                                S2_RW | FIELD_PREP(PTE_S2_XN, xn)) == 0);
        struct vsmmu_s2_cfg c = wt_s2(&p, 1, 25);
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        for (unsigned ap = 0; ap < 4; ap++) {
            uint64_t ipa = 0x1000 * (ap + 1);
            bool r = ap & 1, wr = ap & 2;
            int rc = wt_walk(&w, NULL, &c, ipa, RD, &o, &f);
            CHECK_MSG(r ? rc == 0 : (rc && f.type == EVT_F_PERMISSION && f.s2 && f.ipa == ipa &&
                                     f.cls == EVT_CLASS_IN), "S2AP=%u read", ap);
            rc = wt_walk(&w, NULL, &c, ipa, WR | PRIV, &o, &f);
            CHECK_MSG(wr ? rc == 0 : (rc && f.type == EVT_F_PERMISSION && f.s2), "S2AP=%u write", ap);
            /* instruction fetch needs execute only (XN=0: allowed even with S2AP=00) */
            CHECK_EQ(wt_walk(&w, NULL, &c, ipa, EXEC, &o, &f), 0);
            /* atomic: write-only page lacks read -> RnW=1; read-only lacks write -> 0 */
            rc = wt_walk(&w, NULL, &c, ipa, ATOMIC, &o, &f);
            if (ap == 3) {
                CHECK_EQ(rc, 0);
            } else {
                CHECK_FAULT(rc, f, EVT_F_PERMISSION, 1, EVT_CLASS_IN, ipa);
                CHECK_EQ(f.rnw_override, 1);
                CHECK_EQ(f.rnw, ap == 2 ? 1 : 0);
            }
        }
        /* XN[1:0] -> (privileged exec, unprivileged exec), translation.md §2.4 */
        static const bool px_xnx[4] = { 1, 0, 0, 1 }, ux_xnx[4] = { 1, 1, 0, 0 };
        static const bool x_noxnx[4] = { 1, 1, 0, 0 };    /* XN[1] = bit 54 only */
        for (unsigned xn = 0; xn < 4; xn++) {
            uint64_t ipa = 0x10000 + 0x1000 * xn;
            bool px = xnx ? px_xnx[xn] : x_noxnx[xn], ux = xnx ? ux_xnx[xn] : x_noxnx[xn];
            int rc = wt_walk(&w, NULL, &c, ipa, EXEC | PRIV, &o, &f);
            CHECK_MSG(px ? rc == 0 : (rc && f.type == EVT_F_PERMISSION && f.s2),
                      "XNX=%d XN=%u priv exec", xnx, xn);
            rc = wt_walk(&w, NULL, &c, ipa, EXEC, &o, &f);
            CHECK_MSG(ux ? rc == 0 : (rc && f.type == EVT_F_PERMISSION && f.s2),
                      "XNX=%d XN=%u unpriv exec", xnx, xn);
            CHECK_EQ(wt_walk(&w, NULL, &c, ipa, RD, &o, &f), 0);
            unsigned perm = PR | PW | (px ? PX : 0) | ((PR | PW | (ux ? PX : 0)) << 3);
            CHECK_EQ(o.perm, perm);
        }
        wt_close(&w);
    }
}

/* Stage-2 attributes alone (input Normal WB ISH) and combined with an
 * input (Arm ARM D8.6.5, D8.6.6, D8.6.7). */
static void s2_memattr(void)
{
    static const struct { uint8_t in, in_sh, ma, s2sh; bool fwb; uint8_t attr, sh; } t[] = {
        { 0xff, 3, 0xf, 3, 0, 0xff, 3 },   /* WB + WB: input kept */
        { 0xff, 3, 0x1, 3, 0, 0x04, 2 },   /* Device-nGnRE wins; Device is OSH */
        { 0x04, 2, 0x0, 3, 0, 0x00, 2 },   /* nGnRE + nGnRnE -> nGnRnE */
        { 0x0c, 2, 0x2, 3, 0, 0x08, 2 },   /* GRE + nGRE -> nGRE */
        { 0x44, 2, 0xf, 3, 0, 0x44, 2 },   /* NC stays NC */
        { 0xff, 3, 0x5, 3, 0, 0x44, 2 },   /* S2 NC: NC, OSH */
        { 0xff, 3, 0x6, 3, 0, 0x4b, 3 },   /* outer NC, inner WT (hints kept) */
        { 0xff, 0, 0xa, 3, 0, 0xbb, 3 },   /* WT/WT; NSH + ISH -> ISH */
        { 0xff, 0, 0xf, 2, 0, 0xff, 2 },   /* NSH + OSH -> OSH */
        { 0x04, 2, 0xf, 3, 0, 0x04, 2 },   /* Device input stays */
        /* FWB: MemAttr[2]=0 Device; 0b101 NC; 0b110 WB; 0b111 input kept */
        { 0xff, 3, 0x1, 3, 1, 0x04, 2 },
        { 0xff, 3, 0x5, 3, 1, 0x44, 2 },
        { 0x44, 2, 0x6, 3, 1, 0xff, 2 },   /* OSH + ISH -> OSH */
        { 0x44, 2, 0x7, 3, 1, 0x44, 2 },
        { 0x04, 2, 0x6, 3, 1, 0xff, 2 },
        { 0x04, 2, 0x7, 3, 1, 0x04, 2 },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        uint8_t a, sh;
        vsmmu_attr_combine_s2(t[i].in, t[i].in_sh, t[i].ma, t[i].s2sh, t[i].fwb, &a, &sh);
        CHECK_MSG(a == t[i].attr && sh == t[i].sh, "case %zu: attr 0x%02x sh %u, want 0x%02x %u",
                  i, a, sh, t[i].attr, t[i].sh);
    }
    /* through a walk: stage 2 only, with and without incoming attributes */
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 1, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_S2AP, 3) | FIELD_PREP(PTE_S2_MEMATTR, 0xa) |
                        FIELD_PREP(PTE_SH, 0)) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 1, 25);
    struct vsmmu_walk_req r = { .s2 = &c, .addr = 0x1000 };
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(vsmmu_walk(w.s, &r, &o, &f), 0);
    CHECK_EQ(o.memattr, 0xbb);
    CHECK_EQ(o.sh, 3);                 /* absent input: ISH */
    r.in_attr = true;
    r.in_memattr = 0x44;
    r.in_sh = 2;
    CHECK_EQ(vsmmu_walk(w.s, &r, &o, &f), 0);
    CHECK_EQ(o.memattr, 0x44);
    CHECK_EQ(o.sh, 2);
    CHECK_EQ(vsmmu_s2_memattr_to_mair(0x0, false), 0x00);
    CHECK_EQ(vsmmu_s2_memattr_to_mair(0xe, false), 0xfb);   /* outer WB, inner WT */
    CHECK_EQ(vsmmu_s2_memattr_is_device(0x3, false), 1);
    CHECK_EQ(vsmmu_s2_memattr_is_device(0x4, true), 0);
    CHECK_EQ(vsmmu_s2_memattr_is_device(0x3, true), 1);
    wt_close(&w);
}

/* 52-bit IPA and PA at stage 2 (64K granule, S2PS 52): SL0=2 (level 1)
 * with T0SZ=12 resolves IPA bits [51:42] at level 1 with one 8 KiB table
 * (1024 entries). 4 TB block IPA 0x000f_c000_0000_0000 -> PA
 * 0x0004_0000_0000_0000; 64K page IPA 0x0008_0000_0001_0000 -> PA
 * 0x000c_0000_0002_0000. */
static void s2_52bit(void)
{
    struct vsmmu_config cf;
    vsmmu_config_default(&cf);
    cf.oas_bits = 52;
    struct wt w;
    wt_open_cfg(&w, &cf);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 16, 2, 12) == 0);
    p.oa52 = true;
    CHECK_EQ(p.sl, 1);
    CHECK_EQ(p.root_size, 8192);
    REQUIRE(kit_ptb_map(&p, 0x000fc00000000000, 0x0004000000000000, UINT64_C(1) << 42, 1,
                        S2_RW) == 0);
    REQUIRE(kit_ptb_map(&p, 0x0008000000010000, 0x000c000000020000, 0x10000, 3, S2_RW) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 2, 12);
    c.ps_bits = 52;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, NULL, &c, 0x000fc00000012345, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x0004000000012345);
    CHECK_EQ(o.size_log2, 42);
    CHECK_EQ(wt_walk(&w, NULL, &c, 0x0008000000018888, WR, &o, &f), 0);
    CHECK_EQ(o.oa, 0x000c000000028888);
    CHECK_EQ(o.desc_reads, 3);
    /* with S2PS 48 the same tables: the 52-bit IPA range needs 52-bit PS
     * (geometry refused), so F_TRANSLATION at stage 2 */
    c.ps_bits = 48;
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x0008000000018888, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_IN, 0x0008000000018888);
    wt_close(&w);
}

/* Big-endian stage-2 tables (STE.S2ENDI). */
static void s2_big_endian(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 0, 34) == 0);
    p.be = true;
    REQUIRE(kit_ptb_map(&p, 0x200000, 0x40000000, 0x200000, 2, S2_RW) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 0, 34);
    c.endi = true;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, NULL, &c, 0x212345, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x40012345);
    CHECK_EQ(o.size_log2, 21);
    c.endi = false;
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x212345, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_IN, 0x212345);
    wt_close(&w);
}

/* ---- nested ----------------------------------------------------------------- */

/* Stage-1 tables are reached at IPA = PA + NEST_DELTA; stage 2 maps the
 * whole test RAM there with pages (level 3), so every stage-2 walk of a
 * table IPA reads one descriptor per stage-2 level. */
#define NEST_DELTA UINT64_C(0x4000000000)

struct nest {
    struct wt w;
    struct kit_ptb p1, p2;
    struct vsmmu_s1_cfg c1;
    struct vsmmu_s2_cfg c2;
};

static int nest_open(struct nest *n, unsigned g1, unsigned tsz1, unsigned g2, unsigned sl0,
                     unsigned t0sz)
{
    wt_open(&n->w);
    if (kit_ptb_init_s2(&n->p2, n->w.m, g2, sl0, t0sz) ||
        kit_ptb_init_s1(&n->p1, n->w.m, g1, tsz1))
        return -1;
    n->p1.delta = NEST_DELTA;
    if (kit_ptb_map(&n->p2, T_RAM_BASE + NEST_DELTA, T_RAM_BASE, T_RAM_SIZE, 3, S2_RW))
        return -1;
    n->c1 = wt_s1(&n->p1, tsz1);
    n->c2 = wt_s2(&n->p2, sl0, t0sz);
    return 0;
}

/* Each stage-1 x stage-2 granule pair. Stage 1: 4K T0SZ=16 (4 levels),
 * 16K T0SZ=17 (3 levels), 64K T0SZ=22 (2 levels); stage 2: 4K SL0=2
 * T0SZ=16 (4 levels), 16K SL0=2 T0SZ=16 (3 levels, 2 tables), 64K SL0=2
 * T0SZ=20 (3 levels). VA 0x1234_0000 -> IPA 0x8000_0000 (one stage-1
 * page) -> PA 0x9_0000_0000 (stage-2 page(s)). Reads: each stage-1 level
 * costs a stage-2 walk plus the descriptor, then the final IPA's walk:
 * n1 * (n2 + 1) + n2. */
static void nested_granule_pairs(void)
{
    static const struct { unsigned g, tsz, n; } s1g[3] = { { 12, 16, 4 }, { 14, 17, 3 }, { 16, 22, 2 } };
    static const struct { unsigned g, sl0, t0sz, n; } s2g[3] = {
        { 12, 2, 16, 4 }, { 14, 2, 16, 3 }, { 16, 2, 20, 3 } };
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            struct nest n;
            REQUIRE(nest_open(&n, s1g[i].g, s1g[i].tsz, s2g[j].g, s2g[j].sl0, s2g[j].t0sz) == 0);
            uint64_t p1 = UINT64_C(1) << s1g[i].g, p2 = UINT64_C(1) << s2g[j].g;
            uint64_t sz2 = p1 > p2 ? p1 : p2;
            REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, p1, 3, S1_RW_ALL) == 0);
            REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, sz2, 3, S2_RW) == 0);
            struct vsmmu_walk_out o;
            struct vsmmu_fault f;
            int rc = wt_walk(&n.w, &n.c1, &n.c2, 0x12340128, WR, &o, &f);
            CHECK_MSG(rc == 0, "S1 %u / S2 %u: fault 0x%x s2=%d cls=%d ipa=0x%llx", s1g[i].g,
                      s2g[j].g, f.type, f.s2, f.cls, (unsigned long long)f.ipa);
            CHECK_EQ(o.oa, 0x900000128);
            CHECK_EQ(o.ipa, 0x80000128);
            CHECK_EQ(o.s1_size_log2, s1g[i].g);
            CHECK_EQ(o.s2_size_log2, s2g[j].g);
            CHECK_EQ(o.size_log2, s1g[i].g < s2g[j].g ? s1g[i].g : s2g[j].g);
            CHECK_EQ(o.level, 3);
            CHECK_EQ(o.desc_reads, s1g[i].n * (s2g[j].n + 1) + s2g[j].n);
            /* both stages grant RW to both privilege levels; execute: S1
             * AP=01 is EL0-writable (no privileged X), S2 XN=0 */
            CHECK_EQ(o.perm, PR | PW | ((PR | PW | PX) << 3));
            wt_close(&n.w);
        }
    }
}

/* The worst case: 4 stage-1 levels, each through a 4-level stage-2 walk,
 * then 4 more for the final IPA: 4 * 5 + 4 = 24 descriptor reads, counted
 * in stats and traced one record per read. */
struct trace_log { unsigned desc, httu; uint64_t last_a1; };
static void trace_fn(void *opaque, const struct vsmmu_trace_rec *r)
{
    struct trace_log *t = opaque;
    if (r->kind == VSMMU_TR_DESC) {
        t->desc++;
        t->last_a1 = r->a1;
    } else if (r->kind == VSMMU_TR_HTTU) {
        t->httu++;
    }
}

static void nested_read_bound_and_trace(void)
{
    struct nest n;
    REQUIRE(nest_open(&n, 12, 16, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    struct trace_log tl = { 0 };
    vsmmu_set_trace(n.w.s, trace_fn, &tl);
    struct vsmmu_stats st0, st1;
    vsmmu_get_stats(n.w.s, &st0);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&n.w, &n.c1, &n.c2, 0x12340000, RD, &o, &f), 0);
    vsmmu_get_stats(n.w.s, &st1);
    CHECK_EQ(o.desc_reads, 24);
    CHECK_EQ(st1.desc_reads - st0.desc_reads, 24);
    CHECK_EQ(st1.walks - st0.walks, 1);
    CHECK_EQ(tl.desc, 24);
    CHECK_EQ(tl.last_a1, 2);          /* the last read is a stage-2 descriptor */
    vsmmu_set_trace(n.w.s, NULL, NULL);
    wt_close(&n.w);
}

/* Stage-2 faults while translating a stage-1 table address: S2=1,
 * CLASS=TT, IPA = IPA of the stage-1 descriptor (events.md §3). The
 * stage-1 level-1 table is reached at IPA (its PA + NEST_DELTA). */
static void nested_s2_faults_on_tables(void)
{
    struct nest n;
    REQUIRE(nest_open(&n, 12, 16, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    uint64_t va = 0x12340010;
    uint64_t d1pa = kit_ptb_desc_pa(&n.p1, va, 1);        /* PA of the S1 L1 descriptor */
    uint64_t d1ipa = d1pa + NEST_DELTA;
    uint64_t tpage = d1ipa & ~UINT64_C(0xfff);
    uint64_t s2d = kit_ptb_desc_pa(&n.p2, tpage, 3);      /* S2 leaf mapping that page */
    uint64_t good = kit_ptb_get(&n.p2, s2d);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;

    /* translation fault: the page holding the table is not mapped */
    kit_ptb_set(&n.p2, s2d, 0);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_TT, d1ipa);
    /* reads: L0 (5), then the 4-level S2 walk of the L1 descriptor IPA */
    CHECK_EQ(o.desc_reads, 5 + 4);
    /* permission fault: S2AP=00 (no read): TTRnW=1 (a descriptor read) */
    kit_ptb_set(&n.p2, s2d, good & ~PTE_S2AP);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_TT, d1ipa);
    CHECK_EQ(f.ttrnw, 1);
    /* write-only also lacks read */
    kit_ptb_set(&n.p2, s2d, (good & ~PTE_S2AP) | PTE_S2AP_W);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, WR, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_TT, d1ipa);
    /* access flag 0 without S2HA */
    kit_ptb_set(&n.p2, s2d, good & ~PTE_AF);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_ACCESS, 1, EVT_CLASS_TT,
                d1ipa);
    /* ... unless S2AFFD */
    n.c2.affd = true;
    CHECK_EQ(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), 0);
    n.c2.affd = false;
    /* address size: the stage-2 output for the table is >= 2^S2PS */
    n.c2.ps_bits = 40;
    kit_ptb_set(&n.p2, s2d, good | UINT64_C(0x10000000000));
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_ADDR_SIZE, 1, EVT_CLASS_TT,
                d1ipa);
    n.c2.ps_bits = 48;
    /* S2PTW: a stage-1 table in stage-2 Device memory -> Permission, TT */
    kit_ptb_set(&n.p2, s2d, (good & ~PTE_S2_MEMATTR) | FIELD_PREP(PTE_S2_MEMATTR, 0x1));
    CHECK_EQ(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), 0);
    n.c2.ptw = true;
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_TT, d1ipa);
    CHECK_EQ(f.ttrnw, 1);
    /* ... with FWB, MemAttr 0b0001 is also Device; 0b0111 is not */
    n.c2.fwb = true;
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_TT, d1ipa);
    kit_ptb_set(&n.p2, s2d, (good & ~PTE_S2_MEMATTR) | FIELD_PREP(PTE_S2_MEMATTR, 0x7));
    CHECK_EQ(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), 0);
    n.c2.fwb = false;
    n.c2.ptw = false;
    kit_ptb_set(&n.p2, s2d, good);

    /* the start table (TTB0 IPA) outside the stage-2 input range: IPA of
     * the level-0 descriptor */
    n.c2.sl0 = 1;
    n.c2.t0sz = 26;    /* 38-bit IPA: table IPAs (>= 2^38) are out of range */
    /* (4K, SL0=1, T0SZ=26 is a consistent level-1 geometry; the range
     * check comes before any stage-2 read) */
    uint64_t d0ipa = kit_ptb_desc_pa(&n.p1, va, 0) + NEST_DELTA;
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_TT, d0ipa);
    CHECK_EQ(o.desc_reads, 0);
    wt_close(&n.w);
}

/* Faults on the final IPA: S2=1 CLASS=IN with the transaction's IPA;
 * stage-1 faults first (stage-1 permission before stage 2; stage-1 output
 * address size before the stage-2 range check). */
static void nested_final_ipa_faults(void)
{
    struct nest n;
    REQUIRE(nest_open(&n, 12, 16, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12341000, 0x81000000, 0x1000, 3, S1_RO_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12342000, 0x10000000000, 0x1000, 3, S1_RW_ALL) == 0);    /* 2^40 */
    REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RO) == 0);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    /* final IPA 0x8000_0018: read OK, write refused by S2AP=01 */
    CHECK_EQ(wt_walk(&n.w, &n.c1, &n.c2, 0x12340018, RD, &o, &f), 0);
    CHECK_EQ(o.perm, PR | ((PR | PX) << 3));      /* S1 RW (no priv X) & S2 RO */
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, 0x12340018, WR, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_IN, 0x80000018);
    /* IPA 0x8100_0000 unmapped at stage 2 */
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, 0x12341020, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_IN, 0x81000020);
    /* stage-1 permission has priority: a write to the S1 read-only page */
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, 0x12341020, WR, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    /* stage-1 output 2^40 with IPS 40: stage-1 F_ADDR_SIZE (the table
     * IPAs, 2^38 + x, are below 2^40) */
    n.c1.ips_bits = 40;
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, 0x12342000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 4 * 5);
    wt_close(&n.w);

    /* stage-1 output 2^40 with a 40-bit stage-2 input range (4K, SL0=1,
     * T0SZ=24: two concatenated level-1 tables): stage-2 F_TRANSLATION,
     * CLASS=IN, IPA 2^40 + 0x10, after 4 x (3 + 1) reads */
    REQUIRE(nest_open(&n, 12, 16, 12, 1, 24) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12343000, 0x10000000000, 0x1000, 3, S1_RW_ALL) == 0);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, 0x12343010, RD, &o, &f), f, EVT_F_TRANSLATION, 1,
                EVT_CLASS_IN, 0x10000000010);
    CHECK_EQ(o.desc_reads, 16);
    wt_close(&n.w);
}

/* External aborts (events.md §3 F_WALK_EABT table): FetchAddr = PA of the
 * descriptor whose read aborted. */
static void nested_walk_eabt(void)
{
    struct nest n;
    REQUIRE(nest_open(&n, 12, 16, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    uint64_t va = 0x12340010;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;

    /* the stage-1 level-2 descriptor's PA aborts: S2=0 CLASS=TT */
    uint64_t d2 = kit_ptb_desc_pa(&n.p1, va, 2);
    kit_mem_poison(n.w.m, d2, 8);
    CHECK_FAULT(wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, d2);
    kit_mem_unpoison_all(n.w.m);

    /* a stage-2 descriptor read aborts while translating the stage-1
     * level-2 table IPA: S2=1 CLASS=TT */
    uint64_t s2d = kit_ptb_desc_pa(&n.p2, (d2 + NEST_DELTA) & ~UINT64_C(0xfff), 3);
    kit_mem_poison(n.w.m, s2d, 8);
    int rc = wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f);
    CHECK_EQ(rc, -1);
    CHECK_EQ(f.type, EVT_F_WALK_EABT);
    CHECK_EQ(f.s2, 1);
    CHECK_EQ(f.cls, EVT_CLASS_TT);
    CHECK_EQ(f.fetch_addr, s2d);
    kit_mem_unpoison_all(n.w.m);

    /* a stage-2 descriptor read aborts while translating the final IPA:
     * S2=1 CLASS=IN */
    uint64_t s2f = kit_ptb_desc_pa(&n.p2, 0x80000000, 3);
    kit_mem_poison(n.w.m, s2f, 8);
    rc = wt_walk(&n.w, &n.c1, &n.c2, va, RD, &o, &f);
    CHECK_EQ(rc, -1);
    CHECK_EQ(f.type, EVT_F_WALK_EABT);
    CHECK_EQ(f.s2, 1);
    CHECK_EQ(f.cls, EVT_CLASS_IN);
    CHECK_EQ(f.fetch_addr, s2f);
    kit_mem_unpoison_all(n.w.m);

    /* stage 1 only: the start table aborts: S2=0 CLASS=TT */
    uint64_t d0 = kit_ptb_desc_pa(&n.p1, va, 0);
    kit_mem_poison(n.w.m, d0, 8);
    struct vsmmu_s1_cfg c1 = n.c1;
    c1.tt[0].ttb = n.p1.root;       /* PA */
    CHECK_FAULT(wt_walk(&n.w, &c1, NULL, va, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, d0);
    CHECK_EQ(o.desc_reads, 1);
    wt_close(&n.w);
}

/* vsmmu_walk_s2_fetch: stage-2 translation of a CD address (CLASS=CD). */
static void s2_fetch_cd(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 1, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x40000000, 0x2000000, 0x1000, 3, S2_RW) == 0);
    REQUIRE(kit_ptb_map(&p, 0x40001000, 0x2001000, 0x1000, 3,
                        S2_RW & ~PTE_AF) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 1, 25);
    struct vsmmu_fault f;
    uint64_t pa = 0;
    CHECK_EQ(vsmmu_walk_s2_fetch(w.s, &c, 0x40000040, EVT_CLASS_CD, &pa, &f), 0);
    CHECK_EQ(pa, 0x2000040);
    CHECK_EQ(vsmmu_walk_s2_fetch(w.s, &c, 0x40002000, EVT_CLASS_CD, &pa, &f), -1);
    CHECK_EQ(f.type, EVT_F_TRANSLATION);
    CHECK_EQ(f.s2, 1);
    CHECK_EQ(f.cls, EVT_CLASS_CD);
    CHECK_EQ(f.ipa, 0x40002000);
    CHECK_EQ(vsmmu_walk_s2_fetch(w.s, &c, 0x40001000, EVT_CLASS_CD, &pa, &f), -1);
    CHECK_EQ(f.type, EVT_F_ACCESS);
    CHECK_EQ(f.cls, EVT_CLASS_CD);
    /* with S2HA the AF is set and the fetch proceeds */
    c.ha = true;
    CHECK_EQ(vsmmu_walk_s2_fetch(w.s, &c, 0x40001000, EVT_CLASS_CD, &pa, &f), 0);
    CHECK_EQ(pa, 0x2001000);
    CHECK(kit_ptb_get(&p, kit_ptb_desc_pa(&p, 0x40001000, 3)) & PTE_AF);
    /* S2PTW: CD in Device memory */
    c.ptw = true;
    uint64_t d = kit_ptb_desc_pa(&p, 0x40000000, 3);
    kit_ptb_set(&p, d, (kit_ptb_get(&p, d) & ~PTE_S2_MEMATTR) | FIELD_PREP(PTE_S2_MEMATTR, 0));
    CHECK_EQ(vsmmu_walk_s2_fetch(w.s, &c, 0x40000040, EVT_CLASS_CD, &pa, &f), -1);
    CHECK_EQ(f.type, EVT_F_PERMISSION);
    CHECK_EQ(f.s2, 1);
    CHECK_EQ(f.cls, EVT_CLASS_CD);
    wt_close(&w);
}

/* The stage-2 cache seam: a hook answering table-IPA lookups replaces
 * the stage-2 walks of stage-1 table addresses; the insert hook sees every
 * walked one. */
static unsigned hook_hits, hook_inserts;
static int s2_hook(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                   struct vsmmu_walk_out *out)
{
    (void)s; (void)s2;
    if (ipa < NEST_DELTA)
        return 0;
    hook_hits++;
    out->oa = ipa - NEST_DELTA;           /* the identity of nest_open's mapping */
    out->perm = 0x3f;
    out->memattr = 0xff;
    return 1;
}
static void s2_insert(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                      const struct vsmmu_walk_out *out)
{
    (void)s; (void)s2;
    if (out->oa == ipa - NEST_DELTA && out->size_log2 == 12)
        hook_inserts++;
}

static void nested_s2_cache_seam(void)
{
    struct nest n;
    REQUIRE(nest_open(&n, 12, 16, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_map(&n.p1, 0x12340000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&n.p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    struct vsmmu_walk_req r = { .s1 = &n.c1, .s2 = &n.c2, .addr = 0x12340000,
                                .s2_cache_insert = s2_insert };
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    hook_hits = hook_inserts = 0;
    CHECK_EQ(vsmmu_walk(n.w.s, &r, &o, &f), 0);
    CHECK_EQ(hook_inserts, 4);
    r.s2_cache = s2_hook;
    CHECK_EQ(vsmmu_walk(n.w.s, &r, &o, &f), 0);
    CHECK_EQ(o.oa, 0x900000000);
    CHECK_EQ(hook_hits, 4);
    CHECK_EQ(o.desc_reads, 4 + 4);     /* S1 descriptors + the final IPA's walk */
    /* with S2PTW the hook is bypassed: full nested walk */
    n.c2.ptw = true;
    CHECK_EQ(vsmmu_walk(n.w.s, &r, &o, &f), 0);
    CHECK_EQ(hook_hits, 4);
    CHECK_EQ(o.desc_reads, 24);
    wt_close(&n.w);
}

int main(void)
{
    RUN(s2_geometry_sweep);
    RUN(s2_bad_sl0);
    RUN(s2_permissions);
    RUN(s2_memattr);
    RUN(s2_52bit);
    RUN(s2_big_endian);
    RUN(nested_granule_pairs);
    RUN(nested_read_bound_and_trace);
    RUN(nested_s2_faults_on_tables);
    RUN(nested_final_ipa_faults);
    RUN(nested_walk_eabt);
    RUN(s2_fetch_cd);
    RUN(nested_s2_cache_seam);
    return t_done();
}
