/* SPDX-License-Identifier: MIT */
/* Shared fixture for the configuration and pipeline tests: an instance over
 * kit memory programmed through MMIO (stream table registers, CR2, event
 * queue, CR0), STE/CD builders (kit/stecd) and event-queue readback. */
#ifndef CFG_COMMON_H
#define CFG_COMMON_H

#include "test.h"
#include "mem.h"
#include "stecd.h"
#include "internal.h"
#include "ste.h"
#include "cd.h"
#include "event.h"
#include "xcfg.h"
#include "ptb.h"
#include "spec/pte.h"

#define C_RAM_SIZE (16u << 20)

/* Leaf attributes (Arm ARM D8.3): AF, AP[2:1], SH = ISH, AttrIndx 0 */
#define S1_RW_ALL  (PTE_AF | FIELD_PREP(PTE_AP, AP_RW) | FIELD_PREP(PTE_SH, 3))
#define S1_RO_ALL  (PTE_AF | FIELD_PREP(PTE_AP, AP_RO) | FIELD_PREP(PTE_SH, 3))
#define S1_RW_PRIV (PTE_AF | FIELD_PREP(PTE_SH, 3))
#define S2_RW      (PTE_AF | FIELD_PREP(PTE_S2AP, 3) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | \
                    FIELD_PREP(PTE_SH, 3))
#define S2_RO      (PTE_AF | FIELD_PREP(PTE_S2AP, 1) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | \
                    FIELD_PREP(PTE_SH, 3))
#define C_EVTQ_LOG2 6u

/* Register offsets and bits (IHI0070 6.3), written out independently. */
#define R_CR0        0x020u
#define R_CR2        0x02Cu
#define R_GBPA       0x044u
#define R_STRTAB     0x080u
#define R_STRTAB_CFG 0x088u
#define R_EVTQ_BASE  0x0A0u
#define R_EVTQ_PROD  0x100A8u
#define R_EVTQ_CONS  0x100ACu
#define CR0_EN       (1u << 0)
#define CR0_EVTQEN   (1u << 2)
#define CR2_RECINV   (1u << 1)

struct env {
    struct kit_mem *m;
    struct vsmmu *s;
    struct vsmmu_config cfg;
    uint64_t evtq;           /* event queue base */
    uint32_t evtq_cons;
};

static inline void env_open_cfg(struct env *e, const struct vsmmu_config *c)
{
    memset(e, 0, sizeof(*e));
    e->cfg = *c;
    e->m = kit_mem_new();
    kit_mem_add(e->m, 0, C_RAM_SIZE);
    kit_mem_alloc(e->m, 0x10000, 0x10000);    /* keep structures away from PA 0 */
    struct vsmmu_host_ops ops;
    kit_mem_ops(e->m, &ops, false);
    char err[256];
    if (vsmmu_create(&e->cfg, &ops, &e->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu_create: %s\n", err);
        exit(2);
    }
    e->evtq = kit_mem_alloc(e->m, 32u << C_EVTQ_LOG2, 32u << C_EVTQ_LOG2);
}

/* full-v3.2 with a 48-bit OAS, 16-bit SIDs, 20-bit SSIDs */
static inline void env_default_cfg(struct vsmmu_config *c)
{
    vsmmu_config_default(c);
    c->oas_bits = 48;
    c->sidsize = 16;
    c->ssidsize = 20;
}

static inline void env_open(struct env *e)
{
    struct vsmmu_config c;
    env_default_cfg(&c);
    env_open_cfg(e, &c);
}

static inline void env_close(struct env *e)
{
    vsmmu_destroy(e->s);
    kit_mem_free(e->m);
}

static inline void w32(struct env *e, uint32_t off, uint32_t v)
{
    if (vsmmu_mmio_write(e->s, off, v, 4))
        exit(3);
}

static inline void w64(struct env *e, uint32_t off, uint64_t v)
{
    if (vsmmu_mmio_write(e->s, off, v, 8))
        exit(3);
}

static inline uint32_t r32(struct env *e, uint32_t off)
{
    uint64_t v = 0;
    if (vsmmu_mmio_read(e->s, off, 4, &v))
        exit(3);
    return (uint32_t)v;
}

/* Program the stream table registers, CR2 and the event queue, then set
 * SMMUEN and EVENTQEN. cfgval: STRTAB_BASE_CFG (LOG2SIZE[5:0], SPLIT[10:6],
 * FMT[17:16]). */
static inline void env_enable(struct env *e, uint64_t strtab, uint32_t cfgval, uint32_t cr2)
{
    w64(e, R_STRTAB, strtab);
    w32(e, R_STRTAB_CFG, cfgval);
    w32(e, R_CR2, cr2);
    w64(e, R_EVTQ_BASE, e->evtq | C_EVTQ_LOG2);
    w32(e, R_CR0, CR0_EN | CR0_EVTQEN);
}

/* A linear stream table of 2^log2 STEs (all zero: V = 0), enabled. */
static inline uint64_t env_linear(struct env *e, unsigned log2, uint32_t cr2)
{
    uint64_t st = kit_mem_alloc(e->m, 64ull << log2, 64ull << log2);
    env_enable(e, st, log2, cr2);
    return st;
}

/* Pop one event record from the queue: 1 popped, 0 empty. */
static inline int env_event(struct env *e, uint64_t rec[4])
{
    uint32_t prod = r32(e, R_EVTQ_PROD) & ((2u << C_EVTQ_LOG2) - 1);
    uint32_t cons = e->evtq_cons & ((2u << C_EVTQ_LOG2) - 1);
    if (prod == cons)
        return 0;
    uint64_t slot = e->evtq + 32ull * (cons & ((1u << C_EVTQ_LOG2) - 1));
    for (unsigned i = 0; i < 4; i++)
        rec[i] = kit_r64(e->m, slot + 8 * i);
    e->evtq_cons = (cons + 1) & ((2u << C_EVTQ_LOG2) - 1);
    w32(e, R_EVTQ_CONS, e->evtq_cons);
    return 1;
}

static inline unsigned env_events_pending(struct env *e)
{
    uint32_t prod = r32(e, R_EVTQ_PROD) & ((2u << C_EVTQ_LOG2) - 1);
    return (prod - (e->evtq_cons & ((2u << C_EVTQ_LOG2) - 1))) & ((2u << C_EVTQ_LOG2) - 1);
}

/* CMD_CFGI_ALL + CMD_TLBI_NSNH_ALL effect, after a test edits live tables. */
static inline void env_inval(struct env *e)
{
    vsmmu_cfg_invalidate(e->s, VSMMU_CFGI_ALL, 0, 0, 0, false);
    struct vsmmu_tlbi op = { .op = VSMMU_TLBI_NSNH_ALL };
    vsmmu_tlb_invalidate(e->s, &op);
}

static inline struct vsmmu_result tx(struct env *e, uint32_t sid, uint64_t addr, uint32_t flags)
{
    struct vsmmu_txn t = { .sid = sid, .addr = addr, .flags = flags };
    struct vsmmu_result r;
    if (vsmmu_translate(e->s, &t, &r))
        exit(4);
    return r;
}

static inline struct vsmmu_result txs(struct env *e, uint32_t sid, uint32_t ssid, uint64_t addr,
                                      uint32_t flags)
{
    struct vsmmu_txn t = { .sid = sid, .ssid = ssid, .addr = addr,
                           .flags = flags | VSMMU_TXN_SSV };
    struct vsmmu_result r;
    if (vsmmu_translate(e->s, &t, &r))
        exit(4);
    return r;
}

static inline void put_ste(struct env *e, uint64_t pa, const struct kit_ste *f)
{
    uint64_t d[8];
    kit_ste_encode(f, d);
    kit_write8(e->m, pa, d);
}

static inline void put_cd(struct env *e, uint64_t pa, const struct kit_cd *f)
{
    uint64_t d[8];
    kit_cd_encode(f, d);
    kit_write8(e->m, pa, d);
}

/* A 48-bit, 4K stage-1 table set mapping the page `va` to `pa`. */
static inline uint64_t s1_map_page(struct env *e, struct kit_ptb *p, uint64_t va, uint64_t pa,
                                   uint64_t attrs)
{
    if (!p->m && kit_ptb_init_s1(p, e->m, 12, 16))
        exit(5);
    if (kit_ptb_map(p, va, pa, 0x1000, 3, attrs))
        exit(5);
    return kit_ptb_ttb(p);
}

/* Expected record helpers: DW0 = type | SSV << 11 | SSID << 12 | SID << 32 */
#define EV_DW0(type, sid) ((uint64_t)(type) | ((uint64_t)(sid) << 32))
#define EV_DW0_SSID(type, sid, ssid) \
    ((uint64_t)(type) | (1ull << 11) | ((uint64_t)(ssid) << 12) | ((uint64_t)(sid) << 32))

#define CHECK_REC(r, d0, d1, d2, d3) do { \
    CHECK_EQ((r)[0], (d0)); CHECK_EQ((r)[1], (d1)); \
    CHECK_EQ((r)[2], (d2)); CHECK_EQ((r)[3], (d3)); } while (0)

#endif
