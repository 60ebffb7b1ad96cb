/* SPDX-License-Identifier: MIT */
/* The guest side used by demo and run: a memory pool allocator, a small
 * driver that programs the SMMU through MMIO and memory only (as Linux does:
 * probe, reset/enable, stream table, command queue, event queue), a
 * translation-table builder and STE/CD builders. */
#ifndef VSMMU_CLI_GUEST_H
#define VSMMU_CLI_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "ptb.h"
#include "vsmmu/vsmmu.h"

/* A range of guest RAM that structures are allocated from. `ipa` is the
 * address the SMMU sees table pointers at (== pa unless the pool is guest
 * memory behind stage 2). */
struct pool {
    uint64_t pa, ipa, size, brk;
};
int pool_alloc(struct kit_mem *m, struct pool *p, uint64_t size, uint64_t align, uint64_t *pa);
static inline uint64_t pool_addr(const struct pool *p, uint64_t pa) { return pa - p->pa + p->ipa; }
static inline uint64_t pool_pa(const struct pool *p, uint64_t addr) { return addr - p->ipa + p->pa; }

/* ---- the driver ---- */
struct gd_opts {
    bool st2l;            /* 2-level stream table (if IDR0.ST_LEVEL allows) */
    unsigned split;       /* 2-level split (Linux: 8) */
    unsigned sid_bits;    /* stream table covers 2^sid_bits (<= SIDSIZE); 0 = SIDSIZE, capped at 16 */
    unsigned cmdq_log2;   /* 0: min(IDR1.CMDQS, 8) */
    unsigned evtq_log2;   /* 0: min(IDR1.EVENTQS, 7) */
};

struct gd {
    struct vsmmu *s;
    struct kit_mem *m;
    struct pool *pool;
    uint32_t idr[6], iidr, aidr;
    unsigned sidsize, ssidsize, oas_bits;
    /* stream table */
    uint64_t strtab;
    bool st2l;
    unsigned log2size, split;
    /* queues */
    uint64_t cmdq, evtq;
    unsigned cmdq_log2, evtq_log2;
    uint32_t cmdq_prod, evtq_cons;
    uint64_t cmds, syncs;
    bool enabled;
    char err[256];
};

int gd_init(struct gd *g, struct vsmmu *s, struct kit_mem *m, struct pool *pool);
uint64_t gd_rd(struct gd *g, uint32_t off, unsigned size);
void gd_wr(struct gd *g, uint32_t off, uint64_t v, unsigned size);
/* Read the ID registers (g->idr...). -1 if they look absent (IDR0 == 0). */
int gd_probe(struct gd *g);
/* Write a register that has an ACK (CR0 -> CR0ACK, IRQ_CTRL -> ACK) and poll. */
int gd_write_sync(struct gd *g, uint32_t off, uint32_t ackoff, uint32_t v);
/* The Linux reset/enable sequence (linux-driver.md 1.4). */
int gd_reset(struct gd *g, const struct gd_opts *o);
/* PA of the STE for sid, allocating an L2 table (pre-filled with abort STEs)
 * when the stream table is 2-level. */
int gd_ste_addr(struct gd *g, uint32_t sid, uint64_t *pa);
/* Write an STE as Linux does for a new entry: DW1..7, then DW0. */
int gd_ste_write(struct gd *g, uint32_t sid, const uint64_t ste[8]);
/* Append one command and publish it (CMDQ_PROD write). */
int gd_cmd(struct gd *g, const uint64_t cmd[2]);
/* CMD_SYNC and wait for CONS to pass it; -1 on a command error (g->err). */
int gd_sync(struct gd *g);
/* Active command error code (CMDQ_CONS.ERR with GERROR.CMDQ_ERR), or 0. */
unsigned gd_cerror(struct gd *g);
/* Acknowledge a command error: replace the command at CONS with CMD_SYNC and
 * toggle GERRORN (as Linux does). */
void gd_cerror_skip(struct gd *g);
/* Pop one event record. 1 = got one, 0 = queue empty. */
int gd_event(struct gd *g, uint64_t rec[4]);

/* ---- command builders (IHI0070 4.x) ---- */
void cmd_cfgi_ste(uint64_t c[2], uint32_t sid, bool leaf);
void cmd_cfgi_all(uint64_t c[2]);
void cmd_cfgi_cd(uint64_t c[2], uint32_t sid, uint32_t ssid, bool leaf);
void cmd_tlbi_nh_asid(uint64_t c[2], uint16_t vmid, uint16_t asid);
void cmd_tlbi_s12_vmall(uint64_t c[2], uint16_t vmid);
void cmd_tlbi_nsnh_all(uint64_t c[2]);
void cmd_tlbi_el2_all(uint64_t c[2]);
void cmd_sync(uint64_t c[2]);
/* Range invalidation exactly as Linux generates it (linux-driver.md 2.4):
 * opcode NH_VA (stage 1, asid) or S2_IPA (stage 2). Returns commands issued
 * (without the final sync), or -1. */
struct gd_inv {
    unsigned opcode;      /* 0x12 NH_VA or 0x2A S2_IPA */
    uint16_t asid, vmid;
    uint64_t iova, size, granule;
    bool leaf;
    unsigned pgshift;     /* log2 of the smallest page size of the domain */
};
int gd_tlbi_range(struct gd *g, const struct gd_inv *inv);

/* ---- translation tables (Arm ARM D8): kit/ptb over a pool ---- */
struct pt {
    struct kit_ptb k;
    struct pool *pool;
    int stage;            /* 1 or 2 */
    unsigned g;           /* log2 granule */
    unsigned ias;         /* input address bits: TxSZ = 64 - ias */
    int start;            /* start level */
};
#define PT_ATTR_NC  0
#define PT_ATTR_WB  1
#define PT_ATTR_DEV 2
struct pt_attr {
    bool r, w, x;
    bool priv_only;       /* stage 1: AP[1]=0 (EL0 no access) */
    bool global;          /* stage 1: nG=0 */
    bool noaf;            /* AF=0 */
    bool dbm;
    unsigned attr;        /* PT_ATTR_* */
};
int pt_init(struct pt *t, struct kit_mem *m, struct pool *pool, int stage, unsigned g,
            unsigned ias, char *err, size_t errlen);
/* Root as the SMMU addresses it (TTB / S2TTB). */
static inline uint64_t pt_ttb(const struct pt *t) { return kit_ptb_ttb(&t->k); }
/* Map [iova, iova+size) to pa with leaf entries of pgsize. */
int pt_map(struct pt *t, uint64_t iova, uint64_t pa, uint64_t size, uint64_t pgsize,
           const struct pt_attr *a, char *err, size_t errlen);
/* Remove every leaf entry covering [iova, iova+size) (a block partly in
 * the range is removed whole). */
int pt_unmap(struct pt *t, uint64_t iova, uint64_t size, char *err, size_t errlen);
/* S2SL0 encoding for the table's start level (4K: L0=2 L1=1 L2=0 L3=3;
 * 16K/64K: L1=2 L2=1 L3=0). */
unsigned pt_sl0(const struct pt *t);
/* TG0/S2TG encoding: 4K 0, 64K 1, 16K 2 */
unsigned tg_enc(unsigned g);
/* OAS/IPS/PS encoding of a bit count. */
unsigned ps_enc(unsigned bits);

/* ---- STE / CD builders ---- */
void ste_abort(uint64_t ste[8]);
void ste_bypass(uint64_t ste[8]);
/* Stage 1 (Config=101) with a CD table. fmt: 0 linear, 1 2lvl-4K, 2 2lvl-64K */
void ste_s1(uint64_t ste[8], uint64_t cdptr, unsigned cdmax, unsigned fmt, unsigned s1dss);
/* Add stage 2 to an STE (Config 110, or 111 if it had stage 1). */
void ste_add_s2(uint64_t ste[8], const struct pt *s2, uint16_t vmid, unsigned oas_bits);
/* A CD for a stage-1 table. */
void cd_s1(uint64_t cd[8], const struct pt *s1, uint16_t asid, unsigned ips_bits);

#endif
