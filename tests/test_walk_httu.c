/* SPDX-License-Identifier: MIT */
/* Walker: hardware Access flag and dirty state updates (Arm ARM D8.5,
 * translation.md §8): stage 1, stage 2, nested (the stage-1 update as a
 * stage-2 write, TTRnW=0), lost compare-and-swap races, aborting updates,
 * probes that must not write, big-endian tables. */
#include "walk_common.h"

#define PR VSMMU_PERM_R
#define PW VSMMU_PERM_W
#define PX VSMMU_PERM_X

struct fx {
    struct wt w;
    struct kit_ptb p;
    struct vsmmu_s1_cfg c;
};

static void fx_open(struct fx *x)
{
    wt_open(&x->w);
    kit_ptb_init_s1(&x->p, x->w.m, 12, 25);
    x->c = wt_s1(&x->p, 25);
}

static uint64_t leaf(struct fx *x, uint64_t va) { return kit_ptb_desc_pa(&x->p, va, 3); }

static uint64_t httu_count(struct wt *w)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(w->s, &st);
    return st.httu_updates;
}

/* AF=0: F_ACCESS without HA (before permission checks), treated as 1 with
 * AFFD, set in memory with HA. */
static void s1_access_flag(void)
{
    struct fx x;
    fx_open(&x);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, FIELD_PREP(PTE_AP, AP_RO)) == 0);
    uint64_t d = leaf(&x, 0x1000), v0 = kit_ptb_get(&x.p, d);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), f, EVT_F_ACCESS, 0, EVT_CLASS_IN, 0);
    /* a write to the read-only page: the Access flag fault comes first */
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, WR, &o, &f), f, EVT_F_ACCESS, 0, EVT_CLASS_IN, 0);
    x.c.affd = true;
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&x.p, d), v0);
    x.c.affd = false;
    x.c.ha = true;
    /* with HA a permission fault does not set AF (the model's choice where
     * the Arm ARM makes it UNKNOWN) */
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, WR, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(kit_ptb_get(&x.p, d), v0);
    CHECK_EQ(httu_count(&x.w), 0);
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&x.p, d), v0 | PTE_AF);
    CHECK_EQ(httu_count(&x.w), 1);
    CHECK_EQ(x.w.m->cas_ops, 1);
    /* now set: no further update */
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(httu_count(&x.w), 1);
    wt_close(&x.w);
}

/* Dirty state: a write to a writable-clean page (DBM=1, AP[2]=1) with HD
 * clears AP[2]; without HD, or with DBM=0, or when APTable makes the page
 * read-only, it is a Permission fault. */
static void s1_dirty(void)
{
    struct fx x;
    fx_open(&x);
    uint64_t clean = PTE_AF | PTE_DBM | FIELD_PREP(PTE_AP, AP_PRIV_RO);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, clean) == 0);
    REQUIRE(kit_ptb_map(&x.p, 0x2000, 0x20000, 0x1000, 3, clean & ~PTE_DBM) == 0);
    REQUIRE(kit_ptb_map(&x.p, 0x3000, 0x30000, 0x1000, 3, (clean & ~PTE_AF)) == 0);
    /* unprivileged writable-clean (AP=11, DBM) */
    REQUIRE(kit_ptb_map(&x.p, 0x4000, 0x40000, 0x1000, 3,
                        PTE_AF | PTE_DBM | FIELD_PREP(PTE_AP, AP_RO)) == 0);
    uint64_t d1 = leaf(&x, 0x1000), v1 = kit_ptb_get(&x.p, d1);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    /* no HD: DBM ignored */
    x.c.ha = true;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, WR | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(kit_ptb_get(&x.p, d1), v1);
    x.c.hd = true;
    /* a read does not dirty; the perm of a clean page excludes W */
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD | PRIV, &o, &f), 0);
    CHECK_EQ(o.perm, PR | PX | (PX << 3));
    CHECK_EQ(kit_ptb_get(&x.p, d1), v1);
    /* the write clears AP[2] */
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, WR | PRIV, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&x.p, d1), v1 & ~PTE_AP2);
    CHECK_EQ(o.perm, PR | PW | PX | (PX << 3));
    CHECK_EQ(httu_count(&x.w), 1);
    /* DBM=0: Permission fault */
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x2000, WR | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    /* AF=0 and clean: one update sets AF and clears AP[2] */
    uint64_t d3 = leaf(&x, 0x3000), v3 = kit_ptb_get(&x.p, d3);
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x3000, ATOMIC | PRIV, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&x.p, d3), (v3 | PTE_AF) & ~PTE_AP2);
    CHECK_EQ(httu_count(&x.w), 2);
    /* unprivileged writable-clean counts as EL0-writable: no privileged
     * execute even before the update (Arm ARM D8.5.2.2 R_NKLQN) */
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x4000, RD, &o, &f), 0);
    CHECK_EQ(o.perm, PR | ((PR | PX) << 3));
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x4000, EXEC | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    /* ... and with WXN it is unprivileged execute-never too */
    x.c.wxn = true;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x4000, EXEC, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    x.c.wxn = false;
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x4000, WR, &o, &f), 0);
    CHECK_EQ(o.perm, PR | PW | ((PR | PW | PX) << 3));
    /* APTable[1] makes the region read-only: AP[2] is not the only reason,
     * so no dirty update (Arm ARM D8.5.2.1 R_XZFQH) */
    REQUIRE(kit_ptb_map(&x.p, 0x200000, 0x50000, 0x1000, 3, clean) == 0);
    REQUIRE(kit_ptb_table_bits(&x.p, 0x200000, 2, PTE_APTABLE1) == 0);
    uint64_t d5 = leaf(&x, 0x200000), v5 = kit_ptb_get(&x.p, d5);
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x200000, WR | PRIV, &o, &f), f, EVT_F_PERMISSION, 0,
                EVT_CLASS_IN, 0);
    CHECK_EQ(kit_ptb_get(&x.p, d5), v5);
    wt_close(&x.w);
}

/* Stage 2: AF with S2HA, dirty with S2HD sets S2AP[1]. */
static void s2_af_dirty(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 14, 1, 28) == 0);
    uint64_t a = FIELD_PREP(PTE_S2AP, 1) | PTE_DBM | FIELD_PREP(PTE_S2_MEMATTR, 0xf);
    REQUIRE(kit_ptb_map(&p, 0x4000, 0x40000, 0x4000, 3, a) == 0);       /* AF=0, RO, DBM */
    struct vsmmu_s2_cfg c = wt_s2(&p, 1, 28);
    uint64_t d = kit_ptb_desc_pa(&p, 0x4000, 3), v = kit_ptb_get(&p, d);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x4000, RD, &o, &f), f, EVT_F_ACCESS, 1, EVT_CLASS_IN, 0x4000);
    c.ha = true;
    CHECK_FAULT(wt_walk(&w, NULL, &c, 0x4010, WR, &o, &f), f, EVT_F_PERMISSION, 1, EVT_CLASS_IN,
                0x4010);
    CHECK_EQ(wt_walk(&w, NULL, &c, 0x4010, RD, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&p, d), v | PTE_AF);
    c.hd = true;
    CHECK_EQ(wt_walk(&w, NULL, &c, 0x4010, WR, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&p, d), v | PTE_AF | PTE_S2AP_W);
    CHECK_EQ(o.oa, 0x40010);
    CHECK_EQ(o.perm & PW, PW);
    wt_close(&w);
}

/* Nested: stage-1 tables at IPA = PA + DELTA, mapped by stage 2 with
 * pages. The stage-1 update is a stage-2 write. */
#define DELTA UINT64_C(0x4000000000)

static void nested_httu(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p1, p2;
    REQUIRE(kit_ptb_init_s2(&p2, w.m, 12, 2, 16) == 0);
    REQUIRE(kit_ptb_init_s1(&p1, w.m, 12, 16) == 0);
    p1.delta = DELTA;
    REQUIRE(kit_ptb_map(&p2, T_RAM_BASE + DELTA, T_RAM_BASE, T_RAM_SIZE, 3, S2_RW) == 0);
    REQUIRE(kit_ptb_map(&p1, 0x12340000, 0x80000000, 0x1000, 3,
                        FIELD_PREP(PTE_AP, AP_RW)) == 0);       /* AF=0 */
    REQUIRE(kit_ptb_map(&p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    struct vsmmu_s1_cfg c1 = wt_s1(&p1, 16);
    struct vsmmu_s2_cfg c2 = wt_s2(&p2, 2, 16);
    c1.ha = true;
    uint64_t d3 = kit_ptb_desc_pa(&p1, 0x12340000, 3), v3 = kit_ptb_get(&p1, d3);
    uint64_t s2d = kit_ptb_desc_pa(&p2, (d3 + DELTA) & ~UINT64_C(0xfff), 3);
    uint64_t s2v = kit_ptb_get(&p2, s2d);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;

    /* stage 2 maps the stage-1 leaf table read-only: the AF update is a
     * stage-2 write -> F_PERMISSION S2=1 CLASS=TT TTRnW=0, IPA of the
     * descriptor */
    kit_ptb_set(&p2, s2d, (s2v & ~PTE_S2AP) | PTE_S2AP_R);
    CHECK_FAULT(wt_walk(&w, &c1, &c2, 0x12340000, RD, &o, &f), f, EVT_F_PERMISSION, 1,
                EVT_CLASS_TT, d3 + DELTA);
    CHECK_EQ(f.ttrnw, 0);
    CHECK_EQ(kit_ptb_get(&p1, d3), v3);
    /* writable-clean at stage 2 with S2HD: the stage-2 descriptor becomes
     * dirty, then the stage-1 AF is set */
    kit_ptb_set(&p2, s2d, (s2v & ~PTE_S2AP) | PTE_S2AP_R | PTE_DBM);
    c2.ha = c2.hd = true;
    CHECK_EQ(wt_walk(&w, &c1, &c2, 0x12340000, RD, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&p1, d3), v3 | PTE_AF);
    CHECK_EQ(kit_ptb_get(&p2, s2d), s2v | PTE_DBM);
    CHECK_EQ(o.oa, 0x900000000);
    /* 4 x (4 + 1) + 4 reads, plus the 4-level stage-2 walk for the write */
    CHECK_EQ(o.desc_reads, 28);
    /* stage 2 already writable: the update reuses the read's translation */
    kit_ptb_set(&p1, d3, v3);
    CHECK_EQ(wt_walk(&w, &c1, &c2, 0x12340000, RD, &o, &f), 0);
    CHECK_EQ(o.desc_reads, 24);
    CHECK_EQ(kit_ptb_get(&p1, d3), v3 | PTE_AF);
    wt_close(&w);
}

/* A racing agent changes the descriptor between the walker's read and its
 * compare-and-swap (kit_mem.cas_hook runs before each CAS). */
struct race { uint64_t pa; uint64_t set, clear; unsigned times; bool poison; };
static void race_hook(struct kit_mem *m, uint64_t pa, void *arg)
{
    struct race *r = arg;
    if (pa != r->pa || !r->times)
        return;
    r->times--;
    if (r->poison) {
        kit_mem_poison(m, pa, 8);
        return;
    }
    kit_w64(m, pa, (kit_r64(m, pa) | r->set) & ~r->clear);
}

static void httu_races(void)
{
    struct fx x;
    fx_open(&x);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, FIELD_PREP(PTE_AP, AP_RW)) == 0);
    x.c.ha = true;
    uint64_t d = leaf(&x, 0x1000), v = kit_ptb_get(&x.p, d);
    struct race r = { .pa = d };
    x.w.m->cas_hook = race_hook;
    x.w.m->cas_hook_arg = &r;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;

    /* the other agent sets AF first: our CAS fails, the new value needs no
     * update -> success, no update counted */
    r.set = PTE_AF; r.clear = 0; r.times = 1;
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(x.w.m->cas_ops, 1);
    CHECK_EQ(httu_count(&x.w), 0);
    /* the other agent changes the output address: the new one is used */
    kit_ptb_set(&x.p, d, v);
    r.set = 0x20000; r.clear = 0x10000; r.times = 1;
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1008, RD, &o, &f), 0);
    CHECK_EQ(o.oa, 0x20008);
    CHECK_EQ(kit_ptb_get(&x.p, d), (v & ~UINT64_C(0x10000)) | 0x20000 | PTE_AF);
    CHECK_EQ(httu_count(&x.w), 1);
    /* the other agent invalidates it: F_TRANSLATION */
    kit_ptb_set(&x.p, d, v);
    r.set = 0; r.clear = PTE_VALID; r.times = 1;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), f, EVT_F_TRANSLATION, 0,
                EVT_CLASS_IN, 0);
    wt_close(&x.w);
}

/* A racer flipping a software-reserved bit (55) before every CAS. */
static void flip_hook(struct kit_mem *m, uint64_t pa, void *arg)
{
    uint64_t *target = arg;
    if (pa == *target)
        kit_w64(m, pa, kit_r64(m, pa) ^ BIT(55));
}

static void httu_endless_race(void)
{
    struct fx x;
    fx_open(&x);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, FIELD_PREP(PTE_AP, AP_RW)) == 0);
    x.c.ha = true;
    uint64_t d = leaf(&x, 0x1000);
    x.w.m->cas_hook = flip_hook;
    x.w.m->cas_hook_arg = &d;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), f, EVT_F_ACCESS, 0, EVT_CLASS_IN, 0);
    CHECK_EQ(x.w.m->cas_ops, 8);
    CHECK_EQ(httu_count(&x.w), 0);
    wt_close(&x.w);
}

/* The update aborts: F_WALK_EABT with FetchAddr = the descriptor PA,
 * S2=0 CLASS=TT for stage 1, S2=1 CLASS=IN for a stage-2-only walk. */
static void httu_abort(void)
{
    struct fx x;
    fx_open(&x);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, FIELD_PREP(PTE_AP, AP_RW)) == 0);
    x.c.ha = true;
    uint64_t d = leaf(&x, 0x1000);
    struct race r = { .pa = d, .times = 1, .poison = true };
    x.w.m->cas_hook = race_hook;
    x.w.m->cas_hook_arg = &r;
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), f, EVT_F_WALK_EABT, 0, EVT_CLASS_TT, 0);
    CHECK_EQ(f.fetch_addr, d);
    wt_close(&x.w);

    struct wt w;
    wt_open(&w);
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s2(&p, w.m, 16, 1, 22) == 0);
    REQUIRE(kit_ptb_map(&p, 0x30000, 0x70000, 0x10000, 3, S2_RW & ~PTE_AF) == 0);
    struct vsmmu_s2_cfg c = wt_s2(&p, 1, 22);
    c.ha = true;
    uint64_t d2 = kit_ptb_desc_pa(&p, 0x30000, 3);
    struct race r2 = { .pa = d2, .times = 1, .poison = true };
    w.m->cas_hook = race_hook;
    w.m->cas_hook_arg = &r2;
    int rc = wt_walk(&w, NULL, &c, 0x30000, RD, &o, &f);
    CHECK_EQ(rc, -1);
    CHECK_EQ(f.type, EVT_F_WALK_EABT);
    CHECK_EQ(f.s2, 1);
    CHECK_EQ(f.cls, EVT_CLASS_IN);
    CHECK_EQ(f.fetch_addr, d2);
    wt_close(&w);
}

/* Probes (no_httu) never write: AF=0 and writable-clean are reported as
 * they would be after the update, W withheld until the page is dirty. */
static void httu_probe(void)
{
    struct fx x;
    fx_open(&x);
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3,
                        PTE_DBM | FIELD_PREP(PTE_AP, AP_PRIV_RO)) == 0);
    x.c.ha = x.c.hd = true;
    uint64_t d = leaf(&x, 0x1000), v = kit_ptb_get(&x.p, d);
    struct vsmmu_walk_req r = { .s1 = &x.c, .addr = 0x1000, .access = WR | PRIV, .no_httu = true };
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(vsmmu_walk(x.w.s, &r, &o, &f), 0);
    CHECK_EQ(o.perm & PW, 0);
    CHECK_EQ(kit_ptb_get(&x.p, d), v);
    CHECK_EQ(x.w.m->cas_ops, 0);
    CHECK_EQ(httu_count(&x.w), 0);
    wt_close(&x.w);
}

/* Big-endian tables: the update is made in table byte order. */
struct tl { unsigned httu; uint64_t a0, a1, a2; };
static void tfn(void *opaque, const struct vsmmu_trace_rec *rec)
{
    struct tl *t = opaque;
    if (rec->kind == VSMMU_TR_HTTU) {
        t->httu++;
        t->a0 = rec->a0;
        t->a1 = rec->a1;
        t->a2 = rec->a2;
    }
}

static void httu_big_endian_trace(void)
{
    struct fx x;
    fx_open(&x);
    x.p.be = true;
    REQUIRE(kit_ptb_map(&x.p, 0x1000, 0x10000, 0x1000, 3, FIELD_PREP(PTE_AP, AP_RW)) == 0);
    x.c.endi = true;
    x.c.ha = true;
    uint64_t d = leaf(&x, 0x1000), v = kit_ptb_get(&x.p, d);
    struct tl t = { 0 };
    vsmmu_set_trace(x.w.s, tfn, &t);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_EQ(wt_walk(&x.w, &x.c, NULL, 0x1000, RD, &o, &f), 0);
    CHECK_EQ(kit_ptb_get(&x.p, d), v | PTE_AF);
    CHECK_EQ(kit_r64(x.w.m, d), __builtin_bswap64(v | PTE_AF));
    CHECK_EQ(t.httu, 1);
    CHECK_EQ(t.a0, d);
    CHECK_EQ(t.a1, v);
    CHECK_EQ(t.a2, v | PTE_AF);
    vsmmu_set_trace(x.w.s, NULL, NULL);
    wt_close(&x.w);
}


/* Nested with S2HA: the stage-2 descriptor mapping a stage-1 table page
 * gets its AF set by the table read (IHI0070 3.13.2). */
static void nested_s2_af_on_table(void)
{
    struct wt w;
    wt_open(&w);
    struct kit_ptb p1, p2;
    REQUIRE(kit_ptb_init_s2(&p2, w.m, 12, 1, 25) == 0);
    REQUIRE(kit_ptb_init_s1(&p1, w.m, 12, 25) == 0);
    p1.delta = DELTA;
    REQUIRE(kit_ptb_map(&p2, T_RAM_BASE + DELTA, T_RAM_BASE, T_RAM_SIZE, 3, S2_RW & ~PTE_AF) == 0);
    REQUIRE(kit_ptb_map(&p1, 0x1000, 0x80000000, 0x1000, 3, S1_RW_ALL) == 0);
    REQUIRE(kit_ptb_map(&p2, 0x80000000, 0x900000000, 0x1000, 3, S2_RW) == 0);
    struct vsmmu_s1_cfg c1 = wt_s1(&p1, 25);
    struct vsmmu_s2_cfg c2 = wt_s2(&p2, 1, 25);
    uint64_t d1 = kit_ptb_desc_pa(&p1, 0x1000, 1);
    uint64_t s2d = kit_ptb_desc_pa(&p2, (d1 + DELTA) & ~UINT64_C(0xfff), 3);
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    CHECK_FAULT(wt_walk(&w, &c1, &c2, 0x1000, RD, &o, &f), f, EVT_F_ACCESS, 1, EVT_CLASS_TT,
                d1 + DELTA);
    c2.ha = true;
    CHECK_EQ(wt_walk(&w, &c1, &c2, 0x1000, RD, &o, &f), 0);
    CHECK(kit_ptb_get(&p2, s2d) & PTE_AF);
    CHECK_EQ(httu_count(&w), 3);     /* one per stage-1 table page (levels 1-3) */
    wt_close(&w);
}

int main(void)
{
    RUN(s1_access_flag);
    RUN(s1_dirty);
    RUN(s2_af_dirty);
    RUN(nested_httu);
    RUN(httu_races);
    RUN(httu_endless_race);
    RUN(httu_abort);
    RUN(httu_probe);
    RUN(httu_big_endian_trace);
    RUN(nested_s2_af_on_table);
    return t_done();
}
