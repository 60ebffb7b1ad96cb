/* SPDX-License-Identifier: MIT */
/*
 * Configuration cache: the decoded STE + CD (struct vsmmu_xcfg) per
 * (StreamID, SSV, SubstreamID), kept until a CMD_CFGI_* removes it
 * (IHI0070 16.2: a guest that edits a live STE or CD without invalidating
 * keeps seeing the cached one).
 *
 * Readers: hash(sid, ssv, ssid) -> chain of entries; the entry is copied out
 * word by word under its sequence counter (no lock, no allocation). Entries
 * are allocated once and recycled, never freed while the instance lives.
 * Writers (insert, CFGI_*) hold c->lock and keep three indexes: by StreamID,
 * by (StreamID, CD index) and a list of all live entries, so that every
 * CFGI costs O(entries removed) (CFGI_STE_RANGE: O(min(range, live))).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "xcfg.h"

#define XW (sizeof(struct vsmmu_xcfg) / sizeof(uint64_t))
_Static_assert(sizeof(struct vsmmu_xcfg) % sizeof(uint64_t) == 0, "xcfg is whole words");

#define CHAIN_MAX 64

#define ld(p)        __atomic_load_n((p), __ATOMIC_RELAXED)
#define ld_acq(p)    __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define st(p, v)     __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define st_rel(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define HW ((sizeof(struct vsmmu_xcfg_hot) + 7) / sizeof(uint64_t))

struct centry {                 /* reader-visible */
    uint32_t seq;
    uint8_t  ref;
    uint32_t next;              /* hash chain */
    uint64_t key;               /* 0: invalid */
    uint64_t hot[HW];           /* struct vsmmu_xcfg_hot */
    uint64_t data[XW];
};

struct cwent {                  /* writer-only */
    uint32_t hbucket;
    uint32_t sprev, snext, sbucket;     /* by StreamID */
    uint32_t dprev, dnext, dbucket;     /* by (StreamID, CD index); dbucket 0: none */
    uint32_t lprev, lnext;              /* all live; lnext = free list */
    uint32_t sid, cdidx;
    bool     live;
};

struct vsmmu_cfgc {
    pthread_mutex_t lock;
    uint64_t gen;
    uint32_t cap, nlive, hand, efree, lhead;
    uint64_t mask;
    struct centry *e;           /* [cap + 1] */
    struct cwent *w;
    uint32_t *hb;               /* reader-visible heads */
    uint32_t *sb;               /* by sid */
    uint32_t *db;               /* by (sid, cd index) */
};

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 31;
    x *= UINT64_C(0x7fb5d329728ea185);
    x ^= x >> 27;
    x *= UINT64_C(0x81dadef4bc2dd44d);
    x ^= x >> 33;
    return x;
}

/* Bucket of a key (one multiply; the high half is well mixed). */
static inline uint64_t khash(uint64_t key)
{
    uint64_t x = (key ^ (key >> 29)) * UINT64_C(0x9E3779B97F4A7C15);
    return x >> 32 ^ x >> 11;
}

static inline uint64_t ckey(uint32_t sid, bool ssv, uint32_t ssid)
{
    if (!ssv)
        ssid = 0;
    return BIT(63) | (uint64_t)ssv << 52 | (uint64_t)(ssid & 0xfffff) << 32 | sid;
}

static inline uint32_t sbucket(const struct vsmmu_cfgc *c, uint32_t sid)
{
    return (uint32_t)(mix64(sid) & c->mask);
}

static inline uint32_t dbucket(const struct vsmmu_cfgc *c, uint32_t sid, uint32_t cdidx)
{
    return (uint32_t)(mix64((uint64_t)cdidx << 32 ^ sid ^ BIT(62)) & c->mask);
}

/* ---- reader --------------------------------------------------------------------- */

/* The seqlock read of a payload: relaxed atomic words, so that a copy
 * overlapping a writer is no race; the sequence check discards it. */
static inline void copy_words(void *out, const uint64_t *src, size_t n)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
        memcpy(o + 8 * i, &v, 8);
    }
}

void vsmmu_xcfg_hot_of(const struct vsmmu_xcfg *x, struct vsmmu_xcfg_hot *h)
{
    memset(h, 0, sizeof(*h));
    h->vmid = x->ste.vmid;
    h->config = x->ste.config;
    h->strw = x->ste.strw;
    h->privcfg = x->ste.privcfg;
    h->instcfg = x->ste.instcfg;
    h->s1 = x->ste.s1 && !x->s1_bypass;
    h->s2 = x->ste.s2;
    h->mtcfg = x->ste.mtcfg;
    h->alloccfg = x->ste.alloccfg;
    h->shcfg = x->ste.shcfg;
    if (h->s1) {
        const struct vsmmu_s1_cfg *c = &x->cd.s1;
        h->asid = c->asid;
        h->el2 = c->el2;
        h->el2_e2h = c->el2_e2h;
        for (int i = 0; i < 2; i++) {
            h->tbi[i] = c->tt[i].tbi;
            h->e0pd[i] = c->tt[i].e0pd;
        }
    }
}

/* Find the entry for key: its index with *seq its (even) sequence, or 0. */
static inline uint32_t find_entry(struct vsmmu_cfgc *c, uint64_t key, uint32_t *seq)
{
    uint32_t n = ld_acq(&c->hb[khash(key) & c->mask]);
    for (unsigned steps = 0; n && steps < CHAIN_MAX; steps++) {
        struct centry *e = &c->e[n];
        uint32_t s0 = ld_acq(&e->seq);
        if (!(s0 & 1) && ld(&e->key) == key) {
            *seq = s0;
            return n;
        }
        n = ld_acq(&e->next);
    }
    return 0;
}

bool vsmmu_cfgc_lookup_hot(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid,
                           struct vsmmu_xcfg_hot *out)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return false;
    uint32_t s0;
    uint32_t n = find_entry(c, ckey(sid, ssv, ssid), &s0);
    if (!n)
        return false;
    struct centry *e = &c->e[n];
    /* straight into out (8-byte stores the caller's field loads forward
     * from); discarded by the caller on a false return */
    copy_words(out, e->hot, sizeof(*out) / 8);
    if (sizeof(*out) % 8) {
        uint64_t v = ld(&e->hot[HW - 1]);
        memcpy((char *)out + sizeof(*out) / 8 * 8, &v, sizeof(*out) % 8);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (ld(&e->seq) != s0)
        return false;
    if (!ld(&e->ref))
        st(&e->ref, 1);
    return true;
}

bool vsmmu_cfgc_lookup(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid,
                       struct vsmmu_xcfg *out)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (c) {
        uint32_t s0;
        uint32_t n = find_entry(c, ckey(sid, ssv, ssid), &s0);
        if (n) {
            struct centry *e = &c->e[n];
            copy_words(out, e->data, XW);
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (ld(&e->seq) == s0) {
                if (!ld(&e->ref))
                    st(&e->ref, 1);
                stat_add(s, cfg_hits, 1);
                return true;
            }
        }
    }
    stat_add(s, cfg_misses, 1);
    return false;
}

uint64_t vsmmu_cfgc_gen(struct vsmmu *s)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    return c ? ld_acq(&c->gen) : 0;
}

unsigned vsmmu_cfgc_count(struct vsmmu *s)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    unsigned n = c->nlive;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* ---- writer ----------------------------------------------------------------------- */

static void ent_remove(struct vsmmu_cfgc *c, uint32_t n)
{
    struct centry *e = &c->e[n];
    struct cwent *w = &c->w[n];
    uint32_t s0 = e->seq;
    st(&e->seq, s0 + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    st(&e->key, 0);
    st_rel(&e->seq, s0 + 2);

    uint32_t *pp = &c->hb[w->hbucket];
    while (*pp && *pp != n)
        pp = &c->e[*pp].next;
    if (*pp)
        st_rel(pp, e->next);

    if (w->sprev)
        c->w[w->sprev].snext = w->snext;
    else
        c->sb[w->sbucket] = w->snext;
    if (w->snext)
        c->w[w->snext].sprev = w->sprev;
    if (w->dbucket) {
        if (w->dprev)
            c->w[w->dprev].dnext = w->dnext;
        else
            c->db[w->dbucket - 1] = w->dnext;
        if (w->dnext)
            c->w[w->dnext].dprev = w->dprev;
    }
    if (w->lprev)
        c->w[w->lprev].lnext = w->lnext;
    else
        c->lhead = w->lnext;
    if (w->lnext)
        c->w[w->lnext].lprev = w->lprev;
    st(&e->ref, 0);
    w->live = false;
    w->lnext = c->efree;
    c->efree = n;
    c->nlive--;
}

static uint32_t ent_alloc(struct vsmmu_cfgc *c)
{
    if (!c->efree) {
        for (uint64_t steps = 0; steps <= 2 * (uint64_t)c->cap; steps++) {
            uint32_t h = c->hand + 1;
            c->hand = h >= c->cap ? 0 : h;
            if (!c->w[h].live)
                continue;
            if (ld(&c->e[h].ref)) {
                st(&c->e[h].ref, 0);
                continue;
            }
            ent_remove(c, h);
            break;
        }
    }
    uint32_t n = c->efree;
    if (n) {
        c->efree = c->w[n].lnext;
        c->nlive++;
    }
    return n;
}

static uint32_t find_locked(struct vsmmu_cfgc *c, uint64_t key)
{
    for (uint32_t n = c->hb[khash(key) & c->mask]; n; n = c->e[n].next)
        if (c->e[n].key == key)
            return n;
    return 0;
}

static void insert_locked(struct vsmmu_cfgc *c, const struct vsmmu_xcfg *x)
{
    uint64_t key = ckey(x->sid, x->ssv, x->ssid);
    uint32_t old = find_locked(c, key);
    if (old)
        ent_remove(c, old);
    uint32_t n = ent_alloc(c);
    if (!n)
        return;
    struct centry *e = &c->e[n];
    struct cwent *w = &c->w[n];
    memset(w, 0, sizeof(*w));
    w->live = true;
    w->sid = x->sid;

    uint64_t words[XW];
    memcpy(words, x, sizeof(words));
    uint64_t hot[HW] = { 0 };
    struct vsmmu_xcfg_hot h;
    vsmmu_xcfg_hot_of(x, &h);
    memcpy(hot, &h, sizeof(h));
    uint32_t s0 = e->seq;
    st(&e->seq, s0 + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    st(&e->key, key);
    for (size_t i = 0; i < HW; i++)
        st(&e->hot[i], hot[i]);
    for (size_t i = 0; i < XW; i++)
        st(&e->data[i], words[i]);
    st(&e->ref, 0);
    st_rel(&e->seq, s0 + 2);

    w->hbucket = (uint32_t)(khash(key) & c->mask);
    st(&e->next, c->hb[w->hbucket]);
    st_rel(&c->hb[w->hbucket], n);

    w->sbucket = sbucket(c, x->sid);
    w->snext = c->sb[w->sbucket];
    if (w->snext)
        c->w[w->snext].sprev = n;
    c->sb[w->sbucket] = n;

    /* CD index the configuration was read from (IHI0070 4.3.3: CFGI_CD's
     * SubstreamID is the CD table index; a non-substream transaction under
     * S1DSS=0b10 uses CD 0; S1CDMax == 0 means the single CD). */
    if (x->ste.s1 && !x->s1_bypass) {
        w->cdidx = (x->ste.s1cdmax == 0 || !x->ssv) ? 0 : x->ssid;
        w->dbucket = dbucket(c, x->sid, w->cdidx) + 1;
        w->dnext = c->db[w->dbucket - 1];
        if (w->dnext)
            c->w[w->dnext].dprev = n;
        c->db[w->dbucket - 1] = n;
    }

    w->lnext = c->lhead;
    if (w->lnext)
        c->w[w->lnext].lprev = n;
    c->lhead = n;
}

void vsmmu_cfgc_insert(struct vsmmu *s, const struct vsmmu_xcfg *x)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    insert_locked(c, x);
    pthread_mutex_unlock(&c->lock);
}

void vsmmu_cfgc_insert_gen(struct vsmmu *s, const struct vsmmu_xcfg *x, uint64_t gen)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    if (c->gen == gen)
        insert_locked(c, x);
    pthread_mutex_unlock(&c->lock);
}

/* ---- invalidation ------------------------------------------------------------------ */

static unsigned remove_sid(struct vsmmu_cfgc *c, uint32_t sid)
{
    unsigned n = 0;
    for (uint32_t i = c->sb[sbucket(c, sid)]; i;) {
        uint32_t nx = c->w[i].snext;
        if (c->w[i].sid == sid) {
            ent_remove(c, i);
            n++;
        }
        i = nx;
    }
    return n;
}

void vsmmu_cfg_invalidate(struct vsmmu *s, enum vsmmu_cfgi_op op, uint32_t sid,
                          uint32_t ssid, unsigned range_log2, bool leaf)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return;
    unsigned n = 0;
    pthread_mutex_lock(&c->lock);
    __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELEASE);
    switch (op) {
    case VSMMU_CFGI_STE:
        /* IHI0070 4.3.1: the STE and every CD cached through it. Leaf only
         * concerns L1STDs, which are not cached separately. */
        n = remove_sid(c, sid);
        break;
    case VSMMU_CFGI_STE_RANGE: {
        /* IHI0070 4.3.2: the aligned block of 2^(Range+1) StreamIDs; the
         * caller passes its log2 (tlb.h: sid .. sid + 2^range_log2 - 1). */
        unsigned bits = range_log2;
        uint64_t count = bits >= 32 ? BIT(32) : BIT(bits);
        uint32_t start = bits >= 32 ? 0 : sid & ~(uint32_t)(count - 1);
        if (count <= c->nlive) {
            for (uint64_t i = 0; i < count; i++)
                n += remove_sid(c, start + (uint32_t)i);
        } else {
            for (uint32_t i = c->lhead; i;) {
                uint32_t nx = c->w[i].lnext;
                if ((uint64_t)(c->w[i].sid - start) < count) {
                    ent_remove(c, i);
                    n++;
                }
                i = nx;
            }
        }
        break;
    }
    case VSMMU_CFGI_CD: {
        /* IHI0070 4.3.3: the CD at index SubstreamID cached via StreamID. */
        uint32_t b = dbucket(c, sid, ssid);
        for (uint32_t i = c->db[b]; i;) {
            uint32_t nx = c->w[i].dnext;
            if (c->w[i].sid == sid && c->w[i].cdidx == ssid) {
                ent_remove(c, i);
                n++;
            }
            i = nx;
        }
        break;
    }
    case VSMMU_CFGI_CD_ALL:
        /* IHI0070 4.3.4: every CD cached via StreamID. Each entry here holds
         * its STE too; dropping the STE part as well is permitted
         * over-invalidation and keeps one entry per (sid, ssid). */
        for (uint32_t i = c->sb[sbucket(c, sid)]; i;) {
            uint32_t nx = c->w[i].snext;
            if (c->w[i].sid == sid && c->w[i].dbucket) {
                ent_remove(c, i);
                n++;
            }
            i = nx;
        }
        break;
    case VSMMU_CFGI_ALL:
        while (c->lhead) {
            ent_remove(c, c->lhead);
            n++;
        }
        break;
    }
    pthread_mutex_unlock(&c->lock);
    (void)leaf;
    if (n)
        stat_add(s, cfg_invalidated, n);
}

/* ---- lifecycle ------------------------------------------------------------------------ */

static void cfgc_free(struct vsmmu_cfgc *c)
{
    if (!c)
        return;
    free(c->e);
    free(c->w);
    free(c->hb);
    free(c->sb);
    free(c->db);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int vsmmu_cfgc_init(struct vsmmu *s)
{
    uint32_t cap = s->cfg.cfg_entries;
    s->caches.cfg = NULL;
    if (!cap)
        return 0;
    if (cap > (UINT32_MAX >> 2))
        return VSMMU_EINVAL;
    struct vsmmu_cfgc *c = calloc(1, sizeof(*c));
    if (!c)
        return VSMMU_ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    c->cap = cap;
    c->gen = 1;
    uint64_t nb = 1;
    while (nb < 2 * (uint64_t)cap)
        nb <<= 1;
    c->mask = nb - 1;
    c->e = calloc(cap + 1, sizeof(*c->e));
    c->w = calloc(cap + 1, sizeof(*c->w));
    c->hb = calloc(nb, sizeof(uint32_t));
    c->sb = calloc(nb, sizeof(uint32_t));
    c->db = calloc(nb, sizeof(uint32_t));
    if (!c->e || !c->w || !c->hb || !c->sb || !c->db) {
        cfgc_free(c);
        return VSMMU_ENOMEM;
    }
    for (uint32_t i = cap; i >= 1; i--) {
        c->w[i].lnext = c->efree;
        c->efree = i;
    }
    s->caches.cfg = c;
    return 0;
}

void vsmmu_cfgc_fini(struct vsmmu *s)
{
    cfgc_free(s->caches.cfg);
    s->caches.cfg = NULL;
}

void vsmmu_cfgc_flush(struct vsmmu *s)
{
    struct vsmmu_cfgc *c = s->caches.cfg;
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    __atomic_store_n(&c->gen, c->gen + 1, __ATOMIC_RELEASE);
    while (c->lhead)
        ent_remove(c, c->lhead);
    pthread_mutex_unlock(&c->lock);
}
