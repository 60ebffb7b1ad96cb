/* SPDX-License-Identifier: MIT */
/* Configuration cache (src/cfgcache.c) through the tlb.h contract: entries
 * stay until a CMD_CFGI_* removes them (IHI0070 16.2, 4.3), and each CFGI
 * removes exactly its scope (commands.md "CMD_CFGI_*"). */
#include "test.h"
#include "mem.h"
#include "internal.h"
#include "xcfg.h"

static struct kit_mem *g_mem;

static struct vsmmu *mk_cap(uint32_t cfg_entries)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.cfg_entries = cfg_entries;
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

static void done(struct vsmmu *s)
{
    vsmmu_destroy(s);
    kit_mem_free(g_mem);
}

/* A stage-1 configuration with substreams (S1CDMax = 8) whose CD carries a
 * marker in raw[1] so a test can tell which copy it got. */
static struct vsmmu_xcfg cfg(uint32_t sid, bool ssv, uint32_t ssid, uint64_t mark)
{
    struct vsmmu_xcfg x;
    memset(&x, 0, sizeof(x));
    x.sid = sid;
    x.ssv = ssv;
    x.ssid = ssv ? ssid : 0;
    x.ste.config = STE_CFG_S1;
    x.ste.s1 = true;
    x.ste.s1cdmax = 8;
    x.ste.raw[0] = 0xabc0 | sid;
    x.cd.raw[1] = mark;
    x.cd.s1.asid = (uint16_t)mark;
    return x;
}

static void ins(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid, uint64_t mark)
{
    struct vsmmu_xcfg x = cfg(sid, ssv, ssid, mark);
    vsmmu_cfgc_insert(s, &x);
}

static bool has(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid)
{
    struct vsmmu_xcfg x;
    return vsmmu_cfgc_lookup(s, sid, ssv, ssid, &x);
}

static uint64_t mark(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid)
{
    struct vsmmu_xcfg x;
    if (!vsmmu_cfgc_lookup(s, sid, ssv, ssid, &x))
        return ~UINT64_C(0);
    return x.cd.raw[1];
}

static void hit_returns_the_whole_copy(void)
{
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    struct vsmmu_xcfg in = cfg(7, true, 3, 0x1234);
    in.ste.s2 = true;
    in.ste.s2cfg.vmid = 99;
    in.cd.s1.tt[1].ttb = 0xdead000;
    vsmmu_cfgc_insert(s, &in);
    struct vsmmu_xcfg out;
    memset(&out, 0x5a, sizeof(out));
    REQUIRE(vsmmu_cfgc_lookup(s, 7, true, 3, &out));
    CHECK(memcmp(&in, &out, sizeof(in)) == 0);
    /* key is (sid, ssv, ssid): neighbours miss */
    CHECK(!has(s, 7, true, 4));
    CHECK(!has(s, 7, false, 0));
    CHECK(!has(s, 8, true, 3));
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.cfg_hits, 1);
    CHECK_EQ(st.cfg_misses, 3);
    done(s);
}

static void stale_until_invalidated(void)
{
    /* The cache keeps what it read: a "guest edit" that is not followed by
     * CFGI is invisible; the CFGI makes the next fetch (re-insert) visible. */
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    ins(s, 1, false, 0, 0x111);
    /* (the guest rewrites the STE in memory: nothing reaches the cache) */
    CHECK_EQ(mark(s, 1, false, 0), 0x111);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE, 1, 0, 0, true);
    CHECK(!has(s, 1, false, 0));
    ins(s, 1, false, 0, 0x222);
    CHECK_EQ(mark(s, 1, false, 0), 0x222);
    /* re-inserting the same key replaces, never duplicates */
    ins(s, 1, false, 0, 0x333);
    CHECK_EQ(vsmmu_cfgc_count(s), 1);
    CHECK_EQ(mark(s, 1, false, 0), 0x333);
    done(s);
}

static void cfgi_ste_scope(void)
{
    /* CFGI_STE(sid 5): the STE and every CD cached through it, i.e. every
     * (5, *) entry; sid 4 and 6 stay. */
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    ins(s, 5, false, 0, 1);
    ins(s, 5, true, 1, 2);
    ins(s, 5, true, 200, 3);
    ins(s, 4, true, 1, 4);
    ins(s, 6, false, 0, 5);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE, 5, 0, 0, false);
    CHECK(!has(s, 5, false, 0));
    CHECK(!has(s, 5, true, 1));
    CHECK(!has(s, 5, true, 200));
    CHECK(has(s, 4, true, 1));
    CHECK(has(s, 6, false, 0));
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.cfg_invalidated, 3);
    done(s);
}

static void cfgi_ste_range_scope(void)
{
    /* CMD_CFGI_STE_RANGE with Range r covers the aligned block of 2^(r+1)
     * StreamIDs containing sid; the command queue passes log2 = r + 1
     * (tlb.h): sid 5, r 0 (log2 1) -> {4, 5}; sid 13, r 2 (log2 3) ->
     * 8..15; r 31 (log2 32) -> all. */
    struct vsmmu *s = mk_cap(128);
    REQUIRE(s);
    for (uint32_t i = 0; i < 20; i++)
        ins(s, i, false, 0, i);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE_RANGE, 5, 0, 1, true);
    for (uint32_t i = 0; i < 20; i++)
        CHECK_EQ(has(s, i, false, 0), i != 4 && i != 5);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE_RANGE, 13, 0, 3, true);
    for (uint32_t i = 0; i < 20; i++)
        CHECK_EQ(has(s, i, false, 0), i != 4 && i != 5 && !(i >= 8 && i <= 15));
    /* a large range over few entries takes the live-list path: 2^21 ids
     * from 0 hold 0..19, plus one far sid that stays */
    ins(s, 0x400000, false, 0, 1);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE_RANGE, 0x1234, 0, 21, true);
    for (uint32_t i = 0; i < 20; i++)
        CHECK(!has(s, i, false, 0));
    CHECK(has(s, 0x400000, false, 0));
    /* Range 31 (CFGI_ALL encoding) covers all 2^32 ids, sid ignored */
    ins(s, 0xffffffff, false, 0, 2);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE_RANGE, 77, 0, 32, true);
    CHECK_EQ(vsmmu_cfgc_count(s), 0);
    done(s);
}

static void cfgi_cd_scope(void)
{
    /* CFGI_CD(sid 3, SubstreamID 2): the CD at index 2 cached via sid 3,
     * i.e. entry (3, ssv, 2). SubstreamID is the CD index: the non-substream
     * entry (3, no SSV) read CD 0 (S1DSS=0b10 substream-0 behaviour) and is
     * hit by CFGI_CD(3, 0), not by (3, 2). */
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    ins(s, 3, true, 2, 1);
    ins(s, 3, true, 4, 2);
    ins(s, 3, false, 0, 3);
    ins(s, 9, true, 2, 4);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, 3, 2, 0, true);
    CHECK(!has(s, 3, true, 2));
    CHECK(has(s, 3, true, 4));
    CHECK(has(s, 3, false, 0));
    CHECK(has(s, 9, true, 2));
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, 3, 0, 0, true);
    CHECK(!has(s, 3, false, 0));
    CHECK(has(s, 3, true, 4));
    /* a single-CD STE (S1CDMax = 0): the CD index is 0 */
    struct vsmmu_xcfg x = cfg(11, false, 0, 5);
    x.ste.s1cdmax = 0;
    vsmmu_cfgc_insert(s, &x);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, 11, 0, 0, true);
    CHECK(!has(s, 11, false, 0));
    /* a configuration without a CD (stage-2 only) is not hit by CFGI_CD */
    struct vsmmu_xcfg y = cfg(12, false, 0, 6);
    y.ste.s1 = false;
    y.ste.config = STE_CFG_S2;
    vsmmu_cfgc_insert(s, &y);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, 12, 0, 0, true);
    CHECK(has(s, 12, false, 0));
    done(s);
}

static void cfgi_cd_all_scope(void)
{
    /* CFGI_CD_ALL(sid 3): every CD cached via sid 3; sid 4 stays. */
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    ins(s, 3, true, 2, 1);
    ins(s, 3, true, 4, 2);
    ins(s, 3, false, 0, 3);
    ins(s, 4, true, 2, 4);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD_ALL, 3, 0, 0, false);
    CHECK(!has(s, 3, true, 2));
    CHECK(!has(s, 3, true, 4));
    CHECK(!has(s, 3, false, 0));
    CHECK(has(s, 4, true, 2));
    done(s);
}

static void cfgi_all_scope(void)
{
    struct vsmmu *s = mk_cap(64);
    REQUIRE(s);
    for (uint32_t i = 0; i < 30; i++)
        ins(s, i * 1000, i & 1, i, i);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_ALL, 0, 0, 31, false);
    CHECK_EQ(vsmmu_cfgc_count(s), 0);
    for (uint32_t i = 0; i < 30; i++)
        CHECK(!has(s, i * 1000, i & 1, i));
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.cfg_invalidated, 30);
    done(s);
}

static void capacity_and_replacement(void)
{
    struct vsmmu *s = mk_cap(4);
    REQUIRE(s);
    for (uint32_t i = 0; i < 50; i++) {
        ins(s, i, false, 0, i);
        CHECK_EQ(vsmmu_cfgc_count(s), i < 4 ? i + 1 : 4);
        CHECK_EQ(mark(s, i, false, 0), i);
    }
    done(s);
}

static void no_caching_when_capacity_zero(void)
{
    struct vsmmu *s = mk_cap(0);
    REQUIRE(s);
    ins(s, 1, false, 0, 1);
    CHECK(!has(s, 1, false, 0));
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_ALL, 0, 0, 31, false);
    CHECK_EQ(vsmmu_cfgc_count(s), 0);
    done(s);
}

static void insert_after_cfgi_is_dropped(void)
{
    struct vsmmu *s = mk_cap(16);
    REQUIRE(s);
    struct vsmmu_xcfg x = cfg(1, false, 0, 1);
    uint64_t g = vsmmu_cfgc_gen(s);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE, 1, 0, 0, true);     /* races the fetch */
    vsmmu_cfgc_insert_gen(s, &x, g);
    CHECK(!has(s, 1, false, 0));
    vsmmu_cfgc_insert_gen(s, &x, vsmmu_cfgc_gen(s));
    CHECK(has(s, 1, false, 0));
    /* TLBI does not touch the configuration cache (commands.md 7) */
    struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NSNH_ALL };
    vsmmu_tlb_invalidate(s, &t);
    CHECK(has(s, 1, false, 0));
    done(s);
}

static void hot_part(void)
{
    /* The hot part a translation-cache hit uses: derived from the decoded
     * STE + CD at insert, looked up alone, gone with the entry. */
    struct vsmmu *s = mk_cap(16);
    REQUIRE(s);
    struct vsmmu_xcfg x = cfg(7, true, 2, 0x77);    /* S1, ASID 0x77 */
    x.ste.vmid = 12;
    x.ste.strw = 2;
    x.ste.privcfg = 2;
    x.ste.instcfg = 3;
    x.ste.s2 = true;
    x.ste.mtcfg = 1;
    x.ste.alloccfg = 9;
    x.ste.shcfg = 3;
    x.cd.s1.tt[1].tbi = true;
    x.cd.s1.tt[0].e0pd = true;
    x.cd.s1.el2 = true;
    vsmmu_cfgc_insert(s, &x);
    struct vsmmu_xcfg_hot h;
    memset(&h, 0xee, sizeof(h));
    REQUIRE(vsmmu_cfgc_lookup_hot(s, 7, true, 2, &h));
    CHECK_EQ(h.vmid, 12);
    CHECK_EQ(h.asid, 0x77);
    CHECK_EQ(h.config, STE_CFG_S1);
    CHECK_EQ(h.strw, 2);
    CHECK_EQ(h.privcfg, 2);
    CHECK_EQ(h.instcfg, 3);
    CHECK_EQ(h.s1, 1);
    CHECK_EQ(h.s2, 1);
    CHECK_EQ(h.el2, 1);
    CHECK_EQ(h.el2_e2h, 0);
    CHECK_EQ(h.tbi[0], 0);
    CHECK_EQ(h.tbi[1], 1);
    CHECK_EQ(h.e0pd[0], 1);
    CHECK_EQ(h.e0pd[1], 0);
    CHECK_EQ(h.mtcfg, 1);
    CHECK_EQ(h.alloccfg, 9);
    CHECK_EQ(h.shcfg, 3);
    /* stage 1 bypassed (S1DSS): no stage 1, no ASID */
    struct vsmmu_xcfg y = cfg(8, false, 0, 0x55);
    y.s1_bypass = true;
    vsmmu_cfgc_insert(s, &y);
    REQUIRE(vsmmu_cfgc_lookup_hot(s, 8, false, 0, &h));
    CHECK_EQ(h.s1, 0);
    CHECK_EQ(h.asid, 0);
    /* the hot lookup counts nothing; it misses once the entry is gone */
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    CHECK_EQ(st.cfg_hits + st.cfg_misses, 0);
    vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, 7, 2, 0, true);
    CHECK(!vsmmu_cfgc_lookup_hot(s, 7, true, 2, &h));
    CHECK(vsmmu_cfgc_lookup_hot(s, 8, false, 0, &h));
    done(s);
}

static void reset_empties(void)
{
    struct vsmmu *s = mk_cap(16);
    REQUIRE(s);
    ins(s, 1, false, 0, 1);
    ins(s, 2, true, 5, 1);
    vsmmu_reset(s);
    CHECK_EQ(vsmmu_cfgc_count(s), 0);
    CHECK(!has(s, 2, true, 5));
    done(s);
}

int main(void)
{
    RUN(hit_returns_the_whole_copy);
    RUN(stale_until_invalidated);
    RUN(cfgi_ste_scope);
    RUN(cfgi_ste_range_scope);
    RUN(cfgi_cd_scope);
    RUN(cfgi_cd_all_scope);
    RUN(cfgi_all_scope);
    RUN(capacity_and_replacement);
    RUN(no_caching_when_capacity_zero);
    RUN(insert_after_cfgi_is_dropped);
    RUN(hot_part);
    RUN(reset_empties);
    return t_done();
}
