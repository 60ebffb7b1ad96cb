/* SPDX-License-Identifier: MIT */
/*
 * Accelerated nested mode end to end through the soft backend, on any
 * machine. A guest driver (kit/drv) programs the vSMMU only through MMIO
 * and guest memory; two host SMMUs (vsmmu instances) each run the guest's
 * stage 1 nested with a host stage 2 that maps guest IPA 0x40000000.. to
 * host PA 0x80000000.. . Device DMA is a translation on the host instance
 * with the host StreamID.
 *
 *   guest vSID 0x08 -> host A, pSID 0x21
 *   guest vSID 0x10 -> host B, pSID 0x05
 *
 * Expected addresses follow from the two mappings: VA -> IPA (guest S1,
 * 4K pages) -> PA = IPA - 0x40000000 + 0x80000000 (host S2, 2M blocks).
 */
#include "test.h"
#include "internal.h"
#include "mem.h"
#include "ptb.h"
#include "drv.h"
#include "cmd.h"
#include "stecd.h"
#include "spec/pte.h"
#include "fault.h"
#include "vsmmu/accel.h"
#include "accel/nested.h"

#define GPA       0x40000000ull
#define HPA       0x80000000ull
#define RAM       (8ull << 20)
#define VMID_A    7u
#define VMID_B    9u
#define ASID      3u

static uint64_t ipa2pa(uint64_t ipa) { return ipa - GPA + HPA; }

struct host {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_ptb s2;
    uint8_t *own_ram;               /* kit_mem's own buffer, put back before freeing */
    uint64_t cmds[512][2];
    unsigned ncmds;
};

static struct host HA, HB;
static struct kit_mem *GM;
static uint8_t *gm_own;
static struct vsmmu *G;
static struct kit_drv D;
static struct kit_ptb S1;
static uint64_t CD;
static uint32_t cerr_cons[8];
static unsigned ncerr;

static void host_trace(void *o, const struct vsmmu_trace_rec *r)
{
    struct host *h = o;
    if (r->kind == VSMMU_TR_CMD && r->nraw >= 2 && h->ncmds < 512) {
        h->cmds[h->ncmds][0] = r->raw[0];
        h->cmds[h->ncmds][1] = r->raw[1];
        h->ncmds++;
    }
}

static void guest_trace(void *o, const struct vsmmu_trace_rec *r)
{
    (void)o;
    if (r->kind == VSMMU_TR_CERROR && ncerr < 8)
        cerr_cons[ncerr++] = (uint32_t)r->a0;
}

static unsigned host_count(const struct host *h, unsigned op)
{
    unsigned n = 0;
    for (unsigned i = 0; i < h->ncmds; i++)
        n += (h->cmds[i][0] & 0xff) == op;
    return n;
}

static int mk_host(struct host *h, uint8_t *ram, uint16_t vmid, struct vsmmu_accel_backend **be)
{
    h->m = kit_mem_new();
    kit_mem_add(h->m, 0, 4u << 20);            /* host structures */
    kit_mem_add(h->m, HPA, RAM);               /* guest RAM, shared */
    h->own_ram = h->m->r[1].p;
    h->m->r[1].p = ram;
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, "full-v3.2");
    struct vsmmu_host_ops ops;
    kit_mem_ops(h->m, &ops, false);
    char err[200];
    if (vsmmu_create(&cfg, &ops, &h->s, err, sizeof(err)))
        return -1;
    /* S2: 4K granule, 32-bit IPA (S2T0SZ 32), start level 1 (S2SL0 1);
     * S2AP RW, MemAttr Normal WB (0b1111), AF, inner shareable */
    if (kit_ptb_init_s2(&h->s2, h->m, 12, 1, 32))
        return -1;
    if (kit_ptb_map(&h->s2, GPA, HPA, RAM, 2, PTE_S2AP_R | PTE_S2AP_W | FIELD_PREP(PTE_S2_MEMATTR, 0xf) |
                    PTE_AF | FIELD_PREP(PTE_SH, 3)))
        return -1;
    uint64_t mem = kit_mem_alloc(h->m, vsmmu_soft_mem_size(h->s), 0x10000);
    struct vsmmu_soft_cfg sc = {
        .host = h->s, .mem_pa = mem, .mem_len = vsmmu_soft_mem_size(h->s),
        .mem = kit_mem_ptr(h->m, mem, vsmmu_soft_mem_size(h->s)),
        .s2_ttb = kit_ptb_ttb(&h->s2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5, .vmid = vmid,
    };
    if (vsmmu_soft_backend_new(&sc, be, err, sizeof(err))) {
        fprintf(stderr, "soft: %s\n", err);
        return -1;
    }
    vsmmu_set_trace(h->s, host_trace, h);
    return 0;
}

static void free_host(struct host *h)
{
    vsmmu_destroy(h->s);
    h->m->r[1].p = h->own_ram;
    kit_mem_free(h->m);
}

/* STE for stage 1 (kit/stecd): V, Config=0b101, S1ContextPtr = CD IPA,
 * S1CDMax 0; S1CIR/S1COR WBRA, S1CSH inner shareable. */
static void s1_ste(uint64_t ste[8], uint64_t cd)
{
    struct kit_ste f;
    kit_ste_s1(&f, cd);
    f.s1cir = f.s1cor = 1;
    f.s1csh = 3;
    kit_ste_encode(&f, ste);
}

/* CD (kit/stecd): AArch64, TTB0 4K granule, 39-bit VA, TTB1 disabled,
 * A = R = 1, Linux's MAIR (attr0 Normal WB), ASID. */
static void write_cd(uint64_t cd, uint64_t ttb0, uint16_t asid)
{
    struct kit_cd f;
    kit_cd_s1(&f, ttb0, 39, asid);
    uint64_t dw[8];
    kit_cd_encode(&f, dw);
    kit_write8(GM, cd, dw);
}

static const uint64_t PAGE_ATTRS = PTE_AF | FIELD_PREP(PTE_SH, 3) | FIELD_PREP(PTE_AP, AP_RW);

static int dma(struct host *h, uint32_t psid, uint64_t va, bool write, struct vsmmu_result *r)
{
    struct vsmmu_txn t = { .sid = psid, .addr = va, .flags = write ? VSMMU_TXN_WRITE : 0 };
    return vsmmu_translate(h->s, &t, r);
}

static struct vsmmu_accel_backend *BA, *BB;

static int setup(void)
{
    memset(&HA, 0, sizeof(HA));
    memset(&HB, 0, sizeof(HB));
    ncerr = 0;
    GM = kit_mem_new();
    kit_mem_add(GM, GPA, RAM);
    gm_own = NULL;
    uint8_t *ram = GM->r[0].p;     /* the guest RAM: hosts alias it at HPA */
    if (mk_host(&HA, ram, VMID_A, &BA) || mk_host(&HB, ram, VMID_B, &BB))
        return -1;
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, "qemu-v3.1");
    struct vsmmu_host_ops ops;
    kit_mem_ops(GM, &ops, false);
    char err[200];
    if (vsmmu_create(&cfg, &ops, &G, err, sizeof(err)))
        return -1;
    if (vsmmu_accel_add_backend(G, BA) != 0 || vsmmu_accel_add_backend(G, BB) != 1) {
        fprintf(stderr, "add_backend: %s\n", vsmmu_last_error(G));
        return -1;
    }
    struct vsmmu_accel_dev d0 = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 0x08, .backend = 0,
                                  .host_id = 0x21, .name = "vfio-a" };
    struct vsmmu_accel_dev d1 = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 0x10, .backend = 1,
                                  .host_id = 0x05, .name = "vfio-b" };
    struct vsmmu_accel_dev rp = { .kind = VSMMU_ACCEL_DEV_ROOT_PORT, .vsid = 0x00, .name = "rp" };
    if (vsmmu_accel_attach(G, &rp) || vsmmu_accel_attach(G, &d0) || vsmmu_accel_attach(G, &d1)) {
        fprintf(stderr, "attach: %s\n", vsmmu_last_error(G));
        return -1;
    }
    vsmmu_set_trace(G, guest_trace, NULL);
    if (kit_drv_probe(&D, G, GM))
        return -1;
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    if (kit_drv_reset(&D, &o)) {
        fprintf(stderr, "reset: %s\n", D.err);
        return -1;
    }
    /* one stage-1 table set and CD shared by both devices */
    if (kit_ptb_init_s1(&S1, GM, 12, 25))
        return -1;
    CD = kit_mem_alloc(GM, 64, 64);
    write_cd(CD, kit_ptb_ttb(&S1), ASID);
    return 0;
}

static void teardown(void)
{
    vsmmu_destroy(G);
    free_host(&HA);
    free_host(&HB);
    kit_mem_free(GM);
}

static uint64_t BUF1, BUF2;

static int setup_mapped(void)
{
    if (setup())
        return -1;
    BUF1 = kit_mem_alloc(GM, 0x1000, 0x1000);
    BUF2 = kit_mem_alloc(GM, 0x1000, 0x1000);
    if (kit_ptb_map(&S1, 0x10000, BUF1, 0x1000, 3, PAGE_ATTRS))
        return -1;
    uint64_t ste[8];
    s1_ste(ste, CD);
    if (kit_drv_install_ste(&D, 0x08, ste) || kit_drv_install_ste(&D, 0x10, ste))
        return -1;
    return 0;
}

/* DMA through the host model yields the nested translation. */
static void test_nested_dma(void)
{
    REQUIRE(setup_mapped() == 0);
    struct vsmmu_result r;
    CHECK_EQ(dma(&HA, 0x21, 0x10123, true, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1) + 0x123);
    CHECK(r.perm & VSMMU_PERM_W);
    CHECK_EQ(dma(&HB, 0x05, 0x10800, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1) + 0x800);
    /* the emulated IOTLB of the vSMMU is not used for these devices */
    struct vsmmu_stats st;
    vsmmu_get_stats(G, &st);
    CHECK_EQ(st.tlb_hits + st.tlb_misses, 0);
    teardown();
}

/* A changed guest mapping reaches the device only after TLBI + CMD_SYNC. */
static void test_remap_after_tlbi(void)
{
    REQUIRE(setup_mapped() == 0);
    struct vsmmu_result r;
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1));
    kit_ptb_unmap(&S1, 0x10000, 0x1000);
    CHECK_EQ(kit_ptb_map(&S1, 0x10000, BUF2, 0x1000, 3, PAGE_ATTRS), 0);
    /* before the TLBI the host still has the old translation cached */
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1));
    /* the VMM's own look-up walks the guest tables afresh: already new */
    struct vsmmu_txn t = { .sid = 0x08, .addr = 0x10000 };
    CHECK_EQ(vsmmu_translate(G, &t, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, BUF2);
    CHECK_EQ(vsmmu_translate(G, &t, &r), VSMMU_OK);   /* again: walked again */
    CHECK(!r.from_cache);
    struct vsmmu_stats gs;
    vsmmu_get_stats(G, &gs);
    CHECK_EQ(gs.tlb_hits + gs.tlb_misses + gs.cfg_hits + gs.cfg_misses, 0);
    CHECK(gs.desc_reads >= 2 * 3);    /* two 3-level walks (39-bit VA, 4K: L1-L3) */
    /* TLBI_NH_VA (leaf) + CMD_SYNC: one backend call per backend */
    struct vsmmu_accel_stats a0, a1;
    vsmmu_accel_get_stats(G, &a0);
    uint64_t c[2];
    struct kit_tlbi_range rg = { .addr = 0x10000, .leaf = true };
    kit_cmd_tlbi_nh_va(c, 0, ASID, &rg);
    CHECK_EQ(kit_drv_cmd(&D, c), 0);
    vsmmu_accel_get_stats(G, &a1);
    CHECK_EQ(a1.backend_calls - a0.backend_calls, 2);
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF2));
    CHECK_EQ(dma(&HB, 0x05, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF2));
    /* the host got it with its own VMID */
    bool va_a = false;
    for (unsigned i = 0; i < HA.ncmds; i++)
        if ((HA.cmds[i][0] & 0xff) == 0x12)
            va_a = ((HA.cmds[i][0] >> 32) & 0xffff) == VMID_A && (HA.cmds[i][0] >> 48) == ASID;
    CHECK(va_a);
    teardown();
}

/* A host fault reaches the guest EVTQ with the guest StreamID. */
static void test_fault_to_guest(void)
{
    REQUIRE(setup_mapped() == 0);
    struct vsmmu_result r;
    CHECK_EQ(dma(&HB, 0x05, 0x7000, true, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_EQ(r.event[0] & 0xff, EVT_F_TRANSLATION);
    CHECK_EQ(r.event[0] >> 32, 0x05);            /* the host sees its pSID */
    CHECK_EQ(vsmmu_accel_poll(G), 1);
    uint64_t rec[4];
    REQUIRE(kit_drv_event(&D, rec) == 1);
    CHECK_EQ(rec[0] & 0xff, EVT_F_TRANSLATION);
    CHECK_EQ(rec[0] >> 32, 0x10);               /* the guest sees its vSID */
    CHECK_EQ(rec[2], 0x7000);                   /* input address */
    CHECK_EQ(kit_drv_event(&D, rec), 0);
    teardown();
}

/* One vSMMU over two hosts: broadcast TLBIs reach both, SID-scoped
 * commands only the owner, with the owner's pSID. N TLBIs + CMD_SYNC is one
 * backend call per backend. */
static void test_routing(void)
{
    REQUIRE(setup_mapped() == 0);
    HA.ncmds = HB.ncmds = 0;
    uint64_t cmds[34][2];
    for (int i = 0; i < 32; i++)
        kit_cmd_tlbi_nh_asid(cmds[i], 0, (uint16_t)i);
    kit_cmd_cfgi_cd(cmds[32], 0x10, 0, true);
    kit_cmd_cfgi_cd_all(cmds[33], 0x08);
    struct vsmmu_accel_stats a0, a1;
    vsmmu_accel_get_stats(G, &a0);
    CHECK_EQ(kit_drv_submit(&D, (const uint64_t (*)[2])cmds, 34, true), 0);
    vsmmu_accel_get_stats(G, &a1);
    CHECK_EQ(a1.backend_calls - a0.backend_calls, 2);
    CHECK_EQ(a1.flushes - a0.flushes, 1);
    printf("accel_backend_calls_per_sync %.2f (2 backends: one call each)\n",
           (double)(a1.backend_calls - a0.backend_calls) / (double)(a1.flushes - a0.flushes));
    CHECK_EQ(host_count(&HA, 0x11), 32);
    CHECK_EQ(host_count(&HB, 0x11), 32);
    CHECK_EQ(host_count(&HA, 0x05), 0);
    CHECK_EQ(host_count(&HB, 0x05), 1);
    CHECK_EQ(host_count(&HA, 0x06), 1);
    CHECK_EQ(host_count(&HB, 0x06), 0);
    for (unsigned i = 0; i < HB.ncmds; i++)
        if ((HB.cmds[i][0] & 0xff) == 0x05)
            CHECK_EQ(HB.cmds[i][0] >> 32, 0x05);
    for (unsigned i = 0; i < HA.ncmds; i++)
        if ((HA.cmds[i][0] & 0xff) == 0x06)
            CHECK_EQ(HA.cmds[i][0] >> 32, 0x21);
    /* 34 commands -> host A: 33 forwarded, one chunk + its CMD_SYNC */
    CHECK_EQ(host_count(&HA, 0x46), 1);
    teardown();
}

/* An illegal guest STE: abort on the host + C_BAD_STE for the guest; the
 * other device keeps translating. */
static void test_illegal_ste(void)
{
    REQUIRE(setup_mapped() == 0);
    uint64_t ste[8] = { 0 };
    /* Config = stage 2 on a vSMMU without S2P: ILLEGAL (IHI0070 5.2) */
    ste[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_S2);
    CHECK_EQ(kit_drv_install_ste(&D, 0x08, ste), 0);
    uint64_t rec[4];
    REQUIRE(kit_drv_event(&D, rec) == 1);
    CHECK_EQ(rec[0] & 0xff, EVT_C_BAD_STE);
    CHECK_EQ(rec[0] >> 32, 0x08);
    struct vsmmu_result r;
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(dma(&HB, 0x05, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    /* S1STALLD=1 without the stall model (the vSMMU is terminate-only):
     * ILLEGAL too (IHI0070 5.2 S1STALLD) */
    s1_ste(ste, CD);
    ste[1] |= VSTE1_S1STALLD;
    CHECK_EQ(kit_drv_install_ste(&D, 0x08, ste), 0);
    REQUIRE(kit_drv_event(&D, rec) == 1);
    CHECK_EQ(rec[0] & 0xff, EVT_C_BAD_STE);
    /* S1CDMax with SSIDSIZE = 0 is IGNORED: legal, and the host gets a
     * vSTE without it (a host with substreams would otherwise look for a
     * CD table) */
    s1_ste(ste, CD);
    ste[0] |= FIELD_PREP(VSTE0_S1CDMAX, 4) | FIELD_PREP(VSTE0_S1FMT, 1);
    CHECK_EQ(kit_drv_install_ste(&D, 0x08, ste), 0);
    CHECK_EQ(kit_drv_event(&D, rec), 0);
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1));
    /* a legal STE again: translating */
    s1_ste(ste, CD);
    CHECK_EQ(kit_drv_install_ste(&D, 0x08, ste), 0);
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(kit_drv_event(&D, rec), 0);
    teardown();
}

/* The host rejects a command: CERROR at exactly that command, the VMM
 * keeps running. Here host B lost the device behind the front-end's back,
 * so its CFGI_CD is refused (unknown vSID, the kernel's EIO). */
static void test_host_rejects(void)
{
    REQUIRE(setup_mapped() == 0);
    CHECK_EQ(BB->ops->del_device(BB->ctx, 0x10), VSMMU_OK);
    HA.ncmds = HB.ncmds = 0;
    uint32_t cons0 = kit_drv_r32(&D, SMMU_CMDQ_CONS);
    uint64_t cmds[4][2];
    kit_cmd_tlbi_nh_asid(cmds[0], 0, 1);
    kit_cmd_tlbi_nh_asid(cmds[1], 0, 2);
    kit_cmd_cfgi_cd(cmds[2], 0x10, 0, true);
    kit_cmd_tlbi_nh_asid(cmds[3], 0, 4);
    int rc = kit_drv_submit(&D, (const uint64_t (*)[2])cmds, 4, true);
    CHECK_EQ(rc, CERROR_ILL);
    CHECK(D.gerror_seen & GERROR_CMDQ_ERR);
    REQUIRE(ncerr >= 1);
    /* CONS at the failed command: index of cmds[2] */
    unsigned qmask = (1u << D.cmdq_log2) - 1;
    CHECK_EQ(cerr_cons[0] & qmask, (cons0 + 2) & qmask);
    /* host B ran the two commands before it */
    CHECK(host_count(&HB, 0x11) >= 2);
    struct vsmmu_accel_stats a;
    vsmmu_accel_get_stats(G, &a);
    CHECK_EQ(a.rejected, 1);
    /* the VMM keeps running: the device on host A still translates */
    struct vsmmu_result r;
    CHECK_EQ(dma(&HA, 0x21, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    teardown();
}

/* Hot-plug after the guest enabled the SMMU: the new device gets what the
 * guest has for its StreamID, then follows CFGI_STE. */
static void test_hotplug(void)
{
    REQUIRE(setup_mapped() == 0);
    uint64_t ste[8];
    s1_ste(ste, CD);
    /* the guest already wrote vSID 0x09's STE before the device appeared */
    uint64_t pa = kit_drv_ste_pa(&D, 0x09);
    REQUIRE(pa != 0);
    for (int i = 7; i >= 0; i--)
        kit_w64(GM, pa + 8u * (unsigned)i, ste[i]);
    struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 0x09, .backend = 0,
                                 .host_id = 0x22, .name = "hotplug" };
    CHECK_EQ(vsmmu_accel_attach(G, &d), VSMMU_OK);
    struct vsmmu_result r;
    CHECK_EQ(dma(&HA, 0x22, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, ipa2pa(BUF1));
    /* a new host SMMU cannot be added under a running guest */
    struct vsmmu_accel_backend *dummy = NULL;
    struct host hc;
    memset(&hc, 0, sizeof(hc));
    REQUIRE(mk_host(&hc, GM->r[0].p, 11, &dummy) == 0);
    CHECK_EQ(vsmmu_accel_add_backend(G, dummy), VSMMU_EBUSY);
    free_host(&hc);
    /* detach: abort on the host */
    CHECK_EQ(vsmmu_accel_detach(G, 0x09), VSMMU_OK);
    CHECK_EQ(dma(&HA, 0x22, 0x10000, false, &r), VSMMU_OK);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    teardown();
}

int main(void)
{
    RUN(test_nested_dma);
    RUN(test_remap_after_tlbi);
    RUN(test_fault_to_guest);
    RUN(test_routing);
    RUN(test_illegal_ste);
    RUN(test_host_rejects);
    RUN(test_hotplug);
    return t_done();
}
