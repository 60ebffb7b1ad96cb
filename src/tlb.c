/* SPDX-License-Identifier: MIT */
/*
 * Translation cache (IOTLB). Design in docs/architecture.md, "Caches".
 *
 * Reader side (vsmmu_tlb_lookup, any thread, no lock, no allocation):
 *   context tag = (kind, world, nested, global, VMID, ASID)
 *   hash(tag, VA[63:30]) -> G node (1 GiB span): `big` entry, or 512 slots
 *     slot = entry (2 MiB .. 512 MiB mappings, replicated over the slots they
 *            cover) or M node (2 MiB span): 512 slots = entry (4 KiB ..
 *            1 MiB mappings, replicated likewise)
 *   => one hash probe and at most two array loads whatever the block sizes
 *   in use; then the entry is read under its sequence counter and its tag
 *   and range are checked, so a stale path can only produce a miss.
 * All reader-visible memory (entries, nodes, bucket heads) is allocated once
 * at init and only recycled, never freed while the instance lives: a reader
 * may follow a stale index but never touches freed memory.
 *
 * Writer side (insert from translators, invalidation from the command
 * queue, under t->lock): per-context G-node lists with occupancy bitmaps,
 * world and per-VMID context lists, and a hashed IPA index of nested
 * entries, so that every invalidation costs O(entries removed + address
 * span probed), never O(capacity). A whole G node (or context) is
 * invalidated at once by unlinking it ("zombie"), single 4K pages by
 * clearing their slot ("pending"); both are reclaimed by later inserts
 * before any live entry is evicted (CLOCK).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "walk.h"

#define G_SHIFT 30
#define M_SHIFT 21
#define P_SHIFT 12
#define FAN     512u
#define BMW     (FAN / 64)
#define MAX_CACHED_LOG2 30      /* larger mappings are not cached (see docs) */
#define CHAIN_MAX 64            /* reader bound on a hash chain walk */

/* G-node slot encoding: 0 empty, (e << 1) entry e, (m << 1) | 1 M node m. */
#define SLOT_IS_M(v)  ((v) & 1u)
#define SLOT_IDX(v)   ((v) >> 1)

#define ld(p)        __atomic_load_n((p), __ATOMIC_RELAXED)
#define ld_acq(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define st(p, v)     __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define st_rel(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* ---- reader-visible structures ------------------------------------------ */

struct tent {                   /* one cached translation: one cache line */
    /* reader-visible, seqlock-protected */
    uint32_t seq;               /* odd while being written */
    uint8_t  ref;               /* CLOCK reference bit, set by hits */
    uint64_t tag;               /* context tag; 0: invalid */
    uint64_t in_base;
    uint64_t out_base;
    uint64_t meta;              /* see META_* */
    uint64_t ipa;               /* IPA (nested) | s2 size << 56 */
    /* writer-only (under t->lock) */
    uint32_t ctx;               /* owning context; 0: free */
    uint32_t gn;                /* G node holding it; free-list link when free */
    uint16_t vmid;
    uint8_t  size, level, gran, s1sz, s2sz;
    bool     nested;            /* in the nested IPA index */
} __attribute__((aligned(64)));

#define META_SIZE(m)   ((uint8_t)(m))
#define META_LEVEL(m)  ((uint8_t)((m) >> 8))
#define META_PERM(m)   ((uint8_t)((m) >> 16))
#define META_ATTR(m)   ((uint8_t)((m) >> 24))
#define META_SH(m)     ((uint8_t)((m) >> 32))
#define META_GLOBAL(m) ((bool)(((m) >> 40) & 1))
#define META_GRAN(m)   ((uint8_t)((m) >> 48))
#define META_S1SZ(m)   ((uint8_t)((m) >> 56))
/* s2_size_log2 travels in the top byte of `ipa` (bits [55:0] are the IPA). */

struct gnode {
    uint64_t tag;
    uint64_t gidx;              /* VA >> 30 */
    uint32_t next;              /* hash chain */
    uint32_t big;               /* entry covering the whole GiB */
    uint32_t slot[FAN];
};

struct mnode {
    uint32_t slot[FAN];
};

/* ---- writer-only structures --------------------------------------------- */

struct tnest {                  /* nested entries: IPA index links */
    uint32_t iprev, inext;      /* bucket list (or per-VMID large list) */
    uint32_t ihead;             /* bucket + 1, or 0: the per-VMID large list */
    uint32_t aprev, anext;      /* per-VMID list of all nested entries */
};

struct gw {
    uint32_t ctx, cprev, cnext; /* context's G-node list (zombie list when
                                 * zombie); cnext = free list */
    uint32_t bucket;
    uint32_t nused;             /* set slots + big */
    uint32_t nent;              /* entries placed under it (incl. M nodes) */
    bool     zombie;            /* invalidated as a whole, awaiting reclaim */
    uint8_t  granmask;          /* granules of its entries (GRAN_BIT) */
    uint8_t  levelmask;         /* leaf levels of its entries */
    uint64_t bm[BMW];
};

/* Granule of an entry as a bit: unknown (0) matches any TG filter. */
#define GRAN_BIT(g) ((uint8_t)((g) == 12 ? 1 : (g) == 14 ? 2 : (g) == 16 ? 4 : 8))

struct mw {
    uint32_t g;                 /* parent G node; `g` = free list link */
    uint32_t gslot;
    uint32_t nused;
    bool     complex;           /* holds an entry other than a plain 4K page */
    uint8_t  granmask, levelmask;
    uint64_t bm[BMW];
};

struct tctx {
    uint64_t key;
    uint32_t hnext;             /* context hash chain; free list */
    uint32_t count;             /* entries (incl. invalidated, unreclaimed) */
    uint32_t ghead, ng;         /* G nodes */
    uint32_t wprev, wnext;      /* world list */
    uint32_t vprev, vnext;      /* per-VMID list (NS-EL1 only) */
    uint8_t  maxm;              /* largest match span (log2) of its entries */
};

struct vsmmu_tlb {
    pthread_mutex_t lock;
    uint64_t gen;               /* invalidation generation (atomic) */
    uint32_t nglobal;           /* live global entries (atomic) */
    uint32_t cap;
    bool     s2p;
    uint16_t vmid_mask, asid_mask;

    struct tent *ent;           /* [cap + 1], index 0 unused */
    struct tnest *nx;           /* [cap + 1] */
    uint32_t efree, nlive, hand;

    struct gnode *g;            /* [cap + 1] */
    struct gw *gw;
    uint32_t gfree;
    uint32_t *gbucket;          /* reader-visible heads */
    uint64_t gmask;

    struct mnode *m;            /* [cap + 1] */
    struct mw *mw;
    uint32_t mfree;

    struct tctx *c;             /* [cap + 2] */
    uint32_t cfree;
    uint32_t *cbucket;
    uint64_t cmask;
    uint32_t whead[3];          /* per world */
    uint32_t *vmhead;           /* per VMID (NS-EL1 contexts) */

    uint32_t *ibucket;          /* nested IPA index: hash(vmid, IPA >> 21) */
    uint64_t imask;
    uint32_t *ilarge;           /* per VMID: nested entries spanning > 2 MiB of IPA */
    uint32_t *iall;             /* per VMID: all nested entries */
    uint32_t *nnested;          /* per VMID: nested entries */

    uint32_t zhead;             /* zombie G nodes (invalidated, not reclaimed) */
    uint32_t nzent;             /* entries under zombie G nodes */
    uint32_t *pend;             /* unplaced entries awaiting reclaim [cap] */
    uint32_t npend;
};

/* ---- helpers ---------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= UINT64_C(0x7fb5d329728ea185);
    x ^= x >> 27;
    x *= UINT64_C(0x81dadef4bc2dd44d);
    x ^= x >> 33;
    return x;
}

static inline uint64_t ghash(uint64_t tag, uint64_t gi)
{
    /* one multiply; the high half is well mixed */
    uint64_t x = (tag ^ (tag >> 29) ^ (gi << 7) ^ gi) * UINT64_C(0x9E3779B97F4A7C15);
    return x >> 32 ^ x >> 13;
}

static uint64_t pow2_at_least(uint64_t n)
{
    uint64_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

static inline uint64_t span_mask(unsigned log2)
{
    return bits_mask_low(log2);
}

/* Context tag. Bit 63 set so a valid tag is never 0. */
#define TAG_KIND(t)   ((unsigned)(((t) >> 56) & 1))
#define TAG_WORLD(t)  ((unsigned)(((t) >> 52) & 3))
#define TAG_NESTED(t) ((bool)(((t) >> 51) & 1))
#define TAG_GLOBAL(t) ((bool)(((t) >> 50) & 1))
#define TAG_VMID(t)   ((uint16_t)((t) >> 16))
#define TAG_WALKC     BIT(49)   /* stage-2 entries cached by nested walks */

static inline __attribute__((always_inline)) uint64_t mktag(const struct vsmmu_tlb *t, unsigned kind, unsigned world, bool nested,
                      bool global, unsigned vmid, unsigned asid)
{
    if (kind == VSMMU_TLB_S2) {
        world = VSMMU_WORLD_NS_EL1;
        nested = false;
        global = false;
        asid = 0;
    }
    if (world > VSMMU_WORLD_EL2_E2H)
        world = VSMMU_WORLD_NS_EL1;
    if (world != VSMMU_WORLD_NS_EL1) {
        vmid = 0;                       /* EL2 regimes have no VMID */
        nested = false;
    }
    if (world == VSMMU_WORLD_EL2) {     /* no ASIDs: one context */
        global = false;
        asid = 0;
    }
    if (!t->s2p)
        vmid = 0;                       /* VMID compared only when S2P == 1 */
    if (global)
        asid = 0;
    vmid &= t->vmid_mask;
    asid &= t->asid_mask;
    return BIT(63) | (uint64_t)(kind & 1) << 56 | (uint64_t)world << 52 |
           (uint64_t)nested << 51 | (uint64_t)global << 50 | (uint64_t)vmid << 16 | asid;
}

static inline uint64_t key_tag(const struct vsmmu_tlb *t, const struct vsmmu_tlb_key *k, bool global)
{
    return mktag(t, k->kind, k->world, k->s2_valid, global, k->vmid, k->asid);
}

/* ---- reader side -------------------------------------------------------------- */

static inline __attribute__((always_inline)) bool ent_read(struct tent *e, uint64_t tag, uint64_t addr, struct vsmmu_tlb_ent *out)
{
    uint32_t s0 = ld_acq(&e->seq);
    if (s0 & 1)
        return false;
    uint64_t tg = ld(&e->tag), ib = ld(&e->in_base), ob = ld(&e->out_base);
    uint64_t m = ld(&e->meta), ipa = ld(&e->ipa);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (ld(&e->seq) != s0 || tg != tag)
        return false;
    unsigned sz = META_SIZE(m);
    if ((addr ^ ib) >> sz)
        return false;
    if (!ld(&e->ref))
        st(&e->ref, 1);
    out->in_base = ib;
    out->out_base = ob;
    out->size_log2 = (uint8_t)sz;
    out->level = META_LEVEL(m);
    out->perm = META_PERM(m);
    out->memattr = META_ATTR(m);
    out->sh = META_SH(m);
    out->global = META_GLOBAL(m);
    out->granule_log2 = META_GRAN(m);
    out->s1_size_log2 = META_S1SZ(m);
    out->s2_size_log2 = (uint8_t)(ipa >> 56);
    out->ipa = ipa & GENMASK(55, 0);
    return true;
}

static inline __attribute__((always_inline)) bool lookup_tag(struct vsmmu_tlb *t, uint64_t tag, uint64_t addr, struct vsmmu_tlb_ent *out)
{
    uint64_t gi = addr >> G_SHIFT;
    uint32_t n = ld_acq(&t->gbucket[ghash(tag, gi) & t->gmask]);
    for (unsigned steps = 0; n && steps < CHAIN_MAX; steps++) {
        struct gnode *g = &t->g[n];
        if (ld(&g->tag) == tag && ld(&g->gidx) == gi) {
            uint32_t e = ld_acq(&g->big);
            if (e && ent_read(&t->ent[e], tag, addr, out))
                return true;
            uint32_t v = ld_acq(&g->slot[(addr >> M_SHIFT) & (FAN - 1)]);
            if (!v)
                return false;
            if (SLOT_IS_M(v)) {
                struct mnode *m = &t->m[SLOT_IDX(v)];
                e = ld_acq(&m->slot[(addr >> P_SHIFT) & (FAN - 1)]);
            } else {
                e = SLOT_IDX(v);
            }
            return e && ent_read(&t->ent[e], tag, addr, out);
        }
        n = ld_acq(&g->next);
    }
    return false;
}

/* Stage-2 entries made by nested walks (tables' IPAs) live in their own
 * context per VMID: they hold stage-2-only attributes, unlike the entries
 * of stage-2-only streams (combined with the STE's input overrides). */
static uint64_t s2_walk_tag(const struct vsmmu_tlb *t, const struct vsmmu_s2_cfg *s2)
{
    return mktag(t, VSMMU_TLB_S2, VSMMU_WORLD_NS_EL1, false, false, s2->vmid, 0) | TAG_WALKC;
}

static inline bool tlb_find(struct vsmmu_tlb *t, const struct vsmmu_tlb_key *k, uint64_t addr,
                     struct vsmmu_tlb_ent *out)
{
    return lookup_tag(t, key_tag(t, k, false), addr, out) ||
           (k->kind == VSMMU_TLB_S1 && k->world != VSMMU_WORLD_EL2 && ld(&t->nglobal) &&
            lookup_tag(t, key_tag(t, k, true), addr, out));
}

bool vsmmu_tlb_lookup(struct vsmmu *s, const struct vsmmu_tlb_key *k, uint64_t addr,
                      struct vsmmu_tlb_ent *out)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    if (t && tlb_find(t, k, addr, out)) {
        stat_add(s, tlb_hits, 1);
        return true;
    }
    stat_add(s, tlb_misses, 1);
    return false;
}

bool vsmmu_tlb_probe(struct vsmmu *s, const struct vsmmu_tlb_key *k, uint64_t addr,
                     struct vsmmu_tlb_ent *out)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    return t && tlb_find(t, k, addr, out);
}

int vsmmu_tlb_s2_lookup(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                        struct vsmmu_walk_out *out)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    struct vsmmu_tlb_ent e;
    if (!t || !lookup_tag(t, s2_walk_tag(t, s2), ipa, &e))
        return 0;
    memset(out, 0, sizeof(*out));
    out->oa = e.out_base + (ipa - e.in_base);
    out->ipa = ipa;
    out->size_log2 = e.size_log2;
    out->s2_size_log2 = e.size_log2;
    out->level = e.level;
    out->perm = e.perm;
    out->memattr = e.memattr;
    out->sh = e.sh;
    return 1;
}

static void insert_tag(struct vsmmu_tlb *t, uint64_t tag, bool global,
                       const struct vsmmu_tlb_ent *e);

void vsmmu_tlb_s2_insert(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                         const struct vsmmu_walk_out *out)
{
    unsigned sz = out->size_log2;
    if (!s->caches.tlb || sz < P_SHIFT || sz > MAX_CACHED_LOG2)
        return;
    uint64_t off = ipa & span_mask(sz);
    struct vsmmu_tlb_ent e = { .in_base = ipa - off, .out_base = out->oa - off,
                               .size_log2 = (uint8_t)sz, .level = out->level,
                               .perm = out->perm, .memattr = out->memattr, .sh = out->sh,
                               .granule_log2 = s2->granule };
    struct vsmmu_tlb *t = s->caches.tlb;
    pthread_mutex_lock(&t->lock);
    /* s2->cache_gen: the generation the pipeline read before this walk */
    if (!s2->cache_gen || s2->cache_gen == t->gen)
        insert_tag(t, s2_walk_tag(t, s2), false, &e);
    pthread_mutex_unlock(&t->lock);
}

uint64_t vsmmu_tlb_gen(struct vsmmu *s)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    return t ? ld_acq(&t->gen) : 0;
}

/* ---- writer side: nodes ---------------------------------------------------------- */

static inline void bm_set(uint64_t *bm, unsigned i) { bm[i / 64] |= BIT(i % 64); }
static inline void bm_clr(uint64_t *bm, unsigned i) { bm[i / 64] &= ~BIT(i % 64); }

/* Next set bit in [i, hi] or FAN. */
static unsigned bm_next(const uint64_t *bm, unsigned i, unsigned hi)
{
    while (i <= hi) {
        uint64_t w = bm[i / 64] >> (i % 64);
        if (w) {
            unsigned r = i + (unsigned)__builtin_ctzll(w);
            return r <= hi ? r : FAN;
        }
        i = (i | 63) + 1;
    }
    return FAN;
}

static uint32_t gfind(struct vsmmu_tlb *t, uint64_t tag, uint64_t gi)
{
    for (uint32_t n = t->gbucket[ghash(tag, gi) & t->gmask]; n; n = t->g[n].next)
        if (t->g[n].tag == tag && t->g[n].gidx == gi)
            return n;
    return 0;
}

static uint32_t gget(struct vsmmu_tlb *t, uint32_t ci, uint64_t gi)
{
    struct tctx *c = &t->c[ci];
    uint32_t n = gfind(t, c->key, gi);
    if (n)
        return n;
    n = t->gfree;
    if (!n)
        return 0;                       /* cannot happen: G nodes <= live entries */
    t->gfree = t->gw[n].cnext;
    struct gnode *g = &t->g[n];
    struct gw *w = &t->gw[n];
    memset(w, 0, sizeof(*w));
    st(&g->tag, c->key);
    st(&g->gidx, gi);
    w->ctx = ci;
    w->bucket = (uint32_t)(ghash(c->key, gi) & t->gmask);
    st(&g->next, t->gbucket[w->bucket]);
    st_rel(&t->gbucket[w->bucket], n);
    w->cnext = c->ghead;
    if (c->ghead)
        t->gw[c->ghead].cprev = n;
    c->ghead = n;
    c->ng++;
    return n;
}

/* Take G node n off the hash chain and its context's list: from here no
 * lookup can reach it (readers already on it finish their read). */
static void g_unlink(struct vsmmu_tlb *t, uint32_t n)
{
    struct gw *w = &t->gw[n];
    uint32_t *pp = &t->gbucket[w->bucket];
    while (*pp && *pp != n)
        pp = &t->g[*pp].next;
    if (*pp)
        st_rel(pp, t->g[n].next);
    struct tctx *c = &t->c[w->ctx];
    if (w->cprev)
        t->gw[w->cprev].cnext = w->cnext;
    else
        c->ghead = w->cnext;
    if (w->cnext)
        t->gw[w->cnext].cprev = w->cprev;
    c->ng--;
}

/* Invalidate every entry under G node n at once: unlink it and queue it
 * for reclamation (ent_alloc). Returns the number of entries invalidated. */
static unsigned g_zombify(struct vsmmu_tlb *t, uint32_t n)
{
    struct gw *w = &t->gw[n];
    g_unlink(t, n);
    w->zombie = true;
    w->cprev = 0;
    w->cnext = t->zhead;
    if (t->zhead)
        t->gw[t->zhead].cprev = n;
    t->zhead = n;
    t->nzent += w->nent;
    return w->nent;
}

static void gput(struct vsmmu_tlb *t, uint32_t n)
{
    struct gw *w = &t->gw[n];
    if (w->nused || !w->ctx)
        return;
    if (w->zombie) {
        if (w->cprev)
            t->gw[w->cprev].cnext = w->cnext;
        else
            t->zhead = w->cnext;
        if (w->cnext)
            t->gw[w->cnext].cprev = w->cprev;
        w->zombie = false;
    } else {
        g_unlink(t, n);
    }
    st(&t->g[n].tag, 0);
    w->ctx = 0;
    w->cnext = t->gfree;
    t->gfree = n;
}

static uint32_t mget(struct vsmmu_tlb *t, uint32_t gn, unsigned gs)
{
    struct gnode *g = &t->g[gn];
    uint32_t v = g->slot[gs];
    if (v && SLOT_IS_M(v))
        return SLOT_IDX(v);
    /* the slot is empty here (overlaps were removed before placing) */
    uint32_t n = t->mfree;
    if (!n)
        return 0;
    t->mfree = t->mw[n].g;
    memset(&t->mw[n], 0, sizeof(t->mw[n]));
    t->mw[n].g = gn;
    t->mw[n].gslot = gs;
    st_rel(&g->slot[gs], n << 1 | 1);
    bm_set(t->gw[gn].bm, gs);
    t->gw[gn].nused++;
    return n;
}

static void mput(struct vsmmu_tlb *t, uint32_t n)
{
    struct mw *w = &t->mw[n];
    if (w->nused)
        return;
    uint32_t gn = w->g;
    st_rel(&t->g[gn].slot[w->gslot], 0);
    bm_clr(t->gw[gn].bm, w->gslot);
    t->gw[gn].nused--;
    w->g = t->mfree;
    t->mfree = n;
}

/* ---- writer side: contexts ----------------------------------------------------- */

static uint32_t cfind(struct vsmmu_tlb *t, uint64_t key)
{
    for (uint32_t n = t->cbucket[mix64(key) & t->cmask]; n; n = t->c[n].hnext)
        if (t->c[n].key == key)
            return n;
    return 0;
}

static uint32_t cget(struct vsmmu_tlb *t, uint64_t key)
{
    uint32_t n = cfind(t, key);
    if (n)
        return n;
    n = t->cfree;
    if (!n)
        return 0;
    struct tctx *c = &t->c[n];
    t->cfree = c->hnext;
    memset(c, 0, sizeof(*c));
    c->key = key;
    uint64_t b = mix64(key) & t->cmask;
    c->hnext = t->cbucket[b];
    t->cbucket[b] = n;
    unsigned wd = TAG_WORLD(key);
    c->wnext = t->whead[wd];
    if (c->wnext)
        t->c[c->wnext].wprev = n;
    t->whead[wd] = n;
    if (wd == VSMMU_WORLD_NS_EL1) {
        uint16_t vm = TAG_VMID(key);
        c->vnext = t->vmhead[vm];
        if (c->vnext)
            t->c[c->vnext].vprev = n;
        t->vmhead[vm] = n;
    }
    return n;
}

static void cput(struct vsmmu_tlb *t, uint32_t n)
{
    struct tctx *c = &t->c[n];
    if (c->count || !c->key)
        return;
    uint32_t *pp = &t->cbucket[mix64(c->key) & t->cmask];
    while (*pp != n)
        pp = &t->c[*pp].hnext;
    *pp = c->hnext;
    unsigned wd = TAG_WORLD(c->key);
    if (c->wprev)
        t->c[c->wprev].wnext = c->wnext;
    else
        t->whead[wd] = c->wnext;
    if (c->wnext)
        t->c[c->wnext].wprev = c->wprev;
    if (wd == VSMMU_WORLD_NS_EL1) {
        if (c->vprev)
            t->c[c->vprev].vnext = c->vnext;
        else
            t->vmhead[TAG_VMID(c->key)] = c->vnext;
        if (c->vnext)
            t->c[c->vnext].vprev = c->vprev;
    }
    c->key = 0;
    c->hnext = t->cfree;
    t->cfree = n;
}

/* ---- writer side: nested IPA index ------------------------------------------------ */

/* IPA span an S2_IPA matches a nested entry by: its stage-2 leaf. */
static inline uint64_t ent_ilo(const struct tent *e)
{
    return ld(&e->ipa) & GENMASK(55, 0) & ~span_mask(e->s2sz);
}

static inline uint64_t ent_ihi(const struct tent *e)
{
    return ent_ilo(e) + span_mask(e->s2sz);
}

static uint32_t *ilist(struct vsmmu_tlb *t, uint32_t e)
{
    uint32_t h = t->nx[e].ihead;
    return h ? &t->ibucket[h - 1] : &t->ilarge[t->ent[e].vmid];
}

static void iindex_add(struct vsmmu_tlb *t, uint32_t e)
{
    struct tent *te = &t->ent[e];
    struct tnest *n = &t->nx[e];
    uint64_t lo = ent_ilo(te), hi = ent_ihi(te);
    if ((lo >> M_SHIFT) == (hi >> M_SHIFT))
        n->ihead = (uint32_t)(mix64((uint64_t)te->vmid << 48 ^ (lo >> M_SHIFT)) & t->imask) + 1;
    else
        n->ihead = 0;
    uint32_t *h = ilist(t, e);
    n->iprev = 0;
    n->inext = *h;
    if (*h)
        t->nx[*h].iprev = e;
    *h = e;
    uint32_t *a = &t->iall[te->vmid];
    n->aprev = 0;
    n->anext = *a;
    if (*a)
        t->nx[*a].aprev = e;
    *a = e;
    te->nested = true;
    t->nnested[te->vmid]++;
}

static void iindex_del(struct vsmmu_tlb *t, uint32_t e)
{
    struct tent *te = &t->ent[e];
    struct tnest *n = &t->nx[e];
    if (!te->nested)
        return;
    if (n->iprev)
        t->nx[n->iprev].inext = n->inext;
    else
        *ilist(t, e) = n->inext;
    if (n->inext)
        t->nx[n->inext].iprev = n->iprev;
    if (n->aprev)
        t->nx[n->aprev].anext = n->anext;
    else
        t->iall[te->vmid] = n->anext;
    if (n->anext)
        t->nx[n->anext].aprev = n->aprev;
    te->nested = false;
    t->nnested[te->vmid]--;
}

/* ---- writer side: entries ---------------------------------------------------------- */

static void ent_write(struct tent *e, uint64_t tag, uint64_t ib, uint64_t ob, uint64_t meta,
                      uint64_t ipa)
{
    uint32_t s0 = e->seq;
    st(&e->seq, s0 + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    st(&e->tag, tag);
    st(&e->in_base, ib);
    st(&e->out_base, ob);
    st(&e->meta, meta);
    st(&e->ipa, ipa);
    st_rel(&e->seq, s0 + 2);
}

/* Remove entry e from every structure. Its context is left for cput(). */
static void ent_remove(struct vsmmu_tlb *t, uint32_t e)
{
    struct tent *te = &t->ent[e];
    struct tctx *c = &t->c[te->ctx];
    bool global = TAG_GLOBAL(c->key);
    uint64_t in_base = ld(&te->in_base);

    /* Invalidate first: from here no reader can validate the entry. */
    iindex_del(t, e);
    ent_write(te, 0, 0, 0, 0, 0);

    uint32_t gn = te->gn;
    struct gnode *g = &t->g[gn];
    struct gw *gwp = &t->gw[gn];
    gwp->nent--;
    if (gwp->zombie)
        t->nzent--;
    if (te->size >= G_SHIFT) {
        if (g->big == e) {
            st_rel(&g->big, 0);
            gwp->nused--;
        }
    } else if (te->size >= M_SHIFT) {
        unsigned s0 = (unsigned)(in_base >> M_SHIFT) & (FAN - 1);
        unsigned n = 1u << (te->size - M_SHIFT);
        for (unsigned i = s0; i < s0 + n; i++) {
            if (g->slot[i] == e << 1) {
                st_rel(&g->slot[i], 0);
                bm_clr(gwp->bm, i);
                gwp->nused--;
            }
        }
    } else {
        unsigned gs = (unsigned)(in_base >> M_SHIFT) & (FAN - 1);
        uint32_t v = g->slot[gs];
        if (v && SLOT_IS_M(v)) {
            uint32_t mn = SLOT_IDX(v);
            struct mnode *m = &t->m[mn];
            struct mw *mwp = &t->mw[mn];
            unsigned p0 = (unsigned)(in_base >> P_SHIFT) & (FAN - 1);
            unsigned n = 1u << (te->size - P_SHIFT);
            for (unsigned i = p0; i < p0 + n; i++) {
                if (m->slot[i] == e) {
                    st_rel(&m->slot[i], 0);
                    bm_clr(mwp->bm, i);
                    mwp->nused--;
                }
            }
            mput(t, mn);
        }
    }
    gput(t, gn);

    c->count--;
    if (global)
        __atomic_fetch_sub(&t->nglobal, 1, __ATOMIC_RELAXED);
    st(&te->ref, 0);
    te->ctx = 0;
    te->gn = t->efree;
    t->efree = e;
    t->nlive--;
}

/* Any entry under zombie G node n. */
static uint32_t zombie_entry(struct vsmmu_tlb *t, uint32_t n)
{
    struct gnode *g = &t->g[n];
    if (g->big)
        return g->big;
    unsigned i = bm_next(t->gw[n].bm, 0, FAN - 1);
    if (i >= FAN)
        return 0;
    uint32_t v = g->slot[i];
    if (!SLOT_IS_M(v))
        return SLOT_IDX(v);
    uint32_t mn = SLOT_IDX(v);
    unsigned j = bm_next(t->mw[mn].bm, 0, FAN - 1);
    return j < FAN ? t->m[mn].slot[j] : 0;
}

/* A free entry: reclaim an invalidated one, else evict one (CLOCK over the
 * reference bits). */
static void ent_finalize(struct vsmmu_tlb *t, uint32_t e)
{
    struct tent *te = &t->ent[e];
    ent_write(te, 0, 0, 0, 0, 0);
    st(&te->ref, 0);
    te->ctx = 0;
    te->gn = t->efree;
    t->efree = e;
    t->nlive--;
}

static uint32_t ent_alloc(struct vsmmu_tlb *t)
{
    if (!t->efree && t->npend)
        ent_finalize(t, t->pend[--t->npend]);
    if (!t->efree && t->zhead) {
        uint32_t e = zombie_entry(t, t->zhead);
        if (e) {
            uint32_t ci = t->ent[e].ctx;
            ent_remove(t, e);
            cput(t, ci);
        }
    }
    if (!t->efree) {
        for (uint64_t steps = 0; steps <= 2 * (uint64_t)t->cap; steps++) {
            uint32_t h = t->hand + 1;
            t->hand = h >= t->cap ? 0 : h;
            if (!t->ent[h].ctx)
                continue;
            if (ld(&t->ent[h].ref)) {
                st(&t->ent[h].ref, 0);
                continue;
            }
            uint32_t ci = t->ent[h].ctx;
            ent_remove(t, h);
            cput(t, ci);
            break;
        }
    }
    uint32_t e = t->efree;
    if (e) {
        t->efree = t->ent[e].gn;
        t->nlive++;
    }
    return e;
}

static void ent_free_unused(struct vsmmu_tlb *t, uint32_t e)
{
    t->ent[e].ctx = 0;
    t->ent[e].gn = t->efree;
    t->efree = e;
    t->nlive--;
}

/* ---- writer side: range walk ------------------------------------------------------ */

struct tfilt {
    bool     place;             /* match on placement span (insert overlap) */
    uint64_t lo, hi;            /* inclusive */
    uint8_t  tg, ttl;           /* 0: any */
};

static bool ent_match(const struct tent *e, const struct tfilt *f)
{
    uint64_t ib = ld(&e->in_base);
    if (f->place) {
        uint64_t hi = ib + span_mask(e->size);
        return !(hi < f->lo || ib > f->hi);
    }
    /* match by the stage-1 leaf the entry came from (IHI0070 16.2.1) */
    uint64_t mlo = ib & ~span_mask(e->s1sz), mhi = mlo + span_mask(e->s1sz);
    if (mhi < f->lo || mlo > f->hi)
        return false;
    if (f->tg && e->gran && e->gran != f->tg)
        return false;       /* IHI0070 4.4.1: TG names the granule of the targets */
    if (f->ttl && e->level != f->ttl)
        return false;       /* TTL: only leaves of that level need go */
    return true;
}

static unsigned try_remove(struct vsmmu_tlb *t, uint32_t e, const struct tfilt *f)
{
    if (!ent_match(&t->ent[e], f))
        return 0;
    ent_remove(t, e);
    return 1;
}

/* Remove the plain 4K page in slot j of M node mn (G node gn) without
 * touching the entry itself: once its slot is clear no lookup can reach it;
 * the entry's line is rewritten when ent_alloc reuses it. */
static void fast_remove(struct vsmmu_tlb *t, uint32_t gn, uint32_t mn, unsigned j)
{
    struct mnode *m = &t->m[mn];
    struct mw *mwp = &t->mw[mn];
    uint32_t e = m->slot[j];
    st_rel(&m->slot[j], 0);
    bm_clr(mwp->bm, j);
    mwp->nused--;
    t->gw[gn].nent--;
    struct tctx *c = &t->c[t->gw[gn].ctx];
    c->count--;
    if (TAG_GLOBAL(c->key))
        __atomic_fetch_sub(&t->nglobal, 1, __ATOMIC_RELAXED);
    t->pend[t->npend++] = e;
}

/* Visit G node gn over the search span [slo, shi]. */
static unsigned gnode_range(struct vsmmu_tlb *t, uint32_t gn, uint64_t slo, uint64_t shi,
                            const struct tfilt *f)
{
    struct gnode *g = &t->g[gn];
    struct gw *w = &t->gw[gn];
    uint64_t gbase = g->gidx << G_SHIFT;
    uint64_t gend = gbase + span_mask(G_SHIFT);
    unsigned removed = 0;
    /* The range covers the whole GiB and no hint can spare an entry: every
     * entry placed here matches (its match span contains its placement). */
    if (f->lo <= gbase && f->hi >= gend &&
        (!f->tg || !(w->granmask & ~(GRAN_BIT(f->tg) | GRAN_BIT(0)))) &&
        (!f->ttl || !(w->levelmask & ~(1u << f->ttl))))
        return g_zombify(t, gn);
    if (g->big)
        removed += try_remove(t, g->big, f);
    unsigned s0 = slo <= gbase ? 0 : (unsigned)(slo >> M_SHIFT) & (FAN - 1);
    unsigned s1 = shi >= gend ? FAN - 1 : (unsigned)(shi >> M_SHIFT) & (FAN - 1);
    for (unsigned i = bm_next(w->bm, s0, s1); i < FAN; i = bm_next(w->bm, i + 1, s1)) {
        uint32_t v = g->slot[i];
        if (!SLOT_IS_M(v)) {
            removed += try_remove(t, SLOT_IDX(v), f);
            continue;
        }
        uint32_t mn = SLOT_IDX(v);
        struct mnode *m = &t->m[mn];
        struct mw *mwp = &t->mw[mn];
        uint64_t mbase = gbase | (uint64_t)i << M_SHIFT;
        uint64_t mend = mbase + span_mask(M_SHIFT);
        unsigned p0 = slo <= mbase ? 0 : (unsigned)(slo >> P_SHIFT) & (FAN - 1);
        unsigned p1 = shi >= mend ? FAN - 1 : (unsigned)(shi >> P_SHIFT) & (FAN - 1);
        if (!mwp->complex && !TAG_NESTED(t->c[w->ctx].key) &&
            (!f->tg || !(mwp->granmask & ~(GRAN_BIT(f->tg) | GRAN_BIT(0)))) &&
            (!f->ttl || !(mwp->levelmask & ~(1u << f->ttl)))) {
            /* only plain pages, and no hint spares one: every page in
             * [lo, hi] matches (the search span may be wider) */
            unsigned q0 = f->lo <= mbase ? 0 : (unsigned)(f->lo >> P_SHIFT) & (FAN - 1);
            unsigned q1 = f->hi >= mend ? FAN - 1 : (unsigned)(f->hi >> P_SHIFT) & (FAN - 1);
            if (f->lo <= mend && f->hi >= mbase) {
                for (unsigned j = bm_next(mwp->bm, q0, q1); j < FAN;
                     j = bm_next(mwp->bm, j + 1, q1)) {
                    fast_remove(t, gn, mn, j);
                    removed++;
                }
                mput(t, mn);
            }
            continue;
        }
        /* the M node may be released (bitmap emptied) by the last removal */
        for (unsigned j = bm_next(mwp->bm, p0, p1); j < FAN; j = bm_next(mwp->bm, j + 1, p1))
            removed += try_remove(t, m->slot[j], f);
    }
    gput(t, gn);
    return removed;
}

/* Remove the entries of context ci matching f. */
static unsigned ctx_range(struct vsmmu_tlb *t, uint32_t ci, const struct tfilt *f)
{
    struct tctx *c = &t->c[ci];
    if (!c->ng)
        return 0;
    uint64_t slo = f->lo, shi = f->hi;
    if (!f->place) {
        /* Entries match by their stage-1 leaf span, which for nested entries
         * can exceed the span they are placed at: widen the search. */
        uint64_t mm = span_mask(c->maxm);
        slo &= ~mm;
        shi |= mm;
    }
    uint64_t g0 = slo >> G_SHIFT, g1 = shi >> G_SHIFT;
    unsigned removed = 0;
    if (g1 - g0 < c->ng) {
        for (uint64_t gi = g0;; gi++) {
            uint32_t gn = gfind(t, c->key, gi);
            if (gn)
                removed += gnode_range(t, gn, slo, shi, f);
            if (gi == g1 || !c->ng)
                break;
        }
    } else {
        for (uint32_t gn = c->ghead; gn;) {
            uint32_t nx = t->gw[gn].cnext;
            uint64_t gi = t->g[gn].gidx;
            if (gi >= g0 && gi <= g1)
                removed += gnode_range(t, gn, slo, shi, f);
            gn = nx;
        }
    }
    return removed;
}

/* Every entry of context ci: its G nodes go at once. */
static unsigned ctx_all(struct vsmmu_tlb *t, uint32_t ci)
{
    unsigned removed = 0;
    while (t->c[ci].ghead)
        removed += g_zombify(t, t->c[ci].ghead);
    return removed;
}

/* ---- insert ------------------------------------------------------------------------- */

static void insert_tag(struct vsmmu_tlb *t, uint64_t tag, bool global,
                       const struct vsmmu_tlb_ent *e)
{
    unsigned sz = e->size_log2;
    if (sz < P_SHIFT || sz > MAX_CACHED_LOG2)
        return;
    uint64_t in_base = e->in_base & ~span_mask(sz);

    uint32_t ei = ent_alloc(t);
    if (!ei)
        return;
    uint32_t ci = cget(t, tag);
    if (!ci) {
        ent_free_unused(t, ei);
        return;
    }
    struct tctx *c = &t->c[ci];
    struct tfilt pf = { .place = true, .lo = in_base, .hi = in_base + span_mask(sz) };
    ctx_range(t, ci, &pf);      /* conflicting older entries make way */

    /* place */
    uint32_t gn = gget(t, ci, in_base >> G_SHIFT);
    uint32_t mn = 0;
    if (gn && sz < M_SHIFT)
        mn = mget(t, gn, (unsigned)(in_base >> M_SHIFT) & (FAN - 1));
    if (!gn || (sz < M_SHIFT && !mn)) {
        if (gn)
            gput(t, gn);
        ent_free_unused(t, ei);
        cput(t, ci);
        return;
    }

    struct tent *te = &t->ent[ei];
    unsigned s1sz = e->s1_size_log2 > sz && e->s1_size_log2 < 64 ? e->s1_size_log2 : sz;
    unsigned s2sz = e->s2_size_log2 > sz && e->s2_size_log2 < 56 ? e->s2_size_log2 : sz;
    te->ctx = ci;
    te->gn = gn;
    te->vmid = TAG_VMID(tag);
    te->size = (uint8_t)sz;
    te->level = e->level;
    te->gran = e->granule_log2;
    te->s1sz = (uint8_t)s1sz;
    te->s2sz = (uint8_t)s2sz;
    te->nested = false;
    if (s1sz > c->maxm)
        c->maxm = (uint8_t)s1sz;

    uint64_t ipa = e->ipa & ~span_mask(sz) & GENMASK(55, 0);
    uint64_t meta = (uint64_t)sz | (uint64_t)e->level << 8 | (uint64_t)e->perm << 16 |
                    (uint64_t)e->memattr << 24 | (uint64_t)e->sh << 32 |
                    (uint64_t)global << 40 | (uint64_t)e->granule_log2 << 48 |
                    (uint64_t)e->s1_size_log2 << 56;
    ent_write(te, tag, in_base, e->out_base & ~span_mask(sz), meta,
              ipa | (uint64_t)e->s2_size_log2 << 56);
    st(&te->ref, 0);

    struct gnode *g = &t->g[gn];
    struct gw *gwp = &t->gw[gn];
    gwp->nent++;
    gwp->granmask |= GRAN_BIT(e->granule_log2);
    gwp->levelmask |= (uint8_t)(1u << (e->level & 7));
    if (sz >= G_SHIFT) {
        st_rel(&g->big, ei);
        gwp->nused++;
    } else if (sz >= M_SHIFT) {
        unsigned s0 = (unsigned)(in_base >> M_SHIFT) & (FAN - 1);
        for (unsigned i = s0; i < s0 + (1u << (sz - M_SHIFT)); i++) {
            st_rel(&g->slot[i], ei << 1);
            bm_set(gwp->bm, i);
            gwp->nused++;
        }
    } else {
        struct mnode *m = &t->m[mn];
        struct mw *mwp = &t->mw[mn];
        if (sz != P_SHIFT || s1sz != P_SHIFT || TAG_NESTED(tag))
            mwp->complex = true;
        mwp->granmask |= GRAN_BIT(e->granule_log2);
        mwp->levelmask |= (uint8_t)(1u << (e->level & 7));
        unsigned p0 = (unsigned)(in_base >> P_SHIFT) & (FAN - 1);
        for (unsigned i = p0; i < p0 + (1u << (sz - P_SHIFT)); i++) {
            st_rel(&m->slot[i], ei);
            bm_set(mwp->bm, i);
            mwp->nused++;
        }
    }
    c->count++;
    if (global)
        __atomic_fetch_add(&t->nglobal, 1, __ATOMIC_RELAXED);
    if (TAG_NESTED(tag))
        iindex_add(t, ei);
}

static void insert_locked(struct vsmmu_tlb *t, const struct vsmmu_tlb_key *k,
                          const struct vsmmu_tlb_ent *e)
{
    bool global = e->global && k->kind == VSMMU_TLB_S1 && k->world != VSMMU_WORLD_EL2;
    insert_tag(t, key_tag(t, k, global), global, e);
}

void vsmmu_tlb_insert_gen(struct vsmmu *s, const struct vsmmu_tlb_key *k,
                          const struct vsmmu_tlb_ent *e, uint64_t gen)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    if (t->gen == gen)
        insert_locked(t, k, e);
    pthread_mutex_unlock(&t->lock);
}

void vsmmu_tlb_insert(struct vsmmu *s, const struct vsmmu_tlb_key *k,
                      const struct vsmmu_tlb_ent *e)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    insert_locked(t, k, e);
    pthread_mutex_unlock(&t->lock);
}

unsigned vsmmu_tlb_count(struct vsmmu *s)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    if (!t)
        return 0;
    pthread_mutex_lock(&t->lock);
    unsigned n = t->nlive - t->nzent - t->npend;
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* ---- invalidation ------------------------------------------------------------------- */

/* Apply to one context by tag (if present). */
static unsigned tag_op(struct vsmmu_tlb *t, uint64_t tag, const struct tfilt *f)
{
    uint32_t ci = cfind(t, tag);
    if (!ci)
        return 0;
    unsigned n = f ? ctx_range(t, ci, f) : ctx_all(t, ci);
    cput(t, ci);
    return n;
}

enum { SEL_S1 = 1, SEL_S2 = 2 };

/* Apply to every context of a list (world or VMID list). */
static unsigned list_op(struct vsmmu_tlb *t, uint32_t head, bool vmlist, unsigned sel,
                        const struct tfilt *f)
{
    unsigned n = 0;
    for (uint32_t ci = head; ci;) {
        struct tctx *c = &t->c[ci];
        uint32_t nx = vmlist ? c->vnext : c->wnext;
        unsigned kind = TAG_KIND(c->key);
        if (sel & (kind == VSMMU_TLB_S1 ? SEL_S1 : SEL_S2)) {
            n += f ? ctx_range(t, ci, f) : ctx_all(t, ci);
            cput(t, ci);
        }
        ci = nx;
    }
    return n;
}

/* Nested entries of vmid whose stage-2 leaf overlaps [lo, hi] (entries
 * already invalidated with their G node are skipped). */
static unsigned nested_try(struct vsmmu_tlb *t, uint32_t e, uint16_t vmid, uint64_t lo,
                           uint64_t hi)
{
    struct tent *te = &t->ent[e];
    if (te->vmid != vmid || ent_ihi(te) < lo || ent_ilo(te) > hi || t->gw[te->gn].zombie)
        return 0;
    uint32_t ci = te->ctx;
    ent_remove(t, e);
    cput(t, ci);
    return 1;
}

static unsigned nested_ipa(struct vsmmu_tlb *t, uint16_t vmid, uint64_t lo, uint64_t hi)
{
    if (!t->nnested[vmid])
        return 0;
    unsigned n = 0;
    uint64_t b0 = lo >> M_SHIFT, b1 = hi >> M_SHIFT;
    if (b1 - b0 < t->nnested[vmid]) {
        for (uint64_t b = b0;; b++) {
            uint32_t h = (uint32_t)(mix64((uint64_t)vmid << 48 ^ b) & t->imask);
            for (uint32_t e = t->ibucket[h]; e;) {
                uint32_t nx = t->nx[e].inext;
                n += nested_try(t, e, vmid, lo, hi);
                e = nx;
            }
            if (b == b1)
                break;
        }
        for (uint32_t e = t->ilarge[vmid]; e;) {
            uint32_t nx = t->nx[e].inext;
            n += nested_try(t, e, vmid, lo, hi);
            e = nx;
        }
        return n;
    }
    for (uint32_t e = t->iall[vmid]; e;) {
        uint32_t nx = t->nx[e].anext;
        n += nested_try(t, e, vmid, lo, hi);
        e = nx;
    }
    return n;
}

void vsmmu_tlb_invalidate(struct vsmmu *s, const struct vsmmu_tlbi *op)
{
    struct vsmmu_tlb *t = s->caches.tlb;
    if (!t)
        return;
    uint64_t size = op->size ? op->size : 1;
    uint64_t hi = op->addr + size - 1;
    if (hi < op->addr)
        hi = UINT64_MAX;                /* no wrap-around (IHI0070 4.4.1) */
    struct tfilt f = { .lo = op->addr, .hi = hi };
    if (op->tg_log2) {
        f.tg = op->tg_log2;
        f.ttl = op->ttl;
    }
    uint16_t vmid = t->s2p ? op->vmid & t->vmid_mask : 0;
    const unsigned NS = VSMMU_WORLD_NS_EL1, E2H = VSMMU_WORLD_EL2_E2H;
    unsigned n = 0;

    pthread_mutex_lock(&t->lock);
    /* Bump first: inserts prepared before this point are dropped. */
    __atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
    switch (op->op) {
    case VSMMU_TLBI_NH_ALL:             /* VMALLE1: stage 1 only */
        n = list_op(t, t->vmhead[vmid], true, SEL_S1, NULL);
        break;
    case VSMMU_TLBI_NH_ASID:            /* ASIDE1: non-global of ASID */
        for (int nested = 0; nested < 2; nested++)
            n += tag_op(t, mktag(t, VSMMU_TLB_S1, NS, nested, false, vmid, op->asid), NULL);
        break;
    case VSMMU_TLBI_NH_VA:              /* VAE1: ASID's and global entries */
        for (int nested = 0; nested < 2; nested++)
            for (int gl = 0; gl < 2; gl++)
                n += tag_op(t, mktag(t, VSMMU_TLB_S1, NS, nested, gl, vmid, op->asid), &f);
        break;
    case VSMMU_TLBI_NH_VAA:             /* VAAE1: every ASID */
        n = list_op(t, t->vmhead[vmid], true, SEL_S1, &f);
        break;
    case VSMMU_TLBI_EL2_ALL:            /* ALLE2: EL2 and EL2-E2H */
        n = list_op(t, t->whead[VSMMU_WORLD_EL2], false, SEL_S1, NULL);
        n += list_op(t, t->whead[E2H], false, SEL_S1, NULL);
        break;
    case VSMMU_TLBI_EL2_ASID:
        n = tag_op(t, mktag(t, VSMMU_TLB_S1, E2H, false, false, 0, op->asid), NULL);
        break;
    case VSMMU_TLBI_EL2_VA:
        /* CR2.E2H picks the world; both are covered (over-invalidation is
         * permitted), EL2 without ASID matching. */
        n = list_op(t, t->whead[VSMMU_WORLD_EL2], false, SEL_S1, &f);
        n += tag_op(t, mktag(t, VSMMU_TLB_S1, E2H, false, false, 0, op->asid), &f);
        n += tag_op(t, mktag(t, VSMMU_TLB_S1, E2H, false, true, 0, 0), &f);
        break;
    case VSMMU_TLBI_EL2_VAA:
        n = list_op(t, t->whead[VSMMU_WORLD_EL2], false, SEL_S1, &f);
        n += list_op(t, t->whead[E2H], false, SEL_S1, &f);
        break;
    case VSMMU_TLBI_S12_VMALL:          /* VMALLS12E1 */
        n = list_op(t, t->vmhead[vmid], true, SEL_S1 | SEL_S2, NULL);
        break;
    case VSMMU_TLBI_S2_IPA:             /* IPAS2E1 (+ nested entries over it) */
        n = tag_op(t, mktag(t, VSMMU_TLB_S2, NS, false, false, vmid, 0), &f);
        n += tag_op(t, mktag(t, VSMMU_TLB_S2, NS, false, false, vmid, 0) | TAG_WALKC, &f);
        /* IHI0070 16.2.1 does not require combined entries to go; removing
         * those built over the range costs little and is always allowed. */
        n += nested_ipa(t, vmid, f.lo, f.hi);
        break;
    case VSMMU_TLBI_NSNH_ALL:           /* ALLE1 */
        n = list_op(t, t->whead[NS], false, SEL_S1 | SEL_S2, NULL);
        break;
    }
    pthread_mutex_unlock(&t->lock);
    if (n)
        stat_add(s, tlb_invalidated, n);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void tlb_free(struct vsmmu_tlb *t)
{
    if (!t)
        return;
    free(t->ent); free(t->nx);
    free(t->g); free(t->gw); free(t->gbucket);
    free(t->m); free(t->mw);
    free(t->c); free(t->cbucket);
    free(t->vmhead); free(t->ibucket); free(t->ilarge); free(t->iall); free(t->nnested); free(t->pend);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void tlb_reset_lists(struct vsmmu_tlb *t)
{
    uint32_t cap = t->cap;
    t->efree = 0;
    for (uint32_t i = cap; i >= 1; i--) {
        t->ent[i].ctx = 0;
        t->ent[i].gn = t->efree;
        t->efree = i;
    }
    t->gfree = 0;
    t->mfree = 0;
    for (uint32_t i = cap; i >= 1; i--) {
        t->gw[i].cnext = t->gfree;
        t->gfree = i;
        t->mw[i].g = t->mfree;
        t->mfree = i;
    }
    t->cfree = 0;
    for (uint32_t i = cap + 1; i >= 1; i--) {
        t->c[i].key = 0;
        t->c[i].hnext = t->cfree;
        t->cfree = i;
    }
    t->nlive = 0;
    t->hand = 0;
}

static int tlb_init(struct vsmmu *s)
{
    uint32_t cap = s->cfg.tlb_entries;
    s->caches.tlb = NULL;
    if (!cap)
        return 0;
    if (cap > (UINT32_MAX >> 2))
        return VSMMU_EINVAL;
    struct vsmmu_tlb *t = calloc(1, sizeof(*t));
    if (!t)
        return VSMMU_ENOMEM;
    pthread_mutex_init(&t->lock, NULL);
    t->cap = cap;
    t->gen = 1;
    t->s2p = s->cfg.s2p;
    t->vmid_mask = s->cfg.vmid16 ? 0xffff : 0xff;
    t->asid_mask = s->cfg.asid16 ? 0xffff : 0xff;
    size_t nvm = (size_t)t->vmid_mask + 1;
    uint64_t nb = pow2_at_least(2 * (uint64_t)cap);
    t->gmask = nb - 1;
    uint64_t ncb = pow2_at_least(cap / 4 + 64);   /* contexts are few */
    t->cmask = ncb - 1;
    t->imask = nb - 1;
    /* Large arrays come from calloc: untouched pages stay unbacked. */
    t->ent = aligned_alloc(64, (cap + 1) * sizeof(*t->ent));
    if (t->ent)
        memset(t->ent, 0, (cap + 1) * sizeof(*t->ent));
    t->nx = calloc(cap + 1, sizeof(*t->nx));
    t->g = calloc(cap + 1, sizeof(*t->g));
    t->gw = calloc(cap + 1, sizeof(*t->gw));
    t->m = calloc(cap + 1, sizeof(*t->m));
    t->mw = calloc(cap + 1, sizeof(*t->mw));
    t->c = calloc(cap + 2, sizeof(*t->c));
    t->gbucket = calloc(nb, sizeof(uint32_t));
    t->cbucket = calloc(ncb, sizeof(uint32_t));
    t->ibucket = calloc(nb, sizeof(uint32_t));
    t->vmhead = calloc(nvm, sizeof(uint32_t));
    t->ilarge = calloc(nvm, sizeof(uint32_t));
    t->iall = calloc(nvm, sizeof(uint32_t));
    t->pend = calloc(cap, sizeof(uint32_t));
    t->nnested = calloc(nvm, sizeof(uint32_t));
    if (!t->ent || !t->nx || !t->g || !t->gw || !t->m || !t->mw || !t->c || !t->gbucket ||
        !t->cbucket || !t->ibucket || !t->vmhead || !t->ilarge || !t->iall || !t->nnested || !t->pend) {
        tlb_free(t);
        return VSMMU_ENOMEM;
    }
    tlb_reset_lists(t);
    s->caches.tlb = t;
    return 0;
}

static void tlb_flush(struct vsmmu_tlb *t)
{
    pthread_mutex_lock(&t->lock);
    __atomic_store_n(&t->gen, t->gen + 1, __ATOMIC_RELEASE);
    while (t->npend)
        ent_finalize(t, t->pend[--t->npend]);
    for (uint32_t e = 1; e <= t->cap; e++) {
        if (t->ent[e].ctx) {
            uint32_t ci = t->ent[e].ctx;
            ent_remove(t, e);
            cput(t, ci);
        }
    }
    pthread_mutex_unlock(&t->lock);
}

int vsmmu_caches_init(struct vsmmu *s)
{
    int rc = tlb_init(s);
    if (rc)
        return rc;
    rc = vsmmu_cfgc_init(s);
    if (rc) {
        tlb_free(s->caches.tlb);
        s->caches.tlb = NULL;
    }
    return rc;
}

void vsmmu_caches_fini(struct vsmmu *s)
{
    tlb_free(s->caches.tlb);
    s->caches.tlb = NULL;
    vsmmu_cfgc_fini(s);
}

void vsmmu_caches_flush(struct vsmmu *s)
{
    if (s->caches.tlb)
        tlb_flush(s->caches.tlb);
    vsmmu_cfgc_flush(s);
}
