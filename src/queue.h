/* SPDX-License-Identifier: MIT */
/* Circular queue geometry and index arithmetic shared by the command, event
 * and PRI queues (IHI0070 3.5.1, 6.3.26-6.3.33). Pure helpers. */
#ifndef VSMMU_QUEUE_H
#define VSMMU_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include "bits.h"
#include "spec/regs.h"

struct vsmmu_qgeo {
    uint64_t base;       /* effective base PA */
    unsigned log2;       /* effective log2(entries) */
    unsigned ent_log2;   /* log2(entry size in bytes) */
    uint32_t ptrmask;    /* index + wrap bit: (1 << (log2 + 1)) - 1 */
    uint32_t idxmask;    /* index: (1 << log2) - 1 */
};

/*
 * Geometry from a *_BASE register value:
 *  - LOG2SIZE is capped at the IDR1 maximum for every use but readback;
 *  - ADDR bits above the OAS are RES0 and are not used (IHI0070 6.3.26:
 *    "not required to store these bits");
 *  - the effective base is aligned to max(32 bytes, queue size in bytes),
 *    ignoring low ADDR bits (IHI0070 6.3.26, 6.3.29, 6.3.33).
 */
static inline void q_geo(struct vsmmu_qgeo *g, uint64_t base_reg, unsigned max_log2,
                         unsigned ent_log2, unsigned oas_bits)
{
    unsigned l = (unsigned)FIELD_GET(Q_BASE_LOG2SIZE, base_reg);
    if (l > max_log2)
        l = max_log2;
    unsigned align_log2 = l + ent_log2 < 5 ? 5 : l + ent_log2;
    uint64_t addr = base_reg & Q_BASE_ADDR & bits_mask_low(oas_bits);
    g->base = addr & ~bits_mask_low(align_log2);
    g->log2 = l;
    g->ent_log2 = ent_log2;
    g->ptrmask = (uint32_t)bits_mask_low(l + 1);
    g->idxmask = (uint32_t)bits_mask_low(l);
}

/* Entries between CONS and PROD (wrap bit included). More than 2^log2 means
 * the indexes are in one of the inconsistent states of IHI0070 3.5.1. */
static inline uint32_t q_count(const struct vsmmu_qgeo *g, uint32_t prod, uint32_t cons)
{
    return (prod - cons) & g->ptrmask;
}

static inline bool q_inconsistent(const struct vsmmu_qgeo *g, uint32_t prod, uint32_t cons)
{
    return q_count(g, prod, cons) > (UINT32_C(1) << g->log2);
}

static inline bool q_empty(const struct vsmmu_qgeo *g, uint32_t prod, uint32_t cons)
{
    return ((prod ^ cons) & g->ptrmask) == 0;
}

static inline bool q_full(const struct vsmmu_qgeo *g, uint32_t prod, uint32_t cons)
{
    return q_count(g, prod, cons) == (UINT32_C(1) << g->log2);
}

/* Next index (the wrap bit toggles by carry). */
static inline uint32_t q_inc(const struct vsmmu_qgeo *g, uint32_t p)
{
    return (p + 1) & g->ptrmask;
}

static inline uint64_t q_slot(const struct vsmmu_qgeo *g, uint32_t p)
{
    return g->base + ((uint64_t)(p & g->idxmask) << g->ent_log2);
}

static inline void q_put_le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t q_get_le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | b[i];
    return v;
}

#endif
