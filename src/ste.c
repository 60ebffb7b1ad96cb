/* SPDX-License-Identifier: MIT */
/* Stream table: StreamID -> STE address (linear and 2-level, IHI0070 3.3.1,
 * 5.1, 6.3.24/25), STE fetch, and STE decode with the ILLEGAL rules of
 * IHI0070 5.2 (SteIllegal()), reduced to a Non-secure, AArch64-only,
 * little-endian-tables implementation without DPT, MPAM/VMS or v3.4 fields. */
#include <string.h>
#include "internal.h"
#include "ste.h"
#include "spec/ste.h"

unsigned vsmmu_ps_bits(unsigned code, unsigned arch_minor)
{
    static const unsigned t[6] = { 32, 36, 40, 42, 44, 48 };
    if (code < 6)
        return t[code];
    /* 0b110: 52 bits from v3.1 (v3.0: reserved, behaves as 0b101);
     * 0b111: reserved, behaves as 0b110 in v3.1-v3.3 (0b101 in v3.0). */
    return arch_minor >= 1 ? 52 : 48;
}

static uint64_t le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

/* ---- attribute overrides (IHI0070 5.2 MTCFG/MemAttr, ALLOCCFG, SHCFG;
 *      6.3.14 GBPA uses the same encodings) ----------------------------- */

/* Stage-2 style MemAttr[3:0] -> MAIR byte (Normal halves: 01 NC, 10 WT,
 * 11 WB, RW-allocate; 00dd Device; 0b0100/1000/1100 reserved -> Device
 * nGnRnE per IHI0070 5.2 MemAttr). */
static uint8_t memattr_to_mair(uint8_t ma)
{
    unsigned o = (ma >> 2) & 3, i = ma & 3;
    if (o == 0)
        return (uint8_t)(i << 2);                  /* Device nGnRnE..GRE */
    if (i == 0)
        return 0x00;                               /* reserved -> Device-nGnRnE */
    static const uint8_t half[4] = { 0, 0x4, 0xB, 0xF };   /* -, NC, WT RW, WB RW */
    return (uint8_t)(half[o] << 4 | half[i]);
}

/* ALLOCCFG = 1RWT: force RA=R, WA=W, transient=T on cacheable halves. */
static uint8_t alloc_half(uint8_t h, unsigned alloccfg)
{
    bool wb = (h & 0xC) == 0xC || (h & 0xC) == 0x4;   /* 11RW / 01RW (RW != 0) */
    bool wt = (h & 0xC) == 0x8 || (h & 0xC) == 0x0;   /* 10RW / 00RW (RW != 0) */
    if (h == 0x4 || h == 0x0 || !(wb || wt))
        return h;                                     /* NC or not Normal */
    unsigned rw = (alloccfg >> 1) & 3, tr = alloccfg & 1;
    if (rw == 0)
        tr = 0;          /* transient needs an allocation hint to be encodable */
    unsigned top = wb ? (tr ? 0x4 : 0xC) : (tr ? 0x0 : 0x8);
    return (uint8_t)(top | ((rw & 2) ? 2 : 0) | ((rw & 1) ? 1 : 0));
}

void vsmmu_attr_override(uint8_t mtcfg, uint8_t memattr, uint8_t alloccfg, uint8_t shcfg,
                         uint8_t *attr, uint8_t *sh)
{
    if (mtcfg)
        *attr = memattr_to_mair(memattr);
    if ((alloccfg & 8) && (*attr & 0xF0)) {
        *attr = (uint8_t)(alloc_half((uint8_t)(*attr >> 4), alloccfg) << 4 |
                          alloc_half((uint8_t)(*attr & 0xF), alloccfg));
    }
    if (shcfg != STE_SHCFG_INCOMING)
        *sh = shcfg;
    *sh = vsmmu_attr_eff_sh(*attr, *sh);
}

/* ---- StreamID -> STE address ---------------------------------------------- */

static int bad_sid(struct vsmmu *s, struct vsmmu_fault *f)
{
    fault_set(f, EVT_C_BAD_STREAMID);
    /* IHI0070 6.3.12: recorded only when CR2.RECINVSID == 1 */
    f->silent = !(reg_load(&s->regs.cr2) & CR2_RECINVSID);
    return -1;
}

static int ste_fetch_fault(struct vsmmu_fault *f, uint64_t pa)
{
    fault_set(f, EVT_F_STE_FETCH);
    f->fetch_addr = pa;
    return -1;
}

int vsmmu_ste_addr(struct vsmmu *s, uint32_t sid, uint64_t *pa, struct vsmmu_fault *f)
{
    uint32_t cfg = reg_load(&s->regs.strtab_base_cfg);
    uint64_t base = reg_load(&s->regs.strtab_base) & STRTAB_BASE_ADDR;
    unsigned log2size = (unsigned)FIELD_GET(STRTAB_CFG_LOG2SIZE, cfg);
    unsigned l = log2size < s->cfg.sidsize ? log2size : s->cfg.sidsize;

    /* 6.3.25: StreamID >= 2^min(LOG2SIZE, SIDSIZE) is out of range */
    if ((uint64_t)sid >> l)
        return bad_sid(s, f);

    unsigned fmt = (unsigned)FIELD_GET(STRTAB_CFG_FMT, cfg);
    if (fmt != STRTAB_FMT_2LVL || !s->cfg.st2l) {
        /* Linear (other FMT values behave as 0b00): aligned to the table
         * size given by the literal LOG2SIZE. */
        base &= ~bits_mask_low(log2size + 6 > 64 ? 64 : log2size + 6);
        *pa = base + (uint64_t)sid * STE_SIZE;
    } else {
        unsigned split = (unsigned)FIELD_GET(STRTAB_CFG_SPLIT, cfg);
        if (split != 6 && split != 8 && split != 10)
            split = 6;                               /* 6.3.25: others behave as 6 */
        /* L1 table: 2^(LOG2SIZE - SPLIT) descriptors, aligned to
         * max(64 B, its size). */
        unsigned l1bits = log2size > split ? log2size - split : 0;
        unsigned align = l1bits + 3 < 6 ? 6 : (l1bits + 3 > 64 ? 64 : l1bits + 3);
        base &= ~bits_mask_low(align);
        uint64_t l1pa = base + (uint64_t)(sid >> split) * 8;
        uint64_t d;
        if (l1pa >> s->oas_bits || vsmmu_mem_read64(s, l1pa, &d, VSMMU_MEM_STE))
            return ste_fetch_fault(f, l1pa);          /* 3.4.3 (5): F_STE_FETCH */
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_L1STD, l1pa, 0, 0, 0, &d, 1, NULL);
        unsigned span = (unsigned)FIELD_GET(L1STD_SPAN, d);
        /* 5.1.1: Span 0, reserved (12..31), or above SPLIT + 1 -> invalid */
        if (span == 0 || span > L1STD_SPAN_MAX || span > split + 1)
            return bad_sid(s, f);
        uint32_t l2idx = sid & (uint32_t)bits_mask_low(split);
        if ((uint64_t)l2idx >> (span - 1))
            return bad_sid(s, f);
        /* 5.1: L2Ptr[5 + (Span - 1):0] treated as 0 */
        uint64_t l2 = d & L1STD_L2PTR & ~bits_mask_low(6 + span - 1);
        *pa = l2 + (uint64_t)l2idx * STE_SIZE;
    }
    if ((*pa + STE_SIZE - 1) >> s->oas_bits)
        return ste_fetch_fault(f, *pa);
    return 0;
}

int vsmmu_ste_lookup(struct vsmmu *s, uint32_t sid, struct vsmmu_ste *ste, struct vsmmu_fault *f)
{
    uint64_t pa;
    memset(ste, 0, sizeof(*ste));
    fault_set(f, 0);
    if (vsmmu_ste_addr(s, sid, &pa, f))
        return -1;
    stat_add(s, ste_fetches, 1);
    uint8_t b[STE_SIZE];
    if (vsmmu_mem_read(s, pa, b, sizeof(b), VSMMU_MEM_STE)) {
        /* Report the first doubleword whose read aborts (FetchAddr is
         * 8-byte granular, IHI0070 7.3.4). */
        uint64_t at = pa, v;
        for (unsigned i = 0; i < STE_DWORDS; i++) {
            if (vsmmu_mem_read64(s, pa + 8 * i, &v, VSMMU_MEM_STE)) {
                at = pa + 8 * i;
                break;
            }
        }
        return ste_fetch_fault(f, at);
    }
    uint64_t raw[STE_DWORDS];
    for (unsigned i = 0; i < STE_DWORDS; i++)
        raw[i] = le64(b + 8 * i);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_STE, pa, sid, 0, 0, raw, STE_DWORDS, NULL);
    if (vsmmu_ste_decode(s, raw, ste)) {
        fault_set(f, EVT_C_BAD_STE);
        return -1;
    }
    return 0;
}

/* ---- decode ------------------------------------------------------------------ */

static int illegal(struct vsmmu_ste *ste, enum vsmmu_ste_illegal why)
{
    ste->illegal = (uint8_t)why;
    return -1;
}

static unsigned s2tg_log2(unsigned tg)
{
    switch (tg) {
    case STE_S2TG_4K: return 12;
    case STE_S2TG_64K: return 16;
    case STE_S2TG_16K: return 14;
    default: return 0;
    }
}

static bool granule_ok(const struct vsmmu_config *c, unsigned g)
{
    return (g == 12 && c->gran4k) || (g == 14 && c->gran16k) || (g == 16 && c->gran64k);
}

/* Stage-2 fields: IHI0070 5.2 S2* descriptions and SteIllegal(). */
static int decode_s2(const struct vsmmu *s, const uint64_t *raw, struct vsmmu_ste *ste)
{
    const struct vsmmu_config *c = &s->cfg;
    uint64_t dw2 = raw[2], dw3 = raw[3];
    bool s2s = dw2 & STE_DW2_S2S;
    bool ha = dw2 & STE_DW2_S2HA, hd = dw2 & STE_DW2_S2HD;

    /* S2FWB with VMSAv8-32 is covered by S2AA64 below (no AArch32 tables) */
    if ((c->stall_model == VSMMU_TERM_ONLY && s2s) ||
        (c->stall_model == VSMMU_STALL_FORCED && !s2s))
        return illegal(ste, STE_ILL_S2S);
    if (!(dw2 & STE_DW2_S2AA64))        /* IDR0.TTF = 0b10: AArch64 only */
        return illegal(ste, STE_ILL_S2AA64);
    if (((ha || hd) && c->httu == VSMMU_HTTU_NONE) || (hd && c->httu == VSMMU_HTTU_AF))
        return illegal(ste, STE_ILL_S2HTTU);
    unsigned g = s2tg_log2((unsigned)FIELD_GET(STE_DW2_S2TG, dw2));
    if (!g || !granule_ok(c, g))
        return illegal(ste, STE_ILL_S2TG);

    unsigned ps = vsmmu_ps_bits((unsigned)FIELD_GET(STE_DW2_S2PS, dw2), c->arch_minor);
    if (ps > s->oas_bits)
        ps = s->oas_bits;               /* eff_S2PS = min(S2PS, OAS) */
    uint64_t ttb = dw3 & STE_DW3_S2TTB;
    if ((ttb >> ps) || (g != 16 && (ttb >> 48)))
        return illegal(ste, STE_ILL_S2TTB);

    /* S2T0SZ range: max 39 (no STT); min 64 - IAS (v3.0), else
     * max(16, 64 - IAS) for 4K/16K and max(12, 64 - IAS) for 64K. v3.0
     * out-of-range is CONSTRAINED UNPREDICTABLE: this model makes it ILLEGAL. */
    unsigned t0sz = (unsigned)FIELD_GET(STE_DW2_S2T0SZ, dw2);
    unsigned tmin = 64 - s->ias_bits;
    if (c->arch_minor >= 1) {
        unsigned floor = g == 16 ? 12 : 16;
        if (tmin < floor)
            tmin = floor;
    }
    if (t0sz < tmin || t0sz > 39)
        return illegal(ste, STE_ILL_S2T0SZ);

    unsigned sl0 = (unsigned)FIELD_GET(STE_DW2_S2SL0, dw2), concat = 1;
    /* SL0 = 0b11 with 4K (level 3) needs IDR3.STT, not implemented */
    int sl = (g == 12 && sl0 == 3) ? -1 : vsmmu_s2_start_level(g, sl0, t0sz, ps, &concat);
    if (sl < 0)
        return illegal(ste, STE_ILL_S2SL0);
    /* IDR0.TTENDIAN = 0b10 (little-endian only): S2ENDI = 1 is ILLEGAL */
    if (dw2 & STE_DW2_S2ENDI)
        return illegal(ste, STE_ILL_S2ENDI);

    struct vsmmu_s2_cfg *s2 = &ste->s2cfg;
    /* Start table (with concatenation) aligned to its size; 64 bytes
     * minimum with a 52-bit output (5.2 S2TTB). */
    unsigned ias = 64 - t0sz;
    unsigned lsb = g + (unsigned)(3 - sl) * (g - 3);
    unsigned tbits = 3 + (ias - lsb);
    if (ps == 52 && tbits < 6)
        tbits = 6;
    s2->ttb = ttb & ~bits_mask_low(tbits);
    s2->t0sz = (uint8_t)t0sz;
    s2->sl0 = (uint8_t)sl0;
    s2->granule = (uint8_t)g;
    s2->start_level = (int8_t)sl;
    s2->concat = (uint8_t)concat;
    s2->ps_bits = (uint8_t)ps;
    s2->aa64 = true;
    s2->endi = false;
    s2->affd = dw2 & STE_DW2_S2AFFD;
    /* {S2HA,S2HD} = 01 is reserved and behaves as 00 when not ILLEGAL */
    s2->ha = ha;
    s2->hd = ha && hd;
    /* S2PTW is only used with Config == 0b111 */
    s2->ptw = ste->config == STE_CFG_NESTED && (dw2 & STE_DW2_S2PTW);
    s2->fwb = c->fwb && (raw[1] & STE_DW1_S2FWB);
    s2->r = dw2 & STE_DW2_S2R;
    s2->s = s2s;
    s2->ir0 = (uint8_t)FIELD_GET(STE_DW2_S2IR0, dw2);
    s2->or0 = (uint8_t)FIELD_GET(STE_DW2_S2OR0, dw2);
    s2->sh0 = (uint8_t)FIELD_GET(STE_DW2_S2SH0, dw2);
    return 0;
}

static void decode_overrides(const struct vsmmu_config *c, uint64_t dw1, struct vsmmu_ste *ste)
{
    if (c->attr_types_ovr) {
        ste->mtcfg = (uint8_t)FIELD_GET(STE_DW1_MTCFG, dw1);
        ste->memattr = (uint8_t)FIELD_GET(STE_DW1_MEMATTR, dw1);
        ste->alloccfg = (uint8_t)FIELD_GET(STE_DW1_ALLOCCFG, dw1);
        ste->shcfg = (uint8_t)FIELD_GET(STE_DW1_SHCFG, dw1);
    } else {
        ste->shcfg = STE_SHCFG_INCOMING;   /* "use incoming" when not overridable */
    }
    if (c->attr_perms_ovr) {
        /* 0b01 is reserved and behaves as 0b00 (use incoming) */
        ste->privcfg = (uint8_t)FIELD_GET(STE_DW1_PRIVCFG, dw1);
        ste->instcfg = (uint8_t)FIELD_GET(STE_DW1_INSTCFG, dw1);
        if (ste->privcfg == 1)
            ste->privcfg = 0;
        if (ste->instcfg == 1)
            ste->instcfg = 0;
    }
    ste->nscfg = 0;                        /* Secure STEs only */
}

int vsmmu_ste_decode(const struct vsmmu *s, const uint64_t raw[8], struct vsmmu_ste *ste)
{
    const struct vsmmu_config *c = &s->cfg;
    memset(ste, 0, sizeof(*ste));
    memcpy(ste->raw, raw, sizeof(ste->raw));
    uint64_t dw0 = raw[0], dw1 = raw[1], dw2 = raw[2];

    if (!(dw0 & STE_DW0_V))
        return illegal(ste, STE_ILL_V);
    unsigned config = (unsigned)FIELD_GET(STE_DW0_CONFIG, dw0);
    ste->mev = dw1 & STE_DW1_MEV;
    if (!(config & STE_CONFIG_PASS)) {
        /* 0b000 and reserved 0b001..0b011: abort, never ILLEGAL */
        ste->config = STE_CFG_ABORT;
        return 0;
    }
    ste->config = (uint8_t)config;
    decode_overrides(c, dw1, ste);
    if (config == STE_CFG_BYPASS)
        return 0;                          /* no check applies to bypass */

    bool s1 = config & STE_CONFIG_S1, s2 = config & STE_CONFIG_S2;
    bool s2s = dw2 & STE_DW2_S2S;
    if (s1 && !c->s1p)
        return illegal(ste, STE_ILL_S1P);
    if (s2 && !c->s2p)
        return illegal(ste, STE_ILL_S2P);

    unsigned eats = (unsigned)FIELD_GET(STE_DW1_EATS, dw1);
    if (c->ats) {
        if (eats == STE_EATS_S1CHK && (config != STE_CFG_NESTED || s2s || c->ns1ats))
            return illegal(ste, STE_ILL_EATS_SPLIT);
        /* v3.0 also allows ILLEGAL with stage 2 bypassed (CONSTRAINED
         * UNPREDICTABLE): this model checks it only with stage 2. */
        if (eats == STE_EATS_TRANS && s2s && s2)
            return illegal(ste, STE_ILL_EATS_S2S);
        ste->eats = (uint8_t)(eats == 3 ? 0 : eats);   /* 0b11 (DPT) reserved -> 0b00 */
    }

    /* STRW is unused without S1P, without Hyp, or with stage 2 enabled */
    bool strw_used = c->s1p && c->hyp && !s2;
    unsigned strw = (unsigned)FIELD_GET(STE_DW1_STRW, dw1);
    if (strw_used && (strw & 1))
        return illegal(ste, STE_ILL_STRW);
    ste->strw = (uint8_t)(strw_used ? strw : STE_STRW_NSEL1);

    ste->s1 = s1;
    ste->s2 = s2;
    ste->s1stalld = dw1 & STE_DW1_S1STALLD;
    ste->ppar = dw1 & STE_DW1_PPAR;
    if (s1) {
        if (ste->s1stalld && c->stall_model != VSMMU_STALL_AND_TERM)
            return illegal(ste, STE_ILL_S1STALLD);
        unsigned cdmax = (unsigned)FIELD_GET(STE_DW0_S1CDMAX, dw0);
        unsigned fmt = (unsigned)FIELD_GET(STE_DW0_S1FMT, dw0);
        if (c->ssidsize) {
            if (cdmax > c->ssidsize)
                return illegal(ste, STE_ILL_S1CDMAX);
            if (cdmax && !c->cd2l && (fmt == STE_S1FMT_64K_L2 || fmt == STE_S1FMT_1024K_L2))
                return illegal(ste, STE_ILL_S1FMT);
        } else {
            cdmax = 0;                     /* S1CDMax ignored without substreams */
        }
        uint64_t ptr = dw0 & STE_DW0_S1CONTEXTPTR;
        /* 3.4.3: out-of-range S1ContextPtr -> C_BAD_STE (for an IPA this
         * is one of the CONSTRAINED UNPREDICTABLE options; v3.0 PA too) */
        if (ptr >> (s2 ? s->ias_bits : s->oas_bits))
            return illegal(ste, STE_ILL_S1CTXPTR);
        ste->s1_ctx_ptr = ptr;
        ste->s1cdmax = (uint8_t)cdmax;
        ste->s1fmt = (uint8_t)(fmt == 3 ? STE_S1FMT_LINEAR : fmt);   /* 0b11 -> linear */
        unsigned dss = (unsigned)FIELD_GET(STE_DW1_S1DSS, dw1);
        ste->s1dss = (uint8_t)(dss == 3 ? STE_S1DSS_TERMINATE : dss);
        ste->s1csh = (uint8_t)FIELD_GET(STE_DW1_S1CSH, dw1);
    }
    if (s2 && decode_s2(s, raw, ste))
        return -1;

    /* S2VMID is ignored without S2P, or in an EL2 StreamWorld */
    bool vmid_used = c->s2p && !(strw_used && strw != STE_STRW_NSEL1);
    uint16_t vmid = (uint16_t)FIELD_GET(STE_DW2_S2VMID, dw2);
    if (vmid_used && !c->vmid16 && (vmid >> 8))
        return illegal(ste, STE_ILL_S2VMID);
    ste->vmid = vmid_used ? vmid : 0;
    ste->s2cfg.vmid = ste->vmid;
    return 0;
}
