/* SPDX-License-Identifier: MIT */
/* Shared set-up for the queue tests: one instance over kit memory, with
 * queue registers programmed directly in the register state (the MMIO path
 * is covered by test_linux_reset). */
#ifndef VSMMU_QTEST_H
#define VSMMU_QTEST_H

#include <stddef.h>

#include "internal.h"
#include "queue.h"
#include "spec/cmd.h"
#include "mem.h"
#include "cmd.h"

#define QT_RAM_BASE UINT64_C(0x40000000)
#define QT_RAM_SIZE (UINT64_C(8) << 20)

struct qt {
    struct kit_mem *m;
    struct vsmmu *s;
    struct vsmmu_host_ops ops;
    uint64_t cmdq, evtq, priq;   /* queue base PAs */
};

static inline int qt_init_ops(struct qt *t, const struct vsmmu_config *cfg, bool msi_op)
{
    memset(t, 0, sizeof(*t));
    t->m = kit_mem_new();
    if (!t->m || kit_mem_add(t->m, QT_RAM_BASE, QT_RAM_SIZE))
        return -1;
    kit_mem_ops(t->m, &t->ops, false);
    if (!msi_op)
        t->ops.msi = NULL;
    struct vsmmu_config c;
    if (cfg)
        c = *cfg;
    else
        vsmmu_config_default(&c);
    char err[200];
    if (vsmmu_create(&c, &t->ops, &t->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu_create: %s\n", err);
        return -1;
    }
    return 0;
}

static inline int qt_init(struct qt *t, const struct vsmmu_config *cfg)
{
    return qt_init_ops(t, cfg, true);
}

static inline void qt_fini(struct qt *t)
{
    vsmmu_destroy(t->s);
    kit_mem_free(t->m);
}

static inline void qt_cr0(struct qt *t, uint32_t set)
{
    t->s->regs.cr0 |= set;
    t->s->regs.cr0ack |= set;
}

/* Command queue of 2^log2 entries, enabled, PROD = CONS = 0. */
static inline uint64_t qt_cmdq(struct qt *t, unsigned log2)
{
    uint64_t size = (uint64_t)16 << log2;
    t->cmdq = kit_mem_alloc(t->m, size, size < 32 ? 32 : size);
    t->s->regs.cmdq_base = t->cmdq | log2;
    t->s->regs.cmdq_prod = t->s->regs.cmdq_cons = 0;
    qt_cr0(t, CR0_CMDQEN);
    return t->cmdq;
}

static inline void qt_put(struct qt *t, uint32_t idx, const uint64_t c[2])
{
    kit_w64(t->m, t->cmdq + 16 * (uint64_t)idx, c[0]);
    kit_w64(t->m, t->cmdq + 16 * (uint64_t)idx + 8, c[1]);
}

/* What a CMDQ_PROD write does: store PROD, run the consumer. */
static inline void qt_prod(struct qt *t, uint32_t prod)
{
    t->s->regs.cmdq_prod = prod;
    vsmmu_cmdq_process(t->s);
}

/* Acknowledge every active GERROR bit, as a GERRORN write would. */
static inline void qt_ack(struct qt *t)
{
    uint32_t old = t->s->regs.gerrorn;
    t->s->regs.gerrorn = t->s->regs.gerror;
    vsmmu_gerrorn_written(t->s, old, t->s->regs.gerrorn);
}

static inline uint32_t qt_gerror_active(struct qt *t)
{
    return t->s->regs.gerror ^ t->s->regs.gerrorn;
}

static inline uint64_t qt_evtq(struct qt *t, unsigned log2)
{
    uint64_t size = (uint64_t)32 << log2;
    t->evtq = kit_mem_alloc(t->m, size, size);
    t->s->regs.eventq_base = t->evtq | log2;
    t->s->regs.eventq_prod = t->s->regs.eventq_cons = 0;
    qt_cr0(t, CR0_EVENTQEN);
    return t->evtq;
}

static inline uint64_t qt_priq(struct qt *t, unsigned log2)
{
    uint64_t size = (uint64_t)16 << log2;
    t->priq = kit_mem_alloc(t->m, size, size < 32 ? 32 : size);
    t->s->regs.priq_base = t->priq | log2;
    t->s->regs.priq_prod = t->s->regs.priq_cons = 0;
    qt_cr0(t, CR0_PRIQEN | CR0_SMMUEN);
    return t->priq;
}

static inline uint64_t qt_stat(struct qt *t, size_t off)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(t->s, &st);
    return *(const uint64_t *)((const char *)&st + off);
}
#define QT_STAT(t, f) qt_stat((t), offsetof(struct vsmmu_stats, f))

#endif
