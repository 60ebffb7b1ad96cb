/* SPDX-License-Identifier: MIT */
/* VMSAv8-64 translation table walker: stage 1, stage 2 and nested, with
 * Direct permissions and hardware Access flag / dirty state updates.
 *
 * Arm ARM D8.1-D8.5 (translation, descriptors, permissions, HTTU), D8.15
 * (fault priority); IHI0070 3.4, 3.13, 5.2, 5.4, 7.3 (fault records),
 * 13.4. See docs/walker.md for the choices this model makes.
 *
 * Guest tables are hostile: every walk is bounded by construction (at most
 * four lookup levels per stage, so at most 4 + 4*5 descriptor reads for a
 * nested walk, plus a bounded number of HTTU retries), every next-level
 * address is checked against the output size, and descriptor memory is only
 * reached through the host ops. */
#include "internal.h"
#include "walk.h"
#include "spec/pte.h"

#define WALK_LEVELS        4
#define WALK_HTTU_RETRIES  8   /* lost compare-and-swap races per descriptor */

/* The access a stage is asked to permit. */
struct acc {
    bool r, w, x;        /* x: instruction fetch (needs execute only) */
    bool priv;
    bool atomic;         /* read and write */
};

/* One walk (possibly nested) in progress. */
struct wctx {
    struct vsmmu *s;
    const struct vsmmu_walk_req *req;
    struct vsmmu_fault *f;
    unsigned reads;
    bool no_httu;
};

/* The geometry of one stage. */
struct geom {
    unsigned g, bits;    /* granule log2, index bits per full level (g - 3) */
    unsigned ias;        /* input size */
    int sl;              /* start level */
    uint64_t base;       /* start table (aligned) */
    unsigned ps;         /* output size */
    bool endi;
};

/* A leaf found by one stage. */
struct leaf {
    uint64_t desc;
    uint64_t pa;         /* PA of the leaf descriptor */
    uint8_t s2perm;      /* nested stage 1: stage-2 permission of that PA */
    int level;
    unsigned size_log2;
    uint64_t oa;         /* output address for the input */
    uint8_t perm;        /* VSMMU_PERM_* x2 (priv bits 0-2, unpriv 3-5) */
    /* stage 1 hierarchical restrictions (already masked by HAD) */
    bool t_nounpriv, t_ro, t_pxn, t_uxn;
};

/* ---- start levels --------------------------------------------------------- */

static unsigned ias_max(unsigned g, int level)
{
    /* input bits a walk starting at `level` resolves with one table */
    return g + (unsigned)(4 - level) * (g - 3);
}

int vsmmu_s1_start_level(unsigned granule_log2, unsigned tsz)
{
    unsigned g = granule_log2;
    if (g != 12 && g != 14 && g != 16)
        return -1;
    if (tsz > 48 || tsz < 12 || (tsz < 16 && g != 16))
        return -1;
    unsigned ias = 64 - tsz;
    if (ias <= g)
        return -1;
    /* Arm ARM D8-18/D8-28/D8-37: start level = 3 - floor((ias - 1 - g) / s) */
    int sl = 3 - (int)((ias - 1 - g) / (g - 3));
    return sl < 0 ? -1 : sl;
}

int vsmmu_s2_start_level(unsigned granule_log2, unsigned sl0, unsigned t0sz,
                         unsigned ps_bits, unsigned *concat)
{
    unsigned g = granule_log2;
    int sl;
    if (g == 12) {
        static const int map4k[4] = { 2, 1, 0, 3 };
        if (sl0 > 3)
            return -1;
        sl = map4k[sl0];
    } else if (g == 14 || g == 16) {
        if (sl0 > 2)
            return -1;           /* 0b11: level 0 needs DS (v3.4) */
        sl = 3 - (int)sl0;
    } else {
        return -1;
    }
    if (t0sz > 64)
        return -1;
    unsigned ias = 64 - t0sz;
    unsigned max_ias = (g == 16 && ps_bits >= 52) ? 52 : 48;
    if (ias > max_ias)
        return -1;
    unsigned hi = ias_max(g, sl), lo = sl == 3 ? g : ias_max(g, sl + 1);
    if (ias <= lo || ias > hi + 4)
        return -1;
    unsigned n = ias > hi ? 1u << (ias - hi) : 1u;
    if (concat)
        *concat = n;
    return sl;
}

/* ---- helpers -------------------------------------------------------------- */

static int walk_fault(struct wctx *c, uint8_t type, bool s2, int cls, uint64_t ipa)
{
    fault_set(c->f, type);
    c->f->s2 = s2;
    c->f->cls = (uint8_t)cls;
    c->f->ipa = s2 ? ipa : 0;
    return -1;
}

static uint64_t swap_if(bool be, uint64_t v) { return be ? __builtin_bswap64(v) : v; }

static unsigned lvl_lsb(const struct geom *gm, int level)
{
    return gm->g + (unsigned)(3 - level) * gm->bits;
}

/* Address held in a table/block/page descriptor for an entry covering
 * 2^lsb bytes. With the 64K granule, bits [15:12] are OA[51:48] when the
 * SMMU has 52-bit OA; without it they are RES0 and a non-zero value gives
 * an Address size fault (Arm ARM D8.15 R_WDZFC: the non-deprecated choice),
 * which the caller's `addr >> ps` check produces. */
static uint64_t desc_addr(uint64_t d, unsigned g, unsigned lsb)
{
    uint64_t a = d & PTE_ADDR & ~bits_mask_low(lsb);
    if (g == 16)
        a |= FIELD_GET(PTE_ADDR_HI, d) << PTE_ADDR_HI_SHIFT;
    return a;
}

/* Is a block descriptor allowed at `level` (DS=0)? Arm ARM D8.3.1:
 * 4K: levels 1, 2 (level 0 needs DS); 16K: level 2 (level 1 needs DS);
 * 64K: level 2, and level 1 only with 52-bit OA (FEAT_LPA). */
static bool block_allowed(const struct vsmmu *s, unsigned g, int level)
{
    switch (g) {
    case 12: return level == 1 || level == 2;
    case 14: return level == 2;
    default: return level == 2 || (level == 1 && s->oas_bits >= 52);
    }
}

static int read_desc(struct wctx *c, uint64_t pa, const struct geom *gm, int stage, int level,
                     uint64_t ia, uint64_t *d)
{
    c->reads++;     /* added to stats.desc_reads once per walk */
    if (vsmmu_mem_read64(c->s, pa, d, VSMMU_MEM_PTW))
        return -1;
    *d = swap_if(gm->endi, *d);
    if (vsmmu_tracing(c->s))
        vsmmu_tracef(c->s, VSMMU_TR_DESC, pa, (uint64_t)stage, (uint64_t)level, ia, d, 1, NULL);
    return 0;
}

/* Compare-and-swap a descriptor (in table byte order). 0 swapped, 1 lost
 * (*cur gets the current value), -1 abort. */
static int cas_desc(struct wctx *c, uint64_t pa, bool be, uint64_t *cur, uint64_t nv)
{
    uint64_t exp = swap_if(be, *cur);
    int rc = vsmmu_mem_cas64(c->s, pa, &exp, swap_if(be, nv));
    if (rc == 1)
        *cur = swap_if(be, exp);
    else if (rc == 0) {
        stat_add(c->s, httu_updates, 1);
        if (vsmmu_tracing(c->s))
            vsmmu_tracef(c->s, VSMMU_TR_HTTU, pa, *cur, nv, 0, NULL, 0, NULL);
    }
    return rc;
}

/* Permission bits needed by an access, and whether `perm` (6 bits) grants
 * them. */
static uint8_t acc_need(const struct acc *a)
{
    if (a->atomic)
        return VSMMU_PERM_R | VSMMU_PERM_W;
    if (a->w)
        return VSMMU_PERM_W;
    if (a->x)
        return VSMMU_PERM_X;
    return VSMMU_PERM_R;
}

static bool perm_ok(uint8_t perm, const struct acc *a)
{
    uint8_t need = acc_need(a);
    uint8_t have = a->priv ? (perm & 7) : (uint8_t)((perm >> 3) & 7);
    return (have & need) == need;
}

/* Permission fault for an access: atomics report RnW=1 when only read was
 * missing, RnW=0 when write was missing (events.md §3; IHI0070 7.3). */
static void perm_rnw(struct wctx *c, uint8_t perm, const struct acc *a)
{
    if (!a->atomic)
        return;
    uint8_t have = a->priv ? (perm & 7) : (uint8_t)((perm >> 3) & 7);
    c->f->rnw_override = true;
    c->f->rnw = (have & VSMMU_PERM_W) != 0;
}

/* ---- stage 1 permissions ---------------------------------------------------- */

static bool s1_single_priv(const struct vsmmu_s1_cfg *s1) { return s1->el2 && !s1->el2_e2h; }

/* Direct permissions of a stage-1 leaf, Arm ARM D8.4.1 (Table D8-65 and the
 * single-privilege table), PAN (CD.PAN), WXN, hierarchical limits.
 * `ap2_clear`: evaluate as if AP[2] were 0 (writable-dirty view). */
static uint8_t s1_perm(const struct vsmmu_s1_cfg *s1, const struct leaf *l, bool ap2_clear,
                       bool clean_writable)
{
    uint64_t d = l->desc;
    bool ro = ((d & PTE_AP2) && !ap2_clear) || l->t_ro;
    uint8_t p = 0;
    if (s1_single_priv(s1)) {
        /* AP[1] ignored (treated as 1), PnU ignored (IHI0070 13.4.1);
         * PXN, PXNTable, APTable[0] RES0; UWXN/PAN ignored. */
        bool w = !ro;
        bool wlike = w || clean_writable;
        bool x = !(d & PTE_XN) && !l->t_uxn && !(s1->wxn && wlike);
        p = (uint8_t)(VSMMU_PERM_R | (w ? VSMMU_PERM_W : 0) | (x ? VSMMU_PERM_X : 0));
        return (uint8_t)(p | (p << 3));
    }
    bool unpriv = (d & PTE_AP1) && !l->t_nounpriv;
    bool pw = !ro, uw = unpriv && !ro;
    /* writable-clean descriptors count as writable for WXN and the implicit
     * PXN of unprivileged-writable pages (Arm ARM D8.5.2.2) */
    bool pwl = pw || clean_writable;
    bool uwl = unpriv && (uw || clean_writable);
    bool px = !(d & PTE_PXN) && !l->t_pxn && !uwl && !(s1->wxn && pwl);
    bool ux = !(d & PTE_UXN) && !l->t_uxn && !(s1->wxn && uwl);
    bool pr = true;
    if (s1->pan && unpriv) {
        /* PAN: privileged data access to an unprivileged-accessible page */
        pr = false;
        pw = false;
    }
    p = (uint8_t)((pr ? VSMMU_PERM_R : 0) | (pw ? VSMMU_PERM_W : 0) | (px ? VSMMU_PERM_X : 0));
    p |= (uint8_t)(((unpriv ? VSMMU_PERM_R : 0) | (uw ? VSMMU_PERM_W : 0) |
                    (ux ? VSMMU_PERM_X : 0)) << 3);
    return p;
}

/* ---- stage 2 permissions ---------------------------------------------------- */

/* Arm ARM D8.4.2; XN[1:0] with IDR3.XNX (translation.md §2.4). */
static uint8_t s2_perm(const struct vsmmu *s, uint64_t d, bool w_override)
{
    bool r = d & PTE_S2AP_R;
    bool w = (d & PTE_S2AP_W) || w_override;
    bool px, ux;
    if (s->cfg.xnx) {
        switch (FIELD_GET(PTE_S2_XN, d)) {
        case 0:  px = true;  ux = true;  break;
        case 1:  px = false; ux = true;  break;
        case 2:  px = false; ux = false; break;
        default: px = true;  ux = false; break;
        }
    } else {
        px = ux = !(d & PTE_S2_XN1);
    }
    uint8_t p = (uint8_t)((r ? VSMMU_PERM_R : 0) | (w ? VSMMU_PERM_W : 0));
    return (uint8_t)(p | (px ? VSMMU_PERM_X : 0) | ((p | (ux ? VSMMU_PERM_X : 0)) << 3));
}

/* ---- one stage -------------------------------------------------------------- */

struct stage_ctl {
    int stage;                 /* 1 or 2 */
    int cls;                   /* stage 2: CLASS of the access being translated */
    uint64_t s2_ipa;           /* stage 2: the IPA (fault records) */
    struct acc acc;
    const struct vsmmu_s1_cfg *s1;
    const struct vsmmu_s1_tt *tt;
    const struct vsmmu_s2_cfg *s2;   /* stage-2 config (both stages when nested) */
    bool nested;               /* stage 1 tables are IPAs */
    bool ha, hd, affd;
};

static int s2_translate(struct wctx *c, const struct vsmmu_s2_cfg *s2, uint64_t ipa, int cls,
                        const struct acc *acc, struct leaf *out);

/* Fault at the stage described by `sc` (S2 faults carry CLASS and IPA;
 * stage-1 faults CLASS=IN). */
static int stage_fault(struct wctx *c, const struct stage_ctl *sc, uint8_t type)
{
    if (sc->stage == 2)
        return walk_fault(c, type, true, sc->cls, sc->s2_ipa);
    return walk_fault(c, type, false, EVT_CLASS_IN, 0);
}

/* External abort on a descriptor access at this stage: F_WALK_EABT with
 * FetchAddr = the descriptor PA; stage 1 CLASS=TT, stage 2 the CLASS of the
 * access being translated (events.md §3, F_WALK_EABT table). */
static int stage_eabt(struct wctx *c, const struct stage_ctl *sc, uint64_t pa)
{
    if (sc->stage == 2)
        walk_fault(c, EVT_F_WALK_EABT, true, sc->cls, sc->s2_ipa);
    else
        walk_fault(c, EVT_F_WALK_EABT, false, EVT_CLASS_TT, 0);
    c->f->fetch_addr = pa;
    return -1;
}

/* Physical address of a descriptor: stage-1 tables of a nested walk are
 * IPAs translated by stage 2 (CLASS=TT; a read, or a write for an HTTU
 * update: TTRnW). */
static int desc_pa(struct wctx *c, const struct stage_ctl *sc, uint64_t a, bool write,
                   uint64_t *pa, uint8_t *s2perm)
{
    if (!sc->nested) {
        *pa = a;
        *s2perm = 0x3f;
        return 0;
    }
    struct acc ac = { .r = !write, .w = write, .priv = true };
    struct leaf l2;
    if (s2_translate(c, sc->s2, a, EVT_CLASS_TT, &ac, &l2))
        return -1;
    *pa = l2.oa;
    *s2perm = l2.perm;
    return 0;
}

enum leaf_rc { LEAF_DONE = 0, LEAF_FAULT = -1, LEAF_RETRY = 1 };

/* Checks on a leaf descriptor after its address has been resolved:
 * address size, Access flag, permissions, and the HTTU update (D8.15.5
 * order: address size, AF, permission). Returns LEAF_RETRY with l->desc
 * replaced when a compare-and-swap lost a race. */
static enum leaf_rc leaf_eval(struct wctx *c, const struct stage_ctl *sc, const struct geom *gm,
                              uint64_t ia, uint64_t dva, struct leaf *l, bool httu_off)
{
    uint64_t d = l->desc;
    unsigned lsb = l->size_log2;
    uint64_t oa = desc_addr(d, gm->g, lsb);
    if (oa >> gm->ps)
        return (enum leaf_rc)stage_fault(c, sc, EVT_F_ADDR_SIZE);
    l->oa = oa | (ia & bits_mask_low(lsb));

    bool ha = sc->ha && !httu_off, hd = sc->hd && !httu_off;
    uint64_t nv = d;
    if (!(d & PTE_AF)) {
        if (ha)
            nv |= PTE_AF;
        else if (!sc->affd)
            return (enum leaf_rc)stage_fault(c, sc, EVT_F_ACCESS);
    }

    /* writable-clean: DBM=1 with HD, and AP[2]=1 (S1) / S2AP[1]=0 (S2) */
    bool clean = hd && (d & PTE_DBM) &&
                 (sc->stage == 1 ? (d & PTE_AP2) != 0 : !(d & PTE_S2AP_W));
    uint8_t perm, perm_dirty;
    if (sc->stage == 1) {
        perm = s1_perm(sc->s1, l, false, clean);
        perm_dirty = clean ? s1_perm(sc->s1, l, true, clean) : perm;
    } else {
        perm = s2_perm(c->s, d, false);
        perm_dirty = clean ? s2_perm(c->s, d, true) : perm;
    }
    l->perm = perm;
    if (!perm_ok(perm, &sc->acc)) {
        /* Dirty update only when the descriptor's own AP[2]/S2AP[1] is the
         * sole reason for the fault (Arm ARM D8.5.2.1 R_NSXRD). */
        if (!(clean && (sc->acc.w || sc->acc.atomic) && perm_ok(perm_dirty, &sc->acc))) {
            stage_fault(c, sc, EVT_F_PERMISSION);
            perm_rnw(c, perm, &sc->acc);
            return LEAF_FAULT;
        }
        if (sc->stage == 1)
            nv = (nv & ~PTE_AP2) | PTE_AF;
        else
            nv = nv | PTE_S2AP_W | PTE_AF;
    }
    if (nv == d)
        return LEAF_DONE;
    if (c->no_httu) {
        /* probe: report the result the updates would give, write nothing;
         * W is granted only once the descriptor is actually dirty */
        return LEAF_DONE;
    }
    /* Nested: the update is a write through stage 2 (Arm ARM D8.5.2.1
     * R_BDJJL). The read's stage-2 result is reused when it already grants
     * write; otherwise stage 2 is walked again for a write, which may make
     * the stage-2 descriptor dirty or fault with TTRnW=0. */
    uint64_t upa = l->pa;
    uint8_t p2;
    if (sc->nested && !(l->s2perm & VSMMU_PERM_W) && desc_pa(c, sc, dva, true, &upa, &p2))
        return LEAF_FAULT;
    int rc = cas_desc(c, upa, gm->endi, &l->desc, nv);
    if (rc < 0)
        return (enum leaf_rc)stage_eabt(c, sc, upa);
    if (rc == 1)
        return LEAF_RETRY;
    l->desc = nv;
    /* re-evaluate the permissions of the updated descriptor */
    bool clean2 = hd && (nv & PTE_DBM) &&
                  (sc->stage == 1 ? (nv & PTE_AP2) != 0 : !(nv & PTE_S2AP_W));
    l->perm = sc->stage == 1 ? s1_perm(sc->s1, l, false, clean2) : s2_perm(c->s, nv, false);
    return LEAF_DONE;
}

/* Walk one stage for input `ia` (already range-checked, < 2^ias). */
static int stage_walk(struct wctx *c, const struct stage_ctl *sc, const struct geom *gm,
                      uint64_t ia, struct leaf *l)
{
    uint64_t table = gm->base;
    bool t_nounpriv = false, t_ro = false, t_pxn = false, t_uxn = false;
    bool had = sc->stage == 1 && sc->tt->had;
    bool single = sc->stage == 1 && s1_single_priv(sc->s1);

    for (int level = gm->sl; level < WALK_LEVELS; level++) {
        unsigned lsb = lvl_lsb(gm, level);
        unsigned nbits = level == gm->sl ? gm->ias - lsb : gm->bits;
        uint64_t idx = (ia >> lsb) & bits_mask_low(nbits);
        uint64_t dva = table + 8 * idx;     /* IPA when nested stage 1 */
        uint64_t pa, d;
        uint8_t s2perm;
        if (desc_pa(c, sc, dva, false, &pa, &s2perm))
            return -1;
        if (read_desc(c, pa, gm, sc->stage, level, ia, &d))
            return stage_eabt(c, sc, pa);
        unsigned races = 0;
        bool httu_off = false;
    redo:
        if (!(d & PTE_VALID))
            return stage_fault(c, sc, EVT_F_TRANSLATION);
        if (level < 3 && (d & PTE_TYPE)) {
            /* table descriptor: next-level table address, granule aligned */
            uint64_t nlta = desc_addr(d, gm->g, gm->g);
            if (nlta >> gm->ps)
                return stage_fault(c, sc, EVT_F_ADDR_SIZE);
            if (sc->stage == 1 && !had) {
                /* hierarchical attributes (Arm ARM D8.4.1.3) */
                t_ro |= (d & PTE_APTABLE1) != 0;
                t_uxn |= (d & PTE_UXNTABLE) != 0;
                if (!single) {
                    t_nounpriv |= (d & PTE_APTABLE0) != 0;
                    t_pxn |= (d & PTE_PXNTABLE) != 0;
                }
            }
            table = nlta;
            continue;
        }
        if (level == 3 ? !(d & PTE_TYPE) : !block_allowed(c->s, gm->g, level))
            return stage_fault(c, sc, EVT_F_TRANSLATION);
        *l = (struct leaf){ .desc = d, .pa = pa, .s2perm = s2perm, .level = level,
                            .size_log2 = lsb,
                            .t_nounpriv = t_nounpriv, .t_ro = t_ro, .t_pxn = t_pxn,
                            .t_uxn = t_uxn };
        enum leaf_rc rc = leaf_eval(c, sc, gm, ia, dva, l, httu_off);
        if (rc == LEAF_RETRY) {
            /* lost a race with another agent: evaluate the new value
             * (Arm ARM D8.5.2.1 I_YZSVV); after too many, stop updating and
             * report as without HTTU */
            d = l->desc;
            if (++races >= WALK_HTTU_RETRIES)
                httu_off = true;
            goto redo;
        }
        return rc == LEAF_DONE ? 0 : -1;
    }
    /* not reached: level 3 always returns */
    return stage_fault(c, sc, EVT_F_TRANSLATION);
}

/* ---- stage 2 ------------------------------------------------------------------ */

static bool s2_geom(const struct vsmmu *s, const struct vsmmu_s2_cfg *s2, struct geom *gm)
{
    unsigned concat = 1;
    int sl = vsmmu_s2_start_level(s2->granule, s2->sl0, s2->t0sz, s2->ps_bits, &concat);
    if (sl < 0)
        return false;
    gm->g = s2->granule;
    gm->bits = gm->g - 3;
    gm->ias = 64u - s2->t0sz;
    gm->sl = sl;
    gm->ps = s2->ps_bits > 52 ? 52 : s2->ps_bits;
    gm->endi = s2->endi;
    unsigned tbits = gm->ias - lvl_lsb(gm, sl);      /* incl. concatenation */
    uint64_t tsize = UINT64_C(8) << tbits;
    if (gm->ps == 52 && tsize < 64)
        tsize = 64;
    gm->base = s2->ttb & ~(tsize - 1);
    return true;
}

/* Translate `ipa` through stage 2 for an access of class `cls` (IN: the
 * transaction or stage-2-only input; TT: a stage-1 descriptor access; CD:
 * a CD/L1CD fetch). This is the one stage-2 step of every walk; a cache
 * may answer table-IPA lookups through req->s2_cache. */
static int s2_translate(struct wctx *c, const struct vsmmu_s2_cfg *s2, uint64_t ipa, int cls,
                        const struct acc *acc, struct leaf *out)
{
    struct stage_ctl sc = { .stage = 2, .cls = cls, .s2_ipa = ipa, .acc = *acc, .s2 = s2,
                            .ha = s2->ha, .hd = s2->hd && s2->ha, .affd = s2->affd };
    /* No dirty-state update for the stage-2 mapping of a CD fetch
     * (translation.md §8); reads never need one anyway. */
    if (cls == EVT_CLASS_CD)
        sc.hd = false;
    bool walk_access = cls != EVT_CLASS_IN;

    /* With S2PTW the Device check needs the stage-2 attribute alone, which
     * a cached entry (possibly combined with a stream's incoming
     * attributes) may not hold: walk instead. */
    if (cls == EVT_CLASS_TT && c->req && c->req->s2_cache && !s2->ptw) {
        struct vsmmu_walk_out co = { 0 };
        if (c->req->s2_cache(c->s, s2, ipa, &co) == 1 && perm_ok(co.perm, acc)) {
            *out = (struct leaf){ .oa = co.oa, .perm = co.perm, .level = co.level,
                                  .size_log2 = co.size_log2 };
            return 0;
        }
    }

    struct geom gm;
    if (!s2_geom(c->s, s2, &gm))
        return walk_fault(c, EVT_F_TRANSLATION, true, cls, ipa);
    /* Stage-2 input range (translation.md §5.3): no TBI, no sign extension */
    if (ipa >> gm.ias)
        return walk_fault(c, EVT_F_TRANSLATION, true, cls, ipa);
    if (s2->ttb >> gm.ps)
        return walk_fault(c, EVT_F_ADDR_SIZE, true, cls, ipa);
    if (stage_walk(c, &sc, &gm, ipa, out)) {
        if (c->f->type == EVT_F_PERMISSION && cls == EVT_CLASS_TT)
            c->f->ttrnw = !acc->w;
        return -1;
    }
    uint8_t ma = (uint8_t)FIELD_GET(PTE_S2_MEMATTR, out->desc);
    /* STE.S2PTW: walks (CD fetch, stage-1 descriptors) to Device memory
     * give a stage-2 Permission fault (Arm ARM D8.15.4.1; IHI0070 5.2) */
    if (walk_access && s2->ptw && vsmmu_s2_memattr_is_device(ma, s2->fwb)) {
        walk_fault(c, EVT_F_PERMISSION, true, cls, ipa);
        if (cls == EVT_CLASS_TT)
            c->f->ttrnw = !acc->w;
        return -1;
    }
    if (cls == EVT_CLASS_TT && c->req && c->req->s2_cache_insert) {
        struct vsmmu_walk_out co = { .oa = out->oa, .ipa = ipa, .size_log2 = (uint8_t)out->size_log2,
                                     .s2_size_log2 = (uint8_t)out->size_log2,
                                     .level = (uint8_t)out->level, .perm = out->perm,
                                     .memattr = vsmmu_s2_memattr_to_mair(ma, s2->fwb),
                                     .sh = (uint8_t)FIELD_GET(PTE_SH, out->desc), .global = true };
        c->req->s2_cache_insert(c->s, s2, ipa, &co);
    }
    return 0;
}

/* ---- stage 1 ------------------------------------------------------------------ */

static int s1_translate(struct wctx *c, const struct vsmmu_s1_cfg *s1,
                        const struct vsmmu_s2_cfg *s2, uint64_t va, const struct acc *acc,
                        struct leaf *out, const struct vsmmu_s1_tt **ttp)
{
    bool single = s1_single_priv(s1);
    unsigned half = single ? 0 : (unsigned)((va >> 55) & 1);
    const struct vsmmu_s1_tt *tt = &s1->tt[half];
    *ttp = tt;
    int sl = vsmmu_s1_start_level(tt->granule, tt->tsz);
    if (sl < 0)
        return walk_fault(c, EVT_F_TRANSLATION, false, EVT_CLASS_IN, 0);
    unsigned ias = 64u - tt->tsz;
    unsigned top = tt->tbi ? 55 : 63;
    /* VA[top:ias] must all equal the half's value (Arm ARM D8.1; translation.md §3) */
    uint64_t upper = (va >> ias) & bits_mask_low(top + 1 - ias);
    uint64_t want = half ? bits_mask_low(top + 1 - ias) : 0;
    if (upper != want)
        return walk_fault(c, EVT_F_TRANSLATION, false, EVT_CLASS_IN, 0);
    if (!single) {
        if (tt->epd)
            return walk_fault(c, EVT_F_TRANSLATION, false, EVT_CLASS_IN, 0);
        /* E0PDx: unprivileged accesses to this half fault (v3.3) */
        if (tt->e0pd && !acc->priv)
            return walk_fault(c, EVT_F_TRANSLATION, false, EVT_CLASS_IN, 0);
    }
    struct geom gm = { .g = tt->granule, .bits = tt->granule - 3u, .ias = ias, .sl = sl,
                       .ps = s1->ips_bits > 52 ? 52 : s1->ips_bits, .endi = s1->endi };
    uint64_t tsize = UINT64_C(8) << (ias - lvl_lsb(&gm, sl));
    if (gm.ps == 52 && tsize < 64)
        tsize = 64;
    gm.base = tt->ttb & ~(tsize - 1);
    /* Arm ARM D8.15.5 item 3: TTB above the output size (the CD decode
     * makes this ILLEGAL; kept for hand-made configurations) */
    if (gm.base >> gm.ps)
        return walk_fault(c, EVT_F_ADDR_SIZE, false, EVT_CLASS_IN, 0);
    struct stage_ctl sc = { .stage = 1, .acc = *acc, .s1 = s1, .tt = tt, .s2 = s2,
                            .nested = s2 != NULL, .ha = s1->ha, .hd = s1->hd && s1->ha,
                            .affd = s1->affd };
    if (single)
        sc.acc.priv = true;   /* PnU ignored (IHI0070 13.4.1) */
    return stage_walk(c, &sc, &gm, va & bits_mask_low(ias), out);
}

/* ---- entry points -------------------------------------------------------------- */

static struct acc acc_of(uint32_t flags)
{
    struct acc a = { .priv = (flags & VSMMU_TXN_PRIV) != 0 };
    if (flags & VSMMU_TXN_ATOMIC)
        a.atomic = a.r = a.w = true;
    else if (flags & VSMMU_TXN_WRITE)
        a.w = true;                            /* writes are always data */
    else if (flags & VSMMU_TXN_EXEC)
        a.x = true;
    else
        a.r = true;
    return a;
}

int vsmmu_walk(struct vsmmu *s, const struct vsmmu_walk_req *req,
               struct vsmmu_walk_out *out, struct vsmmu_fault *f)
{
    struct wctx c = { .s = s, .req = req, .f = f, .no_httu = req->no_httu };
    struct acc acc = acc_of(req->access);
    *out = (struct vsmmu_walk_out){ 0 };
    fault_set(f, 0);
    stat_add(s, walks, 1);

    uint64_t ipa = req->addr;
    uint8_t attr = req->in_attr ? req->in_memattr : 0xff;
    uint8_t sh = req->in_attr ? req->in_sh : SH_ISH;
    uint8_t perm = 0x3f;
    int rc = -1;
    if (req->s1) {
        struct leaf l1;
        const struct vsmmu_s1_tt *tt;
        if (s1_translate(&c, req->s1, req->s2, req->addr, &acc, &l1, &tt))
            goto done;
        ipa = l1.oa;
        out->s1_size_log2 = (uint8_t)l1.size_log2;
        out->level = (uint8_t)l1.level;
        perm = l1.perm;
        attr = (uint8_t)(req->s1->mair >> (8 * FIELD_GET(PTE_ATTRINDX, l1.desc)));
        sh = vsmmu_attr_eff_sh(attr, (uint8_t)FIELD_GET(PTE_SH, l1.desc));
        out->global = s1_single_priv(req->s1) || !(l1.desc & PTE_NG);
    } else {
        out->global = true;
    }
    if (req->s2) {
        struct leaf l2;
        if (s2_translate(&c, req->s2, ipa, EVT_CLASS_IN, &acc, &l2))
            goto done;
        out->ipa = ipa;
        out->s2_size_log2 = (uint8_t)l2.size_log2;
        if (!req->s1)
            out->level = (uint8_t)l2.level;
        perm &= l2.perm;
        vsmmu_attr_combine_s2(attr, sh, (uint8_t)FIELD_GET(PTE_S2_MEMATTR, l2.desc),
                              (uint8_t)FIELD_GET(PTE_SH, l2.desc), req->s2->fwb, &attr, &sh);
        out->oa = l2.oa;
    } else {
        out->oa = ipa;
    }
    out->size_log2 = out->s1_size_log2 && out->s2_size_log2
                         ? (out->s1_size_log2 < out->s2_size_log2 ? out->s1_size_log2
                                                                  : out->s2_size_log2)
                         : (uint8_t)(out->s1_size_log2 | out->s2_size_log2);
    out->perm = perm;
    out->memattr = attr;
    out->sh = sh;
    rc = 0;
done:
    out->desc_reads = c.reads;
    stat_add(s, desc_reads, c.reads);
    return rc;
}

int vsmmu_walk_s2_fetch(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                        int cls, uint64_t *pa, struct vsmmu_fault *f)
{
    struct wctx c = { .s = s, .f = f };
    struct acc acc = { .r = true, .priv = true };
    struct leaf l;
    fault_set(f, 0);
    stat_add(s, walks, 1);
    int rc = s2_translate(&c, s2, ipa, cls, &acc, &l);
    stat_add(s, desc_reads, c.reads);
    if (rc)
        return -1;
    *pa = l.oa;
    return 0;
}
