/* SPDX-License-Identifier: MIT */
/* Context descriptor lookup and CD decode/validation (cd.c): IHI0070 3.4, 5.4. */
#ifndef VSMMU_CD_H
#define VSMMU_CD_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "walk.h"

struct vsmmu;
struct vsmmu_ste;

struct vsmmu_cd {
    uint64_t raw[8];
    struct vsmmu_s1_cfg s1;
};

/* Find the CD for (ste, ssid/ssv) per S1DSS/S1CDMax/S1Fmt, fetching through
 * stage 2 when the STE is nested. Returns 0, 1 if stage 1 is bypassed
 * (S1DSS=bypass), or -1 with f set (C_BAD_SUBSTREAMID, F_STREAM_DISABLED,
 * F_CD_FETCH, C_BAD_CD, stage-2 faults with CLASS=CD). */
int vsmmu_cd_lookup(struct vsmmu *s, const struct vsmmu_ste *ste, bool ssv, uint32_t ssid,
                    struct vsmmu_cd *cd, struct vsmmu_fault *f);
/* Pure decode + validation. Returns 0 or -1 (ILLEGAL). */
int vsmmu_cd_decode(const struct vsmmu *s, const struct vsmmu_ste *ste, const uint64_t raw[8],
                    struct vsmmu_cd *cd);

#endif
