/* SPDX-License-Identifier: MIT */
/* Guest-driven work is bounded: hostile but legal guest programming makes
 * every MMIO call and every translation return after a bounded number of
 * host memory accesses (kit_mem reads/writes/cas counters; never time).
 * The bounds are derived in docs/robustness.md and in the comments here.
 *
 * Part 1: translation tables that point at themselves (walker).
 * Part 2: a command queue full of commands.
 * Part 3: the largest stream and CD tables, maximal StreamID/SubstreamID
 *         values, an event queue flooded with faults. */
#include "walk_common.h"
#include "cmd.h"
#include "fault.h"

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

/* ---- part 3: the translation pipeline at its limits ------------------------- */

/* Every translation's bound (docs/robustness.md): 2 stream-table reads
 * (L1STD + STE, the STE read as at most 8 doublewords), 2 CD-table reads
 * (L1CD + CD, likewise) each through at most a 4-level stage-2 walk when
 * nested, the 24-read nested walk, one event record write: well under 64. */
#define MAX_ACCESS_PER_TRANSLATE 64u

struct pl {
    struct kit_mem *m;
    struct vsmmu *s;
    struct vsmmu_config c;
};

static void pl_open(struct pl *p, unsigned sidsize, unsigned ssidsize)
{
    memset(p, 0, sizeof(*p));
    vsmmu_config_default(&p->c);
    p->c.sidsize = sidsize;
    p->c.ssidsize = ssidsize;
    p->c.oas_bits = 48;
    p->m = kit_mem_new();
    kit_mem_add(p->m, 0, 1u << 20);            /* queues, CDs, page tables */
    struct vsmmu_host_ops ops;
    kit_mem_ops(p->m, &ops, false);
    char err[256] = "";
    if (vsmmu_create(&p->c, &ops, &p->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu_create: %s\n", err);
        exit(2);
    }
}

static void pl_close(struct pl *p)
{
    vsmmu_destroy(p->s);
    kit_mem_free(p->m);
}

/* CMDQ at 0x0 (2^4), EVTQ at 0x1000 (2^evtq_log2), CR2.RECINVSID, enable. */
static void pl_enable(struct pl *p, uint64_t strtab, uint32_t strtab_cfg, unsigned evtq_log2)
{
    struct vsmmu *s = p->s;
    w64(s, SMMU_STRTAB_BASE, strtab);
    w32(s, SMMU_STRTAB_BASE_CFG, strtab_cfg);
    w64(s, SMMU_CMDQ_BASE, 0x0 | 4);
    w64(s, SMMU_EVENTQ_BASE, 0x1000 | evtq_log2);
    w32(s, SMMU_CR2, (uint32_t)CR2_RECINVSID);
    w32(s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN);
    w32(s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
    REQUIRE(r32(s, SMMU_CR0ACK) == (CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN));
}

/* IHI0070 5.2: STE.V[0] Config[3:1] S1Fmt[5:4] S1ContextPtr[51:6]
 * S1CDMax[63:59]; DW1 S1DSS[1:0]. */
static void put_ste(struct kit_mem *m, uint64_t pa, unsigned config, unsigned s1fmt,
                    uint64_t cdptr, unsigned cdmax)
{
    kit_w64(m, pa, 1 | (uint64_t)config << 1 | (uint64_t)s1fmt << 4 | cdptr |
                   (uint64_t)cdmax << 59);
    for (unsigned i = 1; i < 8; i++)
        kit_w64(m, pa + 8 * i, 0);
}

/* IHI0070 5.4 CD: T0SZ 25, TG0 4K, EPD1, V, IPS 48 bits (0b101), AA64,
 * R, A, ASID; TTB0; MAIR Attr0 = Normal WB. */
static void put_cd(struct kit_mem *m, uint64_t pa, uint64_t ttb0, unsigned asid)
{
    kit_w64(m, pa, 25 | 1ull << 30 | 1ull << 31 | 5ull << 32 | 1ull << 41 | 1ull << 45 |
                   1ull << 46 | (uint64_t)asid << 48);
    kit_w64(m, pa + 8, ttb0);
    kit_w64(m, pa + 16, 0);
    kit_w64(m, pa + 24, 0xFF);
    for (unsigned i = 4; i < 8; i++)
        kit_w64(m, pa + 8 * i, 0);
}

static void xlate(struct pl *p, uint32_t sid, bool ssv, uint32_t ssid, uint64_t addr,
                  struct vsmmu_result *r)
{
    struct vsmmu_txn t = { .sid = sid, .ssid = ssid, .addr = addr,
                           .flags = ssv ? VSMMU_TXN_SSV : 0 };
    uint64_t a0 = host_accesses(p->m);
    CHECK_EQ(vsmmu_translate(p->s, &t, r), VSMMU_OK);
    uint64_t used = host_accesses(p->m) - a0;
    CHECK_MSG(used <= MAX_ACCESS_PER_TRANSLATE, "sid 0x%x ssid 0x%x: %llu host accesses",
              sid, ssid, (unsigned long long)used);
}

/* SIDSIZE 32 with the largest 2-level stream table: SPLIT 10 (64 KiB L2
 * arrays of 1024 STEs, L1STD.Span 11) and LOG2SIZE 32, i.e. 2^22 L1
 * descriptors (32 MiB, aligned to its size: IHI0070 6.3.25). Only the
 * descriptors used are backed by memory. StreamID 0xFFFFFFFF uses L1 index
 * 0x3FFFFF and L2 index 1023 (IHI0070 3.3.2). */
static void largest_stream_table_max_sid(void)
{
    struct pl p;
    pl_open(&p, 32, 20);
    const uint64_t l1 = 1ull << 32, l1_size = 8ull << 22;
    const uint64_t l2lo = 0x200000000ull, l2hi = 0x200010000ull;
    REQUIRE(kit_mem_add(p.m, l1, 4096) == 0);
    REQUIRE(kit_mem_add(p.m, l1 + l1_size - 4096, 4096) == 0);
    REQUIRE(kit_mem_add(p.m, l2lo, 0x10000) == 0);
    REQUIRE(kit_mem_add(p.m, l2hi, 0x10000) == 0);
    kit_w64(p.m, l1, l2lo | 11);                       /* Span 11: 1024 STEs */
    kit_w64(p.m, l1 + l1_size - 8, l2hi | 11);
    put_ste(p.m, l2hi + 1023 * 64, 4, 0, 0, 0);        /* sid 0xFFFFFFFF: bypass */
    put_ste(p.m, l2lo + 5 * 64, 4, 0, 0, 0);           /* sid 5: bypass */
    /* IHI0070 6.3.25: FMT[17:16]=0b01, SPLIT[10:6]=10, LOG2SIZE[5:0]=32 */
    pl_enable(&p, l1, 1u << 16 | 10u << 6 | 32, 4);

    struct vsmmu_result r;
    xlate(&p, 0xFFFFFFFFu, false, 0, 0xABCDE123, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0xABCDE123);
    CHECK(r.bypass);
    xlate(&p, 5, false, 0, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    /* sid 0x80000000: L1 index 0x200000 is not backed: the L1STD fetch
     * aborts: F_STE_FETCH with FetchAddr = the L1STD address (7.3.4) */
    xlate(&p, 0x80000000u, false, 0, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_EQ(r.event[0] & 0xFF, EVT_F_STE_FETCH);
    CHECK_EQ(r.event[0] >> 32, 0x80000000u);
    CHECK_EQ(r.event[3] & GENMASK(51, 3), l1 + 0x200000ull * 8);
    /* sid 0xFFFFFC00: same L2 array, index 0, an all-zero STE: V=0 is
     * C_BAD_STE (5.2) */
    xlate(&p, 0xFFFFFC00u, false, 0, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_STE);
    pl_close(&p);
}

/* StreamIDs beyond SIDSIZE: C_BAD_STREAMID with no table access (3.3.1),
 * for the largest 32-bit value too. */
static void sid_beyond_sidsize(void)
{
    struct pl p;
    pl_open(&p, 16, 0);
    pl_enable(&p, 0x10000, 6, 4);                       /* linear, 64 STEs */
    static const uint32_t sids[] = { 64, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF };
    for (unsigned i = 0; i < 4; i++) {
        struct vsmmu_result r;
        uint64_t reads = p.m->reads;
        xlate(&p, sids[i], false, 0, 0, &r);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK(r.has_event);
        CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_STREAMID);
        CHECK_EQ(r.event[0] >> 32, sids[i]);
        CHECK_EQ(p.m->reads - reads, 0);
    }
    pl_close(&p);
}

/* SSIDSIZE 20, S1CDMax 20 and the 2-level CD table with 64 KiB leaves
 * (S1Fmt 0b10: L1 index SSID[19:10], L2 index SSID[9:0]; IHI0070 5.2):
 * SubstreamID 0xFFFFF is L1CD 1023, CD 1023 of its leaf. The stage-1 tables
 * map VA 0x5000 to PA 0x77000 (4K page). */
static void largest_cd_table_max_ssid(void)
{
    struct pl p;
    pl_open(&p, 16, 20);
    const uint64_t st = 0x10000, l1cd = 0x20000;       /* L1CD: 1024 x 8 B */
    const uint64_t leaf = 0x300000000ull;              /* 64 KiB, aligned */
    REQUIRE(kit_mem_add(p.m, leaf, 0x10000) == 0);
    kit_mem_alloc(p.m, 0x40000, 4096);                  /* keep the pool above */
    struct kit_ptb pt;
    REQUIRE(kit_ptb_init_s1(&pt, p.m, 12, 25) == 0);
    REQUIRE(kit_ptb_map(&pt, 0x5000, 0x77000, 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3)) == 0);
    put_ste(p.m, st + 1 * 64, 5, 2, l1cd, 20);         /* stage 1, 2-level 64K */
    kit_w64(p.m, l1cd + 1023 * 8, leaf | 1);           /* L1CD.V, L2Ptr */
    put_cd(p.m, leaf + 1023 * 64, kit_ptb_ttb(&pt), 7);
    pl_enable(&p, st, 6, 4);

    struct vsmmu_result r;
    xlate(&p, 1, true, 0xFFFFF, 0x5ABC, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
    CHECK_EQ(r.out_addr, 0x77ABC);
    /* SubstreamID 0xFFBFF: L1CD 1022 has V=0: C_BAD_SUBSTREAMID (5.3) */
    xlate(&p, 1, true, 0xFFBFF, 0x5ABC, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_SUBSTREAMID);
    /* SubstreamIDs wider than 20 bits (the API carries 32): beyond
     * 2^S1CDMax, C_BAD_SUBSTREAMID; the record's SubstreamID field keeps
     * its 20 bits (7.3) */
    xlate(&p, 1, true, 0xFFFFFFFFu, 0x5ABC, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_SUBSTREAMID);
    xlate(&p, 1, true, 0x100000u, 0x5ABC, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_SUBSTREAMID);
    pl_close(&p);
}

/* Configuration structures that point at themselves.
 * (a) 2-level stream table whose L1STD points at the L1 table itself
 *     (SPLIT 6, Span 7): StreamID 0's STE is then the L1 table's first 64
 *     bytes; its DW0 = L1 | 7 reads as V=1, Config=0b011: reserved, which
 *     behaves as abort: terminated without an event (IHI0070 5.2).
 * (b) 2-level CD table (S1Fmt 0b01, 4K leaves of 64 CDs) whose L1CD points
 *     at the L1CD table itself: the CD of SubstreamID 0x41 (L1 index 1, leaf
 *     index 1) is bytes 64..127 of the L1CD table, all zero but the L1CD
 *     entries 8..15: DW0 bit 31 (V) is 0: C_BAD_CD (5.4). */
static void structures_point_at_themselves(void)
{
    struct pl p;
    pl_open(&p, 16, 8);
    const uint64_t l1 = 0x10000, l1cd = 0x20000, st2 = 0x30000;
    kit_w64(p.m, l1, l1 | 7);                       /* sid 0..63 -> L1 itself */
    kit_w64(p.m, l1 + 8, st2 | 7);                  /* sid 64..127 -> real STEs */
    put_ste(p.m, st2 + 1 * 64, 5, 1, l1cd, 8);      /* sid 65: S1, 2-level 4K */
    kit_w64(p.m, l1cd + 8, l1cd | 1);               /* L1CD[1] -> L1CD itself */
    /* IHI0070 6.3.25: FMT 2-level, SPLIT 6, LOG2SIZE 16 */
    pl_enable(&p, l1, 1u << 16 | 6u << 6 | 16, 4);
    struct vsmmu_result r;
    xlate(&p, 0, false, 0, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(!r.has_event);
    xlate(&p, 65, true, 0x41, 0x1000, &r);
    CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
    CHECK(r.has_event);
    CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_CD);
    pl_close(&p);
}

/* Publish commands on the 16-entry command queue at 0x0 and run them. */
static void pl_cmds(struct pl *p, const uint64_t (*cmd)[2], unsigned n)
{
    uint32_t prod = r32(p->s, SMMU_CMDQ_PROD) & 0x1F;
    for (unsigned i = 0; i < n; i++) {
        kit_w64(p->m, 16ull * (prod & 15), cmd[i][0]);
        kit_w64(p->m, 16ull * (prod & 15) + 8, cmd[i][1]);
        prod = (prod + 1) & 0x1F;
    }
    w32(p->s, SMMU_CMDQ_PROD, prod);
    CHECK_EQ(r32(p->s, SMMU_CMDQ_CONS), prod);     /* consumed, no error */
}

/* The largest range TLBI (IHI0070 4.4.1: TG=4K, SCALE=31, NUM=31, i.e.
 * 32 x 2^31 pages = 2^48 bytes from VA 0) must not cost work per page in
 * the range: it completes within the MMIO call, and removes every cached
 * translation of the ASID, so each of the 64 pages then walks again (4
 * descriptor reads: 4K, T0SZ 16, start level 0). */
static void largest_range_invalidation(void)
{
    struct pl p;
    pl_open(&p, 16, 0);
    const uint64_t st = 0x10000, cd = 0x20000;
    kit_mem_alloc(p.m, 0x40000, 4096);
    struct kit_ptb pt;
    REQUIRE(kit_ptb_init_s1(&pt, p.m, 12, 16) == 0);
    REQUIRE(kit_ptb_map(&pt, 0, 0x80000000ull, 64 * 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_AP, 1) | FIELD_PREP(PTE_SH, 3)) == 0);
    put_ste(p.m, st + 64, 5, 0, cd, 0);
    put_cd(p.m, cd, kit_ptb_ttb(&pt), 7);
    kit_w64(p.m, cd, (kit_r64(p.m, cd) & ~0x3Full) | 16);     /* T0SZ 16 */
    pl_enable(&p, st, 6, 4);
    struct vsmmu_result r;
    for (unsigned round = 0; round < 2; round++) {
        for (unsigned i = 0; i < 64; i++) {
            xlate(&p, 1, false, 0, 0x1000ull * i + 8, &r);
            CHECK_EQ(r.outcome, VSMMU_XLATE_OK);
            CHECK_EQ(r.out_addr, 0x80000000ull + 0x1000ull * i + 8);
        }
        uint64_t reads = p.m->reads;
        for (unsigned i = 0; i < 64; i++) {       /* cached now */
            xlate(&p, 1, false, 0, 0x1000ull * i + 8, &r);
            CHECK(r.from_cache);
        }
        CHECK_EQ(p.m->reads - reads, 0);
        uint64_t cmd[2][2];
        struct kit_tlbi_range rg = { .addr = 0, .num = 31, .scale = 31, .ttl = 0,
                                     .tg = KIT_TG_4K, .leaf = false };
        if (round == 0)
            kit_cmd_tlbi_nh_va(cmd[0], 0, 7, &rg);
        else
            kit_cmd_tlbi_nh_vaa(cmd[0], 0, &rg);
        kit_cmd_sync(cmd[1], KIT_CS_NONE, 0, 0, 0, 0);
        pl_cmds(&p, cmd, 2);
        reads = p.m->reads;
        for (unsigned i = 0; i < 64; i++) {
            xlate(&p, 1, false, 0, 0x1000ull * i + 8, &r);
            CHECK(!r.from_cache);
        }
        CHECK_EQ(p.m->reads - reads, 64 * 4);
    }
    pl_close(&p);
}

/* A 2-entry event queue flooded with faults (STE V=0: C_BAD_STE): the
 * first two records are written, then the queue is full and further
 * records are lost with EVENTQ_PROD.OVFLG toggled once (IHI0070 7.4.1);
 * each faulting translation still costs a bounded number of accesses and
 * nothing is written to the full queue. */
static void event_queue_flood(void)
{
    struct pl p;
    pl_open(&p, 16, 0);
    pl_enable(&p, 0x10000, 6, 1);                       /* 2 events */
    uint64_t w0 = p.m->writes;
    for (unsigned i = 0; i < 1000; i++) {
        struct vsmmu_result r;
        xlate(&p, 9, false, 0, 0x1000 * i, &r);
        CHECK_EQ(r.outcome, VSMMU_XLATE_ABORT);
        CHECK_EQ(r.event[0] & 0xFF, EVT_C_BAD_STE);
    }
    CHECK_EQ(p.m->writes - w0, 2);                      /* two records */
    uint32_t prod = r32(p.s, SMMU_EVENTQ_PROD);
    CHECK_EQ(prod & 0xFFFFF, 2);                        /* index 0, wrap 1: full */
    CHECK_EQ(prod >> 31, 1);                            /* OVFLG toggled */
    pl_close(&p);
}

/* Stalled transactions whose records do not fit the event queue are not
 * lost (stall records never overflow: IHI0070 3.12.2, 7.4): 10 stalls into
 * a 2-entry queue write 2 records and keep 8; each time the guest consumes
 * the queue (one EVENTQ_CONS write) exactly the 2 records that fit are
 * written in that call, and OVFLG never toggles. */
static void stall_records_wait_for_space(void)
{
    struct pl p;
    pl_open(&p, 16, 0);
    const uint64_t st = 0x10000, cd = 0x20000;
    kit_mem_alloc(p.m, 0x40000, 4096);
    struct kit_ptb pt;
    REQUIRE(kit_ptb_init_s1(&pt, p.m, 12, 25) == 0);
    /* read-only page (AP[2:1] = 0b11): a write is a stage-1 F_PERMISSION */
    REQUIRE(kit_ptb_map(&pt, 0x1000, 0x80000000ull, 0x1000, 3,
                        PTE_AF | FIELD_PREP(PTE_AP, 3) | FIELD_PREP(PTE_SH, 3)) == 0);
    put_ste(p.m, st + 64, 5, 0, cd, 0);
    put_cd(p.m, cd, kit_ptb_ttb(&pt), 7);
    kit_w64(p.m, cd, kit_r64(p.m, cd) | 1ull << 44);    /* CD.S: stall */
    pl_enable(&p, st, 6, 1);                            /* 2-entry event queue */
    uint64_t w0 = p.m->writes;
    for (unsigned i = 0; i < 10; i++) {
        struct vsmmu_txn t = { .sid = 1, .addr = 0x1000 + 8 * i, .flags = VSMMU_TXN_WRITE };
        struct vsmmu_result r;
        CHECK_EQ(vsmmu_translate(p.s, &t, &r), VSMMU_OK);
        CHECK_EQ(r.outcome, VSMMU_XLATE_STALL);
    }
    CHECK_EQ(p.m->writes - w0, 2);
    uint32_t prod = r32(p.s, SMMU_EVENTQ_PROD);
    CHECK_EQ(prod, 2);                                  /* full, no OVFLG */
    for (unsigned round = 0; round < 4; round++) {
        uint64_t a0 = host_accesses(p.m);
        w32(p.s, SMMU_EVENTQ_CONS, prod);
        CHECK_EQ(host_accesses(p.m) - a0, 2);           /* two records, nothing else */
        uint32_t now = r32(p.s, SMMU_EVENTQ_PROD);
        CHECK_EQ((now - prod) & 3, 2);
        CHECK_EQ(now >> 31, 0);
        prod = now;
    }
    uint64_t a0 = host_accesses(p.m);
    w32(p.s, SMMU_EVENTQ_CONS, prod);                   /* all 10 out: nothing left */
    CHECK_EQ(host_accesses(p.m) - a0, 0);
    pl_close(&p);
}

int main(void)
{
    RUN(s1_table_points_at_itself);
    RUN(nested_tables_point_at_themselves);
    RUN(full_command_queue);
    RUN(full_queue_of_illegal_commands);
    RUN(largest_stream_table_max_sid);
    RUN(sid_beyond_sidsize);
    RUN(largest_cd_table_max_ssid);
    RUN(structures_point_at_themselves);
    RUN(largest_range_invalidation);
    RUN(event_queue_flood);
    RUN(stall_records_wait_for_space);
    return t_done();
}
