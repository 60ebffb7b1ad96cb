/* SPDX-License-Identifier: MIT */
/* Stream table lookup and STE decode/validation (ste.c): IHI0070 3.3, 5.1, 5.2. */
#ifndef VSMMU_STE_H
#define VSMMU_STE_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"
#include "walk.h"

struct vsmmu;

/* STE.Config (IHI0070 5.2) */
#define STE_CFG_ABORT    0   /* 0b000 (0b001..0b011 behave the same) */
#define STE_CFG_BYPASS   4   /* 0b100 */
#define STE_CFG_S1       5   /* 0b101 */
#define STE_CFG_S2       6   /* 0b110 */
#define STE_CFG_NESTED   7   /* 0b111 */

/* Why an STE is ILLEGAL (IHI0070 5.2 SteIllegal(); the order of checks is
 * the pseudocode's). 0: legal. */
enum vsmmu_ste_illegal {
    STE_OK = 0,
    STE_ILL_V,              /* V == 0 */
    STE_ILL_S1P,            /* Config[0] == 1 without IDR0.S1P */
    STE_ILL_S2P,            /* Config[1] == 1 without IDR0.S2P */
    STE_ILL_EATS_SPLIT,     /* EATS == 0b10 not allowed */
    STE_ILL_EATS_S2S,       /* EATS == 0b01 with S2S and stage 2 */
    STE_ILL_STRW,           /* STRW used and STRW[0] == 1 */
    STE_ILL_S1STALLD,       /* S1STALLD == 1 and STALL_MODEL != 0b00 */
    STE_ILL_S1CDMAX,        /* S1CDMax > SSIDSIZE */
    STE_ILL_S1FMT,          /* 2-level CD table without IDR0.CD2L */
    STE_ILL_S1CTXPTR,       /* S1ContextPtr out of range (OAS, or IAS when nested) */
    STE_ILL_S2S,            /* S2S against STALL_MODEL */
    STE_ILL_S2AA64,         /* table format not supported (IDR0.TTF) */
    STE_ILL_S2HTTU,         /* S2HA/S2HD beyond IDR0.HTTU */
    STE_ILL_S2TG,           /* S2TG reserved or granule not supported */
    STE_ILL_S2TTB,          /* S2TTB outside eff_S2PS or 48 bits (4K/16K) */
    STE_ILL_S2T0SZ,         /* S2T0SZ outside [min, max] */
    STE_ILL_S2SL0,          /* S2T0SZ/S2SL0/S2TG inconsistent */
    STE_ILL_S2ENDI,         /* S2ENDI against IDR0.TTENDIAN */
    STE_ILL_S2VMID,         /* S2VMID[15:8] != 0 without VMID16 */
};

struct vsmmu_ste {
    uint64_t raw[8];
    uint8_t  config;        /* STE_CFG_* (reserved 0b0xx folded to ABORT) */
    bool     s1;            /* stage 1 translates */
    bool     s2;            /* stage 2 translates */
    uint64_t s1_ctx_ptr;    /* CD table (IPA when s2) */
    uint8_t  s1fmt;         /* effective: 0b11 folded to linear */
    uint8_t  s1cdmax;       /* effective: 0 when IDR1.SSIDSIZE == 0 */
    uint8_t  s1dss;         /* effective: 0b11 folded to terminate */
    bool     s1stalld;
    uint8_t  eats;
    uint8_t  strw;          /* effective: 0 when STRW is unused */
    bool     mev, ppar;
    uint8_t  illegal;       /* enum vsmmu_ste_illegal (decode result) */
    uint8_t  s1csh;
    /* overrides, effective (IDR1.ATTR_TYPES_OVR / ATTR_PERMS_OVR applied:
     * "use incoming" when the override is not implemented) */
    uint8_t  memattr, mtcfg, alloccfg, shcfg, nscfg, privcfg, instcfg;
    uint16_t vmid;          /* effective S2VMID tag (0 when ignored) */
    struct vsmmu_s2_cfg s2cfg;   /* valid when s2 */
};

/* Fetch and validate the STE for `sid`. Returns 0 or -1 with f set
 * (C_BAD_STREAMID, F_STE_FETCH, C_BAD_STE; f->silent when the event is not
 * recorded: StreamID out of range with CR2.RECINVSID == 0). Config=abort is
 * returned as 0 with config == STE_CFG_ABORT. */
int vsmmu_ste_lookup(struct vsmmu *s, uint32_t sid, struct vsmmu_ste *ste, struct vsmmu_fault *f);
/* Pure decode + validation of 8 doublewords. Returns 0 or -1 (ILLEGAL,
 * ste->illegal says which rule). */
int vsmmu_ste_decode(const struct vsmmu *s, const uint64_t raw[8], struct vsmmu_ste *ste);
/* Address of the STE for `sid` given the stream table registers, reading the
 * L1STD through the host ops when the table has two levels. Returns 0 with
 * *pa, or -1 with f (C_BAD_STREAMID / F_STE_FETCH). */
int vsmmu_ste_addr(struct vsmmu *s, uint32_t sid, uint64_t *pa, struct vsmmu_fault *f);

/* PS/IPS encoding -> bits for an architecture minor revision (IHI0070 5.2
 * S2PS, 5.4 IPS: 0b110 is 52 from v3.1, 0b111 behaves as 52 in v3.1-v3.3;
 * both behave as 48 in v3.0). */
unsigned vsmmu_ps_bits(unsigned code, unsigned arch_minor);

/* Incoming attributes of a transaction: the API carries none, so the model
 * uses Normal Write-Back RW-allocate, Inner Shareable (docs/translation.md). */
#define VSMMU_IN_MEMATTR 0xFFu
#define VSMMU_IN_SH      3u
/* Apply MTCFG/MemAttr, ALLOCCFG and SHCFG (STE or GBPA encodings, already
 * made effective) to the incoming attributes. MemAttr is in the stage-2
 * MemAttr encoding; the result is a MAIR-format byte. */
void vsmmu_attr_override(uint8_t mtcfg, uint8_t memattr, uint8_t alloccfg, uint8_t shcfg,
                         uint8_t *attr, uint8_t *sh);

#endif
