/* SPDX-License-Identifier: MIT */
/* Concurrency stress of the caches: translator threads look up, and insert
 * on a miss, while one thread remaps and invalidates (as the command queue
 * does). Checked on every hit:
 *  - no torn entry: every field of an entry belongs to one insertion;
 *  - no stale entry after its invalidation completed: once the invalidator
 *    has published "version v of page p is invalidated", no lookup that
 *    starts later may return an older version (IHI0070 4.6.3 CMD_SYNC:
 *    completed invalidations are visible to later transactions).
 * Run under ThreadSanitizer by .ci/stages/20-tsan.sh. Iteration counts are
 * fixed (no timing). */
#include <pthread.h>
#include <sched.h>

#include "test.h"
#include "mem.h"
#include "internal.h"
#include "xcfg.h"
#include "ptb.h"
#include "drv.h"
#include "cmd.h"
#include "stecd.h"
#include "spec/pte.h"

#define NPAGES   1024u
#define NBLOCKS  64u
#define NSID     64u
#define NTHREADS 2
#define OPS      250000

struct world {
    struct vsmmu *s;
    uint32_t ver[NPAGES + NBLOCKS];     /* current mapping version */
    uint32_t done[NPAGES + NBLOCKS];    /* version whose invalidation completed */
    uint32_t sver[NSID], sdone[NSID];   /* config versions */
    int finished;
    uint64_t errors;
    uint64_t hits;
};

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* page p (< NPAGES): 4K at p * 4K, ASID 1. block b: 2M at 1G + b * 2M, ASID 2. */
static uint64_t va_of(unsigned i)
{
    return i < NPAGES ? (uint64_t)i << 12 : 0x40000000 + ((uint64_t)(i - NPAGES) << 21);
}

static void fill_ent(struct vsmmu_tlb_ent *e, unsigned i, uint32_t v)
{
    memset(e, 0, sizeof(*e));
    e->in_base = va_of(i);
    e->size_log2 = i < NPAGES ? 12 : 21;
    e->level = i < NPAGES ? 3 : 2;
    e->out_base = (uint64_t)v << 40 | (uint64_t)i << 21;
    e->perm = (uint8_t)(v & 0x3f);
    e->memattr = (uint8_t)(i & 0xff);
    e->sh = (uint8_t)(v & 3);
    e->granule_log2 = 12;
}

static struct vsmmu_tlb_key key_of(unsigned i)
{
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S1, .world = VSMMU_WORLD_NS_EL1,
                               .vmid = 3, .asid = i < NPAGES ? 1 : 2 };
    return k;
}

static void fill_cfg(struct vsmmu_xcfg *x, unsigned sid, uint32_t v)
{
    memset(x, 0, sizeof(*x));
    x->sid = sid;
    x->ste.s1 = true;
    for (int j = 0; j < 8; j++) {
        x->ste.raw[j] = (uint64_t)v << 32 | sid | (uint64_t)j << 16;
        x->cd.raw[j] = ~x->ste.raw[j];
    }
}

static void *translator(void *arg)
{
    struct world *w = arg;
    uint64_t x = (uint64_t)(uintptr_t)&x | 1;
    uint64_t hits = 0;
    for (int n = 0; n < OPS; n++) {
        if (n % 8 == 0) {
            unsigned sid = (unsigned)(rnd(&x) % NSID);
            uint32_t floor = __atomic_load_n(&w->sdone[sid], __ATOMIC_ACQUIRE);
            struct vsmmu_xcfg c;
            if (vsmmu_cfgc_lookup(w->s, sid, false, 0, &c)) {
                uint32_t v = (uint32_t)(c.ste.raw[0] >> 32);
                bool ok = c.sid == sid && v >= floor;
                for (int j = 0; j < 8; j++)
                    ok = ok && c.ste.raw[j] == ((uint64_t)v << 32 | sid | (uint64_t)j << 16) &&
                         c.cd.raw[j] == ~c.ste.raw[j];
                if (!ok)
                    __atomic_fetch_add(&w->errors, 1, __ATOMIC_RELAXED);
            } else {
                uint64_t g = vsmmu_cfgc_gen(w->s);
                uint32_t v = __atomic_load_n(&w->sver[sid], __ATOMIC_ACQUIRE);
                fill_cfg(&c, sid, v);
                vsmmu_cfgc_insert_gen(w->s, &c, g);
            }
            continue;
        }
        unsigned i = (unsigned)(rnd(&x) % (NPAGES + NBLOCKS));
        uint64_t off = rnd(&x) & (i < NPAGES ? 0xfff : 0x1fffff);
        struct vsmmu_tlb_key k = key_of(i);
        uint32_t floor = __atomic_load_n(&w->done[i], __ATOMIC_ACQUIRE);
        struct vsmmu_tlb_ent e;
        if (vsmmu_tlb_lookup(w->s, &k, va_of(i) + off, &e)) {
            hits++;
            uint32_t v = (uint32_t)(e.out_base >> 40);
            bool ok = e.in_base == va_of(i) && ((e.out_base >> 21) & 0x7ffff) == i &&
                      e.perm == (v & 0x3f) && e.sh == (v & 3) && e.memattr == (i & 0xff) &&
                      e.size_log2 == (i < NPAGES ? 12 : 21) && v >= floor;
            if (!ok)
                __atomic_fetch_add(&w->errors, 1, __ATOMIC_RELAXED);
        } else {
            /* the miss path: generation first, then "walk" (read the
             * mapping), then insert */
            uint64_t g = vsmmu_tlb_gen(w->s);
            uint32_t v = __atomic_load_n(&w->ver[i], __ATOMIC_ACQUIRE);
            fill_ent(&e, i, v);
            vsmmu_tlb_insert_gen(w->s, &k, &e, g);
        }
    }
    __atomic_fetch_add(&w->hits, hits, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void invalidate_one(struct world *w, uint64_t *x)
{
    unsigned r = (unsigned)(rnd(x) % 16);
    if (r < 10) {
        /* remap one page or block: new version, TLBI, then publish */
        unsigned i = (unsigned)(rnd(x) % (NPAGES + NBLOCKS));
        uint32_t v = w->ver[i] + 1;
        __atomic_store_n(&w->ver[i], v, __ATOMIC_RELEASE);
        struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_VA, .vmid = 3,
                                .asid = i < NPAGES ? 1 : 2, .addr = va_of(i),
                                .size = 0x1000 };
        if (i >= NPAGES)    /* a page inside the block: the block goes */
            t.addr += (rnd(x) % 512) << 12;
        vsmmu_tlb_invalidate(w->s, &t);
        __atomic_store_n(&w->done[i], v, __ATOMIC_RELEASE);
    } else if (r < 12) {
        /* remap a run of 64 pages with one range TLBI */
        unsigned i0 = (unsigned)(rnd(x) % (NPAGES - 64));
        for (unsigned i = i0; i < i0 + 64; i++)
            __atomic_store_n(&w->ver[i], w->ver[i] + 1, __ATOMIC_RELEASE);
        struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_VA, .vmid = 3, .asid = 1,
                                .addr = va_of(i0), .size = 64 << 12, .tg_log2 = 12 };
        vsmmu_tlb_invalidate(w->s, &t);
        for (unsigned i = i0; i < i0 + 64; i++)
            __atomic_store_n(&w->done[i], w->ver[i], __ATOMIC_RELEASE);
    } else if (r < 13) {
        /* remap everything of ASID 2 with TLBI_NH_ASID */
        for (unsigned i = NPAGES; i < NPAGES + NBLOCKS; i++)
            __atomic_store_n(&w->ver[i], w->ver[i] + 1, __ATOMIC_RELEASE);
        struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_ASID, .vmid = 3, .asid = 2 };
        vsmmu_tlb_invalidate(w->s, &t);
        for (unsigned i = NPAGES; i < NPAGES + NBLOCKS; i++)
            __atomic_store_n(&w->done[i], w->ver[i], __ATOMIC_RELEASE);
    } else if (r < 14) {
        /* an unrelated invalidation: nothing to publish */
        struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_ALL, .vmid = 9 };
        vsmmu_tlb_invalidate(w->s, &t);
    } else {
        /* rewrite an STE and CFGI it */
        unsigned sid = (unsigned)(rnd(x) % NSID);
        uint32_t v = w->sver[sid] + 1;
        __atomic_store_n(&w->sver[sid], v, __ATOMIC_RELEASE);
        if (r == 14)
            vsmmu_cfg_invalidate(w->s, VSMMU_CFGI_STE, sid, 0, 0, true);
        else
            vsmmu_cfg_invalidate(w->s, VSMMU_CFGI_STE_RANGE, sid & ~3u, 0, 2, true);
        __atomic_store_n(&w->sdone[sid], v, __ATOMIC_RELEASE);
        if (r != 14) {  /* the range covered 4 ids: their versions are current */
            for (unsigned j = sid & ~3u; j < (sid & ~3u) + 4; j++)
                __atomic_store_n(&w->sdone[j], w->sver[j], __ATOMIC_RELEASE);
        }
    }
}

static void stress(uint32_t tlb_entries, uint32_t cfg_entries)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.tlb_entries = tlb_entries;
    c.cfg_entries = cfg_entries;
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 16);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    static struct world w;
    memset(&w, 0, sizeof(w));
    char err[256];
    REQUIRE(vsmmu_create(&c, &ops, &w.s, err, sizeof(err)) == 0);

    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, translator, &w);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    /* invalidate until the translators are done (at least 2000 times) */
    for (int n = 0; n < 2000 || __atomic_load_n(&w.finished, __ATOMIC_ACQUIRE) < NTHREADS;
         n++) {
        invalidate_one(&w, &x);
        if (n % 4 == 0)
            sched_yield();
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(w.errors, 0);
    /* the workload produced hits (sanity of the harness itself) */
    CHECK(w.hits > 0);
    /* quiescent: VMALLE1 of the VMID leaves nothing; CFGI_ALL likewise */
    struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_ALL, .vmid = 3 };
    vsmmu_tlb_invalidate(w.s, &t);
    CHECK_EQ(vsmmu_tlb_count(w.s), 0);
    vsmmu_cfg_invalidate(w.s, VSMMU_CFGI_ALL, 0, 0, 31, false);
    CHECK_EQ(vsmmu_cfgc_count(w.s), 0);
    vsmmu_destroy(w.s);
    kit_mem_free(m);
}

static void stress_small_caches(void) { stress(256, 16); }
static void stress_large_caches(void) { stress(4096, 128); }

/* ---- the same through the whole pipeline -------------------------------------- */

/* Translators call vsmmu_translate(); the main thread is the driver: it
 * remaps pages by break-before-make (descriptor stores are single-copy
 * atomic, as a CPU's), TLBI_NH_VA + CMD_SYNC through the command queue, and
 * publishes "page i is at version v" after the sync. A translation that
 * starts after that may give only version v or later (or a translation
 * fault inside a later break). The output address encodes the version. */
#define PPAGES 256u
#define PVA    UINT64_C(0x40000000)
#define PIPE_OPS 120000

struct pworld {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_drv d;
    struct kit_ptb pt;
    uint32_t done[PPAGES];
    int finished;
    uint64_t errors, oks;
};

static uint64_t pte_for(struct pworld *w, unsigned i, uint32_t v)
{
    (void)w;
    uint64_t pa = (uint64_t)v << 32 | (uint64_t)i << 12;
    return pa | PTE_VALID | PTE_TYPE | PTE_AF | PTE_NG | FIELD_PREP(PTE_SH, 3) |
           FIELD_PREP(PTE_AP, AP_RW);
}

static void *p_translator(void *arg)
{
    struct pworld *w = arg;
    uint64_t x = (uint64_t)(uintptr_t)&x | 1;
    uint64_t oks = 0;
    for (int n = 0; n < PIPE_OPS; n++) {
        unsigned i = (unsigned)(rnd(&x) % PPAGES);
        uint32_t floor = __atomic_load_n(&w->done[i], __ATOMIC_ACQUIRE);
        struct vsmmu_txn t = { .sid = 1, .addr = PVA + (uint64_t)i * 0x1000 + (rnd(&x) & 0xff8) };
        struct vsmmu_result r;
        vsmmu_translate(w->s, &t, &r);
        if (r.outcome != VSMMU_XLATE_OK)
            continue;                   /* inside a break: a translation fault */
        oks++;
        uint32_t v = (uint32_t)(r.out_addr >> 32);
        if (((r.out_addr >> 12) & 0xfffff) != i || v < floor)
            __atomic_fetch_add(&w->errors, 1, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&w->oks, oks, __ATOMIC_RELAXED);
    __atomic_fetch_add(&w->finished, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void stress_pipeline(void)
{
    static struct pworld w;
    memset(&w, 0, sizeof(w));
    w.m = kit_mem_new();
    REQUIRE(w.m && kit_mem_add(w.m, 0, 16u << 20) == 0);
    kit_mem_alloc(w.m, 0x10000, 0x10000);
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.tlb_entries = 128;                /* smaller than the page set: evictions too */
    struct vsmmu_host_ops ops;
    kit_mem_ops(w.m, &ops, true);       /* RAM regions: descriptors read atomically */
    char err[256];
    REQUIRE(vsmmu_create(&c, &ops, &w.s, err, sizeof(err)) == 0);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.sid_bits = 8;
    REQUIRE(kit_drv_probe(&w.d, w.s, w.m) == 0 && kit_drv_reset(&w.d, &o) == 0);
    REQUIRE(kit_ptb_init_s1(&w.pt, w.m, 12, 16) == 0);
    for (unsigned i = 0; i < PPAGES; i++)
        REQUIRE(kit_ptb_map(&w.pt, PVA + (uint64_t)i * 0x1000, (uint64_t)i << 12, 0x1000, 3,
                            PTE_AF | PTE_NG | FIELD_PREP(PTE_SH, 3) |
                            FIELD_PREP(PTE_AP, AP_RW)) == 0);
    uint64_t cdpa = kit_mem_alloc(w.m, 64, 64);
    struct kit_cd cd;
    kit_cd_s1(&cd, kit_ptb_ttb(&w.pt), 48, 9);
    uint64_t raw[8];
    kit_cd_encode(&cd, raw);
    kit_write8(w.m, cdpa, raw);
    struct kit_ste f;
    kit_ste_s1(&f, cdpa);
    kit_ste_encode(&f, raw);
    REQUIRE(kit_drv_install_ste(&w.d, 1, raw) == 0);

    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, p_translator, &w);
    uint64_t x = 0x51ed2701;
    uint32_t ver[PPAGES] = { 0 };
    for (int n = 0; n < 300 || __atomic_load_n(&w.finished, __ATOMIC_ACQUIRE) < NTHREADS; n++) {
        unsigned i = (unsigned)(rnd(&x) % PPAGES);
        uint64_t va = PVA + (uint64_t)i * 0x1000;
        uint64_t *pte = kit_mem_ptr(w.m, kit_ptb_desc_pa(&w.pt, va, 3), 8);
        uint32_t v = (ver[i] + 1) & 0x7fff;
        ver[i] = v;
        __atomic_store_n(pte, 0, __ATOMIC_RELEASE);                 /* break */
        uint64_t cmd[2];
        struct kit_tlbi_range rr = { .addr = va, .leaf = true };
        if (n % 5 == 0)
            kit_cmd_tlbi_nh_asid(cmd, 0, 9);
        else
            kit_cmd_tlbi_nh_va(cmd, 0, 9, &rr);
        kit_drv_cmd(&w.d, cmd);                                     /* TLBI + SYNC */
        __atomic_store_n(pte, pte_for(&w, i, v), __ATOMIC_RELEASE); /* make */
        __atomic_store_n(&w.done[i], v, __ATOMIC_RELEASE);
        if (v == 0x7fff)
            break;                      /* versions must grow (never in practice) */
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(w.errors, 0);
    CHECK(w.oks > 0);
    CHECK_EQ(w.d.cerrors, 0);
    /* per-thread counter shards lose nothing: every translation counted
     * once, and each made exactly one configuration-cache lookup */
    struct vsmmu_stats st;
    vsmmu_get_stats(w.s, &st);
    CHECK_EQ(st.translations, NTHREADS * PIPE_OPS);
    CHECK_EQ(st.cfg_hits + st.cfg_misses, NTHREADS * PIPE_OPS);
    vsmmu_destroy(w.s);
    kit_mem_free(w.m);
}

int main(void)
{
    RUN(stress_small_caches);
    RUN(stress_large_caches);
    RUN(stress_pipeline);
    return t_done();
}
