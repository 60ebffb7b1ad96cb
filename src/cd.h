/* SPDX-License-Identifier: MIT */
/* Context descriptor lookup and CD decode/validation (cd.c): IHI0070 3.4,
 * 5.3, 5.4. */
#ifndef VSMMU_CD_H
#define VSMMU_CD_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "walk.h"

struct vsmmu;
struct vsmmu_ste;

/* Why a CD is ILLEGAL (IHI0070 5.4 CdIllegal(), in its order). 0: legal. */
enum vsmmu_cd_illegal {
    CD_OK = 0,
    CD_ILL_V,               /* V == 0 */
    CD_ILL_S1STALLD,        /* STE.S1STALLD == 1 and CD.S == 1 */
    CD_ILL_TERM_MODEL,      /* IDR0.TERM_MODEL == 1 and CD.A == 0 */
    CD_ILL_STALL_MODEL,     /* CD.S against IDR0.STALL_MODEL */
    CD_ILL_ENDI,            /* ENDI against IDR0.TTENDIAN */
    CD_ILL_AA64,            /* AA64 == 0: VMSAv8-32 not supported */
    CD_ILL_HTTU,            /* HA/HD beyond IDR0.HTTU */
    CD_ILL_ASID,            /* ASID[15:8] != 0 without ASID16 */
    CD_ILL_T0SZ,            /* T0SZ out of range (TTB0 enabled) */
    CD_ILL_T1SZ,            /* T1SZ out of range (TTB1 enabled) */
    CD_ILL_TG0,             /* TG0 reserved or unsupported */
    CD_ILL_TTB0,            /* TTB0 outside eff_IPS or 48 bits (4K/16K) */
    CD_ILL_TG1,
    CD_ILL_TTB1,
};

struct vsmmu_cd {
    uint64_t raw[8];
    struct vsmmu_s1_cfg s1;
    uint64_t pa;            /* where the CD was read (after stage 2) */
    uint32_t index;         /* CD index in the table (IHI0070 4.3.3) */
    uint8_t  illegal;       /* enum vsmmu_cd_illegal (decode result) */
    uint8_t  pad_[3];
};

/* Find the CD for (ste, ssid/ssv) per S1DSS/S1CDMax/S1Fmt, fetching through
 * stage 2 when the STE is nested. Returns 0, 1 if stage 1 is bypassed
 * (S1DSS=bypass, or the STE does not translate at stage 1), or -1 with f
 * set (C_BAD_SUBSTREAMID, F_STREAM_DISABLED, F_CD_FETCH, C_BAD_CD, stage-2
 * faults with CLASS=CD). */
int vsmmu_cd_lookup(struct vsmmu *s, const struct vsmmu_ste *ste, bool ssv, uint32_t ssid,
                    struct vsmmu_cd *cd, struct vsmmu_fault *f);
/* Pure decode + validation. Returns 0 or -1 (ILLEGAL; cd->illegal says
 * which rule). The StreamWorld comes from ste->strw and CR2.E2H. */
int vsmmu_cd_decode(const struct vsmmu *s, const struct vsmmu_ste *ste, const uint64_t raw[8],
                    struct vsmmu_cd *cd);

#endif
