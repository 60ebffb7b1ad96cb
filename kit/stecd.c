/* SPDX-License-Identifier: MIT */
/* Configuration structure builders (kit/stecd.h). Bit positions from
 * IHI0070 5.1-5.4 (absolute bit n of a structure is DW(n/64) bit n%64). */
#include <string.h>
#include "stecd.h"

static uint64_t fld(uint64_t v, unsigned lo, unsigned width)
{
    uint64_t m = width >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << width) - 1;
    return (v & m) << lo;
}

/* address bits [hi:lo] kept in place */
static uint64_t addr(uint64_t a, unsigned hi, unsigned lo)
{
    uint64_t m = ((hi >= 63) ? ~UINT64_C(0) : ((UINT64_C(1) << (hi + 1)) - 1)) &
                 ~((UINT64_C(1) << lo) - 1);
    return a & m;
}

void kit_ste_encode(const struct kit_ste *f, uint64_t ste[8])
{
    memset(ste, 0, 8 * sizeof(uint64_t));
    /* DW0: V[0] Config[3:1] S1Fmt[5:4] S1ContextPtr[51:6] S1CDMax[63:59] */
    ste[0] = fld(f->v, 0, 1) | fld(f->config, 1, 3) | fld(f->s1fmt, 4, 2) |
             addr(f->s1ctxptr, 51, 6) | fld(f->s1cdmax, 59, 5);
    /* DW1: S1DSS[1:0] S1CIR[3:2] S1COR[5:4] S1CSH[7:6] CONT[16:13] PPAR[18]
     * MEV[19] S2FWB[25] S1STALLD[27] EATS[29:28] STRW[31:30] MemAttr[35:32]
     * MTCFG[36] ALLOCCFG[40:37] SHCFG[45:44] NSCFG[47:46] PRIVCFG[49:48]
     * INSTCFG[51:50] */
    ste[1] = fld(f->s1dss, 0, 2) | fld(f->s1cir, 2, 2) | fld(f->s1cor, 4, 2) |
             fld(f->s1csh, 6, 2) | fld(f->cont, 13, 4) | fld(f->ppar, 18, 1) |
             fld(f->mev, 19, 1) | fld(f->s2fwb, 25, 1) | fld(f->s1stalld, 27, 1) |
             fld(f->eats, 28, 2) | fld(f->strw, 30, 2) | fld(f->memattr, 32, 4) |
             fld(f->mtcfg, 36, 1) | fld(f->alloccfg, 37, 4) | fld(f->shcfg, 44, 2) |
             fld(f->nscfg, 46, 2) | fld(f->privcfg, 48, 2) | fld(f->instcfg, 50, 2);
    /* DW2: S2VMID[15:0] S2T0SZ[37:32] S2SL0[39:38] S2IR0[41:40] S2OR0[43:42]
     * S2SH0[45:44] S2TG[47:46] S2PS[50:48] S2AA64[51] S2ENDI[52] S2AFFD[53]
     * S2PTW[54] S2HD[55] S2HA[56] S2S[57] S2R[58] */
    ste[2] = fld(f->s2vmid, 0, 16) | fld(f->s2t0sz, 32, 6) | fld(f->s2sl0, 38, 2) |
             fld(f->s2ir0, 40, 2) | fld(f->s2or0, 42, 2) | fld(f->s2sh0, 44, 2) |
             fld(f->s2tg, 46, 2) | fld(f->s2ps, 48, 3) | fld(f->s2aa64, 51, 1) |
             fld(f->s2endi, 52, 1) | fld(f->s2affd, 53, 1) | fld(f->s2ptw, 54, 1) |
             fld(f->s2hd, 55, 1) | fld(f->s2ha, 56, 1) | fld(f->s2s, 57, 1) |
             fld(f->s2r, 58, 1);
    /* DW3: S2TTB[51:4] */
    ste[3] = addr(f->s2ttb, 51, 4);
}

void kit_cd_encode(const struct kit_cd *f, uint64_t cd[8])
{
    memset(cd, 0, 8 * sizeof(uint64_t));
    /* DW0: T0SZ[5:0] TG0[7:6] IR0[9:8] OR0[11:10] SH0[13:12] EPD0[14]
     * ENDI[15] T1SZ[21:16] TG1[23:22] IR1[25:24] OR1[27:26] SH1[29:28]
     * EPD1[30] V[31] IPS[34:32] AFFD[35] WXN[36] UWXN[37] TBI0[38] TBI1[39]
     * PAN[40] AA64[41] HD[42] HA[43] S[44] R[45] A[46] ASET[47] ASID[63:48] */
    cd[0] = fld(f->t0sz, 0, 6) | fld(f->tg0, 6, 2) | fld(f->ir0, 8, 2) | fld(f->or0, 10, 2) |
            fld(f->sh0, 12, 2) | fld(f->epd0, 14, 1) | fld(f->endi, 15, 1) |
            fld(f->t1sz, 16, 6) | fld(f->tg1, 22, 2) | fld(f->ir1, 24, 2) |
            fld(f->or1, 26, 2) | fld(f->sh1, 28, 2) | fld(f->epd1, 30, 1) | fld(f->v, 31, 1) |
            fld(f->ips, 32, 3) | fld(f->affd, 35, 1) | fld(f->wxn, 36, 1) |
            fld(f->uwxn, 37, 1) | fld(f->tbi0, 38, 1) | fld(f->tbi1, 39, 1) |
            fld(f->pan, 40, 1) | fld(f->aa64, 41, 1) | fld(f->hd, 42, 1) | fld(f->ha, 43, 1) |
            fld(f->s, 44, 1) | fld(f->r, 45, 1) | fld(f->a, 46, 1) | fld(f->aset, 47, 1) |
            fld(f->asid, 48, 16);
    /* DW1: HAD0[1] E0PD0[2] TTB0[51:4]; DW2: HAD1[1] E0PD1[2] TTB1[51:4] */
    cd[1] = fld(f->had0, 1, 1) | fld(f->e0pd0, 2, 1) | addr(f->ttb0, 51, 4);
    cd[2] = fld(f->had1, 1, 1) | fld(f->e0pd1, 2, 1) | addr(f->ttb1, 51, 4);
    /* DW3: MAIR0 | MAIR1 << 32 */
    cd[3] = f->mair;
}

uint64_t kit_l1std(unsigned span, uint64_t l2ptr)
{
    return fld(span, 0, 5) | addr(l2ptr, 51, 6);       /* Span[4:0], L2Ptr[51:6] */
}

uint64_t kit_l1cd(bool v, uint64_t l2ptr)
{
    return fld(v, 0, 1) | addr(l2ptr, 51, 12);         /* V[0], L2Ptr[51:12] */
}

void kit_ste_s1(struct kit_ste *f, uint64_t ctx)
{
    memset(f, 0, sizeof(*f));
    f->v = true;
    f->config = KIT_CFG_S1;
    f->s1ctxptr = ctx;
}

void kit_ste_s2(struct kit_ste *f, uint64_t s2ttb, unsigned ias, unsigned vmid)
{
    memset(f, 0, sizeof(*f));
    f->v = true;
    f->config = KIT_CFG_S2;
    f->s2t0sz = 64 - ias;
    f->s2sl0 = ias > 39 ? 2 : 1;     /* 4K: 0b10 level 0, 0b01 level 1 */
    f->s2tg = 0;
    f->s2ps = KIT_PS_48;
    f->s2aa64 = true;
    f->s2r = true;
    f->shcfg = 1;                    /* use incoming shareability (as Linux) */
    f->s2vmid = vmid;
    f->s2ttb = s2ttb;
}

void kit_cd_s1(struct kit_cd *f, uint64_t ttb0, unsigned va_bits, unsigned asid)
{
    memset(f, 0, sizeof(*f));
    f->v = true;
    f->aa64 = true;
    f->t0sz = 64 - va_bits;
    f->tg0 = KIT_TG0_4K;
    f->epd1 = true;
    f->t1sz = 64 - va_bits;
    f->tg1 = KIT_TG1_4K;
    f->ips = KIT_PS_48;
    f->a = f->r = true;
    f->asid = asid;
    f->ttb0 = ttb0;
    f->mair = KIT_MAIR;
}

void kit_write8(struct kit_mem *m, uint64_t pa, const uint64_t dw[8])
{
    for (unsigned i = 0; i < 8; i++)
        kit_w64(m, pa + 8 * (uint64_t)i, dw[i]);
}
