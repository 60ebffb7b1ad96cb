/* SPDX-License-Identifier: MIT */
/* What a guest may see when its stage 1 is nested on a host SMMU: the
 * configuration masked by the host's ID registers. The host fields used are
 * those the Linux uAPI documents for struct iommu_hw_info_arm_smmuv3
 * (IDR0 ST_LEVEL, TERM_MODEL, STALL_MODEL, TTENDIAN, CD2L, ASID16, TTF;
 * IDR1 SIDSIZE, SSIDSIZE; IDR3 BBML, RIL; IDR5 VAX, GRAN*), plus IDR5.OAS. */
#include <stdio.h>
#include "internal.h"
#include "vsmmu/accel.h"

#define REFUSE(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); \
                         return VSMMU_EINVAL; } while (0)

int vsmmu_accel_mask_config(struct vsmmu_config *cfg, const struct vsmmu_accel_hw_info *hw,
                            char *err, size_t errlen)
{
    if (!cfg || !hw)
        REFUSE("configuration or hardware information is NULL");
    uint32_t idr0 = hw->idr[0], idr1 = hw->idr[1], idr3 = hw->idr[3], idr5 = hw->idr[5];

    if (!cfg->s1p)
        REFUSE("S1P: accelerated nesting runs the guest's stage 1; the configuration has none");
    /* IDR0.TTF: 0b10 AArch64, 0b11 both (IHI0070 6.3.1). */
    unsigned ttf = (unsigned)FIELD_GET(IDR0_TTF, idr0);
    if (!(ttf & 2u))
        REFUSE("TTF: host SMMU has no AArch64 translation tables (IDR0.TTF=%u)", ttf);
    /* IDR0.TTENDIAN: 0b00 mixed, 0b10 little, 0b11 big; the model is little. */
    unsigned tte = (unsigned)FIELD_GET(IDR0_TTENDIAN, idr0);
    if (tte == 3u || tte == 1u)
        REFUSE("TTENDIAN: host SMMU does not walk little-endian tables (IDR0.TTENDIAN=%u)", tte);
    unsigned stall = (unsigned)FIELD_GET(IDR0_STALL_MODEL, idr0);
    if (stall == VSMMU_STALL_FORCED)
        REFUSE("STALL_MODEL: host forces stalls, which nesting cannot forward (IDR0.STALL_MODEL=2)");
    unsigned sidsize = (unsigned)FIELD_GET(IDR1_SIDSIZE, idr1);
    if (sidsize < cfg->sidsize)
        REFUSE("SIDSIZE: host has %u StreamID bits, the configuration %u", sidsize, cfg->sidsize);
    unsigned ssidsize = (unsigned)FIELD_GET(IDR1_SSIDSIZE, idr1);
    if (ssidsize < cfg->ssidsize)
        REFUSE("SSIDSIZE: host has %u SubstreamID bits, the configuration %u", ssidsize,
               cfg->ssidsize);
    unsigned oas = vsmmu_oas_decode((unsigned)FIELD_GET(IDR5_OAS, idr5));
    if (oas < cfg->oas_bits)
        REFUSE("OAS: host outputs %u bits, the configuration %u", oas, cfg->oas_bits);
    if (cfg->gran4k && !(idr5 & IDR5_GRAN4K))
        REFUSE("GRAN4K: host SMMU lacks the 4KB granule");
    if (cfg->gran16k && !(idr5 & IDR5_GRAN16K))
        REFUSE("GRAN16K: host SMMU lacks the 16KB granule");
    if (cfg->gran64k && !(idr5 & IDR5_GRAN64K))
        REFUSE("GRAN64K: host SMMU lacks the 64KB granule");
    if (cfg->ril && !(idr3 & IDR3_RIL))
        REFUSE("RIL: host SMMU has no range invalidation, the guest would send range TLBIs");

    /* Not carried by nesting: the host owns stage 2 and the VMID, HTTU/BTM/
     * MPAM are unsupported for nested domains, ATS/PRI are per device, stall
     * events go through the host's fault path, the vSTE has no overrides. */
    cfg->s2p = false;
    cfg->httu = VSMMU_HTTU_NONE;
    cfg->btm = false;
    cfg->hyp = false;
    cfg->ats = false;
    cfg->ns1ats = false;
    cfg->pri = false;
    cfg->priqs = 0;
    cfg->vmw = false;
    cfg->vmid16 = false;
    cfg->mpam = false;
    /* IHI0070 6.3.4: FWB is 1 in SMMUv3.2 and later whatever the stages;
     * without stage 2 STE.S2FWB is simply never used. */
    cfg->fwb = cfg->arch_minor >= 2;
    cfg->xnx = false;
    cfg->ptwnnc = false;
    cfg->stt = false;
    cfg->pbha = false;
    cfg->attr_types_ovr = false;
    cfg->attr_perms_ovr = false;
    cfg->stall_model = VSMMU_TERM_ONLY;
    cfg->stall_max = 0;

    /* Stage-1 features the host's walker implements. */
    cfg->cd2l = cfg->cd2l && (idr0 & IDR0_CD2L);
    cfg->e0pd = cfg->e0pd && (idr3 & IDR3_E0PD);   /* CD.E0PDx: a stage-1 walk feature */
    cfg->asid16 = cfg->asid16 && (idr0 & IDR0_ASID16);
    cfg->vax52 = cfg->vax52 && FIELD_GET(IDR5_VAX, idr5) == 1u;
    unsigned bbml = (unsigned)FIELD_GET(IDR3_BBML, idr3);
    if (cfg->bbml > bbml)
        cfg->bbml = bbml;
    if (idr0 & IDR0_TERM_MODEL)
        cfg->term_model = true;   /* host aborts only: CD.A must be 1 */

    char why[200];
    if (vsmmu_config_validate(cfg, why, sizeof(why)) != VSMMU_OK)
        REFUSE("masked configuration is inconsistent: %s", why);
    return VSMMU_OK;
}
