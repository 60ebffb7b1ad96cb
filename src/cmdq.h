/* SPDX-License-Identifier: MIT */
/* Command queue consumer (cmdq.c) and command decoding (cmd_decode.c):
 * IHI0070 chapter 4, 7.1. */
#ifndef VSMMU_CMDQ_H
#define VSMMU_CMDQ_H

#include <stdbool.h>
#include <stdint.h>
#include "tlb.h"

struct vsmmu;
struct vsmmu_config;

/* A command after decoding and validation (pure: depends only on the
 * command and the configuration the ID registers are built from). */
struct vsmmu_cmd {
    uint8_t  op;               /* CMD_* (spec/cmd.h) */
    uint32_t sid;
    uint32_t ssid;
    bool     ssv;
    bool     leaf;
    uint8_t  range;            /* CFGI_STE_RANGE.Range (31: CFGI_ALL) */
    /* TLBI_*: the invalidation to perform. no_effect is set when a RES0
     * upper byte of an 8-bit ASID/VMID (or a VMID without stage 2) is
     * non-zero: IHI0070 4.4 lets such a command affect nothing. */
    struct vsmmu_tlbi tlbi;
    bool     no_effect;
    /* CMD_SYNC */
    uint8_t  cs;               /* CMD_SYNC_CS_* */
    uint8_t  msh, msiattr;
    uint32_t msidata;
    uint64_t msiaddr;          /* MSIAddress[55:2] << 2 (0: no MSI) */
    /* CMD_RESUME */
    bool     retry, abort;
    uint16_t stag;
    /* CMD_PRI_RESP */
    uint16_t prgi;
    uint8_t  resp;             /* CMD_PRI_RESP_* */
    /* CMD_ATC_INV, CMD_PREFETCH_ADDR */
    bool     global;
    uint8_t  size;
    uint8_t  stride;
    uint64_t addr;
};

/* Decode and validate one command against the implementation described by
 * `c`. Returns CERROR_NONE (0) or CERROR_ILL. Reserved fields are checked:
 * any non-zero RES0 bit is CERROR_ILL (IHI0070 4.1.5, first option). */
int vsmmu_cmd_decode(const struct vsmmu_config *c, const uint64_t cmd[2], struct vsmmu_cmd *out);

/* A PRI response as the command queue consumed it (CMD_PRI_RESP). */
struct vsmmu_pri_resp {
    uint32_t sid;
    uint32_t ssid;
    bool     ssv;
    uint16_t prgi;
    uint8_t  resp;             /* CMD_PRI_RESP_* */
};

/* Routes for commands whose effect belongs to another module. A module that
 * implements them installs its function at init; unset hooks make the
 * command a no-op after validation. */
struct vsmmu_cmdq_hooks {
    /* CMD_RESUME: retry (Ac=1), or terminate with abort (Ab=1) / RAZ-WI. */
    void (*stall_resume)(struct vsmmu *s, uint32_t sid, uint16_t stag, bool retry, bool abort);
    /* CMD_STALL_TERM */
    void (*stall_term)(struct vsmmu *s, uint32_t sid);
    /* CMD_PRI_RESP (SMMUEN == 1 only; the response is also kept in
     * vsmmu_cmdq.last_pri_resp). */
    void (*pri_resp)(struct vsmmu *s, const struct vsmmu_pri_resp *r);
};

struct vsmmu_cmdq {
    uint64_t syncs;            /* CMD_SYNCs completed */
    uint64_t pri_resps;        /* CMD_PRI_RESP consumed with SMMUEN == 1 */
    struct vsmmu_pri_resp last_pri_resp;
    struct vsmmu_cmdq_hooks hooks;
    bool     running;          /* re-entrancy guard (a host op calling MMIO) */
    bool     again;            /* a nested trigger arrived while running */
};

void vsmmu_cmdq_init(struct vsmmu *s);
void vsmmu_cmdq_reset(struct vsmmu *s);
/* Consume commands if CR0.CMDQEN and no CMDQ_ERR is active. Called by regs.c on
 * a CMDQ_PROD write and on CR0.CMDQEN 0->1, and by vsmmu_gerrorn_written()
 * when a GERRORN write acknowledges CMDQ_ERR. Runs at most cfg.cmdq_batch
 * commands per call: a guest that produces more makes progress on its next
 * CMDQ_PROD write. Does not take evtq.lock on entry (takes it briefly to
 * activate GERROR). */
void vsmmu_cmdq_process(struct vsmmu *s);

#endif
