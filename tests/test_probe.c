/* SPDX-License-Identifier: MIT */
/* The Linux arm-smmu-v3 probe and enable sequence, driven through MMIO only
 * (linux-driver.md 1.1-1.5): ID checks the driver makes, CR0 = 0, CR1, CR2,
 * stream table, command queue, CMDQEN, the reset-time commands, event queue,
 * PRI queue, ATSCHK, interrupts and MSIs, SMMUEN. Every write to CR0 and
 * IRQ_CTRL is followed by the driver's poll until the ACK register equals
 * the written value (arm_smmu_write_reg_sync). Command completion belongs to
 * the command queue and is not checked here; only registers are. */
#include "test.h"
#include "mem.h"
#include "internal.h"

#define MEM_SIZE (8u << 20)

static struct kit_mem *g_mem;

static uint32_t rd32(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    CHECK_EQ(vsmmu_mmio_read(s, off, 4, &v), VSMMU_OK);
    return (uint32_t)v;
}

static uint64_t rd64(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    CHECK_EQ(vsmmu_mmio_read(s, off, 8, &v), VSMMU_OK);
    return v;
}

static void wr32(struct vsmmu *s, uint64_t off, uint32_t v)
{
    CHECK_EQ(vsmmu_mmio_write(s, off, v, 4), VSMMU_OK);
}

static void wr64(struct vsmmu *s, uint64_t off, uint64_t v)
{
    CHECK_EQ(vsmmu_mmio_write(s, off, v, 8), VSMMU_OK);
}

/* arm_smmu_write_reg_sync: write, then poll the ACK until it equals the
 * value (bounded, as the driver's 1 s timeout is). This model completes the
 * update inside the write, so the first poll must already match. */
static int write_reg_sync(struct vsmmu *s, uint32_t off, uint32_t ack_off, uint32_t val)
{
    wr32(s, off, val);
    for (int polls = 1; polls <= 1000; polls++)
        if (rd32(s, ack_off) == val)
            return polls;
    return -1;
}

#define SYNC_OK(s, off, ack, val) do { int _p = write_reg_sync(s, off, ack, val); \
    CHECK_MSG(_p == 1, "ACK at 0x%x for 0x%x after %d polls", (unsigned)(ack), \
              (unsigned)(val), _p); } while (0)

/* Commands (commands.md: opcode DW0[7:0]). */
static void cmd_put(uint64_t q, unsigned log2, uint32_t *prod, uint64_t dw0, uint64_t dw1)
{
    uint32_t idx = *prod & ((1u << log2) - 1);
    kit_w64(g_mem, q + 16ull * idx, dw0);
    kit_w64(g_mem, q + 16ull * idx + 8, dw1);
    *prod = (*prod + 1) & ((2u << log2) - 1);   /* the wrap bit toggles */
}

struct probe_opts {
    bool page0_only;     /* Cavium PAGE0_REGS_ONLY: page 1 accessed at page 0 */
    bool smmuen_on_entry;/* a previous kernel left SMMUEN set (kexec) */
};

static void linux_probe(const char *profile, const struct probe_opts *o)
{
    struct vsmmu_config c;
    REQUIRE(vsmmu_config_profile(&c, profile) == VSMMU_OK);
    if (o->page0_only)
        c.page0_alias = true;
    g_mem = kit_mem_new();
    kit_mem_add(g_mem, 0, MEM_SIZE);
    g_mem->brk = 0x1000;
    struct vsmmu_host_ops ops;
    kit_mem_ops(g_mem, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    REQUIRE(vsmmu_create(&c, &ops, &s, err, sizeof(err)) == VSMMU_OK);
    const uint32_t page1 = o->page0_only ? 0 : 0x10000;

    /* ---- 1.2 arm_smmu_device_hw_probe --------------------------------------- */
    uint32_t idr0 = rd32(s, 0x0), idr1 = rd32(s, 0x4), idr3 = rd32(s, 0xC);
    uint32_t idr5 = rd32(s, 0x14);
    (void)idr3;
    CHECK_MSG(idr0 & (1u << 3), "IDR0.TTF lacks AArch64");      /* TTF[1] */
    CHECK(idr0 & 0x3);                                           /* S1P or S2P */
    uint32_t ttendian = (idr0 >> 21) & 3;
    CHECK_MSG(ttendian == 0 || ttendian == 2, "TTENDIAN %u on a LE kernel", ttendian);
    CHECK_EQ((idr1 >> 28) & 7, 0);                               /* REL/PRESET */
    uint32_t cmdqs = (idr1 >> 21) & 0x1F, evtqs = (idr1 >> 16) & 0x1F;
    uint32_t priqs = (idr1 >> 11) & 0x1F, sidsize = idr1 & 0x3F;
    CHECK_MSG(cmdqs > 6, "CMDQS %u: the driver needs more than one 64-entry batch", cmdqs);
    CHECK(((idr5 & 7) <= 6));                                    /* OAS 32..52 */
    bool pri = idr0 & (1u << 16), ats = idr0 & (1u << 10), hyp = idr0 & (1u << 9);
    bool msi = idr0 & (1u << 13);
    bool st2l = ((idr0 >> 27) & 3) == 1 && sidsize > 8;
    CHECK_EQ(pri, c.pri);
    CHECK_EQ(ats, c.ats);
    CHECK_EQ(msi, c.msi);

    /* Queues: the driver allocates what it can; the test caps at 256 entries. */
    unsigned cq = cmdqs < 8 ? cmdqs : 8, eq = evtqs < 8 ? evtqs : 8;
    unsigned pq = priqs < 8 ? priqs : 8;
    uint64_t cmdq = kit_mem_alloc(g_mem, 16ull << cq, 16ull << cq);
    uint64_t evtq = kit_mem_alloc(g_mem, 32ull << eq, 32ull << eq);
    uint64_t priq = pri ? kit_mem_alloc(g_mem, 16ull << pq, 16ull << pq) : 0;

    /* Stream table (1.3): 2-level with SPLIT=8 if supported and SIDSIZE > 8,
     * at most 2^17 L1 entries; else linear with 2^SIDSIZE STEs. */
    uint64_t strtab, strtab_cfg;
    if (st2l) {
        unsigned l1_log2 = sidsize - 8 > 17 ? 17 : sidsize - 8;
        strtab = kit_mem_alloc(g_mem, 8ull << l1_log2, 8ull << l1_log2);
        strtab_cfg = (1u << 16) | (8u << 6) | (l1_log2 + 8);      /* FMT=1 SPLIT=8 */
    } else {
        strtab = kit_mem_alloc(g_mem, 64ull << sidsize, 64ull << sidsize);
        strtab_cfg = sidsize;                                     /* FMT=0 */
    }

    if (o->smmuen_on_entry) {
        /* A previous kernel left the SMMU enabled. */
        wr64(s, 0x80, strtab);
        wr32(s, 0x88, (uint32_t)strtab_cfg);
        SYNC_OK(s, 0x20, 0x24, 0x1);
    }

    /* ---- 1.4 arm_smmu_device_reset ------------------------------------------ */
    uint32_t cr0 = rd32(s, 0x20);
    if (cr0 & 1) {
        /* GBPA.ABORT via the Update protocol: poll Update=0, write, poll. */
        uint32_t g = rd32(s, 0x44);
        CHECK_EQ(g >> 31, 0);
        wr32(s, 0x44, g | (1u << 20) | (1u << 31));
        CHECK_EQ(rd32(s, 0x44) >> 31, 0);
        CHECK_EQ(rd32(s, 0x44) & (1u << 20), 1u << 20);
    }
    SYNC_OK(s, 0x20, 0x24, 0);                       /* CR0 = 0 */
    wr32(s, 0x28, 0x0D75);                           /* CR1: ISH, WB, WB x2 */
    CHECK_EQ(rd32(s, 0x28), 0x0D75);
    wr32(s, 0x2C, 0x6);                              /* CR2: PTM | RECINVSID */
    /* PTM exists only with BTM (6.3.12); RECINVSID always. */
    CHECK_EQ(rd32(s, 0x2C), c.btm ? 0x6u : 0x2u);

    wr64(s, 0x80, (1ull << 62) | strtab);            /* STRTAB_BASE: RA | addr */
    wr32(s, 0x88, (uint32_t)strtab_cfg);
    CHECK_EQ(rd64(s, 0x80), (1ull << 62) | strtab);
    CHECK_EQ(rd32(s, 0x88), strtab_cfg);

    wr64(s, 0x90, (1ull << 62) | cmdq | cq);         /* CMDQ_BASE: RWA | addr | LOG2SIZE */
    CHECK_EQ(rd64(s, 0x90), (1ull << 62) | cmdq | cq);
    wr32(s, 0x98, 0);
    wr32(s, 0x9C, 0);
    CHECK_EQ(rd32(s, 0x98), 0);
    CHECK_EQ(rd32(s, 0x9C), 0);
    SYNC_OK(s, 0x20, 0x24, 0x8);                     /* CMDQEN */

    /* CFGI_ALL (0x04, Range=31), TLBI_EL2_ALL (0x20) if Hyp, TLBI_NSNH_ALL
     * (0x30), each followed by CMD_SYNC (0x46) with CS=SIG_SEV (DW0[13:12]=2). */
    uint32_t prod = 0;
    const uint64_t sync = 0x46 | (2u << 12);
    cmd_put(cmdq, cq, &prod, 0x04, 31);
    cmd_put(cmdq, cq, &prod, sync, 0);
    wr32(s, 0x98, prod);
    CHECK_EQ(rd32(s, 0x98), prod);
    if (hyp) {
        cmd_put(cmdq, cq, &prod, 0x20, 0);
        cmd_put(cmdq, cq, &prod, sync, 0);
        wr32(s, 0x98, prod);
        CHECK_EQ(rd32(s, 0x98), prod);
    }
    cmd_put(cmdq, cq, &prod, 0x30, 0);
    cmd_put(cmdq, cq, &prod, sync, 0);
    wr32(s, 0x98, prod);
    CHECK_EQ(rd32(s, 0x98), prod);

    /* Event queue: base, then PROD/CONS on page 1, then EVENTQEN. */
    wr64(s, 0xA0, (1ull << 62) | evtq | eq);
    CHECK_EQ(rd64(s, 0xA0), (1ull << 62) | evtq | eq);
    wr32(s, page1 + 0xA8, 0);
    wr32(s, page1 + 0xAC, 0);
    CHECK_EQ(rd32(s, page1 + 0xA8), 0);
    CHECK_EQ(rd32(s, page1 + 0xAC), 0);
    cr0 = 0x8 | 0x4;
    SYNC_OK(s, 0x20, 0x24, cr0);

    if (pri) {
        wr64(s, 0xC0, (1ull << 62) | priq | pq);
        CHECK_EQ(rd64(s, 0xC0), (1ull << 62) | priq | pq);
        wr32(s, page1 + 0xC8, 0);
        wr32(s, page1 + 0xCC, 0);
        CHECK_EQ(rd32(s, page1 + 0xC8), 0);
        CHECK_EQ(rd32(s, page1 + 0xCC), 0);
        cr0 |= 0x2;
        SYNC_OK(s, 0x20, 0x24, cr0);
    }
    if (ats) {
        cr0 |= 0x10;                                 /* ATSCHK */
        SYNC_OK(s, 0x20, 0x24, cr0);
    }

    /* ---- 1.5 arm_smmu_setup_irqs / setup_msis ------------------------------ */
    SYNC_OK(s, 0x50, 0x54, 0);
    wr64(s, 0x68, 0);
    wr64(s, 0xB0, 0);
    if (pri)
        wr64(s, 0xD0, 0);
    if (msi) {
        static const uint32_t cfg0[3] = { 0x68, 0xB0, 0xD0 };
        for (int i = 0; i < (pri ? 3 : 2); i++) {
            uint64_t doorbell = 0x8000040ull + 4u * (unsigned)i;
            wr64(s, cfg0[i], doorbell & 0x000FFFFFFFFFFFFCull);
            wr32(s, cfg0[i] + 8, 0x100u + (unsigned)i);   /* CFG1 = data */
            wr32(s, cfg0[i] + 12, 0x1);                    /* CFG2: Device-nGnRE */
            CHECK_EQ(rd64(s, cfg0[i]), doorbell);
            CHECK_EQ(rd32(s, cfg0[i] + 8), 0x100u + (unsigned)i);
            CHECK_EQ(rd32(s, cfg0[i] + 12), 0x1);
        }
    } else {
        /* Without MSI the CFG registers do not exist (RES0). */
        CHECK_EQ(rd64(s, 0x68), 0);
    }
    uint32_t irqen = 0x4 | 0x1 | (pri ? 0x2 : 0);
    SYNC_OK(s, 0x50, 0x54, irqen);

    /* SMMUEN */
    cr0 |= 0x1;
    SYNC_OK(s, 0x20, 0x24, cr0);
    CHECK_EQ(rd32(s, 0x20), cr0);
    CHECK_EQ(rd32(s, 0x24), cr0);
    /* Everything the driver programmed is still there. */
    CHECK_EQ(rd32(s, 0x28), 0x0D75);
    CHECK_EQ(rd64(s, 0x80), (1ull << 62) | strtab);
    CHECK_EQ(rd32(s, 0x88), strtab_cfg);
    CHECK_EQ(rd32(s, 0x98), prod);
    CHECK_EQ(rd32(s, 0x54), irqen);
    /* With SMMUEN=1 the stream-table registers and CR2 are read-only. */
    wr64(s, 0x80, 0);
    wr32(s, 0x88, 0);
    wr32(s, 0x2C, 0);
    CHECK_EQ(rd64(s, 0x80), (1ull << 62) | strtab);
    CHECK_EQ(rd32(s, 0x88), strtab_cfg);
    CHECK_EQ(rd32(s, 0x2C), c.btm ? 0x6u : 0x2u);

    /* Shutdown: CR0 = 0 and wait. */
    SYNC_OK(s, 0x20, 0x24, 0);
    vsmmu_destroy(s);
    kit_mem_free(g_mem);
    g_mem = NULL;
}

static void probe_full_v32(void)
{
    struct probe_opts o = { 0 };
    linux_probe("full-v3.2", &o);
}

static void probe_full_v33(void)
{
    struct probe_opts o = { 0 };
    linux_probe("full-v3.3", &o);
}

static void probe_qemu_v31(void)
{
    struct probe_opts o = { 0 };
    linux_probe("qemu-v3.1", &o);
}

static void probe_minimal_v30(void)
{
    struct probe_opts o = { 0 };
    linux_probe("minimal-v3.0", &o);
}

/* Cavium CN99xx quirk: the event/PRI queue indexes used at page 0. */
static void probe_page0_regs_only(void)
{
    struct probe_opts o = { .page0_only = true };
    linux_probe("full-v3.2", &o);
}

/* kexec: SMMUEN already set, the driver first sets GBPA.ABORT. */
static void probe_smmuen_on_entry(void)
{
    struct probe_opts o = { .smmuen_on_entry = true };
    linux_probe("qemu-v3.1", &o);
}

int main(void)
{
    RUN(probe_full_v32);
    RUN(probe_full_v33);
    RUN(probe_qemu_v31);
    RUN(probe_minimal_v30);
    RUN(probe_page0_regs_only);
    RUN(probe_smmuen_on_entry);
    return t_done();
}
