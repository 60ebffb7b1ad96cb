/* SPDX-License-Identifier: MIT */
/* Stream table lookup and STE decode/validation (ste.c): IHI0070 3.3, 5.2. */
#ifndef VSMMU_STE_H
#define VSMMU_STE_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "walk.h"

struct vsmmu;

/* STE.Config (IHI0070 5.2) */
#define STE_CFG_ABORT    0   /* 0b000 */
#define STE_CFG_BYPASS   4   /* 0b100 */
#define STE_CFG_S1       5   /* 0b101 */
#define STE_CFG_S2       6   /* 0b110 */
#define STE_CFG_NESTED   7   /* 0b111 */

struct vsmmu_ste {
    uint64_t raw[8];
    uint8_t  config;        /* STE_CFG_* */
    bool     s1;            /* stage 1 translates */
    bool     s2;            /* stage 2 translates */
    uint64_t s1_ctx_ptr;    /* CD table (IPA when s2) */
    uint8_t  s1fmt;
    uint8_t  s1cdmax;
    uint8_t  s1dss;
    bool     s1stalld;
    uint8_t  eats;
    uint8_t  strw;
    /* overrides */
    uint8_t  memattr, mtcfg, alloccfg, shcfg, nscfg, privcfg, instcfg;
    struct vsmmu_s2_cfg s2cfg;   /* valid when s2 */
};

/* Fetch and validate the STE for `sid`. Returns 0 or -1 with f set
 * (C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE; silent abort for Config=abort is
 * returned as 0 with config == STE_CFG_ABORT). */
int vsmmu_ste_lookup(struct vsmmu *s, uint32_t sid, struct vsmmu_ste *ste, struct vsmmu_fault *f);
/* Pure decode + validation of 8 doublewords. Returns 0 or -1 (ILLEGAL). */
int vsmmu_ste_decode(const struct vsmmu *s, const uint64_t raw[8], struct vsmmu_ste *ste);

#endif
