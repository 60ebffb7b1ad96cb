/* SPDX-License-Identifier: MIT */
/* Shared harness of the libFuzzer targets (see fuzz_common.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"
#include "ptb.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"

/* ---- input reader ---------------------------------------------------------- */

uint8_t fz_u8(struct fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

uint16_t fz_u16(struct fz_in *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

uint32_t fz_u32(struct fz_in *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("INVARIANT VIOLATED: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- configuration ----------------------------------------------------------- */

void fz_config(struct fz_in *in, struct vsmmu_config *cfg)
{
    const char *const *names = vsmmu_profile_names();
    unsigned np = 0;
    while (names[np])
        np++;
    uint8_t pick = fz_u8(in);
    uint8_t f1 = fz_u8(in), f2 = fz_u8(in), cap = fz_u8(in);
    const char *name = np ? names[pick % np] : NULL;
    if (!name || vsmmu_config_profile(cfg, name))
        vsmmu_config_default(cfg);
    struct vsmmu_config base = *cfg;

    /* Model capacities: tiny caches force eviction paths; a small batch
     * bounds each MMIO call (and exercises resumption on the next one). */
    static const uint32_t tlb_sizes[] = { 0, 1, 16, 1024 };
    cfg->tlb_entries = tlb_sizes[cap & 3];
    cfg->cfg_entries = tlb_sizes[(cap >> 2) & 3];
    cfg->cmdq_batch = 1u + ((cap >> 4) & 15u) * 4u;

    /* Feature tweaks; an inconsistent combination falls back below. */
    if (f1 & 0x01) cfg->stall_model = (enum vsmmu_stall_model)((f2 & 3) % 3);
    if (f1 & 0x02) cfg->term_model = !cfg->term_model;
    if (f1 & 0x04) cfg->httu = (enum vsmmu_httu)(((f2 >> 2) & 3) % 3);
    if (f1 & 0x08) cfg->cd2l = !cfg->cd2l;
    if (f1 & 0x10) cfg->st2l = !cfg->st2l;
    if (f1 & 0x20) {
        static const unsigned oas[] = { 32, 36, 40, 42, 44, 48, 52, 48 };
        cfg->oas_bits = oas[(f2 >> 4) & 7];
    }
    if (f1 & 0x40) {
        cfg->sidsize = (f2 & 0x80) ? 32 : 6 + (f2 & 7);
        cfg->ssidsize = (f2 & 0x40) ? 20 : (f2 >> 3) & 7;
    }
    if (f1 & 0x80) {
        cfg->gran4k = !(f2 & 1);
        cfg->gran16k = !!(f2 & 2);
        cfg->gran64k = !!(f2 & 4);
    }
    if (vsmmu_config_check(cfg, NULL, 0) != VSMMU_OK) {
        uint32_t t = cfg->tlb_entries, c = cfg->cfg_entries, b = cfg->cmdq_batch;
        *cfg = base;
        cfg->tlb_entries = t;
        cfg->cfg_entries = c;
        cfg->cmdq_batch = b;
        if (vsmmu_config_check(cfg, NULL, 0) != VSMMU_OK)
            *cfg = base;
    }
}

/* ---- counting host ops ---------------------------------------------------------- */

static int c_read(void *o, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct fz_env *e = o;
    e->accesses++;
    if (len == 0 || len > 64)
        fz_fail("host read of %zu bytes at 0x%llx (kind %d)", len, (unsigned long long)pa, k);
    if ((unsigned)k > VSMMU_MEM_OTHER)
        fz_fail("host read with invalid kind %d", k);
    if ((k == VSMMU_MEM_STE || k == VSMMU_MEM_CD || k == VSMMU_MEM_PTW) &&
        pa + len > FZ_CMDQ && pa < FZ_L1STD)
        e->aliased = true;
    return e->kit.read(e->mem, pa, buf, len, k);
}

static int c_write(void *o, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct fz_env *e = o;
    e->accesses++;
    if (len == 0 || len > 64)
        fz_fail("host write of %zu bytes at 0x%llx (kind %d)", len, (unsigned long long)pa, k);
    if ((unsigned)k > VSMMU_MEM_OTHER)
        fz_fail("host write with invalid kind %d", k);
    if (k == VSMMU_MEM_PTW)
        e->ptw_writes++;
    if (pa < e->watch_hi && pa + len > e->watch_lo)
        e->watch_hit = true;
    return e->kit.write(e->mem, pa, buf, len, k);
}

static int c_cas(void *o, uint64_t pa, uint64_t *exp, uint64_t des)
{
    struct fz_env *e = o;
    e->accesses++;
    if (pa & 7)
        fz_fail("host CAS at unaligned 0x%llx", (unsigned long long)pa);
    e->ptw_writes++;
    return e->kit.cas64(e->mem, pa, exp, des);
}

static int c_msi(void *o, uint64_t addr, uint32_t data, uint32_t attrs)
{
    struct fz_env *e = o;
    e->accesses++;
    if (addr < e->watch_hi && addr + 4 > e->watch_lo)
        e->watch_hit = true;
    return e->kit.msi(e->mem, addr, data, attrs);
}

static void c_irq(void *o, enum vsmmu_irq_line line)
{
    struct fz_env *e = o;
    if ((unsigned)line >= VSMMU_IRQ_COUNT)
        fz_fail("irq on invalid line %d", line);
    /* IHI0070 6.3.12: IRQ_CTRL gates the EVTQ, PRIQ and GERROR interrupts
     * (not the CMD_SYNC completion signal). */
    if (e->cur && line != VSMMU_IRQ_CMD_SYNC) {
        uint32_t bit = line == VSMMU_IRQ_EVTQ ? IRQ_CTRL_EVENTQ_IRQEN
                     : line == VSMMU_IRQ_PRIQ ? IRQ_CTRL_PRIQ_IRQEN : IRQ_CTRL_GERROR_IRQEN;
        if (!(reg_load(&e->cur->regs.irq_ctrlack) & bit))
            fz_fail("interrupt line %d pulsed with IRQ_CTRLACK 0x%x", line,
                    reg_load(&e->cur->regs.irq_ctrlack));
    }
    e->kit.irq(e->mem, line);
}

static void c_sev(void *o)
{
    struct fz_env *e = o;
    e->kit.sev(e->mem);
}

void fz_env_init(struct fz_env *e, const struct vsmmu_config *cfg, bool direct, bool twin)
{
    memset(e, 0, sizeof(*e));
    e->cfg = *cfg;
    e->direct = direct;
    e->verbose = getenv("FZ_VERBOSE") != NULL;
    e->mem = kit_mem_new();
    if (!e->mem || kit_mem_add(e->mem, FZ_RAM_BASE, FZ_RAM_SIZE))
        fz_fail("cannot allocate guest memory");
    kit_mem_ops(e->mem, &e->kit, direct);
    e->ops = e->kit;
    e->ops.opaque = e;
    e->ops.read = c_read;
    e->ops.write = c_write;
    e->ops.cas64 = c_cas;
    e->ops.msi = c_msi;
    e->ops.irq = c_irq;
    e->ops.sev = c_sev;
    char err[256];
    int rc = vsmmu_create(cfg, &e->ops, &e->s, err, sizeof(err));
    if (rc)
        fz_fail("vsmmu_create refused a checked configuration: %s", err);
    if (twin) {
        struct vsmmu_config tc = *cfg;
        tc.tlb_entries = 0;
        tc.cfg_entries = 0;
        rc = vsmmu_create(&tc, &e->ops, &e->twin, err, sizeof(err));
        if (rc)
            fz_fail("vsmmu_create (twin): %s", err);
    }
    fz_capture_ids(e);
}

static void trace_check(void *o, const struct vsmmu_trace_rec *r)
{
    (void)o;
    if ((unsigned)r->kind > VSMMU_TR_IRQ)
        fz_fail("trace record of kind %d", r->kind);
    if (r->nraw > 8)
        fz_fail("trace record with %u raw words", r->nraw);
    if (r->msg && strnlen(r->msg, 4096) == 4096)
        fz_fail("trace message not terminated within 4096 bytes");
    volatile uint64_t sink = 0;
    for (unsigned i = 0; i < r->nraw; i++)
        sink ^= r->raw[i];          /* ASan: the record is readable */
    (void)sink;
}

void fz_trace_on(struct fz_env *e)
{
    vsmmu_set_trace(e->s, trace_check, e);
    if (e->twin)
        vsmmu_set_trace(e->twin, trace_check, e);
}

void fz_capture_ids(struct fz_env *e)
{
    for (unsigned i = 0; i < 6; i++)
        e->idr[i] = (uint32_t)fz_mmio_read(e, e->s, SMMU_IDR0 + 4 * i, 4);
    e->iidr = (uint32_t)fz_mmio_read(e, e->s, SMMU_IIDR, 4);
    e->aidr = (uint32_t)fz_mmio_read(e, e->s, SMMU_AIDR, 4);
}

/* Counters agree with what the harness did (vsmmu_get_stats). */
static void check_stats(struct fz_env *e)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(e->s, &st);
    uint64_t n = 0;
    for (unsigned i = 0; i < 256; i++)
        n += st.cmd_by_opcode[i];
    if (n != st.commands)
        fz_fail("stats: cmd_by_opcode sums to %llu, commands %llu", (unsigned long long)n,
                (unsigned long long)st.commands);
    if (st.translations < e->ntranslate)
        fz_fail("stats: %llu translations counted, %llu made", (unsigned long long)st.translations,
                (unsigned long long)e->ntranslate);
    if (st.faults > st.translations)
        fz_fail("stats: %llu faults in %llu translations", (unsigned long long)st.faults,
                (unsigned long long)st.translations);
}

void fz_env_fini(struct fz_env *e)
{
    e->nchecks = 0;
    if (e->s) {
        fz_check_regs(e, e->s);
        check_stats(e);
    }
    vsmmu_destroy(e->twin);
    vsmmu_destroy(e->s);
    kit_mem_free(e->mem);
    memset(e, 0, sizeof(*e));
}

/* ---- invariants -------------------------------------------------------------------- */

bool fz_event_type_valid(unsigned t)
{
    /* IHI0070 7.3: architected event numbers, plus the IMPDEF range. */
    switch (t) {
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07:
    case 0x08: case 0x09: case 0x0A: case 0x0B:
    case 0x10: case 0x11: case 0x12: case 0x13:
    case 0x20: case 0x21: case 0x24: case 0x25:
        return true;
    default:
        return t >= 0xE0 && t <= 0xEF;
    }
}

static uint32_t rd32(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(s, off, 4, &v) != VSMMU_OK)
        fz_fail("MMIO read of 0x%llx failed", (unsigned long long)off);
    return (uint32_t)v;
}

static uint64_t rd64(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(s, off, 8, &v) != VSMMU_OK)
        fz_fail("MMIO read of 0x%llx failed", (unsigned long long)off);
    return v;
}

struct qsnap {
    uint32_t cprod, ccons, eprod, econs;
    unsigned cqs, eqs;
    uint64_t ebase;
    uint32_t cr0ack, gerror, gerr_active;
};

/* Snapshot of the queue state. Read from the register file directly (the
 * architectural state behind the MMIO decoder, src/regs.h) to keep the
 * harness cheap; fz_check_regs covers the MMIO view. */
static void snap(struct fz_env *e, struct vsmmu *s, struct qsnap *q)
{
    (void)e;
    const struct vsmmu_config *c = &s->cfg;
    q->cprod = reg_load(&s->regs.cmdq_prod);
    q->ccons = reg_load(&s->regs.cmdq_cons);
    q->eprod = reg_load(&s->regs.eventq_prod);
    q->econs = reg_load(&s->regs.eventq_cons);
    q->ebase = reg_load(&s->regs.eventq_base);
    q->cqs = vsmmu_q_log2size(reg_load(&s->regs.cmdq_base), c->cmdqs);
    q->eqs = vsmmu_q_log2size(q->ebase, c->eventqs);
    q->cr0ack = reg_load(&s->regs.cr0ack);
    q->gerror = reg_load(&s->regs.gerror);
    q->gerr_active = q->gerror ^ reg_load(&s->regs.gerrorn);
}

static bool overlaps(uint64_t off, unsigned size, uint64_t reg, unsigned rsize)
{
    return off < reg + rsize && reg < off + size;
}

/* The SMMU-driven moves of the queue indices between two snapshots.
 * IHI0070 3.5 / 6.3.2x: the consumer never passes the producer; the
 * producer of an output queue never overwrites unconsumed entries. */
static void check_queue_moves(struct fz_env *e, struct vsmmu *s, const struct qsnap *a,
                              const struct qsnap *b, bool cmdq_sw, bool evtq_sw,
                              bool prod_written)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    if (b->ccons & 0x80F00000u)
        fz_fail("CMDQ_CONS RES0 bits set: 0x%08x", b->ccons);
    if (b->eprod & 0x7FF00000u)
        fz_fail("EVENTQ_PROD RES0 bits set: 0x%08x", b->eprod);
    if (!cmdq_sw && a->cqs == b->cqs) {
        uint32_t pm = (2u << b->cqs) - 1;
        uint32_t moved = (b->ccons - a->ccons) & pm;
        uint32_t avail = (b->cprod - a->ccons) & pm;
        if (moved > avail)
            fz_fail("CMDQ_CONS passed CMDQ_PROD: cons 0x%x -> 0x%x, prod 0x%x (QS %u)",
                    a->ccons, b->ccons, b->cprod, b->cqs);
        /* Consumption completes within the call when nothing stops it
         * (an error, disable) and the batch limit does not apply. */
        if (prod_written && (b->cr0ack & CR0_CMDQEN) && !(b->gerr_active & GERROR_CMDQ_ERR) &&
            avail <= (1u << b->cqs) && avail <= c->cmdq_batch && moved != avail &&
            !(b->cprod >> (b->cqs + 1) & 0xFFFFF))
            fz_fail("CMDQ stopped without an error: cons 0x%x -> 0x%x, prod 0x%x",
                    a->ccons, b->ccons, b->cprod);
    }
    /* The SMMU activated CMDQ_ERR (toggled GERROR; a guest GERRORN toggle
     * only makes it look active): CONS.ERR is written first (6.3.18). */
    if ((a->gerror ^ b->gerror) & GERROR_CMDQ_ERR) {
        unsigned err = (unsigned)FIELD_GET(CMDQ_CONS_ERR, b->ccons);
        if (err < CERROR_ILL || err > CERROR_ATC_INV_SYNC)
            fz_fail("CMDQ_ERR active with CMDQ_CONS.ERR = %u", err);
    }
    if (!evtq_sw && a->eqs == b->eqs && a->ebase == b->ebase) {
        uint32_t pm = (2u << b->eqs) - 1;
        uint32_t used = (a->eprod - b->econs) & pm;
        uint32_t moved = (b->eprod - a->eprod) & pm;
        if (used <= (1u << b->eqs) && moved > (1u << b->eqs) - used)
            fz_fail("EVENTQ_PROD overran EVENTQ_CONS: prod 0x%x -> 0x%x, cons 0x%x (QS %u)",
                    a->eprod, b->eprod, b->econs, b->eqs);
        /* OVFLG toggles only when no overflow is active (IHI0070 7.4) */
        if (a->econs == b->econs && ((a->eprod ^ a->econs) >> 31) && ((a->eprod ^ b->eprod) >> 31))
            fz_fail("EVENTQ_PROD.OVFLG toggled while an overflow was active");
        /* every record written is of an architected type */
        uint64_t base = b->ebase & Q_BASE_ADDR & ~((32ull << b->eqs) - 1);
        for (uint32_t i = 0; i < moved && i <= (1u << b->eqs); i++) {
            uint32_t slot = (a->eprod + i) & ((1u << b->eqs) - 1);
            uint64_t dw0;
            if (kit_mem_r64(e->mem, base + 32ull * slot, &dw0))
                break;
            if (!fz_event_type_valid((unsigned)(dw0 & 0xFF)))
                fz_fail("event record of invalid type 0x%02x in EVTQ slot %u",
                        (unsigned)(dw0 & 0xFF), slot);
        }
    }
}

void fz_check_regs(struct fz_env *e, struct vsmmu *s)
{
    if (s == e->s && (e->nchecks++ & 31) == 0) {
        for (unsigned i = 0; i < 6; i++)
            if (rd32(s, SMMU_IDR0 + 4 * i) != e->idr[i])
                fz_fail("IDR%u changed: 0x%08x -> 0x%08x", i, e->idr[i],
                        rd32(s, SMMU_IDR0 + 4 * i));
        if (rd32(s, SMMU_IIDR) != e->iidr || rd32(s, SMMU_AIDR) != e->aidr)
            fz_fail("IIDR/AIDR changed");
    }
    uint32_t g = rd32(s, SMMU_GERROR);
    if (g & ~0x1FDu)
        fz_fail("GERROR has undefined bits: 0x%08x", g);
    uint32_t ack = rd32(s, SMMU_CR0ACK);
    if (ack & ~0x1DFu)
        fz_fail("CR0ACK has undefined bits: 0x%08x", ack);
}

static uint64_t access_budget_mmio(const struct vsmmu *s)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    return FZ_MAX_ACCESS_PER_MMIO_BASE + (uint64_t)c->cmdq_batch * FZ_MAX_ACCESS_PER_COMMAND;
}

/* ---- outstanding stalls ------------------------------------------------------------- */

static void stall_forget(struct fz_env *e, uint32_t sid, int stag)
{
    for (unsigned i = 0; i < e->stalls.n;) {
        if (e->stalls.sid[i] == sid && (stag < 0 || e->stalls.stag[i] == (uint16_t)stag)) {
            e->stalls.n--;
            e->stalls.sid[i] = e->stalls.sid[e->stalls.n];
            e->stalls.stag[i] = e->stalls.stag[e->stalls.n];
        } else {
            i++;
        }
    }
}

/* A new stall of (sid, stag): the pair is unique among outstanding stalls
 * (IHI0070 3.12.2) and the SMMU holds at most IDR5.STALL_MAX of them. */
static void stall_add(struct fz_env *e, uint32_t sid, uint16_t stag)
{
    for (unsigned i = 0; i < e->stalls.n; i++)
        if (e->stalls.sid[i] == sid && e->stalls.stag[i] == stag)
            fz_fail("stall (sid %u, STAG 0x%x) issued while that pair is still outstanding "
                    "(model: %u live of %u)", sid, stag, e->s->stalls.live, e->s->stalls.n);
    if (e->verbose)
        fprintf(stderr, "stall sid %u STAG 0x%x (%u outstanding)\n", sid, stag, e->stalls.n + 1);
    if (e->stalls.n < 64) {
        e->stalls.sid[e->stalls.n] = sid;
        e->stalls.stag[e->stalls.n] = stag;
        e->stalls.n++;
    }
    unsigned max = vsmmu_get_config(e->s)->stall_max;
    if (max && e->stalls.n > max)
        fz_fail("%u outstanding stalls, IDR5.STALL_MAX is %u", e->stalls.n, max);
}

/* Commands the SMMU consumed in one MMIO call: CMD_RESUME / CMD_STALL_TERM
 * release stalls (IHI0070 4.6). Unsure (queue memory written by the SMMU,
 * direct RAM, reconfigured queue): forget them all. */
static void stalls_after_mmio(struct fz_env *e, struct vsmmu *s, const struct qsnap *a,
                              const struct qsnap *b, bool cmdq_sw)
{
    if (s != e->s)
        return;
    if ((a->cr0ack & CR0_SMMUEN) && !(b->cr0ack & CR0_SMMUEN)) {
        fz_stalls_clear(e);                  /* 6.3.9: SMMUEN 1 -> 0 terminates them */
        return;
    }
    uint32_t pm = (2u << b->cqs) - 1;
    uint32_t moved = (b->ccons - a->ccons) & pm;
    if (!moved || !e->stalls.n)
        return;
    if (cmdq_sw || e->direct || e->watch_hit || a->cqs != b->cqs || moved > 4096) {
        fz_stalls_clear(e);
        return;
    }
    uint64_t base = reg_load(&s->regs.cmdq_base) & Q_BASE_ADDR & ~((16ull << b->cqs) - 1);
    for (uint32_t i = 0; i < moved; i++) {
        uint64_t slot = base + 16ull * ((a->ccons + i) & ((1u << b->cqs) - 1));
        uint64_t dw0, dw1;
        if (kit_mem_r64(e->mem, slot, &dw0) || kit_mem_r64(e->mem, slot + 8, &dw1)) {
            fz_stalls_clear(e);
            return;
        }
        /* CMD_RESUME: StreamID DW0[63:32], STAG DW1[15:0]; CMD_STALL_TERM:
         * StreamID DW0[63:32] (IHI0070 4.6.1, 4.6.2) */
        if ((dw0 & 0xFF) == 0x44)
            stall_forget(e, (uint32_t)(dw0 >> 32), (int)(dw1 & 0xFFFF));
        else if ((dw0 & 0xFF) == 0x45)
            stall_forget(e, (uint32_t)(dw0 >> 32), -1);
    }
}

int fz_mmio_write(struct fz_env *e, struct vsmmu *s, uint64_t off, uint64_t val, unsigned size)
{
    struct qsnap a, b;
    snap(e, s, &a);
    uint64_t before = e->accesses;
    e->watch_lo = reg_load(&s->regs.cmdq_base) & Q_BASE_ADDR & ~((16ull << a.cqs) - 1);
    e->watch_hi = e->watch_lo + (16ull << a.cqs);
    e->watch_hit = false;
    e->cur = s;
    int rc = vsmmu_mmio_write(s, off, val, size);
    e->cur = NULL;
    e->watch_lo = e->watch_hi = 0;
    uint64_t used = e->accesses - before;
    bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;
    int want = !size_ok ? VSMMU_EINVAL : (off >= VSMMU_MMIO_SIZE || off + size > VSMMU_MMIO_SIZE)
                                             ? VSMMU_ERANGE : VSMMU_OK;
    if (rc != want)
        fz_fail("mmio_write(0x%llx, size %u) returned %d, expected %d",
                (unsigned long long)off, size, rc, want);
    if (!e->direct && used > access_budget_mmio(s))
        fz_fail("mmio_write(0x%llx) made %llu host accesses (bound %llu)",
                (unsigned long long)off, (unsigned long long)used,
                (unsigned long long)access_budget_mmio(s));
    snap(e, s, &b);
    bool wrote = rc == VSMMU_OK;
    bool cmdq_sw = wrote && (overlaps(off, size, SMMU_CMDQ_CONS, 4) ||
                             overlaps(off, size, SMMU_CMDQ_BASE, 8));
    const struct vsmmu_config *c = vsmmu_get_config(s);
    bool evtq_sw = wrote && (overlaps(off, size, SMMU_EVENTQ_PROD, 4) ||
                             overlaps(off, size, SMMU_EVENTQ_BASE, 8) ||
                             (c->page0_alias && overlaps(off, size, SMMU_EVENTQ_PROD_ALIAS, 4)));
    bool prod_written = wrote && off == SMMU_CMDQ_PROD && size == 4;
    check_queue_moves(e, s, &a, &b, cmdq_sw, evtq_sw, prod_written);
    stalls_after_mmio(e, s, &a, &b, cmdq_sw);
    fz_check_regs(e, s);
    return rc;
}

uint64_t fz_mmio_read(struct fz_env *e, struct vsmmu *s, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    uint64_t before = e->accesses;
    int rc = vsmmu_mmio_read(s, off, size, &v);
    bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;
    int want = !size_ok ? VSMMU_EINVAL : (off >= VSMMU_MMIO_SIZE || off + size > VSMMU_MMIO_SIZE)
                                             ? VSMMU_ERANGE : VSMMU_OK;
    if (rc != want)
        fz_fail("mmio_read(0x%llx, size %u) returned %d, expected %d",
                (unsigned long long)off, size, rc, want);
    if (rc == VSMMU_OK && size < 8 && (v >> (8 * size)))
        fz_fail("mmio_read(0x%llx, size %u) returned 0x%llx: wider than the access",
                (unsigned long long)off, size, (unsigned long long)v);
    if (!e->direct && e->accesses - before > FZ_MAX_ACCESS_PER_MMIO_BASE)
        fz_fail("mmio_read made %llu host accesses",
                (unsigned long long)(e->accesses - before));
    return v;
}

void fz_translate(struct fz_env *e, struct vsmmu *s, const struct vsmmu_txn *t,
                  struct vsmmu_result *r)
{
    struct qsnap a, b;
    snap(e, s, &a);
    const struct vsmmu_config *c = vsmmu_get_config(s);
    uint64_t before = e->accesses;
    e->cur = s;
    int rc = vsmmu_translate(s, t, r);
    e->cur = NULL;
    if (s == e->s)
        e->ntranslate++;
    uint64_t used = e->accesses - before;
    if (rc != VSMMU_OK)
        fz_fail("translate returned %d", rc);
    if (e->verbose)
        fprintf(stderr, "translate sid %u ssid %u addr 0x%llx flags 0x%x -> %d 0x%llx event 0x%02x\n",
                t->sid, t->ssid, (unsigned long long)t->addr, t->flags, r->outcome,
                (unsigned long long)r->out_addr, r->has_event ? (unsigned)(r->event[0] & 0xFF) : 0);
    if (!e->direct && used > FZ_MAX_ACCESS_PER_TRANSLATE)
        fz_fail("translate made %llu host accesses (bound %u)", (unsigned long long)used,
                FZ_MAX_ACCESS_PER_TRANSLATE);
    if ((unsigned)r->outcome > VSMMU_XLATE_STALL)
        fz_fail("translate: outcome %d out of range", r->outcome);
    if (r->outcome == VSMMU_XLATE_OK) {
        if (c->oas_bits < 64 && (r->out_addr >> c->oas_bits))
            fz_fail("translate: output 0x%llx above OAS %u (input 0x%llx sid %u)",
                    (unsigned long long)r->out_addr, c->oas_bits,
                    (unsigned long long)t->addr, t->sid);
        if (r->size_log2 < 12 || r->size_log2 > 52)
            fz_fail("translate: mapping size 2^%u", r->size_log2);
        uint64_t lo = (1ull << r->size_log2) - 1;
        if ((r->out_addr & lo & 0xFFF) != (t->addr & lo & 0xFFF))
            fz_fail("translate: page offset not preserved: 0x%llx -> 0x%llx",
                    (unsigned long long)t->addr, (unsigned long long)r->out_addr);
        /* A write needs W (an atomic also R); a read needs R, or X when it
         * is an instruction fetch (VSMMU_TXN_EXEC, or STE.INSTCFG turning
         * a data read into one: IHI0070 5.2). A NOEVENT probe performs no
         * HTTU update: it reports the outcome the update would give, with
         * the permissions the descriptor has now (a writable-clean page
         * shows no W). */
        bool wr = t->flags & (VSMMU_TXN_WRITE | VSMMU_TXN_ATOMIC);
        bool ok_perm = wr ? (r->perm & VSMMU_PERM_W) &&
                            (!(t->flags & VSMMU_TXN_ATOMIC) || (r->perm & VSMMU_PERM_R))
                          : (r->perm & (VSMMU_PERM_R | VSMMU_PERM_X)) != 0;
        if (!ok_perm && !(t->flags & VSMMU_TXN_NOEVENT))
            fz_fail("translate: OK for an access (flags 0x%x) without permission 0x%x: "
                    "sid %u ssid %u addr 0x%llx -> 0x%llx bypass %d cache %d", t->flags, r->perm,
                    t->sid, t->ssid, (unsigned long long)t->addr,
                    (unsigned long long)r->out_addr, r->bypass, r->from_cache);
        if (r->has_event)
            fz_fail("translate: OK outcome with an event of type 0x%02x",
                    (unsigned)(r->event[0] & 0xFF));
    }
    if (r->has_event) {
        unsigned type = (unsigned)(r->event[0] & 0xFF);
        if (!fz_event_type_valid(type))
            fz_fail("translate: event of invalid type 0x%02x", type);
        if ((uint32_t)(r->event[0] >> 32) != t->sid)
            fz_fail("translate: event StreamID %u for sid %u",
                    (unsigned)(r->event[0] >> 32), t->sid);
        if (!(a.cr0ack & CR0_SMMUEN) && type != 0x01 && type != 0x05 && type != 0x07)
            fz_fail("translate: event 0x%02x with SMMUEN=0 (IHI0070 7.3: only F_UUT, "
                    "F_BAD_ATS_TREQ, F_TRANSL_FORBIDDEN)", type);
        /* IHI0070 7.3 record fields of the translation faults (0x10-0x13)
         * and F_WALK_EABT: InputAddr = the address as presented; SSV and
         * SubstreamID as input; RnW of the input transaction (a write is
         * 0; atomics report per the fault, not checked); CLASS not 0b11. */
        if ((type >= 0x10 && type <= 0x13) || type == 0x0B) {
            if (r->event[2] != t->addr)
                fz_fail("event 0x%02x: InputAddr 0x%llx for address 0x%llx", type,
                        (unsigned long long)r->event[2], (unsigned long long)t->addr);
            bool ssv = (r->event[0] >> 11) & 1;
            if (ssv != !!(t->flags & VSMMU_TXN_SSV))
                fz_fail("event 0x%02x: SSV %d for a transaction with flags 0x%x", type, ssv,
                        t->flags);
            if (ssv && ((r->event[0] >> 12) & 0xFFFFF) != (t->ssid & 0xFFFFF))
                fz_fail("event 0x%02x: SubstreamID 0x%llx for 0x%x", type,
                        (unsigned long long)((r->event[0] >> 12) & 0xFFFFF), t->ssid);
            if (!(t->flags & VSMMU_TXN_ATOMIC) &&
                ((r->event[1] >> 35) & 1) != !(t->flags & VSMMU_TXN_WRITE))
                fz_fail("event 0x%02x: RnW %d for flags 0x%x", type,
                        (int)((r->event[1] >> 35) & 1), t->flags);
            if (((r->event[1] >> 40) & 3) == 3)
                fz_fail("event 0x%02x: reserved CLASS 0b11", type);
        }
        bool stall_bit = (r->event[1] >> 31) & 1;
        if (type >= 0x10 && type <= 0x13 && stall_bit != (r->outcome == VSMMU_XLATE_STALL))
            fz_fail("translate: Stall=%d in the record but outcome %d", stall_bit, r->outcome);
    }
    if (r->outcome == VSMMU_XLATE_STALL) {
        unsigned type = (unsigned)(r->event[0] & 0xFF);
        if (!r->has_event || type < 0x10 || type > 0x13)
            fz_fail("translate: STALL without a translation-fault record (type 0x%02x)", type);
        if ((uint16_t)r->event[1] != r->stag)
            fz_fail("translate: STAG 0x%x, record says 0x%x", r->stag,
                    (unsigned)(uint16_t)r->event[1]);
        if (c->stall_model == VSMMU_TERM_ONLY)
            fz_fail("translate: STALL on a terminate-only SMMU");
        /* A NOEVENT probe reports the stall that would happen without
         * taking a stall slot: its STAG names nothing. */
        if (s == e->s && !e->direct && !(t->flags & VSMMU_TXN_NOEVENT))
            stall_add(e, t->sid, r->stag);
    }
    snap(e, s, &b);
    if ((t->flags & VSMMU_TXN_NOEVENT) && b.eprod != a.eprod)
        fz_fail("translate with NOEVENT moved EVENTQ_PROD 0x%x -> 0x%x", a.eprod, b.eprod);
    check_queue_moves(e, s, &a, &b, false, false, false);
}

/* ---- guest programming -------------------------------------------------------------- */

static void w32(struct fz_env *e, struct vsmmu *s, uint64_t off, uint32_t v)
{
    fz_mmio_write(e, s, off, v, 4);
}

static void w64(struct fz_env *e, struct vsmmu *s, uint64_t off, uint64_t v)
{
    fz_mmio_write(e, s, off, v, 8);
}

void fz_enable(struct fz_env *e, struct vsmmu *s, unsigned log2sid, unsigned cmdq_log2,
               unsigned evtq_log2, uint64_t evtq_base)
{
    fz_enable_at(e, s, FZ_STRTAB, log2sid, cmdq_log2, evtq_log2, evtq_base);
}

void fz_enable_at(struct fz_env *e, struct vsmmu *s, uint64_t strtab, uint32_t strtab_cfg,
                  unsigned cmdq_log2, unsigned evtq_log2, uint64_t evtq_base)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    w32(e, s, SMMU_CR0, 0);
    /* IHI0070 6.3.24: STRTAB_BASE.ADDR [51:6], RA [62]; BASE_CFG LOG2SIZE [5:0] */
    w64(e, s, SMMU_STRTAB_BASE, strtab);
    w32(e, s, SMMU_STRTAB_BASE_CFG, strtab_cfg);
    /* 6.3.26: CMDQ_BASE.ADDR [51:5], LOG2SIZE [4:0] */
    w64(e, s, SMMU_CMDQ_BASE, FZ_CMDQ | cmdq_log2);
    w32(e, s, SMMU_CMDQ_PROD, 0);
    w32(e, s, SMMU_CMDQ_CONS, 0);
    w64(e, s, SMMU_EVENTQ_BASE, evtq_base | evtq_log2);
    w32(e, s, SMMU_EVENTQ_PROD, 0);
    w32(e, s, SMMU_EVENTQ_CONS, 0);
    if (c->msi) {
        w64(e, s, SMMU_GERROR_IRQ_CFG0, FZ_MSI);
        w32(e, s, SMMU_GERROR_IRQ_CFG1, 0x6E);
        w64(e, s, SMMU_EVENTQ_IRQ_CFG0, FZ_MSI + 8);
        w32(e, s, SMMU_EVENTQ_IRQ_CFG1, 0x6F);
    }
    uint32_t priqen = 0;
    if (c->pri && c->priqs) {
        w64(e, s, SMMU_PRIQ_BASE, FZ_PRIQ | (c->priqs < 4 ? c->priqs : 4));
        w32(e, s, SMMU_PRIQ_PROD, 0);
        w32(e, s, SMMU_PRIQ_CONS, 0);
        priqen = CR0_PRIQEN;
    }
    w32(e, s, SMMU_IRQ_CTRL, IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_PRIQ_IRQEN);
    w32(e, s, SMMU_CR0, CR0_CMDQEN);
    w32(e, s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | priqen);
    uint64_t cmd[3][2] = { { 0, 0 }, { fz_cmd_tlbi_nsnh_all(), 0 }, { fz_cmd_sync(), 0 } };
    cmd[0][0] = fz_cmd_cfgi_all(&cmd[0][1]);
    fz_cmds(e, s, cmd, 3);
    w32(e, s, SMMU_CR0, CR0_CMDQEN | CR0_EVENTQEN | priqen | CR0_SMMUEN);
}

uint32_t fz_cmds(struct fz_env *e, struct vsmmu *s, const uint64_t (*cmd)[2], unsigned n)
{
    const struct vsmmu_config *c = vsmmu_get_config(s);
    uint64_t base = rd64(s, SMMU_CMDQ_BASE);
    unsigned qs = vsmmu_q_log2size(base, c->cmdqs);
    uint64_t addr = base & Q_BASE_ADDR & ~((16ull << qs) - 1);
    uint32_t pm = (2u << qs) - 1;
    uint32_t prod = rd32(s, SMMU_CMDQ_PROD) & pm;
    /* Never overwrite unconsumed commands: let the SMMU drain first (each
     * PROD write consumes up to cmdq_batch commands). */
    const unsigned tries = 64;
    for (unsigned k = 0; k <= tries; k++) {
        uint32_t used = (prod - (rd32(s, SMMU_CMDQ_CONS) & pm)) & pm;
        if (used <= (1u << qs) && (1u << qs) - used >= n)
            break;
        if (k == tries)
            return rd32(s, SMMU_CMDQ_CONS);       /* stuck: give up */
        fz_mmio_write(e, s, SMMU_CMDQ_PROD, prod, 4);
    }
    for (unsigned i = 0; i < n; i++) {
        uint64_t slot = addr + 16ull * (prod & ((1u << qs) - 1));
        if (kit_mem_w64(e->mem, slot, cmd[i][0]) || kit_mem_w64(e->mem, slot + 8, cmd[i][1]))
            break;
        prod = (prod + 1) & pm;
    }
    /* publish, then let the SMMU run to completion (or an error/stop) */
    for (unsigned k = 0; k <= tries; k++) {
        fz_mmio_write(e, s, SMMU_CMDQ_PROD, prod, 4);
        uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
        if ((cons & pm) == prod || ((rd32(s, SMMU_GERROR) ^ rd32(s, SMMU_GERRORN)) & 1) ||
            !(rd32(s, SMMU_CR0ACK) & CR0_CMDQEN))
            break;
    }
    return rd32(s, SMMU_CMDQ_CONS);
}

bool fz_cmdq_recover(struct fz_env *e, struct vsmmu *s)
{
    uint32_t g = rd32(s, SMMU_GERROR), gn = rd32(s, SMMU_GERRORN);
    if (!((g ^ gn) & GERROR_CMDQ_ERR))
        return false;
    const struct vsmmu_config *c = vsmmu_get_config(s);
    uint64_t base = rd64(s, SMMU_CMDQ_BASE);
    unsigned qs = vsmmu_q_log2size(base, c->cmdqs);
    uint64_t addr = base & Q_BASE_ADDR & ~((16ull << qs) - 1);
    uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
    uint64_t slot = addr + 16ull * (cons & ((1u << qs) - 1));
    kit_mem_w64(e->mem, slot, fz_cmd_sync());
    kit_mem_w64(e->mem, slot + 8, 0);
    fz_mmio_write(e, s, SMMU_GERRORN, gn ^ GERROR_CMDQ_ERR, 4);
    return true;
}

/* IHI0070 4.7.3 CMD_SYNC: opcode 0x46, CS [13:12] = 0 (no completion signal). */
uint64_t fz_cmd_sync(void) { return 0x46; }

/* IHI0070 4.3.3 CMD_CFGI_STE_RANGE (0x04) with Range = 31: CMD_CFGI_ALL. */
uint64_t fz_cmd_cfgi_all(uint64_t *dw1)
{
    *dw1 = 31;
    return 0x04;
}

/* IHI0070 4.4.9 CMD_TLBI_NSNH_ALL (0x30). */
uint64_t fz_cmd_tlbi_nsnh_all(void) { return 0x30; }

/* ---- the fixed scenario ---------------------------------------------------------------- */

void fz_put(struct fz_env *e, uint64_t pa, const uint64_t *dw, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        kit_w64(e->mem, pa + 8ull * i, dw[i]);
}

static unsigned ias_t0sz(const struct fz_env *e)
{
    /* 39-bit input if IAS allows, else the full IAS (T0SZ = 64 - IAS):
     * with the 4K granule, T0SZ 25..33 starts at level 1 (Arm ARM D8.2). */
    unsigned t = 64 - vsmmu_config_ias(&e->cfg);
    return t < 25 ? 25 : t;
}

void fz_ste(const struct fz_env *e, uint64_t ste[8], unsigned config, uint64_t cdptr,
            unsigned cdmax, unsigned vmid, bool s2stall)
{
    const struct vsmmu_config *c = &e->cfg;
    memset(ste, 0, 64);
    bool forced = c->stall_model == VSMMU_STALL_FORCED;
    /* IHI0070 5.2 DW0: V[0] Config[3:1] S1Fmt[5:4]=linear S1ContextPtr[51:6] S1CDMax[63:59] */
    ste[0] = (config ? 1ull : 0) | (uint64_t)(config & 7) << 1 | (cdptr & GENMASK(51, 6)) |
             (uint64_t)(cdmax & 31) << 59;
    /* DW1: S1DSS[1:0]=0b10 (no-SSID traffic uses CD 0), S1CIR/S1COR WB[5:2],
     * S1CSH ISH[7:6], SHCFG[45:44]=0b01 (incoming) */
    ste[1] = 2ull | 1ull << 2 | 1ull << 4 | 3ull << 6 | 1ull << 44;
    /* DW2: S2VMID[15:0] S2T0SZ[37:32] S2SL0[39:38]=1 (level 1) S2IR0/S2OR0 WB
     * S2SH0 ISH S2TG[47:46]=4K S2PS[50:48]=OAS S2AA64[51] S2S[57] S2R[58] */
    unsigned ps = vsmmu_oas_encode(c->oas_bits);
    ste[2] = (uint64_t)(vmid & 0xFF) | (uint64_t)ias_t0sz(e) << 32 | 1ull << 38 | 1ull << 40 |
             1ull << 42 | 3ull << 44 | (uint64_t)(ps & 7) << 48 | 1ull << 51 |
             (uint64_t)(s2stall || forced) << 57 | 1ull << 58;
    /* DW3: S2TTB[51:4] */
    ste[3] = fz_slot(8);
}

void fz_cd(const struct fz_env *e, uint64_t cd[8], uint64_t ttb0, unsigned asid, bool stall,
           bool httu)
{
    const struct vsmmu_config *c = &e->cfg;
    memset(cd, 0, 64);
    bool forced = c->stall_model == VSMMU_STALL_FORCED;
    unsigned ips = vsmmu_oas_encode(c->oas_bits);
    /* IHI0070 5.4 DW0: T0SZ[5:0]=25 TG0[7:6]=4K IR0/OR0 WB SH0 ISH, EPD1[30],
     * T1SZ[21:16]=25 TG1[23:22]=0b10 (4K), V[31], IPS[34:32], AA64[41],
     * HD[42] HA[43], S[44], R[45], A[46], ASID[63:48] */
    cd[0] = 25ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 25ull << 16 | 2ull << 22 | 1ull << 30 |
            1ull << 31 | (uint64_t)(ips & 7) << 32 | 1ull << 41 |
            (uint64_t)(httu && c->httu == VSMMU_HTTU_AF_DIRTY) << 42 |
            (uint64_t)(httu && c->httu != VSMMU_HTTU_NONE) << 43 |
            (uint64_t)((stall && c->stall_model != VSMMU_TERM_ONLY) || forced) << 44 |
            1ull << 45 | 1ull << 46 | (uint64_t)(asid & 0xFFFF) << 48;
    cd[1] = ttb0 & GENMASK(51, 4);          /* TTB0[51:4] */
    cd[3] = 0x0044FFull;                        /* MAIR: Attr0 WB, Attr1 NC, Attr2 Device */
}

/* Arm ARM D8.3: stage-1 page/block: AttrIndx[4:2] AP[7:6] SH[9:8] AF[10]
 * DBM[51]; stage 2: MemAttr[5:2] S2AP[7:6] SH[9:8] AF[10]. */
#define S1_PAGE(pa, ap, af, dbm) ((pa) | 3ull | (uint64_t)(ap) << 6 | 3ull << 8 | \
                                  (uint64_t)(af) << 10 | (uint64_t)(dbm) << 51)
#define S2_BLOCK(pa, s2ap) ((pa) | 1ull | 0xFull << 2 | (uint64_t)(s2ap) << 6 | 3ull << 8 | \
                            1ull << 10)

void fz_scenario(struct fz_env *e)
{
    /* Stage 1: L1 (slot 0) -> L2 (slot 1) -> L3 (slot 2). */
    kit_w64(e->mem, fz_slot(0), fz_slot(1) | 3);
    /* L1[1]: 1 GiB block at IPA 1 GiB (outside the stage-2 map) */
    kit_w64(e->mem, fz_slot(0) + 8, (1ull << 30) | 1 | 1ull << 6 | 3ull << 8 | 1ull << 10);
    kit_w64(e->mem, fz_slot(1), fz_slot(2) | 3);
    /* L2[1]: 2 MiB block at 0x200000, RW */
    kit_w64(e->mem, fz_slot(1) + 8, 0x200000ull | 1 | 1ull << 6 | 3ull << 8 | 1ull << 10);
    for (unsigned i = 0; i < 15; i++) {
        uint64_t pa = FZ_DATA + 0x1000ull * i;
        uint64_t d;
        switch (i % 4) {
        case 0: d = S1_PAGE(pa, 1, 1, 0); break;   /* RW, EL0+EL1 */
        case 1: d = S1_PAGE(pa, 3, 1, 0); break;   /* RO */
        case 2: d = S1_PAGE(pa, 1, 0, 0); break;   /* AF = 0 */
        default: d = S1_PAGE(pa, 3, 1, 1); break;  /* RO + DBM: dirty-state candidate */
        }
        kit_w64(e->mem, fz_slot(2) + 8ull * i, d);
    }
    /* Stage 2: L1 (slot 8) -> L2 (slot 9), identity 2 MiB blocks for 0-16 MiB,
     * block 3 read-only. */
    kit_w64(e->mem, fz_slot(8), fz_slot(9) | 3);
    for (unsigned i = 0; i < 8; i++)
        kit_w64(e->mem, fz_slot(9) + 8ull * i, S2_BLOCK((uint64_t)i << 21, i == 3 ? 1 : 3));

    /* CDs: table A at FZ_CD (4 CDs, ASID 1..4), table B at FZ_CD + 4K (stall + HTTU). */
    uint64_t cd[8];
    for (unsigned i = 0; i < 4; i++) {
        fz_cd(e, cd, fz_slot(0), 1 + i, false, false);
        fz_put(e, FZ_CD + 64ull * i, cd, 8);
        fz_cd(e, cd, fz_slot(0), 0x100 + i, true, true);
        fz_put(e, FZ_CD + 0x1000 + 64ull * i, cd, 8);
    }
    unsigned cdmax = e->cfg.ssidsize >= 2 ? 2 : 0;
    uint64_t ste[8];
    fz_ste(e, ste, 4, 0, 0, 0, false);            fz_put(e, FZ_STRTAB + 0 * 64, ste, 8);
    fz_ste(e, ste, 5, FZ_CD, cdmax, 0, false);     fz_put(e, FZ_STRTAB + 1 * 64, ste, 8);
    fz_ste(e, ste, 6, 0, 0, 1, false);            fz_put(e, FZ_STRTAB + 2 * 64, ste, 8);
    fz_ste(e, ste, 7, FZ_CD, cdmax, 2, false);     fz_put(e, FZ_STRTAB + 3 * 64, ste, 8);
    fz_ste(e, ste, 0, 0, 0, 0, false);            ste[0] |= 1;  /* V=1 Config=abort */
    fz_put(e, FZ_STRTAB + 4 * 64, ste, 8);
    memset(ste, 0, sizeof(ste));                  fz_put(e, FZ_STRTAB + 5 * 64, ste, 8);
    fz_ste(e, ste, 5, FZ_CD + 0x1000, cdmax, 0, false); fz_put(e, FZ_STRTAB + 6 * 64, ste, 8);
    fz_ste(e, ste, 6, 0, 0, 3, true);             fz_put(e, FZ_STRTAB + 7 * 64, ste, 8);

    /* 2-level: L1STD[0] -> the 64 STEs at FZ_STRTAB (Span 7 = 2^6 STEs). */
    kit_w64(e->mem, FZ_L1STD, FZ_STRTAB | 7);
}

void fz_scenario_strtab(const struct fz_env *e, bool st2l, uint64_t *base, uint32_t *cfg)
{
    if (st2l && e->cfg.st2l) {
        /* IHI0070 6.3.25: FMT[17:16]=2-level, SPLIT[10:6]=6, LOG2SIZE 8 */
        *base = FZ_L1STD;
        *cfg = 1u << 16 | 6u << 6 | (e->cfg.sidsize < 8 ? e->cfg.sidsize : 8);
    } else {
        *base = FZ_STRTAB;
        *cfg = e->cfg.sidsize < 6 ? e->cfg.sidsize : 6;
    }
}

/* ---- accelerated mode with the soft backend ------------------------------------------- */

const uint32_t fz_accel_vsid[3] = { 1, 6, 9 };

uint32_t fz_accel_psid(uint32_t vsid)
{
    for (unsigned i = 0; i < 3; i++)
        if (fz_accel_vsid[i] == vsid)
            return 0x10 + vsid;
    return ~0u;
}

/* Build the host and the soft backend; put e->s in accelerated mode. Returns
 * false (and leaves e->s emulated) when the guest configuration cannot be
 * nested on the host. */
bool fz_accel_setup(struct fz_env *e, struct fz_accel *t, bool verbose)
{
    memset(t, 0, sizeof(*t));
    t->hm = kit_mem_new();
    kit_mem_add(t->hm, 0, 4u << 20);
    kit_mem_add(t->hm, FZ_HPA, FZ_RAM_SIZE);
    t->hm_own = t->hm->r[1].p;
    t->hm->r[1].p = e->mem->r[0].p;          /* guest RAM seen at FZ_HPA */
    struct vsmmu_config hc;
    vsmmu_config_profile(&hc, e->cfg.arch_minor >= 3 ? "full-v3.3" : "full-v3.2");
    hc.tlb_entries = e->cfg.tlb_entries;
    hc.cfg_entries = e->cfg.cfg_entries;
    struct vsmmu_host_ops ops;
    kit_mem_ops(t->hm, &ops, false);
    char err[256];
    if (vsmmu_create(&hc, &ops, &t->host, err, sizeof(err)))
        fz_fail("host instance: %s", err);
    struct kit_ptb s2;
    /* host stage 2: 4K, 32-bit IPA (S2T0SZ 32), start level 1 (S2SL0 1),
     * guest IPA [0, 2 MiB) -> FZ_HPA, RW, Normal WB */
    if (kit_ptb_init_s2(&s2, t->hm, 12, 1, 32) ||
        kit_ptb_map(&s2, 0, FZ_HPA, 2u << 20, 2, PTE_S2AP_R | PTE_S2AP_W |
                    FIELD_PREP(PTE_S2_MEMATTR, 0xf) | PTE_AF | FIELD_PREP(PTE_SH, 3)))
        fz_fail("host stage 2");
    uint64_t msz = vsmmu_soft_mem_size(t->host);
    uint64_t mem = kit_mem_alloc(t->hm, msz, 0x10000);
    struct vsmmu_soft_cfg sc = {
        .host = t->host, .mem_pa = mem, .mem_len = msz, .mem = kit_mem_ptr(t->hm, mem, msz),
        .s2_ttb = kit_ptb_ttb(&s2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5, .vmid = 5,
    };
    struct vsmmu_accel_backend *be;
    if (vsmmu_soft_backend_new(&sc, &be, err, sizeof(err)))
        fz_fail("soft backend: %s", err);
    if (vsmmu_accel_add_backend(e->s, be) < 0) {
        if (verbose)
            fprintf(stderr, "accel: %s\n", vsmmu_last_error(e->s));
        return false;            /* the guest configuration does not nest */
    }
    for (unsigned i = 0; i < 3; i++) {
        struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = fz_accel_vsid[i],
                                     .backend = 0, .host_id = fz_accel_psid(fz_accel_vsid[i]) };
        if (vsmmu_accel_attach(e->s, &d))
            fz_fail("accel attach vsid %u: %s", fz_accel_vsid[i], vsmmu_last_error(e->s));
    }
    /* the guest sees the masked configuration: the twin and the scenario
     * follow it */
    e->cfg = *vsmmu_get_config(e->s);
    fz_capture_ids(e);
    return true;
}

void fz_accel_fini(struct fz_env *e, struct fz_accel *t)
{
    if (!t->hm)
        return;
    vsmmu_destroy(e->s);          /* releases the backend before its host */
    e->s = NULL;
    vsmmu_destroy(t->host);
    t->hm->r[1].p = t->hm_own;
    kit_mem_free(t->hm);
}

