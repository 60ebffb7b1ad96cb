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

int main(void)
{
    RUN(s1_start_levels);
    RUN(s2_start_levels);
    RUN(s1_4k_page);
    RUN(s1_4k_blocks);
    RUN(s1_ap_basic);
    return t_done();
}
