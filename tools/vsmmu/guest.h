/* SPDX-License-Identifier: MIT */
/* The guest side used by demo and run: a memory pool allocator, a small
 * driver that programs the SMMU through MMIO and memory only (as Linux does:
 * probe, reset/enable, stream table, command queue, event queue), a
 * translation-table builder and STE/CD builders. */
#ifndef VSMMU_CLI_GUEST_H
#define VSMMU_CLI_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd.h"
#include "drv.h"
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

/* ---- the driver: kit/drv (Linux's probe, reset, queues, GERROR handler)
 * with allocation from a pool ---- */
struct gd_opts {
    bool st2l;            /* 2-level stream table (if IDR0.ST_LEVEL allows) */
    unsigned sid_bits;    /* stream table covers 2^sid_bits (<= SIDSIZE); 0 = kit default */
    unsigned cmdq_log2;   /* 0: min(IDR1.CMDQS, 8) */
    unsigned evtq_log2;   /* 0: min(IDR1.EVENTQS, 7) */
};

struct gd {
    struct kit_drv d;
    struct vsmmu *s;
    struct kit_mem *m;
    struct pool *pool;    /* must be the kit_mem's first region */
    uint32_t idr[6], iidr, aidr;
    unsigned sidsize, ssidsize, oas_bits;
    /* after reset */
    uint64_t strtab, cmdq, evtq;
    bool st2l;
    unsigned log2size, cmdq_log2, evtq_log2;
    bool enabled;
    char err[256];
};

int gd_init(struct gd *g, struct vsmmu *s, struct kit_mem *m, struct pool *pool);
/* Read the ID registers (g->idr...). -1 where Linux would refuse the SMMU. */
int gd_probe(struct gd *g);
/* The Linux reset/enable sequence (linux-driver.md 1.4). */
int gd_reset(struct gd *g, const struct gd_opts *o);
/* PA of the STE for sid, allocating an abort-filled L2 table when the
 * stream table is 2-level (no CFGI, as Linux). */
int gd_ste_addr(struct gd *g, uint32_t sid, uint64_t *pa);
/* Write an STE as Linux does for a new entry: DW1..7, then DW0. Memory only. */
int gd_ste_write(struct gd *g, uint32_t sid, const uint64_t ste[8]);
/* Queue one command and publish it (CMDQ_PROD). */
int gd_cmd(struct gd *g, const uint64_t cmd[2]);
/* CMD_SYNC and wait. 0, >0: the CERROR code the driver recovered from
 * (the failing command replaced by CMD_SYNC, as Linux does), -1: stuck. */
int gd_sync(struct gd *g);
/* Pop one event record. 1 = got one, 0 = queue empty. */
int gd_event(struct gd *g, uint64_t rec[4]);

/* Range invalidation as Linux issues it (linux-driver.md 2.4, kit/cmd):
 * NH_VA (stage 1, asid) or S2_IPA (stage 2). Returns commands queued
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
/* PA of the leaf descriptor that maps iova (and its level), or -1. */
int pt_leaf(const struct pt *t, uint64_t iova, uint64_t *pa, int *level);
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
