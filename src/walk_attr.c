/* SPDX-License-Identifier: MIT */
/* Output memory attributes: stage-1 MAIR bytes, stage-2 MemAttr, and their
 * combination (Arm ARM D8.6; IHI0070 13.4.2, 13.4.3). Pure functions.
 *
 * Attributes travel as MAIR-format bytes: outer nibble 0 = Device with the
 * type in bits [3:2] (nGnRnE, nGnRE, nGRE, GRE); otherwise Normal, each
 * nibble 0100 Non-cacheable, 00RW/10RW Write-Through (transient /
 * non-transient), 01RW/11RW Write-Back. */
#include "walk.h"
#include "spec/pte.h"

enum cache_class { CC_NC = 0, CC_WT = 1, CC_WB = 2 };

static bool attr_is_device(uint8_t a) { return FIELD_GET(MAIR_OUTER, a) == 0; }

static enum cache_class nib_class(unsigned n)
{
    /* 0000 with a non-zero other nibble is UNPREDICTABLE (or Tagged in
     * FEAT_MTE2): treated as Non-cacheable, except 0xF0 handled by caller. */
    if (n == 0x4 || n == 0)
        return CC_NC;
    return (n & 0x4) ? CC_WB : CC_WT;
}

/* Nibble `n` (of class WB) turned into Write-Through, keeping the transient
 * and allocation hints. */
static unsigned nib_to_wt(unsigned n) { return n & ~0x4u; }

static unsigned nib_combine(unsigned s1, enum cache_class s2)
{
    enum cache_class c1 = nib_class(s1);
    if (c1 == CC_NC || s2 == CC_NC)
        return 0x4;                      /* D8-98: NC wins */
    if (s2 == CC_WT && c1 == CC_WB)
        return nib_to_wt(s1);            /* WT wins over WB */
    return s1;
}

static enum cache_class s2_class(unsigned v)
{
    /* MemAttr outer/inner: 01 NC, 10 WT, 11 WB; 00 (inner, with a Normal
     * outer) is reserved: treated as NC. */
    return v == 3 ? CC_WB : v == 2 ? CC_WT : CC_NC;
}

bool vsmmu_s2_memattr_is_device(uint8_t memattr, bool fwb)
{
    if (fwb)
        return !(memattr & S2_FWB_NORMAL);
    return FIELD_GET(S2_MEMATTR_OUTER, memattr) == 0;
}

uint8_t vsmmu_attr_eff_sh(uint8_t attr, uint8_t sh)
{
    if (attr_is_device(attr))
        return SH_OSH;
    if (nib_class(FIELD_GET(MAIR_OUTER, attr)) == CC_NC &&
        nib_class(FIELD_GET(MAIR_INNER, attr)) == CC_NC)
        return SH_OSH;
    /* SH=01 is reserved (CONSTRAINED UNPREDICTABLE): treated as OSH. */
    return sh == 1 ? SH_OSH : sh;
}

static uint8_t sh_combine(uint8_t a, uint8_t b)
{
    a = a == 1 ? SH_OSH : a;
    b = b == 1 ? SH_OSH : b;
    if (a == SH_OSH || b == SH_OSH)
        return SH_OSH;
    if (a == SH_ISH || b == SH_ISH)
        return SH_ISH;
    return SH_NSH;
}

static uint8_t dev_byte(unsigned type) { return (uint8_t)FIELD_PREP(MAIR_DEV_TYPE, type); }

void vsmmu_attr_combine_s2(uint8_t in, uint8_t in_sh, uint8_t ma, uint8_t s2_sh, bool fwb,
                           uint8_t *attr, uint8_t *sh)
{
    uint8_t a;
    if (vsmmu_s2_memattr_is_device(ma, fwb)) {
        /* D8-97: Device wins; the more restrictive Device type wins. */
        unsigned t2 = (unsigned)(fwb ? FIELD_GET(S2_FWB_TYPE, ma) : FIELD_GET(S2_MEMATTR_INNER, ma));
        unsigned t1 = attr_is_device(in) ? (unsigned)FIELD_GET(MAIR_DEV_TYPE, in) : 3;
        a = dev_byte(t1 < t2 ? t1 : t2);
    } else if (fwb) {
        /* D8-101 (FEAT_S2FWB, no MTE_PERM): MemAttr[1:0] */
        switch (FIELD_GET(S2_FWB_TYPE, ma)) {
        case 0:  /* reserved: treated as 01 */
        case 1:  a = attr_is_device(in) ? in : 0x44; break;    /* Normal NC */
        case 2:  a = (!attr_is_device(in) && nib_class(FIELD_GET(MAIR_OUTER, in)) == CC_WB &&
                      nib_class(FIELD_GET(MAIR_INNER, in)) == CC_WB) ? in : 0xff; break;
        default: a = in; break;                                  /* stage 1 unchanged */
        }
    } else if (attr_is_device(in)) {
        a = in;
    } else {
        unsigned o = nib_combine((unsigned)FIELD_GET(MAIR_OUTER, in),
                                 s2_class((unsigned)FIELD_GET(S2_MEMATTR_OUTER, ma)));
        unsigned i = nib_combine((unsigned)FIELD_GET(MAIR_INNER, in),
                                 s2_class((unsigned)FIELD_GET(S2_MEMATTR_INNER, ma)));
        a = (uint8_t)(FIELD_PREP(MAIR_OUTER, o) | FIELD_PREP(MAIR_INNER, i));
    }
    *attr = a;
    /* D8.6.7.1: Device / Normal iNC-oNC are OSH, else the more shareable. */
    uint8_t s = sh_combine(in_sh, s2_sh);
    *sh = vsmmu_attr_eff_sh(a, s);
}

uint8_t vsmmu_s2_memattr_to_mair(uint8_t memattr, bool fwb)
{
    uint8_t a, sh;
    vsmmu_attr_combine_s2(0xff, SH_ISH, memattr, SH_ISH, fwb, &a, &sh);
    return a;
}
