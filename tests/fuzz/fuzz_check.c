/* SPDX-License-Identifier: MIT */
/* The invariants every fuzz target asserts after each call (see fuzz_common.h,
 * docs/robustness.md): checked MMIO and translate entry points, queue and
 * register invariants, outstanding stalls, trace records. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

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

uint32_t fz_rd32(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(s, off, 4, &v) != VSMMU_OK)
        fz_fail("MMIO read of 0x%llx failed", (unsigned long long)off);
    return (uint32_t)v;
}

uint64_t fz_rd64(struct vsmmu *s, uint64_t off)
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
            if (fz_rd32(s, SMMU_IDR0 + 4 * i) != e->idr[i])
                fz_fail("IDR%u changed: 0x%08x -> 0x%08x", i, e->idr[i],
                        fz_rd32(s, SMMU_IDR0 + 4 * i));
        if (fz_rd32(s, SMMU_IIDR) != e->iidr || fz_rd32(s, SMMU_AIDR) != e->aidr)
            fz_fail("IIDR/AIDR changed");
    }
    uint32_t g = fz_rd32(s, SMMU_GERROR);
    if (g & ~0x1FDu)
        fz_fail("GERROR has undefined bits: 0x%08x", g);
    uint32_t ack = fz_rd32(s, SMMU_CR0ACK);
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
    e->cons_at_call = reg_load(&s->regs.cmdq_cons);
    e->cons_check = vsmmu_get_config(s)->cmdq_batch < (2u << a.cqs);
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
