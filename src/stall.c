/* SPDX-License-Identifier: MIT */
/* Stalled transactions: a bounded table keyed by STAG (stall.h). */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "stall.h"

int vsmmu_stall_init(struct vsmmu *s)
{
    struct vsmmu_stalls *t = &s->stalls;
    memset(t, 0, sizeof(*t));
    uint32_t n = s->cfg.stall_model == VSMMU_TERM_ONLY ? 0 : s->cfg.stall_max;
    if (n > 0x10000)
        n = 0x10000;                 /* STAG is 16 bits */
    if (n) {
        t->e = calloc(n, sizeof(*t->e));
        if (!t->e)
            return -1;
    }
    t->n = n;
    s->cmdq.hooks.stall_resume = vsmmu_stall_resume;
    s->cmdq.hooks.stall_term = vsmmu_stall_term;
    s->regs.smmuen_cleared = vsmmu_stall_term_all;    /* 6.3.9.6 */
    return 0;
}

void vsmmu_stall_fini(struct vsmmu *s)
{
    free(s->stalls.e);
    s->stalls.e = NULL;
    s->stalls.n = 0;
}

static int stall_alloc(struct vsmmu *s, const struct vsmmu_txn *txn, uint16_t *stag,
                       uint32_t *gen, bool need_smmuen)
{
    struct vsmmu_stalls *t = &s->stalls;
    int rc = -1;
    pthread_mutex_lock(&s->evtq.lock);
    /* CR0ACK is stored under evtq.lock: a translation that saw SMMUEN = 1
     * cannot insert a stall after the SMMUEN 1 -> 0 termination ran. */
    if (need_smmuen && !(reg_load(&s->regs.cr0ack) & CR0_SMMUEN))
        rc = -2;
    else if (t->live < t->n) {
        for (uint32_t k = 0; k < t->n; k++) {
            uint32_t i = (t->next + k) % t->n;
            if (!t->e[i].used) {
                t->e[i] = (struct vsmmu_stall_ent){ .gen = t->e[i].gen + 1, .used = true,
                                                    .txn = *txn };
                if (gen)
                    *gen = t->e[i].gen;
                t->live++;
                t->next = (i + 1) % t->n;
                *stag = (uint16_t)i;
                rc = 0;
                break;
            }
        }
    }
    pthread_mutex_unlock(&s->evtq.lock);
    return rc;
}

int vsmmu_stall_alloc(struct vsmmu *s, const struct vsmmu_txn *txn, uint16_t *stag)
{
    return stall_alloc(s, txn, stag, NULL, false);
}

int vsmmu_stall_alloc_live(struct vsmmu *s, const struct vsmmu_txn *txn, uint16_t *stag,
                           uint32_t *gen)
{
    return stall_alloc(s, txn, stag, gen, true);
}

static void release_locked(struct vsmmu_stalls *t, uint32_t i)
{
    if (t->e[i].pending)
        __atomic_fetch_sub(&t->npending, 1, __ATOMIC_RELAXED);
    t->e[i].used = false;
    t->e[i].pending = false;
    t->live--;
}

void vsmmu_stall_free(struct vsmmu *s, uint16_t stag)
{
    struct vsmmu_stalls *t = &s->stalls;
    pthread_mutex_lock(&s->evtq.lock);
    if (stag < t->n && t->e[stag].used)
        release_locked(t, stag);
    pthread_mutex_unlock(&s->evtq.lock);
}

static void set_pending(struct vsmmu *s, uint16_t stag, const uint32_t *gen,
                        const uint64_t rec[4])
{
    struct vsmmu_stalls *t = &s->stalls;
    pthread_mutex_lock(&s->evtq.lock);
    if (stag < t->n && t->e[stag].used && !t->e[stag].pending &&
        (!gen || t->e[stag].gen == *gen)) {
        memcpy(t->e[stag].rec, rec, sizeof(t->e[stag].rec));
        t->e[stag].pending = true;
        __atomic_fetch_add(&t->npending, 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&s->evtq.lock);
}

void vsmmu_stall_set_pending(struct vsmmu *s, uint16_t stag, const uint64_t rec[4])
{
    set_pending(s, stag, NULL, rec);
}

void vsmmu_stall_set_pending_gen(struct vsmmu *s, uint16_t stag, uint32_t gen,
                                 const uint64_t rec[4])
{
    set_pending(s, stag, &gen, rec);
}

void vsmmu_stall_flush(struct vsmmu *s)
{
    struct vsmmu_stalls *t = &s->stalls;
    if (!__atomic_load_n(&t->npending, __ATOMIC_RELAXED))
        return;
    /* One record at a time: vsmmu_evtq_write takes evtq.lock itself. A
     * record is claimed (pending cleared) before it is written, so that two
     * flushing threads never write it twice; it is put back if the queue
     * still refuses it and the slot still holds the same stall. */
    for (uint32_t i = 0; i < t->n; i++) {
        uint64_t rec[4];
        uint32_t gen = 0;
        bool have = false;
        pthread_mutex_lock(&s->evtq.lock);
        if (t->e[i].used && t->e[i].pending) {
            memcpy(rec, t->e[i].rec, sizeof(rec));
            gen = t->e[i].gen;
            t->e[i].pending = false;
            __atomic_fetch_sub(&t->npending, 1, __ATOMIC_RELAXED);
            have = true;
        }
        pthread_mutex_unlock(&s->evtq.lock);
        if (!have)
            continue;
        if (vsmmu_evtq_write(s, rec) != VSMMU_EVTQ_WRITTEN) {
            pthread_mutex_lock(&s->evtq.lock);
            if (t->e[i].used && t->e[i].gen == gen && !t->e[i].pending) {
                t->e[i].pending = true;
                __atomic_fetch_add(&t->npending, 1, __ATOMIC_RELAXED);
            }
            pthread_mutex_unlock(&s->evtq.lock);
            return;                  /* still not writable: keep the rest */
        }
    }
}

void vsmmu_stall_resume(struct vsmmu *s, uint32_t sid, uint16_t stag, bool retry, bool abort)
{
    struct vsmmu_stalls *t = &s->stalls;
    struct vsmmu_txn txn;
    bool found = false;
    pthread_mutex_lock(&s->evtq.lock);
    if (stag < t->n && t->e[stag].used && t->e[stag].txn.sid == sid) {
        txn = t->e[stag].txn;
        release_locked(t, stag);
        found = true;
        if (retry)
            t->retried++;
        else if (abort)
            t->aborted++;
        else
            t->razwi++;
    }
    pthread_mutex_unlock(&s->evtq.lock);
    if (found && retry) {
        /* 3.12.2: retried as though it had just arrived */
        struct vsmmu_result r;
        vsmmu_translate_impl(s, &txn, &r);
    }
}

void vsmmu_stall_term(struct vsmmu *s, uint32_t sid)
{
    struct vsmmu_stalls *t = &s->stalls;
    pthread_mutex_lock(&s->evtq.lock);
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->e[i].used && t->e[i].txn.sid == sid) {
            release_locked(t, i);
            t->terminated++;
        }
    }
    pthread_mutex_unlock(&s->evtq.lock);
}

void vsmmu_stall_term_all(struct vsmmu *s)
{
    struct vsmmu_stalls *t = &s->stalls;
    pthread_mutex_lock(&s->evtq.lock);
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->e[i].used) {
            release_locked(t, i);
            t->terminated++;
        }
    }
    pthread_mutex_unlock(&s->evtq.lock);
}

unsigned vsmmu_stall_count(struct vsmmu *s)
{
    pthread_mutex_lock(&s->evtq.lock);
    unsigned n = s->stalls.live;
    pthread_mutex_unlock(&s->evtq.lock);
    return n;
}
