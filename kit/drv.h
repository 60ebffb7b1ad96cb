/* SPDX-License-Identifier: MIT */
/* kit/drv: a mini guest driver for one vsmmu instance. It touches the model
 * only through MMIO (vsmmu_mmio_*) and guest memory (kit_mem), and programs
 * the SMMU the way Linux's arm-smmu-v3 driver does (linux-driver.md §1-3):
 * ID register probe, stream table (linear or 2-level), command and event
 * queues, the reset sequence, command submission with CMD_SYNC completion
 * (MSI into the sync's own queue slot, or polling CMDQ_CONS), event
 * consumption with overflow acknowledgement, and the GERROR handler
 * (including Linux's CMDQ_ERR recovery). Polling loops are bounded: a
 * wait that does not complete returns -1 instead of spinning. */
#ifndef KIT_DRV_H
#define KIT_DRV_H

#include <stdbool.h>
#include <stdint.h>
#include "vsmmu/vsmmu.h"
#include "mem.h"

enum kit_strtab_fmt { KIT_ST_AUTO = 0, KIT_ST_LINEAR, KIT_ST_2LVL };
enum kit_sync_mode { KIT_SYNC_AUTO = 0, KIT_SYNC_MSI, KIT_SYNC_POLL };

struct kit_drv_msi { uint64_t addr; uint32_t data; };

struct kit_drv_opts {
    enum kit_strtab_fmt strtab;  /* AUTO: 2-level when IDR0.ST_LEVEL and sid_bits > 8 (Linux) */
    unsigned sid_bits;           /* StreamIDs covered (0: min(SIDSIZE, 8 linear / 16 2-level)) */
    unsigned cmdq_log2;          /* 0: min(IDR1.CMDQS, 8) */
    unsigned evtq_log2;          /* 0: min(IDR1.EVENTQS, 7) */
    unsigned priq_log2;          /* 0: min(IDR1.PRIQS, 7) */
    enum kit_sync_mode sync;     /* AUTO: MSI into the slot when IDR0.MSI (Linux MSIPOLL) */
    bool no_irqs;                /* leave IRQ_CTRL at 0 */
    /* MSI configuration for EVTQ, GERROR, PRIQ (addr 0: wired interrupts). */
    struct kit_drv_msi evtq_msi, gerror_msi, priq_msi;
    bool no_priq;                /* do not enable the PRI queue even with IDR0.PRI */
    bool no_smmuen;              /* stop before setting CR0.SMMUEN */
    uint32_t cr2;                /* CR2 value (0: PTM | RECINVSID as Linux) */
};

struct kit_drv {
    struct vsmmu *s;
    struct kit_mem *m;
    uint32_t idr[6];
    /* probed features */
    unsigned sidsize, ssidsize, cmdqs, eventqs, priqs, oas_bits;
    bool st2l, cd2l, msi, sev, hyp, pri, ats, ril, s1p, s2p, asid16, vmid16;
    /* stream table */
    bool two_level;
    unsigned sid_bits;
    uint64_t strtab;             /* linear table or L1 table */
    /* queues (shadow indexes, wrap included) */
    uint64_t cmdq_base; unsigned cmdq_log2; uint32_t cmdq_prod;
    uint64_t evtq_base; unsigned evtq_log2; uint32_t evtq_cons, evtq_prod;
    uint64_t priq_base; unsigned priq_log2; uint32_t priq_cons, priq_prod;
    bool priq_on;
    bool msi_poll;               /* CMD_SYNC completion by MSI into its slot */
    /* what the handlers saw */
    unsigned last_cerror;        /* CMDQ_CONS.ERR at the last CMDQ_ERR */
    unsigned cerrors;            /* CMDQ_ERRs handled */
    uint32_t gerror_seen;        /* union of GERROR bits acknowledged */
    unsigned evtq_overflows;     /* OVFLG changes seen */
    unsigned priq_overflows;
    unsigned syncs;              /* CMD_SYNCs completed */
    char err[160];               /* reason of the last -1 */
};

/* Probe the ID registers. Fails (-1) where Linux would refuse the device:
 * no translation stage, TTF without AArch64, or CMDQS <= 6. */
int kit_drv_probe(struct kit_drv *d, struct vsmmu *s, struct kit_mem *m);
void kit_drv_default_opts(struct kit_drv_opts *o);
/* Allocate tables and queues in m and run Linux's reset sequence. */
int kit_drv_reset(struct kit_drv *d, const struct kit_drv_opts *o);
/* CR0 = 0 and wait for the acknowledgement (driver remove/shutdown). */
int kit_drv_disable(struct kit_drv *d);

/* Queue n commands (waiting for space as needed) and publish them with one
 * CMDQ_PROD write; with `sync`, append a CMD_SYNC and wait for it.
 * Returns 0, >0 = the CERROR code the GERROR handler recovered from while
 * waiting (the failing command was replaced by a CMD_SYNC, as Linux does),
 * or -1 if the queue did not make progress. */
int kit_drv_submit(struct kit_drv *d, const uint64_t (*cmds)[2], unsigned n, bool sync);
/* One command followed by a CMD_SYNC. */
int kit_drv_cmd(struct kit_drv *d, const uint64_t cmd[2]);
int kit_drv_sync(struct kit_drv *d);

/* Invalidate [iova, iova+size) the way Linux does (linux-driver.md 2.3-2.4):
 * commands from kit_tlbi_linux_ranges() (range commands when IDR3.RIL),
 * batched 64 per CMDQ_PROD write, one CMD_SYNC at the end. `op` is
 * KIT_OP_TLBI_NH_VA, _NH_VAA, _EL2_VA, _EL2_VAA or _S2_IPA; `tg` is log2 of
 * the smallest page size of the domain. Returns as kit_drv_submit. */
int kit_drv_inv_range(struct kit_drv *d, unsigned op, uint16_t vmid, uint16_t asid,
                      uint64_t iova, uint64_t size, uint64_t granule, unsigned tg, bool leaf);

/* Guest PA of the STE of `sid`, allocating (abort-filled) L2 tables lazily
 * and writing the L1 descriptor as Linux does (no CFGI). 0 if out of range. */
uint64_t kit_drv_ste_pa(struct kit_drv *d, uint32_t sid);
/* Write an STE (DW1..7, then DW0) and issue CFGI_STE(leaf) + CMD_SYNC. */
int kit_drv_install_ste(struct kit_drv *d, uint32_t sid, const uint64_t ste[8]);

/* Pop one event record: 1 popped, 0 queue empty. Acknowledges overflow by
 * copying EVENTQ_PROD.OVFLG into EVENTQ_CONS.OVACKFLG. */
int kit_drv_event(struct kit_drv *d, uint64_t rec[4]);
/* Pop one PRI record: 1 popped, 0 empty. Like Linux (which never enables
 * PCIe PRI), answer each popped record with Last == 1 with kit_drv_pri_deny. */
int kit_drv_pri(struct kit_drv *d, uint64_t rec[2]);
/* CMD_PRI_RESP(Resp = ResponseFailure, Linux "DENY") for a PRI record. */
int kit_drv_pri_deny(struct kit_drv *d, const uint64_t rec[2]);
/* The GERROR handler: returns the active errors and acknowledges them all
 * (GERRORN = GERROR); CMDQ_ERR gets Linux's recovery. */
uint32_t kit_drv_gerror(struct kit_drv *d);

/* Register access helpers (abort the program on an MMIO API error). */
uint32_t kit_drv_r32(struct kit_drv *d, uint32_t off);
uint64_t kit_drv_r64(struct kit_drv *d, uint32_t off);
void kit_drv_w32(struct kit_drv *d, uint32_t off, uint32_t v);
void kit_drv_w64(struct kit_drv *d, uint32_t off, uint64_t v);
/* Write `reg` and poll `ack` until it equals the value (bounded). */
int kit_drv_write_sync(struct kit_drv *d, uint32_t reg, uint32_t ack, uint32_t v);

#endif
