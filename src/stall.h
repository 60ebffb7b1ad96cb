/* SPDX-License-Identifier: MIT */
/* Stalled transactions (stall.c): IHI0070 3.12.2, 4.6 (CMD_RESUME,
 * CMD_STALL_TERM), 6.3.9 (SMMUEN 1 -> 0 terminates every stall).
 *
 * A bounded table of IDR5.STALL_MAX entries hangs off the instance; it is
 * guarded by evtq.lock (stalls are rare and always produce an event). The
 * STAG of a stall is its slot index: unique among outstanding stalls, and
 * reused only after the slot was released by CMD_RESUME, CMD_STALL_TERM or
 * SMMUEN = 0 (3.12.2). When the table is full, a transaction that would
 * stall is terminated with an abort and its record has Stall = 0
 * (docs/translation.md). */
#ifndef VSMMU_STALL_H
#define VSMMU_STALL_H

#include <stdbool.h>
#include <stdint.h>
#include "vsmmu/vsmmu.h"

struct vsmmu;

struct vsmmu_stall_ent {
    uint32_t gen;           /* bumped at every allocation of the slot */
    bool     used;
    bool     pending;       /* the record could not be written yet (3.12.2) */
    struct vsmmu_txn txn;   /* the stalled transaction, for Retry */
    uint64_t rec[4];        /* its event record */
};

struct vsmmu_stalls {
    struct vsmmu_stall_ent *e;
    uint32_t n;             /* IDR5.STALL_MAX */
    uint32_t live;
    uint32_t npending;      /* read without the lock as a hint */
    uint32_t next;          /* next slot to try (round robin) */
    /* resolutions, for inspection */
    uint64_t retried, aborted, razwi, terminated;
};

/* Allocate the table and install the command-queue hooks (CMD_RESUME,
 * CMD_STALL_TERM) and the CR0 hook (SMMUEN 1 -> 0) (vsmmu_create). */
int  vsmmu_stall_init(struct vsmmu *s);
void vsmmu_stall_fini(struct vsmmu *s);

/* Take a slot for a transaction about to stall. Returns 0 with *stag, or
 * -1 if the table is full (or stalls are not supported). */
int  vsmmu_stall_alloc(struct vsmmu *s, const struct vsmmu_txn *txn, uint16_t *stag);
/* The same for the pipeline: also -2 if CR0ACK.SMMUEN is 0 (checked under
 * evtq.lock, so no stall is inserted after the SMMUEN 1 -> 0 termination;
 * the transaction is then terminated without a record). */
int  vsmmu_stall_alloc_live(struct vsmmu *s, const struct vsmmu_txn *txn, uint16_t *stag,
                            uint32_t *gen);
/* Give back a slot taken by vsmmu_stall_alloc (no resolution counted). */
void vsmmu_stall_free(struct vsmmu *s, uint16_t stag);
/* Keep the record of a stall whose record could not be written; it is
 * written by vsmmu_stall_flush() once the queue accepts it. */
void vsmmu_stall_set_pending(struct vsmmu *s, uint16_t stag, const uint64_t rec[4]);
/* The same, only if the slot still holds allocation `gen` (the stall may
 * have been terminated and the slot reused meanwhile). */
void vsmmu_stall_set_pending_gen(struct vsmmu *s, uint16_t stag, uint32_t gen,
                                 const uint64_t rec[4]);
/* Try to write pending stall records (cheap when there are none). */
void vsmmu_stall_flush(struct vsmmu *s);

/* CMD_RESUME(StreamID, STAG, Ac/Ab): a STAG that does not name an
 * outstanding stall of `sid` is ignored (4.6.1). Retry processes the
 * transaction again as though it had just arrived (its outcome goes only to
 * the event queue and the counters). */
void vsmmu_stall_resume(struct vsmmu *s, uint32_t sid, uint16_t stag, bool retry, bool abort);
/* CMD_STALL_TERM(StreamID): terminate every stall of `sid` (abort). */
void vsmmu_stall_term(struct vsmmu *s, uint32_t sid);
/* SMMUEN 1 -> 0 or reset: terminate every outstanding stall. */
void vsmmu_stall_term_all(struct vsmmu *s);
/* Outstanding stalls (tests, inspection). */
unsigned vsmmu_stall_count(struct vsmmu *s);

#endif
