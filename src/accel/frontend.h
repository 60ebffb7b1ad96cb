/* SPDX-License-Identifier: MIT */
/* State of the accelerated nested front-end (accel/frontend.c). */
#ifndef VSMMU_ACCEL_FRONTEND_H
#define VSMMU_ACCEL_FRONTEND_H

#include <stdbool.h>
#include <stdint.h>
#include "vsmmu/accel.h"

#define ACCEL_MAX_BACKENDS 8u
#define ACCEL_MAX_DEVS     256u

/* Slots never move: translators (any thread) find a device while the MMIO
 * thread attaches or detaches another. A slot is published by storing
 * `used` with release semantics after it is filled. */
struct accel_dev {
    bool used;
    enum vsmmu_accel_dev_kind kind;
    uint32_t vsid;
    unsigned be;
    uint64_t host_id;
    char name[48];
    uint64_t vste[2];        /* what the backend has now */
};

/* One command taken from the guest queue, waiting for CMD_SYNC. */
enum accel_pend_kind {
    PEND_FORWARD = 0,        /* to backend `be`, or every backend when be < 0 */
    PEND_INSTALL,            /* re-read the guest STE of [sid, sid+count) */
};

struct accel_pend {
    uint64_t cmd[2];
    uint32_t cons;           /* guest CMDQ_CONS of the command */
    uint8_t kind;
    int8_t be;
    uint32_t sid;
    uint64_t count;
};

struct vsmmu_accel {
    struct vsmmu_accel_backend *be[ACCEL_MAX_BACKENDS];
    unsigned nbe;
    struct vsmmu_config requested;   /* configuration before masking */

    struct accel_dev dev[ACCEL_MAX_DEVS];
    unsigned ndev;                   /* slots [0, ndev) have been used */

    struct accel_pend *pend;
    unsigned npend, cappend;
    unsigned fwd_pending;            /* PEND_FORWARD entries in pend */
    unsigned batch_max;              /* commands per backend call */

    /* Last guest state the backends were configured for. */
    bool smmuen;
    bool gbpa_abort;
    bool cmdqen;

    /* scratch for one backend call */
    uint64_t (*scratch)[2];
    uint32_t *scratch_cons;

    struct vsmmu_accel_stats st;
};

#endif
