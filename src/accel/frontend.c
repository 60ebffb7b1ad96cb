/* SPDX-License-Identifier: MIT */
/*
 * The accelerated nested front-end: device registry, vSTE installation,
 * command batching and host event injection (docs/accel.md).
 *
 * Commands the guest queues for a passthrough device are not executed when
 * consumed: they join an ordered pending list (CFGI_STE* as "re-read and
 * install", invalidations as "forward"). At CMD_SYNC the list is executed in
 * order; each run of forwarded commands becomes one backend call per backend
 * (StreamID-scoped commands only to the backend owning the StreamID, the
 * others to every backend). The first command a backend rejects ends the run
 * with CERROR at that command's CONS; the ones after it are dropped (the
 * guest re-issues them once it has handled the error).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accel/accel_int.h"
#include "accel/frontend.h"
#include "accel/nested.h"
#include "ste.h"
#include "cd.h"
#include "walk.h"
#include "event.h"

#define stat_inc(a, f, n) __atomic_fetch_add(&(a)->st.f, (uint64_t)(n), __ATOMIC_RELAXED)

/* ---- helpers ------------------------------------------------------------ */

static struct accel_dev *find_dev(struct vsmmu_accel *a, uint32_t vsid)
{
    unsigned n = __atomic_load_n(&a->ndev, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < n; i++)
        if (__atomic_load_n(&a->dev[i].used, __ATOMIC_ACQUIRE) && a->dev[i].vsid == vsid)
            return &a->dev[i];
    return NULL;
}

static struct accel_dev *find_pt(struct vsmmu_accel *a, uint32_t vsid)
{
    struct accel_dev *d = find_dev(a, vsid);
    return d && d->kind == VSMMU_ACCEL_DEV_PASSTHROUGH ? d : NULL;
}

static const char *be_error(const struct vsmmu_accel_backend *be)
{
    const char *m = be->ops->last_error ? be->ops->last_error(be->ctx) : NULL;
    return m && *m ? m : "no detail";
}

static void release_backend(struct vsmmu_accel_backend *be)
{
    if (be && be->ops && be->ops->release)
        be->ops->release(be->ctx);
}

/* Write an event record the front-end itself raises (configuration errors
 * found when installing a guest STE): IHI0070 7.3.3-7.3.5. No transaction
 * caused it: no SubstreamID, address or attributes. */
static void post_event(struct vsmmu *s, const struct vsmmu_fault *f, uint32_t sid)
{
    uint64_t rec[4];
    struct vsmmu_evt_txn t = { .sid = sid, .rnw = true };
    vsmmu_event_build(rec, f, &t);
    vsmmu_evtq_write(s, rec);
}

static void post_bad_ste(struct vsmmu *s, uint32_t sid)
{
    struct vsmmu_fault f;
    fault_set(&f, EVT_C_BAD_STE);
    post_event(s, &f, sid);
}

/* Host events were lost: make the guest's EVENTQ overflow condition active
 * (IHI0070 7.4: PROD.OVFLG toggled so that it differs from CONS.OVACKFLG). */
static void guest_overflow(struct vsmmu *s)
{
    pthread_mutex_lock(&s->evtq.lock);
    if (!((s->regs.eventq_prod ^ s->regs.eventq_cons) & Q_PROD_OVFLG))
        s->regs.eventq_prod ^= Q_PROD_OVFLG;
    pthread_mutex_unlock(&s->evtq.lock);
}

/* ---- vSTE installation -------------------------------------------------- */

static void vste_fixed(uint64_t v[2], unsigned cfg)
{
    v[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, cfg);
    v[1] = 0;
}

static void be_install(struct vsmmu *s, struct accel_dev *d, const uint64_t v[2], bool report)
{
    struct vsmmu_accel *a = s->accel;
    struct vsmmu_accel_backend *be = a->be[d->be];
    int rc = be->ops->install_ste(be->ctx, d->vsid, v);
    stat_inc(a, ste_installs, 1);
    if (rc == VSMMU_OK) {
        __atomic_store_n(&d->vste[0], v[0], __ATOMIC_RELEASE);
        __atomic_store_n(&d->vste[1], v[1], __ATOMIC_RELEASE);
        return;
    }
    /* Refused (or failed): the device must not keep translating with a
     * configuration the guest has replaced. */
    uint64_t ab[2];
    vste_fixed(ab, VSTE_CFG_ABORT);
    if (be->ops->install_ste(be->ctx, d->vsid, ab) == VSMMU_OK) {
        __atomic_store_n(&d->vste[0], ab[0], __ATOMIC_RELEASE);
        __atomic_store_n(&d->vste[1], ab[1], __ATOMIC_RELEASE);
    }
    if (rc == VSMMU_EINVAL) {
        stat_inc(a, bad_ste, 1);
        if (report)
            post_bad_ste(s, d->vsid);
    } else {
        vsmmu_fail(s, VSMMU_EBACKEND, "backend %s: installing the STE of StreamID 0x%x: %s",
                   be->name ? be->name : "?", d->vsid, be_error(be));
    }
}

/* Give device `d` what the guest has configured for it now. */
static void install_dev(struct vsmmu *s, struct accel_dev *d, bool report)
{
    struct vsmmu_accel *a = s->accel;
    uint64_t v[2];
    if (!a->smmuen) {
        /* SMMUEN=0: GBPA applies to every stream (IHI0070 6.3.14). */
        vste_fixed(v, a->gbpa_abort ? VSTE_CFG_ABORT : VSTE_CFG_BYPASS);
        be_install(s, d, v, false);
        return;
    }
    struct vsmmu_ste ste;
    struct vsmmu_fault f;
    memset(&f, 0, sizeof(f));
    if (vsmmu_ste_lookup(s, d->vsid, &ste, &f) != 0) {
        /* C_BAD_STREAMID, F_STE_FETCH or C_BAD_STE: the host aborts, the
         * guest hears about it as a transaction would have told it. */
        vste_fixed(v, VSTE_CFG_ABORT);
        be_install(s, d, v, false);
        stat_inc(a, bad_ste, 1);
        if (report && !f.silent) {
            if (!f.type)
                fault_set(&f, EVT_C_BAD_STE);
            post_event(s, &f, d->vsid);
        }
        return;
    }
    switch (ste.config) {
    case STE_CFG_ABORT:
        vste_fixed(v, VSTE_CFG_ABORT);
        break;
    case STE_CFG_BYPASS:
        vste_fixed(v, VSTE_CFG_BYPASS);
        break;
    case STE_CFG_S1: {
        /* Canonical vSTE: only the fields the host takes, as the guest's
         * SMMU interprets them (ste.c has applied the IGNORED rules: no
         * S1CDMax without SSIDSIZE, S1Fmt/S1DSS only with substreams, no
         * EATS without ATS). */
        bool subs = ste.s1cdmax != 0;
        v[0] = VSTE0_V | FIELD_PREP(VSTE0_CONFIG, VSTE_CFG_S1) |
               (ste.s1_ctx_ptr & VSTE0_S1CTXPTR) |
               FIELD_PREP(VSTE0_S1FMT, subs ? ste.s1fmt : 0) |
               FIELD_PREP(VSTE0_S1CDMAX, ste.s1cdmax);
        v[1] = FIELD_PREP(VSTE1_S1DSS, subs ? ste.s1dss : 0) |
               (ste.raw[1] & (VSTE1_S1CIR | VSTE1_S1COR)) |
               FIELD_PREP(VSTE1_S1CSH, FIELD_GET(VSTE1_S1CSH, ste.raw[1])) |
               (ste.s1stalld ? VSTE1_S1STALLD : 0) |
               FIELD_PREP(VSTE1_EATS, ste.eats == 1 ? 1 : 0);
        break;
    }
    default:
        /* Stage 2 is not offered to the guest, so ste.c finds these
         * ILLEGAL; defensive in case a decoder lets one through. */
        vste_fixed(v, VSTE_CFG_ABORT);
        be_install(s, d, v, false);
        stat_inc(a, bad_ste, 1);
        if (report)
            post_bad_ste(s, d->vsid);
        return;
    }
    be_install(s, d, v, report);
}

/* Execute the pending list. At CMD_SYNC (keep_going false) the first
 * failure ends it: the commands after the failed one are dropped, the guest
 * re-issues them. When the guest cannot be told exactly (CMDQ disable, a
 * full batch) the failed command is skipped and the others still run. */
static int run_pending(struct vsmmu *s, uint32_t *failed_cons, bool keep_going);

/* Follow guest state the backends depend on: SMMUEN, GBPA.ABORT, CMDQEN. */
static void follow_state(struct vsmmu *s)
{
    struct vsmmu_accel *a = s->accel;
    uint32_t ack = reg_load(&s->regs.cr0ack);
    bool smmuen = ack & CR0_SMMUEN;
    bool cmdqen = ack & CR0_CMDQEN;
    bool gabort = reg_load(&s->regs.gbpa) & GBPA_ABORT;
    if (a->cmdqen && !cmdqen && a->npend) {
        uint32_t dummy;
        (void)run_pending(s, &dummy, true);
    }
    a->cmdqen = cmdqen;
    if (smmuen == a->smmuen && (smmuen || gabort == a->gbpa_abort))
        return;
    a->smmuen = smmuen;
    a->gbpa_abort = gabort;
    for (unsigned i = 0; i < a->ndev; i++)
        if (a->dev[i].used && a->dev[i].kind == VSMMU_ACCEL_DEV_PASSTHROUGH)
            install_dev(s, &a->dev[i], false);
}

/* ---- pending commands ----------------------------------------------------- */

static int pend_push(struct vsmmu_accel *a, const struct accel_pend *p)
{
    if (a->npend == a->cappend) {
        unsigned cap = a->cappend ? a->cappend * 2 : 64;
        struct accel_pend *n = realloc(a->pend, cap * sizeof(*n));
        if (!n)
            return -1;
        a->pend = n;
        a->cappend = cap;
    }
    a->pend[a->npend++] = *p;
    if (p->kind == PEND_FORWARD)
        a->fwd_pending++;
    return 0;
}

/* One run [i, j) of forwarded commands: one call per backend. Returns the
 * pending index of the first failed command, or -1. */
static long flush_run(struct vsmmu *s, unsigned i, unsigned j)
{
    struct vsmmu_accel *a = s->accel;
    long fail = -1;
    for (unsigned b = 0; b < a->nbe; b++) {
        struct vsmmu_accel_backend *be = a->be[b];
        uint32_t n = 0;
        unsigned idx[VSMMU_ACCEL_BATCH_MAX];
        unsigned end = fail >= 0 ? (unsigned)fail : j;
        for (unsigned k = i; k < end && n < a->batch_max; k++) {
            const struct accel_pend *p = &a->pend[k];
            if (p->be >= 0 && (unsigned)p->be != b)
                continue;
            a->scratch[n][0] = p->cmd[0];
            a->scratch[n][1] = p->cmd[1];
            idx[n++] = k;
        }
        if (!n)
            continue;
        uint32_t done = n;
        int rc = be->ops->invalidate(be->ctx, (const uint64_t (*)[2])a->scratch, n, &done);
        stat_inc(a, backend_calls, 1);
        stat_inc(a, forwarded, n);
        if (rc == VSMMU_OK && done == n)
            continue;
        /* A rejection names the failed command; an inconsistent answer
         * (success with a short count, failure past the end) is taken as a
         * failure of the whole call. */
        uint32_t k = (rc != VSMMU_OK && done < n) ? done : 0;
        vsmmu_fail(s, VSMMU_EBACKEND, "backend %s rejected command %u of %u (opcode 0x%02x): %s",
                   be->name ? be->name : "?", k, n,
                   (unsigned)FIELD_GET(ACMD0_OP, a->pend[idx[k]].cmd[0]), be_error(be));
        if (fail < 0 || (long)idx[k] < fail)
            fail = (long)idx[k];
    }
    return fail;
}

static void install_range(struct vsmmu *s, uint32_t sid, uint64_t count)
{
    struct vsmmu_accel *a = s->accel;
    for (unsigned i = 0; i < a->ndev; i++) {
        struct accel_dev *d = &a->dev[i];
        if (d->used && d->kind == VSMMU_ACCEL_DEV_PASSTHROUGH && d->vsid >= sid &&
            (uint64_t)(d->vsid - sid) < count)
            install_dev(s, d, true);
    }
}

static int run_pending(struct vsmmu *s, uint32_t *failed_cons, bool keep_going)
{
    struct vsmmu_accel *a = s->accel;
    unsigned i = 0;
    int rc = 0;
    while (i < a->npend) {
        unsigned j = i;
        while (j < a->npend && a->pend[j].kind == PEND_FORWARD && j - i < a->batch_max)
            j++;
        if (j > i) {
            long f = flush_run(s, i, j);
            if (f >= 0) {
                stat_inc(a, rejected, 1);
                if (!rc) {
                    *failed_cons = a->pend[f].cons;
                    rc = -CERROR_ILL;
                }
                if (!keep_going)
                    break;
                /* Backends called before the failing one already ran
                 * [f+1, j); running them again is extra invalidation,
                 * which is always harmless. */
                i = (unsigned)f + 1;
                continue;
            }
        }
        if (j < a->npend && a->pend[j].kind == PEND_INSTALL) {
            install_range(s, a->pend[j].sid, a->pend[j].count);
            j++;
        }
        i = j;
    }
    a->npend = 0;
    a->fwd_pending = 0;
    return rc;
}

/* ---- hooks from the emulated SMMU ----------------------------------------- */

/* A stage-1 TLBI taken for the hosts also applies to the emulated
 * translation cache: StreamIDs that are not passthrough devices (never
 * attached, or detached) translate through it, and a TLBI completes for
 * every stream (IHI0070 4.4). Passthrough translations are never cached
 * there, so this removes nothing of theirs. */
static void local_tlbi(struct vsmmu *s, const uint64_t cmd[2])
{
    struct vsmmu_cmd c;
    if (vsmmu_cmd_decode(&s->cfg, cmd, &c) == 0 && !c.no_effect)
        vsmmu_tlb_invalidate(s, &c.tlbi);
}

int vsmmu_accel_cmd(struct vsmmu *s, const uint64_t cmd[2], uint32_t cons)
{
    struct vsmmu_accel *a = s->accel;
    if (!a)
        return 0;
    follow_state(s);
    unsigned op = (unsigned)FIELD_GET(ACMD0_OP, cmd[0]);
    uint32_t sid = (uint32_t)FIELD_GET(ACMD0_SID, cmd[0]);
    struct accel_pend p = { .cmd = { cmd[0], cmd[1] }, .cons = cons, .be = -1, .sid = sid,
                            .count = 1 };
    int taken;
    switch (op) {
    case ACMD_CFGI_STE:
        if (!find_pt(a, sid))
            return 0;
        p.kind = PEND_INSTALL;
        taken = 1;
        break;
    case ACMD_CFGI_STE_RANGE: {
        /* IHI0070 4.3.2: 2^(Range+1) StreamIDs from SID aligned down;
         * Range = 31 is CFGI_ALL. The emulated caches invalidate too. */
        unsigned range = (unsigned)FIELD_GET(ACMD1_RANGE, cmd[1]);
        p.count = 1ull << (range + 1);
        p.sid = (uint32_t)(sid & ~(p.count - 1));
        p.kind = PEND_INSTALL;
        taken = 0;
        break;
    }
    case ACMD_CFGI_CD:
    case ACMD_CFGI_CD_ALL:
    case ACMD_ATC_INV: {
        struct accel_dev *d = find_pt(a, sid);
        if (!d)
            return 0;
        p.kind = PEND_FORWARD;
        p.be = (int8_t)d->be;
        taken = 1;
        break;
    }
    case ACMD_TLBI_NH_ALL:
    case ACMD_TLBI_NH_ASID:
    case ACMD_TLBI_NH_VA:
    case ACMD_TLBI_NH_VAA:
    case ACMD_TLBI_NSNH_ALL:
        p.kind = PEND_FORWARD;
        taken = 1;
        local_tlbi(s, cmd);
        break;
    case ACMD_PREFETCH_CONFIG:
    case ACMD_PREFETCH_ADDR:
        /* Prefetch is a hint (IHI0070 4.2): nothing to do for a device the
         * host SMMU serves. */
        return find_pt(a, sid) ? 1 : 0;
    default:
        return 0;
    }
    if (a->npend >= a->batch_max) {
        /* Batch full: execute what is pending now. A failure cannot be
         * reported at the failed command any more (CONS has passed it): it
         * is reported at this one, the others still run (docs/accel.md). */
        uint32_t fc;
        if (run_pending(s, &fc, true) != 0)
            taken = -CERROR_ILL;
    }
    /* Queued even when reporting a failure: a guest skips the command the
     * error names (Linux replaces it with a CMD_SYNC), and running an
     * invalidation or re-reading an STE once more is harmless. */
    if (pend_push(a, &p) != 0) {
        vsmmu_fail(s, VSMMU_ENOMEM, "accel: out of memory queuing a command");
        return -CERROR_ABT;
    }
    return taken;
}

int vsmmu_accel_sync(struct vsmmu *s, uint32_t *failed_cons)
{
    struct vsmmu_accel *a = s->accel;
    if (!a)
        return 0;
    follow_state(s);
    stat_inc(a, syncs, 1);
    if (!a->npend)
        return 0;
    stat_inc(a, flushes, 1);
    uint32_t fc = 0;
    int rc = run_pending(s, &fc, false);
    if (rc && failed_cons)
        *failed_cons = fc;
    return rc;
}

bool vsmmu_accel_owns(struct vsmmu *s, uint32_t sid)
{
    return s->accel && find_pt(s->accel, sid) != NULL;
}

void vsmmu_accel_mmio_written(struct vsmmu *s)
{
    if (s->accel)
        follow_state(s);
}

/* The VMM asks where a device's access would go (an MSI doorbell gIOVA):
 * walk the guest's tables now, through the configuration the host has.
 * Nothing is cached: invalidations for these devices go to the host. */
int vsmmu_accel_translate(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res)
{
    struct vsmmu_accel *a = s->accel;
    memset(res, 0, sizeof(*res));
    res->outcome = VSMMU_XLATE_ABORT;
    if (!a)
        return VSMMU_EUNSUPPORTED;
    struct accel_dev *d = find_pt(a, txn->sid);
    if (!d)
        return VSMMU_ENOENT;
    stat_inc(a, translations, 1);
    uint64_t v0 = __atomic_load_n(&d->vste[0], __ATOMIC_ACQUIRE);
    uint64_t v1 = __atomic_load_n(&d->vste[1], __ATOMIC_ACQUIRE);
    unsigned cfg = (unsigned)FIELD_GET(VSTE0_CONFIG, v0);
    bool smmuen = reg_load(&s->regs.cr0ack) & CR0_SMMUEN;
    if (!smmuen)
        cfg = (reg_load(&s->regs.gbpa) & GBPA_ABORT) ? VSTE_CFG_ABORT : VSTE_CFG_BYPASS;
    else if (!(v0 & VSTE0_V))
        cfg = VSTE_CFG_ABORT;
    /* IHI0070 5.2: an STE with stage 1 disabled (Config 0b100) terminates a
     * transaction that has a SubstreamID (C_BAD_SUBSTREAMID); GBPA bypass
     * with SMMUEN=0 takes them too (6.3.9). */
    if (cfg == VSTE_CFG_BYPASS && smmuen && (txn->flags & VSMMU_TXN_SSV))
        return VSMMU_OK;
    if (cfg == VSTE_CFG_BYPASS) {
        if (s->oas_bits < 64 && (txn->addr >> s->oas_bits))
            return VSMMU_OK;
        res->outcome = VSMMU_XLATE_OK;
        res->out_addr = txn->addr;
        res->bypass = true;
        res->size_log2 = 12;
        res->perm = VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X;
        /* the incoming attributes, with GBPA's overrides when SMMUEN=0
         * (the vSTE carries none), as the emulated path reports them */
        res->memattr = VSMMU_IN_MEMATTR;
        res->sh = VSMMU_IN_SH;
        if (!smmuen) {
            uint32_t g = vsmmu_gbpa_effective(reg_load(&s->regs.gbpa), s->cfg.attr_types_ovr,
                                              s->cfg.attr_perms_ovr);
            vsmmu_attr_override((uint8_t)FIELD_GET(GBPA_MTCFG, g),
                                (uint8_t)FIELD_GET(GBPA_MEMATTR, g),
                                (uint8_t)FIELD_GET(GBPA_ALLOCCFG, g),
                                (uint8_t)FIELD_GET(GBPA_SHCFG, g), &res->memattr, &res->sh);
        }
        return VSMMU_OK;
    }
    if (cfg != VSTE_CFG_S1)
        return VSMMU_OK;
    uint64_t raw[8] = { v0, v1, 0, 0, 0, 0, 0, 0 };
    struct vsmmu_ste ste;
    if (vsmmu_ste_decode(s, raw, &ste) != 0)
        return VSMMU_OK;
    struct vsmmu_cd cd;
    struct vsmmu_fault f;
    memset(&f, 0, sizeof(f));
    int rc = vsmmu_cd_lookup(s, &ste, (txn->flags & VSMMU_TXN_SSV) != 0, txn->ssid, &cd, &f);
    if (rc < 0)
        return VSMMU_OK;
    if (rc == 1) {
        res->outcome = VSMMU_XLATE_OK;
        res->out_addr = txn->addr;
        res->bypass = true;
        res->size_log2 = 12;
        res->perm = VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X;
        res->memattr = VSMMU_IN_MEMATTR;
        res->sh = VSMMU_IN_SH;
        return VSMMU_OK;
    }
    struct vsmmu_walk_req req = { .s1 = &cd.s1, .s2 = NULL, .addr = txn->addr,
                                  .access = txn->flags, .no_httu = true };
    struct vsmmu_walk_out out;
    memset(&out, 0, sizeof(out));
    if (vsmmu_walk(s, &req, &out, &f) != 0)
        return VSMMU_OK;
    res->outcome = VSMMU_XLATE_OK;
    res->out_addr = out.oa;
    res->size_log2 = out.size_log2;
    res->perm = (txn->flags & VSMMU_TXN_PRIV) ? (out.perm & 7u) : ((out.perm >> 3) & 7u);
    res->memattr = out.memattr;
    res->sh = out.sh;
    return VSMMU_OK;
}

static void accel_free(struct vsmmu_accel *a)
{
    for (unsigned i = 0; i < a->nbe; i++)
        release_backend(a->be[i]);
    free(a->pend);
    free(a->scratch);
    free(a);
}

void vsmmu_accel_destroy(struct vsmmu *s)
{
    if (!s || !s->accel)
        return;
    accel_free(s->accel);
    s->accel = NULL;
}

/* ---- public API ------------------------------------------------------------- */

int vsmmu_accel_add_backend(struct vsmmu *s, struct vsmmu_accel_backend *be)
{
    if (!s) {
        release_backend(be);
        return VSMMU_EINVAL;
    }
    if (!be || !be->ops || !be->ops->hw_info || !be->ops->add_device || !be->ops->install_ste ||
        !be->ops->invalidate || !be->ops->read_events) {
        release_backend(be);
        return vsmmu_fail(s, VSMMU_EINVAL, "accel: backend lacks a required operation");
    }
    if (reg_load(&s->regs.cr0ack) & (CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN | CR0_PRIQEN)) {
        release_backend(be);
        return vsmmu_fail(s, VSMMU_EBUSY, "accel: a backend can only be added while every "
                          "CR0 enable is clear (the ID registers would change under the guest)");
    }
    struct vsmmu_accel *a = s->accel;
    bool fresh = !a;
    if (fresh) {
        a = calloc(1, sizeof(*a));
        if (a)
            a->scratch = calloc(VSMMU_ACCEL_BATCH_MAX, sizeof(*a->scratch));
        if (!a || !a->scratch) {
            free(a);
            release_backend(be);
            return vsmmu_fail(s, VSMMU_ENOMEM, "accel: out of memory");
        }
        a->batch_max = VSMMU_ACCEL_BATCH_MAX;
        a->requested = s->cfg;
    }
    if (a->nbe == ACCEL_MAX_BACKENDS) {
        release_backend(be);
        return vsmmu_fail(s, VSMMU_EINVAL, "accel: at most %u backends", ACCEL_MAX_BACKENDS);
    }
    struct vsmmu_accel_hw_info hw;
    memset(&hw, 0, sizeof(hw));
    int rc = be->ops->hw_info(be->ctx, &hw);
    if (rc != VSMMU_OK) {
        vsmmu_fail(s, VSMMU_EBACKEND, "accel: backend %s: cannot read host hardware info: %s",
                   be->name ? be->name : "?", be_error(be));
        release_backend(be);
        if (fresh)
            accel_free(a);
        return VSMMU_EBACKEND;
    }
    struct vsmmu_config cfg = s->cfg;
    char why[200];
    rc = vsmmu_accel_mask_config(&cfg, &hw, why, sizeof(why));
    if (rc != VSMMU_OK) {
        vsmmu_fail(s, rc, "accel: host SMMU %u (%s) incompatible: %s", a->nbe,
                   be->name ? be->name : "?", why);
        release_backend(be);
        if (fresh)
            accel_free(a);
        return rc;
    }
    s->cfg = cfg;
    s->oas_bits = cfg.oas_bits;
    s->ias_bits = vsmmu_config_ias(&cfg);
    a->be[a->nbe] = be;
    s->accel = a;
    vsmmu_reset(s);   /* ID registers from the masked configuration */
    a->smmuen = false;
    a->cmdqen = false;
    a->gbpa_abort = (reg_load(&s->regs.gbpa) & GBPA_ABORT) != 0;
    return (int)a->nbe++;
}

int vsmmu_accel_attach(struct vsmmu *s, const struct vsmmu_accel_dev *dev)
{
    if (!s || !dev)
        return VSMMU_EINVAL;
    const char *name = dev->name ? dev->name : "device";
    struct vsmmu_accel *a = s->accel;
    if (dev->kind == VSMMU_ACCEL_DEV_EMULATED)
        return vsmmu_fail(s, VSMMU_EUNSUPPORTED,
                          "%s (StreamID 0x%x): an emulated endpoint cannot sit behind an "
                          "accelerated vSMMU: its DMA would need the emulated IOTLB, and the "
                          "guest's invalidations go to the host SMMU; put it behind a separate "
                          "(emulated) vSMMU", name, dev->vsid);
    if (!a)
        return vsmmu_fail(s, VSMMU_EUNSUPPORTED, "%s: the vSMMU is not in accelerated mode", name);
    if (dev->kind > VSMMU_ACCEL_DEV_EMULATED)
        return vsmmu_fail(s, VSMMU_EINVAL, "%s: unknown device kind %d", name, (int)dev->kind);
    if (s->cfg.sidsize < 32 && (dev->vsid >> s->cfg.sidsize))
        return vsmmu_fail(s, VSMMU_EINVAL, "%s: StreamID 0x%x exceeds SIDSIZE=%u", name,
                          dev->vsid, s->cfg.sidsize);
    if (find_dev(a, dev->vsid))
        return vsmmu_fail(s, VSMMU_EBUSY, "%s: StreamID 0x%x is already attached", name,
                          dev->vsid);
    bool pt = dev->kind == VSMMU_ACCEL_DEV_PASSTHROUGH;
    if (pt && dev->backend >= a->nbe)
        return vsmmu_fail(s, VSMMU_EINVAL, "%s: backend %u does not exist (%u added)", name,
                          dev->backend, a->nbe);
    struct accel_dev *d = NULL;
    for (unsigned i = 0; i < ACCEL_MAX_DEVS && !d; i++)
        if (!a->dev[i].used)
            d = &a->dev[i];
    if (!d)
        return vsmmu_fail(s, VSMMU_EINVAL, "%s: at most %u devices per vSMMU", name,
                          ACCEL_MAX_DEVS);
    if (pt) {
        struct vsmmu_accel_backend *be = a->be[dev->backend];
        if (be->ops->add_device(be->ctx, dev->vsid, dev->host_id) != VSMMU_OK)
            return vsmmu_fail(s, VSMMU_EBACKEND, "%s: backend %s refused the device: %s", name,
                              be->name ? be->name : "?", be_error(be));
    }
    memset(d, 0, sizeof(*d));
    d->kind = dev->kind;
    d->vsid = dev->vsid;
    d->be = pt ? dev->backend : 0;
    d->host_id = dev->host_id;
    snprintf(d->name, sizeof(d->name), "%s", name);
    unsigned slot = (unsigned)(d - a->dev);
    if (slot >= a->ndev)
        __atomic_store_n(&a->ndev, slot + 1, __ATOMIC_RELEASE);
    __atomic_store_n(&d->used, true, __ATOMIC_RELEASE);
    if (pt) {
        follow_state(s);
        install_dev(s, d, false);
    }
    return VSMMU_OK;
}

int vsmmu_accel_detach(struct vsmmu *s, uint32_t vsid)
{
    if (!s)
        return VSMMU_EINVAL;
    struct vsmmu_accel *a = s->accel;
    struct accel_dev *d = a ? find_dev(a, vsid) : NULL;
    if (!d)
        return vsmmu_fail(s, VSMMU_ENOENT, "StreamID 0x%x is not attached", vsid);
    if (d->kind == VSMMU_ACCEL_DEV_PASSTHROUGH) {
        struct vsmmu_accel_backend *be = a->be[d->be];
        uint64_t ab[2];
        vste_fixed(ab, VSTE_CFG_ABORT);
        (void)be->ops->install_ste(be->ctx, vsid, ab);
        if (be->ops->del_device)
            (void)be->ops->del_device(be->ctx, vsid);
        /* Drop queued commands that name it: the backend no longer knows
         * the StreamID. */
        unsigned o = 0;
        for (unsigned i = 0; i < a->npend; i++) {
            struct accel_pend *p = &a->pend[i];
            if (p->kind == PEND_FORWARD && p->be >= 0 && p->sid == vsid &&
                (unsigned)p->be == d->be) {
                a->fwd_pending--;
                continue;
            }
            a->pend[o++] = *p;
        }
        a->npend = o;
    }
    __atomic_store_n(&d->used, false, __ATOMIC_RELEASE);
    return VSMMU_OK;
}

int vsmmu_accel_poll(struct vsmmu *s)
{
    if (!s)
        return VSMMU_EINVAL;
    struct vsmmu_accel *a = s->accel;
    if (!a)
        return VSMMU_EUNSUPPORTED;
    follow_state(s);
    int injected = 0;
    int rc = VSMMU_OK;
    uint64_t rec[32][4];
    for (unsigned b = 0; b < a->nbe; b++) {
        struct vsmmu_accel_backend *be = a->be[b];
        /* Bounded: a backend that never runs dry cannot hold the VMM. */
        for (unsigned round = 0; round < 64; round++) {
            uint32_t n = 0;
            bool lost = false;
            if (be->ops->read_events(be->ctx, rec, 32, &n, &lost) != VSMMU_OK) {
                rc = vsmmu_fail(s, VSMMU_EBACKEND, "backend %s: reading events: %s",
                                be->name ? be->name : "?", be_error(be));
                break;
            }
            if (lost) {
                stat_inc(a, events_lost, 1);
                guest_overflow(s);
            }
            if (n > 32) {
                /* Garbage count: nothing in the buffer can be trusted. */
                stat_inc(a, events_dropped, 1);
                rc = vsmmu_fail(s, VSMMU_EBACKEND, "backend %s returned %u events for 32 slots",
                                be->name ? be->name : "?", n);
                break;
            }
            for (uint32_t i = 0; i < n; i++) {
                uint32_t vsid = (uint32_t)FIELD_GET(AEVT0_SID, rec[i][0]);
                unsigned type = (unsigned)FIELD_GET(AEVT0_TYPE, rec[i][0]);
                struct accel_dev *d = find_pt(a, vsid);
                bool known = type == EVT_C_BAD_STE || type == EVT_F_STREAM_DISABLED ||
                             type == EVT_C_BAD_SUBSTREAMID || type == EVT_C_BAD_CD ||
                             (type >= EVT_F_TRANSLATION && type <= EVT_F_PERMISSION);
                if (!d || d->be != b || !known) {
                    stat_inc(a, events_dropped, 1);
                    continue;
                }
                vsmmu_evtq_write(s, rec[i]);
                stat_inc(a, events_in, 1);
                injected++;
            }
            if (n < 32)
                break;
        }
    }
    return rc < 0 ? rc : injected;
}

int vsmmu_accel_get_stats(const struct vsmmu *s, struct vsmmu_accel_stats *st)
{
    if (!s || !st)
        return VSMMU_EINVAL;
    if (!s->accel) {
        memset(st, 0, sizeof(*st));
        return VSMMU_EUNSUPPORTED;
    }
    *st = s->accel->st;
    return VSMMU_OK;
}
