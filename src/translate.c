/* SPDX-License-Identifier: MIT */
/* The translation pipeline (docs/architecture.md, IHI0070 chapter 15):
 *
 *   txn -> accelerated device? -> SMMUEN? (no: GBPA) -> configuration cache
 *       (miss: STE + CD fetch/validate, insert) -> STE Config -> translation
 *       cache (hit allowing the access: done) -> walk -> insert -> result;
 *   any fault -> event record (event.c) -> fault model (A/R/S, S2R/S2S) ->
 *       outcome, event queue, stall table.
 *
 * The hit path takes no lock and allocates nothing. Faults are never
 * cached; neither is anything a probe (VSMMU_TXN_NOEVENT) finds, since a
 * cached entry is architecturally visible (stale until invalidated). */
#include <string.h>
#include "internal.h"
#include "xcfg.h"
#include "event.h"
#include "stall.h"
#include "spec/ste.h"
#include "accel/accel_int.h"

struct pipe {
    struct vsmmu *s;
    const struct vsmmu_txn *txn;
    struct vsmmu_result *res;
    bool probe;
    bool ssv;
    uint32_t ssid;
    uint32_t access;          /* VSMMU_TXN_* after PRIVCFG/INSTCFG */
};

#define PERM_ALL (VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X)

/* PRIVCFG / INSTCFG (IHI0070 5.2, 13.7 effective values; already "use
 * incoming" without IDR1.ATTR_PERMS_OVR). Writes are always data. */
static uint32_t eff_access(uint32_t flags, uint8_t privcfg, uint8_t instcfg)
{
    uint32_t a = flags & (VSMMU_TXN_WRITE | VSMMU_TXN_EXEC | VSMMU_TXN_PRIV | VSMMU_TXN_ATOMIC);
    if (privcfg == STE_PRIVCFG_UNPRIV)
        a &= ~VSMMU_TXN_PRIV;
    else if (privcfg == STE_PRIVCFG_PRIV)
        a |= VSMMU_TXN_PRIV;
    if (instcfg == STE_INSTCFG_DATA)
        a &= ~VSMMU_TXN_EXEC;
    else if (instcfg == STE_INSTCFG_INSTR)
        a |= VSMMU_TXN_EXEC;
    if (a & (VSMMU_TXN_WRITE | VSMMU_TXN_ATOMIC))
        a &= ~VSMMU_TXN_EXEC;
    return a;
}

/* Permission needed by an access, as VSMMU_PERM_* bits. */
static uint8_t perm_needed(uint32_t a)
{
    if (a & VSMMU_TXN_ATOMIC)
        return VSMMU_PERM_R | VSMMU_PERM_W;
    if (a & VSMMU_TXN_WRITE)
        return VSMMU_PERM_W;
    if (a & VSMMU_TXN_EXEC)
        return VSMMU_PERM_X;
    return VSMMU_PERM_R;
}

/* The permission half (privileged bits 0-2, unprivileged 3-5) for access a. */
static uint8_t perm_for(uint8_t perm6, uint32_t a)
{
    return (uint8_t)((a & VSMMU_TXN_PRIV ? perm6 : perm6 >> 3) & PERM_ALL);
}

static void trace_result(struct pipe *p)
{
    struct vsmmu_result *r = p->res;
    if (vsmmu_tracing(p->s))
        vsmmu_tracef(p->s, VSMMU_TR_RESULT, r->out_addr, r->perm, r->size_log2, r->outcome,
                     NULL, 0, r->bypass ? "bypass" : (r->from_cache ? "cache" : "walk"));
}

/* ---- faults ------------------------------------------------------------------ */

/* Terminate the transaction for fault f: record (or not) and pick the
 * outcome per IHI0070 3.12 / 5.5. `x` is the configuration found so far
 * (NULL before a valid STE). `always_abort`: the stage-1-bypass address
 * size fault, which ignores A/R/S (3.4, 3.12). */
static int fault(struct pipe *p, const struct vsmmu_fault *f, const struct vsmmu_xcfg *x,
                 bool always_abort)
{
    struct vsmmu *s = p->s;
    struct vsmmu_result *res = p->res;
    bool a = true, r = !f->silent, st = false;

    if (vsmmu_event_is_translation(f->type) && !always_abort && x) {
        if (f->s2) {
            /* stage 2 (also during CD fetch and stage-1 walks): S2R/S2S,
             * terminate is always abort */
            r = x->ste.s2cfg.r;
            st = x->ste.s2cfg.s;
        } else {
            a = x->cd.s1.a;
            r = x->cd.s1.r;
            st = x->cd.s1.s;
        }
        if (s->cfg.stall_model == VSMMU_TERM_ONLY)
            st = false;     /* unreachable: the decode makes S/S2S ILLEGAL */
    }

    uint16_t stag = 0;
    uint32_t sgen = 0;
    int sa = (st && !p->probe) ? vsmmu_stall_alloc_live(s, p->txn, &stag, &sgen) : 0;
    if (sa == -1) {
        /* Stall table full (IDR5.STALL_MAX): terminate with abort and
         * record with Stall = 0 (3.12: an implementation may treat a
         * stalling configuration as terminating). */
        st = false;
        a = true;
        r = true;
    } else if (sa == -2) {
        /* SMMUEN went 1 -> 0 while this transaction was translated: it is
         * terminated like the stalls that were outstanding (6.3.9.6). */
        st = false;
        a = true;
        r = false;
    }
    if (st)
        r = true;           /* stalls are always recorded */

    res->outcome = st ? VSMMU_XLATE_STALL : (a ? VSMMU_XLATE_ABORT : VSMMU_XLATE_RAZWI);
    res->stag = st ? stag : 0;
    stat_add(s, faults, 1);

    if (r) {
        struct vsmmu_evt_txn et = {
            .sid = p->txn->sid, .ssid = p->ssid & 0xFFFFF, .ssv = p->ssv, .addr = p->txn->addr,
            .pnu = p->access & VSMMU_TXN_PRIV, .ind = p->access & VSMMU_TXN_EXEC,
            .rnw = !(p->access & (VSMMU_TXN_WRITE | VSMMU_TXN_ATOMIC)),
            .stall = st, .stag = stag,
        };
        vsmmu_event_build(res->event, f, &et);
        res->has_event = true;
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_FAULT, f->type, res->outcome, 0, 0, res->event, 4, NULL);
        if (!p->probe) {
            vsmmu_stall_flush(s);          /* older stall records first */
            int rc = vsmmu_evtq_write(s, res->event);
            if (rc != VSMMU_EVTQ_WRITTEN && st)
                vsmmu_stall_set_pending_gen(s, stag, sgen, res->event);   /* 3.12.2 */
        }
    } else if (vsmmu_tracing(s)) {
        uint64_t none[4] = { f->type, 0, 0, 0 };
        vsmmu_tracef(s, VSMMU_TR_FAULT, f->type, res->outcome, 1, 0, none, 0, "not recorded");
    }
    return VSMMU_OK;
}

/* ---- results ------------------------------------------------------------------- */

/* Both stages bypassed (GBPA, Config = bypass, or stage 1 bypassed with no
 * stage 2): the address passes through with the overridden attributes. */
static int bypass(struct pipe *p, uint64_t out, uint8_t mtcfg, uint8_t memattr,
                  uint8_t alloccfg, uint8_t shcfg)
{
    struct vsmmu_result *res = p->res;
    uint8_t attr = VSMMU_IN_MEMATTR, sh = VSMMU_IN_SH;
    vsmmu_attr_override(mtcfg, memattr, alloccfg, shcfg, &attr, &sh);
    res->outcome = VSMMU_XLATE_OK;
    res->out_addr = out;
    res->size_log2 = 12;
    res->perm = PERM_ALL;
    res->memattr = attr;
    res->sh = sh;
    res->bypass = true;
    trace_result(p);
    return VSMMU_OK;
}

/* SMMUEN = 0: IHI0070 6.3.14 GBPA (abort, or bypass with its overrides;
 * an address above OAS is aborted without an event, 3.4). */
static int global_bypass(struct pipe *p)
{
    struct vsmmu *s = p->s;
    uint32_t g = vsmmu_gbpa_effective(reg_load(&s->regs.gbpa), s->cfg.attr_types_ovr,
                                      s->cfg.attr_perms_ovr);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_CONFIG, 0, g, 0, 0, NULL, 0, "GBPA");
    if ((g & GBPA_ABORT) || (p->txn->addr >> s->oas_bits)) {
        p->res->outcome = VSMMU_XLATE_ABORT;
        stat_add(s, faults, 1);
        return VSMMU_OK;
    }
    return bypass(p, p->txn->addr, (uint8_t)FIELD_GET(GBPA_MTCFG, g),
                  (uint8_t)FIELD_GET(GBPA_MEMATTR, g), (uint8_t)FIELD_GET(GBPA_ALLOCCFG, g),
                  (uint8_t)FIELD_GET(GBPA_SHCFG, g));
}

/* ---- configuration ----------------------------------------------------------------- */

/* STE, then CD. Returns 0 or -1 with f; x->ste is valid once the STE was
 * (so the stage-2 fault model can apply to a CD fetch fault). */
static int config_fetch(struct pipe *p, struct vsmmu_xcfg *x, struct vsmmu_fault *f,
                        bool *have_ste)
{
    memset(x, 0, sizeof(*x));
    x->sid = p->txn->sid;
    x->ssv = p->ssv;
    x->ssid = p->ssv ? p->ssid : 0;
    *have_ste = false;
    if (vsmmu_ste_lookup(p->s, p->txn->sid, &x->ste, f))
        return -1;
    *have_ste = true;
    if (!(x->ste.config & STE_CONFIG_PASS))
        return 0;                          /* Config = abort: nothing else read */
    int rc = vsmmu_cd_lookup(p->s, &x->ste, p->ssv, p->ssid, &x->cd, f);
    if (rc < 0)
        return -1;
    x->s1_bypass = rc == 1;
    return 0;
}

/* ---- translation ---------------------------------------------------------------------- */

/* The translation-cache key, address and the hit itself use only the
 * hot part of the configuration (struct vsmmu_xcfg_hot, tlb.h), so that the
 * fast path (vsmmu_cfgc_lookup_hot) and the full path share this code. */
static struct vsmmu_tlb_key tlb_key(const struct vsmmu *s, const struct vsmmu_xcfg_hot *h)
{
    struct vsmmu_tlb_key k = { .vmid = h->vmid };
    if (!h->s1) {
        k.kind = VSMMU_TLB_S2;
        return k;
    }
    k.kind = VSMMU_TLB_S1;
    k.s2_valid = h->s2;
    if (h->strw == STE_STRW_EL2) {
        /* StreamWorld from STRW and CR2.E2H (5.2 STRW); EL2 has no VMID */
        k.world = (reg_load(&s->regs.cr2) & CR2_E2H) ? VSMMU_WORLD_EL2_E2H : VSMMU_WORLD_EL2;
        k.vmid = 0;
    } else {
        k.world = VSMMU_WORLD_NS_EL1;
    }
    k.asid = h->asid;
    return k;
}

/* The address the translation cache is tagged with: a stage-1 VA with its
 * top byte replaced by the sign of bit 55 when TBI applies to its half, so
 * that tagged addresses share entries (the walk checks the range itself). */
static uint64_t tlb_addr(const struct vsmmu_xcfg_hot *h, uint64_t va)
{
    if (!h->s1)
        return va;
    bool single = h->el2 && !h->el2_e2h;
    unsigned half = single ? 0 : (unsigned)((va >> 55) & 1);
    if (!h->tbi[half])
        return va;
    return (va & bits_mask_low(56)) | (((va >> 55) & 1) ? GENMASK(63, 56) : 0);
}

/* Stage-2-only entries are tagged by VMID, which STEs with different
 * MTCFG/ALLOCCFG/SHCFG overrides may share; the cached attributes are
 * those of the incoming defaults, so an STE that overrides them walks
 * each time (the overrides are configuration, not TLB, state). */
static bool own_attrs_of(const struct vsmmu_xcfg_hot *h)
{
    return !h->s1 && (h->mtcfg || (h->alloccfg & 8) || h->shcfg != STE_SHCFG_INCOMING);
}

/* Answer the transaction from the translation cache: 1 done, 0 go walk.
 * `count`: the lookup counts its hit/miss (the full path); the fast path
 * counts only a completed hit (with its configuration-cache hit). */
static int cache_hit(struct pipe *p, const struct vsmmu_xcfg_hot *h, bool count)
{
    struct vsmmu *s = p->s;
    const struct vsmmu_txn *txn = p->txn;
    struct vsmmu_result *res = p->res;
    uint8_t need = perm_needed(p->access);
    struct vsmmu_tlb_key k = tlb_key(s, h);
    uint64_t la = tlb_addr(h, txn->addr);
    struct vsmmu_tlb_ent e;
    /* E0PDx faults unprivileged accesses even on a TLB hit (IHI0070 5.4
     * E0PD0): such an access always goes to the walker. */
    bool e0pd = h->s1 && !(p->access & VSMMU_TXN_PRIV) && !(h->el2 && !h->el2_e2h) &&
                h->e0pd[(la >> 55) & 1];
    bool use_tlb = !e0pd && !own_attrs_of(h);
    if (!use_tlb || !(count ? vsmmu_tlb_lookup(s, &k, la, &e) : vsmmu_tlb_probe(s, &k, la, &e))) {
        if (vsmmu_tracing(s))
            vsmmu_tracef(s, VSMMU_TR_TLB_MISS, txn->addr, 0, 0, 0, NULL, 0, NULL);
        return 0;
    }
    uint8_t perm = perm_for(e.perm, p->access);
    if ((perm & need) != need)
        return 0;
    if (!count) {
        stat_add(s, cfg_hits, 1);
        stat_add(s, tlb_hits, 1);
    }
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_TLB_HIT, txn->addr, k.kind, 0, 0, NULL, 0, NULL);
    res->outcome = VSMMU_XLATE_OK;
    res->out_addr = e.out_base + (la - e.in_base);
    res->size_log2 = e.size_log2;
    res->perm = perm;
    res->memattr = e.memattr;
    res->sh = e.sh;
    res->from_cache = true;
    trace_result(p);
    return 1;
}

/* The fast path: a configuration-cache hit that the translation cache
 * completes; anything else (bypass, abort, range checks, miss, permission)
 * takes the full path, which looks both up again and counts. */
static int fast_path(struct pipe *p)
{
    struct vsmmu_xcfg_hot h;
    if (!vsmmu_cfgc_lookup_hot(p->s, p->txn->sid, p->ssv, p->ssid, &h))
        return 0;
    if (!(h.config & STE_CONFIG_PASS) || (!h.s1 && (!h.s2 || p->txn->addr >> p->s->ias_bits)))
        return 0;
    uint32_t access = p->access;
    p->access = eff_access(p->txn->flags, h.privcfg, h.instcfg);
    if (cache_hit(p, &h, false))
        return 1;
    p->access = access;
    return 0;
}

static int translate_cfg(struct pipe *p, const struct vsmmu_xcfg *x)
{
    struct vsmmu *s = p->s;
    const struct vsmmu_txn *txn = p->txn;
    const struct vsmmu_ste *ste = &x->ste;
    struct vsmmu_result *res = p->res;
    struct vsmmu_fault f;

    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_CONFIG, 1, ste->config, x->s1_bypass, 0, NULL, 0, NULL);
    if (!(ste->config & STE_CONFIG_PASS)) {
        /* Config = abort: terminated silently (5.2 Config 0b000) */
        res->outcome = VSMMU_XLATE_ABORT;
        stat_add(s, faults, 1);
        return VSMMU_OK;
    }
    p->access = eff_access(txn->flags, ste->privcfg, ste->instcfg);

    const struct vsmmu_s1_cfg *s1 = (ste->s1 && !x->s1_bypass) ? &x->cd.s1 : NULL;
    const struct vsmmu_s2_cfg *s2 = ste->s2 ? &ste->s2cfg : NULL;
    if (!s1) {
        /* Stage 1 bypassed: input above OAS (Config = bypass) or IAS
         * -> stage-1 F_ADDR_SIZE, always abort, recorded (3.4.1, 7.3.14). */
        unsigned lim = ste->config == STE_CFG_BYPASS ? s->oas_bits : s->ias_bits;
        if (txn->addr >> lim) {
            fault_set(&f, EVT_F_ADDR_SIZE);
            f.cls = EVT_CLASS_IN;
            return fault(p, &f, x, true);
        }
        if (!s2)
            return bypass(p, txn->addr, ste->mtcfg, ste->memattr, ste->alloccfg, ste->shcfg);
    }

    struct vsmmu_xcfg_hot h;
    vsmmu_xcfg_hot_of(x, &h);
    if (cache_hit(p, &h, true))
        return VSMMU_OK;
    struct vsmmu_tlb_key k = tlb_key(s, &h);
    uint64_t la = tlb_addr(&h, txn->addr);
    bool own_attrs = own_attrs_of(&h);

    /* Incoming attributes after the STE overrides: they matter when stage
     * 1 is bypassed and stage 2 combines with them. */
    uint8_t in_attr = VSMMU_IN_MEMATTR, in_sh = VSMMU_IN_SH;
    vsmmu_attr_override(ste->mtcfg, ste->memattr, ste->alloccfg, ste->shcfg, &in_attr, &in_sh);
    /* The generation before the walk guards every insert it leads to,
     * including the stage-2 walk-cache entries of table IPAs (tlb.h). */
    uint64_t gen = vsmmu_tlb_gen(s);
    struct vsmmu_s2_cfg s2c;
    if (s2) {
        s2c = *s2;
        s2c.cache_gen = gen;
    }
    struct vsmmu_walk_req req = {
        .s1 = s1, .s2 = s2 ? &s2c : NULL, .addr = txn->addr, .access = p->access,
        .no_httu = p->probe, .in_attr = true, .in_memattr = in_attr, .in_sh = in_sh,
        .s2_cache = vsmmu_tlb_s2_lookup,
        .s2_cache_insert = p->probe ? NULL : vsmmu_tlb_s2_insert,
    };
    struct vsmmu_walk_out o;
    if (vsmmu_walk(s, &req, &o, &f))
        return fault(p, &f, x, false);

    if (!p->probe && !own_attrs) {
        uint64_t mask = bits_mask_low(o.size_log2);
        struct vsmmu_tlb_ent ne = {
            .in_base = la & ~mask, .out_base = o.oa & ~mask, .size_log2 = o.size_log2,
            .level = o.level, .perm = o.perm, .memattr = o.memattr, .sh = o.sh,
            .global = o.global,
            .granule_log2 = s1 ? s1->tt[(s1->el2 && !s1->el2_e2h) ? 0 : (la >> 55) & 1].granule
                               : s2->granule,
            .s1_size_log2 = o.s1_size_log2, .s2_size_log2 = o.s2_size_log2,
            .ipa = s1 && s2 ? o.ipa & ~mask : 0,
        };
        vsmmu_tlb_insert_gen(s, &k, &ne, gen);
    }
    res->outcome = VSMMU_XLATE_OK;
    res->out_addr = o.oa;
    res->size_log2 = o.size_log2;
    res->perm = perm_for(o.perm, p->access);
    res->memattr = o.memattr;
    res->sh = o.sh;
    trace_result(p);
    return VSMMU_OK;
}

int vsmmu_translate_impl(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res)
{
    memset(res, 0, sizeof(*res));
    if (s->accel && vsmmu_accel_owns(s, txn->sid))
        return vsmmu_accel_translate(s, txn, res);
    stat_add(s, translations, 1);
    struct pipe p = {
        .s = s, .txn = txn, .res = res, .probe = (txn->flags & VSMMU_TXN_NOEVENT) != 0,
        .ssv = (txn->flags & VSMMU_TXN_SSV) != 0,
    };
    p.ssid = p.ssv ? txn->ssid : 0;
    p.access = eff_access(txn->flags, 0, 0);
    if (vsmmu_tracing(s))
        vsmmu_tracef(s, VSMMU_TR_TXN, txn->sid, p.ssv ? txn->ssid : ~UINT64_C(0), txn->addr,
                     txn->flags, NULL, 0, NULL);

    if (!(reg_load(&s->regs.cr0ack) & CR0_SMMUEN))
        return global_bypass(&p);

    struct vsmmu_xcfg x;
    /* The cache key holds a 20-bit SubstreamID: wider ones (which no
     * configuration accepts) are always looked up afresh. */
    bool cacheable = !(p.ssv && (p.ssid >> 20));
    if (cacheable && !vsmmu_tracing(s) && fast_path(&p))
        return VSMMU_OK;
    if (!cacheable || !vsmmu_cfgc_lookup(s, txn->sid, p.ssv, p.ssid, &x)) {
        uint64_t gen = vsmmu_cfgc_gen(s);
        struct vsmmu_fault f;
        bool have_ste;
        if (config_fetch(&p, &x, &f, &have_ste)) {
            if (have_ste)
                p.access = eff_access(txn->flags, x.ste.privcfg, x.ste.instcfg);
            return fault(&p, &f, have_ste ? &x : NULL, false);
        }
        if (cacheable && !p.probe)
            vsmmu_cfgc_insert_gen(s, &x, gen);
    }
    return translate_cfg(&p, &x);
}
