/* SPDX-License-Identifier: MIT */
/* Command decoding and validation (IHI0070 4.1-4.7). Pure: the result
 * depends only on the 16 bytes and on the configuration the ID registers
 * are synthesised from.
 *
 * Reserved fields: this model takes the first option of IHI0070 4.1.5 and
 * treats any non-zero RES0 bit as a malformed command (CERROR_ILL). */
#include <string.h>

#include "internal.h"
#include "spec/cmd.h"

/* Fields each opcode defines; every other bit is RES0. */
#define A0_ID    (CMD0_OP | CMD0_SSEC | CMD0_SID)
#define A0_SUBS  (CMD0_SSV | CMD0_SSID)
#define A0_RNG   (CMD0_NUM | CMD0_SCALE)
#define A1_RNG   (CMD1_LEAF | CMD1_TTL | CMD1_TG | CMD1_VA)

static bool has_res0(uint64_t v, uint64_t allowed)
{
    return (v & ~allowed) != 0;
}

/* log2 of the granule selected by TLBI TG (0 for TG == 0b00). */
static unsigned tg_log2(unsigned tg)
{
    return tg ? 12u + 2u * (tg - 1u) : 0u;
}

/* The address-range part shared by NH_VA, NH_VAA, EL2_VA, EL2_VAA and
 * S2_IPA (IHI0070 4.4.1, range invalidation). Returns CERROR_*. */
static int decode_range(const struct vsmmu_config *c, uint64_t d0, uint64_t d1, uint64_t addr,
                        struct vsmmu_tlbi *t)
{
    unsigned tg = (unsigned)FIELD_GET(CMD1_TG, d1);
    unsigned ttl = (unsigned)FIELD_GET(CMD1_TTL, d1);
    unsigned num = (unsigned)FIELD_GET(CMD0_NUM, d0);
    unsigned scale = (unsigned)FIELD_GET(CMD0_SCALE, d0);

    t->addr = addr;
    t->leaf = (d1 & CMD1_LEAF) != 0;
    if (!c->ril) {
        /* IDR3.RIL == 0: TG, TTL, NUM and SCALE are RES0. */
        if (tg || ttl || num || scale)
            return CERROR_ILL;
        t->size = UINT64_C(1) << 12;
        return CERROR_NONE;
    }
    if (tg == CMD_TG_NONE) {
        /* Non-range form: TTL, NUM and SCALE are RES0 when TG == 0b00. */
        if (ttl || num || scale)
            return CERROR_ILL;
        t->size = UINT64_C(1) << 12;
        return CERROR_NONE;
    }
    /* TTL == 0b01 with the 16KB granule is reserved without DS (v3.4) and
     * is treated as 0b00 (IHI0070 4.4.1, TTL table). */
    if (tg == CMD_TG_16K && ttl == 1)
        ttl = 0;
    /* NUM == 0, SCALE == 0, TTL == 0b00 with TG != 0b00 is reserved. */
    if (!num && !scale && !ttl)
        return CERROR_ILL;
    t->tg_log2 = (uint8_t)tg_log2(tg);
    t->ttl = (uint8_t)ttl;
    /* Range = (NUM + 1) * 2^SCALE * granule; at most 32 * 2^(31+16) = 2^52. */
    t->size = (uint64_t)(num + 1) << (scale + t->tg_log2);
    /* No wrap past the top of the address space (IHI0070 4.4.1). */
    if (addr && t->size > (uint64_t)0 - addr)
        t->size = (uint64_t)0 - addr;
    return CERROR_NONE;
}

/* VMID/ASID of a TLBI: 8-bit implementations have the upper byte RES0 and
 * such a command need not affect anything (IHI0070 4.4); without stage 2 the
 * VMID of NH_* commands is RES0 (IHI0070 4.4.2). This model then makes the
 * command a no-op rather than an error. */
static void decode_vmid(const struct vsmmu_config *c, uint64_t d0, struct vsmmu_cmd *o)
{
    uint32_t vmid = (uint32_t)FIELD_GET(CMD0_VMID, d0);
    if (!c->s2p) {
        if (vmid)
            o->no_effect = true;
        vmid = 0;
    } else if (!c->vmid16 && vmid > 0xff) {
        o->no_effect = true;
    }
    o->tlbi.vmid = (uint16_t)vmid;
}

static void decode_asid(const struct vsmmu_config *c, uint64_t d0, struct vsmmu_cmd *o)
{
    uint32_t asid = (uint32_t)FIELD_GET(CMD0_ASID, d0);
    if (!c->asid16 && asid > 0xff)
        o->no_effect = true;
    o->tlbi.asid = (uint16_t)asid;
}

int vsmmu_cmd_decode(const struct vsmmu_config *c, const uint64_t cmd[2], struct vsmmu_cmd *o)
{
    const uint64_t d0 = cmd[0], d1 = cmd[1];
    /* PA/IPA fields: [55:52] RES0 in v3.1-3.3, [55:48] in v3.0 (IHI0070 4.1.6). */
    const uint64_t pa_res0 = c->arch_minor == 0 ? CMD1_PA_RES0_V30 : CMD1_PA_RES0_V31;
    uint64_t a0, a1;
    int rc;

    memset(o, 0, sizeof(*o));
    o->op = (uint8_t)FIELD_GET(CMD0_OP, d0);

    /* SSec == 1 on the Non-secure queue is ILLEGAL (IHI0070 4.1.6); for
     * commands without SSec the bit is RES0, so the result is the same. */
    if (d0 & CMD0_SSEC)
        return CERROR_ILL;

    switch (o->op) {
    case CMD_PREFETCH_CONFIG:
        a0 = A0_ID | A0_SUBS; a1 = 0;
        break;
    case CMD_PREFETCH_ADDR:
        /* Stride is RES0 in v3.0; NS only exists on a Secure queue with SEL2. */
        a0 = A0_ID | A0_SUBS;
        a1 = CMD1_PF_SIZE | CMD1_VA | (c->arch_minor >= 1 ? CMD1_PF_STRIDE : 0);
        break;
    case CMD_CFGI_STE:
        a0 = A0_ID; a1 = CMD1_LEAF;
        break;
    case CMD_CFGI_STE_RANGE:
        a0 = A0_ID; a1 = CMD1_RANGE;
        break;
    case CMD_CFGI_CD:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = A0_ID | CMD0_SSID; a1 = CMD1_LEAF;
        break;
    case CMD_CFGI_CD_ALL:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = A0_ID; a1 = 0;
        break;
    case CMD_CFGI_VMS_PIDM:
        if (!c->mpam)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_VMID; a1 = 0;
        break;
    case CMD_TLBI_NH_ALL:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_VMID; a1 = 0;
        break;
    case CMD_TLBI_NH_ASID:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_VMID | CMD0_ASID; a1 = 0;
        break;
    case CMD_TLBI_NH_VA:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_RNG | CMD0_VMID | CMD0_ASID; a1 = A1_RNG;
        break;
    case CMD_TLBI_NH_VAA:
        if (!c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_RNG | CMD0_VMID; a1 = A1_RNG;
        break;
    case CMD_TLBI_EL2_ALL:
        if (!c->hyp || !c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP; a1 = 0;
        break;
    case CMD_TLBI_EL2_ASID:
        if (!c->hyp || !c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_ASID; a1 = 0;
        break;
    case CMD_TLBI_EL2_VA:
        if (!c->hyp || !c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_RNG | CMD0_ASID; a1 = A1_RNG;
        break;
    case CMD_TLBI_EL2_VAA:
        if (!c->hyp || !c->s1p)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_RNG; a1 = A1_RNG;
        break;
    case CMD_TLBI_S12_VMALL:
        if (!c->s2p)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_VMID; a1 = 0;
        break;
    case CMD_TLBI_S2_IPA:
        if (!c->s2p)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_RNG | CMD0_VMID;
        a1 = (CMD1_LEAF | CMD1_TTL | CMD1_TG | CMD1_ADDR_LO) & ~pa_res0;
        break;
    case CMD_TLBI_NSNH_ALL:
        a0 = CMD0_OP; a1 = 0;
        break;
    case CMD_ATC_INV:
        if (!c->ats)
            return CERROR_ILL;
        a0 = CMD0_OP | CMD0_ATC_GLOBAL | A0_SUBS | CMD0_SID; a1 = CMD1_ATC_SIZE | CMD1_VA;
        break;
    case CMD_PRI_RESP:
        if (!c->pri)
            return CERROR_ILL;
        a0 = CMD0_OP | A0_SUBS | CMD0_SID; a1 = CMD1_PRI_PRGI | CMD1_PRI_RESP;
        break;
    case CMD_RESUME:
        if (c->stall_model == VSMMU_TERM_ONLY)
            return CERROR_ILL;
        a0 = A0_ID | CMD0_RESUME_AC | CMD0_RESUME_AB; a1 = CMD1_STAG;
        break;
    case CMD_STALL_TERM:
        if (c->stall_model == VSMMU_TERM_ONLY)
            return CERROR_ILL;
        a0 = A0_ID; a1 = 0;
        break;
    case CMD_SYNC:
        a0 = CMD0_OP | CMD0_SYNC_CS | CMD0_SYNC_MSH | CMD0_SYNC_MSIATTR | CMD0_SYNC_MSIDATA;
        a1 = CMD1_MSIADDR & ~pa_res0;
        break;
    default:
        /* Reserved opcodes, EL3 and Secure-only commands on the Non-secure
         * queue, DPT commands, and the IMPLEMENTATION DEFINED range
         * 0x80-0x8F (none defined here). */
        return CERROR_ILL;
    }
    if (has_res0(d0, a0) || has_res0(d1, a1))
        return CERROR_ILL;

    o->sid = (uint32_t)FIELD_GET(CMD0_SID, d0);
    o->ssv = (d0 & CMD0_SSV) != 0;
    o->ssid = (uint32_t)FIELD_GET(CMD0_SSID, d0);
    o->leaf = (d1 & CMD1_LEAF) != 0;

    switch (o->op) {
    case CMD_PREFETCH_CONFIG:
    case CMD_PREFETCH_ADDR:
        if (!o->ssv)
            o->ssid = 0;
        o->size = (uint8_t)FIELD_GET(CMD1_PF_SIZE, d1);
        o->stride = (uint8_t)FIELD_GET(CMD1_PF_STRIDE, d1);
        o->addr = d1 & CMD1_VA;
        break;
    case CMD_CFGI_STE_RANGE:
        o->range = (uint8_t)FIELD_GET(CMD1_RANGE, d1);
        break;
    case CMD_CFGI_CD:
        o->ssv = false;   /* no SSV: SubstreamID is always the CD index */
        break;
    case CMD_CFGI_VMS_PIDM:
        o->tlbi.vmid = (uint16_t)FIELD_GET(CMD0_VMID, d0);
        break;
    case CMD_TLBI_NH_ALL:
        o->tlbi.op = VSMMU_TLBI_NH_ALL;
        decode_vmid(c, d0, o);
        break;
    case CMD_TLBI_NH_ASID:
        o->tlbi.op = VSMMU_TLBI_NH_ASID;
        decode_vmid(c, d0, o);
        decode_asid(c, d0, o);
        break;
    case CMD_TLBI_NH_VA:
    case CMD_TLBI_NH_VAA:
        o->tlbi.op = o->op == CMD_TLBI_NH_VA ? VSMMU_TLBI_NH_VA : VSMMU_TLBI_NH_VAA;
        decode_vmid(c, d0, o);
        if (o->op == CMD_TLBI_NH_VA)
            decode_asid(c, d0, o);
        rc = decode_range(c, d0, d1, d1 & CMD1_VA, &o->tlbi);
        if (rc)
            return rc;
        break;
    case CMD_TLBI_EL2_ALL:
        o->tlbi.op = VSMMU_TLBI_EL2_ALL;
        break;
    case CMD_TLBI_EL2_ASID:
        o->tlbi.op = VSMMU_TLBI_EL2_ASID;
        decode_asid(c, d0, o);
        break;
    case CMD_TLBI_EL2_VA:
    case CMD_TLBI_EL2_VAA:
        o->tlbi.op = o->op == CMD_TLBI_EL2_VA ? VSMMU_TLBI_EL2_VA : VSMMU_TLBI_EL2_VAA;
        if (o->op == CMD_TLBI_EL2_VA)
            decode_asid(c, d0, o);
        rc = decode_range(c, d0, d1, d1 & CMD1_VA, &o->tlbi);
        if (rc)
            return rc;
        break;
    case CMD_TLBI_S12_VMALL:
        o->tlbi.op = VSMMU_TLBI_S12_VMALL;
        decode_vmid(c, d0, o);
        break;
    case CMD_TLBI_S2_IPA:
        o->tlbi.op = VSMMU_TLBI_S2_IPA;
        decode_vmid(c, d0, o);
        rc = decode_range(c, d0, d1, d1 & CMD1_ADDR_LO & ~pa_res0, &o->tlbi);
        if (rc)
            return rc;
        break;
    case CMD_TLBI_NSNH_ALL:
        o->tlbi.op = VSMMU_TLBI_NSNH_ALL;
        break;
    case CMD_ATC_INV:
        o->global = (d0 & CMD0_ATC_GLOBAL) != 0;
        if (!o->ssv)
            o->ssid = 0;
        o->size = (uint8_t)FIELD_GET(CMD1_ATC_SIZE, d1);
        /* Size > 52: CERROR_ILL is one of the permitted behaviours (4.5.1). */
        if (o->size > CMD_ATC_SIZE_MAX)
            return CERROR_ILL;
        o->addr = d1 & CMD1_VA;
        break;
    case CMD_PRI_RESP:
        if (!o->ssv)
            o->ssid = 0;
        o->prgi = (uint16_t)FIELD_GET(CMD1_PRI_PRGI, d1);
        o->resp = (uint8_t)FIELD_GET(CMD1_PRI_RESP, d1);
        if (o->resp > CMD_PRI_RESP_SUCCESS)   /* Resp == 0b11 is ILLEGAL */
            return CERROR_ILL;
        break;
    case CMD_RESUME:
        o->retry = (d0 & CMD0_RESUME_AC) != 0;
        o->abort = (d0 & CMD0_RESUME_AB) != 0;
        /* TERM_MODEL == 1: terminations always abort (Ab ignored). */
        if (c->term_model)
            o->abort = true;
        o->stag = (uint16_t)FIELD_GET(CMD1_STAG, d1);
        break;
    case CMD_SYNC:
        o->cs = (uint8_t)FIELD_GET(CMD0_SYNC_CS, d0);
        if (o->cs > CMD_SYNC_CS_SEV)          /* CS == 0b11 is reserved */
            return CERROR_ILL;
        o->msh = (uint8_t)FIELD_GET(CMD0_SYNC_MSH, d0);
        o->msiattr = (uint8_t)FIELD_GET(CMD0_SYNC_MSIATTR, d0);
        o->msidata = (uint32_t)FIELD_GET(CMD0_SYNC_MSIDATA, d0);
        o->msiaddr = d1 & CMD1_MSIADDR;
        break;
    default:
        break;
    }
    return CERROR_NONE;
}
