/* SPDX-License-Identifier: MIT */
/* kit/stecd: builders for the SMMUv3 configuration structures from field
 * values (IHI0070 5.1 L1STD, 5.2 STE, 5.3 L1CD, 5.4 CD). Written from the
 * spec's field layouts independently of src/spec, so tests that use them
 * cross-check the model's decoders. Field values are the raw encodings
 * (e.g. tg0 = 0 for 4K); values wider than their field are truncated. */
#ifndef KIT_STECD_H
#define KIT_STECD_H

#include <stdbool.h>
#include <stdint.h>
#include "mem.h"

struct kit_ste {
    bool v;
    unsigned config;          /* 0b000 abort, 0b100 bypass, 0b101 S1, 0b110 S2, 0b111 nested */
    unsigned s1fmt;
    uint64_t s1ctxptr;        /* address; bits [51:6] used */
    unsigned s1cdmax;
    unsigned s1dss, s1cir, s1cor, s1csh;
    bool mev, ppar, s2fwb, s1stalld;
    unsigned cont, eats, strw;
    unsigned memattr, alloccfg, shcfg, nscfg, privcfg, instcfg;
    bool mtcfg;
    unsigned s2vmid;
    unsigned s2t0sz, s2sl0, s2ir0, s2or0, s2sh0, s2tg, s2ps;
    bool s2aa64, s2endi, s2affd, s2ptw, s2hd, s2ha, s2s, s2r;
    uint64_t s2ttb;           /* address; bits [51:4] used */
};

struct kit_cd {
    bool v;
    unsigned t0sz, tg0, ir0, or0, sh0;
    bool epd0, endi;
    unsigned t1sz, tg1, ir1, or1, sh1;
    bool epd1;
    unsigned ips;
    bool affd, wxn, uwxn, tbi0, tbi1, pan, aa64, hd, ha, s, r, a, aset;
    unsigned asid;
    bool had0, e0pd0, had1, e0pd1;
    uint64_t ttb0, ttb1;      /* addresses; bits [51:4] used */
    uint64_t mair;
};

/* Encode. */
void kit_ste_encode(const struct kit_ste *f, uint64_t ste[8]);
void kit_cd_encode(const struct kit_cd *f, uint64_t cd[8]);
uint64_t kit_l1std(unsigned span, uint64_t l2ptr);
uint64_t kit_l1cd(bool v, uint64_t l2ptr);

/* Typical field sets (start from these and adjust). */
/* Valid STE, Config = 0b101, single CD at ctx (S1CDMax 0). */
void kit_ste_s1(struct kit_ste *f, uint64_t ctx);
/* Valid STE, Config = 0b110: 4K granule, S2T0SZ = 64 - ias, start level
 * chosen for ias (L1 for 31..39 bits, L0 for 40..48), S2PS = 48 bits,
 * S2AA64, S2R, SHCFG = 01 (incoming), VMID. */
void kit_ste_s2(struct kit_ste *f, uint64_t s2ttb, unsigned ias, unsigned vmid);
/* Valid CD: AArch64, TTB0 4K granule with T0SZ = 64 - va_bits, TTB1 disabled,
 * IPS 48 bits, A = R = 1, AFFD = 0, the MAIR Linux uses, ASID. */
void kit_cd_s1(struct kit_cd *f, uint64_t ttb0, unsigned va_bits, unsigned asid);

/* Write 8 doublewords at pa (little-endian). */
void kit_write8(struct kit_mem *m, uint64_t pa, const uint64_t dw[8]);

/* Encodings */
#define KIT_CFG_ABORT  0u
#define KIT_CFG_BYPASS 4u
#define KIT_CFG_S1     5u
#define KIT_CFG_S2     6u
#define KIT_CFG_NESTED 7u
#define KIT_TG0_4K  0u
#define KIT_TG0_64K 1u
#define KIT_TG0_16K 2u
#define KIT_TG1_16K 1u
#define KIT_TG1_4K  2u
#define KIT_TG1_64K 3u
#define KIT_PS_32 0u
#define KIT_PS_36 1u
#define KIT_PS_40 2u
#define KIT_PS_42 3u
#define KIT_PS_44 4u
#define KIT_PS_48 5u
#define KIT_PS_52 6u
/* MAIR: Attr0 = Normal WB RW-alloc (0xFF), Attr1 = Device-nGnRE (0x04),
 * Attr2 = Normal NC (0x44) */
#define KIT_MAIR UINT64_C(0x00000000004404ff)

#endif
