/* SPDX-License-Identifier: MIT */
/* Regression (fuzz_tables, accelerated mode): a guest configuration of
 * SMMUv3.2 or later could not be put in accelerated mode at all. The mask
 * clears the stage-2 features, FWB among them, but IHI0070 6.3.4 says
 * "FWB is 1 in an implementation of SMMUv3.2 or later" (unconditionally),
 * so the masked configuration failed the consistency check and
 * vsmmu_accel_add_backend refused every full-v3.2 / full-v3.3 guest.
 * Expected: the mask succeeds, stage 2 is gone (S2P = 0, the host owns
 * stage 2), and FWB stays 1 for v3.2+ (STE.S2FWB is then meaningless, as
 * every stage-2 field is, but the ID bit keeps its architected value).
 * The same held for E0PD (mandatory in v3.3, cleared by the mask although
 * it is a stage-1 walk feature the host may have): a v3.3 guest nests on a
 * v3.3 host, and is refused on a v3.2 host naming E0PD. */
#include "test.h"
#include "mem.h"
#include "internal.h"
#include "vsmmu/accel.h"

static void host_hw(const char *profile, struct vsmmu_accel_hw_info *hw)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, profile);
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 16);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s;
    if (vsmmu_create(&c, &ops, &s, NULL, 0)) {
        fprintf(stderr, "host profile %s\n", profile);
        exit(2);
    }
    uint64_t v;
    for (unsigned i = 0; i < 6; i++) {
        vsmmu_mmio_read(s, SMMU_IDR0 + 4 * i, 4, &v);
        hw->idr[i] = (uint32_t)v;
    }
    vsmmu_mmio_read(s, SMMU_IIDR, 4, &v);
    hw->iidr = (uint32_t)v;
    vsmmu_mmio_read(s, SMMU_AIDR, 4, &v);
    hw->aidr = (uint32_t)v;
    vsmmu_destroy(s);
    kit_mem_free(m);
}

static void v32_guests_nest_on_v32_host(void)
{
    static const char *const guests[] = { "full-v3.2", "full-v3.3" };
    for (unsigned i = 0; i < 2; i++) {
        struct vsmmu_accel_hw_info hw;
        host_hw(guests[i], &hw);              /* host of the same version */
        struct vsmmu_config c;
        vsmmu_config_profile(&c, guests[i]);
        char err[256] = "";
        int rc = vsmmu_accel_mask_config(&c, &hw, err, sizeof(err));
        CHECK_MSG(rc == VSMMU_OK, "guest %s refused: %s", guests[i], err);
        if (rc)
            continue;
        CHECK(!c.s2p);
        CHECK(c.s1p);
        CHECK(c.fwb);          /* IHI0070 6.3.4: 1 in v3.2 and later */
        CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), VSMMU_OK);
    }
}

static void v33_guest_refused_on_v32_host(void)
{
    struct vsmmu_accel_hw_info hw;
    host_hw("full-v3.2", &hw);
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "full-v3.3");
    char err[256] = "";
    CHECK_EQ(vsmmu_accel_mask_config(&c, &hw, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK_MSG(strstr(err, "e0pd") || strstr(err, "E0PD"), "message: %s", err);
}

int main(void)
{
    RUN(v32_guests_nest_on_v32_host);
    RUN(v33_guest_refused_on_v32_host);
    return t_done();
}
