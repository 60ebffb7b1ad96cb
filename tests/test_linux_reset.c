/* SPDX-License-Identifier: MIT */
/* The Linux driver's programming sequence end to end through MMIO and guest
 * memory only (kit/drv): reset (linux-driver.md §1.4), CMD_SYNC completion by
 * MSI into the sync's own slot or by polling CONS (§2.2), CMDQ_ERR recovery,
 * event consumption with overflow acknowledgement (§3). Expected register
 * values are derived by hand from the sequence and IHI0070 chapter 6. */
#include <stddef.h>

#include "test.h"
#include "internal.h"
#include "spec/cmd.h"
#include "mem.h"
#include "cmd.h"
#include "drv.h"

#define RAM_BASE UINT64_C(0x80000000)
#define RAM_SIZE (UINT64_C(16) << 20)

struct rec {
    unsigned nwrites;
    struct { uint64_t off, val; } w[256];
    unsigned ncmds;
    uint64_t cmd[512][2];
    uint64_t cmd_rd[512];
};

static void tracer(void *o, const struct vsmmu_trace_rec *r)
{
    struct rec *t = o;
    if (r->kind == VSMMU_TR_MMIO_WRITE && t->nwrites < 256) {
        t->w[t->nwrites].off = r->a0;
        t->w[t->nwrites].val = r->a1;
        t->nwrites++;
    }
    if (r->kind == VSMMU_TR_CMD && t->ncmds < 512) {
        t->cmd[t->ncmds][0] = r->raw[0];
        t->cmd[t->ncmds][1] = r->raw[1];
        t->cmd_rd[t->ncmds] = r->a0;
        t->ncmds++;
    }
}

struct env {
    struct kit_mem *m;
    struct vsmmu *s;
    struct kit_drv d;
    struct rec *rec;
};

static int env_init(struct env *e, const char *profile, void (*tweak)(struct vsmmu_config *))
{
    memset(e, 0, sizeof(*e));
    e->m = kit_mem_new();
    if (!e->m || kit_mem_add(e->m, RAM_BASE, RAM_SIZE))
        return -1;
    struct vsmmu_host_ops ops;
    kit_mem_ops(e->m, &ops, false);
    struct vsmmu_config cfg;
    if (vsmmu_config_profile(&cfg, profile))
        return -1;
    if (tweak)
        tweak(&cfg);
    char err[200];
    if (vsmmu_create(&cfg, &ops, &e->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu_create: %s\n", err);
        return -1;
    }
    e->rec = calloc(1, sizeof(*e->rec));
    vsmmu_set_trace(e->s, tracer, e->rec);
    if (kit_drv_probe(&e->d, e->s, e->m)) {
        fprintf(stderr, "probe: %s\n", e->d.err);
        return -1;
    }
    return 0;
}

static void env_fini(struct env *e)
{
    vsmmu_destroy(e->s);
    kit_mem_free(e->m);
    free(e->rec);
}

static int find_write(const struct rec *r, uint64_t off, unsigned from)
{
    for (unsigned i = from; i < r->nwrites; i++)
        if (r->w[i].off == off)
            return (int)i;
    return -1;
}

static uint64_t stat_commands(struct vsmmu *s)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(s, &st);
    return st.commands;
}

/* full-v3.2: Hyp, MSI, PRI, ATS, 2-level stream table. */
static void test_reset_full(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    CHECK(e.d.msi && e.d.hyp && e.d.pri && e.d.ats && e.d.st2l);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    int rc = kit_drv_reset(&e.d, &o);
    CHECK_MSG(rc == 0, "reset: %s", e.d.err);
    struct rec *r = e.rec;

    /* Register writes in Linux's order (§1.4 steps 2-7). */
    int i_cr0 = find_write(r, SMMU_CR0, 0);
    REQUIRE(i_cr0 >= 0);
    CHECK_EQ(r->w[i_cr0].val, 0);
    int i_cr1 = find_write(r, SMMU_CR1, 0);
    CHECK(i_cr1 > i_cr0);
    CHECK_EQ(r->w[i_cr1].val, 0x0D75);
    int i_cr2 = find_write(r, SMMU_CR2, 0);
    CHECK_EQ(r->w[i_cr2].val, CR2_PTM | CR2_RECINVSID);
    int i_cfg = find_write(r, SMMU_STRTAB_BASE_CFG, 0);
    /* 2-level (ST_LEVEL=1, 16 SID bits > 8): FMT=1 [17:16], SPLIT=8 [10:6],
     * LOG2SIZE=16 [5:0] = 0x10000 | 0x200 | 0x10. */
    CHECK_EQ(r->w[i_cfg].val, 0x10210);
    int i_cq = find_write(r, SMMU_CMDQ_BASE, 0);
    /* RWA [62] | ADDR | LOG2SIZE = min(CMDQS=19, 8) = 8. */
    CHECK_EQ(r->w[i_cq].val, (UINT64_C(1) << 62) | e.d.cmdq_base | 8);
    CHECK_EQ(e.d.cmdq_base & 0xfff, 0);       /* 256 * 16 B = 4 KiB, aligned */
    int i_en = find_write(r, SMMU_CR0, (unsigned)i_cq);
    CHECK_EQ(r->w[i_en].val, CR0_CMDQEN);

    /* Step 8: CFGI_ALL, TLBI_EL2_ALL (Hyp), TLBI_NSNH_ALL, each + CMD_SYNC
     * with MSI into its own slot (MSIPOLL). */
    static const unsigned ops[6] = { CMD_CFGI_STE_RANGE, CMD_SYNC, CMD_TLBI_EL2_ALL, CMD_SYNC,
                                     CMD_TLBI_NSNH_ALL, CMD_SYNC };
    REQUIRE(r->ncmds == 6);
    for (unsigned i = 0; i < 6; i++) {
        CHECK_EQ(r->cmd[i][0] & 0xff, ops[i]);
        CHECK_EQ(r->cmd_rd[i], i);
    }
    CHECK_EQ(r->cmd[0][1], 31);                /* CFGI_ALL: Range = 31 */
    CHECK_EQ(e.m->nmsi, 3);
    for (unsigned i = 0; i < 3; i++) {
        uint64_t slot = e.d.cmdq_base + 16 * (2 * i + 1);
        CHECK_EQ(r->cmd[2 * i + 1][1], slot);             /* MSIAddress = own slot */
        CHECK_EQ((r->cmd[2 * i + 1][0] >> 12) & 3, 1);   /* CS = SIG_IRQ */
        CHECK_EQ(e.m->msi[i].addr, slot);
        CHECK_EQ(e.m->msi[i].data, 0);
        CHECK_EQ(kit_r32(e.m, slot), 0);                  /* the polled word */
    }
    CHECK_EQ(e.d.syncs, 3);

    /* Final state: CR0ACK = SMMUEN|PRIQEN|EVENTQEN|CMDQEN|ATSCHK = 0x1f,
     * IRQ_CTRLACK = EVTQ|PRIQ|GERROR = 7, CMDQ_CONS = 6, nothing pending. */
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CR0ACK), 0x1f);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_IRQ_CTRLACK), 7);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CMDQ_CONS), 6);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_GERROR), 0);
    CHECK_EQ(stat_commands(e.s), 6);
    /* Event queue: LOG2SIZE min(EVENTQS, 7) = 7; PROD/CONS 0 in page 1. */
    CHECK_EQ(kit_drv_r64(&e.d, SMMU_EVENTQ_BASE), (UINT64_C(1) << 62) | e.d.evtq_base | 7);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_EVENTQ_PROD), 0);
    CHECK(find_write(r, SMMU_EVENTQ_PROD, 0) > i_en);
    env_fini(&e);
}

static void no_msi_sev(struct vsmmu_config *c) { (void)c; }

/* qemu-v3.1: no MSI, no Hyp, no PRI/ATS: CMD_SYNC CS=SEV, CONS polled. */
static void test_reset_qemu(void)
{
    struct env e;
    REQUIRE(env_init(&e, "qemu-v3.1", no_msi_sev) == 0);
    CHECK(!e.d.msi && !e.d.hyp);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    REQUIRE(e.rec->ncmds == 4);
    CHECK_EQ(e.rec->cmd[0][0] & 0xff, CMD_CFGI_STE_RANGE);
    CHECK_EQ(e.rec->cmd[1][0] & 0xff, CMD_SYNC);
    CHECK_EQ((e.rec->cmd[1][0] >> 12) & 3, 2);  /* CS = SIG_SEV (Linux without MSIPOLL) */
    CHECK_EQ(e.rec->cmd[1][1], 0);
    CHECK_EQ(e.rec->cmd[2][0] & 0xff, CMD_TLBI_NSNH_ALL);
    CHECK_EQ(e.m->nmsi, 0);
    /* CR0ACK = SMMUEN|EVENTQEN|CMDQEN = 0xd. */
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CR0ACK), 0xd);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_IRQ_CTRLACK), 5);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CMDQ_CONS), 4);
    env_fini(&e);
}

/* minimal-v3.0: 6 SID bits, linear stream table of 64 abort STEs. */
static void test_reset_linear(void)
{
    struct env e;
    REQUIRE(env_init(&e, "minimal-v3.0", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    CHECK(!e.d.two_level);
    /* FMT=0, LOG2SIZE=6. */
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_STRTAB_BASE_CFG), 6);
    uint64_t base = kit_drv_r64(&e.d, SMMU_STRTAB_BASE) & GENMASK(51, 6);
    CHECK_EQ(base, e.d.strtab);
    CHECK_EQ(base & (64 * 64 - 1), 0);           /* aligned to the table size */
    for (unsigned i = 0; i < 64; i++)
        CHECK_EQ(kit_r64(e.m, base + 64 * i), 1);  /* V=1, Config=abort */
    CHECK_EQ(kit_drv_ste_pa(&e.d, 63), base + 63 * 64);
    CHECK_EQ(kit_drv_ste_pa(&e.d, 64), 0);
    env_fini(&e);
}

static void test_two_level_ste(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    REQUIRE(e.d.two_level);
    uint64_t pa = kit_drv_ste_pa(&e.d, 0x1234);
    /* L1STD 0x12: Span = SPLIT + 1 = 9, L2Ptr -> 256 abort STEs. */
    uint64_t l1 = kit_r64(e.m, e.d.strtab + 0x12 * 8);
    CHECK_EQ(l1 & 0x1f, 9);
    CHECK_EQ(pa, (l1 & GENMASK(51, 6)) + 0x34 * 64);
    CHECK_EQ(kit_r64(e.m, pa), 1);
    uint64_t ste[8] = { 1 | (4u << 1) };        /* V=1, Config=bypass */
    unsigned before = e.rec->ncmds;
    CHECK_EQ(kit_drv_install_ste(&e.d, 0x1234, ste), 0);
    CHECK_EQ(kit_r64(e.m, pa), 9);
    REQUIRE(e.rec->ncmds == before + 2);
    /* CFGI_STE: StreamID [63:32], Leaf = 1. */
    CHECK_EQ(e.rec->cmd[before][0], CMD_CFGI_STE | (UINT64_C(0x1234) << 32));
    CHECK_EQ(e.rec->cmd[before][1], 1);
    env_fini(&e);
}

/* CMDQ_ERR recovery through the GERROR handler (§2.2): the ILL command is
 * replaced by a CMD_SYNC, GERRORN written, consumption restarts at CONS. */
static void test_cerror_recovery(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.gerror_msi.addr = RAM_BASE + 0xf00000;
    o.gerror_msi.data = 0x77;
    CHECK_MSG(kit_drv_reset(&e.d, &o) == 0, "reset: %s", e.d.err);
    unsigned nmsi = e.m->nmsi;
    uint64_t cmds[3][2];
    kit_cmd_tlbi_nsnh_all(cmds[0]);
    cmds[1][0] = 0x0f; cmds[1][1] = 0;         /* reserved opcode */
    kit_cmd_cfgi_ste(cmds[2], 3, true);
    uint32_t bad_slot = e.d.cmdq_prod + 1;
    CHECK_EQ(kit_drv_submit(&e.d, cmds, 3, true), CERROR_ILL);
    CHECK_EQ(e.d.cerrors, 1);
    CHECK_EQ(e.d.last_cerror, CERROR_ILL);
    /* The failing slot now holds a CMD_SYNC. */
    CHECK_EQ(kit_r64(e.m, e.d.cmdq_base + 16 * (bad_slot & 255)) & 0xff, CMD_SYNC);
    /* GERROR acknowledged; CONS caught up with PROD. */
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_GERROR), kit_drv_r32(&e.d, SMMU_GERRORN));
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CMDQ_CONS) & 0x1ff, e.d.cmdq_prod);
    /* The GERROR MSI went to the configured doorbell. */
    bool seen = false;
    for (unsigned i = nmsi; i < e.m->nmsi; i++)
        if (e.m->msi[i].addr == RAM_BASE + 0xf00000 && e.m->msi[i].data == 0x77)
            seen = true;
    CHECK(seen);
    /* The queue keeps working. */
    CHECK_EQ(kit_drv_cmd(&e.d, cmds[0]), 0);
    env_fini(&e);
}

static void small_batch(struct vsmmu_config *c) { c->cmdq_batch = 16; }

/* More commands than the queue holds, with a per-call work bound smaller
 * than the batch: the driver waits for room and re-writes PROD. */
static void test_many_commands(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", small_batch) == 0);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.cmdq_log2 = 7;                            /* 128 entries */
    CHECK_MSG(kit_drv_reset(&e.d, &o) == 0, "reset: %s", e.d.err);
    static uint64_t cmds[300][2];
    for (unsigned i = 0; i < 300; i++)
        kit_cmd_cfgi_ste(cmds[i], i, true);
    uint64_t before = stat_commands(e.s);
    CHECK_EQ(kit_drv_submit(&e.d, cmds, 300, true), 0);
    CHECK_EQ(stat_commands(e.s) - before, 301);
    /* Same with CONS polling instead of MSI. */
    e.d.msi_poll = false;
    CHECK_EQ(kit_drv_submit(&e.d, cmds, 300, true), 0);
    CHECK_EQ(stat_commands(e.s) - before, 602);
    env_fini(&e);
}

/* Events through the queue as Linux reads them (§3). */
static void test_events(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    struct kit_drv_opts o;
    kit_drv_default_opts(&o);
    o.evtq_log2 = 1;                            /* 2 entries */
    o.evtq_msi.addr = RAM_BASE + 0xf00100;
    o.evtq_msi.data = 0x99;
    CHECK_MSG(kit_drv_reset(&e.d, &o) == 0, "reset: %s", e.d.err);
    unsigned nmsi = e.m->nmsi;
    uint64_t rec[4] = { 0x10 | (UINT64_C(5) << 32), 0, 0x1000, 0 }, got[4];
    CHECK_EQ(vsmmu_evtq_write(e.s, rec), 0);
    /* Empty -> non-empty: the EVTQ MSI. */
    CHECK_EQ(e.m->nmsi, nmsi + 1);
    CHECK_EQ(e.m->msi[nmsi].addr, RAM_BASE + 0xf00100);
    CHECK_EQ(e.m->msi[nmsi].data, 0x99);
    CHECK_EQ(kit_drv_event(&e.d, got), 1);
    CHECK_EQ(got[0], rec[0]);
    CHECK_EQ(got[2], 0x1000);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_EVENTQ_CONS), 1);
    CHECK_EQ(kit_drv_event(&e.d, got), 0);
    /* Overflow: 3 records into 2 free slots; the third is lost, OVFLG set. */
    for (unsigned i = 0; i < 3; i++) {
        rec[0] = 0x10 | ((uint64_t)(10 + i) << 32);
        vsmmu_evtq_write(e.s, rec);
    }
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_EVENTQ_PROD), 0x80000003u);
    CHECK_EQ(kit_drv_event(&e.d, got), 1);
    CHECK_EQ(got[0] >> 32, 10);
    CHECK_EQ(e.d.evtq_overflows, 1);
    CHECK_EQ(kit_drv_event(&e.d, got), 1);
    CHECK_EQ(got[0] >> 32, 11);
    CHECK_EQ(kit_drv_event(&e.d, got), 0);
    /* Acknowledged: CONS = RD 3 | OVACKFLG. */
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_EVENTQ_CONS), 0x80000003u);
    struct vsmmu_stats st;
    vsmmu_get_stats(e.s, &st);
    CHECK_EQ(st.events, 3);
    CHECK_EQ(st.events_lost, 1);
    env_fini(&e);
}

/* Reset of an already enabled SMMU goes through GBPA.ABORT first (§1.4
 * step 1), and disable leaves CR0ACK = 0. */
static void test_rereset(void)
{
    struct env e;
    REQUIRE(env_init(&e, "qemu-v3.1", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_GBPA) & GBPA_ABORT, 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset 2: %s", e.d.err);
    CHECK(kit_drv_r32(&e.d, SMMU_GBPA) & GBPA_ABORT);
    CHECK_EQ(kit_drv_disable(&e.d), 0);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_CR0ACK), 0);
    env_fini(&e);
}

/* Range invalidation as Linux issues it (§2.3-2.4). */
static void test_inv_range(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    unsigned n0 = e.rec->ncmds;
    /* RIL: 35 leaf pages at 0x10000 -> (NUM 2, SCALE 0) + (NUM 0, SCALE 5)
     * + CMD_SYNC. */
    CHECK_EQ(kit_drv_inv_range(&e.d, KIT_OP_TLBI_NH_VA, 0, 5, 0x10000, 35 * 4096, 4096, 12,
                               true), 0);
    REQUIRE(e.rec->ncmds == n0 + 3);
    CHECK_EQ(e.rec->cmd[n0][0], CMD_TLBI_NH_VA | (2u << 12) | (UINT64_C(5) << 48));
    CHECK_EQ(e.rec->cmd[n0][1], 0x10000 | (1u << 10) | (3u << 8) | 1);
    CHECK_EQ(e.rec->cmd[n0 + 1][0], CMD_TLBI_NH_VA | (5u << 20) | (UINT64_C(5) << 48));
    CHECK_EQ(e.rec->cmd[n0 + 1][1], 0x13000 | (1u << 10) | (3u << 8) | 1);
    CHECK_EQ(e.rec->cmd[n0 + 2][0] & 0xff, CMD_SYNC);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_GERROR), 0);
    env_fini(&e);

    /* No RIL (v3.0): one command per page, 64 per PROD write, one sync. */
    REQUIRE(env_init(&e, "minimal-v3.0", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    n0 = e.rec->ncmds;
    uint64_t c0 = stat_commands(e.s);
    CHECK_EQ(kit_drv_inv_range(&e.d, KIT_OP_TLBI_NH_VAA, 0, 0, 0x100000, 100 * 4096, 4096, 12,
                               true), 0);
    CHECK_EQ(stat_commands(e.s) - c0, 101);
    CHECK_EQ(e.rec->cmd[n0 + 99][1], 0x100000 + 99 * 4096 + 1);  /* last page, Leaf */
    env_fini(&e);
}

/* A PRI request popped and denied as mainline Linux does (§3). */
static void test_pri_deny(void)
{
    struct env e;
    REQUIRE(env_init(&e, "full-v3.2", NULL) == 0);
    CHECK_MSG(kit_drv_reset(&e.d, NULL) == 0, "reset: %s", e.d.err);
    REQUIRE(e.d.priq_on);
    /* SID 0x42, PASID 0x77 (SSV), Read, Last; PRGIndex 0x1a5, page 0x5000. */
    uint64_t req[2] = { 0x42 | (UINT64_C(0x77) << 32) | (UINT64_C(1) << 60) |
                        (UINT64_C(1) << 62) | (UINT64_C(1) << 63), 0x5000 | 0x1a5 };
    CHECK_EQ(vsmmu_priq_write(e.s, req, true), 0);
    uint64_t got[2];
    CHECK_EQ(kit_drv_pri(&e.d, got), 1);
    CHECK_EQ(got[0], req[0]);
    CHECK_EQ(got[1], req[1]);
    CHECK_EQ(kit_drv_pri(&e.d, got), 0);
    CHECK_EQ(kit_drv_r32(&e.d, SMMU_PRIQ_CONS), 1);
    CHECK_EQ(kit_drv_pri_deny(&e.d, got), 0);
    CHECK_EQ(e.s->cmdq.pri_resps, 1);
    CHECK_EQ(e.s->cmdq.last_pri_resp.sid, 0x42);
    CHECK(e.s->cmdq.last_pri_resp.ssv);
    CHECK_EQ(e.s->cmdq.last_pri_resp.ssid, 0x77);
    CHECK_EQ(e.s->cmdq.last_pri_resp.prgi, 0x1a5);
    CHECK_EQ(e.s->cmdq.last_pri_resp.resp, CMD_PRI_RESP_FAILURE);
    env_fini(&e);
}

int main(void)
{
    RUN(test_reset_full);
    RUN(test_reset_qemu);
    RUN(test_reset_linear);
    RUN(test_two_level_ste);
    RUN(test_cerror_recovery);
    RUN(test_many_commands);
    RUN(test_events);
    RUN(test_rereset);
    RUN(test_inv_range);
    RUN(test_pri_deny);
    return t_done();
}
