/* SPDX-License-Identifier: MIT */
/* Command queue consumer: IHI0070 4.1 (submission, consumption), 4.7.3
 * (CMD_SYNC), 7.1 (command errors and restart). Decoding is in
 * cmd_decode.c. */
#include <string.h>

#include "internal.h"
#include "queue.h"
#include "spec/cmd.h"
#include "accel/accel_int.h"
#include "stall.h"

void vsmmu_cmdq_init(struct vsmmu *s)
{
    memset(&s->cmdq, 0, sizeof(s->cmdq));
}

void vsmmu_cmdq_reset(struct vsmmu *s)
{
    /* Hooks installed by other modules survive a reset. */
    s->cmdq.syncs = 0;
    s->cmdq.pri_resps = 0;
    memset(&s->cmdq.last_pri_resp, 0, sizeof(s->cmdq.last_pri_resp));
    s->cmdq.running = false;
    s->cmdq.again = false;
}

/* Stop with an error: CMDQ_CONS.RD points at the failing command and ERR is
 * written before GERROR.CMDQ_ERR is activated (IHI0070 7.1). */
static void cmdq_error(struct vsmmu *s, uint32_t rd, unsigned err)
{
    reg_store(&s->regs.cmdq_cons, rd | (uint32_t)FIELD_PREP(CMDQ_CONS_ERR, err));
    stat_add(s, cerrors, 1);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_CERROR, rd, err, 0, 0, NULL, 0, NULL);
    pthread_mutex_lock(&s->evtq.lock);
    vsmmu_gerror_activate(s, GERROR_CMDQ_ERR);
    pthread_mutex_unlock(&s->evtq.lock);
}

static void cmd_execute(struct vsmmu *s, const struct vsmmu_cmd *c)
{
    bool smmuen = (reg_load(&s->regs.cr0ack) & CR0_SMMUEN) != 0;

    switch (c->op) {
    case CMD_CFGI_STE:
        vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE, c->sid, 0, 0, c->leaf);
        break;
    case CMD_CFGI_STE_RANGE:
        if (c->range == CMD_CFGI_RANGE_ALL) {
            vsmmu_cfg_invalidate(s, VSMMU_CFGI_ALL, 0, 0, 32, false);
        } else {
            /* The aligned block of 2^(Range+1) StreamIDs containing StreamID. */
            unsigned n = c->range + 1u;
            uint32_t start = c->sid & ~(uint32_t)bits_mask_low(n);
            vsmmu_cfg_invalidate(s, VSMMU_CFGI_STE_RANGE, start, 0, n, false);
        }
        break;
    case CMD_CFGI_CD:
        vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD, c->sid, c->ssid, 0, c->leaf);
        break;
    case CMD_CFGI_CD_ALL:
        vsmmu_cfg_invalidate(s, VSMMU_CFGI_CD_ALL, c->sid, 0, 0, false);
        break;
    case CMD_TLBI_NH_ALL: case CMD_TLBI_NH_ASID: case CMD_TLBI_NH_VA: case CMD_TLBI_NH_VAA:
    case CMD_TLBI_EL2_ALL: case CMD_TLBI_EL2_ASID: case CMD_TLBI_EL2_VA: case CMD_TLBI_EL2_VAA:
    case CMD_TLBI_S12_VMALL: case CMD_TLBI_S2_IPA: case CMD_TLBI_NSNH_ALL:
        if (!c->no_effect)
            vsmmu_tlb_invalidate(s, &c->tlbi);
        break;
    case CMD_RESUME:
        if (s->cmdq.hooks.stall_resume)
            s->cmdq.hooks.stall_resume(s, c->sid, c->stag, c->retry, c->abort);
        break;
    case CMD_STALL_TERM:
        if (s->cmdq.hooks.stall_term)
            s->cmdq.hooks.stall_term(s, c->sid);
        break;
    case CMD_PRI_RESP:
        /* IGNORED when SMMUEN == 0 (IHI0070 4.5.2). */
        if (smmuen) {
            struct vsmmu_pri_resp r = { .sid = c->sid, .ssid = c->ssid, .ssv = c->ssv,
                                        .prgi = c->prgi, .resp = c->resp };
            s->cmdq.last_pri_resp = r;
            s->cmdq.pri_resps++;
            if (s->cmdq.hooks.pri_resp)
                s->cmdq.hooks.pri_resp(s, &r);
        }
        break;
    default:
        /* PREFETCH_*: optional hints, never record events (4.2). ATC_INV:
         * no ATC is modelled behind this SMMU, so there is nothing to
         * invalidate and CMD_SYNC never fails with CERROR_ATC_INV_SYNC.
         * CFGI_VMS_PIDM: no VMS is cached. */
        break;
    }
}

/* CMD_SYNC completion signal, after CONS has moved past the SYNC (4.7.3). */
static void sync_signal(struct vsmmu *s, const struct vsmmu_cmd *c)
{
    s->cmdq.syncs++;
    if (c->cs == CMD_SYNC_CS_IRQ) {
        /* Not gated by IRQ_CTRL. An MSI when MSIs are supported and
         * MSIAddress != 0 (whole field compared, then truncated to the OAS);
         * the wired CMD_SYNC output pulses regardless of MSIAddress when
         * wired outputs are implemented (4.7.3). */
        if (s->cfg.msi && c->msiaddr) {
            uint64_t addr = c->msiaddr & bits_mask_low(s->oas_bits);
            uint32_t attrs = (uint32_t)(FIELD_PREP(IRQ_CFG2_MEMATTR, c->msiattr) |
                                        FIELD_PREP(IRQ_CFG2_SH, c->msh));
            if (vsmmu_tracing(s))
                vsmmu_tracef(s, VSMMU_TR_IRQ, VSMMU_IRQ_CMD_SYNC, addr, c->msidata, 0, NULL, 0,
                             "msi");
            if (vsmmu_msi_send_kind(s, addr, c->msidata, attrs, VSMMU_MEM_CMDQ)) {
                pthread_mutex_lock(&s->evtq.lock);
                vsmmu_gerror_activate(s, GERROR_MSI_CMDQ_ABT_ERR);
                pthread_mutex_unlock(&s->evtq.lock);
            }
        }
        vsmmu_wired_pulse(s, VSMMU_IRQ_CMD_SYNC);
    } else if (c->cs == CMD_SYNC_CS_SEV) {
        /* SIG_SEV without IDR0.SEV behaves as SIG_NONE. */
        if (s->cfg.sev && s->ops.sev)
            s->ops.sev(s->ops.opaque);
    }
}

/* Run one fetched command. Returns CERROR_NONE or an error code; *err_rd is
 * the RD value to report (the command's own index unless the front-end
 * reports a queued command that failed). */
static unsigned cmd_run(struct vsmmu *s, const uint64_t cmd[2], uint32_t rd,
                        struct vsmmu_cmd *c, uint32_t *err_rd)
{
    *err_rd = rd;
    int rc = vsmmu_cmd_decode(&s->cfg, cmd, c);
    if (rc)
        return (unsigned)rc;
    if (c->op == CMD_SYNC) {
        uint32_t failed = rd;
        rc = vsmmu_accel_sync(s, &failed);
        if (rc < 0) {
            *err_rd = failed;
            unsigned code = (unsigned)(-rc) & 0x7f;
            return code ? code : CERROR_ILL;
        }
        /* Stall records waiting for a writable queue are written before the
         * SYNC is seen consumed (7.2.1, 4.7.3). */
        vsmmu_stall_flush(s);
        return CERROR_NONE;
    }
    rc = vsmmu_accel_cmd(s, cmd, rd);
    if (rc < 0) {
        unsigned code = (unsigned)(-rc) & 0x7f;
        return code ? code : CERROR_ILL;
    }
    if (rc == 0)
        cmd_execute(s, c);
    return CERROR_NONE;
}

/* Consume until empty, an error, CMDQEN == 0 or the budget is spent.
 * Registers are re-read for every command: a host op called from here (an
 * MSI, an interrupt) may have written MMIO. */
static void cmdq_run(struct vsmmu *s, uint32_t *budget, bool *seen_full, bool *consumed)
{
    struct vsmmu_qgeo g;

    for (;;) {
        if (!(reg_load(&s->regs.cr0) & CR0_CMDQEN))
            return;
        if ((reg_load(&s->regs.gerror) ^ reg_load(&s->regs.gerrorn)) & GERROR_CMDQ_ERR)
            return;
        q_geo(&g, s->regs.cmdq_base, s->cfg.cmdqs, CMD_SIZE_LOG2, s->oas_bits);
        uint32_t prod = s->regs.cmdq_prod, cons = s->regs.cmdq_cons;
        if (q_empty(&g, prod, cons))
            return;
        /* Inconsistent PROD/CONS (3.5.1): this model does not consume. */
        if (q_inconsistent(&g, prod, cons))
            return;
        if (!*budget)
            return;
        (*budget)--;
        if (q_full(&g, prod, cons))
            *seen_full = true;

        uint32_t rd = cons & g.ptrmask;
        uint8_t b[CMD_SIZE];
        if (vsmmu_mem_read(s, q_slot(&g, rd), b, sizeof(b), VSMMU_MEM_CMDQ)) {
            /* Synchronous fetch abort: RD does not advance (7.1). */
            cmdq_error(s, rd, CERROR_ABT);
            return;
        }
        uint64_t cmd[2] = { q_get_le64(b), q_get_le64(b + 8) };
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_CMD, rd, 0, 0, 0, cmd, 2, NULL);

        struct vsmmu_cmd c;
        uint32_t err_rd;
        unsigned err = cmd_run(s, cmd, rd, &c, &err_rd);
        if (err) {
            cmdq_error(s, err_rd & g.ptrmask, err);
            return;
        }
        /* Consumed: RD moves on, ERR is preserved (it is UNKNOWN while no
         * CMDQ_ERR is active; keeping it is the simplest choice). */
        uint32_t keep = reg_load(&s->regs.cmdq_cons) & (uint32_t)CMDQ_CONS_ERR;
        reg_store(&s->regs.cmdq_cons, q_inc(&g, rd) | keep);
        *consumed = true;
        stat_add(s, commands, 1);
        stat_add(s, cmd_by_opcode[c.op], 1);
        if (c.op == CMD_SYNC)
            sync_signal(s, &c);
    }
}

void vsmmu_cmdq_process(struct vsmmu *s)
{
    if (s->cmdq.running) {
        /* Re-entered from a host op (an interrupt handler writing CMDQ_PROD
         * or acknowledging CMDQ_ERR): the running loop picks it up. */
        s->cmdq.again = true;
        return;
    }
    s->cmdq.running = true;
    uint32_t budget = s->cfg.cmdq_batch ? s->cfg.cmdq_batch : 1;
    bool seen_full = false, consumed = false;
    do {
        s->cmdq.again = false;
        cmdq_run(s, &budget, &seen_full, &consumed);
        /* Deliver GERROR interrupts while still marked running, so that a
         * handler that acknowledges without repairing the command retries
         * here, within the budget, instead of recursing. */
        vsmmu_irq_flush(s);
    } while (s->cmdq.again && budget);
    s->cmdq.running = false;
    /* WFE wake-up when the queue becomes non-full after it could have been
     * seen full (4.1.2). */
    if (seen_full && consumed && s->cfg.sev && s->ops.sev)
        s->ops.sev(s->ops.opaque);
}
