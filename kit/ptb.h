/* SPDX-License-Identifier: MIT */
/* kit/ptb: a VMSAv8-64 translation table builder for tests (Arm ARM D8.2,
 * D8.3; 64-bit descriptors, DS=0). Tables are allocated from a kit_mem
 * with kit_mem_alloc. One struct kit_ptb is one table set of one stage. */
#ifndef KIT_PTB_H
#define KIT_PTB_H

#include <stdbool.h>
#include <stdint.h>
#include "mem.h"

struct kit_ptb {
    struct kit_mem *m;
    int stage;            /* 1 or 2 (informative: the layout is the same) */
    unsigned g;           /* granule log2: 12, 14, 16 */
    unsigned ias;         /* input address bits: 64 - TxSZ */
    int sl;               /* start level */
    unsigned concat;      /* concatenated start tables (1..16) */
    uint64_t root;        /* PA of the start table */
    uint64_t root_size;   /* bytes */
    bool be;              /* big-endian tables */
    bool oa52;            /* 64K: OA[51:48] in descriptor bits [15:12] */
    /* Addresses written into table descriptors (and ttb()) are PA + delta:
     * for stage-1 tables of a nested configuration whose IPA space maps the
     * tables at PA + delta. */
    uint64_t delta;
};

/* Stage 1: start level from the granule and TxSZ (Arm ARM D8-18/28/37).
 * Returns 0, or -1 for an impossible TxSZ. */
int kit_ptb_init_s1(struct kit_ptb *p, struct kit_mem *m, unsigned granule_log2, unsigned tsz);
/* Stage 2: start level from S2SL0 (encoding per granule) and the number of
 * concatenated start tables from S2T0SZ (Arm ARM D8-21..D8-41, DS=0).
 * Returns 0, or -1 for an inconsistent combination. */
int kit_ptb_init_s2(struct kit_ptb *p, struct kit_mem *m, unsigned granule_log2, unsigned sl0,
                    unsigned t0sz);

/* The TTB value to program (start table address + delta). */
uint64_t kit_ptb_ttb(const struct kit_ptb *p);

/* Size in bytes of a leaf at `level` (2^(g + (3-level)(g-3))). */
uint64_t kit_ptb_level_size(const struct kit_ptb *p, int level);

/* Map [in, in+size) to [out, out+size) with leaves at `level` (-1: the
 * largest block allowed that fits and is aligned; 4K: levels 1-3, 16K:
 * 2-3, 64K: 2-3, or 1 with oa52). `attrs` is OR-ed into every leaf
 * (AP/UXN/PXN/nG/AF/DBM/SH/AttrIndx, or S2AP/XN/MemAttr: src/spec/pte.h);
 * the type bits are added. Existing tables are reused; an existing leaf in
 * the way is replaced by a table. Returns 0 or -1 (misaligned, level not
 * allowed, outside the input range). */
int kit_ptb_map(struct kit_ptb *p, uint64_t in, uint64_t out, uint64_t size, int level,
                uint64_t attrs);
/* Write an invalid descriptor over every leaf covering [in, in+size). */
void kit_ptb_unmap(struct kit_ptb *p, uint64_t in, uint64_t size);

/* PA of the descriptor that a walk for `in` reads at `level`, or 0 when
 * the walk does not reach that level through valid table descriptors. */
uint64_t kit_ptb_desc_pa(const struct kit_ptb *p, uint64_t in, int level);
/* Read/write a descriptor (handles big-endian tables). */
uint64_t kit_ptb_get(const struct kit_ptb *p, uint64_t pa);
void kit_ptb_set(struct kit_ptb *p, uint64_t pa, uint64_t desc);
/* OR `bits` into the table descriptor for `in` at `level` (APTable, ...). */
int kit_ptb_table_bits(struct kit_ptb *p, uint64_t in, int level, uint64_t bits);

#endif
