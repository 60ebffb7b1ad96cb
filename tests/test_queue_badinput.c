/* SPDX-License-Identifier: MIT */
/* Hostile queue input: random commands, queues in unmapped memory, PROD
 * beyond the queue, CONS moved by the guest, LOG2SIZE above the maximum,
 * floods. Every case ends in an architected result (CERROR, GERROR, no
 * effect) with bounded work. */
#include <stddef.h>

#include "test.h"
#include "qtest.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Opcodes defined for the Non-secure queue of full-v3.2 (commands.md §2;
 * 0x07 needs MPAM, which is not modelled). */
static bool known_opcode(unsigned op)
{
    switch (op) {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06:
    case 0x10: case 0x11: case 0x12: case 0x13:
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x28: case 0x2A: case 0x30:
    case 0x40: case 0x41: case 0x44: case 0x45: case 0x46:
        return true;
    default:
        return false;
    }
}

/* One command at a time through the queue: either consumed (CONS + 1, no
 * error) or CERROR_ILL with CONS unchanged; never anything else. */
static void run_random(struct qt *t, const uint64_t c[2], unsigned *ill, unsigned *ok)
{
    uint32_t cons = t->s->regs.cmdq_cons & 0x1f;
    qt_put(t, cons & 15, c);
    qt_prod(t, (cons + 1) & 0x1f);
    uint32_t now = t->s->regs.cmdq_cons;
    if (qt_gerror_active(t) & GERROR_CMDQ_ERR) {
        CHECK_MSG(now == ((uint32_t)CERROR_ILL << 24 | cons),
                  "cmd %016llx %016llx: CONS 0x%x", (unsigned long long)c[0],
                  (unsigned long long)c[1], now);
        (*ill)++;
        /* Linux's recovery: replace with a CMD_SYNC, acknowledge. */
        uint64_t sync[2];
        kit_cmd_sync(sync, KIT_CS_NONE, 0, 0, 0, 0);
        qt_put(t, cons & 15, sync);
        qt_ack(t);
        CHECK_EQ(t->s->regs.cmdq_cons & 0x1f, (cons + 1) & 0x1f);
    } else {
        CHECK_MSG(known_opcode(c[0] & 0xff), "opcode 0x%02x accepted",
                  (unsigned)(c[0] & 0xff));
        CHECK_EQ(now & 0x1f, (cons + 1) & 0x1f);
        (*ok)++;
    }
}

static void test_random_commands(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 4);
    qt_cr0(&t, CR0_SMMUEN);
    unsigned ill = 0, ok = 0;
    /* Fully random 16 bytes. */
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t c[2] = { rnd(), rnd() };
        run_random(&t, c, &ill, &ok);
    }
    CHECK(ill > 19000);
    /* Valid commands with one random bit flipped. */
    unsigned ok_before = ok;
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t c[2];
        switch (rnd() % 8) {
        case 0: kit_cmd_cfgi_ste(c, (uint32_t)rnd(), rnd() & 1); break;
        case 1: kit_cmd_tlbi_nh_va(c, (uint16_t)rnd(), (uint16_t)rnd(),
                    &(struct kit_tlbi_range){ .addr = rnd(), .num = (unsigned)rnd() & 31,
                                              .scale = (unsigned)rnd() & 31,
                                              .ttl = (unsigned)rnd() & 3,
                                              .tg = (unsigned)rnd() & 3, .leaf = rnd() & 1 });
                break;
        case 2: kit_cmd_sync(c, (unsigned)rnd() & 3, rnd(), (uint32_t)rnd(), (unsigned)rnd(),
                             (unsigned)rnd()); break;
        case 3: kit_cmd_atc_inv(c, (uint32_t)rnd(), rnd() & 1, (uint32_t)rnd(), rnd() & 1, rnd(),
                                (unsigned)rnd() & 63); break;
        case 4: kit_cmd_pri_resp(c, (uint32_t)rnd(), rnd() & 1, (uint32_t)rnd(), (unsigned)rnd(),
                                 (unsigned)rnd() & 3); break;
        case 5: kit_cmd_resume(c, (uint32_t)rnd(), (uint16_t)rnd(), rnd() & 1, rnd() & 1); break;
        case 6: kit_cmd_tlbi_s2_ipa(c, (uint16_t)rnd(),
                    &(struct kit_tlbi_range){ .addr = rnd(), .num = (unsigned)rnd() & 31,
                                              .scale = (unsigned)rnd() & 31,
                                              .ttl = (unsigned)rnd() & 3,
                                              .tg = (unsigned)rnd() & 3 });
                break;
        default: kit_cmd_cfgi_cd(c, (uint32_t)rnd(), (uint32_t)rnd(), rnd() & 1); break;
        }
        unsigned bit = (unsigned)(rnd() % 160);
        if (bit < 128)
            c[bit / 64] ^= UINT64_C(1) << (bit % 64);
        run_random(&t, c, &ill, &ok);
    }
    CHECK(ok > ok_before);
    struct vsmmu_stats st;
    vsmmu_get_stats(t.s, &st);
    CHECK_EQ(st.cerrors, ill);
    /* Every CERROR was acknowledged and replaced by a consumed CMD_SYNC. */
    CHECK_EQ(st.commands, ok + ill);
    qt_fini(&t);
}

/* An independent reading of the field layouts (commands.md §3): the bits
 * each opcode defines, as literal masks. Random values inside the masks are
 * accepted unless a value rule applies; any bit outside is CERROR_ILL. */
struct layout { unsigned op; uint64_t m0, m1; };
static const struct layout layouts[] = {
    { 0x01, 0xFFFFFFFFFFFFF8FFull, 0 },                      /* PREFETCH_CONFIG */
    { 0x03, 0xFFFFFFFF000000FFull, 0x1 },                    /* CFGI_STE */
    { 0x04, 0xFFFFFFFF000000FFull, 0x1F },                   /* CFGI_STE_RANGE */
    { 0x05, 0xFFFFFFFFFFFFF0FFull, 0x1 },                    /* CFGI_CD */
    { 0x06, 0xFFFFFFFF000000FFull, 0 },                      /* CFGI_CD_ALL */
    { 0x10, 0x0000FFFF000000FFull, 0 },                      /* TLBI_NH_ALL */
    { 0x11, 0xFFFFFFFF000000FFull, 0 },                      /* TLBI_NH_ASID */
    { 0x20, 0x00000000000000FFull, 0 },                      /* TLBI_EL2_ALL */
    { 0x21, 0xFFFF0000000000FFull, 0 },                      /* TLBI_EL2_ASID */
    { 0x28, 0x0000FFFF000000FFull, 0 },                      /* TLBI_S12_VMALL */
    { 0x30, 0x00000000000000FFull, 0 },                      /* TLBI_NSNH_ALL */
    { 0x40, 0xFFFFFFFFFFFFFAFFull, 0xFFFFFFFFFFFFF03Full },  /* ATC_INV */
    { 0x41, 0xFFFFFFFFFFFFF8FFull, 0x31FF },                 /* PRI_RESP */
    { 0x44, 0xFFFFFFFF000030FFull, 0xFFFF },                 /* RESUME */
    { 0x45, 0xFFFFFFFF000000FFull, 0 },                      /* STALL_TERM */
    { 0x46, 0xFFFFFFFF0FC030FFull, 0x000FFFFFFFFFFFFCull },  /* CMD_SYNC (v3.1+) */
};

static int expect(const struct layout *l, const uint64_t c[2])
{
    if ((c[0] & ~l->m0) || (c[1] & ~l->m1))
        return CERROR_ILL;
    if (l->op == 0x46 && ((c[0] >> 12) & 3) == 3)           /* CS reserved */
        return CERROR_ILL;
    if (l->op == 0x41 && ((c[1] >> 12) & 3) == 3)           /* Resp reserved */
        return CERROR_ILL;
    if (l->op == 0x40 && (c[1] & 0x3f) > 52)                /* Size > 52 */
        return CERROR_ILL;
    return 0;
}

static void test_layouts_random(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    unsigned mism = 0;
    for (size_t k = 0; k < sizeof(layouts) / sizeof(layouts[0]); k++) {
        const struct layout *l = &layouts[k];
        for (unsigned i = 0; i < 4000; i++) {
            uint64_t c[2] = { (rnd() & l->m0 & ~UINT64_C(0xff)) | l->op, rnd() & l->m1 };
            if (i & 1) {
                unsigned bit = 8 + (unsigned)(rnd() % 120);
                c[bit / 64] |= UINT64_C(1) << (bit % 64);
            }
            struct vsmmu_cmd o;
            int got = vsmmu_cmd_decode(&cfg, c, &o), want = expect(l, c);
            if (got != want && mism++ < 5)
                fprintf(stderr, "op 0x%02x %016llx %016llx: got %d want %d\n", l->op,
                        (unsigned long long)c[0], (unsigned long long)c[1], got, want);
        }
    }
    CHECK_EQ(mism, 0);
}

static void test_unmapped_queues(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    /* Command queue outside RAM: CERROR_ABT at CONS 0. */
    t.s->regs.cmdq_base = UINT64_C(0x100000000) | 4;
    qt_cr0(&t, CR0_CMDQEN);
    qt_prod(&t, 5);
    CHECK_EQ(t.s->regs.cmdq_cons, (uint32_t)CERROR_ABT << 24);
    CHECK_EQ(qt_gerror_active(&t), GERROR_CMDQ_ERR);
    /* Still aborting after the acknowledgement (retried, bounded). */
    qt_ack(&t);
    CHECK_EQ(t.s->regs.cmdq_cons, (uint32_t)CERROR_ABT << 24);
    CHECK_EQ(QT_STAT(&t, cerrors), 2);
    /* Poisoned RAM behaves the same (queue re-programmed, then the error
     * acknowledged: the restart fetches from the poisoned slot). */
    qt_cmdq(&t, 4);
    kit_mem_poison(t.m, t.cmdq, 256);
    t.s->regs.cmdq_prod = 1;
    qt_ack(&t);
    CHECK_EQ(t.s->regs.cmdq_cons, (uint32_t)CERROR_ABT << 24);
    kit_mem_unpoison_all(t.m);
    /* Event queue and PRI queue outside RAM. */
    t.s->regs.eventq_base = UINT64_C(0x200000000) | 3;
    qt_cr0(&t, CR0_EVENTQEN);
    uint64_t rec[4] = { 0x10, 0, 0, 0 }, pri[2] = { 0, 0 };
    CHECK_EQ(vsmmu_evtq_write(t.s, rec), VSMMU_EVTQ_ABT);
    CHECK(qt_gerror_active(&t) & GERROR_EVENTQ_ABT_ERR);
    CHECK_EQ(t.s->regs.eventq_prod, 0);
    t.s->regs.priq_base = UINT64_C(0x300000000) | 3;
    qt_cr0(&t, CR0_PRIQEN | CR0_SMMUEN);
    CHECK_EQ(vsmmu_priq_write(t.s, pri, true), VSMMU_PRIQ_ABT);
    CHECK(qt_gerror_active(&t) & GERROR_PRIQ_ABT_ERR);
    qt_fini(&t);
}

static void test_prod_and_cons_out_of_range(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_cmdq(&t, 4);                          /* 16 entries: ptr bits [4:0] */
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    for (unsigned i = 0; i < 16; i++)
        qt_put(&t, i, c);
    /* Bits above the wrap bit are ignored: 0x100 | 5 is index 5, wrap 0. */
    qt_prod(&t, 0x105);
    CHECK_EQ(t.s->regs.cmdq_cons, 5);
    /* PROD 0x1f against CONS 5: 26 entries in a 16-entry queue, an
     * inconsistent state (3.5.1): nothing consumed, no error. */
    qt_prod(&t, 0x1f);
    CHECK_EQ(t.s->regs.cmdq_cons, 5);
    CHECK_EQ(qt_gerror_active(&t), 0);
    /* CONS moved by the guest (queue disabled, then re-enabled): CONS 0x1e,
     * PROD 0x02: 4 entries, slots 14, 15, 0, 1. */
    t.s->regs.cr0 &= ~(uint32_t)CR0_CMDQEN;
    t.s->regs.cmdq_cons = 0x1e;
    t.s->regs.cmdq_prod = 0x02;
    t.s->regs.cr0 |= CR0_CMDQEN;
    uint64_t before = QT_STAT(&t, commands);
    vsmmu_cmdq_process(t.s);
    CHECK_EQ(t.s->regs.cmdq_cons, 2);
    CHECK_EQ(QT_STAT(&t, commands) - before, 4);
    /* CONS with garbage above the wrap bit: written back without it. */
    t.s->regs.cmdq_cons = 0x00fff000 | 2;
    qt_prod(&t, 3);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    qt_fini(&t);
}

static void test_log2size_over_max(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_profile(&cfg, "minimal-v3.0");   /* CMDQS = EVENTQS = 8 */
    struct qt t;
    REQUIRE(qt_init(&t, &cfg) == 0);
    uint64_t base = kit_mem_alloc(t.m, 0x1000, 0x1000);
    /* LOG2SIZE 31 is capped at 8: 256 entries, base aligned to 4 KiB; ADDR
     * bits below that (0x40) are ignored. */
    t.s->regs.cmdq_base = (base + 0x40) | 31;
    qt_cr0(&t, CR0_CMDQEN);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    for (unsigned i = 0; i < 3; i++) {
        kit_w64(t.m, base + 16 * i, c[0]);
        kit_w64(t.m, base + 16 * i + 8, c[1]);
    }
    qt_prod(&t, 3);
    CHECK_EQ(t.s->regs.cmdq_cons, 3);
    /* Wrap bit at [8]: PROD 0x100 is index 0 after a wrap = 253 entries. */
    for (unsigned i = 3; i < 256; i++) {
        kit_w64(t.m, base + 16 * i, c[0]);
        kit_w64(t.m, base + 16 * i + 8, c[1]);
    }
    qt_prod(&t, 0x100);
    CHECK_EQ(t.s->regs.cmdq_cons, 0x100);
    /* Address bits above the OAS (40 bits here) are not used. */
    uint64_t ev = kit_mem_alloc(t.m, 0x2000, 0x2000);
    t.s->regs.eventq_base = (UINT64_C(1) << 45) | ev | 31;
    qt_cr0(&t, CR0_EVENTQEN);
    uint64_t rec[4] = { 0x10, 1, 2, 3 };
    CHECK_EQ(vsmmu_evtq_write(t.s, rec), 0);
    CHECK_EQ(kit_r64(t.m, ev + 8), 1);
    qt_fini(&t);
}

/* LOG2SIZE = 0: one entry, the wrap bit is bit 0; base aligned to 32 B. */
static void test_one_entry_queues(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    uint64_t base = kit_mem_alloc(t.m, 64, 64);
    t.s->regs.cmdq_base = base | 0;              /* 16-byte queue, 32-byte aligned base */
    qt_cr0(&t, CR0_CMDQEN);
    uint64_t c[2];
    kit_cmd_tlbi_nsnh_all(c);
    kit_w64(t.m, base, c[0]);
    kit_w64(t.m, base + 8, c[1]);
    qt_prod(&t, 1);                              /* full: index 0, wrap 1 */
    CHECK_EQ(t.s->regs.cmdq_cons, 1);
    qt_prod(&t, 0);                              /* wraps back */
    CHECK_EQ(t.s->regs.cmdq_cons, 0);
    CHECK_EQ(QT_STAT(&t, commands), 2);
    uint64_t ev = kit_mem_alloc(t.m, 32, 32);
    t.s->regs.eventq_base = ev | 0;
    qt_cr0(&t, CR0_EVENTQEN);
    uint64_t r[4] = { 0x10, 0, 0, 0 };
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.s->regs.eventq_prod, 1);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_FULL);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000001u);
    t.s->regs.eventq_cons = 1;
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000000u);
    qt_fini(&t);
}

static void test_flood_is_bounded(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    cfg.cmdq_batch = 64;
    struct qt t;
    REQUIRE(qt_init(&t, &cfg) == 0);
    qt_cmdq(&t, 10);
    uint64_t c[2];
    kit_cmd_cfgi_all(c);
    for (unsigned i = 0; i < 1024; i++)
        qt_put(&t, i, c);
    /* A full queue of 1024 commands: one PROD write consumes exactly 64. */
    qt_prod(&t, 1024);
    CHECK_EQ(QT_STAT(&t, commands), 64);
    CHECK_EQ(t.s->regs.cmdq_cons, 64);
    /* Repeated PROD writes drain it. */
    for (unsigned i = 0; i < 15; i++)
        qt_prod(&t, 1024);
    CHECK_EQ(t.s->regs.cmdq_cons, 1024);
    CHECK_EQ(QT_STAT(&t, commands), 1024);
    qt_fini(&t);
}

/* Random values in the queue registers through MMIO, interleaved with
 * producers and consumer triggers: no crash, only architected GERROR bits. */
static void test_mmio_register_noise(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    static const uint32_t offs[] = {
        SMMU_CR0, SMMU_CMDQ_BASE, SMMU_CMDQ_BASE + 4, SMMU_CMDQ_PROD, SMMU_CMDQ_CONS,
        SMMU_EVENTQ_BASE, SMMU_EVENTQ_BASE + 4, SMMU_EVENTQ_PROD, SMMU_EVENTQ_CONS,
        SMMU_PRIQ_BASE, SMMU_PRIQ_PROD, SMMU_PRIQ_CONS, SMMU_GERRORN, SMMU_IRQ_CTRL,
        SMMU_EVENTQ_IRQ_CFG0, SMMU_GERROR_IRQ_CFG0, SMMU_PRIQ_IRQ_CFG0,
    };
    uint64_t rec[4] = { 0x10, 0, 0, 0 }, pri[2] = { 0, 0 };
    for (unsigned i = 0; i < 20000; i++) {
        uint32_t off = offs[rnd() % (sizeof(offs) / sizeof(offs[0]))];
        uint64_t v = rnd();
        /* Keep bases mostly inside RAM so that work actually happens. */
        if (off == SMMU_CMDQ_BASE || off == SMMU_EVENTQ_BASE || off == SMMU_PRIQ_BASE)
            v = (rnd() & 1) ? (QT_RAM_BASE + (v & 0x3ff000)) | (v >> 59) : v;
        bool wide = off == SMMU_CMDQ_BASE || off == SMMU_EVENTQ_BASE || off == SMMU_PRIQ_BASE ||
                    off == SMMU_EVENTQ_IRQ_CFG0 || off == SMMU_GERROR_IRQ_CFG0 ||
                    off == SMMU_PRIQ_IRQ_CFG0;
        CHECK_EQ(vsmmu_mmio_write(t.s, off, wide ? v : (v & 0xffffffff), wide ? 8 : 4), 0);
        if (rnd() & 1)
            vsmmu_evtq_write(t.s, rec);
        if (!(rnd() & 7))
            vsmmu_priq_write(t.s, pri, rnd() & 1);
    }
    uint64_t g = 0;
    vsmmu_mmio_read(t.s, SMMU_GERROR, 4, &g);
    CHECK_EQ(g & ~(uint64_t)0x1fd, 0);
    qt_fini(&t);
}

int main(void)
{
    RUN(test_random_commands);
    RUN(test_layouts_random);
    RUN(test_unmapped_queues);
    RUN(test_prod_and_cons_out_of_range);
    RUN(test_log2size_over_max);
    RUN(test_one_entry_queues);
    RUN(test_flood_is_bounded);
    RUN(test_mmio_register_noise);
    return t_done();
}
