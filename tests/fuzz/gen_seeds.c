/* SPDX-License-Identifier: MIT */
/* fuzz-seeds: writes a small seed corpus for each fuzz target into
 * <dir>/fuzz_mmio, <dir>/fuzz_cmdq and <dir>/fuzz_tables.
 *
 * The seeds encode the fixed scenario (fz_scenario: bypass, stage 1,
 * stage 2, nested, abort, invalid, stall/HTTU streams) and the guest
 * sequences the scenario and unit tests use (enable, CFGI/TLBI/SYNC,
 * transactions of every kind, GBPA bypass), for every configuration
 * profile, in each target's input format (fuzz_format.h).
 * Usage: fuzz-seeds <dir> */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "fuzz_format.h"
#include "internal.h"
#include "drv.h"
#include "cmd.h"
#include "ptb.h"
#include "stecd.h"
#include "spec/pte.h"

struct buf {
    uint8_t b[16384];
    size_t n;
};

static void u8(struct buf *b, unsigned v)
{
    if (b->n < sizeof(b->b))
        b->b[b->n++] = (uint8_t)v;
}
static void u16(struct buf *b, unsigned v) { u8(b, v & 0xFF); u8(b, v >> 8); }
static void u32(struct buf *b, uint32_t v) { u16(b, v & 0xFFFF); u16(b, v >> 16); }
static void u64(struct buf *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }

static const char *outdir;

static void save(const char *target, const char *name, const struct buf *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", outdir, target);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->b, 1, b->n, f) != b->n) {
        fprintf(stderr, "fuzz-seeds: cannot write %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fclose(f);
}

/* Configuration prefix: profile index, no tweaks, capacity byte, flags. */
static void header(struct buf *b, unsigned profile, uint8_t cap, uint8_t hflags)
{
    b->n = 0;
    u8(b, profile);
    u8(b, 0);
    u8(b, 0);
    u8(b, cap);
    u8(b, hflags);
}

/* The scenario's memory contents, as MO_MEM64 operations (fuzz_mmio). */
static void scenario_as_mem_ops(struct buf *b, unsigned profile)
{
    struct fz_in in = { (const uint8_t[]){ (uint8_t)profile, 0, 0, 0 }, 4 };
    struct vsmmu_config cfg;
    fz_config(&in, &cfg);
    struct fz_env e;
    fz_env_init(&e, &cfg, false, false);
    fz_scenario(&e);
    for (uint64_t pa = 0; pa < FZ_DATA; pa += 8) {
        uint64_t v = kit_r64(e.mem, pa);
        if (!v)
            continue;
        u8(b, MO_MEM64);
        u32(b, (uint32_t)pa);
        u64(b, v);
    }
    fz_env_fini(&e);
}

static void mmio_w32(struct buf *b, uint32_t off, uint32_t v)
{
    u8(b, MO_W32);
    u8(b, 0xFF);          /* raw offset follows */
    u32(b, off);
    u32(b, v);
}

static void mmio_txn(struct buf *b, uint32_t sid, uint32_t ssid, uint64_t addr, uint8_t flags)
{
    u8(b, MO_TXN);
    u8(b, 0xE0);          /* 32-bit sid, 32-bit ssid, 64-bit address */
    u32(b, sid);
    u32(b, ssid);
    u64(b, addr);
    u8(b, flags);
}

static void seeds_mmio(unsigned np)
{
    struct buf b;
    char name[64];
    for (unsigned p = 0; p < np; p++) {
        /* scenario + enable + one transaction of each kind per stream */
        header(&b, p, 0x30, 0);
        scenario_as_mem_ops(&b, p);
        u8(&b, MO_SETUP);
        u8(&b, 6 | 3 << 3 | 1 << 6);
        for (uint32_t sid = 0; sid < FZ_SCN_SIDS; sid++)
            for (unsigned k = 0; k < 4; k++)
                mmio_txn(&b, sid, 0, 0x1000ull * k + 0x10, k == 3 ? VSMMU_TXN_WRITE : 0);
        mmio_txn(&b, 1, 1, 0x10, VSMMU_TXN_SSV);
        mmio_txn(&b, 70, 0, 0x10, 0);
        snprintf(name, sizeof(name), "scenario-p%u", p);
        save("fuzz_mmio", name, &b);

        /* GBPA bypass and abort with SMMUEN=0 (IHI0070 6.3.9), traced */
        header(&b, p, 0, FZH_TRACE);
        mmio_w32(&b, SMMU_GBPA, (uint32_t)GBPA_UPDATE);
        mmio_txn(&b, 3, 0, 0x1234, 0);
        mmio_w32(&b, SMMU_GBPA, (uint32_t)(GBPA_UPDATE | GBPA_ABORT));
        mmio_txn(&b, 3, 0, 0x1234, VSMMU_TXN_WRITE);
        snprintf(name, sizeof(name), "gbpa-p%u", p);
        save("fuzz_mmio", name, &b);

        /* commands after enable: CFGI_STE, TLBI_NH_ASID, CMD_SYNC with MSI,
         * an illegal opcode, then GERRORN acknowledge */
        header(&b, p, 0x30, 0);
        scenario_as_mem_ops(&b, p);
        u8(&b, MO_SETUP);
        u8(&b, 6 | 3 << 3);
        static const uint64_t cmds[][2] = {
            { 0x03 | 1ull << 32, 0 },                 /* CFGI_STE sid 1, Leaf 0 */
            { 0x11 | 1ull << 48, 0 },                 /* TLBI_NH_ASID 1 */
            { 0x46 | 1ull << 12 | 0x1234ull << 32, FZ_MSI + 0x40 }, /* SYNC CS=IRQ */
            { 0x00, 0 },                              /* reserved: CERROR_ILL */
        };
        for (unsigned i = 0; i < 4; i++) {
            u8(&b, MO_CMD);
            u64(&b, cmds[i][0]);
            u64(&b, cmds[i][1]);
        }
        mmio_w32(&b, SMMU_GERRORN, 1);
        mmio_txn(&b, 1, 0, 0x10, 0);
        snprintf(name, sizeof(name), "commands-p%u", p);
        save("fuzz_mmio", name, &b);

        /* PRI records past a full 16-entry PRI queue (overflow), then the
         * overflow acknowledged (PRIQ_CONS = PROD with OVACKFLG) */
        header(&b, p, 0x30, 0);
        u8(&b, MO_SETUP);
        u8(&b, 6 | 3 << 3);
        for (unsigned i = 0; i < 20; i++) {
            u8(&b, MO_PRI | (i % 4 == 3 ? 0x80 : 0));
            u64(&b, 1 | 1ull << 60 | (i % 4 == 3 ? 1ull << 62 : 0));   /* sid 1, Read */
            u64(&b, (uint64_t)i << 12 | (i / 4));                       /* addr, PRGIndex */
        }
        mmio_w32(&b, SMMU_PRIQ_CONS, 0x80000010u);
        u8(&b, MO_PRI | 0x80);
        u64(&b, 1 | 1ull << 60 | 1ull << 62);
        u64(&b, 0x9000);
        snprintf(name, sizeof(name), "pri-p%u", p);
        save("fuzz_mmio", name, &b);
    }
}

static void tables_txn(struct buf *b, unsigned sid, unsigned ssid, unsigned page, uint8_t flags)
{
    u8(b, TO_TXN);
    u8(b, 0x00);          /* scenario sid, small ssid, page address */
    u8(b, sid);
    u8(b, ssid);
    u8(b, page);
    u16(b, 0x18);
    u8(b, flags);
}

static void seeds_tables(unsigned np)
{
    struct buf b;
    char name[64];
    for (unsigned p = 0; p < np; p++) {
        for (unsigned st2l = 0; st2l < 3; st2l++) {
            header(&b, p, 0x05, st2l == 1 ? FZH_ST2L | FZH_TRACE : st2l == 2 ? FZH_ACCEL : 0);
            for (unsigned sid = 0; sid < FZ_SCN_SIDS; sid++)
                for (unsigned pg = 0; pg < 5; pg++)
                    tables_txn(&b, sid, 1, pg, pg == 3 || pg == 4 ? VSMMU_TXN_WRITE : 0);
            tables_txn(&b, 1, 1, 0, VSMMU_TXN_SSV);
            tables_txn(&b, 3, 2, 0, VSMMU_TXN_SSV | VSMMU_TXN_PRIV);
            tables_txn(&b, 1, 0, 0, VSMMU_TXN_EXEC);
            /* stalls: stage-1 permission faults on a read-only page of the
             * stall CD (sid 6), stage-2 ones on the read-only block (sid 7) */
            for (unsigned k = 0; k < 3; k++)
                tables_txn(&b, 6, 0, 1, VSMMU_TXN_WRITE);
            u8(&b, TO_TXN); u8(&b, 0x30); u8(&b, 7); u8(&b, 0); u64(&b, 0x600040);
            u8(&b, VSMMU_TXN_WRITE);
            /* block mapping and the 1 GiB block outside the stage-2 map */
            u8(&b, TO_TXN); u8(&b, 0x10); u8(&b, 1); u8(&b, 0); u16(&b, 0x100); u8(&b, 0);
            u8(&b, TO_TXN); u8(&b, 0x20); u8(&b, 3); u8(&b, 0); u32(&b, 0x1000); u8(&b, 0);
            /* unmap page 0 at L3, invalidate, translate again */
            u8(&b, TO_DESC); u8(&b, 2); u16(&b, 0); u8(&b, 0); u8(&b, 0); u16(&b, 0); u16(&b, 0);
            u8(&b, TO_INVAL);
            tables_txn(&b, 1, 0, 0, 0);
            tables_txn(&b, 3, 0, 0, 0);
            /* nested STE: stage-2 T0SZ field set to 16 (DW2[37:32]) */
            u8(&b, TO_STE | (3 << 4)); u8(&b, 3); u8(&b, 2); u8(&b, 2); u8(&b, 32); u8(&b, 5);
            u64(&b, 16);
            u8(&b, TO_INVAL);
            tables_txn(&b, 3, 0, 1, 0);
            snprintf(name, sizeof(name), "scenario-p%u%s", p,
                     st2l == 1 ? "-2lvl" : st2l == 2 ? "-accel" : "");
            save("fuzz_tables", name, &b);
        }
    }
}

static void cmdq_cmd(struct buf *b, uint64_t dw0, uint64_t dw1, uint8_t ctl)
{
    u8(b, CO_CMD);
    u8(b, 0xF0);          /* opcode from the low byte of dw0 */
    u8(b, ctl);
    u64(b, dw0);
    u64(b, dw1);
}

static void seeds_cmdq(unsigned np)
{
    struct buf b;
    char name[64];
    /* one of each architected command, with the scenario's StreamIDs */
    static const uint64_t cmds[][2] = {
        { 0x01 | 1ull << 32, 0 },                      /* PREFETCH_CONFIG sid 1 */
        { 0x02 | 1ull << 32, 0x1000 },                 /* PREFETCH_ADDR */
        { 0x03 | 3ull << 32, 1 },                      /* CFGI_STE leaf */
        { 0x04 | 0ull << 32, 3 },                      /* CFGI_STE_RANGE 8 SIDs */
        { 0x05 | 1ull << 32 | 1ull << 11 | 1ull << 12, 1 }, /* CFGI_CD ssid 1 */
        { 0x06 | 1ull << 32, 0 },                      /* CFGI_CD_ALL */
        { 0x10, 0 },                                   /* TLBI_NH_ALL */
        { 0x11 | 1ull << 48, 0 },                      /* TLBI_NH_ASID 1 */
        { 0x12 | 1ull << 48, 0x1000 | 1 },             /* TLBI_NH_VA leaf */
        { 0x13, 0x2000 },                              /* TLBI_NH_VAA */
        { 0x20, 0 },                                   /* TLBI_EL2_ALL */
        { 0x28 | 1ull << 32, 0 },                      /* TLBI_S12_VMALL vmid 1 */
        { 0x2A | 1ull << 32, 0x1000 },                 /* TLBI_S2_IPA */
        { 0x30, 0 },                                   /* TLBI_NSNH_ALL */
        { 0x40 | 1ull << 32, 52 },                     /* ATC_INV whole space */
        { 0x41 | 1ull << 32, 2ull << 12 },             /* PRI_RESP success */
        { 0x45 | 6ull << 32, 0 },                      /* STALL_TERM sid 6 */
        { 0x46 | 1ull << 12 | 0xABCDull << 32, FZ_MSI + 0x40 }, /* SYNC IRQ/MSI */
        { 0x46 | 2ull << 12, 0 },                      /* SYNC SEV */
    };
    const unsigned n = sizeof(cmds) / sizeof(cmds[0]);
    for (unsigned p = 0; p < 2 * np; p++) {
        /* 2^6 commands; the second round in accelerated mode */
        header(&b, p % np, 0x30, 0x40 | (p >= np ? FZH_ACCEL : 0));
        for (unsigned sid = 0; sid < FZ_SCN_SIDS; sid++) {
            u8(&b, CO_TXN); u8(&b, sid); u8(&b, 0); u8(&b, 1); u8(&b, 0);
        }
        for (unsigned i = 0; i < n; i++)
            cmdq_cmd(&b, cmds[i][0], cmds[i][1], 0);
        u8(&b, CO_PUBLISH);
        u8(&b, CO_ACK);
        u8(&b, CO_PUBLISH);
        u8(&b, CO_ACK);
        u8(&b, CO_PUBLISH);
        /* a stall, resumed with retry; two more, terminated by STALL_TERM */
        u8(&b, CO_TXN); u8(&b, 6); u8(&b, 0); u8(&b, 1); u8(&b, VSMMU_TXN_WRITE);
        cmdq_cmd(&b, 0x44, 0, 0x40 | 0);
        cmdq_cmd(&b, 0x46, 0, 0);
        u8(&b, CO_PUBLISH);
        u8(&b, CO_TXN); u8(&b, 6); u8(&b, 0); u8(&b, 5); u8(&b, VSMMU_TXN_WRITE);
        u8(&b, CO_TXN); u8(&b, 6); u8(&b, 0); u8(&b, 9); u8(&b, VSMMU_TXN_WRITE);
        cmdq_cmd(&b, 0x45 | 6ull << 32, 0, 0);
        cmdq_cmd(&b, 0x46, 0, 0);
        u8(&b, CO_PUBLISH);
        u8(&b, CO_TXN); u8(&b, 6); u8(&b, 0); u8(&b, 1); u8(&b, VSMMU_TXN_WRITE);
        u8(&b, CO_DRAIN);
        u8(&b, CO_CHECK);
        /* disable/enable around a full queue */
        for (unsigned i = 0; i < 64; i++)
            cmdq_cmd(&b, 0x46, 0, 0);
        u8(&b, CO_CMDQEN); u8(&b, 1);
        u8(&b, CO_PUBLISH);
        u8(&b, CO_CMDQEN); u8(&b, 0);
        u8(&b, CO_CHECK);
        snprintf(name, sizeof(name), "commands-p%u%s", p % np, p >= np ? "-accel" : "");
        save("fuzz_cmdq", name, &b);
    }
}

static void seeds_walk(unsigned np)
{
    struct buf b;
    char name[64];
    for (unsigned p = 0; p < np; p++) {
        for (unsigned stages = 1; stages <= 3; stages++) {
            header(&b, p, 0, 0);
            u8(&b, stages);
            /* stage 1 (fz_scenario): 4K, T0SZ 25, TTB0 slot 0; TTB1 EPD */
            u16(&b, 5);                                 /* IPS 48, flags 0 */
            u8(&b, 0); u8(&b, 25 - 12); u8(&b, 0);
            u8(&b, 4); u8(&b, 25 - 12); u8(&b, 0);
            u8(&b, 0);                                  /* MAIR1 */
            /* stage 2: 4K, SL0 1, T0SZ 25, PS 40, TTB slot 8 */
            u8(&b, 1 << 2 | 2 << 4); u8(&b, 25 - 12); u8(&b, 0); u8(&b, 8);
            for (unsigned pg = 0; pg < 16; pg++) {
                u8(&b, 2); u8(&b, 0x18); u16(&b, pg); u8(&b, pg & 1 ? VSMMU_TXN_WRITE : 0);
                u8(&b, 2); u8(&b, 0x58); u16(&b, pg); u8(&b, VSMMU_TXN_PRIV);
            }
            u8(&b, 2); u8(&b, 0); u16(&b, 0x200); u8(&b, 0);      /* 2 MiB block */
            u8(&b, 2); u8(&b, 0); u16(&b, 0x40000 >> 0); u8(&b, 0);
            snprintf(name, sizeof(name), "stages%u-p%u", stages, p);
            save("fuzz_walk", name, &b);
        }
    }
}

/* ---- recorded guest: the mini Linux driver of the scenario tests -------------------
 * kit/drv probes and resets the SMMU exactly as the scenario tests do; a
 * trace hook turns every MMIO write into a fuzz_mmio operation, preceded by
 * the guest memory words that changed since the previous write (so the
 * replay sees the same tables and queue contents). */

struct rec {
    struct buf *b;
    struct kit_mem *m;
    uint8_t *shadow;
};

static void rec_mem(struct rec *r)
{
    const uint8_t *cur = r->m->r[0].p;
    for (uint64_t pa = 0; pa < FZ_RAM_SIZE; pa += 8) {
        if (!memcmp(cur + pa, r->shadow + pa, 8))
            continue;
        memcpy(r->shadow + pa, cur + pa, 8);
        uint64_t v;
        memcpy(&v, cur + pa, 8);
        u8(r->b, MO_MEM64);
        u32(r->b, (uint32_t)pa);
        u64(r->b, v);
    }
}

static void rec_trace(void *o, const struct vsmmu_trace_rec *t)
{
    struct rec *r = o;
    if (t->kind != VSMMU_TR_MMIO_WRITE)
        return;
    rec_mem(r);
    u8(r->b, t->a2 == 8 ? MO_W64 : MO_W32);
    u8(r->b, 0xFF);                           /* raw offset follows */
    u32(r->b, (uint32_t)t->a0);
    if (t->a2 == 8)
        u64(r->b, t->a1);
    else
        u32(r->b, (uint32_t)t->a1);
}

static void seeds_recorded(unsigned np)
{
    static struct buf b;
    char name[64];
    for (unsigned p = 0; p < np; p++) {
        header(&b, p, 0x30, 0);
        struct fz_in in = { (const uint8_t[]){ (uint8_t)p, 0, 0, 0x30 }, 4 };
        struct vsmmu_config cfg;
        fz_config(&in, &cfg);
        struct fz_env e;
        fz_env_init(&e, &cfg, false, false);
        struct rec r = { &b, e.mem, calloc(1, FZ_RAM_SIZE) };
        vsmmu_set_trace(e.s, rec_trace, &r);
        struct kit_drv d;
        struct kit_drv_opts o;
        kit_drv_default_opts(&o);
        if (kit_drv_probe(&d, e.s, e.mem) == 0 && kit_drv_reset(&d, &o) == 0) {
            /* stage-1 tables (4K, 39-bit VA) mapping VA 0x10000 -> a page,
             * one CD, STEs: sid 1 stage 1, sid 2 bypass */
            struct kit_ptb pt;
            uint64_t page = kit_mem_alloc(e.mem, 0x1000, 0x1000);
            uint64_t cdpa = kit_mem_alloc(e.mem, 64, 64);
            if (kit_ptb_init_s1(&pt, e.mem, 12, 25) == 0 &&
                kit_ptb_map(&pt, 0x10000, page, 0x1000, 3,
                            PTE_AF | FIELD_PREP(PTE_SH, 3) | FIELD_PREP(PTE_AP, 1)) == 0) {
                struct kit_cd c;
                kit_cd_s1(&c, kit_ptb_ttb(&pt), 39, 5);
                uint64_t dw[8];
                kit_cd_encode(&c, dw);
                kit_write8(e.mem, cdpa, dw);
                struct kit_ste st;
                kit_ste_s1(&st, cdpa);
                kit_ste_encode(&st, dw);
                kit_drv_install_ste(&d, 1, dw);
                memset(&st, 0, sizeof(st));
                st.v = true;
                st.config = KIT_CFG_BYPASS;
                kit_ste_encode(&st, dw);
                kit_drv_install_ste(&d, 2, dw);
                uint64_t cmd[2];
                kit_cmd_tlbi_nh_asid(cmd, 0, 5);
                kit_drv_cmd(&d, cmd);
            }
        }
        rec_mem(&r);
        vsmmu_set_trace(e.s, NULL, NULL);
        for (uint32_t sid = 0; sid < 4; sid++) {
            mmio_txn(&b, sid, 0, 0x10123, 0);
            mmio_txn(&b, sid, 0, 0x10123, VSMMU_TXN_WRITE);
            mmio_txn(&b, sid, 0, 0x20000, 0);
        }
        free(r.shadow);
        fz_env_fini(&e);
        snprintf(name, sizeof(name), "linux-driver-p%u", p);
        save("fuzz_mmio", name, &b);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz-seeds <dir>\n");
        return 2;
    }
    outdir = argv[1];
    mkdir(outdir, 0755);
    unsigned np = 0;
    for (const char *const *n = vsmmu_profile_names(); *n; n++)
        np++;
    seeds_mmio(np);
    seeds_tables(np);
    seeds_cmdq(np);
    seeds_walk(np);
    seeds_recorded(np);
    /* fuzz_config: each profile as it is */
    for (unsigned p = 0; p < np; p++) {
        static struct buf b;
        char name[32];
        b.n = 0;
        u8(&b, p);
        snprintf(name, sizeof(name), "profile-p%u", p);
        save("fuzz_config", name, &b);
    }
    return 0;
}
