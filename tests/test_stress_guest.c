/* SPDX-License-Identifier: MIT */
/* Guest-driven work is bounded: hostile but legal guest programming makes
 * every MMIO call and every translation return after a bounded number of
 * host memory accesses (kit_mem reads/writes/cas counters; never time).
 * The bounds are derived in docs/robustness.md and in the comments here.
 *
 * Part 1: translation tables that point at themselves (walker).
 * Part 2: a command queue full of commands. */
#include "walk_common.h"
#include "cmd.h"

static uint64_t host_accesses(const struct kit_mem *m)
{
    return m->reads + m->writes + m->cas_ops;
}

/* A stage-1 4K table whose every entry points at the table itself
 * (Arm ARM D8.3.1: at levels 0-2 "addr|0b11" is a table descriptor; at
 * level 3 the same bits are a page descriptor). With T0SZ=16 the walk
 * starts at level 0 (D8-18), so it reads the table at L0, L1, L2, L3:
 * exactly 4 descriptors, and the page maps to the table itself. AF=0 in
 * the page: F_ACCESS at stage 1 (CLASS IN) unless AFFD=1 (D8.5.1). */
static void s1_table_points_at_itself(void)
{
    struct wt w;
    wt_open(&w);
    kit_mem_alloc(w.m, 4096, 4096);   /* keep the table away from PA 0 */
    uint64_t root = kit_mem_alloc(w.m, 4096, 4096);
    for (unsigned i = 0; i < 512; i++)
        kit_w64(w.m, root + 8ull * i, root | 3);
    struct vsmmu_s1_cfg s1;
    memset(&s1, 0, sizeof(s1));
    s1.tt[0].ttb = root;
    s1.tt[0].tsz = 16;
    s1.tt[0].granule = 12;
    s1.tt[0].start_level = 0;
    s1.tt[1].epd = true;
    s1.tt[1].granule = 12;
    s1.tt[1].tsz = 16;
    s1.ips_bits = 48;
    s1.mair = T_MAIR;
    s1.aa64 = true;

    static const uint64_t vas[] = { 0, 0x0000123456789ABCull, 0x0000FFFFFFFFF008ull };
    for (unsigned i = 0; i < 3; i++) {
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        memset(&f, 0, sizeof(f));
        uint64_t a0 = host_accesses(w.m);
        int rc = wt_walk(&w, &s1, NULL, vas[i], RD | PRIV, &o, &f);
        CHECK_FAULT(rc, f, EVT_F_ACCESS, 0, EVT_CLASS_IN, 0);
        CHECK_EQ(host_accesses(w.m) - a0, 4);
    }
    s1.affd = true;
    for (unsigned i = 0; i < 3; i++) {
        struct vsmmu_walk_out o;
        struct vsmmu_fault f;
        uint64_t a0 = host_accesses(w.m);
        int rc = wt_walk(&w, &s1, NULL, vas[i], RD | PRIV, &o, &f);
        CHECK_EQ(rc, 0);
        CHECK_EQ(o.oa, root | (vas[i] & 0xFFF));
        CHECK_EQ(o.size_log2, 12);
        CHECK_EQ(o.desc_reads, 4);
        CHECK_EQ(host_accesses(w.m) - a0, 4);
    }
    wt_close(&w);
}

/* Nested, both stages self-referential: the stage-2 root (4K, S2SL0=0b10:
 * start level 0, S2T0SZ=16) maps every IPA to itself the same way, with
 * AF=0 and S2AFFD=1. Each of the 4 stage-1 levels costs a 4-read stage-2
 * walk of the table IPA plus the stage-1 read; the output IPA costs a
 * final 4-read stage-2 walk: 4*(4+1) + 4 = 24 descriptor reads, the
 * largest walk the architecture allows with 4K granules (D8.2.4). */
static void nested_tables_point_at_themselves(void)
{
    struct wt w;
    wt_open(&w);
    kit_mem_alloc(w.m, 4096, 4096);   /* keep the tables away from PA 0 */
    uint64_t r1 = kit_mem_alloc(w.m, 4096, 4096), r2 = kit_mem_alloc(w.m, 4096, 4096);
    for (unsigned i = 0; i < 512; i++) {
        kit_w64(w.m, r1 + 8ull * i, r1 | 3);
        kit_w64(w.m, r2 + 8ull * i, r2 | 3 | FIELD_PREP(PTE_S2AP, 3) |
                                       FIELD_PREP(PTE_S2_MEMATTR, 0xf));
    }
    struct vsmmu_s1_cfg s1;
    memset(&s1, 0, sizeof(s1));
    s1.tt[0].ttb = r1;
    s1.tt[0].tsz = 16;
    s1.tt[0].granule = 12;
    s1.tt[0].start_level = 0;
    s1.tt[1].epd = true;
    s1.tt[1].granule = 12;
    s1.tt[1].tsz = 16;
    s1.ips_bits = 48;
    s1.mair = T_MAIR;
    s1.aa64 = true;
    s1.affd = true;
    struct vsmmu_s2_cfg s2;
    memset(&s2, 0, sizeof(s2));
    s2.ttb = r2;
    s2.t0sz = 16;
    s2.sl0 = 2;
    s2.granule = 12;
    s2.start_level = 0;
    s2.concat = 1;
    s2.ps_bits = 48;
    s2.aa64 = true;
    s2.affd = true;

    struct vsmmu_walk_out o;
    struct vsmmu_fault f;
    uint64_t va = 0x00007F0000001238ull;
    uint64_t a0 = host_accesses(w.m);
    int rc = wt_walk(&w, &s1, &s2, va, RD | PRIV, &o, &f);
    CHECK_EQ(rc, 0);
    /* Stage 2 maps every IPA page to r2 itself, so every stage-1 table
     * fetch (IPA r1, then the IPAs found in the tables) reads r2: its
     * entries "r2|0b11|S2AP|MemAttr" read as stage-1 table descriptors to
     * IPA r2 at L0-L2 and a page at L3 with AP[2:1]=0b11 (read-only, any
     * EL): IPA = r2|offset, and stage 2 maps that to r2|offset again. */
    (void)r1;
    CHECK_EQ(o.ipa, r2 | 0x238);
    CHECK_EQ(o.oa, r2 | 0x238);
    CHECK_EQ(o.desc_reads, 24);
    CHECK_EQ(host_accesses(w.m) - a0, 24);
    wt_close(&w);
}

/* ---- part 2: command queue ------------------------------------------------- */

static void w32(struct vsmmu *s, uint32_t off, uint32_t v)
{
    CHECK_EQ(vsmmu_mmio_write(s, off, v, 4), VSMMU_OK);
}

static void w64(struct vsmmu *s, uint32_t off, uint64_t v)
{
    CHECK_EQ(vsmmu_mmio_write(s, off, v, 8), VSMMU_OK);
}

static uint32_t r32(struct vsmmu *s, uint32_t off)
{
    uint64_t v = 0;
    CHECK_EQ(vsmmu_mmio_read(s, off, 4, &v), VSMMU_OK);
    return (uint32_t)v;
}

/* The largest command queue (IDR1.CMDQS = 19: 2^19 commands, 8 MiB) full:
 * PROD = CONS with the wrap bit flipped (IHI0070 3.5.1). The model runs at
 * most cfg.cmdq_batch commands per MMIO call (vsmmu_config), each costing
 * one 16-byte fetch; SYNC with CS=SIG_IRQ adds one MSI write (kit counts
 * MSIs separately). So each CMDQ_PROD write consumes exactly
 * min(batch, pending) commands with that many host reads (plus nothing
 * else: CFGI/TLBI/PREFETCH/SYNC touch no guest memory here), and the
 * queue drains in 2^19 / batch calls. */
static void full_command_queue(void)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.cmdqs = 19;
    c.cmdq_batch = 4096;
    struct kit_mem *m = kit_mem_new();
    REQUIRE(kit_mem_add(m, 0, 16u << 20) == 0);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s;
    REQUIRE(vsmmu_create(&c, &ops, &s, NULL, 0) == VSMMU_OK);

    const unsigned qs = 19, n = 1u << qs;
    const uint64_t q = 8u << 20;               /* 8 MiB aligned */
    for (unsigned i = 0; i < n; i++) {
        uint64_t cmd[2];
        switch (i % 5) {
        case 0: kit_cmd_cfgi_all(cmd); break;
        case 1: kit_cmd_tlbi_nsnh_all(cmd); break;
        case 2: kit_cmd_prefetch_config(cmd, i, false, 0); break;
        case 3: kit_cmd_cfgi_ste(cmd, i, true); break;
        default: kit_cmd_sync(cmd, KIT_CS_IRQ, 0x1000, i, 0, 0); break;
        }
        kit_w64(m, q + 16ull * i, cmd[0]);
        kit_w64(m, q + 16ull * i + 8, cmd[1]);
    }
    w64(s, SMMU_CMDQ_BASE, q | qs);
    w32(s, SMMU_CMDQ_PROD, 0);
    w32(s, SMMU_CMDQ_CONS, 0);
    w32(s, SMMU_CR0, CR0_CMDQEN);
    REQUIRE(r32(s, SMMU_CR0ACK) & CR0_CMDQEN);

    uint32_t full = 1u << qs;                  /* index 0, wrap 1 */
    unsigned calls = 0;
    uint32_t cons = 0;
    while ((cons & 0xFFFFF) != full && calls < 2 * (n / c.cmdq_batch)) {
        uint64_t a0 = host_accesses(m);
        w32(s, SMMU_CMDQ_PROD, full);
        uint32_t now = r32(s, SMMU_CMDQ_CONS) & 0xFFFFF;
        uint32_t moved = (now - cons) & ((2u << qs) - 1);
        CHECK_EQ(moved, c.cmdq_batch);
        CHECK_EQ(host_accesses(m) - a0, c.cmdq_batch);
        cons = now;
        calls++;
    }
    CHECK_EQ(cons, full);
    CHECK_EQ(calls, n / c.cmdq_batch);
    /* every fifth command was a CMD_SYNC with an MSI */
    CHECK_EQ(m->nmsi, n / 5);
    CHECK_EQ(r32(s, SMMU_GERROR) ^ r32(s, SMMU_GERRORN), 0);
    vsmmu_destroy(s);
    kit_mem_free(m);
}

/* A full queue of illegal commands: the first one stops the queue with
 * CERROR_ILL (IHI0070 4.1.3, 7.1) after one fetch; acknowledging the error
 * without fixing the command stops it again on the same index with one more
 * fetch: guest-driven work per call stays at one access. */
static void full_queue_of_illegal_commands(void)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    struct kit_mem *m = kit_mem_new();
    REQUIRE(kit_mem_add(m, 0, 1u << 20) == 0);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s;
    REQUIRE(vsmmu_create(&c, &ops, &s, NULL, 0) == VSMMU_OK);
    const unsigned qs = 8;
    for (unsigned i = 0; i < (1u << qs); i++)
        kit_w64(m, 16ull * i, 0x00);           /* opcode 0x00: reserved */
    w64(s, SMMU_CMDQ_BASE, 0 | qs);
    w32(s, SMMU_CR0, CR0_CMDQEN);
    for (unsigned k = 0; k < 3; k++) {
        uint64_t a0 = host_accesses(m);
        if (k == 0)
            w32(s, SMMU_CMDQ_PROD, 1u << qs);
        else
            w32(s, SMMU_GERRORN, r32(s, SMMU_GERROR));
        CHECK_EQ(host_accesses(m) - a0, 1);
        CHECK_EQ(r32(s, SMMU_CMDQ_CONS), 0 | (uint32_t)FIELD_PREP(CMDQ_CONS_ERR, CERROR_ILL));
        CHECK_EQ((r32(s, SMMU_GERROR) ^ r32(s, SMMU_GERRORN)) & GERROR_CMDQ_ERR,
                 GERROR_CMDQ_ERR);
    }
    vsmmu_destroy(s);
    kit_mem_free(m);
}

int main(void)
{
    RUN(s1_table_points_at_itself);
    RUN(nested_tables_point_at_themselves);
    RUN(full_command_queue);
    RUN(full_queue_of_illegal_commands);
    return t_done();
}
