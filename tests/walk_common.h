/* SPDX-License-Identifier: MIT */
/* Shared fixture for the walker tests: an instance over kit memory, table
 * builders and hand-filled stage configurations. */
#ifndef WALK_COMMON_H
#define WALK_COMMON_H

#include "test.h"
#include "mem.h"
#include "ptb.h"
#include "internal.h"
#include "walk.h"
#include "spec/pte.h"

/* Test RAM: tables are allocated from [16 MiB, 80 MiB). Output addresses of
 * mappings need no backing memory. */
#define T_RAM_BASE 0x1000000
#define T_RAM_SIZE (64u << 20)

struct wt {
    struct kit_mem *m;
    struct vsmmu *s;
    struct vsmmu_config cfg;
};

static inline void wt_open_cfg(struct wt *w, const struct vsmmu_config *c)
{
    memset(w, 0, sizeof(*w));
    w->cfg = *c;
    w->m = kit_mem_new();
    kit_mem_add(w->m, T_RAM_BASE, T_RAM_SIZE);
    struct vsmmu_host_ops ops;
    kit_mem_ops(w->m, &ops, false);
    char err[256];
    if (vsmmu_create(&w->cfg, &ops, &w->s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu_create: %s\n", err);
        exit(2);
    }
}

static inline void wt_open(struct wt *w)
{
    struct vsmmu_config c;
    vsmmu_config_default(&c);
    c.oas_bits = 48;
    wt_open_cfg(w, &c);
}

static inline void wt_close(struct wt *w)
{
    vsmmu_destroy(w->s);
    kit_mem_free(w->m);
}

/* MAIR used by the tests: Attr0 = 0xff (Normal WB), Attr1 = 0x04
 * (Device-nGnRE), Attr2 = 0x44 (Normal NC), Attr3 = 0xbb (WT). */
#define T_MAIR UINT64_C(0x00000000bb4404ff)

/* Stage 1 using TTB0 only (TTB1 disabled). */
static inline struct vsmmu_s1_cfg wt_s1(const struct kit_ptb *p, unsigned tsz)
{
    struct vsmmu_s1_cfg c;
    memset(&c, 0, sizeof(c));
    c.tt[0].ttb = kit_ptb_ttb(p);
    c.tt[0].tsz = (uint8_t)tsz;
    c.tt[0].granule = (uint8_t)p->g;
    c.tt[0].start_level = (int8_t)p->sl;
    c.tt[1].epd = true;
    c.tt[1].granule = 12;
    c.tt[1].tsz = 16;
    c.ips_bits = 48;
    c.mair = T_MAIR;
    c.aa64 = true;
    return c;
}

static inline struct vsmmu_s2_cfg wt_s2(const struct kit_ptb *p, unsigned sl0, unsigned t0sz)
{
    struct vsmmu_s2_cfg c;
    memset(&c, 0, sizeof(c));
    c.ttb = kit_ptb_ttb(p);
    c.t0sz = (uint8_t)t0sz;
    c.sl0 = (uint8_t)sl0;
    c.granule = (uint8_t)p->g;
    c.start_level = (int8_t)p->sl;
    c.concat = (uint8_t)p->concat;
    c.ps_bits = 48;
    c.aa64 = true;
    return c;
}

/* Leaf attribute sets. */
#define S1_RW_PRIV   (PTE_AF | FIELD_PREP(PTE_SH, 3))                  /* AP=00 */
#define S1_RW_ALL    (PTE_AF | FIELD_PREP(PTE_AP, AP_RW) | FIELD_PREP(PTE_SH, 3))
#define S1_RO_PRIV   (PTE_AF | FIELD_PREP(PTE_AP, AP_PRIV_RO) | FIELD_PREP(PTE_SH, 3))
#define S1_RO_ALL    (PTE_AF | FIELD_PREP(PTE_AP, AP_RO) | FIELD_PREP(PTE_SH, 3))
#define S2_RW        (PTE_AF | FIELD_PREP(PTE_S2AP, 3) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | \
                      FIELD_PREP(PTE_SH, 3))
#define S2_RO        (PTE_AF | FIELD_PREP(PTE_S2AP, 1) | FIELD_PREP(PTE_S2_MEMATTR, 0xf) | \
                      FIELD_PREP(PTE_SH, 3))

#define RD       0u
#define WR       VSMMU_TXN_WRITE
#define PRIV     VSMMU_TXN_PRIV
#define EXEC     VSMMU_TXN_EXEC
#define ATOMIC   VSMMU_TXN_ATOMIC

static inline int wt_walk(struct wt *w, const struct vsmmu_s1_cfg *s1, const struct vsmmu_s2_cfg *s2,
                          uint64_t addr, uint32_t access, struct vsmmu_walk_out *o,
                          struct vsmmu_fault *f)
{
    struct vsmmu_walk_req r;
    memset(&r, 0, sizeof(r));
    r.s1 = s1;
    r.s2 = s2;
    r.addr = addr;
    r.access = access;
    return vsmmu_walk(w->s, &r, o, f);
}

/* Expect a fault with the given fields. */
#define CHECK_FAULT(rc, f, typ, s2_, cls_, ipa_) do { \
    CHECK_EQ((rc), -1); CHECK_EQ((f).type, (typ)); CHECK_EQ((f).s2, (s2_)); \
    CHECK_EQ((f).cls, (cls_)); CHECK_EQ((f).ipa, (ipa_)); } while (0)

#endif
