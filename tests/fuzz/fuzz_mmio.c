/* SPDX-License-Identifier: MIT */
/* fuzz_mmio: an arbitrary guest. The input selects a configuration and then
 * runs a program of MMIO writes/reads (any offset, any size), guest memory
 * writes, memory poisoning, resets and device transactions. Everything the
 * guest controls is hostile: every call must return, with the invariants of
 * fuzz_check.c holding after each one.
 *
 * Input format (docs/robustness.md): 4 configuration bytes (fz_config), one
 * byte of harness flags, then operations of one opcode byte each. */
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_format.h"
#include "internal.h"
#include "priq.h"

/* Registers a guest touches, so that most writes land on one. */
static const uint32_t regs[] = {
    SMMU_CR0, SMMU_CR1, SMMU_CR2, SMMU_GBPA, SMMU_IRQ_CTRL, SMMU_GERRORN,
    SMMU_GERROR_IRQ_CFG0, SMMU_GERROR_IRQ_CFG0 + 4, SMMU_GERROR_IRQ_CFG1, SMMU_GERROR_IRQ_CFG2,
    SMMU_STRTAB_BASE, SMMU_STRTAB_BASE + 4, SMMU_STRTAB_BASE_CFG,
    SMMU_CMDQ_BASE, SMMU_CMDQ_BASE + 4, SMMU_CMDQ_PROD, SMMU_CMDQ_CONS,
    SMMU_EVENTQ_BASE, SMMU_EVENTQ_BASE + 4, SMMU_EVENTQ_PROD_ALIAS, SMMU_EVENTQ_CONS_ALIAS,
    SMMU_EVENTQ_IRQ_CFG0, SMMU_EVENTQ_IRQ_CFG1, SMMU_EVENTQ_IRQ_CFG2,
    SMMU_PRIQ_BASE, SMMU_PRIQ_BASE + 4, SMMU_PRIQ_PROD_ALIAS, SMMU_PRIQ_CONS_ALIAS,
    SMMU_PRIQ_IRQ_CFG0, SMMU_PRIQ_IRQ_CFG1, SMMU_PRIQ_IRQ_CFG2,
    SMMU_EVENTQ_PROD, SMMU_EVENTQ_CONS, SMMU_PRIQ_PROD, SMMU_PRIQ_CONS,
    SMMU_IDR0, SMMU_IDR1, SMMU_IDR5, SMMU_CR0ACK, SMMU_GERROR, SMMU_STATUSR, SMMU_AGBPA,
};
#define NREGS (sizeof(regs) / sizeof(regs[0]))


static uint64_t pick_offset(struct fz_in *in)
{
    uint8_t sel = fz_u8(in);
    if (sel < 4 * NREGS)
        return regs[sel % NREGS];
    return fz_u32(in) & 0x1FFFC;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = { data, size };
    struct vsmmu_config cfg;
    fz_config(&in, &cfg);
    uint8_t hflags = fz_u8(&in);
    struct fz_env e;
    fz_env_init(&e, &cfg, hflags & FZH_DIRECT, false);
    if (hflags & FZH_TRACE)
        fz_trace_on(&e);

    unsigned nops = 0;
    while (fz_more(&in) && nops++ < 4096) {
        uint8_t op = fz_u8(&in);
        switch (op % MO_COUNT) {
        case MO_W32: {
            uint64_t off = pick_offset(&in);
            fz_mmio_write(&e, e.s, off, fz_u32(&in), 4);
            break;
        }
        case MO_W64: {
            uint64_t off = pick_offset(&in) & ~7ull;
            fz_mmio_write(&e, e.s, off, fz_u64(&in), 8);
            break;
        }
        case MO_READ: {
            static const unsigned sizes[] = { 4, 8, 1, 2 };
            uint64_t off = pick_offset(&in);
            fz_mmio_read(&e, e.s, off, sizes[op >> 6]);
            break;
        }
        case MO_MEM64: {
            uint64_t pa = (fz_u32(&in) & (FZ_RAM_SIZE - 1)) & ~7ull;
            kit_w64(e.mem, pa, fz_u64(&in));
            break;
        }
        case MO_MEMPTR: {
            /* a descriptor-like word that points into RAM: the fuzzer rarely
             * guesses one from raw 64-bit values */
            uint64_t pa = (fz_u16(&in) & (FZ_RAM_SIZE / 8 - 1)) * 8;
            uint64_t target = (uint64_t)(fz_u16(&in) & (FZ_RAM_SIZE / 64 - 1)) * 64;
            uint64_t attrs = fz_u16(&in);
            uint64_t hi = (uint64_t)fz_u16(&in) << 48;
            kit_w64(e.mem, pa, hi | target | (attrs & 0xFFF) | ((attrs >> 12) & 1));
            break;
        }
        case MO_TXN: {
            struct vsmmu_txn t = { 0 };
            uint8_t f = fz_u8(&in);
            t.sid = (f & 0x80) ? fz_u32(&in) : fz_u8(&in) & 63;
            t.ssid = (f & 0x40) ? fz_u32(&in) : fz_u8(&in) & 7;
            t.addr = (f & 0x20) ? fz_u64(&in) : (uint64_t)fz_u16(&in) << 12;
            t.flags = fz_u8(&in) & 0x3F;
            struct vsmmu_result r;
            fz_translate(&e, e.s, &t, &r);
            break;
        }
        case MO_RESET:
            vsmmu_reset(e.s);
            fz_stalls_clear(&e);
            fz_check_regs(&e, e.s);
            break;
        case MO_POISON: {
            uint8_t b = fz_u8(&in);
            if (b & 0x80)
                kit_mem_unpoison_all(e.mem);
            else
                kit_mem_poison(e.mem, (uint64_t)fz_u16(&in) << 6, 64ull << (b & 15));
            break;
        }
        case MO_SETUP: {
            uint8_t b = fz_u8(&in);
            fz_enable(&e, e.s, b & 7, 1 + ((b >> 3) & 7), 1 + (b >> 6), FZ_EVTQ);
            break;
        }
        case MO_CMD: {
            uint64_t cmd[1][2];
            cmd[0][0] = fz_u64(&in);
            cmd[0][1] = fz_u64(&in);
            fz_cmds(&e, e.s, cmd, 1);
            break;
        }
        case MO_RAW: {
            /* any offset (also outside the window) and any size */
            uint64_t off = fz_u32(&in) % (VSMMU_MMIO_SIZE + 16);
            unsigned sz = fz_u8(&in) % 10;
            if (op & 0x80)
                fz_mmio_write(&e, e.s, off, fz_u64(&in), sz);
            else
                fz_mmio_read(&e, e.s, off, sz);
            break;
        }
        case MO_PRI: {
            /* The PRI producer's entry point (src/priq.h): IHI0070 8.1-8.3.
             * PROD never overruns CONS; while an overflow is active every
             * record is discarded (unlike the event queue). */
            uint64_t rec[2] = { fz_u64(&in), fz_u64(&in) };
            struct vsmmu *s = e.s;
            const struct vsmmu_config *c = vsmmu_get_config(s);
            uint32_t p0 = reg_load(&s->regs.priq_prod), c0 = reg_load(&s->regs.priq_cons);
            unsigned qs = vsmmu_q_log2size(reg_load(&s->regs.priq_base), c->priqs);
            uint64_t a0 = e.accesses;
            int rc = vsmmu_priq_write(s, rec, op & 0x80);
            uint32_t p1 = reg_load(&s->regs.priq_prod);
            if (rc != VSMMU_PRIQ_WRITTEN && rc != VSMMU_PRIQ_OFF && rc != VSMMU_PRIQ_ABT &&
                rc != VSMMU_PRIQ_OVERFLOW)
                fz_fail("vsmmu_priq_write returned %d", rc);
            if (!e.direct && e.accesses - a0 > 8)
                fz_fail("vsmmu_priq_write made %llu host accesses",
                        (unsigned long long)(e.accesses - a0));
            uint32_t pm = (2u << qs) - 1;
            uint32_t used = (p0 - c0) & pm, moved = (p1 - p0) & pm;
            if (moved != (rc == VSMMU_PRIQ_WRITTEN ? 1u : 0u) && used <= (1u << qs))
                fz_fail("PRIQ_PROD moved by %u for status %d", moved, rc);
            if (rc == VSMMU_PRIQ_WRITTEN && used >= (1u << qs))
                fz_fail("PRI record written into a full queue");
            if (((p0 ^ c0) >> 31) && rc == VSMMU_PRIQ_WRITTEN)
                fz_fail("PRI record written while an overflow is active");
            if (p1 & 0x7FF00000u)
                fz_fail("PRIQ_PROD RES0 bits set: 0x%08x", p1);
            fz_check_regs(&e, s);
            break;
        }
        }
    }
    fz_env_fini(&e);
    return 0;
}
