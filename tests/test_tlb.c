/* SPDX-License-Identifier: MIT */
/* Translation cache (src/tlb.c) through the tlb.h contract: lookup of pages
 * and blocks, replacement, and the scope of every TLBI command (what goes,
 * what stays), block entries hit by partial ranges, TTL/TG hints, nested
 * entries under S2_IPA, the insertion race guard. Scopes follow IHI0070 4.4
 * (commands.md "CMD_TLBI_*"). */
#include "test.h"
#include "mem.h"
#include "internal.h"
#include "walk.h"

#define K4   UINT64_C(0x1000)
#define M2   UINT64_C(0x200000)
#define G1   UINT64_C(0x40000000)

static struct kit_mem *g_mem;

static struct vsmmu *mk_cap(uint32_t tlb_entries, bool s2p)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.tlb_entries = tlb_entries;
    c.s2p = s2p;
    if (!s2p)
        c.hyp = c.vmw = c.vmid16 = false;  /* config rules: need stage 2 */
    g_mem = kit_mem_new();
    kit_mem_add(g_mem, 0, 1 << 16);
    struct vsmmu_host_ops ops;
    kit_mem_ops(g_mem, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    if (vsmmu_create(&c, &ops, &s, err, sizeof(err)))
        fprintf(stderr, "create: %s\n", err);
    return s;
}

static struct vsmmu *mk(void) { return mk_cap(1024, true); }

static void done(struct vsmmu *s)
{
    vsmmu_destroy(s);
    kit_mem_free(g_mem);
}

static struct vsmmu_tlb_key s1key(uint16_t vmid, uint16_t asid)
{
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S1, .world = VSMMU_WORLD_NS_EL1,
                               .vmid = vmid, .asid = asid };
    return k;
}

static struct vsmmu_tlb_key nkey(uint16_t vmid, uint16_t asid)
{
    struct vsmmu_tlb_key k = s1key(vmid, asid);
    k.s2_valid = true;
    return k;
}

static struct vsmmu_tlb_key s2key(uint16_t vmid)
{
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S2, .vmid = vmid };
    return k;
}

static struct vsmmu_tlb_key el2key(unsigned world, uint16_t asid)
{
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S1, .world = (uint8_t)world, .asid = asid };
    return k;
}

/* A 4K-granule leaf: level from size (4K: 3, 2M: 2, 1G: 1). */
static void ins(struct vsmmu *s, struct vsmmu_tlb_key k, uint64_t va, uint64_t pa,
                unsigned size_log2, bool global)
{
    struct vsmmu_tlb_ent e = {
        .in_base = va, .out_base = pa, .size_log2 = (uint8_t)size_log2,
        .level = (uint8_t)(size_log2 == 12 ? 3 : size_log2 == 21 ? 2 : 1),
        .perm = 0x3f, .memattr = 0xff, .sh = 3, .global = global, .granule_log2 = 12,
    };
    vsmmu_tlb_insert(s, &k, &e);
}

static bool hit(struct vsmmu *s, struct vsmmu_tlb_key k, uint64_t va)
{
    struct vsmmu_tlb_ent e;
    return vsmmu_tlb_lookup(s, &k, va, &e);
}

static uint64_t oa(struct vsmmu *s, struct vsmmu_tlb_key k, uint64_t va)
{
    struct vsmmu_tlb_ent e;
    if (!vsmmu_tlb_lookup(s, &k, va, &e))
        return ~UINT64_C(0);
    return e.out_base + (va - e.in_base);
}

static void tlbi(struct vsmmu *s, enum vsmmu_tlbi_op op, uint16_t vmid, uint16_t asid,
                 uint64_t addr, uint64_t size)
{
    struct vsmmu_tlbi t = { .op = op, .vmid = vmid, .asid = asid, .addr = addr, .size = size };
    vsmmu_tlb_invalidate(s, &t);
}

/* ---- lookup ----------------------------------------------------------------------- */

static void page_hit_and_neighbours(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    ins(s, s1key(1, 1), 0x12345000, 0x80045000, 12, false);
    /* the page's every byte hits and maps linearly */
    CHECK_EQ(oa(s, s1key(1, 1), 0x12345000), 0x80045000);
    CHECK_EQ(oa(s, s1key(1, 1), 0x12345abc), 0x80045abc);
    CHECK_EQ(oa(s, s1key(1, 1), 0x12345fff), 0x80045fff);
    /* neighbours, other ASID, other VMID, nested and EL2 tags miss */
    CHECK(!hit(s, s1key(1, 1), 0x12344fff));
    CHECK(!hit(s, s1key(1, 1), 0x12346000));
    CHECK(!hit(s, s1key(1, 2), 0x12345000));
    CHECK(!hit(s, s1key(2, 1), 0x12345000));
    CHECK(!hit(s, nkey(1, 1), 0x12345000));
    CHECK(!hit(s, el2key(VSMMU_WORLD_EL2_E2H, 1), 0x12345000));
    CHECK(!hit(s, s2key(1), 0x12345000));
    /* a different 1 GiB region with the same low bits */
    CHECK(!hit(s, s1key(1, 1), 0x12345000 + 4 * G1));
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.tlb_hits, 3);
    CHECK_EQ(st.tlb_misses, 8);
    done(s);
}

static void entry_fields_round_trip(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = nkey(3, 4);
    struct vsmmu_tlb_ent e = { .in_base = 0x7000, .out_base = 0x99000, .size_log2 = 12,
                               .level = 3, .perm = 0x15, .memattr = 0x44, .sh = 2,
                               .global = false, .granule_log2 = 12, .s1_size_log2 = 21,
                               .s2_size_log2 = 12, .ipa = 0x5555000 };
    vsmmu_tlb_insert(s, &k, &e);
    struct vsmmu_tlb_ent o;
    REQUIRE(vsmmu_tlb_lookup(s, &k, 0x7010, &o));
    CHECK_EQ(o.in_base, 0x7000);
    CHECK_EQ(o.out_base, 0x99000);
    CHECK_EQ(o.size_log2, 12);
    CHECK_EQ(o.level, 3);
    CHECK_EQ(o.perm, 0x15);
    CHECK_EQ(o.memattr, 0x44);
    CHECK_EQ(o.sh, 2);
    CHECK_EQ(o.global, 0);
    CHECK_EQ(o.granule_log2, 12);
    CHECK_EQ(o.s1_size_log2, 21);
    CHECK_EQ(o.ipa, 0x5555000);
    done(s);
}

static void blocks_are_one_entry(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    ins(s, s1key(0, 1), 0x40000000, 0x1c0000000, 30, false);     /* 1 GiB at 1 GiB */
    ins(s, s1key(0, 1), 0x80200000, 0x900000000, 21, false);     /* 2 MiB */
    CHECK_EQ(vsmmu_tlb_count(s), 2);
    /* any address inside the block hits; out = base + offset */
    CHECK_EQ(oa(s, s1key(0, 1), 0x40000000), 0x1c0000000);
    CHECK_EQ(oa(s, s1key(0, 1), 0x7fffffff), 0x1ffffffff);
    CHECK_EQ(oa(s, s1key(0, 1), 0x5a5a5000), 0x1da5a5000);
    CHECK_EQ(oa(s, s1key(0, 1), 0x803fffff), 0x9001fffff);
    CHECK(!hit(s, s1key(0, 1), 0x80000000));
    CHECK(!hit(s, s1key(0, 1), 0x80400000));
    CHECK(!hit(s, s1key(0, 1), 0x3fffffff));
    /* an unaligned in_base is aligned down to the block */
    ins(s, s1key(0, 1), 0x80601234, 0xa00601234, 21, false);
    CHECK_EQ(oa(s, s1key(0, 1), 0x80600000), 0xa00600000);
    done(s);
}

static void other_granules(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 9);
    /* 16K page (4 slots of 4K), 64K page (16), 32M block (16 slots of 2M),
     * 512M block (256 slots). */
    struct vsmmu_tlb_ent e16 = { .in_base = 0x10004000, .out_base = 0x4000, .size_log2 = 14,
                                 .level = 3, .perm = 1, .granule_log2 = 14 };
    struct vsmmu_tlb_ent e64 = { .in_base = 0x20010000, .out_base = 0x10000, .size_log2 = 16,
                                 .level = 3, .perm = 1, .granule_log2 = 16 };
    struct vsmmu_tlb_ent e32m = { .in_base = 0x42000000, .out_base = 0x2000000, .size_log2 = 25,
                                  .level = 2, .perm = 1, .granule_log2 = 14 };
    struct vsmmu_tlb_ent e512m = { .in_base = 0x1a0000000, .out_base = 0x20000000,
                                   .size_log2 = 29, .level = 2, .perm = 1, .granule_log2 = 16 };
    vsmmu_tlb_insert(s, &k, &e16);
    vsmmu_tlb_insert(s, &k, &e64);
    vsmmu_tlb_insert(s, &k, &e32m);
    vsmmu_tlb_insert(s, &k, &e512m);
    CHECK_EQ(oa(s, k, 0x10007fff), 0x7fff);
    CHECK(!hit(s, k, 0x10008000));
    CHECK(!hit(s, k, 0x10003fff));
    CHECK_EQ(oa(s, k, 0x2001ffff), 0x1ffff);
    CHECK(!hit(s, k, 0x20020000));
    CHECK_EQ(oa(s, k, 0x43ffffff), 0x3ffffff);
    CHECK(!hit(s, k, 0x44000000));
    CHECK_EQ(oa(s, k, 0x1bfffffff), 0x3fffffff);
    CHECK(!hit(s, k, 0x19fffffff));
    /* one page TLBI inside each removes the whole replicated entry */
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 9, 0x43fff000, K4);
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 9, 0x2001f000, K4);
    CHECK(!hit(s, k, 0x42000000));
    CHECK(!hit(s, k, 0x43ffffff));
    CHECK(!hit(s, k, 0x20010000));
    CHECK(hit(s, k, 0x10004000));
    CHECK(hit(s, k, 0x1a0000000));
    CHECK_EQ(vsmmu_tlb_count(s), 2);
    done(s);
}

static void larger_than_1g_not_cached(void)
{
    /* Implementation choice (docs/architecture.md): mappings above 1 GiB
     * (16K/64K level-1 blocks) are not cached; translations stay exact. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    struct vsmmu_tlb_ent e = { .in_base = 0, .out_base = 0, .size_log2 = 36, .level = 1 };
    vsmmu_tlb_insert(s, &k, &e);
    CHECK(!hit(s, k, 0x1000));
    CHECK_EQ(vsmmu_tlb_count(s), 0);
    done(s);
}

static void insert_replaces_overlaps(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    ins(s, k, 0x200000, 0xa000, 12, false);
    ins(s, k, 0x201000, 0xb000, 12, false);
    ins(s, k, 0x200000, 0x40000000, 21, false);     /* block over both pages */
    CHECK_EQ(vsmmu_tlb_count(s), 1);
    CHECK_EQ(oa(s, k, 0x201000), 0x40001000);
    ins(s, k, 0x200000, 0xc000, 12, false);         /* page inside the block */
    CHECK_EQ(vsmmu_tlb_count(s), 1);
    CHECK_EQ(oa(s, k, 0x200000), 0xc000);
    CHECK(!hit(s, k, 0x201000));
    ins(s, k, 0x0, 0x80000000, 30, false);          /* GiB over the page */
    CHECK_EQ(vsmmu_tlb_count(s), 1);
    CHECK_EQ(oa(s, k, 0x201000), 0x80201000);
    /* same key twice: one entry, the newer translation */
    ins(s, k, 0x40000000, 0x1000, 12, false);
    ins(s, k, 0x40000000, 0x2000, 12, false);
    CHECK_EQ(vsmmu_tlb_count(s), 2);
    CHECK_EQ(oa(s, k, 0x40000000), 0x2000);
    done(s);
}

static void global_entries_match_any_asid(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    ins(s, s1key(1, 3), 0x5000, 0x9000, 12, true);
    CHECK(hit(s, s1key(1, 3), 0x5000));
    CHECK(hit(s, s1key(1, 7), 0x5000));
    CHECK(!hit(s, s1key(2, 7), 0x5000));    /* VMID still matches */
    /* a non-global entry of ASID 7 at the same VA is preferred for ASID 7 */
    ins(s, s1key(1, 7), 0x5000, 0xa000, 12, false);
    CHECK_EQ(oa(s, s1key(1, 7), 0x5000), 0xa000);
    CHECK_EQ(oa(s, s1key(1, 8), 0x5000), 0x9000);
    done(s);
}

static void no_caching_when_capacity_zero(void)
{
    struct vsmmu *s = mk_cap(0, true);
    REQUIRE(s);
    ins(s, s1key(0, 1), 0x1000, 0x2000, 12, false);
    CHECK(!hit(s, s1key(0, 1), 0x1000));
    tlbi(s, VSMMU_TLBI_NSNH_ALL, 0, 0, 0, 0);
    CHECK_EQ(vsmmu_tlb_count(s), 0);
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.tlb_misses, 1);
    CHECK_EQ(st.tlb_hits, 0);
    done(s);
}

static void replacement_keeps_capacity(void)
{
    struct vsmmu *s = mk_cap(8, true);
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    for (uint64_t i = 0; i < 100; i++) {
        ins(s, k, i * K4 * 3, i * K4, 12, false);
        /* never more than capacity, never emptied to make room */
        CHECK_EQ(vsmmu_tlb_count(s), i + 1 < 8 ? i + 1 : 8);
        CHECK(hit(s, k, i * K4 * 3));   /* the newest is there */
    }
    /* frequently used entries survive: touch one, insert 7 more */
    ins(s, k, 0x7770000, 0x1000, 12, false);
    for (uint64_t i = 0; i < 7; i++) {
        CHECK(hit(s, k, 0x7770000));
        ins(s, k, 0x9000000 + i * K4, i * K4, 12, false);
    }
    CHECK(hit(s, k, 0x7770000));
    done(s);
}

static void insert_after_invalidation_is_dropped(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    struct vsmmu_tlb_ent e = { .in_base = 0x1000, .out_base = 0x2000, .size_log2 = 12,
                               .level = 3, .perm = 1 };
    uint64_t g = vsmmu_tlb_gen(s);
    /* a TLBI of anything between the walk and the insert */
    tlbi(s, VSMMU_TLBI_NH_ASID, 0, 55, 0, 0);
    vsmmu_tlb_insert_gen(s, &k, &e, g);
    CHECK(!hit(s, k, 0x1000));
    g = vsmmu_tlb_gen(s);
    vsmmu_tlb_insert_gen(s, &k, &e, g);
    CHECK(hit(s, k, 0x1000));
    done(s);
}

/* ---- invalidation scopes ------------------------------------------------------------ */

/* A population used by the scope tests: VMIDs 1 and 2, ASIDs 1 and 2, a
 * global, nested, stage-2 and EL2 entries, all at VA 0x10000. */
#define VA 0x10000
static void populate(struct vsmmu *s)
{
    ins(s, s1key(1, 1), VA, 0x1000, 12, false);
    ins(s, s1key(1, 2), VA, 0x2000, 12, false);
    ins(s, s1key(1, 0), VA + K4, 0x3000, 12, true);     /* global */
    ins(s, s1key(2, 1), VA, 0x4000, 12, false);
    ins(s, nkey(1, 1), VA, 0x5000, 12, false);
    ins(s, s2key(1), VA, 0x6000, 12, false);
    ins(s, s2key(2), VA, 0x7000, 12, false);
    ins(s, el2key(VSMMU_WORLD_EL2, 0), VA, 0x8000, 12, false);
    ins(s, el2key(VSMMU_WORLD_EL2_E2H, 1), VA, 0x9000, 12, false);
    ins(s, el2key(VSMMU_WORLD_EL2_E2H, 0), VA + K4, 0xa000, 12, true);
    ins(s, s1key(1, 1), VA + M2, 0xb000, 12, false);    /* other VA */
}

struct presence {
    bool a11, a12, g1, a21, n11, s2_1, s2_2, el2, e2h1, e2hg, a11far;
};

static struct presence probe(struct vsmmu *s)
{
    struct presence p = {
        hit(s, s1key(1, 1), VA), hit(s, s1key(1, 2), VA), hit(s, s1key(1, 5), VA + K4),
        hit(s, s1key(2, 1), VA), hit(s, nkey(1, 1), VA), hit(s, s2key(1), VA),
        hit(s, s2key(2), VA), hit(s, el2key(VSMMU_WORLD_EL2, 0), VA),
        hit(s, el2key(VSMMU_WORLD_EL2_E2H, 1), VA),
        hit(s, el2key(VSMMU_WORLD_EL2_E2H, 3), VA + K4), hit(s, s1key(1, 1), VA + M2),
    };
    return p;
}

#define EXPECT(p, A11, A12, G1_, A21, N11, S21, S22, EL2, E2H1, E2HG, FAR) do { \
    CHECK_EQ((p).a11, A11); CHECK_EQ((p).a12, A12); CHECK_EQ((p).g1, G1_); \
    CHECK_EQ((p).a21, A21); CHECK_EQ((p).n11, N11); CHECK_EQ((p).s2_1, S21); \
    CHECK_EQ((p).s2_2, S22); CHECK_EQ((p).el2, EL2); CHECK_EQ((p).e2h1, E2H1); \
    CHECK_EQ((p).e2hg, E2HG); CHECK_EQ((p).a11far, FAR); } while (0)

static void scope_population_present(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    CHECK_EQ(vsmmu_tlb_count(s), 11);
    EXPECT(probe(s), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    done(s);
}

static void scope_nh_all(void)
{
    /* VMALLE1 for VMID 1: every stage-1 NS-EL1 entry of VMID 1 (any ASID,
     * global, nested); not stage 2, not VMID 2, not EL2. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_NH_ALL, 1, 0, 0, 0);
    EXPECT(probe(s), 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0);
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.tlb_invalidated, 5);    /* a11, a12, g1, n11, a11far */
    done(s);
}

static void scope_nh_asid(void)
{
    /* ASIDE1 (VMID 1, ASID 1): non-global entries of that ASID, stage 1
     * and nested; globals stay. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_NH_ASID, 1, 1, 0, 0);
    EXPECT(probe(s), 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0);
    done(s);
}

static void scope_nh_va(void)
{
    /* VAE1 (VMID 1, ASID 1, VA..VA+8K): ASID 1's entries and globals in
     * the range; ASID 2 and the far VA stay. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_NH_VA, 1, 1, VA, 2 * K4);
    EXPECT(probe(s), 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1);
    done(s);
}

static void scope_nh_vaa(void)
{
    /* VAAE1 (VMID 1, VA page): all ASIDs of VMID 1 at VA; global at VA+4K
     * is outside the one-page range and stays. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_NH_VAA, 1, 0, VA, K4);
    EXPECT(probe(s), 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1);
    done(s);
}

static void scope_el2_all(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_EL2_ALL, 0, 0, 0, 0);
    EXPECT(probe(s), 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1);
    done(s);
}

static void scope_el2_asid(void)
{
    /* Non-global EL2-E2H entries of ASID 1; EL2 and the E2H global stay. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_EL2_ASID, 0, 1, 0, 0);
    EXPECT(probe(s), 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1);
    done(s);
}

static void scope_el2_va(void)
{
    /* EL2_VA ASID 1 over VA..VA+8K: the E2H ASID-1 entry and the E2H global,
     * and the EL2 entry (the model covers both worlds). NS untouched. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_EL2_VA, 0, 1, VA, 2 * K4);
    EXPECT(probe(s), 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1);
    /* ASID 2 does not remove ASID-1 entries */
    struct vsmmu *s2 = s;
    ins(s2, el2key(VSMMU_WORLD_EL2_E2H, 1), VA, 0x9000, 12, false);
    tlbi(s2, VSMMU_TLBI_EL2_VA, 0, 2, VA, K4);
    CHECK(hit(s2, el2key(VSMMU_WORLD_EL2_E2H, 1), VA));
    tlbi(s2, VSMMU_TLBI_EL2_VAA, 0, 0, VA, K4);
    CHECK(!hit(s2, el2key(VSMMU_WORLD_EL2_E2H, 1), VA));
    done(s);
}

static void scope_s12_vmall(void)
{
    /* VMALLS12E1 VMID 1: stage 1, nested and stage 2 of VMID 1. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_S12_VMALL, 1, 0, 0, 0);
    EXPECT(probe(s), 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0);
    done(s);
}

static void scope_s2_ipa(void)
{
    /* IPAS2E1 VMID 1 at IPA VA: the stage-2 entry of VMID 1. The nested
     * entry was inserted with IPA 0 (populate), outside the range: stays. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_S2_IPA, 1, 0, VA, K4);
    EXPECT(probe(s), 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
    done(s);
}

static void scope_nsnh_all(void)
{
    /* ALLE1: every NS non-EL2 entry, all VMIDs, all stages. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    tlbi(s, VSMMU_TLBI_NSNH_ALL, 0, 0, 0, 0);
    EXPECT(probe(s), 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0);
    CHECK_EQ(vsmmu_tlb_count(s), 3);
    done(s);
}

static void vmid_ignored_without_stage2(void)
{
    /* IHI0070 4.4.2: with S2P == 0 the VMID of NH_* is RES0 and ignored. */
    struct vsmmu *s = mk_cap(64, false);
    REQUIRE(s);
    ins(s, s1key(0, 1), VA, 0x1000, 12, false);
    tlbi(s, VSMMU_TLBI_NH_ALL, 7, 0, 0, 0);
    CHECK(!hit(s, s1key(0, 1), VA));
    done(s);
}

/* ---- ranges, blocks, hints ------------------------------------------------------------ */

static void partial_range_hits_blocks(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    ins(s, k, 0x40000000, 0x0, 30, false);          /* 1 GiB */
    ins(s, k, 0x80000000, 0x0, 21, false);          /* 2 MiB */
    ins(s, k, 0x80200000, 0x0, 21, false);          /* next 2 MiB */
    /* one page in the middle of the GiB removes the GiB block */
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, 0x5ffff000, K4);
    CHECK(!hit(s, k, 0x40000000));
    CHECK(hit(s, k, 0x80000000));
    /* a range ending in the first byte of the second 2M block removes both
     * (last byte of block 1 .. first byte of block 2) */
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, 0x801ff000, 2 * K4);
    CHECK(!hit(s, k, 0x80000000));
    CHECK(!hit(s, k, 0x80200000));
    CHECK_EQ(vsmmu_tlb_count(s), 0);
    done(s);
}

static void range_is_half_open(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    for (uint64_t i = 0; i < 16; i++)
        ins(s, k, 0x100000 + i * K4, i * K4, 12, false);
    /* (NUM+1) x 2^SCALE x 4K = 8 pages from page 4: pages 4..11 go */
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, 0x100000 + 4 * K4, 8 * K4);
    for (uint64_t i = 0; i < 16; i++)
        CHECK_EQ(hit(s, k, 0x100000 + i * K4), i < 4 || i >= 12);
    CHECK_EQ(vsmmu_tlb_count(s), 8);
    done(s);
}

static void big_range_over_many_gib(void)
{
    /* A range spanning 2^40 bytes with entries in three GiB regions:
     * entries inside go, the one above stays. */
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    ins(s, k, 0x0000001000, 1, 12, false);
    ins(s, k, 0x4000000000, 2, 12, false);
    ins(s, k, 0xff00000000, 3, 21, false);
    ins(s, k, 0x10000000000, 4, 12, false);
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, 0, UINT64_C(1) << 40);
    CHECK_EQ(vsmmu_tlb_count(s), 1);
    CHECK(hit(s, k, 0x10000000000));
    /* the top half of the 64-bit space: the end is exactly 2^64 */
    ins(s, k, 0xffffffffffe00000, 5, 21, false);
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, 0x8000000000000000, UINT64_C(1) << 63);
    CHECK(!hit(s, k, 0xffffffffffe00000));
    CHECK(hit(s, k, 0x10000000000));
    done(s);
}

static void whole_gib_invalidation_then_refill(void)
{
    /* A range covering whole GiBs invalidates them at once; the space is
     * reclaimed by later inserts before any live entry is evicted. */
    struct vsmmu *s = mk_cap(64, true);
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    for (uint64_t i = 0; i < 48; i++)       /* 48 pages in GiB 1, then 16 in GiB 3 */
        ins(s, k, G1 + i * 0x5000, i * K4, 12, false);
    for (uint64_t i = 0; i < 16; i++)
        ins(s, k, 3 * G1 + i * M2, i * M2, 21, false);
    CHECK_EQ(vsmmu_tlb_count(s), 64);
    tlbi(s, VSMMU_TLBI_NH_VA, 0, 1, G1, G1);
    CHECK_EQ(vsmmu_tlb_count(s), 16);
    for (uint64_t i = 0; i < 48; i++)
        CHECK(!hit(s, k, G1 + i * 0x5000));
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.tlb_invalidated, 48);
    /* 48 new entries fit without evicting GiB 3's blocks */
    for (uint64_t i = 0; i < 48; i++)
        ins(s, k, 5 * G1 + i * K4, i * K4, 12, false);
    CHECK_EQ(vsmmu_tlb_count(s), 64);
    for (uint64_t i = 0; i < 16; i++)
        CHECK(hit(s, k, 3 * G1 + i * M2));
    for (uint64_t i = 0; i < 48; i++)
        CHECK(hit(s, k, 5 * G1 + i * K4));
    /* re-inserting into the invalidated GiB works */
    ins(s, k, G1, 0x1000, 12, false);
    CHECK_EQ(oa(s, k, G1), 0x1000);
    CHECK_EQ(vsmmu_tlb_count(s), 64);
    /* a TTL hint that spares the blocks prevents whole-GiB invalidation */
    ins(s, k, 3 * G1 + 20 * M2, 0, 12, false);
    struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_VA, .asid = 1, .addr = 3 * G1, .size = G1,
                            .tg_log2 = 12, .ttl = 3 };
    vsmmu_tlb_invalidate(s, &t);
    CHECK(!hit(s, k, 3 * G1 + 20 * M2));
    CHECK(hit(s, k, 3 * G1));
    /* ASID invalidation then refill: nothing of ASID 1 answers */
    tlbi(s, VSMMU_TLBI_NH_ASID, 0, 1, 0, 0);
    CHECK_EQ(vsmmu_tlb_count(s), 0);
    CHECK(!hit(s, k, 3 * G1));
    for (uint64_t i = 0; i < 64; i++)
        ins(s, s1key(0, 2), i * K4, i * K4, 12, false);
    CHECK_EQ(vsmmu_tlb_count(s), 64);
    for (uint64_t i = 0; i < 64; i++)
        CHECK(hit(s, s1key(0, 2), i * K4));
    CHECK(!hit(s, k, 3 * G1));
    done(s);
}

static void ttl_and_tg_hints(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = s1key(0, 1);
    /* a 2 MiB block (level 2) and a 4K page (level 3) under one 4 MiB range */
    ins(s, k, 0x200000, 0, 21, false);
    ins(s, k, 0x400000, 0, 12, false);
    struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_VA, .asid = 1, .addr = 0x200000,
                            .size = 0x400000, .tg_log2 = 12, .ttl = 3, .leaf = true };
    /* TTL=11 (level 3): only the page need go; the block stays */
    vsmmu_tlb_invalidate(s, &t);
    CHECK(hit(s, k, 0x200000));
    CHECK(!hit(s, k, 0x400000));
    /* TTL=10 (level 2): the block goes */
    t.ttl = 2;
    vsmmu_tlb_invalidate(s, &t);
    CHECK(!hit(s, k, 0x200000));
    /* TG names the granule: a 16K-granule entry survives TG=4K */
    struct vsmmu_tlb_ent e16 = { .in_base = 0x800000, .size_log2 = 14, .level = 3,
                                 .granule_log2 = 14 };
    vsmmu_tlb_insert(s, &k, &e16);
    t.addr = 0x800000; t.size = K4; t.ttl = 0;
    vsmmu_tlb_invalidate(s, &t);
    CHECK(hit(s, k, 0x800000));
    t.tg_log2 = 14;
    t.size = 0x4000;
    vsmmu_tlb_invalidate(s, &t);
    CHECK(!hit(s, k, 0x800000));
    /* without TG (non-range form) TTL is ignored */
    ins(s, k, 0x200000, 0, 21, false);
    struct vsmmu_tlbi t2 = { .op = VSMMU_TLBI_NH_VA, .asid = 1, .addr = 0x200000,
                             .size = K4, .ttl = 3 };
    vsmmu_tlb_invalidate(s, &t2);
    CHECK(!hit(s, k, 0x200000));
    done(s);
}

static void nested_pieces_of_s1_block(void)
{
    /* Stage-1 2 MiB block over stage-2 4K pages: the cache holds 4K combined
     * pieces. A TLBI of the block's first page must remove every piece
     * (IHI0070 16.2.1: a combined entry goes if any part would). */
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_tlb_key k = nkey(1, 1);
    for (uint64_t i = 0; i < 4; i++) {
        struct vsmmu_tlb_ent e = { .in_base = 0x600000 + i * 0x80000, .out_base = i * K4,
                                   .size_log2 = 12, .level = 2, .granule_log2 = 12,
                                   .s1_size_log2 = 21, .s2_size_log2 = 12,
                                   .ipa = 0x40000000 + i * 0x80000 };
        vsmmu_tlb_insert(s, &k, &e);
    }
    /* a neighbouring S1 4K page just below the block must stay */
    struct vsmmu_tlb_ent o = { .in_base = 0x5ff000, .size_log2 = 12, .level = 3,
                               .granule_log2 = 12, .ipa = 0x1000 };
    vsmmu_tlb_insert(s, &k, &o);
    tlbi(s, VSMMU_TLBI_NH_VA, 1, 1, 0x600000, K4);
    for (uint64_t i = 0; i < 4; i++)
        CHECK(!hit(s, k, 0x600000 + i * 0x80000));
    CHECK(hit(s, k, 0x5ff000));
    done(s);
}

static void s2_ipa_removes_nested_over_range(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    /* nested pieces: VA -> IPA; one under an S2 2 MiB block */
    struct vsmmu_tlb_ent a = { .in_base = 0x1000, .size_log2 = 12, .level = 3,
                               .ipa = 0x80001000 };
    struct vsmmu_tlb_ent b = { .in_base = 0x2000, .size_log2 = 12, .level = 3,
                               .ipa = 0x90000000 };
    struct vsmmu_tlb_ent c = { .in_base = 0x3000, .size_log2 = 12, .level = 3,
                               .s2_size_log2 = 21, .ipa = 0xa0003000 };
    struct vsmmu_tlb_key k1 = nkey(1, 1), k2 = nkey(1, 2), k9 = nkey(9, 1);
    vsmmu_tlb_insert(s, &k1, &a);
    vsmmu_tlb_insert(s, &k2, &b);
    vsmmu_tlb_insert(s, &k1, &c);
    vsmmu_tlb_insert(s, &k9, &a);       /* same IPA, other VMID */
    tlbi(s, VSMMU_TLBI_S2_IPA, 1, 0, 0x80001000, K4);
    CHECK(!hit(s, k1, 0x1000));
    CHECK(hit(s, k2, 0x2000));
    CHECK(hit(s, k1, 0x3000));
    CHECK(hit(s, k9, 0x1000));
    /* an IPA elsewhere in c's stage-2 2 MiB block removes c */
    tlbi(s, VSMMU_TLBI_S2_IPA, 1, 0, 0xa01ff000, K4);
    CHECK(!hit(s, k1, 0x3000));
    /* a wide range (more buckets than nested entries) takes the other path */
    tlbi(s, VSMMU_TLBI_S2_IPA, 1, 0, 0, UINT64_C(1) << 40);
    CHECK(!hit(s, k2, 0x2000));
    CHECK(hit(s, k9, 0x1000));
    done(s);
}

static void s2_walk_cache(void)
{
    /* Stage-2 entries that nested walks make for table IPAs are kept apart
     * from stage-2-only stream entries (those carry attributes combined
     * with the STE's input overrides). */
    struct vsmmu *s = mk();
    REQUIRE(s);
    struct vsmmu_s2_cfg c = { .vmid = 4, .granule = 12 };
    struct vsmmu_walk_out w = { .oa = 0x1012345, .size_log2 = 21, .level = 2, .perm = 0x3,
                                .memattr = 0xff, .sh = 3 };
    vsmmu_tlb_s2_insert(s, &c, 0x80012345, &w);
    struct vsmmu_walk_out o;
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 1);
    CHECK_EQ(o.oa, 0x1012345);
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x801fffff, &o), 1);
    CHECK_EQ(o.oa, 0x11fffff);          /* block base 0x1000000 + 0x1fffff */
    CHECK_EQ(o.size_log2, 21);
    CHECK_EQ(o.perm, 0x3);
    c.vmid = 5;
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 0);
    /* a stage-2 stream entry does not answer walks, nor the reverse */
    ins(s, s2key(5), 0x80000000, 0x7000000, 21, false);
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 0);
    CHECK(!hit(s, s2key(4), 0x80012345));
    /* S2_IPA of VMID 4 removes the walk-cache entry; S12_VMALL(5) the other */
    c.vmid = 4;
    tlbi(s, VSMMU_TLBI_S2_IPA, 4, 0, 0x80100000, K4);
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 0);
    tlbi(s, VSMMU_TLBI_S12_VMALL, 5, 0, 0, 0);
    CHECK(!hit(s, s2key(5), 0x80000000));
    /* the generation guard: a walk that started before a TLBI inserts nothing */
    c.cache_gen = vsmmu_tlb_gen(s);
    tlbi(s, VSMMU_TLBI_NH_ASID, 0, 1, 0, 0);
    vsmmu_tlb_s2_insert(s, &c, 0x80012345, &w);
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 0);
    c.cache_gen = vsmmu_tlb_gen(s);
    vsmmu_tlb_s2_insert(s, &c, 0x80012345, &w);
    CHECK_EQ(vsmmu_tlb_s2_lookup(s, &c, 0x80012345, &o), 1);
    done(s);
}

static void reset_flushes(void)
{
    struct vsmmu *s = mk();
    REQUIRE(s);
    populate(s);
    vsmmu_reset(s);
    CHECK_EQ(vsmmu_tlb_count(s), 0);
    EXPECT(probe(s), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    populate(s);
    CHECK_EQ(vsmmu_tlb_count(s), 11);
    done(s);
}

struct shadow { uint64_t va, pa; unsigned sz; uint16_t asid; bool live; };

static void shadow_inval(struct shadow *sh, unsigned n, uint16_t asid, uint64_t va, uint64_t len)
{
    for (unsigned j = 0; j < n; j++) {
        if (!sh[j].live || sh[j].asid != asid)
            continue;
        uint64_t lo = sh[j].va, hi = lo + (UINT64_C(1) << sh[j].sz) - 1;
        if (!(hi < va || lo > va + len - 1))
            sh[j].live = false;
    }
}

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void churn_is_consistent(void)
{
    /* Random inserts and invalidations against a brute-force shadow list
     * (capacity above the population: no replacement involved). */
    struct vsmmu *s = mk_cap(4096, true);
    REQUIRE(s);
    enum { N = 512 };
    static struct shadow sh[N];
    memset(sh, 0, sizeof(sh));
    uint64_t x = 88172645463325252ull;
#define RND() xorshift(&x)
    for (int it = 0; it < 20000; it++) {
        unsigned i = (unsigned)(RND() % N);
        unsigned r = (unsigned)(RND() % 10);
        if (r < 6) {
            if (sh[i].live) {
                /* retire the slot's entry first, as a guest would */
                tlbi(s, VSMMU_TLBI_NH_VA, 0, sh[i].asid, sh[i].va, UINT64_C(1) << sh[i].sz);
                shadow_inval(sh, N, sh[i].asid, sh[i].va, UINT64_C(1) << sh[i].sz);
            }
            unsigned sz = (RND() % 8) ? 12 : 21;
            uint64_t va = (RND() % 256) << 21 | (sz == 12 ? (RND() % 512) << 12 : 0);
            uint16_t asid = (uint16_t)(RND() % 3);
            /* an insert replaces overlapping entries of its context */
            shadow_inval(sh, N, asid, va, UINT64_C(1) << sz);
            sh[i].va = va;
            sh[i].pa = RND() & ~0x1fffffull & 0xffffffffffull;
            sh[i].sz = sz;
            sh[i].asid = asid;
            sh[i].live = true;
            ins(s, s1key(0, asid), va, sh[i].pa, sz, false);
        } else if (r < 9) {
            uint64_t va = (RND() % 256) << 21 | (RND() % 512) << 12;
            uint64_t len = (RND() % 4 + 1) * K4 << (RND() % 2 ? 9 : 0);
            uint16_t asid = (uint16_t)(RND() % 3);
            tlbi(s, VSMMU_TLBI_NH_VA, 0, asid, va, len);
            shadow_inval(sh, N, asid, va, len);
        } else {
            uint16_t asid = (uint16_t)(RND() % 3);
            tlbi(s, VSMMU_TLBI_NH_ASID, 0, asid, 0, 0);
            shadow_inval(sh, N, asid, 0, UINT64_MAX);
        }
        if (it % 97 == 0) {
            unsigned live = 0;
            for (unsigned j = 0; j < N; j++) {
                if (!sh[j].live)
                    continue;
                live++;
                uint64_t off = RND() & ((UINT64_C(1) << sh[j].sz) - 1);
                CHECK_EQ(oa(s, s1key(0, sh[j].asid), sh[j].va + off), sh[j].pa + off);
            }
            CHECK_EQ(vsmmu_tlb_count(s), live);
        }
    }
#undef RND
    done(s);
}

int main(void)
{
    RUN(page_hit_and_neighbours);
    RUN(entry_fields_round_trip);
    RUN(blocks_are_one_entry);
    RUN(other_granules);
    RUN(larger_than_1g_not_cached);
    RUN(insert_replaces_overlaps);
    RUN(global_entries_match_any_asid);
    RUN(no_caching_when_capacity_zero);
    RUN(replacement_keeps_capacity);
    RUN(insert_after_invalidation_is_dropped);
    RUN(scope_population_present);
    RUN(scope_nh_all);
    RUN(scope_nh_asid);
    RUN(scope_nh_va);
    RUN(scope_nh_vaa);
    RUN(scope_el2_all);
    RUN(scope_el2_asid);
    RUN(scope_el2_va);
    RUN(scope_s12_vmall);
    RUN(scope_s2_ipa);
    RUN(scope_nsnh_all);
    RUN(vmid_ignored_without_stage2);
    RUN(partial_range_hits_blocks);
    RUN(range_is_half_open);
    RUN(big_range_over_many_gib);
    RUN(whole_gib_invalidation_then_refill);
    RUN(ttl_and_tg_hints);
    RUN(nested_pieces_of_s1_block);
    RUN(s2_ipa_removes_nested_over_range);
    RUN(s2_walk_cache);
    RUN(reset_flushes);
    RUN(churn_is_consistent);
    return t_done();
}
