/* SPDX-License-Identifier: MIT */
/* Hostile register accesses (IHI0070 6.2): every offset of the 128 KiB window
 * at every size 1/2/4/8 with all-ones, zero and pseudo-random values. The
 * model must never crash; ID registers never change; RES0 bits and
 * undefined locations read as zero; acknowledgement registers follow their
 * controls; queue indexes never hold bits above their wrap bit. The masks
 * below are re-derived from the spec field lists (6.3.x), not taken from
 * the code under test. */
#include "test.h"
#include "mem.h"
#include "internal.h"

#define WIN 0x20000u

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, no timing */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t rd(struct vsmmu *s, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    int rc = vsmmu_mmio_read(s, off, size, &v);
    return rc ? 0xbad0bad0bad0bad0ull : v;
}

static uint32_t rd32(struct vsmmu *s, uint64_t off) { return (uint32_t)rd(s, off, 4); }

/* Offsets that hold a register (or half of one) in some configuration. */
static bool defined_offset(uint32_t off)
{
    if (off >= 0x10000)
        return off == 0x100A8 || off == 0x100AC || off == 0x100C8 || off == 0x100CC;
    if (off <= 0x2C || (off >= 0x40 && off <= 0x48) || off == 0x50 || off == 0x54)
        return true;
    if (off >= 0x60 && off <= 0x88)
        return true;
    if (off >= 0x90 && off <= 0xDC)
        return true;
    return off >= 0xFD0 && off <= 0xFFC;
}

struct expect {
    uint32_t id[8 + 12];        /* IDR0-5, IIDR, AIDR, PIDR4-7, PIDR0-3, CIDR0-3 */
    uint32_t cr0_mask, cr2_mask, irq_mask, gerror_mask, strtab_cfg_mask;
    uint64_t pa_mask;
    unsigned cmdqs, eventqs, priqs;
};

static const uint32_t id_offsets[20] = {
    0x0, 0x4, 0x8, 0xC, 0x10, 0x14, 0x18, 0x1C,
    0xFD0, 0xFD4, 0xFD8, 0xFDC, 0xFE0, 0xFE4, 0xFE8, 0xFEC, 0xFF0, 0xFF4, 0xFF8, 0xFFC,
};

static void expect_from(const struct vsmmu_config *c, struct vsmmu *s, struct expect *e)
{
    for (int i = 0; i < 20; i++)
        e->id[i] = rd32(s, id_offsets[i]);
    /* CR0 (6.3.9): SMMUEN 0, EVENTQEN 2, CMDQEN 3 always; PRIQEN 1 with PRI;
     * ATSCHK 4 with ATS; VMW [8:6] with VMW. */
    e->cr0_mask = 0x1 | 0x4 | 0x8 | (c->pri ? 0x2u : 0) | (c->ats ? 0x10u : 0) |
                  (c->vmw ? 0x1C0u : 0);
    /* CR2 (6.3.12): E2H 0 with Hyp, RECINVSID 1, PTM 2 with BTM. */
    e->cr2_mask = 0x2 | (c->hyp ? 0x1u : 0) | (c->btm ? 0x4u : 0);
    /* IRQ_CTRL (6.3.16): GERROR 0, PRIQ 1 with PRI, EVENTQ 2. */
    e->irq_mask = 0x5 | (c->pri ? 0x2u : 0);
    /* GERROR (6.3.19): CMDQ 0, EVENTQ_ABT 2, SFM 8; PRIQ_ABT 3 with PRI;
     * MSI_CMDQ 4, MSI_EVENTQ 5, MSI_GERROR 7 with MSI; MSI_PRIQ 6 with both. */
    e->gerror_mask = 0x105 | (c->pri ? 0x8u : 0) | (c->msi ? 0xB0u : 0) |
                     (c->msi && c->pri ? 0x40u : 0);
    /* STRTAB_BASE_CFG (6.3.25): LOG2SIZE [5:0]; SPLIT [10:6], FMT [17:16] with 2-level. */
    e->strtab_cfg_mask = 0x3F | (c->st2l ? 0x307C0u : 0);
    e->pa_mask = (1ull << c->oas_bits) - 1;
    e->cmdqs = c->cmdqs;
    e->eventqs = c->eventqs;
    e->priqs = c->pri ? c->priqs : 0;
}

static unsigned qs_of(uint64_t base, unsigned max)
{
    unsigned l = (unsigned)(base & 0x1F);
    return l > max ? max : l;
}

static int g_violations;

#define INV(cond, ...) do { if (!(cond)) { if (g_violations++ < 20) CHECK_MSG(cond, __VA_ARGS__); \
    else t_cur_failed++; } } while (0)

static void check_invariants(struct vsmmu *s, const struct vsmmu_config *c,
                             const struct expect *e, const char *when)
{
    for (int i = 0; i < 20; i++) {
        uint32_t v = rd32(s, id_offsets[i]);
        INV(v == e->id[i], "%s: ID register 0x%x changed: 0x%x -> 0x%x", when, id_offsets[i],
            e->id[i], v);
    }
    uint32_t cr0 = rd32(s, 0x20), ack = rd32(s, 0x24);
    INV(!(cr0 & ~e->cr0_mask), "%s: CR0 RES0 bits 0x%x", when, cr0);
    INV(cr0 == ack, "%s: CR0 0x%x != CR0ACK 0x%x", when, cr0, ack);
    INV(!(rd32(s, 0x28) & ~0xFFFu), "%s: CR1 RES0 bits", when);
    INV(!(rd32(s, 0x2C) & ~e->cr2_mask), "%s: CR2 RES0 bits 0x%x", when, rd32(s, 0x2C));
    INV(rd32(s, 0x40) == 0, "%s: STATUSR 0x%x", when, rd32(s, 0x40));
    uint32_t gbpa = rd32(s, 0x44);
    INV(!(gbpa & ~0x001F3F1Fu), "%s: GBPA RES0 bits or Update stuck: 0x%x", when, gbpa);
    INV(rd32(s, 0x48) == 0, "%s: AGBPA 0x%x", when, rd32(s, 0x48));
    uint32_t irq = rd32(s, 0x50), irqack = rd32(s, 0x54);
    INV(!(irq & ~e->irq_mask), "%s: IRQ_CTRL RES0 bits 0x%x", when, irq);
    INV(irq == irqack, "%s: IRQ_CTRL 0x%x != IRQ_CTRLACK 0x%x", when, irq, irqack);
    INV(!(rd32(s, 0x60) & ~e->gerror_mask), "%s: GERROR RES0 bits 0x%x", when, rd32(s, 0x60));
    INV(!(rd32(s, 0x64) & ~e->gerror_mask), "%s: GERRORN RES0 bits 0x%x", when, rd32(s, 0x64));
    /* IRQ_CFG0 ADDR[51:2] below OAS; CFG2 SH/MemAttr (+LO for PRIQ); absent without MSI. */
    static const uint32_t cfg0[3] = { 0x68, 0xB0, 0xD0 };
    for (int i = 0; i < 3; i++) {
        bool present = c->msi && (i < 2 || c->pri);
        uint64_t v0 = rd(s, cfg0[i], 8);
        uint32_t v1 = rd32(s, cfg0[i] + 8), v2 = rd32(s, cfg0[i] + 12);
        uint32_t cfg2_mask = i == 2 ? 0x8000003Fu : 0x3Fu;
        INV(!(v0 & ~(e->pa_mask & ~3ull)), "%s: IRQ_CFG0@0x%x RES0 bits 0x%llx", when, cfg0[i],
            (unsigned long long)v0);
        INV(!(v2 & ~cfg2_mask), "%s: IRQ_CFG2@0x%x RES0 bits 0x%x", when, cfg0[i] + 12, v2);
        if (!present)
            INV(v0 == 0 && v1 == 0 && v2 == 0, "%s: absent IRQ_CFG@0x%x not RES0", when, cfg0[i]);
    }
    uint64_t st = rd(s, 0x80, 8);
    INV(!(st & ~((e->pa_mask & ~0x3Full) | (1ull << 62))), "%s: STRTAB_BASE RES0 bits 0x%llx",
        when, (unsigned long long)st);
    INV(!(rd32(s, 0x88) & ~e->strtab_cfg_mask), "%s: STRTAB_BASE_CFG RES0 bits 0x%x", when,
        rd32(s, 0x88));
    /* Queues: base RES0 bits, and indexes hold nothing above the wrap bit. */
    struct { uint32_t base, prod, cons; unsigned max; uint32_t prod_fl, cons_fl; bool present; }
    q[3] = {
        { 0x90, 0x98, 0x9C, e->cmdqs, 0, 0x7F000000u, true },   /* CONS.ERR [30:24] */
        { 0xA0, 0x100A8, 0x100AC, e->eventqs, 0x80000000u, 0x80000000u, true },
        { 0xC0, 0x100C8, 0x100CC, e->priqs, 0x80000000u, 0x80000000u, c->pri },
    };
    for (int i = 0; i < 3; i++) {
        uint64_t b = rd(s, q[i].base, 8);
        INV(!(b & ~((e->pa_mask & ~0x1Full) | (1ull << 62) | 0x1F)),
            "%s: Q_BASE@0x%x RES0 bits 0x%llx", when, q[i].base, (unsigned long long)b);
        uint32_t idx = (uint32_t)((2ull << qs_of(b, q[i].max)) - 1);
        uint32_t p = rd32(s, q[i].prod), k = rd32(s, q[i].cons);
        INV(!(p & ~(idx | q[i].prod_fl)), "%s: PROD@0x%x = 0x%x beyond QS", when, q[i].prod, p);
        INV(!(k & ~(idx | q[i].cons_fl)), "%s: CONS@0x%x = 0x%x beyond QS", when, q[i].cons, k);
        if (!q[i].present)
            INV(b == 0 && p == 0 && k == 0, "%s: absent queue@0x%x not RES0", when, q[i].base);
        if (i > 0) {
            /* page-0 alias: same value when implemented, else RAZ */
            uint32_t ap = rd32(s, q[i].prod - 0x10000), ac = rd32(s, q[i].cons - 0x10000);
            INV(ap == (c->page0_alias ? p : 0) && ac == (c->page0_alias ? k : 0),
                "%s: page-0 alias of 0x%x wrong", when, q[i].prod);
        }
    }
}

/* Reads of every offset at every size: defined only for aligned 32-bit
 * (any register) and aligned 64-bit (64-bit registers); everything else
 * reads zero. */
static void sweep_reads(struct vsmmu *s, const struct vsmmu_config *c, const char *when)
{
    static const uint32_t reg64[7] = { 0x68, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0 };
    for (uint32_t off = 0; off < WIN; off++) {
        for (unsigned size = 1; size <= 8; size <<= 1) {
            if (off + size > WIN) {
                uint64_t v = 1;
                INV(vsmmu_mmio_read(s, off, size, &v) == VSMMU_ERANGE && v == 0,
                    "%s: read 0x%x/%u past the window not ERANGE", when, off, size);
                continue;
            }
            uint64_t v = rd(s, off, size);
            bool zero_expected;
            if (size == 4 && !(off & 3))
                zero_expected = !defined_offset(off);
            else if (size == 8 && !(off & 7)) {
                bool is64 = false;
                for (int i = 0; i < 7; i++)
                    is64 |= reg64[i] == off;
                zero_expected = !is64;
            } else
                zero_expected = true;
            INV(!zero_expected || v == 0, "%s: read 0x%x/%u = 0x%llx, expected RAZ", when, off,
                size, (unsigned long long)v);
        }
    }
    (void)c;
}

static void storm(const char *profile, bool full_sweep)
{
    struct vsmmu_config c;
    REQUIRE(vsmmu_config_profile(&c, profile) == VSMMU_OK);
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 1 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    REQUIRE(vsmmu_create(&c, &ops, &s, err, sizeof(err)) == VSMMU_OK);
    struct expect e;
    expect_from(&c, s, &e);
    g_violations = 0;

    sweep_reads(s, &c, "reset");
    check_invariants(s, &c, &e, "reset");

    static const uint64_t fixed[2] = { UINT64_MAX, 0 };
    unsigned n = 0;
    for (uint32_t off = 0; off < WIN; off++) {
        bool reg = defined_offset(off & ~3u) || (off >= 0x8000 && off < 0x8200);
        if (!full_sweep && !reg && (off & 0xFF))
            continue;
        for (unsigned size = 1; size <= 8; size <<= 1) {
            int rounds = reg ? 16 : 1;
            for (int k = 0; k < 2 + rounds; k++) {
                uint64_t v = k < 2 ? fixed[k] : rnd();
                int rc = vsmmu_mmio_write(s, off, v, size);
                INV(rc == (off + size > WIN ? VSMMU_ERANGE : VSMMU_OK),
                    "write 0x%x/%u rc %d", off, size, rc);
                if (reg || ++n % 4096 == 0)
                    check_invariants(s, &c, &e, profile);
            }
        }
    }
    check_invariants(s, &c, &e, "after storm");
    sweep_reads(s, &c, "after storm");

    /* Bad arguments are rejected without touching state. */
    uint64_t v = 0;
    CHECK_EQ(vsmmu_mmio_read(s, 0, 3, &v), (uint64_t)VSMMU_EINVAL);
    CHECK_EQ(vsmmu_mmio_read(s, 0, 0, &v), (uint64_t)VSMMU_EINVAL);
    CHECK_EQ(vsmmu_mmio_read(s, 0, 16, &v), (uint64_t)VSMMU_EINVAL);
    CHECK_EQ(vsmmu_mmio_write(s, 0x20, 1, 3), (uint64_t)VSMMU_EINVAL);
    CHECK_EQ(vsmmu_mmio_write(s, UINT64_MAX - 3, 1, 8), (uint64_t)VSMMU_ERANGE);
    CHECK_EQ(vsmmu_mmio_read(s, UINT64_MAX, 4, &v), (uint64_t)VSMMU_ERANGE);
    CHECK_EQ(vsmmu_mmio_read(s, 0x1FFFC, 8, &v), (uint64_t)VSMMU_ERANGE);
    CHECK_EQ(vsmmu_mmio_read(s, 0, 4, NULL), (uint64_t)VSMMU_EINVAL);
    check_invariants(s, &c, &e, "bad arguments");

    /* Reset restores the reset state whatever the storm left. */
    vsmmu_reset(s);
    check_invariants(s, &c, &e, "reset after storm");
    CHECK_EQ(rd32(s, 0x20), 0);
    CHECK_EQ(rd32(s, 0x50), 0);
    CHECK_EQ(rd32(s, 0x60), 0);
    CHECK_EQ(rd32(s, 0x64), 0);
    CHECK_EQ(rd32(s, 0x44), c.gbpa_reset & 0x001F3F1Fu);
    vsmmu_destroy(s);
    kit_mem_free(m);
}

static void storm_full_v32(void) { storm("full-v3.2", true); }
static void storm_minimal_v30(void) { storm("minimal-v3.0", true); }
static void storm_qemu_v31(void) { storm("qemu-v3.1", false); }
static void storm_full_v33(void) { storm("full-v3.3", false); }

int main(void)
{
    RUN(storm_full_v32);
    RUN(storm_minimal_v30);
    RUN(storm_qemu_v31);
    RUN(storm_full_v33);
    return t_done();
}
