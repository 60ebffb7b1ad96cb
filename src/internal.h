/* SPDX-License-Identifier: MIT */
/* The instance structure and the conventions every module follows.
 *
 * Concurrency model (docs/architecture.md "Threads"):
 *  - MMIO (vsmmu_mmio_*) is serialised by the embedder; command processing
 *    runs inside it.
 *  - vsmmu_translate() runs on any thread. It reads the few registers it
 *    needs (CR0, CR0ACK, CR2, GBPA, STRTAB_BASE, STRTAB_BASE_CFG) with
 *    reg_load(); the MMIO side stores them with reg_store().
 *  - Event-queue production is serialised by evtq.lock (translators and
 *    the command queue both produce; MMIO writes EVENTQ_CONS under it too).
 *  - Caches (tlb.c) provide their own reader-side concurrency.
 *  - Counters are updated with stat_add() (relaxed atomics).
 */
#ifndef VSMMU_INTERNAL_H
#define VSMMU_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "vsmmu/vsmmu.h"
#include "bits.h"
#include "regs.h"
#include "cmdq.h"
#include "evtq.h"
#include "priq.h"
#include "irq.h"
#include "tlb.h"
#include "stall.h"

struct vsmmu_accel;

struct vsmmu {
    struct vsmmu_config cfg;
    struct vsmmu_host_ops ops;
    unsigned ias_bits, oas_bits;

    struct vsmmu_regs regs;      /* regs.c */
    struct vsmmu_cmdq cmdq;      /* cmdq.c */
    struct vsmmu_evtq evtq;      /* evtq.c */
    struct vsmmu_priq priq;      /* priq.c */
    struct vsmmu_caches caches;  /* tlb.c */
    struct vsmmu_stalls stalls;  /* stall.c (guarded by evtq.lock) */
    struct vsmmu_accel *accel;   /* accel/ (NULL: fully emulated) */

    vsmmu_trace_fn trace;
    void *trace_opaque;

    struct vsmmu_stats stats;            /* shared part (see stats.c) */
    struct vsmmu_stat_shard *shards;     /* per-thread parts (stats.c) */
    uint64_t stat_id;                    /* identifies this instance to stat_add */
    char err[256];
};

/* Relaxed-atomic register access for fields shared with translators. */
#define reg_load(p)      __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define reg_store(p, v)  __atomic_store_n((p), (v), __ATOMIC_RELEASE)
/* Counters (stats.c). Each thread that counts gets its own shard of the
 * instance's counters, which only it writes (relaxed load + store: no
 * locked instruction, no shared cache line on the translation hit path);
 * vsmmu_get_stats sums the shards. A thread-local remembers the calling
 * thread's shard for the instance it last counted on. */
struct vsmmu_stat_shard;
struct vsmmu_stat_tl {
    const struct vsmmu *s;
    uint64_t id;
    struct vsmmu_stats *slot;
};
extern _Thread_local struct vsmmu_stat_tl vsmmu_stat_tl __attribute__((tls_model("initial-exec")));
void vsmmu_stat_add_slow(struct vsmmu *s, size_t off, uint64_t n);
int  vsmmu_stats_init(struct vsmmu *s);
void vsmmu_stats_fini(struct vsmmu *s);
#define stat_add(inst, field, n) do { \
    struct vsmmu *s_ = (inst); \
    uint64_t n_ = (uint64_t)(n); \
    if (vsmmu_stat_tl.s == s_ && vsmmu_stat_tl.id == s_->stat_id) { \
        uint64_t *p_ = &vsmmu_stat_tl.slot->field; \
        __atomic_store_n(p_, __atomic_load_n(p_, __ATOMIC_RELAXED) + n_, __ATOMIC_RELAXED); \
    } else { \
        vsmmu_stat_add_slow(s_, (size_t)((char *)&s_->stats.field - (char *)&s_->stats), n_); \
    } \
} while (0)

/* Record a failure reason on the instance; returns `code`. */
int vsmmu_fail(struct vsmmu *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Emit a trace record if tracing is on (cheap test first). */
static inline bool vsmmu_tracing(const struct vsmmu *s) { return s->trace != NULL; }
void vsmmu_trace(struct vsmmu *s, const struct vsmmu_trace_rec *rec);
void vsmmu_tracef(struct vsmmu *s, enum vsmmu_trace_kind kind, uint64_t a0, uint64_t a1,
                  uint64_t a2, uint64_t a3, const uint64_t *raw, unsigned nraw,
                  const char *msg);

/* Host memory helpers: go through ops (or a RAM region); 0 = ok, -1 = abort. */
int vsmmu_mem_read(struct vsmmu *s, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind k);
int vsmmu_mem_write(struct vsmmu *s, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind k);
int vsmmu_mem_read64(struct vsmmu *s, uint64_t pa, uint64_t *v, enum vsmmu_mem_kind k);
/* 0 swapped, 1 mismatch (*expected updated), -1 abort */
int vsmmu_mem_cas64(struct vsmmu *s, uint64_t pa, uint64_t *expected, uint64_t desired);

/* Configuration (config.c) */
int vsmmu_config_validate(const struct vsmmu_config *c, char *err, size_t errlen);
unsigned vsmmu_oas_encode(unsigned bits);   /* bits -> IDR5.OAS code, ~0u if invalid */
unsigned vsmmu_oas_decode(unsigned code);   /* IDR5.OAS/IPS/PS code -> bits, 0 if reserved */

/* The translation pipeline (translate.c) */
int vsmmu_translate_impl(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res);

#endif
