/* SPDX-License-Identifier: MIT */
/* Walker: concurrent walkers racing on the same descriptors. Whatever the
 * interleaving, each AF=0 page is updated exactly once (the loser of the
 * compare-and-swap re-reads a descriptor that needs no update), every
 * dirty update happens exactly once, and every walk succeeds. */
#include <pthread.h>
#include "walk_common.h"

#define NPAGES 2048
#define NTHREADS 2

struct arg {
    struct wt *w;
    const struct vsmmu_s1_cfg *c;
    unsigned fails;
    uint32_t access;
};

static void *worker(void *p)
{
    struct arg *a = p;
    for (unsigned i = 0; i < NPAGES; i++) {
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        uint64_t va = 0x100000 + 0x1000 * (uint64_t)i;
        if (wt_walk(a->w, a->c, NULL, va, a->access, &o, &f) != 0 ||
            o.oa != 0x80000000 + 0x1000 * (uint64_t)i)
            a->fails++;
    }
    return NULL;
}

static void run(uint32_t access, uint64_t attrs, uint64_t expect_set, uint64_t expect_clear)
{
    struct vsmmu_config cf;
    vsmmu_config_default(&cf);
    cf.oas_bits = 48;
    struct wt w;
    memset(&w, 0, sizeof(w));
    w.cfg = cf;
    w.m = kit_mem_new();
    kit_mem_add(w.m, T_RAM_BASE, T_RAM_SIZE);
    struct vsmmu_host_ops ops;
    kit_mem_ops(w.m, &ops, true);     /* RAM regions: native atomics */
    char err[256];
    if (vsmmu_create(&w.cfg, &ops, &w.s, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
    struct kit_ptb p;
    REQUIRE(kit_ptb_init_s1(&p, w.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&p, 0x100000, 0x80000000, NPAGES * 0x1000, 3, attrs) == 0);
    struct vsmmu_s1_cfg c = wt_s1(&p, 25);
    c.ha = c.hd = true;
    pthread_t th[NTHREADS];
    struct arg a[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        a[i] = (struct arg){ .w = &w, .c = &c, .access = access };
        pthread_create(&th[i], NULL, worker, &a[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ(a[i].fails, 0);
    }
    struct vsmmu_stats st;
    vsmmu_get_stats(w.s, &st);
    CHECK_EQ(st.httu_updates, NPAGES);
    for (unsigned i = 0; i < NPAGES; i++) {
        uint64_t d = kit_ptb_get(&p, kit_ptb_desc_pa(&p, 0x100000 + 0x1000 * (uint64_t)i, 3));
        CHECK_EQ(d & (expect_set | expect_clear), expect_set);
    }
    wt_close(&w);
}

static void concurrent_af(void)
{
    run(RD, FIELD_PREP(PTE_AP, AP_RW), PTE_AF, 0);
}

static void concurrent_dirty(void)
{
    /* AF=0 and writable-clean: one update sets AF and clears AP[2] */
    run(WR, PTE_DBM | FIELD_PREP(PTE_AP, AP_RO), PTE_AF, PTE_AP2);
}

int main(void)
{
    RUN(concurrent_af);
    RUN(concurrent_dirty);
    return t_done();
}
