/* SPDX-License-Identifier: MIT */
/*
 * vsmmu-bench: translation-cache and invalidation benchmarks.
 *
 * The translation benchmarks run a translation loop over real page tables
 * (kit/ptb) in kit memory: configuration-cache lookup, translation-cache
 * lookup, and on a miss the walker (stage 1, or nested with the stage-2
 * walk-cache hooks) and an insert — the same calls, in the same order, as
 * the pipeline's hit and miss paths. The invalidation benchmarks call the
 * invalidation interface the command queue calls, with the decoded
 * operation (range already computed).
 *
 * Figures (JSON keys):
 *   hit_ns                  stage-1 4K, 48-bit VA, 128-page hot set
 *   s1_miss_ns, s1_miss_reads   random over 64Ki pages with a 16Ki-entry
 *                           cache: time and descriptor reads per miss
 *   nested_miss_ns          as s1_miss over S1 4K on S2 4K (warm S2 cache)
 *   nested_miss_reads_cold  descriptor reads per miss, no stage-2 entries
 *   nested_miss_reads_warm  descriptor reads per miss, table IPAs cached
 *   block_hit_ns            2 MiB blocks over 1 GiB, random addresses
 *   tlbi_page_ns_{1k,16k,64k}   one-page TLBI_NH_VA, cache full at that size
 *   tlbi_range_1g_ns        one range TLBI over 1 GiB of 4K entries
 *   tlbi_storm_1g_ns        the same by 262,144 one-page TLBIs
 *   tlbi_asid_ns            TLBI_NH_ASID of one of 64 ASIDs, 16Ki entries
 *   threads2_speedup        hit workload throughput, 2 threads / 1 thread
 *   accel_backend_calls_per_sync   accelerated mode (soft backend): backend
 *                           invalidate calls per CMD_SYNC for batches of 64
 *                           forwarded TLBIs (pipeline mode only; else null)
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "mem.h"
#include "ptb.h"
#include "drv.h"
#include "cmd.h"
#include "stecd.h"
#include "vsmmu/accel.h"
#include "internal.h"
#include "walk.h"
#include "xcfg.h"
#include "spec/pte.h"

#define K4 UINT64_C(0x1000)
#define M2 UINT64_C(0x200000)
#define G1 UINT64_C(0x40000000)

/* Memory map of the benchmark guest. */
#define RAM_BASE    UINT64_C(0)
#define RAM_SIZE    (UINT64_C(96) << 20)        /* tables */
#define VA_BASE     UINT64_C(0x0000100000000000)
#define IPA_TABLES  UINT64_C(0x0000008000000000)    /* nested: tables seen at PA + this */
#define IPA_OUT     UINT64_C(0x0000004000000000)    /* S1 output IPAs */
#define PA_OUT      UINT64_C(0x0000002000000000)    /* final PAs (unbacked) */
#define NPAGES      65536u
#define HOT         128u

/* Single-thread figures use the thread's CPU time: the machine may be
 * shared, and time spent descheduled is not the model's cost. The thread
 * speedup uses wall time. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xs(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* ---- a benchmark guest: tables + instance ------------------------------------- */

struct bguest {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_ptb s1, s2;
    struct vsmmu_s1_cfg s1c;
    struct vsmmu_s2_cfg s2c;
    struct vsmmu_xcfg x;
    bool nested;
    bool s2_hooks;
    uint64_t misses, reads, sink;
};

#define S1_ATTR (PTE_AF | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3) | PTE_NG)
#define S2_ATTR (PTE_AF | FIELD_PREP(PTE_S2AP, 3) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | \
                 FIELD_PREP(PTE_SH, 3))

static void bg_close(struct bguest *g)
{
    if (g->s)
        vsmmu_destroy(g->s);
    if (g->m)
        kit_mem_free(g->m);
    memset(g, 0, sizeof(*g));
}

/* mode: 0 stage-1 pages over `npages`, 1 stage-1 2M blocks over 1 GiB,
 * 2 nested S1 4K over S2 4K over `npages`. */
static int bg_open(struct bguest *g, int mode, unsigned npages, uint32_t tlb_entries)
{
    memset(g, 0, sizeof(*g));
    g->m = kit_mem_new();
    if (!g->m || kit_mem_add(g->m, RAM_BASE, RAM_SIZE))
        return -1;
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.oas_bits = 48;
    c.tlb_entries = tlb_entries;
    struct vsmmu_host_ops ops;
    kit_mem_ops(g->m, &ops, true);
    char err[256];
    if (vsmmu_create(&c, &ops, &g->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu-bench: create: %s\n", err);
        return -1;
    }
    g->nested = mode == 2;
    if (kit_ptb_init_s1(&g->s1, g->m, 12, 16))
        return -1;
    if (g->nested) {
        g->s1.delta = IPA_TABLES;
        if (kit_ptb_init_s2(&g->s2, g->m, 12, 2, 16))
            return -1;
    }
    if (mode == 1) {
        if (kit_ptb_map(&g->s1, VA_BASE, PA_OUT, G1, 2, S1_ATTR))
            return -1;
    } else {
        uint64_t out = g->nested ? IPA_OUT : PA_OUT;
        for (unsigned i = 0; i < npages; i++)
            if (kit_ptb_map(&g->s1, VA_BASE + i * K4, out + i * K4, K4, 3, S1_ATTR))
                return -1;
    }
    if (g->nested) {
        /* stage 2: the table RAM at IPA_TABLES, the outputs at IPA_OUT */
        if (kit_ptb_map(&g->s2, IPA_TABLES + RAM_BASE, RAM_BASE, RAM_SIZE, 3, S2_ATTR) ||
            kit_ptb_map(&g->s2, IPA_OUT, PA_OUT, (uint64_t)npages * K4, 3, S2_ATTR))
            return -1;
        memset(&g->s2c, 0, sizeof(g->s2c));
        g->s2c.ttb = kit_ptb_ttb(&g->s2);
        g->s2c.t0sz = 16;
        g->s2c.sl0 = 2;
        g->s2c.granule = 12;
        g->s2c.start_level = (int8_t)g->s2.sl;
        g->s2c.concat = (uint8_t)g->s2.concat;
        g->s2c.ps_bits = 48;
        g->s2c.vmid = 1;
        g->s2c.aa64 = true;
    }
    memset(&g->s1c, 0, sizeof(g->s1c));
    g->s1c.tt[0].ttb = kit_ptb_ttb(&g->s1);
    g->s1c.tt[0].tsz = 16;
    g->s1c.tt[0].granule = 12;
    g->s1c.tt[0].start_level = (int8_t)g->s1.sl;
    g->s1c.tt[1].epd = true;
    g->s1c.tt[1].tsz = 16;
    g->s1c.tt[1].granule = 12;
    g->s1c.ips_bits = 48;
    g->s1c.asid = 1;
    g->s1c.mair = 0xff;
    g->s1c.aa64 = true;

    /* the decoded configuration the config cache holds for StreamID 0 */
    memset(&g->x, 0, sizeof(g->x));
    g->x.ste.config = g->nested ? STE_CFG_NESTED : STE_CFG_S1;
    g->x.ste.s1 = true;
    g->x.ste.s2 = g->nested;
    g->x.ste.s2cfg = g->s2c;
    g->x.cd.s1 = g->s1c;
    return 0;
}

/* One translation of a read by the hit/miss path the pipeline takes. */
static inline uint64_t bg_xlate(struct bguest *g, uint64_t va)
{
    struct vsmmu *s = g->s;
    struct vsmmu_xcfg x;
    if (!vsmmu_cfgc_lookup(s, 0, false, 0, &x)) {
        uint64_t cg = vsmmu_cfgc_gen(s);
        x = g->x;
        vsmmu_cfgc_insert_gen(s, &x, cg);
    }
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S1, .world = VSMMU_WORLD_NS_EL1,
                               .s2_valid = x.ste.s2, .vmid = x.ste.s2 ? x.ste.s2cfg.vmid : 0,
                               .asid = x.cd.s1.asid };
    struct vsmmu_tlb_ent e;
    if (vsmmu_tlb_lookup(s, &k, va, &e) && (e.perm & VSMMU_PERM_R))
        return e.out_base + (va - e.in_base);
    uint64_t gen = vsmmu_tlb_gen(s);
    struct vsmmu_walk_req r = { .s1 = &x.cd.s1, .s2 = x.ste.s2 ? &x.ste.s2cfg : NULL,
                                .addr = va, .access = 0 };
    if (g->s2_hooks) {
        r.s2_cache = vsmmu_tlb_s2_lookup;
        r.s2_cache_insert = vsmmu_tlb_s2_insert;
    }
    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    if (vsmmu_walk(s, &r, &o, &f))
        return ~UINT64_C(0);
    g->misses++;
    g->reads += o.desc_reads;
    uint64_t msk = (UINT64_C(1) << o.size_log2) - 1;
    struct vsmmu_tlb_ent ne = {
        .in_base = va & ~msk, .out_base = o.oa & ~msk, .size_log2 = o.size_log2,
        .level = o.level, .perm = o.perm, .memattr = o.memattr, .sh = o.sh,
        .global = o.global, .granule_log2 = 12, .s1_size_log2 = o.s1_size_log2,
        .s2_size_log2 = o.s2_size_log2, .ipa = o.ipa & ~msk,
    };
    vsmmu_tlb_insert_gen(s, &k, &ne, gen);
    return o.oa;
}

/* ---- results ---------------------------------------------------------------------- */

struct results {
    double hit_ns, s1_miss_ns, s1_miss_reads, nested_miss_ns;
    double nested_miss_reads_cold, nested_miss_reads_warm, block_hit_ns;
    double tlbi_page_ns[3], tlbi_range_1g_ns, tlbi_storm_1g_ns, tlbi_asid_ns;
    double threads2_speedup;
    double accel_calls_per_sync;    /* < 0: not measured */
    bool quick;
    bool api;                   /* --api: cache interface + walker, no pipeline */
};

/* ---- translation benchmarks ------------------------------------------------------ */

static double hit_loop(struct bguest *g, uint64_t iters, uint64_t seed)
{
    uint64_t sink = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t p = (i * 37 + seed) & (HOT - 1);
        sink += bg_xlate(g, VA_BASE + p * K4 + (i & 0xff8));
    }
    uint64_t t1 = now_ns();
    g->sink += sink;
    return (double)(t1 - t0) / (double)iters;
}

static int bench_hit(struct results *R)
{
    struct bguest g;
    if (bg_open(&g, 0, HOT, 16384))
        return -1;
    for (unsigned i = 0; i < HOT; i++)
        bg_xlate(&g, VA_BASE + i * K4);
    uint64_t iters = R->quick ? 200000 : 5000000;
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double v = hit_loop(&g, iters, (uint64_t)rep);
        if (v < best)
            best = v;
    }
    R->hit_ns = best;
    bg_close(&g);
    return 0;
}

/* Random translations over npages; per-miss time = (total - hits x hit
 * cost) / misses, with the hit cost measured in the same state. */
static int bench_miss(struct results *R, bool nested)
{
    struct bguest g;
    unsigned npages = R->quick ? 16384 : NPAGES;
    uint32_t cap = R->quick ? 4096 : 16384;
    if (bg_open(&g, nested ? 2 : 0, npages, cap))
        return -1;
    uint64_t x = 0x1234567;
    if (nested) {
        /* cold: no stage-2 entries — every table IPA walks stage 2 */
        g.s2_hooks = false;
        for (unsigned i = 0; i < 2000; i++)
            bg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
        R->nested_miss_reads_cold = (double)g.reads / (double)(g.misses ? g.misses : 1);
        g.s2_hooks = true;
        for (unsigned i = 0; i < 20000; i++)         /* warm the table IPAs */
            bg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
    } else {
        for (unsigned i = 0; i < cap; i++)
            bg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
    }
    uint64_t iters = R->quick ? 50000 : 1000000;
    g.misses = g.reads = 0;
    uint64_t sink = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++)
        sink += bg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
    uint64_t t1 = now_ns();
    g.sink += sink;
    uint64_t misses = g.misses, reads = g.reads;
    /* hit cost in this state: translate a just-inserted page repeatedly */
    uint64_t hv = VA_BASE + (xs(&x) % npages) * K4;
    bg_xlate(&g, hv);
    uint64_t h0 = now_ns();
    for (uint64_t i = 0; i < iters / 4; i++)
        sink += bg_xlate(&g, hv + (i & 0xff8));
    double hit = (double)(now_ns() - h0) / (double)(iters / 4);
    g.sink += sink;
    double total = (double)(t1 - t0);
    double per_miss = misses ? (total - (double)(iters - misses) * hit) / (double)misses : 0;
    if (nested) {
        R->nested_miss_ns = per_miss;
        R->nested_miss_reads_warm = (double)reads / (double)(misses ? misses : 1);
    } else {
        R->s1_miss_ns = per_miss;
        R->s1_miss_reads = (double)reads / (double)(misses ? misses : 1);
    }
    bg_close(&g);
    return 0;
}

static int bench_block(struct results *R)
{
    struct bguest g;
    if (bg_open(&g, 1, 0, 16384))
        return -1;
    for (unsigned i = 0; i < 512; i++)
        bg_xlate(&g, VA_BASE + i * M2);
    uint64_t iters = R->quick ? 200000 : 5000000;
    uint64_t x = 77, sink = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++)
        sink += bg_xlate(&g, VA_BASE + (xs(&x) & (G1 - 1)));
    R->block_hit_ns = (double)(now_ns() - t0) / (double)iters;
    g.sink += sink;
    bg_close(&g);
    return 0;
}

/* ---- threads ------------------------------------------------------------------------- */

struct thr {
    struct bguest *g;
    uint64_t iters, seed;
    pthread_barrier_t *bar;
};

static void *thr_main(void *arg)
{
    struct thr *t = arg;
    struct bguest local = *t->g;       /* private counters; shared instance */
    pthread_barrier_wait(t->bar);
    hit_loop(&local, t->iters, t->seed);
    t->g->sink += 0;
    return NULL;
}

static double run_threads(struct bguest *g, int n, uint64_t iters)
{
    pthread_t th[2];
    struct thr a[2];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        a[i] = (struct thr){ .g = g, .iters = iters, .seed = (uint64_t)i * 64, .bar = &bar };
        pthread_create(&th[i], NULL, thr_main, &a[i]);
    }
    uint64_t t0 = wall_ns();
    pthread_barrier_wait(&bar);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    uint64_t t1 = wall_ns();
    pthread_barrier_destroy(&bar);
    return (double)(t1 - t0);
}

static int bench_threads(struct results *R)
{
    struct bguest g;
    if (bg_open(&g, 0, HOT, 16384))
        return -1;
    for (unsigned i = 0; i < HOT; i++)
        bg_xlate(&g, VA_BASE + i * K4);
    uint64_t iters = R->quick ? 200000 : 5000000;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t1 = run_threads(&g, 1, iters);
        double t2 = run_threads(&g, 2, iters);
        double sp = 2.0 * t1 / t2;
        if (sp > best)
            best = sp;
    }
    R->threads2_speedup = best;
    bg_close(&g);
    return 0;
}

/* ---- invalidation benchmarks --------------------------------------------------------- */

static struct vsmmu *tlbi_instance(struct kit_mem **mo, uint32_t cap)
{
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 16);
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.tlb_entries = cap;
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    if (vsmmu_create(&c, &ops, &s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu-bench: create: %s\n", err);
        kit_mem_free(m);
        return NULL;
    }
    *mo = m;
    return s;
}

static void ins_page(struct vsmmu *s, uint16_t asid, uint64_t va)
{
    struct vsmmu_tlb_key k = { .kind = VSMMU_TLB_S1, .world = VSMMU_WORLD_NS_EL1,
                               .vmid = 1, .asid = asid };
    struct vsmmu_tlb_ent e = { .in_base = va, .out_base = va ^ PA_OUT, .size_log2 = 12,
                               .level = 3, .perm = 0x3f, .memattr = 0xff, .sh = 3,
                               .granule_log2 = 12 };
    vsmmu_tlb_insert(s, &k, &e);
}

static void tlbi_va(struct vsmmu *s, uint16_t asid, uint64_t va, uint64_t size, bool range)
{
    struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_VA, .vmid = 1, .asid = asid, .addr = va,
                            .size = size, .leaf = true, .tg_log2 = range ? 12 : 0 };
    vsmmu_tlb_invalidate(s, &t);
}

/* Page i of a sparse layout: 4 pages per 2 MiB, spread over many GiBs. */
static uint64_t sparse_va(uint64_t i)
{
    return VA_BASE + i * K4;
}

static int bench_tlbi_page(struct results *R)
{
    static const uint32_t caps[3] = { 1024, 16384, 65536 };
    for (int c = 0; c < 3; c++) {
        struct kit_mem *m;
        struct vsmmu *s = tlbi_instance(&m, caps[c]);
        if (!s)
            return -1;
        for (uint64_t i = 0; i < caps[c]; i++)
            ins_page(s, 1, sparse_va(i));
        unsigned batch = 512;
        unsigned rounds = R->quick ? 16 : 64;
        uint64_t x = 99, total = 0, n = 0;
        uint64_t pick[512];
        for (unsigned r = 0; r < rounds; r++) {
            for (unsigned b = 0; b < batch; b++)
                pick[b] = sparse_va(xs(&x) % caps[c]);
            uint64_t t0 = now_ns();
            for (unsigned b = 0; b < batch; b++)
                tlbi_va(s, 1, pick[b], K4, false);
            total += now_ns() - t0;
            n += batch;
            for (unsigned b = 0; b < batch; b++)        /* refill (untimed) */
                ins_page(s, 1, pick[b]);
        }
        R->tlbi_page_ns[c] = (double)total / (double)n;
        vsmmu_destroy(s);
        kit_mem_free(m);
    }
    return 0;
}

static int bench_tlbi_1g(struct results *R)
{
    const uint64_t npg = G1 / K4;       /* 262,144 */
    struct kit_mem *m;
    struct vsmmu *s = tlbi_instance(&m, (uint32_t)npg);
    if (!s)
        return -1;
    unsigned reps = R->quick ? 1 : 3;
    double best_range = 1e30, best_storm = 1e30;
    for (unsigned r = 0; r < reps; r++) {
        for (uint64_t i = 0; i < npg; i++)
            ins_page(s, 1, VA_BASE + i * K4);
        /* one RIL command: TG=4K, SCALE/NUM giving 1 GiB */
        uint64_t t0 = now_ns();
        tlbi_va(s, 1, VA_BASE, G1, true);
        double v = (double)(now_ns() - t0);
        if (v < best_range)
            best_range = v;
        if (vsmmu_tlb_count(s) != 0)
            fprintf(stderr, "vsmmu-bench: range TLBI left %u entries\n", vsmmu_tlb_count(s));

        for (uint64_t i = 0; i < npg; i++)
            ins_page(s, 1, VA_BASE + i * K4);
        t0 = now_ns();
        for (uint64_t i = 0; i < npg; i++)
            tlbi_va(s, 1, VA_BASE + i * K4, K4, false);
        v = (double)(now_ns() - t0);
        if (v < best_storm)
            best_storm = v;
    }
    R->tlbi_range_1g_ns = best_range;
    R->tlbi_storm_1g_ns = best_storm;
    vsmmu_destroy(s);
    kit_mem_free(m);
    return 0;
}

static int bench_tlbi_asid(struct results *R)
{
    struct kit_mem *m;
    struct vsmmu *s = tlbi_instance(&m, 16384);
    if (!s)
        return -1;
    /* 64 ASIDs x 256 pages; time NH_ASID of one, refill it (untimed) */
    for (uint16_t a = 0; a < 64; a++)
        for (uint64_t i = 0; i < 256; i++)
            ins_page(s, (uint16_t)(a + 1), sparse_va(i));
    unsigned rounds = R->quick ? 16 : 256;
    uint64_t total = 0;
    for (unsigned r = 0; r < rounds; r++) {
        uint16_t asid = (uint16_t)(r % 64 + 1);
        struct vsmmu_tlbi t = { .op = VSMMU_TLBI_NH_ASID, .vmid = 1, .asid = asid };
        uint64_t t0 = now_ns();
        vsmmu_tlb_invalidate(s, &t);
        total += now_ns() - t0;
        for (uint64_t i = 0; i < 256; i++)
            ins_page(s, asid, sparse_va(i));
    }
    R->tlbi_asid_ns = (double)total / rounds;
    vsmmu_destroy(s);
    kit_mem_free(m);
    return 0;
}

/* ---- pipeline mode: vsmmu_translate() and the command queue ------------------------ */

/* A guest programmed as a driver would (kit/drv: probe, reset, stream table,
 * queues), StreamID 0 translating through stage 1 or nested, tables from
 * kit/ptb, STE/CD from kit/stecd, invalidations as commands + CMD_SYNC. */
struct pguest {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_drv d;
    struct kit_ptb s1, s2;
    uint64_t sink;
};

static void pg_close(struct pguest *g)
{
    if (g->s)
        vsmmu_destroy(g->s);
    if (g->m)
        kit_mem_free(g->m);
    memset(g, 0, sizeof(*g));
}

/* mode: 0 stage-1 4K pages over npages, 1 stage-1 2M blocks over 1 GiB,
 * 2 nested (S1 4K over S2 4K) over npages. */
static int pg_open(struct pguest *g, int mode, unsigned npages, uint32_t tlb_entries)
{
    memset(g, 0, sizeof(*g));
    g->m = kit_mem_new();
    if (!g->m || kit_mem_add(g->m, RAM_BASE, RAM_SIZE))
        return -1;
    kit_mem_alloc(g->m, 0x10000, 0x10000);
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.oas_bits = 48;
    c.tlb_entries = tlb_entries;
    struct vsmmu_host_ops ops;
    kit_mem_ops(g->m, &ops, true);
    char err[256];
    if (vsmmu_create(&c, &ops, &g->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu-bench: create: %s\n", err);
        return -1;
    }
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.sid_bits = 8;
    if (kit_drv_probe(&g->d, g->s, g->m) || kit_drv_reset(&g->d, &o)) {
        fprintf(stderr, "vsmmu-bench: driver: %s\n", g->d.err);
        return -1;
    }
    bool nested = mode == 2;
    if (kit_ptb_init_s1(&g->s1, g->m, 12, 16))
        return -1;
    if (nested) {
        g->s1.delta = IPA_TABLES;
        if (kit_ptb_init_s2(&g->s2, g->m, 12, 2, 16))
            return -1;
    }
    if (mode == 1) {
        if (kit_ptb_map(&g->s1, VA_BASE, PA_OUT, G1, 2, S1_ATTR))
            return -1;
    } else {
        uint64_t out = nested ? IPA_OUT : PA_OUT;
        for (unsigned i = 0; i < npages; i++)
            if (kit_ptb_map(&g->s1, VA_BASE + i * K4, out + i * K4, K4, 3, S1_ATTR))
                return -1;
    }
    if (nested &&
        (kit_ptb_map(&g->s2, IPA_TABLES + RAM_BASE, RAM_BASE, RAM_SIZE, 3, S2_ATTR) ||
         kit_ptb_map(&g->s2, IPA_OUT, PA_OUT, (uint64_t)npages * K4, 3, S2_ATTR)))
        return -1;
    uint64_t cdpa = kit_mem_alloc(g->m, 64, 64);
    struct kit_cd cd;
    kit_cd_s1(&cd, kit_ptb_ttb(&g->s1), 48, 1);
    uint64_t raw[8];
    kit_cd_encode(&cd, raw);
    kit_write8(g->m, cdpa, raw);
    struct kit_ste f;
    if (nested) {
        kit_ste_s2(&f, kit_ptb_ttb(&g->s2), 48, 1);
        f.config = KIT_CFG_NESTED;
        f.s1ctxptr = cdpa + IPA_TABLES;
    } else {
        kit_ste_s1(&f, cdpa);
    }
    kit_ste_encode(&f, raw);
    return kit_drv_install_ste(&g->d, 0, raw) ? -1 : 0;
}

static inline uint64_t pg_xlate(struct pguest *g, uint64_t va)
{
    struct vsmmu_txn t = { .sid = 0, .addr = va };
    struct vsmmu_result r;
    vsmmu_translate(g->s, &t, &r);
    return r.out_addr;
}

static double p_hit_loop(struct pguest *g, uint64_t iters, uint64_t seed)
{
    uint64_t sink = 0;
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t p = (i * 37 + seed) & (HOT - 1);
        sink += pg_xlate(g, VA_BASE + p * K4 + (i & 0xff8));
    }
    uint64_t t1 = now_ns();
    g->sink += sink;
    return (double)(t1 - t0) / (double)iters;
}

static int p_hit(struct results *R)
{
    struct pguest g;
    if (pg_open(&g, 0, HOT, 16384))
        return -1;
    for (unsigned i = 0; i < HOT; i++)
        pg_xlate(&g, VA_BASE + i * K4);
    uint64_t iters = R->quick ? 200000 : 5000000;
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double v = p_hit_loop(&g, iters, (uint64_t)rep);
        if (v < best)
            best = v;
    }
    R->hit_ns = best;
    pg_close(&g);
    return 0;
}

static int p_block(struct results *R)
{
    struct pguest g;
    if (pg_open(&g, 1, 0, 16384))
        return -1;
    for (unsigned i = 0; i < 512; i++)
        pg_xlate(&g, VA_BASE + i * M2);
    uint64_t iters = R->quick ? 200000 : 5000000;
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        uint64_t x = 77 + (uint64_t)rep, sink = 0;
        uint64_t t0 = now_ns();
        for (uint64_t i = 0; i < iters; i++)
            sink += pg_xlate(&g, VA_BASE + (xs(&x) & (G1 - 1)));
        double v = (double)(now_ns() - t0) / (double)iters;
        g.sink += sink;
        if (v < best)
            best = v;
    }
    R->block_hit_ns = best;
    pg_close(&g);
    return 0;
}

static void stats_of(struct vsmmu *s, uint64_t *misses, uint64_t *reads)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    *misses = st.tlb_misses;
    *reads = st.desc_reads;
}

static int p_miss(struct results *R, bool nested)
{
    struct pguest g;
    unsigned npages = R->quick ? 16384 : NPAGES;
    uint32_t cap = R->quick ? 4096 : 16384;
    if (pg_open(&g, nested ? 2 : 0, npages, cap))
        return -1;
    uint64_t x = 0x1234567, m0, r0, m1, r1;
    if (nested) {
        /* cold: right after VMALLS12E1 nothing of the VMID is cached; each
         * miss walks stage 2 for every table IPA */
        uint64_t c[2];
        kit_cmd_tlbi_s12_vmall(c, 1);
        uint64_t misses = 0, reads = 0;
        for (unsigned i = 0; i < 200; i++) {
            kit_drv_cmd(&g.d, c);
            stats_of(g.s, &m0, &r0);
            pg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
            stats_of(g.s, &m1, &r1);
            misses += m1 - m0;
            reads += r1 - r0;
        }
        R->nested_miss_reads_cold = (double)reads / (double)(misses ? misses : 1);
    }
    for (unsigned i = 0; i < 4 * cap; i++)          /* warm (tables' IPAs too) */
        pg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
    uint64_t iters = R->quick ? 50000 : 1000000;
    uint64_t sink = 0;
    stats_of(g.s, &m0, &r0);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < iters; i++)
        sink += pg_xlate(&g, VA_BASE + (xs(&x) % npages) * K4);
    uint64_t t1 = now_ns();
    stats_of(g.s, &m1, &r1);
    uint64_t misses = m1 - m0, reads = r1 - r0;
    /* hit cost in this state, to separate the misses' share */
    uint64_t hv = VA_BASE + (xs(&x) % npages) * K4;
    pg_xlate(&g, hv);
    uint64_t h0 = now_ns();
    for (uint64_t i = 0; i < iters / 4; i++)
        sink += pg_xlate(&g, hv + (i & 0xff8));
    double hit = (double)(now_ns() - h0) / (double)(iters / 4);
    g.sink += sink;
    double per_miss = misses ? ((double)(t1 - t0) - (double)(iters - misses) * hit) /
                               (double)misses : 0;
    double rpm = (double)reads / (double)(misses ? misses : 1);
    if (nested) {
        R->nested_miss_ns = per_miss;
        R->nested_miss_reads_warm = rpm;
    } else {
        R->s1_miss_ns = per_miss;
        R->s1_miss_reads = rpm;
    }
    pg_close(&g);
    return 0;
}

struct pthr {
    struct pguest *g;
    uint64_t iters, seed;
    pthread_barrier_t *bar;
};

static void *p_thr_main(void *arg)
{
    struct pthr *t = arg;
    struct pguest local = *t->g;       /* private sink; shared instance */
    pthread_barrier_wait(t->bar);
    p_hit_loop(&local, t->iters, t->seed);
    return NULL;
}

static double p_run_threads(struct pguest *g, int n, uint64_t iters)
{
    pthread_t th[2];
    struct pthr a[2];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)n + 1);
    for (int i = 0; i < n; i++) {
        a[i] = (struct pthr){ .g = g, .iters = iters, .seed = (uint64_t)i * 64, .bar = &bar };
        pthread_create(&th[i], NULL, p_thr_main, &a[i]);
    }
    uint64_t t0 = wall_ns();
    pthread_barrier_wait(&bar);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    uint64_t t1 = wall_ns();
    pthread_barrier_destroy(&bar);
    return (double)(t1 - t0);
}

static int p_threads(struct results *R)
{
    struct pguest g;
    if (pg_open(&g, 0, HOT, 16384))
        return -1;
    for (unsigned i = 0; i < HOT; i++)
        pg_xlate(&g, VA_BASE + i * K4);
    uint64_t iters = R->quick ? 200000 : 5000000;
    double best = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t1 = p_run_threads(&g, 1, iters);
        double t2 = p_run_threads(&g, 2, iters);
        double sp = 2.0 * t1 / t2;
        if (sp > best)
            best = sp;
    }
    R->threads2_speedup = best;
    pg_close(&g);
    return 0;
}

/* One-page TLBI_NH_VA commands (batches of 64 + CMD_SYNC) with the cache
 * full of 4K entries of the guest's pages. */
static int p_tlbi_page(struct results *R)
{
    static const uint32_t caps[3] = { 1024, 16384, 65536 };
    for (int ci = 0; ci < 3; ci++) {
        struct pguest g;
        uint32_t cap = caps[ci];
        if (pg_open(&g, 0, cap, cap))
            return -1;
        for (uint64_t i = 0; i < cap; i++)
            pg_xlate(&g, VA_BASE + i * K4);
        enum { B = 64 };
        uint64_t cmds[B][2], pick[B];
        unsigned rounds = R->quick ? 32 : 512;
        uint64_t x = 99, total = 0, n = 0;
        for (unsigned r = 0; r < rounds; r++) {
            for (unsigned b = 0; b < B; b++) {
                pick[b] = VA_BASE + (xs(&x) % cap) * K4;
                struct kit_tlbi_range rr = { .addr = pick[b], .leaf = true };
                kit_cmd_tlbi_nh_va(cmds[b], 0, 1, &rr);
            }
            uint64_t t0 = now_ns();
            kit_drv_submit(&g.d, (const uint64_t (*)[2])cmds, B, true);
            if (r)                       /* the first round warms up */
                total += now_ns() - t0, n += B;
            for (unsigned b = 0; b < B; b++)        /* refill (untimed) */
                pg_xlate(&g, pick[b]);
        }
        R->tlbi_page_ns[ci] = (double)total / (double)n;
        pg_close(&g);
    }
    return 0;
}

static int p_tlbi_1g(struct results *R)
{
    const uint64_t npg = G1 / K4;       /* 262,144 */
    struct pguest g;
    if (pg_open(&g, 0, (unsigned)npg, (uint32_t)npg))
        return -1;
    uint64_t (*cmds)[2] = calloc(npg, sizeof(*cmds));
    if (!cmds)
        return -1;
    unsigned reps = R->quick ? 1 : 3;
    double best_range = 1e30, best_storm = 1e30;
    for (unsigned r = 0; r < reps; r++) {
        for (uint64_t i = 0; i < npg; i++)
            pg_xlate(&g, VA_BASE + i * K4);
        /* one RIL command: TG=4K, SCALE=18, NUM=0 -> 2^18 pages, + CMD_SYNC */
        struct kit_tlbi_range rr = { .addr = VA_BASE, .tg = KIT_TG_4K, .scale = 18,
                                     .num = 0, .leaf = true };
        kit_cmd_tlbi_nh_va(cmds[0], 0, 1, &rr);
        uint64_t t0 = now_ns();
        kit_drv_submit(&g.d, (const uint64_t (*)[2])cmds, 1, true);
        double v = (double)(now_ns() - t0);
        if (v < best_range)
            best_range = v;
        if (vsmmu_tlb_count(g.s) != 0)
            fprintf(stderr, "vsmmu-bench: range TLBI left %u entries\n", vsmmu_tlb_count(g.s));

        for (uint64_t i = 0; i < npg; i++)
            pg_xlate(&g, VA_BASE + i * K4);
        for (uint64_t i = 0; i < npg; i++) {
            struct kit_tlbi_range pr = { .addr = VA_BASE + i * K4, .leaf = true };
            kit_cmd_tlbi_nh_va(cmds[i], 0, 1, &pr);
        }
        t0 = now_ns();
        kit_drv_submit(&g.d, (const uint64_t (*)[2])cmds, (unsigned)npg, true);
        v = (double)(now_ns() - t0);
        if (v < best_storm)
            best_storm = v;
    }
    free(cmds);
    R->tlbi_range_1g_ns = best_range;
    R->tlbi_storm_1g_ns = best_storm;
    pg_close(&g);
    return 0;
}

/* TLBI_NH_ASID + CMD_SYNC of one of 64 ASIDs (256 pages each) in a full
 * 16Ki-entry cache. The 64 address spaces are 64 substreams of SID 0 over
 * the same tables, each CD with its own ASID. */
static int p_tlbi_asid(struct results *R)
{
    struct pguest g;
    if (pg_open(&g, 0, 256, 16384))
        return -1;
    /* re-point SID 0 at a 64-entry CD table: CD i has ASID i + 1 */
    uint64_t cdt = kit_mem_alloc(g.m, 64 * 64, 64);
    for (unsigned i = 0; i < 64; i++) {
        struct kit_cd cd;
        kit_cd_s1(&cd, kit_ptb_ttb(&g.s1), 48, i + 1);
        uint64_t raw[8];
        kit_cd_encode(&cd, raw);
        kit_write8(g.m, cdt + 64 * i, raw);
    }
    struct kit_ste f;
    kit_ste_s1(&f, cdt);
    f.s1cdmax = 6;
    uint64_t raw[8];
    kit_ste_encode(&f, raw);
    kit_drv_install_ste(&g.d, 0, raw);
    struct vsmmu_txn t = { .sid = 0, .flags = VSMMU_TXN_SSV };
    struct vsmmu_result res;
    for (unsigned a = 0; a < 64; a++)
        for (uint64_t i = 0; i < 256; i++) {
            t.ssid = a;
            t.addr = VA_BASE + i * K4;
            vsmmu_translate(g.s, &t, &res);
        }
    unsigned rounds = R->quick ? 16 : 256;
    uint64_t total = 0;
    for (unsigned r = 0; r < rounds; r++) {
        unsigned a = r % 64;
        uint64_t c[2];
        kit_cmd_tlbi_nh_asid(c, 0, (uint16_t)(a + 1));
        uint64_t t0 = now_ns();
        kit_drv_cmd(&g.d, c);
        total += now_ns() - t0;
        for (uint64_t i = 0; i < 256; i++) {
            t.ssid = a;
            t.addr = VA_BASE + i * K4;
            vsmmu_translate(g.s, &t, &res);
        }
    }
    R->tlbi_asid_ns = (double)total / rounds;
    pg_close(&g);
    return 0;
}

/* ---- accelerated mode: backend calls per CMD_SYNC --------------------------------- */

/* A guest vSMMU fronting one soft backend (a second instance as the host
 * SMMU with its own stage 2); the guest driver issues batches of 64
 * TLBI_NH_VA + CMD_SYNC for a passthrough device. Forwarded invalidations
 * are batched per backend and flushed at the sync: calls per sync = 1. */
static int p_accel(struct results *R)
{
    const uint64_t GPA = 0x40000000, HPA = 0x80000000, GRAM = 8u << 20;
    int rc = -1;
    struct kit_mem *hm = kit_mem_new(), *gm = kit_mem_new();
    struct vsmmu *h = NULL, *g = NULL;
    struct vsmmu_accel_backend *be = NULL;
    char err[200];
    if (!hm || !gm || kit_mem_add(hm, 0, 4u << 20) || kit_mem_add(gm, GPA, GRAM))
        goto out;
    struct vsmmu_config hc;
    vsmmu_config_profile(&hc, "full-v3.2");
    struct vsmmu_host_ops ops;
    kit_mem_ops(hm, &ops, false);
    if (vsmmu_create(&hc, &ops, &h, err, sizeof(err)))
        goto out;
    struct kit_ptb s2;
    if (kit_ptb_init_s2(&s2, hm, 12, 1, 32) ||
        kit_ptb_map(&s2, GPA, HPA, GRAM, 2, PTE_S2AP_R | PTE_S2AP_W | PTE_AF |
                    FIELD_PREP(PTE_S2_MEMATTR, 0xf) | FIELD_PREP(PTE_SH, 3)))
        goto out;
    uint64_t mem = kit_mem_alloc(hm, vsmmu_soft_mem_size(h), 0x10000);
    struct vsmmu_soft_cfg sc = {
        .host = h, .mem_pa = mem, .mem_len = vsmmu_soft_mem_size(h),
        .mem = kit_mem_ptr(hm, mem, vsmmu_soft_mem_size(h)),
        .s2_ttb = kit_ptb_ttb(&s2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5, .vmid = 7,
    };
    if (vsmmu_soft_backend_new(&sc, &be, err, sizeof(err)))
        goto out;
    struct vsmmu_config gc;
    vsmmu_config_profile(&gc, "qemu-v3.1");
    kit_mem_ops(gm, &ops, false);
    if (vsmmu_create(&gc, &ops, &g, err, sizeof(err)) || vsmmu_accel_add_backend(g, be) != 0)
        goto out;
    be = NULL;                  /* the guest instance owns it now */
    struct vsmmu_accel_dev dev = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 8, .backend = 0,
                                   .host_id = 0x21, .name = "bench" };
    struct kit_drv d;
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    if (vsmmu_accel_attach(g, &dev) || kit_drv_probe(&d, g, gm) || kit_drv_reset(&d, &o))
        goto out;
    struct kit_ptb s1;
    if (kit_ptb_init_s1(&s1, gm, 12, 25))
        goto out;
    uint64_t cdpa = kit_mem_alloc(gm, 64, 64);
    struct kit_cd cd;
    kit_cd_s1(&cd, kit_ptb_ttb(&s1), 39, 3);
    uint64_t raw[8];
    kit_cd_encode(&cd, raw);
    kit_write8(gm, cdpa, raw);
    struct kit_ste f;
    kit_ste_s1(&f, cdpa);
    kit_ste_encode(&f, raw);
    if (kit_drv_install_ste(&d, 8, raw))
        goto out;
    struct vsmmu_accel_stats a0, a1;
    vsmmu_accel_get_stats(g, &a0);
    unsigned rounds = R->quick ? 8 : 128;
    for (unsigned r = 0; r < rounds; r++) {
        uint64_t cmds[64][2];
        for (unsigned i = 0; i < 64; i++) {
            struct kit_tlbi_range rr = { .addr = 0x10000 + (uint64_t)(r * 64 + i) * K4,
                                         .leaf = true };
            kit_cmd_tlbi_nh_va(cmds[i], 0, 3, &rr);
        }
        if (kit_drv_submit(&d, (const uint64_t (*)[2])cmds, 64, true))
            goto out;
    }
    vsmmu_accel_get_stats(g, &a1);
    uint64_t syncs = a1.syncs - a0.syncs;
    R->accel_calls_per_sync = syncs ? (double)(a1.backend_calls - a0.backend_calls) / (double)syncs
                                    : -1;
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "vsmmu-bench: accelerated-mode setup failed\n");
    if (g)
        vsmmu_destroy(g);
    if (be)
        be->ops->release(be->ctx);
    if (h)
        vsmmu_destroy(h);
    kit_mem_free(gm);
    kit_mem_free(hm);
    return rc;
}

/* ---- output -------------------------------------------------------------------------- */

static void print_json(const struct results *R)
{
    char acc[32] = "null";
    if (R->accel_calls_per_sync >= 0)
        snprintf(acc, sizeof(acc), "%.2f", R->accel_calls_per_sync);
    printf("{\"hit_ns\": %.2f, \"s1_miss_ns\": %.1f, \"s1_miss_reads\": %.2f, "
           "\"nested_miss_ns\": %.1f, \"nested_miss_reads_cold\": %.2f, "
           "\"nested_miss_reads_warm\": %.2f, \"block_hit_ns\": %.2f, "
           "\"tlbi_page_ns_1k\": %.1f, \"tlbi_page_ns_16k\": %.1f, \"tlbi_page_ns_64k\": %.1f, "
           "\"tlbi_range_1g_ns\": %.0f, \"tlbi_storm_1g_ns\": %.0f, \"tlbi_asid_ns\": %.1f, "
           "\"threads2_speedup\": %.2f, \"accel_backend_calls_per_sync\": %s, "
           "\"mode\": \"%s\", \"driver\": \"%s\"}\n",
           R->hit_ns, R->s1_miss_ns, R->s1_miss_reads, R->nested_miss_ns,
           R->nested_miss_reads_cold, R->nested_miss_reads_warm, R->block_hit_ns,
           R->tlbi_page_ns[0], R->tlbi_page_ns[1], R->tlbi_page_ns[2], R->tlbi_range_1g_ns,
           R->tlbi_storm_1g_ns, R->tlbi_asid_ns, R->threads2_speedup, acc,
           R->quick ? "quick" : "full", R->api ? "cache-api" : "pipeline");
}

static void print_table(const struct results *R)
{
    printf("vsmmu-bench (%s run, %s)\n", R->quick ? "quick" : "full",
           R->api ? "cache interface + walker" : "vsmmu_translate + command queue");
    printf("  %-34s %12.2f ns\n", "hit (S1 4K, 128-page hot set)", R->hit_ns);
    printf("  %-34s %12.2f ns\n", "block hit (2M blocks over 1G)", R->block_hit_ns);
    printf("  %-34s %12.1f ns  %6.2f reads\n", "S1 miss (random, 64Ki pages)", R->s1_miss_ns,
           R->s1_miss_reads);
    printf("  %-34s %12.1f ns  %6.2f reads (cold %.2f)\n", "nested miss (S1 4K / S2 4K)",
           R->nested_miss_ns, R->nested_miss_reads_warm, R->nested_miss_reads_cold);
    printf("  %-34s %12.1f ns\n", "TLBI page, 1Ki entries", R->tlbi_page_ns[0]);
    printf("  %-34s %12.1f ns\n", "TLBI page, 16Ki entries", R->tlbi_page_ns[1]);
    printf("  %-34s %12.1f ns\n", "TLBI page, 64Ki entries", R->tlbi_page_ns[2]);
    printf("  %-34s %12.0f ns\n", "TLBI range over 1 GiB (one cmd)", R->tlbi_range_1g_ns);
    printf("  %-34s %12.0f ns  (%.0fx the range)\n", "TLBI storm over 1 GiB (262144)",
           R->tlbi_storm_1g_ns, R->tlbi_storm_1g_ns / (R->tlbi_range_1g_ns > 0 ? R->tlbi_range_1g_ns : 1));
    printf("  %-34s %12.1f ns\n", "TLBI ASID (256 of 16Ki entries)", R->tlbi_asid_ns);
    printf("  %-34s %12.2f x\n", "hit throughput, 2 threads vs 1", R->threads2_speedup);
    if (R->accel_calls_per_sync >= 0)
        printf("  %-34s %12.2f\n", "accel backend calls per CMD_SYNC", R->accel_calls_per_sync);
}

static void usage(FILE *f, const char *argv0)
{
    /* `vsmmu-bench` alone, `vsmmu bench` through the CLI */
    const char *base = argv0 ? strrchr(argv0, '/') : NULL;
    base = base ? base + 1 : argv0;
    const char *name = base && !strcmp(base, "vsmmu-bench") ? "vsmmu-bench" : "vsmmu bench";
    fprintf(f, "usage: %s [--json] [--quick] [--api] [--only NAME]\n"
               "  --json       print one JSON object\n"
               "  --quick      short run (CI)\n"
               "  --api        drive the cache interface and the walker directly\n"
               "               (default: vsmmu_translate and the command queue)\n"
               "  --only NAME  one group: hit block miss nested tlbi_page tlbi_1g tlbi_asid\n"
               "               threads accel (the others print as 0)\n", name);
}

int vsmmu_bench_run(int argc, char **argv)
{
    struct results R;
    memset(&R, 0, sizeof(R));
    R.accel_calls_per_sync = -1;
    bool json = false;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = true;
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--quick"))
            R.quick = true;
        else if (!strcmp(argv[i], "--api"))
            R.api = true;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout, argc > 0 ? argv[0] : NULL);
            return 0;
        } else {
            usage(stderr, argc > 0 ? argv[0] : NULL);
            return 2;
        }
    }
#define ONLY(n) (!only || !strcmp(only, n))
    int rc;
    if (R.api)
        rc = (ONLY("hit") && bench_hit(&R)) || (ONLY("block") && bench_block(&R)) ||
             (ONLY("miss") && bench_miss(&R, false)) || (ONLY("nested") && bench_miss(&R, true)) ||
             (ONLY("tlbi_page") && bench_tlbi_page(&R)) || (ONLY("tlbi_1g") && bench_tlbi_1g(&R)) ||
             (ONLY("tlbi_asid") && bench_tlbi_asid(&R)) || (ONLY("threads") && bench_threads(&R));
    else
        rc = (ONLY("hit") && p_hit(&R)) || (ONLY("block") && p_block(&R)) ||
             (ONLY("miss") && p_miss(&R, false)) || (ONLY("nested") && p_miss(&R, true)) ||
             (ONLY("tlbi_page") && p_tlbi_page(&R)) || (ONLY("tlbi_1g") && p_tlbi_1g(&R)) ||
             (ONLY("tlbi_asid") && p_tlbi_asid(&R)) || (ONLY("threads") && p_threads(&R)) ||
             (ONLY("accel") && p_accel(&R));
    if (rc) {
        fprintf(stderr, "vsmmu-bench: setup failed\n");
        return 2;
    }
    if (json)
        print_json(&R);
    else
        print_table(&R);
    return 0;
}
