/* SPDX-License-Identifier: MIT */
/* Context descriptors: SubstreamID -> CD (IHI0070 3.4.4 via S1DSS, S1CDMax,
 * S1Fmt; 5.3 L1CD), the CD fetch (through stage 2 when nested, 3.4.3 and
 * 7.3.9), and CD decode with the ILLEGAL rules of IHI0070 5.4 (CdIllegal()),
 * reduced to a Non-secure, AArch64-only, little-endian-tables
 * implementation without STT, DS, D128 or permission indirection. */
#include <string.h>
#include "internal.h"
#include "ste.h"
#include "cd.h"
#include "spec/ste.h"
#include "spec/cd.h"

static uint64_t le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

/* ---- decode ------------------------------------------------------------------ */

static int illegal(struct vsmmu_cd *cd, enum vsmmu_cd_illegal why)
{
    cd->illegal = (uint8_t)why;
    return -1;
}

static unsigned tg0_log2(unsigned tg)
{
    return tg == CD_TG0_4K ? 12 : tg == CD_TG0_64K ? 16 : tg == CD_TG0_16K ? 14 : 0;
}

static unsigned tg1_log2(unsigned tg)
{
    return tg == CD_TG1_4K ? 12 : tg == CD_TG1_64K ? 16 : tg == CD_TG1_16K ? 14 : 0;
}

static bool granule_ok(const struct vsmmu_config *c, unsigned g)
{
    return (g == 12 && c->gran4k) || (g == 14 && c->gran16k) || (g == 16 && c->gran64k);
}

/* CDTxSZInvalid(): max 39 without IDR3.STT; min 16, or 12 for 64K with
 * IDR5.VAX == 0b01 (52-bit VA). */
static bool txsz_bad(const struct vsmmu_config *c, unsigned tsz, unsigned g)
{
    unsigned tmin = (c->vax52 && g == 16) ? 12 : 16;
    return tsz < tmin || tsz > 39;
}

/* One half (TTB0 or TTB1). Returns 0 or the ILLEGAL reason. */
static enum vsmmu_cd_illegal decode_tt(const struct vsmmu *s, unsigned g, unsigned tsz,
                                       uint64_t ttb, unsigned ips, struct vsmmu_s1_tt *tt,
                                       enum vsmmu_cd_illegal tg_bad,
                                       enum vsmmu_cd_illegal ttb_bad)
{
    if (!g || !granule_ok(&s->cfg, g))
        return tg_bad;
    /* TTBx outside eff_IPS, or outside 48 bits with 4K/16K (DS == 0) */
    if ((ttb >> ips) || (g != 16 && (ttb >> 48)))
        return ttb_bad;
    int sl = vsmmu_s1_start_level(g, tsz);
    if (sl < 0)
        return tg_bad;        /* unreachable for an in-range TxSZ */
    /* Start table aligned to its size; 64 bytes minimum with 52-bit IPS
     * (5.4 TTB0/TTB1). */
    unsigned ias = 64 - tsz;
    unsigned lsb = g + (unsigned)(3 - sl) * (g - 3);
    unsigned tbits = 3 + (ias - lsb);
    if (ips == 52 && tbits < 6)
        tbits = 6;
    tt->ttb = ttb & ~bits_mask_low(tbits);
    tt->tsz = (uint8_t)tsz;
    tt->granule = (uint8_t)g;
    tt->start_level = (int8_t)sl;
    return CD_OK;
}

int vsmmu_cd_decode(const struct vsmmu *s, const struct vsmmu_ste *ste, const uint64_t raw[8],
                    struct vsmmu_cd *cd)
{
    const struct vsmmu_config *c = &s->cfg;
    memset(cd, 0, sizeof(*cd));
    memcpy(cd->raw, raw, sizeof(cd->raw));
    uint64_t dw0 = raw[0], dw1 = raw[1], dw2 = raw[2];
    struct vsmmu_s1_cfg *s1 = &cd->s1;

    /* StreamWorld (5.2 STRW): EL2 / EL2-E2H when STRW = 0b10 is in use */
    bool el2 = ste->strw == STE_STRW_EL2;
    bool e2h = el2 && (reg_load(&s->regs.cr2) & CR2_E2H);
    bool single = el2 && !e2h;     /* one VA range, one privilege level */
    /* Effective EPDx: ignored (0) in any-EL2 worlds; TTB1 does not exist
     * in the single-range world and is treated as disabled for checks. */
    bool dis0 = !el2 && (dw0 & CD_DW0_EPD0);
    bool dis1 = single || (!el2 && (dw0 & CD_DW0_EPD1));
    bool sbit = dw0 & CD_DW0_S, abit = dw0 & CD_DW0_A;

    if (!(dw0 & CD_DW0_V))
        return illegal(cd, CD_ILL_V);
    if (ste->s1stalld && sbit)
        return illegal(cd, CD_ILL_S1STALLD);
    if (c->term_model && !abit)
        return illegal(cd, CD_ILL_TERM_MODEL);
    if ((c->stall_model == VSMMU_TERM_ONLY && sbit) ||
        (c->stall_model == VSMMU_STALL_FORCED && !sbit))
        return illegal(cd, CD_ILL_STALL_MODEL);
    /* IDR0.TTENDIAN = 0b10: ENDI = 1 ILLEGAL unless both halves disabled */
    if ((!dis0 || !dis1) && (dw0 & CD_DW0_ENDI))
        return illegal(cd, CD_ILL_ENDI);
    /* IDR0.TTF = 0b10: VMSAv8-32 LPAE not supported (the STE has already
     * required S2AA64 = 1 for stage 2) */
    if (!(dw0 & CD_DW0_AA64))
        return illegal(cd, CD_ILL_AA64);
    bool ha = dw0 & CD_DW0_HA, hd = dw0 & CD_DW0_HD;
    if (((ha || hd) && c->httu == VSMMU_HTTU_NONE) || (hd && c->httu == VSMMU_HTTU_AF))
        return illegal(cd, CD_ILL_HTTU);
    uint16_t asid = (uint16_t)FIELD_GET(CD_DW0_ASID, dw0);
    if (!single && !c->asid16 && (asid >> 8))
        return illegal(cd, CD_ILL_ASID);

    unsigned t0sz = (unsigned)FIELD_GET(CD_DW0_T0SZ, dw0);
    unsigned t1sz = (unsigned)FIELD_GET(CD_DW0_T1SZ, dw0);
    unsigned g0 = tg0_log2((unsigned)FIELD_GET(CD_DW0_TG0, dw0));
    unsigned g1 = tg1_log2((unsigned)FIELD_GET(CD_DW0_TG1, dw0));
    /* v3.0 out-of-range TxSZ is CONSTRAINED UNPREDICTABLE (ILLEGAL or
     * clamped): this model makes it ILLEGAL as v3.1+ requires. A reserved
     * TGx is checked after TxSZ, as in CdIllegal(); the TxSZ bounds use the
     * 4K/16K limits for it. */
    if (!dis0 && txsz_bad(c, t0sz, g0))
        return illegal(cd, CD_ILL_T0SZ);
    if (!dis1 && txsz_bad(c, t1sz, g1))
        return illegal(cd, CD_ILL_T1SZ);

    unsigned ips = vsmmu_ps_bits((unsigned)FIELD_GET(CD_DW0_IPS, dw0), c->arch_minor);
    if (ips > s->oas_bits)
        ips = s->oas_bits;          /* eff_IPS = min(IPS, OAS) (IAS = OAS here) */
    enum vsmmu_cd_illegal why;
    if (!dis0 && (why = decode_tt(s, g0, t0sz, dw1 & CD_DW1_TTB0, ips, &s1->tt[0],
                                  CD_ILL_TG0, CD_ILL_TTB0)))
        return illegal(cd, why);
    if (!dis1 && (why = decode_tt(s, g1, t1sz, dw2 & CD_DW2_TTB1, ips, &s1->tt[1],
                                  CD_ILL_TG1, CD_ILL_TTB1)))
        return illegal(cd, why);

    /* A disabled half keeps a harmless geometry: its walks never start. */
    for (unsigned i = 0; i < 2; i++) {
        struct vsmmu_s1_tt *tt = &s1->tt[i];
        if (i == 0 ? dis0 : dis1) {
            tt->epd = true;
            tt->granule = 12;
            tt->tsz = 39;
            tt->start_level = (int8_t)vsmmu_s1_start_level(12, 39);
        }
    }
    s1->tt[0].tbi = dw0 & CD_DW0_TBI0;
    s1->tt[1].tbi = !single && (dw0 & CD_DW0_TBI1);
    s1->tt[0].had = c->had && (dw1 & CD_DW1_HAD0);
    s1->tt[1].had = c->had && !single && (dw2 & CD_DW2_HAD1);
    /* E0PDx: v3.3 (IDR3.E0PD), two-range worlds only */
    s1->tt[0].e0pd = c->e0pd && !single && (dw1 & CD_DW1_E0PD0);
    s1->tt[1].e0pd = c->e0pd && !single && (dw2 & CD_DW2_E0PD1);
    s1->tt[0].ir = (uint8_t)FIELD_GET(CD_DW0_IR0, dw0);
    s1->tt[0].or_ = (uint8_t)FIELD_GET(CD_DW0_OR0, dw0);
    s1->tt[0].sh = (uint8_t)FIELD_GET(CD_DW0_SH0, dw0);
    s1->tt[1].ir = (uint8_t)FIELD_GET(CD_DW0_IR1, dw0);
    s1->tt[1].or_ = (uint8_t)FIELD_GET(CD_DW0_OR1, dw0);
    s1->tt[1].sh = (uint8_t)FIELD_GET(CD_DW0_SH1, dw0);

    s1->ips_bits = (uint8_t)ips;
    s1->asid = single ? 0 : asid;            /* ASID ignored in EL2 (non-E2H) */
    s1->mair = raw[3];
    s1->aa64 = true;
    s1->endi = false;
    s1->affd = dw0 & CD_DW0_AFFD;
    s1->wxn = dw0 & CD_DW0_WXN;
    s1->uwxn = false;                        /* AArch32 only */
    s1->pan = !single && (dw0 & CD_DW0_PAN);
    /* {HD,HA} = 10 is reserved and behaves as 00 when not ILLEGAL */
    s1->ha = ha;
    s1->hd = ha && hd;
    s1->r = dw0 & CD_DW0_R;
    s1->a = abit;
    s1->s = sbit;
    s1->el2 = el2;
    s1->el2_e2h = e2h;
    return 0;
}

/* ---- lookup --------------------------------------------------------------------- */

static int cd_fault(struct vsmmu_fault *f, uint8_t type)
{
    fault_set(f, type);
    return -1;
}

/* Translate a CD/L1CD address to a PA (through stage 2 when nested) and read
 * `len` bytes. 0, or -1 with f (stage-2 fault CLASS=CD, or F_CD_FETCH). */
static int cd_read(struct vsmmu *s, const struct vsmmu_ste *ste, uint64_t addr, uint8_t *buf,
                   size_t len, uint64_t *pa_out, struct vsmmu_fault *f)
{
    uint64_t pa = addr;
    if (ste->s2) {
        /* IHI0070 3.4.3, 7.3.9: the CD/L1CD address is an IPA */
        if (vsmmu_walk_s2_fetch(s, &ste->s2cfg, addr, EVT_CLASS_CD, &pa, f))
            return -1;
    }
    *pa_out = pa;
    if (!(pa >> s->oas_bits) && !((pa + len - 1) >> s->oas_bits) &&
        !vsmmu_mem_read(s, pa, buf, len, VSMMU_MEM_CD))
        return 0;
    /* FetchAddr: the first doubleword whose read aborts */
    uint64_t at = pa, v;
    for (size_t i = 0; i < len / 8; i++) {
        if ((pa + 8 * i) >> s->oas_bits ||
            vsmmu_mem_read64(s, pa + 8 * i, &v, VSMMU_MEM_CD)) {
            at = pa + 8 * i;
            break;
        }
    }
    fault_set(f, EVT_F_CD_FETCH);
    f->fetch_addr = at;
    return -1;
}

int vsmmu_cd_lookup(struct vsmmu *s, const struct vsmmu_ste *ste, bool ssv, uint32_t ssid,
                    struct vsmmu_cd *cd, struct vsmmu_fault *f)
{
    memset(cd, 0, sizeof(*cd));
    fault_set(f, 0);
    if (!ste->s1) {
        /* 7.3.8: a SubstreamID with stage 1 not translating */
        if (ssv)
            return cd_fault(f, EVT_C_BAD_SUBSTREAMID);
        return 1;
    }
    uint32_t idx = 0;
    unsigned cdmax = ste->s1cdmax;          /* 0 when SSIDSIZE == 0 */
    if (cdmax == 0) {
        if (ssv)
            return cd_fault(f, EVT_C_BAD_SUBSTREAMID);
    } else if (ssv) {
        if ((uint64_t)ssid >> cdmax)
            return cd_fault(f, EVT_C_BAD_SUBSTREAMID);
        /* 5.2 S1DSS = 0b10: SubstreamID 0 is reserved for non-SSID traffic */
        if (ste->s1dss == STE_S1DSS_SSID0 && ssid == 0)
            return cd_fault(f, EVT_F_STREAM_DISABLED);
        idx = ssid;
    } else {
        switch (ste->s1dss) {
        case STE_S1DSS_BYPASS:
            return 1;
        case STE_S1DSS_SSID0:
            idx = 0;
            break;
        default:
            return cd_fault(f, EVT_F_STREAM_DISABLED);
        }
    }

    uint64_t ptr = ste->s1_ctx_ptr, cdaddr;
    if (cdmax == 0) {
        cdaddr = ptr;
    } else if (ste->s1fmt == STE_S1FMT_LINEAR) {
        /* Linear table of 2^S1CDMax CDs, aligned to its size: the RES0 low
         * bits of S1ContextPtr are treated as 0 (this model's choice). */
        cdaddr = (ptr & ~bits_mask_low(cdmax + 6)) + (uint64_t)idx * CD_SIZE;
    } else {
        unsigned lb = ste->s1fmt == STE_S1FMT_64K_L2 ? 6 : 10;   /* leaf index bits */
        unsigned l1bits = cdmax > lb ? cdmax - lb : 0;
        unsigned align = l1bits + 3 < 6 ? 6 : l1bits + 3;
        uint64_t l1addr = (ptr & ~bits_mask_low(align)) + (uint64_t)(idx >> lb) * 8;
        uint8_t b[8];
        uint64_t l1pa;
        if (cd_read(s, ste, l1addr, b, 8, &l1pa, f))
            return -1;
        uint64_t l1 = le64(b);
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_L1CD, l1pa, l1addr, idx, 0, &l1, 1, NULL);
        if (!(l1 & L1CD_V))
            return cd_fault(f, EVT_C_BAD_SUBSTREAMID);
        /* 5.3: L2Ptr is 4KB aligned (64KB for S1Fmt = 0b10: L2Ptr[15:12]
         * treated as 0 by this model). */
        uint64_t l2 = l1 & L1CD_L2PTR;
        if (lb == 10)
            l2 &= ~bits_mask_low(16);
        /* 3.4.3 (3)/(4): out of range -> C_BAD_SUBSTREAMID (v3.1+; this
         * model also for v3.0 and for an IPA) */
        if (l2 >> (ste->s2 ? s->ias_bits : s->oas_bits))
            return cd_fault(f, EVT_C_BAD_SUBSTREAMID);
        cdaddr = l2 + (uint64_t)(idx & bits_mask_low(lb)) * CD_SIZE;
    }

    uint8_t b[CD_SIZE];
    uint64_t pa;
    stat_add(s, cd_fetches, 1);
    if (cd_read(s, ste, cdaddr, b, sizeof(b), &pa, f))
        return -1;
    uint64_t raw[CD_DWORDS];
    for (unsigned i = 0; i < CD_DWORDS; i++)
        raw[i] = le64(b + 8 * i);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_CD, pa, cdaddr, idx, 0, raw, CD_DWORDS, NULL);
    if (vsmmu_cd_decode(s, ste, raw, cd)) {
        uint8_t why = cd->illegal;
        cd->pa = pa;
        cd->index = idx;
        cd->illegal = why;
        return cd_fault(f, EVT_C_BAD_CD);
    }
    cd->pa = pa;
    cd->index = idx;
    return 0;
}
