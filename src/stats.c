/* SPDX-License-Identifier: MIT */
/*
 * Counters. vsmmu_translate runs on many threads; a shared atomic counter
 * bumped on every translation makes every core fight for one cache line
 * and serialises each hit on a locked instruction. Instead each counting
 * thread claims a shard (a private copy of struct vsmmu_stats) of the
 * instance and updates it with plain relaxed load/store — it is the only
 * writer. vsmmu_get_stats sums the shared part and every shard. Threads
 * beyond the shard count use the shared part with atomic adds.
 *
 * The one thread-local (vsmmu_stat_tl) only caches which shard of which
 * instance the thread owns; all counts live in the instance.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define NSHARDS 32

struct vsmmu_stat_shard {
    uintptr_t owner;            /* thread token (address of its vsmmu_stat_tl); 0 free */
    struct vsmmu_stats st;
} __attribute__((aligned(64)));

_Thread_local struct vsmmu_stat_tl vsmmu_stat_tl __attribute__((tls_model("initial-exec")));

#define NWORDS (sizeof(struct vsmmu_stats) / sizeof(uint64_t))

int vsmmu_stats_init(struct vsmmu *s)
{
    s->shards = aligned_alloc(64, NSHARDS * sizeof(*s->shards));
    if (!s->shards)
        return -1;
    memset(s->shards, 0, NSHARDS * sizeof(*s->shards));
    /* Distinguishes this instance from an earlier one at the same address
     * in other threads' cached vsmmu_stat_tl. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    s->stat_id = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) | 1;
    return 0;
}

void vsmmu_stats_fini(struct vsmmu *s)
{
    free(s->shards);
    s->shards = NULL;
}

void vsmmu_stat_add_slow(struct vsmmu *s, size_t off, uint64_t n)
{
    uintptr_t me = (uintptr_t)&vsmmu_stat_tl;
    struct vsmmu_stat_shard *sh = NULL;
    for (unsigned i = 0; i < NSHARDS && !sh; i++)
        if (__atomic_load_n(&s->shards[i].owner, __ATOMIC_RELAXED) == me)
            sh = &s->shards[i];
    for (unsigned i = 0; i < NSHARDS && !sh; i++) {
        uintptr_t zero = 0;
        if (__atomic_compare_exchange_n(&s->shards[i].owner, &zero, me, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
            sh = &s->shards[i];
    }
    if (!sh) {
        uint64_t *p = (uint64_t *)((char *)&s->stats + off);
        __atomic_fetch_add(p, n, __ATOMIC_RELAXED);
        return;
    }
    vsmmu_stat_tl.s = s;
    vsmmu_stat_tl.id = s->stat_id;
    vsmmu_stat_tl.slot = &sh->st;
    uint64_t *p = (uint64_t *)((char *)&sh->st + off);
    __atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

void vsmmu_get_stats(const struct vsmmu *s, struct vsmmu_stats *st)
{
    if (!s || !st)
        return;
    uint64_t sum[NWORDS];
    const uint64_t *src = (const uint64_t *)&s->stats;
    for (size_t i = 0; i < NWORDS; i++)
        sum[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
    for (unsigned k = 0; k < NSHARDS; k++) {
        if (!__atomic_load_n(&s->shards[k].owner, __ATOMIC_RELAXED))
            continue;
        const uint64_t *sh = (const uint64_t *)&s->shards[k].st;
        for (size_t i = 0; i < NWORDS; i++)
            sum[i] += __atomic_load_n(&sh[i], __ATOMIC_RELAXED);
    }
    memcpy(st, sum, sizeof(*st));
}

void vsmmu_reset_stats(struct vsmmu *s)
{
    if (!s)
        return;
    uint64_t *dst = (uint64_t *)&s->stats;
    for (size_t i = 0; i < NWORDS; i++)
        __atomic_store_n(&dst[i], 0, __ATOMIC_RELAXED);
    /* A thread counting concurrently may put back a pre-reset value of the
     * one counter it is updating: resetting while translating is fuzzy. */
    for (unsigned k = 0; k < NSHARDS; k++) {
        uint64_t *sh = (uint64_t *)&s->shards[k].st;
        for (size_t i = 0; i < NWORDS; i++)
            __atomic_store_n(&sh[i], 0, __ATOMIC_RELAXED);
    }
}
