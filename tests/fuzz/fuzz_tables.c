/* SPDX-License-Identifier: MIT */
/* fuzz_tables: hostile STEs, CDs, L1 descriptors and page tables (stage 1,
 * stage 2, nested) under a fixed, valid register setup (fz_scenario).
 *
 * Besides the per-call invariants of fuzz_check.c, every transaction is
 * also run on an uncached twin instance sharing the same memory (its own
 * event queue): while the guest has not changed a structure since the last
 * full invalidation, both must give the same answer (caches are transparent,
 * DESIGN 4.2), and a repeated successful transaction (a cache hit) must give
 * the same translation.
 *
 * With FZH_ACCEL the instance is an accelerated vSMMU with the soft backend
 * (a host vsmmu running the guest's stage 1 nested on a host stage 2 that
 * maps guest IPA [0, 2 MiB) to host PA FZ_HPA+). StreamIDs 1, 6 and 9 are
 * passthrough devices (host StreamIDs 0x11, 0x16, 0x19). The twin is then an
 * emulated uncached instance with the same (masked) configuration; device
 * DMA on the host instance must give the guest-view result moved by the
 * host stage 2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_format.h"
#include "internal.h"
#include "ptb.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"
#include "ste.h"


struct st {
    struct fz_env e;
    bool stale;        /* guest changed structures since the last invalidation */
    bool translated;   /* main may hold cached state */
    /* accelerated mode */
    bool accel;
    struct fz_accel acc;
};

/* FZ_VERBOSE=1: narrate a replayed input (ops, invalidations, accel state) */
static bool verbose(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("FZ_VERBOSE") != NULL;
    return v;
}

/* Device DMA through the host: the guest-view answer moved by the host
 * stage 2 (IPA [0, 2 MiB) -> FZ_HPA). */
static void host_dma(struct st *t, const struct vsmmu_txn *x, const struct vsmmu_result *g)
{
    uint32_t psid = fz_accel_psid(x->sid);
    if (psid == ~0u)
        return;
    struct vsmmu_txn h = *x;
    h.sid = psid;
    struct vsmmu_result r;
    if (vsmmu_translate(t->acc.host, &h, &r) != VSMMU_OK)
        fz_fail("host translate failed");
    if ((unsigned)r.outcome > VSMMU_XLATE_STALL)
        fz_fail("host translate: outcome %d", r.outcome);
    if (r.outcome == VSMMU_XLATE_OK && (r.out_addr >> 48))
        fz_fail("host translate: 0x%llx above the host OAS", (unsigned long long)r.out_addr);
    if (t->stale || g->outcome != VSMMU_XLATE_OK || r.outcome == VSMMU_XLATE_STALL ||
        (x->flags & VSMMU_TXN_NOEVENT))
        return;
    if (g->out_addr < (2u << 20)) {
        if (r.outcome != VSMMU_XLATE_OK || r.out_addr != g->out_addr + FZ_HPA)
            fz_fail("passthrough sid %u addr 0x%llx: guest view IPA 0x%llx, host DMA %d 0x%llx",
                    x->sid, (unsigned long long)x->addr, (unsigned long long)g->out_addr,
                    r.outcome, (unsigned long long)r.out_addr);
    }
}

static void invalidate(struct st *t)
{
    uint64_t cmd[3][2] = { { 0, 0 }, { fz_cmd_tlbi_nsnh_all(), 0 }, { fz_cmd_sync(), 0 } };
    cmd[0][0] = fz_cmd_cfgi_all(&cmd[0][1]);
    bool done = true;
    struct vsmmu *both[2] = { t->e.s, t->e.twin };
    for (unsigned i = 0; i < 2; i++) {
        fz_cmds(&t->e, both[i], cmd, 3);
        uint64_t g = 0, gn = 0, p = 0, c = 0;
        vsmmu_mmio_read(both[i], SMMU_GERROR, 4, &g);
        vsmmu_mmio_read(both[i], SMMU_GERRORN, 4, &gn);
        vsmmu_mmio_read(both[i], SMMU_CMDQ_PROD, 4, &p);
        vsmmu_mmio_read(both[i], SMMU_CMDQ_CONS, 4, &c);
        if (verbose())
            fprintf(stderr, "  inval %u: gerror %llx/%llx prod %llx cons %llx\n", i,
                    (unsigned long long)g, (unsigned long long)gn, (unsigned long long)p,
                    (unsigned long long)c);
        if ((g ^ gn) & GERROR_CMDQ_ERR) {
            /* the failed command becomes a CMD_SYNC, as Linux does */
            fz_cmdq_recover(&t->e, both[i]);
            done = false;
        } else if ((p ^ c) & 0xFFFFF) {
            done = false;
        }
    }
    if (done)
        t->stale = false;
}

static void changed(struct st *t)
{
    if (t->translated)
        t->stale = true;
}

static void same_result(const struct vsmmu_txn *x, const struct vsmmu_result *a,
                        const struct vsmmu_result *b, const char *what, bool events)
{
    bool eq = a->outcome == b->outcome && (!events || a->has_event == b->has_event);
    if (eq && a->outcome == VSMMU_XLATE_OK)
        eq = a->out_addr == b->out_addr && a->perm == b->perm &&
             a->size_log2 == b->size_log2 && a->memattr == b->memattr && a->sh == b->sh &&
             a->bypass == b->bypass;
    if (eq && events && a->has_event)
        eq = a->event[0] == b->event[0] && (a->event[1] & ~0xFFFFull) == (b->event[1] & ~0xFFFFull) &&
             a->event[2] == b->event[2] && a->event[3] == b->event[3];
    if (!eq)
        fz_fail("%s: sid %u ssid %u%s addr 0x%llx flags 0x%x: outcome %d/%d oa 0x%llx/0x%llx "
                "perm %x/%x size %u/%u attr %02x/%02x sh %u/%u event %d/%d "
                "[%016llx %016llx %016llx %016llx] / [%016llx %016llx %016llx %016llx]",
                what, x->sid, x->ssid, (x->flags & VSMMU_TXN_SSV) ? "" : "(none)",
                (unsigned long long)x->addr, x->flags, a->outcome, b->outcome,
                (unsigned long long)a->out_addr, (unsigned long long)b->out_addr, a->perm,
                b->perm, a->size_log2, b->size_log2, a->memattr, b->memattr, a->sh, b->sh,
                a->has_event, b->has_event,
                (unsigned long long)a->event[0], (unsigned long long)a->event[1],
                (unsigned long long)a->event[2], (unsigned long long)a->event[3],
                (unsigned long long)b->event[0], (unsigned long long)b->event[1],
                (unsigned long long)b->event[2], (unsigned long long)b->event[3]);
}

/* Modify a 64-byte structure at pa: raw, bit flips, or one field set. */
static void edit_struct(struct st *t, struct fz_in *in, uint64_t pa, uint64_t tmpl_pa)
{
    uint64_t w[8];
    uint8_t mode = fz_u8(in);
    for (unsigned i = 0; i < 8; i++)
        w[i] = kit_r64(t->e.mem, tmpl_pa + 8ull * i);
    switch (mode & 3) {
    case 0: /* raw contents, with an optional pointer fix-up into RAM */
        for (unsigned i = 0; i < 8; i++)
            w[i] = fz_u64(in);
        if (mode & 4) {
            unsigned dw = (mode >> 3) & 3;
            w[dw] = (w[dw] & ~GENMASK(51, 6)) | fz_slot(fz_u8(in));
        }
        break;
    case 1: { /* flip 1..8 bits of the template */
        unsigned n = 1 + ((mode >> 2) & 7);
        for (unsigned i = 0; i < n; i++) {
            uint16_t pos = fz_u16(in) & 511;
            w[pos / 64] ^= 1ull << (pos % 64);
        }
        break;
    }
    case 2: { /* set one field of the template */
        uint8_t dw = fz_u8(in) & 7, sh = fz_u8(in) & 63, wid = 1 + (fz_u8(in) & 15);
        uint64_t m = (wid >= 64 ? ~0ull : ((1ull << wid) - 1)) << sh;
        w[dw] = (w[dw] & ~m) | ((fz_u64(in) << sh) & m);
        break;
    }
    default: /* the template itself (copy) */
        break;
    }
    fz_put(&t->e, pa, w, 8);
    changed(t);
}

static void txn(struct st *t, struct fz_in *in)
{
    struct vsmmu_txn x = { 0 };
    uint8_t f = fz_u8(in);
    x.sid = (f & 0x80) ? fz_u8(in) : fz_u8(in) % FZ_SCN_SIDS;
    x.ssid = (f & 0x40) ? fz_u32(in) : fz_u8(in) & 3;
    switch ((f >> 4) & 3) {
    case 0: x.addr = ((uint64_t)(fz_u8(in) & 15) << 12) | (fz_u16(in) & 0xFFF); break;
    case 1: x.addr = 0x200000ull + ((uint64_t)fz_u16(in) << 5); break;   /* S1 block */
    case 2: x.addr = (1ull << 30) + ((uint64_t)fz_u32(in) & 0x3FFFFFFF); break;
    default: x.addr = fz_u64(in); break;
    }
    x.flags = fz_u8(in) & 0x3F;
    struct vsmmu_result r1, r2, rt;
    uint64_t w0 = t->e.ptw_writes;
    fz_translate(&t->e, t->e.s, &x, &r1);
    t->translated = true;
    /* HTTU wrote a descriptor: without aliasing the answer would not change,
     * but hostile tables may use the descriptor in another role, and the
     * cache may then legitimately hold the old one (until invalidation). */
    if (t->e.ptw_writes != w0 || (t->e.direct && t->e.cfg.httu != VSMMU_HTTU_NONE))
        t->stale = true;
    if (t->e.aliased)
        return;
    /* A hit on a global (nG=0) entry may come from another CD's walk: global
     * entries are shared by every ASID of the VMID (Arm ARM D8.16), so once
     * the guest made two CDs of a VMID disagree (say EPD0 in one) a cached
     * answer can legitimately differ from a fresh walk. Compare fresh walks
     * with the twin; cached answers are checked by the repeat below. */
    if (!t->stale && !r1.from_cache && !(x.flags & VSMMU_TXN_NOEVENT)) {
        uint64_t w1 = t->e.ptw_writes;
        fz_translate(&t->e, t->e.twin, &x, &rt);
        /* A passthrough device's faults are the host's to record (they
         * reach the guest through vsmmu_accel_poll): the front-end's own
         * walk records none. */
        bool pt = t->accel && fz_accel_psid(x.sid) != ~0u;
        if (verbose() && x.sid < 64) {
            struct vsmmu_accel_stats as;
            vsmmu_accel_get_stats(t->e.s, &as);
            fprintf(stderr, "  txn sid %u: STE %016llx %016llx; installs %llu bad %llu\n", x.sid,
                    (unsigned long long)kit_r64(t->e.mem, FZ_STRTAB + 64ull * x.sid),
                    (unsigned long long)kit_r64(t->e.mem, FZ_STRTAB + 64ull * x.sid + 8),
                    (unsigned long long)as.ste_installs, (unsigned long long)as.bad_ste);
        }
        same_result(&x, &r1, &rt, pt ? "accelerated vs emulated" : "cached vs uncached instance",
                    !pt);
        if (t->e.ptw_writes != w1)
            t->stale = true;
    }
    if (r1.outcome == VSMMU_XLATE_OK && !t->stale) {
        fz_translate(&t->e, t->e.s, &x, &r2);
        same_result(&x, &r1, &r2, "repeated transaction", true);
    }
    if (t->accel)
        host_dma(t, &x, &r1);
}

static void verbose_trace(void *o, const struct vsmmu_trace_rec *r)
{
    if (r->msg || r->kind == VSMMU_TR_CERROR || r->kind == VSMMU_TR_GERROR)
        fprintf(stderr, "%s: trace kind %d a0 0x%llx a1 0x%llx: %s\n", (const char *)o,
                r->kind, (unsigned long long)r->a0, (unsigned long long)r->a1,
                r->msg ? r->msg : "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = { data, size };
    struct vsmmu_config cfg;
    fz_config(&in, &cfg);
    uint8_t hflags = fz_u8(&in);
    struct st t = { 0 };
    if (hflags & FZH_ACCEL) {
        fz_env_init(&t.e, &cfg, hflags & FZH_DIRECT, false);
        t.accel = fz_accel_setup(&t.e, &t.acc, verbose());
        /* the uncached twin, with the configuration the guest sees */
        struct vsmmu_config tc = t.e.cfg;
        tc.tlb_entries = tc.cfg_entries = 0;
        char err[256];
        if (vsmmu_create(&tc, &t.e.ops, &t.e.twin, err, sizeof(err)))
            fz_fail("vsmmu_create (twin): %s", err);
    } else {
        fz_env_init(&t.e, &cfg, hflags & FZH_DIRECT, true);
    }
    if (hflags & FZH_TRACE)
        fz_trace_on(&t.e);
    if (verbose()) {
        vsmmu_set_trace(t.e.s, verbose_trace, "main");
        vsmmu_set_trace(t.e.twin, verbose_trace, "twin");
    }
    fz_scenario(&t.e);
    uint64_t base;
    uint32_t scfg;
    fz_scenario_strtab(&t.e, hflags & FZH_ST2L, &base, &scfg);
    fz_enable_at(&t.e, t.e.s, base, scfg, 4, 4, FZ_EVTQ);
    fz_enable_at(&t.e, t.e.twin, base, scfg, 4, 4, FZ_EVTQ_TWIN);
    /* The accelerated front-end installs the guest STEs on the host at
     * CFGI time (fz_enable): from then on a structure change is stale
     * until the next invalidation, as for a cache. */
    t.translated = t.accel;
    if (verbose()) {
        uint64_t raw[8];
        for (unsigned i = 0; i < 8; i++)
            raw[i] = kit_r64(t.e.mem, FZ_STRTAB + 64 + 8 * i);
        struct vsmmu_ste ste;
        const struct vsmmu_config *tc = vsmmu_get_config(t.e.twin);
        fprintf(stderr, "ste1 %016llx %016llx %016llx %016llx decode(twin) %d; twin v3.%u s1p %d s2p "
                "%d ssid %u stall %d term %d\n", (unsigned long long)raw[0],
                (unsigned long long)raw[1], (unsigned long long)raw[2], (unsigned long long)raw[3],
                vsmmu_ste_decode(t.e.twin, raw, &ste), tc->arch_minor, tc->s1p, tc->s2p,
                tc->ssidsize, tc->stall_model, tc->term_model);
    }

    unsigned nops = 0;
    while (fz_more(&in) && nops++ < 1024) {
        uint8_t op = fz_u8(&in);
        if (verbose())
            fprintf(stderr, "op %u (0x%02x) stale %d\n", op % TO_COUNT, op, t.stale);
        switch (op % TO_COUNT) {
        case TO_STE: {
            uint8_t sid = fz_u8(&in) & 63;
            edit_struct(&t, &in, FZ_STRTAB + 64ull * sid,
                        FZ_STRTAB + 64ull * ((op >> 4) % FZ_SCN_SIDS));
            break;
        }
        case TO_CD: {
            uint8_t idx = fz_u8(&in) & 127;
            uint64_t pa = FZ_CD + (idx >> 6) * 0x1000ull + (idx & 63) * 64ull;
            edit_struct(&t, &in, pa, FZ_CD + ((op >> 4) & 1) * 0x1000ull);
            break;
        }
        case TO_DESC: {
            uint8_t slot = fz_u8(&in);
            uint16_t idx = fz_u16(&in) & 0x1FF;
            uint8_t kind = fz_u8(&in), target = fz_u8(&in);
            uint64_t lo = fz_u16(&in), hi = fz_u16(&in);
            uint64_t d;
            switch (kind & 3) {
            case 0: d = lo << 48; break;                               /* invalid (bit 0 = 0) */
            case 1: d = fz_slot(target) | 3 | (hi << 48); break;          /* table */
            case 2: d = (FZ_DATA + ((uint64_t)target << 12)) | (lo & 0xFFC) | /* page/block */
                        ((kind >> 2) & 1 ? 3 : 1) | (hi << 48); break;
            default: d = lo | hi << 48 | (uint64_t)target << 12 | (uint64_t)kind << 24; break;
            }
            kit_w64(t.e.mem, fz_slot(slot) + 8ull * idx, d);
            changed(&t);
            break;
        }
        case TO_MEM: {
            uint64_t pa = (fz_u32(&in) & (FZ_RAM_SIZE - 1)) & ~7ull;
            kit_w64(t.e.mem, pa, fz_u64(&in));
            changed(&t);
            break;
        }
        case TO_L1: {
            uint8_t which = fz_u8(&in), idx = fz_u8(&in) & 7;
            uint64_t v = fz_u64(&in);
            if (which & 1) {   /* L1CD table at FZ_CD + 8K: V[0], L2Ptr[51:12] */
                if (which & 2)
                    v = (FZ_CD + ((v >> 1) & 1) * 0x1000ull) | (v & 1);
                kit_w64(t.e.mem, FZ_CD + 0x2000 + 8ull * idx, v);
            } else {           /* L1STD: Span[4:0], L2Ptr[51:6] */
                if (which & 2)
                    v = FZ_STRTAB | (v & 31);
                kit_w64(t.e.mem, FZ_L1STD + 8ull * idx, v);
            }
            changed(&t);
            break;
        }
        case TO_TXN:
            txn(&t, &in);
            break;
        case TO_INVAL:
            if (((op >> 3) & 7) >= 4) {
                /* a targeted invalidation (range TLBIs, by VMID/ASID, one
                 * STE/CD): exercises the filters; the caches stay possibly
                 * stale, so no differential check until a full one */
                uint64_t cmd[2][2] = { { 0, fz_u64(&in) }, { fz_cmd_sync(), 0 } };
                uint64_t hi = fz_u64(&in);
                static const uint8_t ops[4] = { 0x2A, 0x12, 0x28, 0x05 };  /* S2_IPA NH_VA S12_VMALL CFGI_CD */
                cmd[0][0] = ops[(op >> 3) & 3] | (hi & ~0xFFull & ~(1ull << 10));
                fz_cmds(&t.e, t.e.s, cmd, 2);
                fz_cmds(&t.e, t.e.twin, cmd, 2);
                if (fz_cmdq_recover(&t.e, t.e.s))
                    fz_cmds(&t.e, t.e.s, cmd + 1, 1);
                if (fz_cmdq_recover(&t.e, t.e.twin))
                    fz_cmds(&t.e, t.e.twin, cmd + 1, 1);
                break;
            }
            invalidate(&t);
            if (t.accel && vsmmu_accel_poll(t.e.s) < 0)
                fz_fail("vsmmu_accel_poll failed: %s", vsmmu_last_error(t.e.s));
            break;
        case TO_POISON: {
            uint8_t b = fz_u8(&in);
            /* tables only: the queues stay healthy so that both instances
             * keep identical queue state */
            uint64_t at = (b & 0x40) ? ((uint64_t)fz_u16(&in) << 6) % 0x1000
                                     : FZ_CD + ((uint64_t)fz_u16(&in) << 6) % (FZ_RAM_SIZE - FZ_CD);
            /* a range starting in the stream table stops short of the
             * command queue (else CFGI would abort and caches stay stale) */
            uint64_t sz = 8ull << (b & 15);
            if (at < FZ_CMDQ && at + sz > FZ_CMDQ)
                sz = FZ_CMDQ - at;
            if (b & 0x80)
                kit_mem_unpoison_all(t.e.mem);
            else
                kit_mem_poison(t.e.mem, at, sz);
            changed(&t);
            break;
        }
        }
    }
    if (t.acc.hm) {
        if (verbose() && t.accel) {
            struct vsmmu_accel_stats as;
            vsmmu_accel_get_stats(t.e.s, &as);
            fprintf(stderr, "accel: %llu translations, %llu vSTEs, %llu forwarded\n",
                    (unsigned long long)as.translations, (unsigned long long)as.ste_installs,
                    (unsigned long long)as.forwarded);
        }
        fz_check_regs(&t.e, t.e.s);
        vsmmu_destroy(t.e.twin);
        t.e.twin = NULL;
        fz_accel_fini(&t.e, &t.acc);
    }
    fz_env_fini(&t.e);
    return 0;
}
