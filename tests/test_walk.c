/* SPDX-License-Identifier: MIT */
/* Walker: start levels, stage-1 walks for each granule, level and block
 * size, TTB0/TTB1 selection, TBI, EPD, E0PD, address-size checks and
 * descriptor decode. Expected addresses are derived by hand in comments. */
#include "walk_common.h"

/* translation.md §4 / Arm ARM D8-18, D8-28, D8-37. */
static void s1_start_levels(void)
{
    /* 4K: 16-24 L0, 25-33 L1, 34-42 L2, 43-48 L3 */
    CHECK_EQ(vsmmu_s1_start_level(12, 16), 0);
    CHECK_EQ(vsmmu_s1_start_level(12, 24), 0);
    CHECK_EQ(vsmmu_s1_start_level(12, 25), 1);
    CHECK_EQ(vsmmu_s1_start_level(12, 33), 1);
    CHECK_EQ(vsmmu_s1_start_level(12, 34), 2);
    CHECK_EQ(vsmmu_s1_start_level(12, 42), 2);
    CHECK_EQ(vsmmu_s1_start_level(12, 43), 3);
    CHECK_EQ(vsmmu_s1_start_level(12, 48), 3);
    CHECK_EQ(vsmmu_s1_start_level(12, 49), -1);
    CHECK_EQ(vsmmu_s1_start_level(12, 15), -1);   /* 52-bit VA only with 64K */
    /* 16K: 16 L0, 17-27 L1, 28-38 L2, 39-48 L3 */
    CHECK_EQ(vsmmu_s1_start_level(14, 16), 0);
    CHECK_EQ(vsmmu_s1_start_level(14, 17), 1);
    CHECK_EQ(vsmmu_s1_start_level(14, 27), 1);
    CHECK_EQ(vsmmu_s1_start_level(14, 28), 2);
    CHECK_EQ(vsmmu_s1_start_level(14, 38), 2);
    CHECK_EQ(vsmmu_s1_start_level(14, 39), 3);
    CHECK_EQ(vsmmu_s1_start_level(14, 48), 3);
    /* 64K: 12-21 L1, 22-34 L2, 35-47 L3 */
    CHECK_EQ(vsmmu_s1_start_level(16, 12), 1);
    CHECK_EQ(vsmmu_s1_start_level(16, 21), 1);
    CHECK_EQ(vsmmu_s1_start_level(16, 22), 2);
    CHECK_EQ(vsmmu_s1_start_level(16, 34), 2);
    CHECK_EQ(vsmmu_s1_start_level(16, 35), 3);
    CHECK_EQ(vsmmu_s1_start_level(16, 47), 3);
    CHECK_EQ(vsmmu_s1_start_level(16, 48), -1);
    CHECK_EQ(vsmmu_s1_start_level(13, 25), -1);
}

/* translation.md §5.2 / Arm ARM D8-21..D8-41 (DS=0). */
static void s2_start_levels(void)
{
    unsigned n = 0;
    /* 4K SL0=10 -> L0, T0SZ 16..24, no concatenation */
    CHECK_EQ(vsmmu_s2_start_level(12, 2, 16, 48, &n), 0); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(12, 2, 24, 48, &n), 0);
    CHECK_EQ(vsmmu_s2_start_level(12, 2, 25, 48, &n), -1);
    CHECK_EQ(vsmmu_s2_start_level(12, 2, 15, 48, &n), -1);
    /* 4K SL0=01 -> L1: 25..33 single, 24/23/22/21 -> 2/4/8/16 tables */
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 25, 48, &n), 1); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 33, 48, &n), 1); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 24, 48, &n), 1); CHECK_EQ(n, 2);
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 21, 48, &n), 1); CHECK_EQ(n, 16);
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 20, 48, &n), -1);
    CHECK_EQ(vsmmu_s2_start_level(12, 1, 34, 48, &n), -1);
    /* 4K SL0=00 -> L2: 34..42 single, 30 -> 16 */
    CHECK_EQ(vsmmu_s2_start_level(12, 0, 34, 48, &n), 2); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(12, 0, 30, 48, &n), 2); CHECK_EQ(n, 16);
    /* 4K SL0=11 -> L3 (STT): 43..48 single, 39 -> 16 */
    CHECK_EQ(vsmmu_s2_start_level(12, 3, 48, 48, &n), 3); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(12, 3, 39, 48, &n), 3); CHECK_EQ(n, 16);
    /* 16K SL0=10 -> L1: 17..27, 16 -> 2 tables */
    CHECK_EQ(vsmmu_s2_start_level(14, 2, 17, 48, &n), 1); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(14, 2, 16, 48, &n), 1); CHECK_EQ(n, 2);
    CHECK_EQ(vsmmu_s2_start_level(14, 3, 16, 48, &n), -1);   /* L0 needs DS */
    /* 16K SL0=01 -> L2: 28..38, 24 -> 16 */
    CHECK_EQ(vsmmu_s2_start_level(14, 1, 28, 48, &n), 2); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(14, 1, 24, 48, &n), 2); CHECK_EQ(n, 16);
    /* 16K SL0=00 -> L3: 39..48, 35 -> 16 */
    CHECK_EQ(vsmmu_s2_start_level(14, 0, 39, 48, &n), 3); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(14, 0, 35, 48, &n), 3); CHECK_EQ(n, 16);
    /* 64K SL0=10 -> L1: 16..21 (12..15 with 52-bit), no concatenation */
    CHECK_EQ(vsmmu_s2_start_level(16, 2, 16, 48, &n), 1); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(16, 2, 12, 48, &n), -1);
    CHECK_EQ(vsmmu_s2_start_level(16, 2, 12, 52, &n), 1); CHECK_EQ(n, 1);
    /* 64K SL0=01 -> L2: 22..34, 18 -> 16; SL0=00 -> L3: 35..47, 31 -> 16 */
    CHECK_EQ(vsmmu_s2_start_level(16, 1, 22, 48, &n), 2); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(16, 1, 18, 48, &n), 2); CHECK_EQ(n, 16);
    CHECK_EQ(vsmmu_s2_start_level(16, 0, 31, 48, &n), 3); CHECK_EQ(n, 16);
    CHECK_EQ(vsmmu_s2_start_level(16, 0, 47, 48, &n), 3); CHECK_EQ(n, 1);
    CHECK_EQ(vsmmu_s2_start_level(16, 3, 30, 48, &n), -1);
}

/* 4K, T0SZ=16 (48-bit VA, start level 0). VA 0x0000_1234_5678_9abc:
 * 4K page at VA 0x123456789000 -> PA 0x8_0000_0000: OA = 0x8_0000_0abc.
 * Reads: one descriptor per level 0..3 = 4. */
static void s1_4k_page(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    CHECK_EQ(p.sl, 0);
    REQUIRE(kit_ptb_map(&p, 0x123456789000, 0x800000000, 0x1000, 3, S1_RW_PRIV) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x123456789abc, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.oa, 0x800000abc);
    CHECK_EQ(o.size_log2, 12);
    CHECK_EQ(o.level, 3);
    CHECK_EQ(o.desc_reads, 4);
    CHECK_EQ(o.memattr, 0xff);
    CHECK_EQ(o.sh, 3);
    CHECK_EQ(o.global, 1);
    /* AP=00: privileged RW; PXN=0 and not EL0-writable -> privileged X;
     * no unprivileged access; UXN=0 -> unprivileged X (execute-only). */
    CHECK_EQ(o.perm, VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X | (VSMMU_PERM_X << 3));
    /* a neighbouring page is not mapped: the level-3 entry is 0 */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x12345678a000, RD | PRIV, &o, &f), f,
                EVT_F_TRANSLATION, 0, EVT_CLASS_IN, 0);
    wt_close(&w);
}

static void s1_4k_blocks(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    /* 1 GiB block at level 1: VA 0x40000000 -> PA 0x1_c000_0000;
     * VA 0x4123_4567 -> 0x1_c123_4567; reads L0, L1 = 2 */
    REQUIRE(kit_ptb_map(&p, 0x40000000, 0x1c0000000, 1u << 30, 1, S1_RW_PRIV) == 0);
    /* 2 MiB block at level 2: VA 0x8060_0000 -> PA 0x2_0000_0000 */
    REQUIRE(kit_ptb_map(&p, 0x80600000, 0x200000000, 2u << 20, 2, S1_RW_PRIV) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x41234567, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.oa, 0x1c1234567);
    CHECK_EQ(o.size_log2, 30);
    CHECK_EQ(o.level, 1);
    CHECK_EQ(o.desc_reads, 2);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x806fffff, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.oa, 0x2000fffff);
    CHECK_EQ(o.size_log2, 21);
    CHECK_EQ(o.level, 2);
    CHECK_EQ(o.desc_reads, 3);
    /* a block descriptor at level 0 (4K, DS=0) is invalid */
    uint64_t d0 = kit_ptb_desc_pa(&p, 0x8000000000, 0);
    kit_ptb_set(&p, d0, 0x0 | PTE_VALID | S1_RW_PRIV);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x8000001000, RD | PRIV, &o, &f), f,
                EVT_F_TRANSLATION, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 1);
    wt_close(&w);
}

/* Basic AP[2:1] checks (Arm ARM D8.4.1, translation.md §7.1). */
static void s1_ap_basic(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);   /* 39-bit VA, level 1 */
    CHECK_EQ(p.sl, 1);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3, S1_RW_PRIV) == 0);
    REQUIRE(kit_ptb_map(&p, 0x2000, 0x20000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&p, 0x3000, 0x30000, 0x1000, 3, S1_RO_PRIV) == 0);
    REQUIRE(kit_ptb_map(&p, 0x4000, 0x40000, 0x1000, 3, S1_RO_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    /* AP=00: priv RW, unpriv none */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD | PRIV, &o, &f), 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, WR | PRIV, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, WR, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    /* AP=01: RW both */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2000, RD, &o, &f), 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2000, WR, &o, &f), 0);
    CHECK_EQ(o.oa, 0x20000);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2000, WR | PRIV, &o, &f), 0);
    /* AP=10: priv RO */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x3000, RD | PRIV, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x3000, WR | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x3000, RD, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    /* AP=11: RO both */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x4000, RD, &o, &f), 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x4000, RD | PRIV, &o, &f), 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x4000, WR, &o, &f), f, EVT_F_PERMISSION, 0, EVT_CLASS_IN, 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x4000, WR | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    /* VA above 2^39 in TTB0: translation fault before any read */
    CHECK_FAULT(wt_walk(&w, &c, NULL, UINT64_C(1) << 39, RD | PRIV, &o, &f), f,
                EVT_F_TRANSLATION, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 0);
    wt_close(&w);
}


/* Leaf size per granule and level (Arm ARM D8.2, translation.md §1):
 * 4K: L1 1G (30), L2 2M (21), L3 4K (12); 16K: L2 32M (25), L3 16K (14);
 * 64K: L2 512M (29), L3 64K (16). 0 = no block at that level (DS=0). */
static unsigned leaf_log2(unsigned g, int level)
{
    static const unsigned t4[4] = { 0, 30, 21, 12 }, t16[4] = { 0, 0, 25, 14 },
                          t64[4] = { 0, 0, 29, 16 };
    return g == 12 ? t4[level] : g == 14 ? t16[level] : t64[level];
}

struct geo { unsigned g, tsz; int sl; };
/* Start levels by hand from translation.md §4. */
static const struct geo s1_geos[] = {
    { 12, 16, 0 }, { 12, 25, 1 }, { 12, 34, 2 }, { 12, 43, 3 }, { 12, 20, 0 }, { 12, 30, 1 },
    { 14, 16, 0 }, { 14, 17, 1 }, { 14, 28, 2 }, { 14, 39, 3 }, { 14, 22, 1 },
    { 16, 16, 1 }, { 16, 22, 2 }, { 16, 35, 3 }, { 16, 40, 3 },
};

/* Every granule x start level x leaf level, through TTB0 and TTB1.
 * Input: the highest leaf-aligned block of the range, so every index of
 * the walk is non-zero; output 0x5_0000_0000 (aligned to every block size
 * up to 1G). For VA = in + off: OA = 0x5_0000_0000 + off; reads =
 * leaf level - start level + 1. */
static void s1_geometry_sweep(void)
{
    for (size_t i = 0; i < sizeof(s1_geos) / sizeof(s1_geos[0]); i++) {
        const struct geo *ge = &s1_geos[i];
        for (int half = 0; half < 2; half++) {
            for (int lvl = ge->sl; lvl <= 3; lvl++) {
                unsigned bl = leaf_log2(ge->g, lvl);
                unsigned ias = 64 - ge->tsz;
                if (!bl || bl >= ias)
                    continue;
                struct wt w;
                wt_open(&w);
                struct kit_ptb p;
                REQUIRE(kit_ptb_init_s1(&p, w.m, ge->g, ge->tsz) == 0);
                CHECK_EQ(p.sl, ge->sl);
                uint64_t bs = UINT64_C(1) << bl;
                uint64_t in = (UINT64_C(1) << ias) - bs;
                REQUIRE(kit_ptb_map(&p, in, 0x500000000, bs, lvl, S1_RW_ALL) == 0);
                struct vsmmu_s1_cfg c = wt_s1(&p, ge->tsz);
                uint64_t va = in;
                if (half) {
                    c.tt[1] = c.tt[0];
                    c.tt[0].epd = true;
                    c.tt[1].epd = false;
                    va |= ~UINT64_C(0) << ias;      /* upper range: VA[63:ias] all ones */
                }
                uint64_t off = (bs >> 1) | 0x128;
                struct vsmmu_walk_out o;
                struct vsmmu_fault f;
                int rc = wt_walk(&w, &c, NULL, va + off, RD, &o, &f);
                CHECK_MSG(rc == 0, "g=%u tsz=%u half=%d level=%d: fault %u", ge->g, ge->tsz,
                          half, lvl, f.type);
                CHECK_EQ(o.oa, 0x500000000 + off);
                CHECK_EQ(o.size_log2, bl);
                CHECK_EQ(o.level, lvl);
                CHECK_EQ(o.desc_reads, (unsigned)(lvl - ge->sl + 1));
                /* the other half is disabled: EPD -> F_TRANSLATION, no read */
                uint64_t other = half ? in + off : (va + off) | (~UINT64_C(0) << ias);
                CHECK_FAULT(wt_walk(&w, &c, NULL, other, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                            EVT_CLASS_IN, 0);
                CHECK_EQ(o.desc_reads, 0);
                wt_close(&w);
            }
        }
    }
}

/* Blocks where DS=0 forbids them: 4K level 0, 16K level 1, 64K level 1
 * without 52-bit OA -> F_TRANSLATION at that level. */
static void s1_blocks_not_allowed(void)
{
    static const struct { unsigned g, tsz; int level; } cases[] = {
        { 12, 16, 0 }, { 14, 17, 1 }, { 16, 16, 1 },
    };
    for (size_t i = 0; i < 3; i++) {
        struct wt w;
        wt_open(&w);
        struct kit_ptb p;
        REQUIRE(kit_ptb_init_s1(&p, w.m, cases[i].g, cases[i].tsz) == 0);
        REQUIRE(kit_ptb_map(&p, 0, 0, UINT64_C(1) << cases[i].g, 3, S1_RW_ALL) == 0);
        uint64_t d = kit_ptb_desc_pa(&p, 0, cases[i].level);
        REQUIRE(d);
        kit_ptb_set(&p, d, PTE_VALID | S1_RW_ALL);    /* block, OA 0 */
        struct vsmmu_s1_cfg c = wt_s1(&p, cases[i].tsz);
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        CHECK_FAULT(wt_walk(&w, &c, NULL, 0x10, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                    EVT_CLASS_IN, 0);
        CHECK_EQ(o.desc_reads, (unsigned)(cases[i].level - p.sl + 1));
        wt_close(&w);
    }
}

/* 52-bit OA with the 64K granule (SMMUv3.1-LPA): OA[51:48] in descriptor
 * bits [15:12], 4 TB blocks at level 1, 52-bit VA with T0SZ=12. */
static void s1_64k_52bit(void)
{
    struct vsmmu_config cf;
    vsmmu_config_default(&cf);
    cf.oas_bits = 52;
    struct wt w;
    wt_open_cfg(&w, &cf);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 16, 12) == 0);
    p.oa52 = true;
    CHECK_EQ(p.sl, 1);
    /* 4 TB block: VA 0x000f_c000_0000_0000 -> PA 0x000a_0000_0000_0000 */
    REQUIRE(kit_ptb_map(&p, 0x000fc00000000000, 0x000a000000000000, UINT64_C(1) << 42, 1,
                        S1_RW_ALL) == 0);
    /* 64K page: VA 0x10000 -> PA 0x0008_0000_1234_0000 */
    REQUIRE(kit_ptb_map(&p, 0x10000, 0x0008000012340000, 0x10000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 12);
    c.ips_bits = 52;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x000fc12345678abc, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x000a012345678abc);
    CHECK_EQ(o.size_log2, 42);
    CHECK_EQ(o.desc_reads, 1);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1fedc, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x000800001234fedc);
    CHECK_EQ(o.desc_reads, 3);
    /* the level-3 descriptor of VA 0x10000 holds OA[51:48]=8 in bits [15:12] */
    CHECK_EQ(kit_ptb_get(&p, kit_ptb_desc_pa(&p, 0x10000, 3)) & PTE_ADDR_HI, UINT64_C(8) << 12);
    /* a next-level table above 2^48: move the level-3 table to PA
     * 0x0001_0000_0000_0000 and point the level-2 descriptor at it with
     * NLTA[51:48]=1 in bits [15:12] */
    REQUIRE(kit_mem_add(w.m, 0x0001000000000000, 0x10000) == 0);
    uint64_t d2 = kit_ptb_desc_pa(&p, 0x10000, 2);
    uint64_t old = kit_ptb_get(&p, d2);
    uint64_t l3 = old & PTE_ADDR & ~UINT64_C(0xffff);
    memcpy(kit_mem_ptr(w.m, 0x0001000000000000, 0x10000), kit_mem_ptr(w.m, l3, 0x10000), 0x10000);
    kit_ptb_set(&p, d2, (UINT64_C(1) << 12) | 3);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1fedc, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x000800001234fedc);
    /* with IPS 48 the same tables give F_ADDR_SIZE (table address >= 2^48);
     * the 4 TB block's OA 0x000a... too */
    c.ips_bits = 48;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1fedc, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 2);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x000fc12345678abc, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0,
                EVT_CLASS_IN, 0);
    wt_close(&w);

    /* Without 52-bit OA: 64K descriptor bits [15:12] non-zero give
     * F_ADDR_SIZE (the IMPLEMENTATION DEFINED choice of Arm ARM D8.15
     * R_WDZFC), and a level-1 block is invalid. */
    wt_open(&w);
    REQUIRE(kit_ptb_init_s1(&p, w.m, 16, 16) == 0);
    REQUIRE(kit_ptb_map(&p, 0x10000, 0x20000, 0x10000, 3, S1_RW_ALL) == 0);
    c = wt_s1(&p, 16);
    uint64_t d3 = kit_ptb_desc_pa(&p, 0x10000, 3);
    kit_ptb_set(&p, d3, kit_ptb_get(&p, d3) | (UINT64_C(1) << 12));
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x10000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0, EVT_CLASS_IN, 0);
    wt_close(&w);
}

/* IPS: output and next-level table addresses >= 2^IPS fault with
 * F_ADDR_SIZE (translation.md §6 row 6), at the level of the descriptor. */
static void s1_ips(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000000000, 0x1000, 3, S1_RW_ALL) == 0);  /* 2^40 */
    REQUIRE(kit_ptb_map(&p, 0x2000, 0x0ffffff000, 0x1000, 3, S1_RW_ALL) == 0);   /* 2^40-4K */
    REQUIRE(kit_ptb_map(&p, 0x40000000, 0x10000000000, 1u << 30, 1, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    c.ips_bits = 40;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 4);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x2fff, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x0fffffffff);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x40000000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 2);
    c.ips_bits = 44;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1008, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x10000000008);
    /* level-0 table descriptor pointing at 2^44: fault after one read */
    uint64_t d0 = kit_ptb_desc_pa(&p, 0x1000, 0);
    kit_ptb_set(&p, d0, 0x100000000000 | 3);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 1);
    wt_close(&w);
}

/* TBI: the top byte is ignored for the range check; the output never
 * contains it (translation.md §3). EPD and E0PD. */
static void s1_tbi_epd_e0pd(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p0, p1;
    REQUIRE(kit_ptb_init_s1(&p0, w.m, 12, 16) == 0);
    REQUIRE(kit_ptb_init_s1(&p1, w.m, 12, 16) == 0);
    REQUIRE(kit_ptb_map(&p0, 0x1000, 0x7000, 0x1000, 3, S1_RW_ALL) == 0);
    /* TTB1, 48-bit: VA 0xffff_ffff_ffff_f000 has walk input 0xffff_ffff_f000 */
    REQUIRE(kit_ptb_map(&p1, 0xfffffffff000, 0x9000, 0x1000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p0, 16);
    c.tt[1] = c.tt[0];
    c.tt[1].ttb = kit_ptb_ttb(&p1);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0xfffffffffffff010, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x9010);
    /* tagged addresses without TBI: F_TRANSLATION */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x5a00000000001000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x12fffffffffff010, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    /* VA[55]=0 but VA[54:48] non-zero: outside TTB0's range even with TBI */
    c.tt[0].tbi = c.tt[1].tbi = true;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x0001000000001000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x5a00000000001234, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x7234);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x12fffffffffff010, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x9010);
    /* EPD1: the upper half faults without a read */
    c.tt[1].epd = true;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0xfffffffffffff010, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 0);
    /* E0PD0: unprivileged accesses through TTB0 fault, privileged ones not */
    c.tt[0].e0pd = true;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD | PRIV, &o, &f), 0);
    wt_close(&w);
}

/* Descriptor decode: invalid at each level, level-3 reserved (bit1=0),
 * big-endian tables, TTB and NLTA low bits ignored. */
static void s1_decode(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x7000, 0x1000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    for (int l = 0; l <= 3; l++) {
        uint64_t d = kit_ptb_desc_pa(&p, 0x1000, l);
        uint64_t v = kit_ptb_get(&p, d);
        kit_ptb_set(&p, d, v & ~PTE_VALID);   /* bit 0 clear: invalid */
        CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                    EVT_CLASS_IN, 0);
        CHECK_EQ(o.desc_reads, (unsigned)l + 1);
        kit_ptb_set(&p, d, v);
    }
    uint64_t d3 = kit_ptb_desc_pa(&p, 0x1000, 3);
    uint64_t v3 = kit_ptb_get(&p, d3);
    kit_ptb_set(&p, d3, v3 & ~PTE_TYPE);      /* level 3, 0b01: reserved */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 0, EVT_CLASS_IN, 0);
    kit_ptb_set(&p, d3, v3);
    /* TTB low bits below the start table size are ignored (4K L0 table:
     * 512 entries, 4 KiB) */
    c.tt[0].ttb |= 0xff8;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x7000);
    wt_close(&w);

    /* big-endian tables */
    wt_open(&w);
    REQUIRE(kit_ptb_init_s1(&p, w.m, 14, 28) == 0);
    p.be = true;
    REQUIRE(kit_ptb_map(&p, 0x4000, 0x123450000, 0x4000, 3, S1_RW_ALL) == 0);
    c = wt_s1(&p, 28);
    c.endi = true;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x4567, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x123450567);
    /* the same memory read little-endian is garbage: bit 0 of the
     * byte-swapped table descriptor is 0 -> F_TRANSLATION */
    c.endi = false;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x4567, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    wt_close(&w);

    /* 16K: NLTA bits [13:12] are RES0 and ignored */
    wt_open(&w);
    REQUIRE(kit_ptb_init_s1(&p, w.m, 14, 17) == 0);
    REQUIRE(kit_ptb_map(&p, 0x8000, 0x40000, 0x4000, 3, S1_RW_ALL) == 0);
    c = wt_s1(&p, 17);
    uint64_t d2 = kit_ptb_desc_pa(&p, 0x8000, 2);
    kit_ptb_set(&p, d2, kit_ptb_get(&p, d2) | 0x3000);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x8010, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x40010);
    wt_close(&w);
}


/* kit/ptb: automatic leaf sizes and unmap. 4K, T0SZ=25: mapping 1G+2M+4K
 * at 0x4000_0000 -> 0x1_0000_0000 (all 1G-aligned) gives a 1G block, then
 * a 2M block, then a 4K page. */
static void ptb_auto_and_unmap(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x40000000, 0x100000000, (1u << 30) + (2u << 20) + 0x1000, -1,
                        S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x7fffffff, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x13fffffff);
    CHECK_EQ(o.size_log2, 30);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x80100000, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x140100000);
    CHECK_EQ(o.size_log2, 21);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x80200ff8, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x140200ff8);
    CHECK_EQ(o.size_log2, 12);
    /* misaligned or out-of-range requests are refused */
    CHECK_EQ(kit_ptb_map(&p, 0x800, 0, 0x1000, 3, 0), -1);
    CHECK_EQ(kit_ptb_map(&p, UINT64_C(1) << 39, 0, 0x1000, 3, 0), -1);
    CHECK_EQ(kit_ptb_map(&p, 0, 0, 0x1000, 0, 0), -1);     /* level 0 < start level */
    /* unmap the 2M block: the walk faults at level 2 */
    kit_ptb_unmap(&p, 0x80000000, 2u << 20);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x80100000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 2);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x80200000, RD, &o, &f), 0);
    /* remapping part of the 1G block with pages splits it into a table */
    REQUIRE(kit_ptb_map(&p, 0x40000000, 0x200000000, 0x1000, 3, S1_RW_ALL) == 0);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x40000010, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x200000010);
    CHECK_EQ(o.desc_reads, 3);
    wt_close(&w);
}

/* VSMMU_TR_DESC records: a0 = descriptor PA, a1 = stage, a2 = level,
 * a3 = walk input, raw[0] = descriptor; stats count walks and reads. */
struct rec { uint64_t a0, a1, a2, a3, raw; };
struct recs { unsigned n; struct rec r[8]; };
static void rec_fn(void *opaque, const struct vsmmu_trace_rec *t)
{
    struct recs *rs = opaque;
    if (t->kind == VSMMU_TR_DESC && rs->n < 8)
        rs->r[rs->n++] = (struct rec){ t->a0, t->a1, t->a2, t->a3, t->raw[0] };
}

static void trace_and_stats(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x40201000, 0x10000, 0x1000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    struct recs rs = { 0 };
    vsmmu_set_trace(w.s, rec_fn, &rs);
    struct vsmmu_stats s0, s1;
    vsmmu_get_stats(w.s, &s0);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x40201234, RD, &o, &f), 0);
    vsmmu_get_stats(w.s, &s1);
    CHECK_EQ(s1.walks - s0.walks, 1);
    CHECK_EQ(s1.desc_reads - s0.desc_reads, 3);
    REQUIRE(rs.n == 3);
    /* VA 0x4020_1234: L1 index 1, L2 index 1, L3 index 1 */
    CHECK_EQ(rs.r[0].a0, p.root + 8);
    CHECK_EQ(rs.r[0].a1, 1);
    CHECK_EQ(rs.r[0].a2, 1);
    CHECK_EQ(rs.r[0].a3, 0x40201234);
    CHECK_EQ(rs.r[0].raw, kit_ptb_get(&p, p.root + 8));
    CHECK_EQ(rs.r[1].a0, kit_ptb_desc_pa(&p, 0x40201234, 2));
    CHECK_EQ(rs.r[1].a2, 2);
    CHECK_EQ(rs.r[2].a0, kit_ptb_desc_pa(&p, 0x40201234, 3));
    CHECK_EQ(rs.r[2].a2, 3);
    CHECK_EQ(rs.r[2].raw, 0x10000 | S1_RW_ALL | 3);
    vsmmu_set_trace(w.s, NULL, NULL);
    wt_close(&w);
}

int main(void)
{
    RUN(s1_start_levels);
    RUN(s2_start_levels);
    RUN(s1_4k_page);
    RUN(s1_4k_blocks);
    RUN(s1_ap_basic);
    RUN(s1_geometry_sweep);
    RUN(s1_blocks_not_allowed);
    RUN(s1_64k_52bit);
    RUN(s1_ips);
    RUN(s1_tbi_epd_e0pd);
    RUN(s1_decode);
    RUN(ptb_auto_and_unmap);
    RUN(trace_and_stats);
    return t_done();
}
