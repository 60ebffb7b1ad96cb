/* SPDX-License-Identifier: MIT */
/* fuzz_cmdq: command queue contents under a fixed, valid setup (the
 * fz_scenario stream table, CDs and tables; CMDQ and EVTQ enabled).
 *
 * Invariants on top of fuzz_check.c (CONS never passes PROD, consumption
 * completes without an error, bounded work per MMIO call):
 *  - every command the SMMU consumed without raising CMDQ_ERR is legal for
 *    this configuration (IHI0070 4.1.3: reserved opcodes, SSec=1 on the
 *    Non-secure queue and commands for absent features are CERROR_ILL);
 *  - after CFGI_ALL + TLBI_NSNH_ALL + CMD_SYNC complete, translations agree
 *    with an uncached twin instance on the same memory.
 * With FZH_ACCEL the instance is an accelerated vSMMU (soft backend,
 * fz_accel_setup): commands for passthrough devices are forwarded to the
 * host SMMU at CMD_SYNC; the host must stay sane (its registers' invariants
 * hold, device DMA returns) whatever the guest sends. */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_format.h"
#include "internal.h"
#include "vsmmu/accel.h"

static const uint8_t opcodes[] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x11, 0x12, 0x13, 0x18, 0x1A,
    0x20, 0x21, 0x22, 0x23, 0x28, 0x2A, 0x30, 0x40, 0x41, 0x44, 0x45, 0x46, 0x46,
    0x46, 0x00, 0x0F, 0x50, 0x80, 0xFF,
};
#define NOPC (sizeof(opcodes) / sizeof(opcodes[0]))

/* IHI0070 4.1.3 / 4.2: false if this command is certainly CERROR_ILL on the
 * Non-secure queue of an SMMU with configuration c (reserved opcode, SSec=1,
 * a feature the SMMU lacks, CMD_SYNC CS=0b11). True does not mean legal:
 * parameter checks that the spec leaves optional are not modelled here. */
static bool cmd_legal(const struct vsmmu_config *c, uint64_t dw0)
{
    unsigned op = (unsigned)(dw0 & 0xFF);
    if (dw0 & (1ull << 10))              /* SSec = 1 on the NS queue */
        return false;
    switch (op) {
    case 0x46:                            /* CMD_SYNC: CS[13:12] = 0b11 reserved */
        return ((dw0 >> 12) & 3) != 3;
    case 0x01: case 0x02: case 0x03: case 0x04: case 0x30:
        return true;
    case 0x05: case 0x06: case 0x10: case 0x11: case 0x12: case 0x13:
        return c->s1p;
    case 0x07:                            /* CFGI_VMS_PIDM: v3.2 with MPAM only */
        return c->mpam && c->arch_minor >= 2;
    case 0x20: case 0x21: case 0x22: case 0x23:
        return c->hyp && c->s1p;
    case 0x28: case 0x2A:
        return c->s2p;
    case 0x40:
        return c->ats;
    case 0x41:
        return c->pri;
    case 0x44: case 0x45:
        return c->stall_model != VSMMU_TERM_ONLY;
    default:
        /* reserved, Secure-only, EL3 and IMPLEMENTATION DEFINED (0x80-0x8F,
         * none implemented here) opcodes */
        return false;
    }
}

struct cq {
    struct fz_env e;
    bool accel;
    struct fz_accel acc;
    unsigned qs;
    uint32_t pending;          /* our PROD, published by CO_PUBLISH */
    uint16_t last_stag;
    uint32_t last_stall_sid;
};

static uint32_t rd(struct vsmmu *s, uint64_t off)
{
    uint64_t v = 0;
    vsmmu_mmio_read(s, off, 4, &v);
    return (uint32_t)v;
}

static void publish(struct cq *q, uint32_t prod)
{
    struct fz_env *e = &q->e;
    uint32_t pm = (2u << q->qs) - 1, im = (1u << q->qs) - 1;
    uint32_t cons0 = rd(e->s, SMMU_CMDQ_CONS) & pm;
    bool err0 = (rd(e->s, SMMU_GERROR) ^ rd(e->s, SMMU_GERRORN)) & GERROR_CMDQ_ERR;
    /* snapshot what the SMMU may consume */
    uint64_t snap[256][2];
    uint32_t n = (prod - cons0) & pm;
    if (n > (1u << q->qs))
        n = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t slot = FZ_CMDQ + 16ull * ((cons0 + i) & im);
        snap[i][0] = kit_r64(e->mem, slot);
        snap[i][1] = kit_r64(e->mem, slot + 8);
    }
    fz_mmio_write(e, e->s, SMMU_CMDQ_PROD, prod, 4);
    uint32_t cons1 = rd(e->s, SMMU_CMDQ_CONS) & pm;
    bool err1 = (rd(e->s, SMMU_GERROR) ^ rd(e->s, SMMU_GERRORN)) & GERROR_CMDQ_ERR;
    uint32_t moved = (cons1 - cons0) & pm;
    if (err0 || moved > n)
        return;
    const struct vsmmu_config *c = vsmmu_get_config(e->s);
    for (uint32_t i = 0; i < moved; i++)
        if (!cmd_legal(c, snap[i][0]))
            fz_fail("command %016llx %016llx at index 0x%x consumed without CERROR_ILL",
                    (unsigned long long)snap[i][0], (unsigned long long)snap[i][1],
                    (cons0 + i) & pm);
    if (err1 && moved < n) {
        unsigned err = (unsigned)FIELD_GET(CMDQ_CONS_ERR, rd(e->s, SMMU_CMDQ_CONS));
        if (!cmd_legal(c, snap[moved][0]) && err != CERROR_ILL)
            fz_fail("illegal command %016llx stopped the queue with CERROR %u, not ILL",
                    (unsigned long long)snap[moved][0], err);
    }
}

/* Full invalidation on both instances, then compare translations. */
static void check_twin(struct cq *q)
{
    struct fz_env *e = &q->e;
    uint64_t cmd[3][2] = { { 0, 0 }, { fz_cmd_tlbi_nsnh_all(), 0 }, { fz_cmd_sync(), 0 } };
    cmd[0][0] = fz_cmd_cfgi_all(&cmd[0][1]);
    /* Only when main is in a state where the commands run. */
    uint32_t ack = rd(e->s, SMMU_CR0ACK);
    if (!(ack & CR0_CMDQEN) || ((rd(e->s, SMMU_GERROR) ^ rd(e->s, SMMU_GERRORN)) & GERROR_CMDQ_ERR))
        return;
    uint32_t pm = (2u << q->qs) - 1;
    uint32_t prod = rd(e->s, SMMU_CMDQ_PROD) & pm, cons = rd(e->s, SMMU_CMDQ_CONS) & pm;
    if (prod != cons)
        return;
    fz_cmds(e, e->s, cmd, 3);
    q->pending = rd(e->s, SMMU_CMDQ_PROD) & pm;
    if ((rd(e->s, SMMU_CMDQ_CONS) & pm) != q->pending)
        return;
    fz_cmds(e, e->twin, cmd, 3);
    if (rd(e->twin, SMMU_CR0ACK) != ack || rd(e->s, SMMU_GBPA) != rd(e->twin, SMMU_GBPA))
        return;
    for (uint32_t sid = 0; sid < FZ_SCN_SIDS; sid++) {
        for (unsigned k = 0; k < 4; k++) {
            struct vsmmu_txn x = { .sid = sid, .addr = 0x1000ull * k + 0x18,
                                   .flags = k == 3 ? VSMMU_TXN_WRITE : 0 };
            struct vsmmu_result a, b;
            uint64_t w0 = e->ptw_writes;
            fz_translate(e, e->s, &x, &a);
            bool httu = e->ptw_writes != w0;
            fz_translate(e, e->twin, &x, &b);
            /* an HTTU write may change aliased descriptors (see fuzz_tables.c) */
            if (httu || e->aliased)
                return;
            if (a.outcome == VSMMU_XLATE_STALL || b.outcome == VSMMU_XLATE_STALL)
                continue;
            bool eq = a.outcome == b.outcome &&
                      (a.outcome != VSMMU_XLATE_OK ||
                       (a.out_addr == b.out_addr && a.perm == b.perm));
            if (!eq && e->verbose) {
                uint64_t ste0 = kit_r64(e->mem, FZ_STRTAB + 64ull * sid);
                uint64_t ctx = ste0 & GENMASK(51, 6);
                fprintf(stderr, "STE %u: %016llx %016llx; CD at 0x%llx: %016llx %016llx\n", sid,
                        (unsigned long long)ste0,
                        (unsigned long long)kit_r64(e->mem, FZ_STRTAB + 64ull * sid + 8),
                        (unsigned long long)ctx, (unsigned long long)kit_r64(e->mem, ctx),
                        (unsigned long long)kit_r64(e->mem, ctx + 8));
            }
            if (!eq)
                fz_fail("after full invalidation: sid %u addr 0x%llx: %s %d 0x%llx perm %x, "
                        "uncached %d 0x%llx perm %x [%016llx %016llx %016llx %016llx]", sid,
                        (unsigned long long)x.addr, q->accel ? "accelerated" : "cached",
                        a.outcome, (unsigned long long)a.out_addr, a.perm, b.outcome,
                        (unsigned long long)b.out_addr, b.perm, (unsigned long long)b.event[0],
                        (unsigned long long)b.event[1], (unsigned long long)b.event[2],
                        (unsigned long long)b.event[3]);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = { data, size };
    struct vsmmu_config cfg;
    fz_config(&in, &cfg);
    uint8_t hflags = fz_u8(&in);
    struct cq q = { 0 };
    struct fz_env *e = &q.e;
    if (hflags & FZH_ACCEL) {
        fz_env_init(e, &cfg, hflags & FZH_DIRECT, false);
        q.accel = fz_accel_setup(e, &q.acc, false);
        struct vsmmu_config tc = e->cfg;
        tc.tlb_entries = tc.cfg_entries = 0;
        char err[256];
        if (vsmmu_create(&tc, &e->ops, &e->twin, err, sizeof(err)))
            fz_fail("vsmmu_create (twin): %s", err);
        cfg = e->cfg;
    } else {
        fz_env_init(e, &cfg, hflags & FZH_DIRECT, true);
    }
    if (hflags & FZH_TRACE)
        fz_trace_on(e);
    e->sync_msi = FZ_MSI + 0x40;      /* CO_CMD's CMD_SYNC MSI target */
    fz_scenario(e);
    uint64_t base;
    uint32_t scfg;
    fz_scenario_strtab(e, hflags & FZH_ST2L, &base, &scfg);
    q.qs = 2 + ((hflags >> 4) % 7);                 /* 4..256 commands */
    if (q.qs > cfg.cmdqs)
        q.qs = cfg.cmdqs;
    fz_enable_at(e, e->s, base, scfg, q.qs, 4, FZ_EVTQ);
    fz_enable_at(e, e->twin, base, scfg, q.qs, 4, FZ_EVTQ_TWIN);
    uint32_t pm = (2u << q.qs) - 1;
    q.pending = rd(e->s, SMMU_CMDQ_PROD) & pm;

    unsigned nops = 0;
    while (fz_more(&in) && nops++ < 2048) {
        uint8_t op = fz_u8(&in);
        switch (op % CO_COUNT) {
        case CO_CMD: {
            uint8_t sel = fz_u8(&in), ctl = fz_u8(&in);
            uint64_t hi = fz_u64(&in), dw1 = fz_u64(&in);
            uint8_t opc = sel >= 0xF0 ? (uint8_t)hi : opcodes[sel % NOPC];
            uint64_t dw0 = opc | (hi & ~0xFFull);
            if (ctl & 1)          /* a StreamID of the scenario, clear SSec */
                dw0 = (dw0 & 0xFFFFFBFFull) | (uint64_t)((ctl >> 1) & 7) << 32;
            if (ctl & 0x10)       /* an address the scenario maps */
                dw1 = (dw1 & 0xFFF) | (uint64_t)((ctl >> 5) & 7) << 12;
            if (opc == 0x46 && (ctl & 0x20))  /* CMD_SYNC: MSI to the MSI page */
                dw1 = FZ_MSI + 0x40;
            if (opc == 0x44 && (ctl & 0x40)) {  /* CMD_RESUME the last stall */
                dw0 = (dw0 & 0xFFFFFFFFull & ~(1ull << 10)) | (uint64_t)q.last_stall_sid << 32;
                dw1 = (dw1 & ~0xFFFFull) | q.last_stag;
            }
            uint64_t slot = FZ_CMDQ + 16ull * (q.pending & ((1u << q.qs) - 1));
            kit_w64(e->mem, slot, dw0);
            kit_w64(e->mem, slot + 8, dw1);
            q.pending = (q.pending + 1) & pm;
            break;
        }
        case CO_PUBLISH:
            publish(&q, q.pending);
            break;
        case CO_PROD_RAW: {
            uint32_t v = fz_u32(&in);
            fz_mmio_write(e, e->s, SMMU_CMDQ_PROD, v, 4);
            q.pending = rd(e->s, SMMU_CMDQ_PROD) & pm;
            break;
        }
        case CO_ACK:
            fz_mmio_write(e, e->s, SMMU_GERRORN, rd(e->s, SMMU_GERROR), 4);
            break;
        case CO_TXN: {
            struct vsmmu_txn x = { 0 };
            x.sid = fz_u8(&in) % FZ_SCN_SIDS;
            x.ssid = fz_u8(&in) & 3;
            x.addr = ((uint64_t)(fz_u8(&in) & 15) << 12) | 0x40;
            x.flags = fz_u8(&in) & 0x1F;
            struct vsmmu_result r;
            fz_translate(e, e->s, &x, &r);
            if (r.outcome == VSMMU_XLATE_STALL) {
                q.last_stag = r.stag;
                q.last_stall_sid = x.sid;
            }
            if (q.accel && fz_accel_psid(x.sid) != ~0u) {
                /* the device's DMA on the host */
                struct vsmmu_txn h = x;
                h.sid = fz_accel_psid(x.sid);
                if (vsmmu_translate(q.acc.host, &h, &r) != VSMMU_OK ||
                    (unsigned)r.outcome > VSMMU_XLATE_STALL)
                    fz_fail("host translate failed");
                if (r.outcome == VSMMU_XLATE_OK && (r.out_addr >> 48))
                    fz_fail("host DMA output 0x%llx above the host OAS",
                            (unsigned long long)r.out_addr);
            }
            break;
        }
        case CO_CMDQEN: {
            uint8_t b = fz_u8(&in);
            uint32_t v = CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN;
            if (b & 1) v &= ~CR0_CMDQEN;
            if (b & 2) v &= ~CR0_SMMUEN;
            if (b & 4) v &= ~CR0_EVENTQEN;
            fz_mmio_write(e, e->s, SMMU_CR0, v, 4);
            break;
        }
        case CO_MEM: {
            uint64_t pa = (uint64_t)fz_u16(&in) * 8 % FZ_DATA;
            kit_w64(e->mem, pa, fz_u64(&in));
            break;
        }
        case CO_DRAIN:
            fz_mmio_write(e, e->s, SMMU_EVENTQ_CONS, rd(e->s, SMMU_EVENTQ_PROD), 4);
            break;
        case CO_HOTPLUG: {
            /* Hot-unplug / hot-plug of a passthrough device: detach forgets
             * it (host configuration abort, its pending invalidations
             * dropped); attach installs what the guest has for it now. */
            uint8_t b = fz_u8(&in);
            if (!q.accel)
                break;
            uint32_t vsid = fz_accel_vsid[b % 3];
            if (b & 0x80) {
                int rc = vsmmu_accel_detach(e->s, vsid);
                if (rc != VSMMU_OK && rc != VSMMU_ENOENT)
                    fz_fail("accel detach vsid %u: %d (%s)", vsid, rc, vsmmu_last_error(e->s));
            } else {
                struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = vsid,
                                             .backend = 0, .host_id = fz_accel_psid(vsid) };
                int rc = vsmmu_accel_attach(e->s, &d);
                if (rc != VSMMU_OK && rc != VSMMU_EBUSY)
                    fz_fail("accel attach vsid %u: %d (%s)", vsid, rc, vsmmu_last_error(e->s));
            }
            fz_check_regs(e, e->s);
            break;
        }
        case CO_CHECK:
            check_twin(&q);
            if (q.accel) {
                if (vsmmu_accel_poll(e->s) < 0 && vsmmu_last_error(e->s)[0] == 0)
                    fz_fail("vsmmu_accel_poll failed without a reason");
                fz_check_regs(e, q.acc.host);
            }
            break;
        }
    }
    publish(&q, q.pending);
    if (q.acc.hm) {
        fz_check_regs(e, q.acc.host);
        e->nchecks = 0;
        fz_check_regs(e, e->s);
        vsmmu_destroy(e->twin);
        e->twin = NULL;
        fz_accel_fini(e, &q.acc);
    }
    fz_env_fini(e);
    return 0;
}
