/* SPDX-License-Identifier: MIT */
/* VMSAv8-64 translation table walker (walk.c): stage 1, stage 2, nested,
 * permissions, HTTU. Arm ARM D8; IHI0070 3.4, 5.2 (STE S2*), 5.4 (CD). */
#ifndef VSMMU_WALK_H
#define VSMMU_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include "fault.h"

struct vsmmu;

/* Stage-2 configuration, decoded and validated from the STE (ste.c). */
struct vsmmu_s2_cfg {
    uint64_t ttb;           /* S2TTB (PA), aligned as required */
    uint8_t  t0sz;          /* S2T0SZ */
    uint8_t  sl0;           /* S2SL0 (raw encoding) */
    uint8_t  granule;       /* log2 granule: 12, 14, 16 */
    int8_t   start_level;   /* derived from sl0 + granule (informative: the
                             * walker recomputes it, vsmmu_s2_start_level) */
    uint8_t  concat;        /* number of concatenated start tables (1..16) */
    uint8_t  ps_bits;       /* effective output size: min(S2PS, OAS) */
    uint16_t vmid;
    bool     aa64;          /* S2AA64 */
    bool     endi;          /* big-endian tables */
    bool     affd;          /* S2AFFD: AF=0 does not fault */
    bool     ha, hd;        /* S2HA/S2HD (HTTU) */
    bool     ptw;           /* S2PTW: S1 walks to Device memory fault */
    bool     fwb;           /* S2FWB */
    bool     r, s;          /* S2R (record), S2S (stall) */
    uint8_t  ir0, or0, sh0;
    /* Set by the pipeline, not decoded: the translation-cache generation
     * read before the walk, checked by the stage-2 walk-cache insert hook
     * (tlb.c) so that no entry read before a TLBI lands after it.
     * 0: unchecked. */
    uint64_t cache_gen;
};

/* One stage-1 translation table (TTB0 or TTB1), from the CD (cd.c). */
struct vsmmu_s1_tt {
    uint64_t ttb;           /* TTBx (IPA when nested, else PA) */
    uint8_t  tsz;           /* TxSZ */
    uint8_t  granule;       /* log2 granule: 12, 14, 16 */
    int8_t   start_level;
    bool     epd;           /* EPDx: walks disabled for this half */
    bool     tbi;           /* TBIx */
    bool     had;           /* HADx: hierarchical attributes disabled */
    bool     e0pd;          /* E0PDx */
    uint8_t  ir, or_, sh;
};

/* Stage-1 configuration, decoded and validated from the CD (cd.c). */
struct vsmmu_s1_cfg {
    struct vsmmu_s1_tt tt[2];
    uint8_t  ips_bits;      /* effective: min(IPS, OAS) (or IAS when nested) */
    uint16_t asid;
    uint64_t mair;          /* MAIR0 | MAIR1 << 32 */
    bool     aa64;          /* not consulted: tables are always VMSAv8-64 */
    bool     endi;
    bool     affd;
    bool     wxn, uwxn;     /* UWXN is AArch32-only: ignored */
    bool     pan;
    bool     ha, hd;        /* CD.HA/HD, already ANDed with IDR0.HTTU */
    bool     r, a, s;       /* fault recording/termination model */
    bool     el2;           /* StreamWorld any-EL2 or any-EL2-E2H */
    bool     el2_e2h;       /* with el2: E2H. The walker applies the
                             * single-privilege rules (AP[1] as 1, PnU and
                             * TTB1/EPD/PAN/nG ignored) iff el2 && !el2_e2h */
};

/* Output of a successful walk. */
struct vsmmu_walk_out {
    uint64_t oa;            /* output address for the input address */
    uint64_t ipa;           /* intermediate address (nested / stage 2 only) */
    uint8_t  size_log2;     /* size of the mapping (min of stages when nested) */
    uint8_t  s1_size_log2, s2_size_log2;
    uint8_t  level;         /* level of the final stage-1 (or stage-2) descriptor */
    /* Permissions granted, for caching: bit i of `perm` is VSMMU_PERM_* for
     * privileged (bits 0-2) and unprivileged (bits 3-5) accesses. Write is
     * granted only if no HTTU dirty update is needed. */
    uint8_t  perm;
    uint8_t  memattr;       /* resulting MAIR-format attribute */
    uint8_t  sh;
    bool     global;        /* stage-1 nG == 0 */
    unsigned desc_reads;    /* descriptors read (both stages) */
};

/* Hook a cache can install to answer stage-2 lookups of table IPAs in a
 * nested walk (tlb.c). Returns 1 on hit (out filled), 0 on miss.
 * On a hit the walker uses out->oa (the PA for `ipa`, not a page base) and
 * out->perm (stage-2 permission bits as in vsmmu_walk_out.perm). A hit
 * lacking the permission needed falls back to a walk; with S2PTW=1 the hook
 * is not consulted (the Device check needs the stage-2 attribute alone). */
typedef int (*vsmmu_s2_cache_fn)(struct vsmmu *s, const struct vsmmu_s2_cfg *s2,
                                 uint64_t ipa, struct vsmmu_walk_out *out);
/* Companion hook: called after a successful stage-2 walk of a stage-1 table
 * IPA (out->oa is the PA of `ipa`; out->size_log2/level describe the
 * stage-2 mapping; perm/memattr/sh the stage-2 result alone). */
typedef void (*vsmmu_s2_cache_insert_fn)(struct vsmmu *s, const struct vsmmu_s2_cfg *s2,
                                         uint64_t ipa, const struct vsmmu_walk_out *out);

struct vsmmu_walk_req {
    const struct vsmmu_s1_cfg *s1;  /* NULL: stage 1 bypassed */
    const struct vsmmu_s2_cfg *s2;  /* NULL: stage 2 bypassed */
    uint64_t addr;                  /* input address (VA, or IPA if no s1) */
    uint32_t access;                /* VSMMU_TXN_* after STE overrides */
    bool     no_httu;               /* probe: never write descriptors */
    /* Optional (zero = absent). */
    bool     in_attr;               /* in_memattr/in_sh are valid: the incoming
                                     * attributes after STE overrides, combined
                                     * with stage 2 when stage 1 is bypassed
                                     * (absent: Normal WB, ISH) */
    uint8_t  in_memattr, in_sh;
    vsmmu_s2_cache_fn s2_cache;     /* stage-2 lookups of stage-1 table IPAs */
    vsmmu_s2_cache_insert_fn s2_cache_insert;
};

/* Walk. Returns 0 and fills `out`, or -1 with `f` describing the fault
 * (type, s2, cls, ipa, fetch_addr, ttrnw). */
int vsmmu_walk(struct vsmmu *s, const struct vsmmu_walk_req *req,
               struct vsmmu_walk_out *out, struct vsmmu_fault *f);

/* Translate an IPA through stage 2 for a structure fetch (CD, L1CD) or a
 * stage-1 table address: class is EVT_CLASS_CD or EVT_CLASS_TT. Returns the
 * PA in *pa or -1 with `f` (s2=1, cls, ipa). */
int vsmmu_walk_s2_fetch(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                        int cls, uint64_t *pa, struct vsmmu_fault *f);

/* Compute the stage-1 start level for a granule/TxSZ (-1: invalid) and the
 * stage-2 start level + concatenation for S2SL0/S2T0SZ/granule (-1: invalid).
 * Pure; used by ste.c / cd.c validation.
 *  - vsmmu_s1_start_level: TxSZ 12..48 (12..15 only for 64K: 52-bit VA).
 *    The callers check IDR3.STT (TxSZ > 39) and IDR5.VAX (TxSZ < 16).
 *  - vsmmu_s2_start_level: Arm ARM D8-21..D8-24, D8-31..D8-33, D8-39..D8-41
 *    (DS=0): legal iff ias_max(L+1) < ias <= ias_max(L) + 4, ias <= 48, or
 *    <= 52 for 64K when ps_bits == 52. SL0=0b11 (4K level 3) is accepted
 *    here: the caller checks IDR3.STT for it and for S2T0SZ > 39, and
 *    S2T0SZ against IAS. `concat` (may be NULL) gets 1..16. */
int vsmmu_s1_start_level(unsigned granule_log2, unsigned tsz);
int vsmmu_s2_start_level(unsigned granule_log2, unsigned sl0, unsigned t0sz,
                         unsigned ps_bits, unsigned *concat);

/* Memory attributes (walk_attr.c, Arm ARM D8.6). Attributes are MAIR-format
 * bytes; sh is 0 NSH, 2 OSH, 3 ISH. */
/* Stage-2 MemAttr[3:0] alone, as a MAIR byte (FWB=0 form; with fwb the
 * FWB form of D8.6.6 applied to a Normal WB input). */
uint8_t vsmmu_s2_memattr_to_mair(uint8_t memattr, bool fwb);
/* Is the stage-2 MemAttr a Device type (S2PTW check)? */
bool vsmmu_s2_memattr_is_device(uint8_t memattr, bool fwb);
/* Combine an input (stage-1 or incoming) attribute/shareability with the
 * stage-2 MemAttr/SH (D8.6.5.1, D8.6.5.2, D8.6.6, D8.6.7.1). */
void vsmmu_attr_combine_s2(uint8_t in_attr, uint8_t in_sh, uint8_t s2_memattr,
                           uint8_t s2_sh, bool fwb, uint8_t *attr, uint8_t *sh);
/* Effective shareability of a single attribute: Device and Normal
 * iNC-oNC are Outer Shareable (D8.6.2). */
uint8_t vsmmu_attr_eff_sh(uint8_t attr, uint8_t sh);

#endif
