/* SPDX-License-Identifier: MIT */
/* Hooks by which the emulated SMMU hands work to the accelerated nested
 * front-end (accel/). With no front-end attached they do nothing. */
#ifndef VSMMU_ACCEL_INT_H
#define VSMMU_ACCEL_INT_H

#include <stdbool.h>
#include <stdint.h>

struct vsmmu;
struct vsmmu_txn;
struct vsmmu_result;

/* Offer a command to the front-end before the emulated queue executes it.
 * Returns 0 if not taken (execute it normally), 1 if taken (queued for a
 * backend or handled), or -CERROR_* if the command is refused. */
int  vsmmu_accel_cmd(struct vsmmu *s, const uint64_t cmd[2], uint32_t cons);
/* Flush queued commands at CMD_SYNC. Returns 0, or -CERROR_* and the queue
 * index (CONS value) of the command that failed in *failed_cons. */
int  vsmmu_accel_sync(struct vsmmu *s, uint32_t *failed_cons);
/* True if `sid` belongs to an accelerated (passthrough) device. */
bool vsmmu_accel_owns(struct vsmmu *s, uint32_t sid);
/* Translate for an accelerated device (fresh guest stage-1 walk, no cache). */
int  vsmmu_accel_translate(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res);
/* After every MMIO write while a front-end is attached: lets it follow
 * CR0ACK.SMMUEN, GBPA.ABORT and CR0ACK.CMDQEN (the backends' devices follow
 * GBPA while SMMUEN=0). */
void vsmmu_accel_mmio_written(struct vsmmu *s);
/* Release the front-end with the instance. */
void vsmmu_accel_destroy(struct vsmmu *s);

#endif
