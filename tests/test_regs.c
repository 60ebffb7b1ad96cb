/* SPDX-License-Identifier: MIT */
/* Register file (IHI0070 6.2, 6.3): reset values, writable masks, access
 * sizes, guards, CR0/IRQ_CTRL acknowledgement, GBPA Update, queue registers
 * and the ID registers synthesised from the configuration. Expected values
 * are derived by hand from the spec in the comments next to them. */
#include "test.h"
#include "mem.h"
#include "internal.h"

static struct kit_mem *g_mem;

static struct vsmmu *mk_cfg(const struct vsmmu_config *c)
{
    if (!g_mem) {
        g_mem = kit_mem_new();
        kit_mem_add(g_mem, 0, 1 << 20);
    }
    struct vsmmu_host_ops ops;
    kit_mem_ops(g_mem, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    if (vsmmu_create(c, &ops, &s, err, sizeof(err)))
        fprintf(stderr, "create: %s\n", err);
    return s;
}

static struct vsmmu *mk(const char *profile)
{
    struct vsmmu_config c;
    if (vsmmu_config_profile(&c, profile))
        return NULL;
    return mk_cfg(&c);
}

static uint64_t rd(struct vsmmu *s, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    if (vsmmu_mmio_read(s, off, size, &v))
        return 0xbad0bad0bad0bad0ull;
    return v;
}

static uint32_t rd32(struct vsmmu *s, uint64_t off) { return (uint32_t)rd(s, off, 4); }
static void wr32(struct vsmmu *s, uint64_t off, uint32_t v) { vsmmu_mmio_write(s, off, v, 4); }
static void wr64(struct vsmmu *s, uint64_t off, uint64_t v) { vsmmu_mmio_write(s, off, v, 8); }

/* CR0 -> CR0ACK: the ACK equals CR0 when the write returns (6.3.9 update
 * protocol, completed synchronously by this model). */
static void cr0_ack_basic(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    CHECK_EQ(rd32(s, 0x20), 0);
    CHECK_EQ(rd32(s, 0x24), 0);
    wr32(s, 0x20, 0x0C);   /* EVENTQEN | CMDQEN */
    CHECK_EQ(rd32(s, 0x20), 0x0C);
    CHECK_EQ(rd32(s, 0x24), 0x0C);
    wr32(s, 0x20, 0xFFFFFFFFu);
    /* full-v3.2 has PRI, ATS, VMW: SMMUEN|PRIQEN|EVENTQEN|CMDQEN|ATSCHK = 0x1F,
     * VMW [8:6] = 0x1C0 -> 0x1DF; bit 5, 9, 10 (no DPT) and [31:11] RES0. */
    CHECK_EQ(rd32(s, 0x20), 0x1DF);
    CHECK_EQ(rd32(s, 0x24), 0x1DF);
    vsmmu_destroy(s);
}

/* GBPA (6.3.14.1): writes with Update=0 ignored; Update=1 writes take effect
 * and Update reads 0 once complete. */
static void gbpa_update(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    /* full-v3.2 resets GBPA to ABORT (bit 20). */
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    wr32(s, 0x44, 0x00001000u);           /* Update=0: ignored */
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    wr32(s, 0x44, 0x80001000u);           /* Update=1, SHCFG=01 */
    CHECK_EQ(rd32(s, 0x44), 0x00001000u);
    vsmmu_destroy(s);
}

/* Queue index registers on page 1 and their page-0 alias (6.2, 6.3.95). */
static void queue_page1_alias(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    wr64(s, 0xA0, 0x10000 | 4);           /* EVENTQ_BASE: 16 entries */
    CHECK_EQ(rd(s, 0xA0, 8), 0x10004);
    wr32(s, 0x100A8, 0x13);               /* QS=4: bits [4:0] kept -> 0x13 */
    CHECK_EQ(rd32(s, 0x100A8), 0x13);
    CHECK_EQ(rd32(s, 0xA8), 0x13);        /* alias (page0_alias in full-v3.2) */
    wr32(s, 0xAC, 0x80000005u);           /* CONS via alias: OVACKFLG | 5 */
    CHECK_EQ(rd32(s, 0x100AC), 0x80000005u);
    vsmmu_destroy(s);
}

int main(void)
{
    RUN(cr0_ack_basic);
    RUN(gbpa_update);
    RUN(queue_page1_alias);
    kit_mem_free(g_mem);
    return t_done();
}
