/* SPDX-License-Identifier: MIT */
/* Regression (fuzz_cmdq, accelerated mode with a device hot-unplugged): the
 * front-end takes stage-1 TLBIs (TLBI_NH_*, TLBI_NSNH_ALL) for the hosts and
 * the emulated translation cache never saw them. StreamIDs that are not
 * passthrough devices (never attached, or detached) still translate through
 * the emulated pipeline and its cache, so after TLBI + CMD_SYNC they kept
 * the old translation. IHI0070 4.4 / 4.7.3: once the CMD_SYNC completes,
 * no translation from before the invalidation may be used.
 * Expected: after a remap, TLBI_NSNH_ALL (or TLBI_NH_ASID) + CMD_SYNC, the
 * next translation walks again and returns the new address. */
#include "test.h"
#include "accel_rig.h"
#include "mem.h"
#include "ptb.h"
#include "cmd.h"
#include "stecd.h"
#include "internal.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"

static struct accel_rig R;
static struct kit_mem *HM, *GM;
static struct vsmmu *H, *G;
static struct kit_ptb S1;
static uint32_t prod;

static void w32(struct vsmmu *s, uint32_t off, uint32_t v) { vsmmu_mmio_write(s, off, v, 4); }
static void w64(struct vsmmu *s, uint32_t off, uint64_t v) { vsmmu_mmio_write(s, off, v, 8); }

static int setup(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "qemu-v3.1");
    if (accel_rig_open(&R, &c))
        return -1;
    H = R.h;
    G = R.g;
    HM = R.hm;
    GM = R.gm;
    /* guest: stage-1 tables (4K, 39-bit VA) VA 0x1000 -> 0x5000; one CD
     * (ASID 3); linear stream table at 0x10000 with STE 1 (passthrough)
     * and STE 2 (not attached: emulated) both stage 1 with that CD */
    kit_mem_alloc(GM, 0x30000, 0x1000);
    if (kit_ptb_init_s1(&S1, GM, 12, 25) ||
        kit_ptb_map(&S1, 0x1000, 0x5000, 0x1000, 3,
                    PTE_AF | PTE_NG | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3)))
        return -1;
    uint64_t cd = kit_mem_alloc(GM, 64, 64), dw[8];
    struct kit_cd cf;
    kit_cd_s1(&cf, kit_ptb_ttb(&S1), 39, 3);
    kit_cd_encode(&cf, dw);
    kit_write8(GM, cd, dw);
    struct kit_ste sf;
    kit_ste_s1(&sf, cd);
    kit_ste_encode(&sf, dw);
    kit_write8(GM, 0x10000 + 64, dw);
    kit_write8(GM, 0x10000 + 128, dw);
    w64(G, SMMU_STRTAB_BASE, 0x10000);
    w32(G, SMMU_STRTAB_BASE_CFG, 6);
    w64(G, SMMU_CMDQ_BASE, 0x20000 | 4);
    w64(G, SMMU_EVENTQ_BASE, 0x21000 | 4);
    w32(G, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN);
    w32(G, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
    prod = 0;
    return 0;
}

static void cmd2(const uint64_t a[2], const uint64_t b[2])
{
    const uint64_t *c[2] = { a, b };
    for (unsigned i = 0; i < 2; i++) {
        kit_w64(GM, 0x20000 + 16ull * (prod & 15), c[i][0]);
        kit_w64(GM, 0x20000 + 16ull * (prod & 15) + 8, c[i][1]);
        prod = (prod + 1) & 31;
    }
    w32(G, SMMU_CMDQ_PROD, prod);
    uint64_t cons = 0;
    vsmmu_mmio_read(G, SMMU_CMDQ_CONS, 4, &cons);
    CHECK_EQ(cons, prod);
}

static uint64_t xlate(uint32_t sid, uint64_t va)
{
    struct vsmmu_txn t = { .sid = sid, .addr = va };
    struct vsmmu_result r;
    CHECK_EQ(vsmmu_translate(G, &t, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    return r.out_addr;
}

static void remap(uint64_t pa)
{
    kit_ptb_unmap(&S1, 0x1000, 0x1000);
    kit_ptb_map(&S1, 0x1000, pa, 0x1000, 3, PTE_AF | PTE_NG | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3));
}

static void tlbi_reaches_emulated_streams(void)
{
    REQUIRE(setup() == 0);
    uint64_t sync[2], t[2];
    kit_cmd_sync(sync, KIT_CS_NONE, 0, 0, 0, 0);
    /* never attached */
    CHECK_EQ(xlate(2, 0x1010), 0x5010);
    remap(0x6000);
    kit_cmd_tlbi_nsnh_all(t);
    cmd2(t, sync);
    CHECK_EQ(xlate(2, 0x1010), 0x6010);
    /* detached (hot-unplug): now emulated as well */
    CHECK_EQ(vsmmu_accel_detach(G, 1), VSMMU_OK);
    CHECK_EQ(xlate(1, 0x1020), 0x6020);
    remap(0x7000);
    kit_cmd_tlbi_nh_asid(t, 0, 3);
    cmd2(t, sync);
    CHECK_EQ(xlate(1, 0x1020), 0x7020);
    CHECK_EQ(xlate(2, 0x1020), 0x7020);
    accel_rig_close(&R);
}

int main(void)
{
    RUN(tlbi_reaches_emulated_streams);
    return t_done();
}
