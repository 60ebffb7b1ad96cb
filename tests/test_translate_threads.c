/* SPDX-License-Identifier: MIT */
/* The pipeline from several threads at once (docs/architecture.md
 * "Threads"): translators hit the caches, fault (events recorded under
 * evtq.lock) and stall (bounded stall table), while the MMIO thread
 * invalidates and ends stalls. Checks outcomes and the stall-table
 * invariants; run under TSan in CI for data races. */
#include <pthread.h>
#include "cfg_common.h"

#define NTHREADS 3
#define ITERS    20000

struct shared {
    struct env e;
    struct kit_ptb p;
    volatile int stop;
    unsigned bad[NTHREADS];
};

struct targ { struct shared *sh; unsigned id; };

static void *worker(void *a)
{
    struct targ *t = a;
    struct env *e = &t->sh->e;
    for (unsigned i = 0; i < ITERS; i++) {
        struct vsmmu_result r;
        switch (i % 4) {
        case 0: case 1:                       /* sid 1: mapped, from the caches */
            r = tx(e, 1, 0x1000 + (i & 0xFF8), 0);
            if (r.outcome != VSMMU_XLATE_OK || r.out_addr != 0xA000 + (i & 0xFF8))
                t->sh->bad[t->id]++;
            break;
        case 2:                               /* sid 1: unmapped -> abort + event */
            r = tx(e, 1, 0x7000, 0);
            if (r.outcome != VSMMU_XLATE_ABORT || r.event[0] != EV_DW0(0x10, 1))
                t->sh->bad[t->id]++;
            break;
        default:                              /* sid 2: stalls, or aborts when full */
            r = tx(e, 2, 0x7000, VSMMU_TXN_WRITE);
            if (r.outcome != VSMMU_XLATE_STALL && r.outcome != VSMMU_XLATE_ABORT)
                t->sh->bad[t->id]++;
            if (r.outcome == VSMMU_XLATE_STALL && !(r.event[1] & (1ull << 31)))
                t->sh->bad[t->id]++;
            break;
        }
    }
    return NULL;
}

static void concurrent_pipeline(void)
{
    static struct shared sh;
    struct vsmmu_config c;
    env_default_cfg(&c);
    c.stall_max = 8;
    env_open_cfg(&sh.e, &c);
    struct env *e = &sh.e;
    uint64_t st = env_linear(e, 4, CR2_RECINV);
    uint64_t cd = kit_mem_alloc(e->m, 128, 64);
    struct kit_cd cf;
    kit_cd_s1(&cf, s1_map_page(e, &sh.p, 0x1000, 0xA000, S1_RW_ALL), 48, 1);
    put_cd(e, cd, &cf);
    cf.s = true;
    put_cd(e, cd + 64, &cf);
    struct kit_ste sf;
    kit_ste_s1(&sf, cd);
    put_ste(e, st + 64, &sf);
    kit_ste_s1(&sf, cd + 64);
    put_ste(e, st + 128, &sf);

    pthread_t th[NTHREADS];
    struct targ ta[NTHREADS];
    for (unsigned i = 0; i < NTHREADS; i++) {
        ta[i] = (struct targ){ &sh, i };
        pthread_create(&th[i], NULL, worker, &ta[i]);
    }
    /* the MMIO thread: invalidations, stall terminations, queue drain */
    uint64_t rec[4];
    for (unsigned i = 0; i < 2000; i++) {
        if (i % 3 == 0)
            vsmmu_stall_term(e->s, 2);
        if (i % 7 == 0)
            vsmmu_cfg_invalidate(e->s, VSMMU_CFGI_STE, 1, 0, 0, true);
        if (i % 11 == 0) {
            struct vsmmu_tlbi op = { .op = VSMMU_TLBI_NH_ALL };
            vsmmu_tlb_invalidate(e->s, &op);
        }
        /* the queue goes off and on: stall records wait and are flushed */
        if (i % 13 == 0)
            w32(e, R_CR0, CR0_EN);
        if (i % 13 == 5) {
            w32(e, R_CR0, CR0_EN | CR0_EVTQEN);
            vsmmu_stall_flush(e->s);
        }
        while (env_event(e, rec))
            ;
        CHECK(vsmmu_stall_count(e->s) <= 8);
    }
    for (unsigned i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (unsigned i = 0; i < NTHREADS; i++)
        CHECK_EQ(sh.bad[i], 0);
    CHECK(vsmmu_stall_count(e->s) <= 8);
    vsmmu_stall_term(e->s, 2);
    CHECK_EQ(vsmmu_stall_count(e->s), 0);
    env_close(e);
}

int main(void)
{
    RUN(concurrent_pipeline);
    return t_done();
}
