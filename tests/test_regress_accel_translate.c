/* SPDX-License-Identifier: MIT */
/* Regression (fuzz_tables, accelerated mode): the front-end's own walk for a
 * passthrough device (vsmmu_translate on the vSMMU, e.g. an MSI doorbell
 * lookup) returned a bypass translation for a transaction with a
 * SubstreamID when the guest STE is Config=0b100 (bypass). IHI0070 5.2
 * (S1ContextPtr/S1DSS): with stage 1 disabled "the supply of a SubstreamID
 * with a transaction causes the transaction to be terminated with an abort,
 * recording C_BAD_SUBSTREAMID. This is the case for full stream bypass".
 * The emulated path (and the host SMMU for the device's DMA) abort it.
 * With SMMUEN=0, GBPA bypass includes transactions with a SubstreamID
 * (6.3.9.x), so those still pass.
 * Also: the front-end's bypass result carried memory attributes 0
 * (Device-nGnRnE, non-shareable) where the emulated path reports the
 * incoming attributes (Normal WB, inner shareable: no override in the
 * vSTE, IHI0070 5.2 MTCFG/SHCFG) and GBPA's overrides with SMMUEN=0. */
#include "test.h"
#include "accel_rig.h"
#include "mem.h"
#include "ptb.h"
#include "internal.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"

static struct accel_rig R;
static struct kit_mem *GM;
static struct vsmmu *H, *G;

static void w32(struct vsmmu *s, uint32_t off, uint32_t v) { vsmmu_mmio_write(s, off, v, 4); }
static void w64(struct vsmmu *s, uint32_t off, uint64_t v) { vsmmu_mmio_write(s, off, v, 8); }

static int setup(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "qemu-v3.1");
    c.ssidsize = 8;
    c.gbpa_reset = 0;                          /* GBPA: bypass */
    int rc = accel_rig_open(&R, &c);
    H = R.h;
    G = R.g;
    GM = R.gm;
    return rc;
}

static void translate(uint32_t flags, struct vsmmu_result *r)
{
    struct vsmmu_txn t = { .sid = 1, .ssid = 3, .addr = 0x5000, .flags = flags };
    CHECK_EQ(vsmmu_translate(G, &t, r), VSMMU_OK);
}

static void bypass_ste_with_substreamid_aborts(void)
{
    REQUIRE(setup() == 0);
    struct vsmmu_result r;
    /* SMMUEN=0, GBPA bypass: SubstreamIDs bypass too */
    translate(VSMMU_TXN_SSV, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x5000);
    CHECK_EQ(r.memattr, 0xFF);                  /* GBPA.MTCFG=0: incoming WB */
    CHECK_EQ(r.sh, 3);                          /* GBPA.SHCFG=0b00 ignored w/o ATTR_TYPES_OVR */

    /* linear stream table at 0x10000 (2^6 STEs); STE 1: V=1, Config=0b100 */
    kit_w64(GM, 0x10000 + 64, 1 | 4u << 1);
    w64(G, SMMU_STRTAB_BASE, 0x10000);
    w32(G, SMMU_STRTAB_BASE_CFG, 6);
    w64(G, SMMU_CMDQ_BASE, 0x20000 | 4);
    w64(G, SMMU_EVENTQ_BASE, 0x21000 | 4);
    w32(G, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN);
    w32(G, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);

    translate(0, &r);                           /* no SubstreamID: bypass */
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x5000);
    CHECK(r.bypass);
    CHECK_EQ(r.memattr, 0xFF);
    CHECK_EQ(r.sh, 3);
    translate(VSMMU_TXN_SSV, &r);               /* with one: abort */
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    /* the device's DMA on the host agrees */
    struct vsmmu_txn ht = { .sid = 0x21, .ssid = 3, .addr = 0x5000, .flags = VSMMU_TXN_SSV };
    struct vsmmu_result hr;
    CHECK_EQ(vsmmu_translate(H, &ht, &hr), VSMMU_OK);
    CHECK_EQ(hr.outcome, VSMMU_XLATE_ABORT);

    accel_rig_close(&R);
}

int main(void)
{
    RUN(bypass_ste_with_substreamid_aborts);
    return t_done();
}
