/* SPDX-License-Identifier: MIT */
/* Fault -> 32-byte event record (event.c): IHI0070 7.3. */
#ifndef VSMMU_EVENT_H
#define VSMMU_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"

/* What the record says about the transaction (attributes after the STE
 * PRIVCFG/INSTCFG overrides, IHI0070 7.3). */
struct vsmmu_evt_txn {
    uint32_t sid;
    uint32_t ssid;
    bool     ssv;
    uint64_t addr;          /* input address, unmodified */
    bool     pnu;           /* privileged */
    bool     ind;           /* instruction (reads only) */
    bool     rnw;           /* read */
    bool     stall;
    uint16_t stag;
};

/* Build the record of `f` (f->type != 0). Fields not defined for the event
 * type are 0 (RES0). */
void vsmmu_event_build(uint64_t rec[4], const struct vsmmu_fault *f, const struct vsmmu_evt_txn *t);

/* True for the four translation-related faults, the only events subject to
 * the A/R/S fault model and the only ones that can stall (IHI0070 3.12). */
static inline bool vsmmu_event_is_translation(uint8_t type)
{
    return type >= EVT_F_TRANSLATION && type <= EVT_F_PERMISSION;
}

#endif
