/* SPDX-License-Identifier: MIT */
/* Guest values that stop other SMMU models (QEMU asserts on CD.IPS 0b110 /
 * 0b111 and on STE.S2AA64 = 0; gem5 panics on a malformed STE and on a full
 * event queue) give vsmmu's architected result. The guest is the mini Linux
 * driver (kit/drv) on a full-v3.2 SMMU with OAS = 40 bits. */
#include "test.h"
#include "mem.h"
#include "drv.h"
#include "ptb.h"
#include "stecd.h"
#include "internal.h"
#include "fault.h"
#include "spec/pte.h"

static struct kit_mem *M;
static struct vsmmu *S;
static struct kit_drv D;
static struct kit_ptb PT;
static uint64_t CD;

static int setup(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "full-v3.2");
    c.oas_bits = 40;
    M = kit_mem_new();
    kit_mem_add(M, 0, 4u << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(M, &ops, false);
    if (vsmmu_create(&c, &ops, &S, NULL, 0) || kit_drv_probe(&D, S, M))
        return -1;
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    if (kit_drv_reset(&D, &o))
        return -1;
    /* stage 1, 4K, 39-bit VA: VA 0x1000 -> PA 0x5000, VA 0x2000 -> PA
     * 2^40 + 0x2000 (bit 40: beyond the 40-bit OAS) */
    if (kit_ptb_init_s1(&PT, M, 12, 25))
        return -1;
    uint64_t at = PTE_AF | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3);
    if (kit_ptb_map(&PT, 0x1000, 0x5000, 0x1000, 3, at) ||
        kit_ptb_map(&PT, 0x2000, (1ull << 40) | 0x2000, 0x1000, 3, at))
        return -1;
    CD = kit_mem_alloc(M, 64, 64);
    return 0;
}

static void teardown(void)
{
    vsmmu_destroy(S);
    kit_mem_free(M);
}

static void xlate(uint32_t sid, uint64_t va, struct vsmmu_result *r)
{
    struct vsmmu_txn t = { .sid = sid, .addr = va };
    CHECK_EQ(vsmmu_translate(S, &t, r), VSMMU_OK);
}

/* CD.IPS 0b110 (52 bits, v3.1+) and 0b111 (reserved: behaves as 52 bits in
 * v3.1-v3.3) are used as min(IPS, OAS) = 40 bits (IHI0070 5.4 CD.IPS,
 * structures.md): an output with bit 40 set is a stage-1 F_ADDR_SIZE
 * (CLASS IN), one below translates. */
static void cd_ips_52_and_reserved(void)
{
    REQUIRE(setup() == 0);
    for (unsigned ips = 6; ips <= 7; ips++) {
        struct kit_cd c;
        kit_cd_s1(&c, kit_ptb_ttb(&PT), 39, 3);
        c.ips = ips;
        uint64_t dw[8];
        kit_cd_encode(&c, dw);
        kit_write8(M, CD, dw);
        struct kit_ste st;
        kit_ste_s1(&st, CD);
        kit_ste_encode(&st, dw);
        REQUIRE(kit_drv_install_ste(&D, 1, dw) == 0);
        uint64_t cmd[2] = { 0x05 | 1ull << 32, 1 };   /* CFGI_CD sid 1, Leaf */
        REQUIRE(kit_drv_cmd(&D, cmd) == 0);
        struct vsmmu_result r;
        xlate(1, 0x1234, &r);
        CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
        CHECK_EQ(r.out_addr, 0x5234);
        xlate(1, 0x2234, &r);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK(r.has_event);
        CHECK_EQ(r.event[0] & 0xFF, EVT_F_ADDR_SIZE);
        CHECK_EQ((r.event[1] >> 39) & 1, 0);          /* S2 = 0 */
        CHECK_EQ((r.event[1] >> 40) & 3, EVT_CLASS_IN);
    }
    teardown();
}

/* STE.S2AA64 = 0 (VMSAv8-32 LPAE stage 2) on an SMMU whose IDR0.TTF is
 * AArch64 only: ILLEGAL, C_BAD_STE (IHI0070 5.2 STE validity). */
static void ste_s2aa64_zero(void)
{
    REQUIRE(setup() == 0);
    struct kit_ptb s2;
    REQUIRE(kit_ptb_init_s2(&s2, M, 12, 1, 32) == 0);
    struct kit_ste st;
    kit_ste_s2(&st, kit_ptb_ttb(&s2), 32, 1);
    st.s2aa64 = false;
    uint64_t dw[8];
    kit_ste_encode(&st, dw);
    REQUIRE(kit_drv_install_ste(&D, 2, dw) == 0);
    struct vsmmu_result r;
    xlate(2, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_STE);
    CHECK_EQ(r.event[0] >> 32, 2);
    teardown();
}

/* Malformed STEs: S1CDMax above SSIDSIZE (ILLEGAL: C_BAD_STE); a reserved
 * Config 0b001 (behaves as abort: terminated, no event). */
static void malformed_stes(void)
{
    REQUIRE(setup() == 0);
    struct kit_ste st;
    kit_ste_s1(&st, CD);
    st.s1cdmax = 21;                /* SSIDSIZE is 20 */
    uint64_t dw[8];
    kit_ste_encode(&st, dw);
    REQUIRE(kit_drv_install_ste(&D, 3, dw) == 0);
    struct vsmmu_result r;
    xlate(3, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_STE);
    memset(&st, 0, sizeof(st));
    st.v = true;
    st.config = 1;
    kit_ste_encode(&st, dw);
    REQUIRE(kit_drv_install_ste(&D, 4, dw) == 0);
    xlate(4, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    teardown();
}

/* A full event queue: further records are lost with EVENTQ_PROD.OVFLG
 * (7.4); the queue keeps working once the guest consumes and acknowledges. */
static void full_event_queue(void)
{
    REQUIRE(setup() == 0);
    unsigned n = 1u << D.evtq_log2;
    struct vsmmu_result r;
    for (unsigned i = 0; i < n + 5; i++) {
        xlate(7, 0x1000 * i, &r);             /* sid 7: no STE installed: C_BAD_STE */
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    }
    uint32_t prod = kit_drv_r32(&D, SMMU_EVENTQ_PROD);
    CHECK_EQ(prod >> 31, 1);                  /* overflow flagged */
    uint64_t rec[4];
    unsigned got = 0;
    while (kit_drv_event(&D, rec) == 1 && got < 2 * n)
        got++;
    CHECK_EQ(got, n);                         /* the queue held n records */
    /* acknowledged: a new fault is recorded again */
    xlate(7, 0x1000, &r);
    CHECK_EQ(kit_drv_event(&D, rec), 1);
    teardown();
}

int main(void)
{
    RUN(cd_ips_52_and_reserved);
    RUN(ste_s2aa64_zero);
    RUN(malformed_stes);
    RUN(full_event_queue);
    return t_done();
}
