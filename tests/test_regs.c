/* SPDX-License-Identifier: MIT */
/* Register file (IHI0070 6.2, 6.3): reset values, writable masks, access
 * sizes, guards, CR0/IRQ_CTRL acknowledgement, GBPA Update, queue registers
 * and the ID registers synthesised from the configuration. Every expected
 * value is derived by hand from the spec in the comment next to it. */
#include <pthread.h>
#include <sched.h>

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

#define BAD 0xbad0bad0bad0bad0ull

static uint64_t rd(struct vsmmu *s, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    if (vsmmu_mmio_read(s, off, size, &v))
        return BAD;
    return v;
}

static uint32_t rd32(struct vsmmu *s, uint64_t off) { return (uint32_t)rd(s, off, 4); }
static void wr(struct vsmmu *s, uint64_t off, uint64_t v, unsigned size)
{
    vsmmu_mmio_write(s, off, v, size);
}
static void wr32(struct vsmmu *s, uint64_t off, uint32_t v) { wr(s, off, v, 4); }
static void wr64(struct vsmmu *s, uint64_t off, uint64_t v) { wr(s, off, v, 8); }

/* ---- the register table ------------------------------------------------------ */

enum access { RO, RW, RAZWI };

struct row {
    const char *name;
    uint32_t off;
    unsigned width;     /* 32 or 64 */
    enum access acc;
    uint64_t reset;     /* value after reset */
    uint64_t wmask;     /* bits that take the written value (RW) */
    uint32_t guard_cr0; /* CR0 enables that make the register read-only */
    uint32_t guard_irq; /* IRQ_CTRL enables that make it read-only */
};

/* Bit values used below (IHI0070 6.3.9, 6.3.16): CR0 SMMUEN=0x1 PRIQEN=0x2
 * EVENTQEN=0x4 CMDQEN=0x8; IRQ_CTRL GERROR_IRQEN=0x1 PRIQ_IRQEN=0x2
 * EVENTQ_IRQEN=0x4. */

/* full-v3.2 (config.c): MSI, PRI, ATS, VMW, Hyp, BTM=0, ST_LEVEL=01,
 * OAS=48, IIDR=0x0560043B, GBPA reset ABORT, page-0 alias. */
static const struct row full_rows[] = {
    /* ID registers: values derived in idr_full_v32 below. */
    { "IDR0", 0x000, 32, RO, 0x084F769B, 0, 0, 0 },
    { "IDR1", 0x004, 32, RO, 0x0E739D18, 0, 0, 0 },
    { "IDR2", 0x008, 32, RO, 0, 0, 0, 0 },
    { "IDR3", 0x00C, 32, RO, 0x1514, 0, 0, 0 },
    { "IDR4", 0x010, 32, RO, 0, 0, 0, 0 },
    { "IDR5", 0x014, 32, RO, 0x00400075, 0, 0, 0 },
    { "IIDR", 0x018, 32, RO, 0x0560043B, 0, 0, 0 },
    { "AIDR", 0x01C, 32, RO, 0x02, 0, 0, 0 },
    /* CR0: SMMUEN|PRIQEN|EVENTQEN|CMDQEN|ATSCHK (bits 4:0) and VMW [8:6]
     * exist (PRI, ATS, VMW); bit 5, 9, DPT_WALK_EN (no DPT), [31:11] RES0. */
    { "CR0", 0x020, 32, RW, 0, 0x1DF, 0, 0 },
    { "CR0ACK", 0x024, 32, RO, 0, 0, 0, 0 },
    /* CR2: E2H (Hyp) | RECINVSID; PTM RES0 (BTM=0); REC_CFG_ATS RES0 (no
     * ATSRECERR). Guarded by SMMUEN (6.3.12). */
    { "CR2", 0x02C, 32, RW, 0, 0x3, 0x1, 0 },
    { "S2PII.lo", 0x030, 32, RAZWI, 0, 0, 0, 0 },  /* v3.4 only */
    { "S2PII.hi", 0x034, 32, RAZWI, 0, 0, 0, 0 },
    { "STATUSR", 0x040, 32, RO, 0, 0, 0, 0 },      /* DORMHINT=0: RES0 */
    { "AGBPA", 0x048, 32, RAZWI, 0, 0, 0, 0 },     /* no IMPDEF attributes */
    { "IRQ_CTRL", 0x050, 32, RW, 0, 0x7, 0, 0 },
    { "IRQ_CTRLACK", 0x054, 32, RO, 0, 0, 0, 0 },
    { "GERROR", 0x060, 32, RO, 0, 0, 0, 0 },
    /* GERRORN: CMDQ_ERR 0x1, EVENTQ_ABT 0x4, PRIQ_ABT 0x8, MSI_CMDQ 0x10,
     * MSI_EVENTQ 0x20, MSI_PRIQ 0x40, MSI_GERROR 0x80, SFM 0x100 = 0x1FD. */
    { "GERRORN", 0x064, 32, RW, 0, 0x1FD, 0, 0 },
    /* IRQ_CFG0 ADDR[51:2], bits above OAS (48) RES0: [47:2]. */
    { "GERROR_IRQ_CFG0", 0x068, 64, RW, 0, 0x0000FFFFFFFFFFFCull, 0, 0x1 },
    { "GERROR_IRQ_CFG1", 0x070, 32, RW, 0, 0xFFFFFFFF, 0, 0x1 },
    { "GERROR_IRQ_CFG2", 0x074, 32, RW, 0, 0x3F, 0, 0x1 },  /* SH[5:4] MemAttr[3:0] */
    /* STRTAB_BASE: RA bit 62, ADDR[47:6]. */
    { "STRTAB_BASE", 0x080, 64, RW, 0, 0x4000FFFFFFFFFFC0ull, 0x1, 0 },
    /* STRTAB_BASE_CFG: FMT[17:16] SPLIT[10:6] LOG2SIZE[5:0]. */
    { "STRTAB_BASE_CFG", 0x088, 32, RW, 0, 0x307FF, 0x1, 0 },
    { "0x8C", 0x08C, 32, RAZWI, 0, 0, 0, 0 },
    /* Queue bases: RA/WA bit 62, ADDR[47:5], LOG2SIZE[4:0]. */
    { "CMDQ_BASE", 0x090, 64, RW, 0, 0x4000FFFFFFFFFFFFull, 0x8, 0 },
    /* Index registers with LOG2SIZE=0: bits [0:0] (WRAP) only. */
    { "CMDQ_PROD", 0x098, 32, RW, 0, 0x1, 0, 0 },
    { "CMDQ_CONS", 0x09C, 32, RW, 0, 0x7F000001, 0x8, 0 },  /* + ERR[30:24] */
    { "EVENTQ_BASE", 0x0A0, 64, RW, 0, 0x4000FFFFFFFFFFFFull, 0x4, 0 },
    { "EVENTQ_PROD(alias)", 0x0A8, 32, RW, 0, 0x80000001, 0x4, 0 },  /* OVFLG */
    { "EVENTQ_CONS(alias)", 0x0AC, 32, RW, 0, 0x80000001, 0, 0 },    /* OVACKFLG */
    { "EVENTQ_IRQ_CFG0", 0x0B0, 64, RW, 0, 0x0000FFFFFFFFFFFCull, 0, 0x4 },
    { "EVENTQ_IRQ_CFG1", 0x0B8, 32, RW, 0, 0xFFFFFFFF, 0, 0x4 },
    { "EVENTQ_IRQ_CFG2", 0x0BC, 32, RW, 0, 0x3F, 0, 0x4 },
    { "PRIQ_BASE", 0x0C0, 64, RW, 0, 0x4000FFFFFFFFFFFFull, 0x2, 0 },
    { "PRIQ_PROD(alias)", 0x0C8, 32, RW, 0, 0x80000001, 0x2, 0 },
    { "PRIQ_CONS(alias)", 0x0CC, 32, RW, 0, 0x80000001, 0, 0 },
    { "PRIQ_IRQ_CFG0", 0x0D0, 64, RW, 0, 0x0000FFFFFFFFFFFCull, 0, 0x2 },
    { "PRIQ_IRQ_CFG1", 0x0D8, 32, RW, 0, 0xFFFFFFFF, 0, 0x2 },
    { "PRIQ_IRQ_CFG2", 0x0DC, 32, RW, 0, 0x8000003F, 0, 0x2 },       /* + LO */
    { "GATOS_CTRL", 0x100, 32, RAZWI, 0, 0, 0, 0 },                  /* no ATOS */
    { "IDR6", 0x190, 32, RAZWI, 0, 0, 0, 0 },                        /* no ECMDQ */
    { "IMPDEF 0xE00", 0xE00, 32, RAZWI, 0, 0, 0, 0 },
    /* ID_REGS from IIDR 0x0560043B: Implementer 0x43B (JEP106 cont 4, id
     * 0x3B), ProductID 0x056, Variant 0, Revision 0.
     * PIDR0 = PART[7:0] = 0x56; PIDR1 = DES_0 (id[3:0]=0xB)<<4 | PART[11:8]=0
     * = 0xB0; PIDR2 = REVISION 0 | JEDEC 0x8 | DES_1 (id[6:4]=3) = 0x0B;
     * PIDR3 = 0; PIDR4 = SIZE 0 | DES_2 (cont=4) = 0x04. */
    { "PIDR4", 0xFD0, 32, RO, 0x04, 0, 0, 0 },
    { "PIDR5", 0xFD4, 32, RO, 0, 0, 0, 0 },
    { "PIDR6", 0xFD8, 32, RO, 0, 0, 0, 0 },
    { "PIDR7", 0xFDC, 32, RO, 0, 0, 0, 0 },
    { "PIDR0", 0xFE0, 32, RO, 0x56, 0, 0, 0 },
    { "PIDR1", 0xFE4, 32, RO, 0xB0, 0, 0, 0 },
    { "PIDR2", 0xFE8, 32, RO, 0x0B, 0, 0, 0 },
    { "PIDR3", 0xFEC, 32, RO, 0, 0, 0, 0 },
    { "CIDR0", 0xFF0, 32, RO, 0x0D, 0, 0, 0 },
    { "CIDR1", 0xFF4, 32, RO, 0xF0, 0, 0, 0 },
    { "CIDR2", 0xFF8, 32, RO, 0x05, 0, 0, 0 },
    { "CIDR3", 0xFFC, 32, RO, 0xB1, 0, 0, 0 },
    /* Secure block: RAZ/WI to Non-secure accesses (6.2). */
    { "S_IDR0", 0x8000, 32, RAZWI, 0, 0, 0, 0 },
    { "S_CR0", 0x8020, 32, RAZWI, 0, 0, 0, 0 },
    { "S_GBPA", 0x8044, 32, RAZWI, 0, 0, 0, 0 },
    /* Page 1 */
    { "EVENTQ_PROD", 0x100A8, 32, RW, 0, 0x80000001, 0x4, 0 },
    { "EVENTQ_CONS", 0x100AC, 32, RW, 0, 0x80000001, 0, 0 },
    { "PRIQ_PROD", 0x100C8, 32, RW, 0, 0x80000001, 0x2, 0 },
    { "PRIQ_CONS", 0x100CC, 32, RW, 0, 0x80000001, 0, 0 },
    /* Undefined page-1 offsets are RES0 (model choice, not an alias of page 0). */
    { "P1+IDR0", 0x10000, 32, RAZWI, 0, 0, 0, 0 },
    { "P1+CR0", 0x10020, 32, RAZWI, 0, 0, 0, 0 },
    { "P1+GBPA", 0x10044, 32, RAZWI, 0, 0, 0, 0 },
    { "P1+CMDQ_PROD", 0x10098, 32, RAZWI, 0, 0, 0, 0 },
    { "P1+STRTAB_BASE", 0x10080, 32, RAZWI, 0, 0, 0, 0 },
    { "P1 last", 0x1FFFC, 32, RAZWI, 0, 0, 0, 0 },
};

/* minimal-v3.0: no MSI, no PRI, no ATS, no VMW, no Hyp, ST_LEVEL=00, OAS 40. */
static const struct row min_rows[] = {
    /* CR0: SMMUEN|EVENTQEN|CMDQEN only. */
    { "CR0", 0x020, 32, RW, 0, 0xD, 0, 0 },
    { "CR2", 0x02C, 32, RW, 0, 0x2, 0x1, 0 },       /* RECINVSID only */
    { "IRQ_CTRL", 0x050, 32, RW, 0, 0x5, 0, 0 },    /* no PRIQ_IRQEN */
    { "GERRORN", 0x064, 32, RW, 0, 0x105, 0, 0 },   /* CMDQ, EVENTQ_ABT, SFM */
    /* IRQ_CFG registers are present only with MSI (6.3.21-6.3.23, 6.3.30-32). */
    { "GERROR_IRQ_CFG0", 0x068, 64, RAZWI, 0, 0, 0, 0 },
    { "GERROR_IRQ_CFG1", 0x070, 32, RAZWI, 0, 0, 0, 0 },
    { "GERROR_IRQ_CFG2", 0x074, 32, RAZWI, 0, 0, 0, 0 },
    /* OAS 40: ADDR[39:6]. */
    { "STRTAB_BASE", 0x080, 64, RW, 0, 0x400000FFFFFFFFC0ull, 0x1, 0 },
    /* ST_LEVEL=00: FMT and SPLIT RES0 (6.3.25). */
    { "STRTAB_BASE_CFG", 0x088, 32, RW, 0, 0x3F, 0x1, 0 },
    { "CMDQ_BASE", 0x090, 64, RW, 0, 0x400000FFFFFFFFFFull, 0x8, 0 },
    { "EVENTQ_BASE", 0x0A0, 64, RW, 0, 0x400000FFFFFFFFFFull, 0x4, 0 },
    { "EVENTQ_IRQ_CFG0", 0x0B0, 64, RAZWI, 0, 0, 0, 0 },
    { "EVENTQ_IRQ_CFG1", 0x0B8, 32, RAZWI, 0, 0, 0, 0 },
    { "EVENTQ_IRQ_CFG2", 0x0BC, 32, RAZWI, 0, 0, 0, 0 },
    /* PRI queue registers are present only with PRI (6.3.33-36, 6.3.97-98). */
    { "PRIQ_BASE", 0x0C0, 64, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_PROD(alias)", 0x0C8, 32, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_CONS(alias)", 0x0CC, 32, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_IRQ_CFG0", 0x0D0, 64, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_IRQ_CFG1", 0x0D8, 32, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_IRQ_CFG2", 0x0DC, 32, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_PROD", 0x100C8, 32, RAZWI, 0, 0, 0, 0 },
    { "PRIQ_CONS", 0x100CC, 32, RAZWI, 0, 0, 0, 0 },
    { "EVENTQ_PROD", 0x100A8, 32, RW, 0, 0x80000001, 0x4, 0 },
    { "AIDR", 0x01C, 32, RO, 0, 0, 0, 0 },
};

/* Read the register as a whole (64-bit registers with a 64-bit access). */
static uint64_t row_read(struct vsmmu *s, const struct row *r)
{
    return rd(s, r->off, r->width == 64 ? 8 : 4);
}

/* Enable the register's guard, if any. For the Command queue keep PROD equal
 * to CONS so that enabling CMDQEN finds no command to consume. */
static void guard_on(struct vsmmu *s, const struct row *r)
{
    if (r->guard_cr0 & 0x8)
        wr32(s, 0x98, rd32(s, 0x9C) & 0xFFFFF);
    if (r->guard_cr0)
        wr32(s, 0x20, r->guard_cr0);
    if (r->guard_irq)
        wr32(s, 0x50, r->guard_irq);
}

static void guard_off(struct vsmmu *s)
{
    wr32(s, 0x20, 0);
    wr32(s, 0x50, 0);
}

static void check_row(const char *profile, const struct row *r)
{
    struct vsmmu *s = mk(profile);
    REQUIRE(s);
    const uint64_t ones = r->width == 64 ? UINT64_MAX : UINT32_MAX;
    uint64_t v = row_read(s, r);
    CHECK_MSG(v == r->reset, "%s %s: reset 0x%llx, expected 0x%llx", profile, r->name,
              (unsigned long long)v, (unsigned long long)r->reset);

    /* 32-bit halves of a 64-bit register read the two halves (6.2). */
    if (r->width == 64) {
        CHECK_EQ(rd(s, r->off, 4), (uint32_t)r->reset);
        CHECK_EQ(rd(s, r->off + 4, 4), (uint32_t)(r->reset >> 32));
    }

    /* Illegal sizes and misaligned accesses are RAZ/WI (model choice, 6.2). */
    CHECK_MSG(rd(s, r->off, 1) == 0 && rd(s, r->off, 2) == 0 && rd(s, r->off + 2, 2) == 0,
              "%s %s: byte/halfword read not RAZ", profile, r->name);
    if (r->width == 32)
        CHECK_MSG(rd(s, r->off & ~7u, 8) == 0,
                  "%s %s: 64-bit read across two 32-bit registers not RAZ", profile, r->name);
    wr(s, r->off, ones, 1);
    wr(s, r->off, ones, 2);
    wr(s, r->off + 1, ones, 4);
    if (r->width == 32)
        wr(s, r->off & ~7u, UINT64_MAX, 8);   /* 64-bit over a 32-bit pair */
    else
        wr(s, r->off + 4, UINT64_MAX, 8);     /* misaligned 64-bit */
    /* A 64-bit write over two 32-bit registers could have hit a neighbour;
     * our row is what we check. */
    v = row_read(s, r);
    CHECK_MSG(v == r->reset, "%s %s: illegal-size write changed it to 0x%llx", profile,
              r->name, (unsigned long long)v);

    switch (r->acc) {
    case RAZWI:
    case RO:
        wr(s, r->off, ones, r->width == 64 ? 8 : 4);
        CHECK_MSG(row_read(s, r) == r->reset, "%s %s: write of ones changed it", profile,
                  r->name);
        wr(s, r->off, 0, r->width == 64 ? 8 : 4);
        CHECK_MSG(row_read(s, r) == r->reset, "%s %s: write of zero changed it", profile,
                  r->name);
        break;
    case RW:
        /* Full-width write of ones keeps exactly the writable bits. */
        wr(s, r->off, ones, r->width == 64 ? 8 : 4);
        v = row_read(s, r);
        CHECK_MSG(v == r->wmask, "%s %s: ones read back 0x%llx, expected 0x%llx", profile,
                  r->name, (unsigned long long)v, (unsigned long long)r->wmask);
        if (r->off == 0x20) {   /* CR0 -> CR0ACK */
            CHECK_EQ(rd32(s, 0x24), r->wmask);
            wr32(s, 0x20, 0);
        }
        if (r->off == 0x50) {   /* IRQ_CTRL -> IRQ_CTRLACK */
            CHECK_EQ(rd32(s, 0x54), r->wmask);
            wr32(s, 0x50, 0);
        }
        wr(s, r->off, 0, r->width == 64 ? 8 : 4);
        CHECK_MSG(row_read(s, r) == 0, "%s %s: zero not stored", profile, r->name);
        if (r->width == 64) {
            /* Each 32-bit half is separately writable. */
            wr32(s, r->off + 4, UINT32_MAX);
            CHECK_EQ(row_read(s, r), r->wmask & 0xFFFFFFFF00000000ull);
            wr32(s, r->off, UINT32_MAX);
            CHECK_EQ(row_read(s, r), r->wmask);
            wr32(s, r->off + 4, 0);
            CHECK_EQ(row_read(s, r), r->wmask & 0xFFFFFFFFull);
            wr32(s, r->off, 0);
            CHECK_EQ(row_read(s, r), 0);
        }
        if (r->guard_cr0 || r->guard_irq) {
            /* Guarded: read-only while the enable (and its ACK) is 1. */
            wr(s, r->off, ones, r->width == 64 ? 8 : 4);
            guard_on(s, r);
            wr(s, r->off, 0, r->width == 64 ? 8 : 4);
            if (r->width == 64)
                wr32(s, r->off + 4, 0);
            v = row_read(s, r);
            CHECK_MSG(v == r->wmask, "%s %s: guarded write took effect (0x%llx)", profile,
                      r->name, (unsigned long long)v);
            guard_off(s);
            wr(s, r->off, 0, r->width == 64 ? 8 : 4);
            CHECK_MSG(row_read(s, r) == 0, "%s %s: not writable after the guard cleared",
                      profile, r->name);
        }
        break;
    }
    vsmmu_destroy(s);
}

static void table_full_v32(void)
{
    for (size_t i = 0; i < sizeof(full_rows) / sizeof(full_rows[0]); i++)
        check_row("full-v3.2", &full_rows[i]);
}

static void table_minimal_v30(void)
{
    for (size_t i = 0; i < sizeof(min_rows) / sizeof(min_rows[0]); i++)
        check_row("minimal-v3.0", &min_rows[i]);
}

/* ---- ID registers ------------------------------------------------------------- */

static void check_ids(const char *profile, const uint32_t want[8])
{
    struct vsmmu *s = mk(profile);
    REQUIRE(s);
    static const char *const names[8] = { "IDR0", "IDR1", "IDR2", "IDR3", "IDR4", "IDR5",
                                          "IIDR", "AIDR" };
    for (unsigned i = 0; i < 8; i++) {
        uint32_t v = rd32(s, 4 * i);
        CHECK_MSG(v == want[i], "%s %s = 0x%08x, expected 0x%08x", profile, names[i], v,
                  want[i]);
    }
    vsmmu_destroy(s);
}

/* full-v3.2: S2P(0)=1 S1P(1)=1 TTF[3:2]=10 COHACC(4)=1 HTTU[7:6]=10 Hyp(9)
 * ATS(10) ASID16(12) MSI(13) SEV(14) PRI(16) VMW(17) VMID16(18) CD2L(19)
 * TTENDIAN[22:21]=10 STALL_MODEL=00 TERM_MODEL=0 ST_LEVEL[28:27]=01:
 * 0x1+0x2+0x8+0x10+0x80+0x200+0x400+0x1000+0x2000+0x4000+0x10000+0x20000
 * +0x40000+0x80000+0x400000+0x8000000 = 0x084F769B.
 * IDR1: SIDSIZE=24 (0x18) SSIDSIZE=20<<6 (0x500) PRIQS=19<<11 (0x9800)
 * EVENTQS=19<<16 (0x130000) CMDQS=19<<21 (0x2600000) ATTR_PERMS_OVR(26)
 * ATTR_TYPES_OVR(27) = 0x0E739D18.
 * IDR3: HAD(2) XNX(4) FWB(8) RIL(10) BBML[12:11]=10 = 0x4+0x10+0x100+0x400
 * +0x1000 = 0x1514.
 * IDR5: OAS=48 -> 0b101, GRAN4K|16K|64K = 0x70, VAX=00, STALL_MAX=64<<16
 * = 0x00400075. IIDR 0x0560043B, AIDR ArchMinorRev 2. */
static void idr_full_v32(void)
{
    static const uint32_t want[8] = { 0x084F769B, 0x0E739D18, 0, 0x1514, 0, 0x00400075,
                                      0x0560043B, 0x2 };
    check_ids("full-v3.2", want);
}

/* qemu-v3.1: S1P, S2P, TTF=10, COHACC, ASID16(12), VMID16(18), CD2L(19),
 * TTENDIAN=10, STALL_MODEL=01 (1<<24), TERM_MODEL(26), ST_LEVEL=01:
 * 0x1B+0x1000+0x40000+0x80000+0x400000+0x1000000+0x4000000+0x8000000
 * = 0x0D4C101B.
 * IDR1: SIDSIZE 16, SSIDSIZE 0, PRIQS 0 (no PRI), EVENTQS 19, CMDQS 19, no
 * attribute overrides = 0x10+0x130000+0x2600000 = 0x02730010.
 * IDR3: HAD XNX RIL BBML=10 (no FWB) = 0x1414.
 * IDR5: OAS 44 -> 0b100, all granules, STALL_MAX RES0 (terminate only) = 0x74. */
static void idr_qemu_v31(void)
{
    static const uint32_t want[8] = { 0x0D4C101B, 0x02730010, 0, 0x1414, 0, 0x74,
                                      0x0560043B, 0x1 };
    check_ids("qemu-v3.1", want);
}

/* minimal-v3.0: S1P(1), TTF=10, COHACC(4), ASID16(12), TTENDIAN=10,
 * STALL_MODEL=01, ST_LEVEL=00: 0x2+0x8+0x10+0x1000+0x400000+0x1000000
 * = 0x0140101A.
 * IDR1: SIDSIZE 6, EVENTQS 8<<16, CMDQS 8<<21 = 0x6+0x80000+0x1000000
 * = 0x01080006. IDR3 = 0. IDR5: OAS 40 -> 0b010, GRAN4K = 0x12. */
static void idr_minimal_v30(void)
{
    static const uint32_t want[8] = { 0x0140101A, 0x01080006, 0, 0, 0, 0x12,
                                      0x0560043B, 0x0 };
    check_ids("minimal-v3.0", want);
}

/* Custom configuration: fields not covered by the profiles. */
static void idr_custom(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "full-v3.3");
    c.btm = true;
    c.dormhint = true;
    c.ns1ats = true;
    c.stall_model = VSMMU_STALL_AND_TERM;
    c.stall_max = 0xFFFF;
    c.vax52 = true;
    c.oas_bits = 52;
    c.pbha = true;
    c.httu = VSMMU_HTTU_AF;
    c.iidr = 0x12345678;
    struct vsmmu *s = mk_cfg(&c);
    REQUIRE(s);
    uint32_t idr0 = rd32(s, 0x0);
    CHECK_EQ(idr0 & (1u << 5), 1u << 5);      /* BTM */
    CHECK_EQ(idr0 & (1u << 8), 1u << 8);      /* DORMHINT */
    CHECK_EQ(idr0 & (1u << 11), 1u << 11);    /* NS1ATS */
    CHECK_EQ((idr0 >> 6) & 3, 1);             /* HTTU = 01 */
    CHECK_EQ((idr0 >> 24) & 3, 0);            /* STALL_MODEL = 00 */
    /* IDR3 of full-v3.3: 0x1514 | PBHA(3) 0x8 | E0PD(13) 0x2000 | PTWNNC(14)
     * 0x4000 = 0x751C */
    CHECK_EQ(rd32(s, 0xC), 0x751C);
    /* IDR5: STALL_MAX 0xFFFF<<16, VAX=01 (1<<10), all granules 0x70, OAS 52 = 0b110 */
    CHECK_EQ(rd32(s, 0x14), 0xFFFF0476u);
    CHECK_EQ(rd32(s, 0x18), 0x12345678);
    CHECK_EQ(rd32(s, 0x1C), 3);
    /* ID_REGS from IIDR 0x12345678: ProductID 0x123, Variant 4, Revision 5,
     * Implementer 0x678 (cont 6, id 0x78). PIDR0 = 0x23; PIDR1 = (0x78 & 0xF)<<4
     * | 0x1 = 0x81; PIDR2 = 4<<4 | 0x8 | (0x78>>4 = 7) = 0x4F; PIDR3 = 5<<4 =
     * 0x50; PIDR4 = 6. */
    CHECK_EQ(rd32(s, 0xFE0), 0x23);
    CHECK_EQ(rd32(s, 0xFE4), 0x81);
    CHECK_EQ(rd32(s, 0xFE8), 0x4F);
    CHECK_EQ(rd32(s, 0xFEC), 0x50);
    CHECK_EQ(rd32(s, 0xFD0), 0x06);
    /* STATUSR.DORMANT exists with DORMHINT; this model reports 0 (6.3.13:
     * 1 only promises that nothing is cached; 0 is always a true answer). */
    CHECK_EQ(rd32(s, 0x40), 0);
    /* CR2 with BTM: PTM resets to 1 as Arm recommends (6.3.12, model choice). */
    CHECK_EQ(rd32(s, 0x2C), 0x4);
    /* PTM exists: E2H|RECINVSID|PTM = 0x7. */
    wr32(s, 0x2C, UINT32_MAX);
    CHECK_EQ(rd32(s, 0x2C), 0x7);
    /* OAS 52: IRQ_CFG0 ADDR[51:2]. */
    wr64(s, 0x68, UINT64_MAX);
    CHECK_EQ(rd(s, 0x68, 8), 0x000FFFFFFFFFFFFCull);
    vsmmu_destroy(s);
}

/* ---- special registers ------------------------------------------------------------ */

/* GBPA (6.3.14, 6.3.14.1). */
static void gbpa_protocol(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    /* Reset: Update=0, other fields from cfg.gbpa_reset = ABORT (bit 20). */
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    wr32(s, 0x44, 0x00001000u);            /* Update=0: IGNORED (v3.2 rule) */
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    wr32(s, 0x44, 0x80001000u);            /* Update=1 with SHCFG=01, ABORT=0 */
    CHECK_EQ(rd32(s, 0x44), 0x00001000u);  /* Update completes at once: reads 0 */
    CHECK_EQ(vsmmu_gbpa_effective(reg_load(&s->regs.gbpa), true, true), 0x1000);
    /* All ones with Update: MemAttr[3:0] MTCFG(4) ALLOCCFG[11:8] SHCFG[13:12]
     * PRIVCFG[17:16] INSTCFG[19:18] ABORT(20) = 0x001F3F1F; RES0 bits and
     * Update read 0. */
    wr32(s, 0x44, UINT32_MAX);
    CHECK_EQ(rd32(s, 0x44), 0x001F3F1Fu);
    /* 64-bit write to GBPA (a 32-bit register pair with AGBPA) is RAZ/WI. */
    wr64(s, 0x40, 0x8000000000000000ull);
    CHECK_EQ(rd32(s, 0x44), 0x001F3F1Fu);
    /* Byte write of the Update byte is RAZ/WI. */
    wr(s, 0x47, 0x80, 1);
    CHECK_EQ(rd32(s, 0x44), 0x001F3F1Fu);
    vsmmu_destroy(s);

    /* qemu-v3.1: no attribute overrides. Fields read back what was written
     * (IMPLEMENTATION SPECIFIC choice) but act as "use incoming". */
    s = mk("qemu-v3.1");
    REQUIRE(s);
    CHECK_EQ(rd32(s, 0x44), 0x1000);       /* cfg.gbpa_reset */
    wr32(s, 0x44, 0x800F3F1Fu);            /* all attribute fields, ABORT=0 */
    CHECK_EQ(rd32(s, 0x44), 0x000F3F1Fu);
    /* Effective: MTCFG=0, SHCFG=01, ALLOCCFG=0, PRIVCFG=0, INSTCFG=0; MemAttr
     * (UNKNOWN) left as written: 0x0000100F. */
    CHECK_EQ(vsmmu_gbpa_effective(reg_load(&s->regs.gbpa), false, false), 0x100F);
    /* Only the perms override missing: INSTCFG/PRIVCFG cleared = 0x3F1F. */
    CHECK_EQ(vsmmu_gbpa_effective(0x000F3F1Fu, true, false), 0x3F1F);
    vsmmu_destroy(s);
}

/* CR1 (6.3.11): TABLE_* guarded by SMMUEN, QUEUE_* by every queue enable. */
static void cr1_guards(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    CHECK_EQ(rd32(s, 0x28), 0);
    wr32(s, 0x28, UINT32_MAX);
    CHECK_EQ(rd32(s, 0x28), 0xFFF);        /* [11:0]; [31:12] RES0 */
    wr32(s, 0x20, 0x1);                    /* SMMUEN: TABLE_* [11:6] read-only */
    wr32(s, 0x28, 0);
    CHECK_EQ(rd32(s, 0x28), 0xFC0);        /* QUEUE_* [5:0] cleared */
    /* Each queue enable alone makes QUEUE_* [5:0] read-only. */
    static const uint32_t qen[3] = { 0x2, 0x4, 0x8 };
    for (int i = 0; i < 3; i++) {
        wr32(s, 0x20, 0);
        wr32(s, 0x28, 0xFFF);
        if (qen[i] == 0x8)
            wr32(s, 0x98, rd32(s, 0x9C) & 0xFFFFF);   /* empty CMDQ */
        wr32(s, 0x20, qen[i]);
        wr32(s, 0x28, 0);
        CHECK_MSG(rd32(s, 0x28) == 0x03F, "CR0=0x%x: CR1 = 0x%x", qen[i], rd32(s, 0x28));
    }
    wr32(s, 0x20, 0x0);
    wr32(s, 0x28, 0xD75);                  /* Linux's value */
    CHECK_EQ(rd32(s, 0x28), 0xD75);
    vsmmu_destroy(s);
}

/* CR0 fields that are RES0 for the configuration are not stored and not
 * acknowledged (6.3.9: PRIQEN needs PRI, ATSCHK needs ATS, VMW needs VMW). */
static void cr0_res0_fields(void)
{
    struct vsmmu *s = mk("qemu-v3.1");
    REQUIRE(s);
    wr32(s, 0x20, 0x1DF);
    CHECK_EQ(rd32(s, 0x20), 0xD);
    CHECK_EQ(rd32(s, 0x24), 0xD);
    wr32(s, 0x20, 0x4);                    /* fields update independently */
    CHECK_EQ(rd32(s, 0x20), 0x4);
    CHECK_EQ(rd32(s, 0x24), 0x4);
    vsmmu_destroy(s);
}

/* PROD/CONS index width follows the effective LOG2SIZE (6.3.26-6.3.29,
 * 6.3.95-6.3.98). */
static void queue_indexes(void)
{
    struct vsmmu *s = mk("minimal-v3.0");   /* CMDQS = EVENTQS = 8 */
    REQUIRE(s);
    /* LOG2SIZE=4: indexes keep [4:0]. */
    wr64(s, 0x90, 0x10000 | 4);
    wr32(s, 0x98, 0xFFFFFFFFu);
    CHECK_EQ(rd32(s, 0x98), 0x1F);
    wr32(s, 0x9C, 0xFFFFFFFFu);            /* + ERR[30:24] (taken while disabled) */
    CHECK_EQ(rd32(s, 0x9C), 0x7F00001F);
    /* LOG2SIZE above IDR1.CMDQS reads back as written (6.3.26: only uses
     * are capped) and the index width uses the cap: 8 -> [8:0]. */
    wr64(s, 0x90, 0x10000 | 19);
    CHECK_EQ(rd(s, 0x90, 8), 0x10013);
    wr32(s, 0x98, 0xFFFFFFFFu);
    CHECK_EQ(rd32(s, 0x98), 0x1FF);
    wr32(s, 0x9C, 0x155);
    CHECK_EQ(rd32(s, 0x9C), 0x155);
    /* Decreasing LOG2SIZE truncates from the new wrap bit down: 2 -> [2:0]:
     * PROD 0x1FF -> 0x7, CONS 0x155 -> 0x5. */
    wr64(s, 0x90, 0x10000 | 2);
    CHECK_EQ(rd32(s, 0x98), 0x7);
    CHECK_EQ(rd32(s, 0x9C), 0x5);
    /* Event queue: same rules, OVFLG/OVACKFLG kept. */
    wr64(s, 0xA0, 0x20000 | 3);
    wr32(s, 0x100A8, 0xFFFFFFFFu);
    CHECK_EQ(rd32(s, 0x100A8), 0x8000000F);
    wr32(s, 0x100AC, 0xFFFFFFFFu);
    CHECK_EQ(rd32(s, 0x100AC), 0x8000000F);
    wr64(s, 0xA0, 0x20000 | 1);
    CHECK_EQ(rd32(s, 0x100A8), 0x80000003);
    CHECK_EQ(rd32(s, 0x100AC), 0x80000003);
    /* LOG2SIZE 0: one entry, index is the wrap bit alone. */
    wr64(s, 0xA0, 0x20000);
    CHECK_EQ(rd32(s, 0x100A8), 0x80000001);
    /* EVENTQ_CONS always writable, EVENTQ_PROD guarded by EVENTQEN. */
    wr32(s, 0x20, 0x4);
    wr32(s, 0x100AC, 0);
    CHECK_EQ(rd32(s, 0x100AC), 0);
    wr32(s, 0x100A8, 0);
    CHECK_EQ(rd32(s, 0x100A8), 0x80000001);
    /* EVENTQ_BASE guarded too. */
    wr64(s, 0xA0, 0x40000 | 5);
    CHECK_EQ(rd(s, 0xA0, 8), 0x20000);
    /* minimal-v3.0 has the page-0 alias too. */
    CHECK_EQ(rd32(s, 0xA8), 0x80000001);
    vsmmu_destroy(s);
}

/* Without cfg.page0_alias the page-0 offsets are RAZ/WI (6.2). */
static void no_page0_alias(void)
{
    struct vsmmu_config c;
    vsmmu_config_profile(&c, "full-v3.2");
    c.page0_alias = false;
    struct vsmmu *s = mk_cfg(&c);
    REQUIRE(s);
    wr64(s, 0xA0, 0x10000 | 4);
    wr64(s, 0xC0, 0x20000 | 4);
    wr32(s, 0xA8, 0x3);
    wr32(s, 0xAC, 0x3);
    wr32(s, 0xC8, 0x3);
    wr32(s, 0xCC, 0x3);
    CHECK_EQ(rd32(s, 0x100A8), 0);
    CHECK_EQ(rd32(s, 0x100AC), 0);
    CHECK_EQ(rd32(s, 0x100C8), 0);
    CHECK_EQ(rd32(s, 0x100CC), 0);
    wr32(s, 0x100A8, 0x5);
    wr32(s, 0x100CC, 0x6);
    CHECK_EQ(rd32(s, 0xA8), 0);
    CHECK_EQ(rd32(s, 0xCC), 0);
    CHECK_EQ(rd32(s, 0x100A8), 0x5);
    CHECK_EQ(rd32(s, 0x100CC), 0x6);
    vsmmu_destroy(s);
}

/* GERROR is read-only; GERRORN stores what software writes (6.3.19, 6.3.20). */
static void gerror_toggle(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    /* Activate CMDQ_ERR and SFM_ERR as the SMMU would (toggle GERROR). */
    pthread_mutex_lock(&s->evtq.lock);
    s->regs.gerror ^= 0x101;
    pthread_mutex_unlock(&s->evtq.lock);
    CHECK_EQ(rd32(s, 0x60), 0x101);
    wr32(s, 0x60, 0);                      /* RO */
    CHECK_EQ(rd32(s, 0x60), 0x101);
    wr32(s, 0x64, 0x100);                  /* acknowledge SFM_ERR only */
    CHECK_EQ(rd32(s, 0x64), 0x100);
    CHECK_EQ(rd32(s, 0x60) ^ rd32(s, 0x64), 0x1);   /* CMDQ_ERR still active */
    wr32(s, 0x64, rd32(s, 0x60));          /* Linux: GERRORN = GERROR */
    CHECK_EQ(rd32(s, 0x60) ^ rd32(s, 0x64), 0);
    /* RES0 bits (1, [31:9]) are not stored. */
    wr32(s, 0x64, UINT32_MAX);
    CHECK_EQ(rd32(s, 0x64), 0x1FD);
    vsmmu_destroy(s);
}

/* IRQ_CTRL -> IRQ_CTRLACK (6.3.16, 6.3.18). */
static void irq_ctrl_ack(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    wr32(s, 0x50, 0x5);
    CHECK_EQ(rd32(s, 0x50), 0x5);
    CHECK_EQ(rd32(s, 0x54), 0x5);
    wr32(s, 0x54, 0);                      /* ACK is RO */
    CHECK_EQ(rd32(s, 0x54), 0x5);
    /* GERROR_IRQ_CFG1 guarded by GERROR_IRQEN, EVENTQ one by EVENTQ_IRQEN;
     * PRIQ ones writable (PRIQ_IRQEN = 0). */
    wr32(s, 0x70, 0x1234);
    wr32(s, 0xB8, 0x1234);
    wr32(s, 0xD8, 0x1234);
    CHECK_EQ(rd32(s, 0x70), 0);
    CHECK_EQ(rd32(s, 0xB8), 0);
    CHECK_EQ(rd32(s, 0xD8), 0x1234);
    vsmmu_destroy(s);
}

/* Reset returns every register to its reset value. */
static void reset_restores(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    wr64(s, 0x80, 0x1000);
    wr32(s, 0x88, 0x10008);
    wr32(s, 0x28, 0xD75);
    wr32(s, 0x20, 0x1);
    wr32(s, 0x50, 0x7);
    wr32(s, 0x44, 0x80000000u);
    vsmmu_reset(s);
    CHECK_EQ(rd32(s, 0x20), 0);
    CHECK_EQ(rd32(s, 0x24), 0);
    CHECK_EQ(rd32(s, 0x28), 0);
    CHECK_EQ(rd32(s, 0x50), 0);
    CHECK_EQ(rd32(s, 0x54), 0);
    CHECK_EQ(rd(s, 0x80, 8), 0);
    CHECK_EQ(rd32(s, 0x88), 0);
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    CHECK_EQ(rd32(s, 0x0), 0x084F769B);
    vsmmu_destroy(s);
}

/* Configuration rules the ID registers need (6.3.1-6.3.6, 6.3.14). */
static void config_rules(void)
{
    struct vsmmu_config c;
    char err[256];

    /* IDR3.XNX is RES0 in SMMUv3.0 (6.3.4). */
    vsmmu_config_profile(&c, "minimal-v3.0");
    c.xnx = true;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "xnx") != NULL);
    /* IDR3.FWB is 1 in every v3.2+ part, with or without stage 2 (6.3.4). */
    vsmmu_config_profile(&c, "full-v3.2");
    c.fwb = false;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "fwb") != NULL);
    /* IDR3.HAD is 0 when S1P is 0 (6.3.4). */
    vsmmu_config_profile(&c, "minimal-v3.0");
    c.s1p = false;
    c.s2p = true;
    c.had = true;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "had") != NULL);
    /* STALL_MAX is a 16-bit field (6.3.6). */
    vsmmu_config_profile(&c, "full-v3.2");
    c.stall_max = 0x10000;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "stall_max") != NULL);
    /* GBPA reset with RES0 bits set (bit 5, 6.3.14). */
    vsmmu_config_profile(&c, "full-v3.2");
    c.gbpa_reset = 0x20;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), (uint64_t)VSMMU_EINVAL);
    CHECK(strstr(err, "gbpa_reset") != NULL);
    /* Update in the reset value is accepted and forced to 0. */
    c.gbpa_reset = 0x80100000u;
    CHECK_EQ(vsmmu_config_check(&c, err, sizeof(err)), VSMMU_OK);
    struct vsmmu *s = mk_cfg(&c);
    REQUIRE(s);
    CHECK_EQ(rd32(s, 0x44), 0x00100000u);
    vsmmu_destroy(s);
}

/* Random configurations: whatever vsmmu_config_check accepts must produce ID
 * registers that show exactly the configured features and obey the
 * architectural consistency rules between ID fields (6.3.1-6.3.6). */
static uint64_t rng = 0x243F6A8885A308D3ull;
static unsigned rbits(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 20) & ((1u << n) - 1);
}

#define B(v, n) (((v) >> (n)) & 1u)
#define F(v, h, l) (((v) >> (l)) & ((1u << ((h) - (l) + 1)) - 1))

static void idr_random_configs(void)
{
    static const unsigned oas[7] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned accepted = 0;
    for (int iter = 0; iter < 20000 && accepted < 400; iter++) {
        struct vsmmu_config c;
        vsmmu_config_default(&c);
        c.arch_minor = rbits(2);
        c.s1p = rbits(1); c.s2p = rbits(1); c.cohacc = rbits(1); c.btm = rbits(1);
        c.httu = (enum vsmmu_httu)(rbits(2) % 3);
        c.hyp = rbits(1); c.ats = rbits(1); c.ns1ats = rbits(1) & rbits(1);
        c.asid16 = rbits(1); c.vmid16 = rbits(1); c.msi = rbits(1); c.sev = rbits(1);
        c.pri = rbits(1); c.vmw = rbits(1); c.cd2l = rbits(1); c.st2l = rbits(1);
        c.stall_model = (enum vsmmu_stall_model)(rbits(2) % 3);
        c.term_model = rbits(1); c.dormhint = rbits(1);
        c.sidsize = rbits(1) ? rbits(3) : rbits(5);
        c.ssidsize = rbits(4);
        c.cmdqs = 7 + rbits(3); c.eventqs = rbits(4); c.priqs = rbits(4);
        c.attr_types_ovr = rbits(1); c.attr_perms_ovr = rbits(1);
        c.had = rbits(1); c.pbha = rbits(1); c.xnx = rbits(1); c.fwb = rbits(1);
        c.ril = rbits(1); c.e0pd = rbits(1); c.ptwnnc = rbits(1); c.bbml = rbits(2) % 3;
        c.oas_bits = oas[rbits(3) % 7];
        c.gran4k = rbits(1); c.gran16k = rbits(1); c.gran64k = rbits(1);
        c.vax52 = rbits(1);
        c.stall_max = c.stall_model == VSMMU_TERM_ONLY ? 0 : 1 + rbits(16) % 0xFFFF;
        c.iidr = (uint32_t)rbits(16) << 16 | rbits(16);
        c.page0_alias = rbits(1);
        c.tlb_entries = 16;
        c.cfg_entries = 16;
        if (rbits(3)) {
            /* Mostly steer towards valid configurations (the rules being
             * checked below are the spec's, not this repair's). */
            unsigned v = c.arch_minor;
            if (!c.s1p && !c.s2p) c.s1p = true;
            if (!c.s1p || !c.s2p) c.hyp = false;
            if (!c.s2p) c.vmw = c.vmid16 = c.ptwnnc = false;
            if (!c.ats) c.pri = false;
            if (!(c.ats && c.s1p && c.s2p)) c.ns1ats = false;
            if (c.sidsize >= 7) c.st2l = true;
            if (c.stall_model == VSMMU_STALL_FORCED && c.ats) c.stall_model = VSMMU_TERM_ONLY;
            if (c.stall_model == VSMMU_TERM_ONLY) c.stall_max = 0;
            if (!c.gran4k && !c.gran16k && !c.gran64k) c.gran4k = true;
            if (c.oas_bits == 52 || c.vax52) c.gran64k = true;
            if (!c.s1p) c.had = false;
            if (c.pbha) c.had = c.s1p;
            if (!c.had) c.pbha = false;
            if (v < 1) c.xnx = c.pbha = c.vax52 = c.ril = c.fwb = false, c.bbml = 0;
            if (v < 1 && c.oas_bits == 52) c.oas_bits = 48;
            if (v < 2) c.e0pd = c.ptwnnc = false;
            if (v >= 1 && c.s1p) c.had = true;
            if (v >= 1 && c.s2p) c.xnx = true;
            if (v >= 2) { c.ril = c.fwb = true; if (!c.bbml) c.bbml = 1; }
            if (v >= 2 && c.s1p && c.s2p) c.hyp = true;
            if (v >= 3) { c.e0pd = true; c.ptwnnc = c.s2p; }
        }
        if (vsmmu_config_check(&c, NULL, 0) != VSMMU_OK)
            continue;
        accepted++;
        struct vsmmu *s = mk_cfg(&c);
        REQUIRE(s);
        uint32_t i0 = rd32(s, 0x0), i1 = rd32(s, 0x4), i3 = rd32(s, 0xC), i5 = rd32(s, 0x14);
        uint32_t aidr = rd32(s, 0x1C);
        /* Each field shows the configuration (bit positions: 6.3.1, 6.3.2,
         * 6.3.4, 6.3.6). */
        CHECK_EQ(B(i0, 0), c.s2p); CHECK_EQ(B(i0, 1), c.s1p);
        CHECK_EQ(F(i0, 3, 2), 2);                     /* AArch64 tables */
        CHECK_EQ(B(i0, 4), c.cohacc); CHECK_EQ(B(i0, 5), c.btm);
        CHECK_EQ(F(i0, 7, 6), (unsigned)c.httu); CHECK_EQ(B(i0, 8), c.dormhint);
        CHECK_EQ(B(i0, 9), c.hyp); CHECK_EQ(B(i0, 10), c.ats); CHECK_EQ(B(i0, 11), c.ns1ats);
        CHECK_EQ(B(i0, 12), c.asid16); CHECK_EQ(B(i0, 13), c.msi); CHECK_EQ(B(i0, 14), c.sev);
        CHECK_EQ(B(i0, 15), 0);                       /* ATOS */
        CHECK_EQ(B(i0, 16), c.pri); CHECK_EQ(B(i0, 17), c.vmw); CHECK_EQ(B(i0, 18), c.vmid16);
        CHECK_EQ(B(i0, 19), c.cd2l); CHECK_EQ(B(i0, 20), 0);   /* VATOS */
        CHECK_EQ(F(i0, 22, 21), 2);                   /* TTENDIAN little-endian */
        CHECK_EQ(F(i0, 25, 24), (unsigned)c.stall_model); CHECK_EQ(B(i0, 26), c.term_model);
        CHECK_EQ(F(i0, 28, 27), c.st2l ? 1u : 0u);
        CHECK_EQ(i0 >> 29, 0);
        CHECK_EQ(F(i1, 5, 0), c.sidsize); CHECK_EQ(F(i1, 10, 6), c.ssidsize);
        CHECK_EQ(F(i1, 15, 11), c.pri ? c.priqs : 0);
        CHECK_EQ(F(i1, 20, 16), c.eventqs); CHECK_EQ(F(i1, 25, 21), c.cmdqs);
        CHECK_EQ(B(i1, 26), c.attr_perms_ovr); CHECK_EQ(B(i1, 27), c.attr_types_ovr);
        CHECK_EQ(i1 >> 28, 0);                        /* REL, PRESETs, ECMDQ */
        CHECK_EQ(rd32(s, 0x8), 0);
        CHECK_EQ(B(i3, 2), c.had); CHECK_EQ(B(i3, 3), c.pbha); CHECK_EQ(B(i3, 4), c.xnx);
        CHECK_EQ(B(i3, 8), c.fwb); CHECK_EQ(B(i3, 10), c.ril);
        CHECK_EQ(F(i3, 12, 11), c.bbml); CHECK_EQ(B(i3, 13), c.e0pd);
        CHECK_EQ(B(i3, 14), c.ptwnnc);
        CHECK_EQ(i3 & ~0x7F1Cu, 0);                   /* [1:0], PPS, 6, MPAM, STT, [31:15] */
        CHECK_EQ(oas[F(i5, 2, 0)], c.oas_bits);
        CHECK_EQ(B(i5, 4), c.gran4k); CHECK_EQ(B(i5, 5), c.gran16k);
        CHECK_EQ(B(i5, 6), c.gran64k); CHECK_EQ(F(i5, 11, 10), c.vax52 ? 1u : 0u);
        CHECK_EQ(i5 >> 16, c.stall_max);
        CHECK_EQ(i5 & 0xF388u, 0);                    /* bits 3, 7-9, 12-15 */
        CHECK_EQ(rd32(s, 0x18), c.iidr);
        CHECK_EQ(aidr, c.arch_minor);
        /* Consistency rules between fields. */
        CHECK(B(i0, 0) || B(i0, 1));                                    /* a stage */
        CHECK(!B(i0, 9) || (B(i0, 0) && B(i0, 1)));                     /* Hyp */
        CHECK(!B(i0, 11) || (B(i0, 10) && B(i0, 0) && B(i0, 1)));       /* NS1ATS */
        CHECK(!B(i0, 16) || B(i0, 10));                                 /* PRI needs ATS */
        CHECK(!B(i0, 17) || B(i0, 0));                                  /* VMW needs S2P */
        CHECK(F(i0, 25, 24) != 3);                                      /* STALL_MODEL */
        CHECK(F(i1, 5, 0) < 7 || F(i0, 28, 27) != 0);                   /* ST_LEVEL */
        CHECK(F(i0, 25, 24) != 1 || (i5 >> 16) == 0);                   /* STALL_MAX RES0 */
        CHECK(F(i0, 25, 24) != 2 || !B(i0, 10));                        /* PCIe: no forced stall */
        CHECK(!B(i3, 2) || B(i0, 1));                                   /* HAD needs S1P */
        CHECK(!B(i3, 3) || B(i3, 2));                                   /* PBHA needs HAD */
        CHECK(!B(i3, 14) || B(i0, 0));                                  /* PTWNNC needs S2P */
        CHECK(F(i5, 2, 0) != 6 || B(i5, 6));                            /* OAS 52: 64K */
        CHECK(F(i5, 11, 10) != 1 || B(i5, 6));                          /* VAX 52: 64K */
        CHECK(F(i5, 6, 4) != 0);                                        /* a granule */
        if (aidr == 0)   /* RES0 in v3.0: XNX, PBHA, VAX, OAS=52 */
            CHECK(!B(i3, 4) && !B(i3, 3) && F(i5, 11, 10) == 0 && F(i5, 2, 0) != 6);
        if (aidr >= 1)   /* HAD with S1P, XNX with S2P (6.3.4) */
            CHECK((!B(i0, 1) || B(i3, 2)) && (!B(i0, 0) || B(i3, 4)));
        if (aidr >= 2)   /* RIL, FWB, BBML != 0; Hyp with both stages */
            CHECK(B(i3, 10) && B(i3, 8) && F(i3, 12, 11) != 0 &&
                  (!(B(i0, 0) && B(i0, 1)) || B(i0, 9)));
        if (aidr >= 3)   /* E0PD, PTWNNC with S2P */
            CHECK(B(i3, 13) && (!B(i0, 0) || B(i3, 14)));
        vsmmu_destroy(s);
    }
    CHECK_MSG(accepted >= 100, "only %u random configurations accepted", accepted);
}

/* GBPA Update visibility (6.3.14.1): a transaction that arrives after an
 * Update has completed uses the new attributes. Translator threads run
 * while the MMIO thread flips GBPA.ABORT. A translation that starts after
 * update `e` completed and ends before update e+1 began must see the value
 * of update e (odd e: ABORT=1). */
struct gbpa_race {
    struct vsmmu *s;
    unsigned begin;          /* atomic: last update started */
    unsigned epoch;          /* atomic: last update completed */
    unsigned done;           /* atomic */
    unsigned bad, checked;
};

static void *gbpa_translator(void *arg)
{
    struct gbpa_race *g = arg;
    struct vsmmu_txn txn = { .sid = 0, .addr = 0x1000, .flags = 0 };
    while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
        unsigned e1 = __atomic_load_n(&g->epoch, __ATOMIC_ACQUIRE);
        struct vsmmu_result res;
        vsmmu_translate(g->s, &txn, &res);
        unsigned e2 = __atomic_load_n(&g->begin, __ATOMIC_ACQUIRE);
        if (e1 == e2) {
            /* odd epochs: ABORT=1 */
            bool want_abort = e1 & 1;
            if ((res.outcome == VSMMU_XLATE_ABORT) != want_abort)
                __atomic_fetch_add(&g->bad, 1, __ATOMIC_RELAXED);
            __atomic_fetch_add(&g->checked, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void gbpa_update_threads(void)
{
    struct vsmmu *s = mk("qemu-v3.1");   /* GBPA reset: bypass (ABORT=0) */
    REQUIRE(s);
    struct gbpa_race g = { .s = s };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&t[i], NULL, gbpa_translator, &g) == 0);
    for (unsigned e = 1; e <= 2000; e++) {
        __atomic_store_n(&g.begin, e, __ATOMIC_RELEASE);
        wr32(s, 0x44, 0x80001000u | ((e & 1) ? 0x00100000u : 0));
        CHECK_EQ(rd32(s, 0x44) >> 31, 0);            /* Update completed */
        __atomic_store_n(&g.epoch, e, __ATOMIC_RELEASE);
        if (e % 100 == 0) {
            /* Let the translators check this epoch at least once (no new
             * update starts meanwhile, so their window is stable). */
            unsigned c0 = __atomic_load_n(&g.checked, __ATOMIC_ACQUIRE);
            while (__atomic_load_n(&g.checked, __ATOMIC_ACQUIRE) < c0 + 2)
                sched_yield();
        }
    }
    __atomic_store_n(&g.done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(g.bad, 0);
    CHECK(g.checked > 0);
    vsmmu_destroy(s);
}

/* ---- hooks into the queues ----------------------------------------------------- */

/* A fresh memory for tests that place queues in it. */
static struct kit_mem *hook_mem;

static struct vsmmu *mk_hook(const char *profile)
{
    struct vsmmu_config c;
    if (vsmmu_config_profile(&c, profile))
        return NULL;
    hook_mem = kit_mem_new();
    kit_mem_add(hook_mem, 0, 1 << 20);
    hook_mem->brk = 0x1000;
    struct vsmmu_host_ops ops;
    kit_mem_ops(hook_mem, &ops, false);
    struct vsmmu *s = NULL;
    char err[256];
    if (vsmmu_create(&c, &ops, &s, err, sizeof(err)))
        fprintf(stderr, "create: %s\n", err);
    return s;
}

static void hook_done(struct vsmmu *s)
{
    vsmmu_destroy(s);
    kit_mem_free(hook_mem);
    hook_mem = NULL;
}

/* Command encodings (commands.md / IHI0070 4.1): opcode DW0[7:0]; CMD_SYNC
 * 0x46 with CS=SIG_NONE (DW0[13:12]=0); opcode 0x00 is reserved (CERROR_ILL). */
static void put_cmd(uint64_t q, unsigned slot, uint64_t dw0)
{
    kit_w64(hook_mem, q + 16ull * slot, dw0);
    kit_w64(hook_mem, q + 16ull * slot + 8, 0);
}

/* Command consumption is considered on a CMDQ_PROD write (6.3.27), on
 * CMDQEN 0->1 (6.3.9.3) and after the acknowledgement of CMDQ_ERR (7.1). */
static void hook_cmdq(void)
{
    struct vsmmu *s = mk_hook("full-v3.2");
    REQUIRE(s);
    uint64_t q = kit_mem_alloc(hook_mem, 16 << 4, 16 << 4);   /* 16 entries */
    wr64(s, 0x90, q | 4);
    wr32(s, 0x98, 0);
    wr32(s, 0x9C, 0);
    put_cmd(q, 0, 0x46);
    put_cmd(q, 1, 0x46);
    wr32(s, 0x98, 2);                      /* CMDQEN=0: nothing consumed */
    CHECK_EQ(rd32(s, 0x9C), 0);
    wr32(s, 0x20, 0x8);                    /* CMDQEN 0->1: both consumed */
    CHECK_EQ(rd32(s, 0x24), 0x8);
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 2);
    put_cmd(q, 2, 0x46);
    wr32(s, 0x98, 3);                      /* PROD write: consumed */
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 3);
    /* Illegal command: CONS stays at it with ERR=CERROR_ILL (1), CMDQ_ERR
     * active (GERROR[0] != GERRORN[0]). */
    put_cmd(q, 3, 0x00);
    put_cmd(q, 4, 0x46);
    wr32(s, 0x98, 5);
    CHECK_EQ(rd32(s, 0x9C), (1u << 24) | 3);
    CHECK_EQ((rd32(s, 0x60) ^ rd32(s, 0x64)) & 1, 1);
    /* While CMDQ_ERR is active, a PROD write consumes nothing. */
    wr32(s, 0x98, 5);
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 3);
    /* Replace the command in place and acknowledge: consumption resumes at
     * CONS without another PROD write (Linux's arm_smmu_cmdq_skip_err). */
    put_cmd(q, 3, 0x46);
    wr32(s, 0x64, rd32(s, 0x60));
    CHECK_EQ((rd32(s, 0x60) ^ rd32(s, 0x64)) & 1, 0);
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 5);
    /* CMDQEN 1->0: CMDQ_BASE/CONS become writable again, consumption stops. */
    wr32(s, 0x20, 0);
    put_cmd(q, 5, 0x46);
    wr32(s, 0x98, 6);
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 5);
    hook_done(s);
}

/* The GERROR interrupt uses GERROR_IRQ_CFG0/1/2 and is gated by
 * IRQ_CTRL.GERROR_IRQEN (6.3.16, 6.3.21-6.3.23, 3.18). */
static void hook_gerror_irq(void)
{
    struct vsmmu *s = mk_hook("full-v3.2");
    REQUIRE(s);
    uint64_t q = kit_mem_alloc(hook_mem, 16 << 4, 16 << 4);
    wr64(s, 0x90, q | 4);
    wr32(s, 0x98, 0);
    wr32(s, 0x9C, 0);
    wr64(s, 0x68, 0x80040);                /* doorbell */
    wr32(s, 0x70, 0xABCD);                 /* data */
    wr32(s, 0x74, 0x1);                    /* Device-nGnRE, SH=0 */
    wr32(s, 0x50, 0x1);                    /* GERROR_IRQEN */
    CHECK_EQ(rd32(s, 0x54), 0x1);
    wr32(s, 0x20, 0x8);
    unsigned n0 = hook_mem->nmsi;
    put_cmd(q, 0, 0x00);                   /* CERROR_ILL -> CMDQ_ERR */
    wr32(s, 0x98, 1);
    CHECK_EQ(hook_mem->nmsi, n0 + 1);
    if (hook_mem->nmsi == n0 + 1) {
        const struct kit_msi *m = &hook_mem->msi[n0 % KIT_MSI_LOG];
        CHECK_EQ(m->addr, 0x80040);
        CHECK_EQ(m->data, 0xABCD);
        CHECK_EQ(m->attrs, 0x1);
    }
    /* Acknowledge, disable the interrupt, raise the error again: no MSI. */
    put_cmd(q, 0, 0x46);
    wr32(s, 0x64, rd32(s, 0x60));
    CHECK_EQ(rd32(s, 0x9C) & 0xFFFFF, 1);
    wr32(s, 0x50, 0);
    CHECK_EQ(rd32(s, 0x54), 0);
    put_cmd(q, 1, 0x00);
    wr32(s, 0x98, 2);
    CHECK_EQ((rd32(s, 0x60) ^ rd32(s, 0x64)) & 1, 1);
    CHECK_EQ(hook_mem->nmsi, n0 + 1);
    hook_done(s);
}

/* Producers follow CR0ACK: event records are written only while
 * EVENTQEN is acknowledged (6.3.9.4); PRI records only while the effective
 * PRIQEN (PRIQEN && SMMUEN, 6.3.9.5) is. */
static void hook_queue_enables(void)
{
    struct vsmmu *s = mk_hook("full-v3.2");
    REQUIRE(s);
    uint64_t eq = kit_mem_alloc(hook_mem, 32 << 2, 32 << 2);  /* 4 events */
    uint64_t pq = kit_mem_alloc(hook_mem, 16 << 2, 16 << 2);  /* 4 PRI records */
    wr64(s, 0xA0, eq | 2);
    wr64(s, 0xC0, pq | 2);
    const uint64_t ev[4] = { 0x10, 0, 0, 0 };   /* any record: the content is not examined */
    const uint64_t pr[2] = { 0, 0 };
    CHECK(vsmmu_evtq_write(s, ev) != 0);        /* EVENTQEN=0: discarded */
    CHECK_EQ(rd32(s, 0x100A8), 0);
    wr32(s, 0x20, 0x4);
    CHECK_EQ(vsmmu_evtq_write(s, ev), 0);
    CHECK_EQ(rd32(s, 0x100A8), 1);
    CHECK_EQ(kit_r64(hook_mem, eq), 0x10);
    wr32(s, 0x20, 0);
    CHECK(vsmmu_evtq_write(s, ev) != 0);
    CHECK_EQ(rd32(s, 0x100A8), 1);
    /* PRIQEN without SMMUEN: not effective. */
    wr32(s, 0x20, 0x2);
    CHECK(vsmmu_priq_write(s, pr, true) != 0);
    CHECK_EQ(rd32(s, 0x100C8), 0);
    wr32(s, 0x20, 0x3);                         /* SMMUEN | PRIQEN */
    CHECK_EQ(vsmmu_priq_write(s, pr, true), 0);
    CHECK_EQ(rd32(s, 0x100C8), 1);
    wr32(s, 0x20, 0x2);                         /* SMMUEN 1->0: PRI writes stop */
    CHECK(vsmmu_priq_write(s, pr, true) != 0);
    CHECK_EQ(rd32(s, 0x100C8), 1);
    /* PRIQ_PROD is guarded by the actual PRIQEN, not the effective one. */
    wr32(s, 0x100C8, 0);
    CHECK_EQ(rd32(s, 0x100C8), 1);
    wr32(s, 0x20, 0);
    wr32(s, 0x100C8, 0);
    CHECK_EQ(rd32(s, 0x100C8), 0);
    hook_done(s);
}

/* SMMUEN 1->0 calls the stall keeper's hook once, after CR0ACK.SMMUEN is 0
 * (6.3.9.6); other CR0 writes do not. */
static unsigned smmuen_calls, smmuen_ack_seen;

static void on_smmuen_cleared(struct vsmmu *s)
{
    smmuen_calls++;
    smmuen_ack_seen = reg_load(&s->regs.cr0ack);
}

static void hook_smmuen_cleared(void)
{
    struct vsmmu *s = mk("full-v3.2");
    REQUIRE(s);
    s->regs.smmuen_cleared = on_smmuen_cleared;
    smmuen_calls = 0;
    wr32(s, 0x20, 0x1);
    wr32(s, 0x20, 0x5);
    CHECK_EQ(smmuen_calls, 0);
    wr32(s, 0x20, 0x4);                    /* SMMUEN 1->0 */
    CHECK_EQ(smmuen_calls, 1);
    CHECK_EQ(smmuen_ack_seen, 0x4);
    wr32(s, 0x20, 0x0);
    wr32(s, 0x20, 0x0);
    CHECK_EQ(smmuen_calls, 1);
    vsmmu_reset(s);                        /* reset keeps the hook */
    CHECK(s->regs.smmuen_cleared == on_smmuen_cleared);
    vsmmu_destroy(s);
}

int main(void)
{
    RUN(idr_random_configs);
    RUN(config_rules);
    RUN(table_full_v32);
    RUN(table_minimal_v30);
    RUN(idr_full_v32);
    RUN(idr_qemu_v31);
    RUN(idr_minimal_v30);
    RUN(idr_custom);
    RUN(gbpa_protocol);
    RUN(cr1_guards);
    RUN(cr0_res0_fields);
    RUN(queue_indexes);
    RUN(no_page0_alias);
    RUN(gerror_toggle);
    RUN(irq_ctrl_ack);
    RUN(reset_restores);
    RUN(gbpa_update_threads);
    RUN(hook_cmdq);
    RUN(hook_gerror_irq);
    RUN(hook_queue_enables);
    RUN(hook_smmuen_cleared);
    kit_mem_free(g_mem);
    return t_done();
}
