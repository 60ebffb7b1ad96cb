/* SPDX-License-Identifier: MIT */
/* Translation cache and configuration cache (tlb.c, cfgcache.c) and the
 * invalidation interface the command queue calls. */
#ifndef VSMMU_TLB_H
#define VSMMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

struct vsmmu;
struct vsmmu_tlb;
struct vsmmu_cfgc;

struct vsmmu_caches {
    struct vsmmu_tlb *tlb;     /* NULL when cfg.tlb_entries == 0 */
    struct vsmmu_cfgc *cfg;    /* NULL when cfg.cfg_entries == 0 */
};

int  vsmmu_caches_init(struct vsmmu *s);
void vsmmu_caches_fini(struct vsmmu *s);
void vsmmu_caches_flush(struct vsmmu *s);   /* reset: empty everything */

/* A decoded TLBI_* command (cmdq.c fills it; range already computed). */
enum vsmmu_tlbi_op {
    VSMMU_TLBI_NH_ALL,      /* all NS EL1 entries of vmid (stage 1) */
    VSMMU_TLBI_NH_ASID,     /* vmid, asid */
    VSMMU_TLBI_NH_VA,       /* vmid, asid, range */
    VSMMU_TLBI_NH_VAA,      /* vmid, all asids, range */
    VSMMU_TLBI_EL2_ALL,
    VSMMU_TLBI_EL2_ASID,
    VSMMU_TLBI_EL2_VA,
    VSMMU_TLBI_EL2_VAA,
    VSMMU_TLBI_S12_VMALL,   /* all stage-1 and stage-2 entries of vmid */
    VSMMU_TLBI_S2_IPA,      /* stage-2 entries of vmid in IPA range */
    VSMMU_TLBI_NSNH_ALL,    /* every NS non-EL2 entry */
};

struct vsmmu_tlbi {
    enum vsmmu_tlbi_op op;
    uint16_t vmid;
    uint16_t asid;
    uint64_t addr;          /* first byte of the range (VA or IPA) */
    uint64_t size;          /* bytes; a single-page TLBI uses the granule of TG or 4K */
    bool     leaf;          /* Leaf=1: only last-level entries need go */
    uint8_t  ttl;           /* TTL level hint (0: none) */
    uint8_t  tg_log2;       /* granule of the range hint (0: unknown) */
};

void vsmmu_tlb_invalidate(struct vsmmu *s, const struct vsmmu_tlbi *op);

enum vsmmu_cfgi_op {
    VSMMU_CFGI_STE,         /* sid (leaf hint ignored: STE is always a leaf here) */
    VSMMU_CFGI_STE_RANGE,   /* sid .. sid + 2^range - 1 */
    VSMMU_CFGI_CD,          /* sid, ssid */
    VSMMU_CFGI_CD_ALL,      /* sid, every ssid */
    VSMMU_CFGI_ALL,
};

void vsmmu_cfg_invalidate(struct vsmmu *s, enum vsmmu_cfgi_op op, uint32_t sid,
                          uint32_t ssid, unsigned range_log2, bool leaf);

/* ---- lookup/insert, called by the pipeline (translate.c) ----------------- */

/* Configuration cache: the decoded STE + CD for (sid, ssv, ssid), see xcfg.h.
 * Lookup copies the entry out; returns true on hit. */
struct vsmmu_xcfg;
bool vsmmu_cfgc_lookup(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid,
                       struct vsmmu_xcfg *out);
void vsmmu_cfgc_insert(struct vsmmu *s, const struct vsmmu_xcfg *x);

/* The few fields of a cached configuration that a translation-cache hit
 * needs (derived from the decoded STE + CD at insert). Looked up without
 * copying the whole struct vsmmu_xcfg: the pipeline's hit path. */
struct vsmmu_xcfg_hot {
    uint16_t vmid;          /* ste.vmid */
    uint16_t asid;          /* cd.s1.asid (stage 1 translating) */
    uint8_t  config;        /* ste.config */
    uint8_t  strw;          /* ste.strw */
    uint8_t  privcfg, instcfg;
    bool     s1;            /* stage 1 translates: ste.s1 && !s1_bypass */
    bool     s2;            /* ste.s2 */
    bool     el2, el2_e2h;  /* cd.s1.el2, cd.s1.el2_e2h */
    bool     tbi[2];        /* cd.s1.tt[i].tbi */
    bool     e0pd[2];       /* cd.s1.tt[i].e0pd */
    uint8_t  mtcfg, alloccfg, shcfg;   /* ste.* attribute overrides */
};
void vsmmu_xcfg_hot_of(const struct vsmmu_xcfg *x, struct vsmmu_xcfg_hot *h);
/* Like vsmmu_cfgc_lookup but copies only the hot fields and counts nothing
 * (the caller counts the hit if it completes the translation with it). */
bool vsmmu_cfgc_lookup_hot(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid,
                           struct vsmmu_xcfg_hot *out);

/* Translation cache. Stage-1 and nested entries are tagged (world, vmid,
 * asid or global, VA); stage-2 entries (vmid, IPA). */
enum vsmmu_tlb_kind { VSMMU_TLB_S1 = 0, VSMMU_TLB_S2 = 1 };
enum vsmmu_world { VSMMU_WORLD_NS_EL1 = 0, VSMMU_WORLD_EL2 = 1, VSMMU_WORLD_EL2_E2H = 2 };

struct vsmmu_tlb_key {
    uint8_t  kind;          /* vsmmu_tlb_kind */
    uint8_t  world;         /* vsmmu_world */
    bool     s2_valid;      /* the S1 entry also includes stage 2 (nested) */
    uint16_t vmid;          /* stage 2 / nested: VMID; S1-only NS-EL1: 0 */
    uint16_t asid;          /* S1: ASID (ignored for global entries) */
};

struct vsmmu_tlb_ent {
    uint64_t in_base;       /* input address of the mapping, aligned to size */
    uint64_t out_base;      /* output address of the mapping */
    uint8_t  size_log2;     /* mapping size (a 1 GiB block is one entry) */
    uint8_t  level;         /* level of the leaf (TTL matching) */
    uint8_t  perm;          /* as vsmmu_walk_out.perm */
    uint8_t  memattr, sh;
    bool     global;        /* nG == 0 */
    /* Optional (0: unknown / same as size_log2). Filled by the pipeline for
     * exact range/TTL matching; lookups return what was inserted. */
    uint8_t  granule_log2;  /* granule of the leaf's table (TG matching) */
    uint8_t  s1_size_log2;  /* nested: size of the stage-1 leaf (>= size_log2) */
    uint8_t  s2_size_log2;  /* nested: size of the stage-2 leaf (>= size_log2) */
    uint64_t ipa;           /* nested: IPA that in_base translates to */
};

/* Insertion race guard. A translator reads the generation before it starts
 * fetching (config) or walking (translation) and passes it to the *_gen
 * insert; the insert is dropped if any invalidation of that cache ran in
 * between, so an entry built from pre-invalidation memory never survives
 * the invalidation. The plain inserts skip the check. */
uint64_t vsmmu_tlb_gen(struct vsmmu *s);
uint64_t vsmmu_cfgc_gen(struct vsmmu *s);
void vsmmu_tlb_insert_gen(struct vsmmu *s, const struct vsmmu_tlb_key *k,
                          const struct vsmmu_tlb_ent *e, uint64_t gen);
void vsmmu_cfgc_insert_gen(struct vsmmu *s, const struct vsmmu_xcfg *x, uint64_t gen);

/* Number of live entries (tests, benchmarks, inspection). */
unsigned vsmmu_tlb_count(struct vsmmu *s);
unsigned vsmmu_cfgc_count(struct vsmmu *s);

/* Stage-2 cache hook for nested walks (matches vsmmu_s2_cache_fn in
 * walk.h): looks up a stage-2 entry (vmid of s2, ipa); 1 on hit. */
struct vsmmu_s2_cfg;
struct vsmmu_walk_out;
int vsmmu_tlb_s2_lookup(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                        struct vsmmu_walk_out *out);
/* Companion insert hook (matches vsmmu_s2_cache_insert_fn): caches the
 * stage-2 mapping of a stage-1 table IPA (out: stage-2-only perm/attrs). */
void vsmmu_tlb_s2_insert(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                         const struct vsmmu_walk_out *out);

/* Configuration cache internals (cfgcache.c), called by tlb.c's
 * vsmmu_caches_init/fini/flush. */
int  vsmmu_cfgc_init(struct vsmmu *s);
void vsmmu_cfgc_fini(struct vsmmu *s);
void vsmmu_cfgc_flush(struct vsmmu *s);

bool vsmmu_tlb_lookup(struct vsmmu *s, const struct vsmmu_tlb_key *k, uint64_t addr,
                      struct vsmmu_tlb_ent *out);
/* vsmmu_tlb_lookup without counting (the caller counts). */
bool vsmmu_tlb_probe(struct vsmmu *s, const struct vsmmu_tlb_key *k, uint64_t addr,
                     struct vsmmu_tlb_ent *out);
void vsmmu_tlb_insert(struct vsmmu *s, const struct vsmmu_tlb_key *k,
                      const struct vsmmu_tlb_ent *e);

#endif
