/* SPDX-License-Identifier: MIT */
/* Configuration: defaults, named profiles and the consistency rules that
 * vsmmu_create() enforces (IHI0070 6.3.1-6.3.6 for what each ID field
 * requires of the others). */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const unsigned oas_table[] = { 32, 36, 40, 42, 44, 48, 52 };

unsigned vsmmu_oas_encode(unsigned bits)
{
    for (unsigned i = 0; i < sizeof(oas_table) / sizeof(oas_table[0]); i++)
        if (oas_table[i] == bits)
            return i;
    return ~0u;
}

unsigned vsmmu_oas_decode(unsigned code)
{
    return code < sizeof(oas_table) / sizeof(oas_table[0]) ? oas_table[code] : 0;
}

unsigned vsmmu_config_ias(const struct vsmmu_config *cfg)
{
    /* AArch64 tables only (IDR0.TTF=0b10): IAS = OAS (IHI0070 3.4). */
    return cfg->oas_bits;
}

static void profile_full_v32(struct vsmmu_config *c)
{
    memset(c, 0, sizeof(*c));
    c->arch_minor = 2;
    c->s1p = c->s2p = true;
    c->cohacc = true;
    c->btm = false;
    c->httu = VSMMU_HTTU_AF_DIRTY;
    c->hyp = true;
    c->ats = true;
    c->ns1ats = false;
    c->asid16 = c->vmid16 = true;
    c->msi = true;
    c->sev = true;
    c->pri = true;
    c->vmw = true;
    c->cd2l = c->st2l = true;
    c->stall_model = VSMMU_STALL_AND_TERM;
    c->term_model = false;
    c->dormhint = false;
    c->sidsize = 24;
    c->ssidsize = 20;
    c->cmdqs = c->eventqs = c->priqs = 19;
    c->attr_types_ovr = c->attr_perms_ovr = true;
    c->had = true;
    c->xnx = true;
    c->fwb = true;
    c->ril = true;
    c->bbml = 2;
    c->oas_bits = 48;
    c->gran4k = c->gran16k = c->gran64k = true;
    c->stall_max = 64;
    /* Implementer Arm (0x43B), ProductID 0x56 ('V'), variant/revision 0. */
    c->iidr = 0x43B | (0x056u << 20);
    c->page0_alias = true;
    c->gbpa_reset = GBPA_ABORT; /* deny by default until the driver programs GBPA */
    c->tlb_entries = 16384;
    c->cfg_entries = 1024;
    c->cmdq_batch = 4096;
}

static void profile_full_v33(struct vsmmu_config *c)
{
    profile_full_v32(c);
    c->arch_minor = 3;
    c->e0pd = true;
    c->ptwnnc = true;
}

/* The feature set QEMU's emulated SMMUv3 advertises: stage 1 and 2, AArch64
 * tables, all granules, 44-bit OAS, 16-bit SIDs, no SSIDs, no PRI/ATS/MSI,
 * terminate-only, RIL and BBML2 as a v3.1 implementation may add. */
static void profile_qemu_v31(struct vsmmu_config *c)
{
    profile_full_v32(c);
    c->arch_minor = 1;
    c->httu = VSMMU_HTTU_NONE;
    c->hyp = false;
    c->ats = c->pri = false;
    c->msi = false;
    c->sev = false;
    c->vmw = false;
    c->cd2l = true;
    c->stall_model = VSMMU_TERM_ONLY;
    c->stall_max = 0;
    c->term_model = true;
    c->sidsize = 16;
    c->ssidsize = 0;
    c->priqs = 0;
    c->attr_types_ovr = c->attr_perms_ovr = false;
    c->fwb = false;
    c->oas_bits = 44;
    c->gbpa_reset = 0x1000; /* SHCFG = use incoming, bypass */
    c->tlb_entries = 256;
    c->cfg_entries = 256;
}

static void profile_minimal_v30(struct vsmmu_config *c)
{
    profile_full_v32(c);
    c->arch_minor = 0;
    c->s2p = false;
    c->httu = VSMMU_HTTU_NONE;
    c->hyp = false;
    c->ats = c->pri = false;
    c->asid16 = true;
    c->vmid16 = false;
    c->msi = false;
    c->sev = false;
    c->vmw = false;
    c->cd2l = false;
    c->st2l = false;
    c->stall_model = VSMMU_TERM_ONLY;
    c->stall_max = 0;
    c->sidsize = 6;
    c->ssidsize = 0;
    c->cmdqs = c->eventqs = 8;
    c->priqs = 0;
    c->attr_types_ovr = c->attr_perms_ovr = false;
    c->had = false;
    c->xnx = false;
    c->fwb = false;
    c->ril = false;
    c->bbml = 0;
    c->oas_bits = 40;
    c->gran16k = c->gran64k = false;
}

struct profile {
    const char *name;
    void (*fill)(struct vsmmu_config *);
};

static const struct profile profiles[] = {
    { "full-v3.2", profile_full_v32 },
    { "full-v3.3", profile_full_v33 },
    { "qemu-v3.1", profile_qemu_v31 },
    { "minimal-v3.0", profile_minimal_v30 },
};

static const char *const profile_names[] = {
    "full-v3.2", "full-v3.3", "qemu-v3.1", "minimal-v3.0", NULL
};

const char *const *vsmmu_profile_names(void) { return profile_names; }

void vsmmu_config_default(struct vsmmu_config *cfg)
{
    profile_full_v32(cfg);
}

int vsmmu_config_profile(struct vsmmu_config *cfg, const char *name)
{
    if (!cfg || !name)
        return VSMMU_EINVAL;
    for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
        if (strcmp(profiles[i].name, name) == 0) {
            profiles[i].fill(cfg);
            return VSMMU_OK;
        }
    }
    return VSMMU_ENOENT;
}

#define REJECT(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); \
                         return VSMMU_EINVAL; } while (0)

/* A v3.x part may implement features of v3.(x+1) but nothing of v3.(x+2)
 * (IHI0070 1.3); features mandatory from a version on must be present. */
int vsmmu_config_validate(const struct vsmmu_config *c, char *err, size_t errlen)
{
    unsigned v = c->arch_minor;

    if (v > 3)
        REJECT("arch_minor=%u: only SMMUv3.0..v3.3 are modelled", v);
    if (!c->s1p && !c->s2p)
        REJECT("s1p=0 and s2p=0: at least one translation stage is required");
    if (!c->gran4k && !c->gran16k && !c->gran64k)
        REJECT("no translation granule (gran4k/gran16k/gran64k all 0)");
    if (vsmmu_oas_encode(c->oas_bits) == ~0u)
        REJECT("oas_bits=%u: must be one of 32, 36, 40, 42, 44, 48, 52", c->oas_bits);
    if (c->oas_bits == 52 && v < 1)
        REJECT("oas_bits=52 requires SMMUv3.1 (arch_minor >= 1)");
    if (c->oas_bits == 52 && !c->gran64k)
        REJECT("oas_bits=52 requires the 64KB granule (gran64k)");
    if (c->vax52 && (v < 1 || !c->gran64k))
        REJECT("vax52 requires SMMUv3.1 and the 64KB granule");
    if (c->sidsize > 32)
        REJECT("sidsize=%u exceeds 32", c->sidsize);
    if (c->ssidsize > 20)
        REJECT("ssidsize=%u exceeds 20", c->ssidsize);
    if (c->cmdqs > 19 || c->eventqs > 19 || c->priqs > 19)
        REJECT("cmdqs/eventqs/priqs must be <= 19 (got %u/%u/%u)",
               c->cmdqs, c->eventqs, c->priqs);
    if (c->sidsize >= 7 && !c->st2l)
        REJECT("sidsize=%u >= 7 requires 2-level stream tables (st2l)", c->sidsize);
    if (c->hyp && !(c->s1p && c->s2p))
        REJECT("hyp requires both stages (s1p and s2p)");
    if (c->vmw && !c->s2p)
        REJECT("vmw requires stage 2 (s2p)");
    if (c->vmid16 && !c->s2p)
        REJECT("vmid16 requires stage 2 (s2p)");
    if (c->pri && !c->ats)
        REJECT("pri requires ats");
    if (c->ns1ats && !(c->ats && c->s1p && c->s2p))
        REJECT("ns1ats requires ats, s1p and s2p");
    if (c->pbha && (v < 1 || !c->had))
        REJECT("pbha requires SMMUv3.1 and had");
    if (c->stall_model > VSMMU_STALL_FORCED)
        REJECT("stall_model=%u is reserved", (unsigned)c->stall_model);
    if (c->stall_model == VSMMU_TERM_ONLY && c->stall_max)
        REJECT("stall_max must be 0 when stall_model is terminate-only");
    if (c->stall_model != VSMMU_TERM_ONLY && !c->stall_max)
        REJECT("stall_max must be non-zero when stalls are supported");
    if (c->stall_model == VSMMU_STALL_FORCED && c->ats)
        REJECT("stall_model=forced is not permitted with ats (PCIe)");
    if (c->httu > VSMMU_HTTU_AF_DIRTY)
        REJECT("httu=%u: table-descriptor AF (HAFT) is SMMUv3.4, not modelled",
               (unsigned)c->httu);
    if (c->bbml > 2)
        REJECT("bbml=%u is reserved", c->bbml);

    /* Version gating: v3.2 features need at least v3.1, v3.3 ones v3.2. */
    if (v < 1 && (c->ril || c->bbml || c->fwb || c->stt || c->mpam))
        REJECT("ril/bbml/fwb/stt/mpam are SMMUv3.2 features: need arch_minor >= 1");
    /* IDR3.XNX, IDR3.PBHA and IDR5.VAX are RES0 in SMMUv3.0 (6.3.4, 6.3.6). */
    if (v < 1 && c->xnx)
        REJECT("xnx: IDR3.XNX is RES0 in SMMUv3.0 (need arch_minor >= 1)");
    if (v < 2 && (c->e0pd || c->ptwnnc))
        REJECT("e0pd/ptwnnc are SMMUv3.3 features: need arch_minor >= 2 (got %u)", v);
    if (c->ptwnnc && !c->s2p)
        REJECT("ptwnnc requires stage 2 (s2p)");

    /* Features mandatory from a given version (IHI0070 6.3.1, 6.3.4). */
    if (v >= 1 && c->s1p && !c->had)
        REJECT("SMMUv3.1+ with stage 1 requires had");
    if (v >= 1 && c->s2p && !c->xnx)
        REJECT("SMMUv3.1+ with stage 2 requires xnx");
    if (v >= 2 && !c->ril)
        REJECT("SMMUv3.2+ requires ril");
    if (v >= 2 && !c->fwb)
        REJECT("SMMUv3.2+ requires fwb (IDR3.FWB is 1 in v3.2 and later)");
    if (v >= 2 && c->bbml == 0)
        REJECT("SMMUv3.2+ requires bbml >= 1");
    if (v >= 2 && c->s1p && c->s2p && !c->hyp)
        REJECT("SMMUv3.2+ with both stages requires hyp");
    if (v >= 3 && !c->e0pd)
        REJECT("SMMUv3.3 requires e0pd");
    if (v >= 3 && c->s2p && !c->ptwnnc)
        REJECT("SMMUv3.3 with stage 2 requires ptwnnc");
    if (c->had && !c->s1p)
        REJECT("had requires stage 1 (IDR3.HAD is 0 when S1P is 0)");
    if (c->stall_max > 0xFFFF)
        REJECT("stall_max=%u does not fit IDR5.STALL_MAX (16 bits)", c->stall_max);
    /* GBPA reset value: only architected fields (Update is forced to 0). */
    const uint32_t gbpa_fields = (uint32_t)(GBPA_MEMATTR | GBPA_MTCFG | GBPA_ALLOCCFG |
                                            GBPA_SHCFG | GBPA_PRIVCFG | GBPA_INSTCFG |
                                            GBPA_ABORT | GBPA_UPDATE);
    if (c->gbpa_reset & ~gbpa_fields)
        REJECT("gbpa_reset=0x%08x sets RES0 bits of GBPA (0x%08x)", c->gbpa_reset,
               c->gbpa_reset & ~gbpa_fields);
    if (c->mpam)
        REJECT("mpam is not modelled");
    if (c->stt)
        REJECT("stt (small translation tables) is not modelled");
    return VSMMU_OK;
}

int vsmmu_config_check(const struct vsmmu_config *cfg, char *err, size_t errlen)
{
    if (!cfg) {
        if (err && errlen)
            snprintf(err, errlen, "configuration is NULL");
        return VSMMU_EINVAL;
    }
    return vsmmu_config_validate(cfg, err, errlen);
}
