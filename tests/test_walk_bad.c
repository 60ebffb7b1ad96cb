/* SPDX-License-Identifier: MIT */
/* Walker against hostile tables and configurations: self-referencing
 * tables, tables outside memory or in aborting memory, misaligned
 * pointers, reserved encodings, out-of-range configuration fields, and a
 * deterministic garbage-table sweep checking the read bounds. */
#include "walk_common.h"

/* A level-0 entry pointing back at the level-0 table: for VA 0 every level
 * indexes entry 0, so the walk reads the same descriptor four times and
 * level 3 treats it as a page whose OA is the table itself
 * (the recursive-mapping idiom): OA = root, 4 reads, no loop. */
static void self_reference(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    kit_ptb_set(&p, p.root, p.root | 3 | PTE_AF | FIELD_PREP(PTE_AP, AP_RW));
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x18, RD, &o, &f), 0);
    CHECK_EQ(o.oa, p.root + 0x18);
    CHECK_EQ(o.desc_reads, 4);
    /* without AF on the same word: F_ACCESS at level 3 after 4 reads */
    kit_ptb_set(&p, p.root, p.root | 3);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x18, RD, &o, &f), f, EVT_F_ACCESS, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(o.desc_reads, 4);
    /* a level-2 table pointing back at the level-1 table */
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x0, 0x10000, 0x1000, 3, S1_RW_ALL) == 0);
    uint64_t l2 = kit_ptb_desc_pa(&p, 0, 2);
    kit_ptb_set(&p, l2, p.root | 3);
    c = wt_s1(&p, 25);
    /* level 3 reads root[0] = the table descriptor to the level-2 table:
     * a page at that address */
    uint64_t l2table = l2 & ~UINT64_C(0xfff);
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x0, RD | PRIV, &o, &f), -1);
    CHECK_EQ(f.type, EVT_F_ACCESS);     /* the table descriptor has AF=0 */
    CHECK_EQ(o.desc_reads, 3);
    (void)l2table;
    wt_close(&w);
}

/* Next-level tables outside RAM or in aborting memory: F_WALK_EABT with
 * FetchAddr = the PA read (S2=0 CLASS=TT). */
static void tables_in_bad_memory(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 16) == 0);
    REQUIRE(kit_ptb_map(&p, 0x40201000, 0x10000, 0x1000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 16);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    /* level-1 descriptor -> table at 0x7000_0000 (no memory there). VA
     * 0x4020_1000 has level-2 index 1, so the read is at 0x7000_0008. */
    uint64_t d1 = kit_ptb_desc_pa(&p, 0x40201000, 1);
    uint64_t v1 = kit_ptb_get(&p, d1);
    kit_ptb_set(&p, d1, 0x70000000 | 3);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x40201000, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, 0x70000008);
    CHECK_EQ(o.desc_reads, 3);
    kit_ptb_set(&p, d1, v1);
    /* TTB outside memory */
    c.tt[0].ttb = 0x7fff0000;
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x40201000, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, 0x7fff0000);   /* level-0 index 0 */
    c = wt_s1(&p, 16);
    /* the level-3 table is poisoned */
    uint64_t d3 = kit_ptb_desc_pa(&p, 0x40201000, 3);
    kit_mem_poison(w.m, d3 & ~UINT64_C(0xfff), 0x1000);
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x40201000, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, d3);
    CHECK_EQ(o.desc_reads, 4);
    wt_close(&w);
}

/* Misaligned pointers: table descriptor bits below the granule ([11:2]
 * ignored, [g-1:12] RES0) do not move the next table; TTB bits below the
 * start-table size are treated as zero, for concatenated stage-2 tables
 * too (translation.md §4, §5.2). */
static void misaligned_pointers(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 16, 22) == 0);    /* 64K, level 2 start */
    REQUIRE(kit_ptb_map(&p, 0x30000, 0x70000, 0x10000, 3, S1_RW_ALL) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 22);
    uint64_t d2 = kit_ptb_desc_pa(&p, 0x30000, 2);
    kit_ptb_set(&p, d2, kit_ptb_get(&p, d2) | 0xffc);    /* ignored bits [11:2] */
    c.tt[0].ttb |= 0x38;   /* 42-bit VA at level 2: 8 KiB start table */
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x31234, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x71234);
    wt_close(&w);

    /* stage 2, 16 concatenated level-1 tables (4K, T0SZ=21: 64 KiB start
     * area): TTB + 0x8000 is treated as the 64 KiB-aligned base */
    wt_open(&w);
    REQUIRE(kit_ptb_init_s2(&p, w.m, 12, 1, 21) == 0);
    CHECK_EQ(p.concat, 16);
    CHECK_EQ(p.root & 0xffff, 0);
    REQUIRE(kit_ptb_map(&p, 0x7fc0000000, 0x80000000, 1u << 30, 1, S2_RW) == 0);
    struct vsmmu_s2_cfg c2 = wt_s2(&p, 1, 21);
    c2.ttb |= 0x8000;
    CHECK_EQ(wt_walk(&w, NULL, &c2, 0x7fc0001234, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x80001234);
    CHECK_EQ(o.desc_reads, 1);
    wt_close(&w);
}

/* Configuration fields the decode should have rejected still give a
 * defined result: F_TRANSLATION for impossible geometry, F_ADDR_SIZE for a
 * TTB beyond the output size. */
static void bad_configuration(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x1000, 0x10000, 0x1000, 3, S1_RW_ALL) == 0);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    static const struct { uint8_t g, tsz; } bad[] = { { 13, 25 }, { 0, 25 }, { 12, 60 },
                                                      { 12, 8 }, { 16, 48 }, { 14, 15 } };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct vsmmu_s1_cfg c = wt_s1(&p, 25);
        c.tt[0].granule = bad[i].g;
        c.tt[0].tsz = bad[i].tsz;
        CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                    EVT_CLASS_IN, 0);
        CHECK_EQ(o.desc_reads, 0);
    }
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    c.ips_bits = 20;   /* TTB (>= 16 MiB) beyond a 20-bit output size */
    CHECK_FAULT(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 0, EVT_CLASS_IN, 0);
    c.ips_bits = 200;  /* clamped to 52 */
    CHECK_EQ(wt_walk(&w, &c, NULL, 0x1000, RD, &o, &f), 0);
    struct vsmmu_s2_cfg c2;
    memset(&c2, 0, sizeof(c2));
    c2.ttb = p.root;
    c2.granule = 12;
    c2.t0sz = 200;
    c2.ps_bits = 48;
    CHECK_FAULT(wt_walk(&w, NULL, &c2, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 1, EVT_CLASS_IN,
                0x1000);
    c2.t0sz = 25;
    c2.sl0 = 9;
    CHECK_FAULT(wt_walk(&w, NULL, &c2, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 1, EVT_CLASS_IN,
                0x1000);
    c2.sl0 = 1;
    c2.ps_bits = 20;
    CHECK_FAULT(wt_walk(&w, NULL, &c2, 0x1000, RD, &o, &f), f, EVT_F_ADDR_SIZE, 1, EVT_CLASS_IN,
                0x1000);
    wt_close(&w);
}

/* Reserved stage-2 MemAttr encodings give a defined attribute. */
static void reserved_memattr(void)
{
    uint8_t a, sh;
    vsmmu_attr_combine_s2(0xff, 3, 0x8, 3, false, &a, &sh);   /* 1000: outer WT, inner "00" */
    CHECK_EQ(a, 0xb4);
    vsmmu_attr_combine_s2(0xff, 3, 0x4, 3, false, &a, &sh);   /* 0100: outer NC, inner "00" */
    CHECK_EQ(a, 0x44);
    CHECK_EQ(sh, 2);
    vsmmu_attr_combine_s2(0xff, 1, 0xf, 1, false, &a, &sh);   /* SH=01 reserved: OSH */
    CHECK_EQ(sh, 2);
}

/* Deterministic garbage: a handful of pages filled with random words whose
 * address bits point back into the same pages, walked at random VAs for
 * every granule, stage 1 alone and nested. Any result is acceptable but
 * the read counts are bounded: 4 per stage-1 walk, 4*5+4 nested (plus 4
 * per HTTU update attempt, at most 8+1 attempts). */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void garbage_tables(void)
{
    static const unsigned gs[3] = { 12, 14, 16 };
    for (int gi = 0; gi < 3; gi++) {
        unsigned g = gs[gi];
        uint64_t gsz = UINT64_C(1) << g;
        struct wt w;
        wt_open(&w);
        uint64_t base = kit_mem_alloc(w.m, 8 * gsz, gsz);
        for (uint64_t a = base; a < base + 8 * gsz; a += 8) {
            uint64_t v = rnd();
            /* mostly table/page descriptors into the garbage area */
            if (v & 0x30)
                v = (v & ~(PTE_ADDR | PTE_ADDR_HI)) | (base + (rnd() % 8) * gsz) | 3;
            kit_w64(w.m, a, v);
        }
        unsigned ok = 0, deep = 0;
        for (unsigned it = 0; it < 3000; it++) {
            unsigned tsz = 16 + (unsigned)(rnd() % 30);
            struct vsmmu_s1_cfg c;
            memset(&c, 0, sizeof(c));
            c.tt[0].ttb = base + (rnd() % 8) * gsz;
            c.tt[0].tsz = (uint8_t)tsz;
            c.tt[0].granule = (uint8_t)g;
            c.tt[0].had = rnd() & 1;
            c.tt[1] = c.tt[0];
            c.ips_bits = 48;
            c.ha = rnd() & 1;
            c.hd = c.ha && (rnd() & 1);
            c.pan = rnd() & 1;
            c.wxn = rnd() & 1;
            c.endi = (rnd() & 7) == 0;
            struct vsmmu_s2_cfg s2;
            memset(&s2, 0, sizeof(s2));
            s2.ttb = base + (rnd() % 8) * gsz;
            s2.granule = (uint8_t)g;
            s2.sl0 = 1;
            s2.t0sz = g == 12 ? 25 : g == 14 ? 28 : 22;   /* level-2/1 starts, 39..42-bit */
            if (g == 12)
                s2.sl0 = 1;
            s2.ps_bits = 48;
            s2.ha = rnd() & 1;
            s2.hd = s2.ha && (rnd() & 1);
            s2.ptw = rnd() & 1;
            bool nested = rnd() & 1;
            struct vsmmu_walk_req r;
            memset(&r, 0, sizeof(r));
            bool s2only = nested && (rnd() & 3) == 0;
            r.s1 = s2only ? NULL : &c;
            r.s2 = nested ? &s2 : NULL;
            r.addr = rnd();
            if (rnd() & 1)
                r.addr &= bits_mask_low(64 - tsz);
            r.access = (uint32_t)(rnd() & 0x1f);
            struct vsmmu_walk_out o;
            struct vsmmu_fault f;
            int rc = vsmmu_walk(w.s, &r, &o, &f);
            unsigned bound = s2only ? 4 : nested ? (4 * 5 + 4) + 9 * 4 : 4;
            CHECK_MSG(o.desc_reads <= bound, "g=%u it=%u: %u reads", g, it, o.desc_reads);
            CHECK(rc == 0 || (f.type >= EVT_F_WALK_EABT && f.type <= EVT_F_PERMISSION));
            if (rc == 0)
                CHECK(o.size_log2 >= 12 && o.size_log2 <= 42);
            ok += rc == 0;
            deep += o.desc_reads >= 3;
        }
        /* the sweep reaches both outcomes and multi-level walks */
        CHECK(ok > 0 && ok < 3000);
        CHECK(deep > 100);
        wt_close(&w);
    }
}

int main(void)
{
    RUN(self_reference);
    RUN(tables_in_bad_memory);
    RUN(misaligned_pointers);
    RUN(bad_configuration);
    RUN(reserved_memattr);
    RUN(garbage_tables);
    return t_done();
}
