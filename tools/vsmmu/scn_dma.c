/* SPDX-License-Identifier: MIT */
/* Scenario statements: DMA transactions with expected outcomes, events,
 * counters, explain. */
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "scn_int.h"
#include "vsmmu/accel.h"
#include "xplain.h"

/* Transaction arguments shared by dma and explain. */
static int txn_args(struct scn *sc, struct vsmmu_txn *t)
{
    uint64_t sid, ssid, addr;
    memset(t, 0, sizeof(*t));
    if (scn_req_num(sc, "sid", &sid) || scn_req_num(sc, "addr", &addr) ||
        scn_range_check(sc, "sid", sid, 0xffffffffu))
        return -1;
    const char *ss = scn_arg(sc, "ssid");
    if (ss) {
        if (scn_eval(sc, "ssid", ss, &ssid) || scn_range_check(sc, "ssid", ssid, 0xfffff))
            return -1;
        t->ssid = (uint32_t)ssid;
        t->flags |= VSMMU_TXN_SSV;
    }
    t->sid = (uint32_t)sid;
    t->addr = addr;
    for (int i = 1; i < sc->ntok; i++)
        if (!sc->used[i] && !strchr(sc->tok[i], '=') && !xp_access_word(sc->tok[i], &t->flags))
            sc->used[i] = true;
    return 0;
}

static const char *class_name(unsigned c)
{
    static const char *const n[4] = { "CD", "TT", "IN", "rsvd" };
    return n[c & 3];
}

static int class_arg(struct scn *sc, const char *s, unsigned *c)
{
    if (cli_streq(s, "CD")) *c = 0;
    else if (cli_streq(s, "TT")) *c = 1;
    else if (cli_streq(s, "IN")) *c = 2;
    else return scn_perr(sc, "field 'class': expected CD, TT or IN, got '%s'", s);
    return 0;
}

static void describe(char *buf, size_t len, const struct vsmmu_result *r)
{
    char pb[4];
    if (r->outcome == VSMMU_XLATE_OK)
        snprintf(buf, len, "output 0x%" PRIx64 " perm %s", r->out_addr, xp_perm_str(r->perm, pb));
    else if (r->has_event) {
        const char *n = cli_event_name((unsigned)(r->event[0] & 0xff));
        snprintf(buf, len, "%s with %s (S2=%u CLASS=%s)", xp_outcome_str(r->outcome),
                 n ? n : "unknown event", (unsigned)((r->event[1] >> 39) & 1),
                 class_name((unsigned)(r->event[1] >> 40)));
    } else
        snprintf(buf, len, "%s without an event", xp_outcome_str(r->outcome));
}

/* After a failed expectation: the steps of the same transaction (probe). */
static int dma_failed(struct scn *sc, struct vsmmu *target, const struct vsmmu_txn *t, int rc)
{
    if (sc->explain_failures) {
        struct vsmmu_result r;
        fprintf(stderr, "%s:%u: the failed transaction, explained (as a probe, now):\n",
                sc->file, sc->line);
        xp_explain(target, sc->m, t, stderr, NULL, &r);
    }
    return rc;
}

int st_dma(struct scn *sc)
{
    struct vsmmu_txn t;
    uint64_t count = 1, stride = 0x1000, expv = 0;
    if (txn_args(sc, &t) || scn_opt_num(sc, "count", &count) || scn_opt_num(sc, "stride", &stride))
        return -1;
    const char *e = scn_arg(sc, "expect");
    if (!e)
        return scn_perr(sc, "missing expect= (an output address, a fault name such as F_TRANSLATION, "
                        "abort, razwi or stall)");
    int evt = cli_event_type(e);
    enum { E_ADDR, E_EVENT, E_ABORT, E_RAZWI, E_STALL } kind;
    if (evt >= 0) kind = E_EVENT;
    else if (cli_streq(e, "abort")) kind = E_ABORT;
    else if (cli_streq(e, "razwi")) kind = E_RAZWI;
    else if (cli_streq(e, "stall")) kind = E_STALL;
    else {
        kind = E_ADDR;
        if (scn_eval(sc, "expect", e, &expv))
            return -1;
    }
    const char *s2s = scn_arg(sc, "s2"), *cls = scn_arg(sc, "class"), *perm = scn_arg(sc, "perm");
    const char *oc = scn_arg(sc, "outcome");
    uint64_t s2v = 0;
    unsigned clv = 0;
    if ((s2s && scn_eval(sc, "s2", s2s, &s2v)) || (cls && class_arg(sc, cls, &clv)))
        return -1;
    bool noevent = scn_flag(sc, "noevent");
    bool on_host = scn_flag(sc, "host");
    if ((s2s || cls) && kind != E_EVENT)
        return scn_perr(sc, "s2= and class= apply to an expected fault (expect=F_...)");
    if (scn_leftover(sc) || scn_instance(sc))
        return -1;
    if (on_host && !sc->host)
        return scn_perr(sc, "'host' needs 'accel soft' first");
    struct vsmmu *target = on_host ? sc->host : sc->s;
    if (!count || count > 100000000)
        return scn_perr(sc, "field 'count': must be 1..100000000");
    for (uint64_t i = 0; i < count; i++) {
        struct vsmmu_result r;
        struct vsmmu_txn ti = t;
        ti.addr = t.addr + i * stride;
        int rc = vsmmu_translate(target, &ti, &r);
        sc->dma_checks++;
        char got[160];
        describe(got, sizeof(got), &r);
        if (rc)
            return scn_ferr(sc, "vsmmu_translate failed: %s", vsmmu_strerror(rc));
        const char *at = count > 1 ? " (transaction " : "";
        char idx[48] = "";
        if (count > 1)
            snprintf(idx, sizeof(idx), "%s%" PRIu64 " at 0x%" PRIx64 ")", at, i, ti.addr);
        switch (kind) {
        case E_ADDR: {
            uint64_t want = expv + i * stride;
            if (r.outcome != VSMMU_XLATE_OK || r.out_addr != want)
                return dma_failed(sc, target, &ti, scn_ferr(sc, "field 'expect': expected output 0x%" PRIx64 ", got %s%s", want,
                            got, idx));
            if (perm) {
                char pb[4];
                if (strcmp(perm, xp_perm_str(r.perm, pb)))
                    return scn_ferr(sc, "field 'perm': expected %s, got %s%s", perm, pb, idx);
            }
            break;
        }
        case E_EVENT: {
            unsigned type = (unsigned)(r.event[0] & 0xff);
            if (r.outcome == VSMMU_XLATE_OK || !r.has_event || type != (unsigned)evt)
                return dma_failed(sc, target, &ti, scn_ferr(sc, "field 'expect': expected %s, got %s%s", e, got, idx));
            unsigned s2 = (unsigned)((r.event[1] >> 39) & 1), c = (unsigned)((r.event[1] >> 40) & 3);
            if (s2s && s2 != s2v)
                return scn_ferr(sc, "field 's2': expected S2=%" PRIu64 ", the event has S2=%u%s", s2v,
                            s2, idx);
            if (cls && c != clv)
                return scn_ferr(sc, "field 'class': expected CLASS=%s, the event has CLASS=%s%s", cls,
                            class_name(c), idx);
            break;
        }
        case E_ABORT:
        case E_RAZWI:
        case E_STALL: {
            enum vsmmu_outcome want = kind == E_ABORT ? VSMMU_XLATE_ABORT
                                      : kind == E_RAZWI ? VSMMU_XLATE_RAZWI : VSMMU_XLATE_STALL;
            if (r.outcome != want)
                return dma_failed(sc, target, &ti, scn_ferr(sc, "field 'expect': expected %s, got %s%s", e, got, idx));
            break;
        }
        }
        if (oc && !cli_streq(oc, xp_outcome_str(r.outcome)))
            return scn_ferr(sc, "field 'outcome': expected %s, got %s%s", oc, got, idx);
        if (noevent && r.has_event)
            return scn_ferr(sc, "expected no event, got %s%s", got, idx);
    }
    return 0;
}

int st_event(struct scn *sc)
{
    const char *tn = scn_pos(sc, 1);
    if (!tn)
        return scn_perr(sc, "missing TYPE (an event name such as F_TRANSLATION, 'any' or 'none')");
    int type = -1;
    bool none = cli_streq(tn, "none"), any = cli_streq(tn, "any");
    if (!none && !any && (type = cli_event_type(tn)) < 0)
        return scn_perr(sc, "unknown event type '%s'", tn);
    /* Optional field checks: any event-record field by name (sid= is
     * StreamID, ssid= SubstreamID, addr= InputAddr). */
    struct { const char *key, *field; } alias[] = {
        { "sid", "StreamID" }, { "ssid", "SubstreamID" }, { "addr", "InputAddr" },
        { "fetch", "FetchAddr" }, { "class", "CLASS" },
    };
    struct { const struct fdef *f; uint64_t v; const char *key; } want[16];
    int nw = 0;
    const char *save = scn_arg(sc, "save");
    if (save && (!scn_valid_name(save) || strlen(save) > 20))
        return scn_perr(sc, "field 'save': '%s' is not a valid name", save);
    for (int i = 2; i < sc->ntok && nw < 16; i++) {
        if (sc->used[i])
            continue;
        char *eq = strchr(sc->tok[i], '=');
        if (!eq)
            return scn_perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
        *eq = 0;
        const char *fname = sc->tok[i];
        for (size_t k = 0; k < sizeof(alias) / sizeof(alias[0]); k++)
            if (cli_streq(fname, alias[k].key))
                fname = alias[k].field;
        const struct fdef *f = ft_find(&ft_evt, fname);
        *eq = '=';
        if (!f) {
            *eq = 0;
            scn_perr(sc, "'%s' is not an event record field", sc->tok[i]);
            *eq = '=';
            return -1;
        }
        uint64_t v;
        unsigned c;
        if (!strcmp(f->name, "CLASS")) {
            if (class_arg(sc, eq + 1, &c))
                return -1;
            v = c;
        } else if (ft_is_addr(f)) {
            if (scn_eval(sc, f->name, eq + 1, &v))
                return -1;
            v >>= __builtin_ctzll(f->mask);   /* given as an address */
        } else if (scn_eval(sc, f->name, eq + 1, &v)) {
            return -1;
        }
        sc->used[i] = true;
        want[nw].f = f;
        want[nw].v = v;
        want[nw].key = f->name;
        nw++;
    }
    if (scn_leftover(sc) || scn_need_init(sc))
        return -1;
    uint64_t rec[4];
    int got = gd_event(&sc->g, rec);
    sc->event_checks++;
    if (none) {
        if (got) {
            const char *n = cli_event_name((unsigned)(rec[0] & 0xff));
            return scn_ferr(sc, "expected an empty event queue, found %s", n ? n : "an event");
        }
        return 0;
    }
    if (!got)
        return scn_ferr(sc, "expected %s, the event queue is empty", tn);
    if (sc->verbose)
        xp_print_event(sc->out, rec, "  ");
    unsigned t = (unsigned)(rec[0] & 0xff);
    if (!any && t != (unsigned)type) {
        const char *n = cli_event_name(t);
        xp_print_event(stderr, rec, "    ");
        return scn_ferr(sc, "expected %s, found %s", tn, n ? n : "an unknown event");
    }
    if (save) {
        /* NAME.Field for every field of the record, as addresses where the
         * field is one (e.g. $ev.STAG for CMD_RESUME, $ev.IPA) */
        for (const struct fdef *f = ft_evt.f; f->name; f++) {
            char nm[48];
            snprintf(nm, sizeof(nm), "%s.%s", save, f->name);
            uint64_t v = ft_get(f, rec);
            if (ft_is_addr(f))
                v <<= __builtin_ctzll(f->mask);
            if (scn_set_sym(sc, nm, v))
                return -1;
        }
    }
    for (int i = 0; i < nw; i++) {
        uint64_t v = ft_get(want[i].f, rec);
        if (v != want[i].v) {
            xp_print_event(stderr, rec, "    ");
            return scn_ferr(sc, "field '%s': expected 0x%" PRIx64 ", the event has 0x%" PRIx64,
                        want[i].key, want[i].v, v);
        }
    }
    return 0;
}

static const struct { const char *name; size_t off; } stat_fields[] = {
#define S(n) { #n, offsetof(struct vsmmu_stats, n) }
    S(translations), S(tlb_hits), S(tlb_misses), S(cfg_hits), S(cfg_misses), S(walks),
    S(desc_reads), S(ste_fetches), S(cd_fetches), S(httu_updates), S(faults), S(events),
    S(events_lost), S(commands), S(cerrors), S(tlb_invalidated), S(cfg_invalidated), S(msis),
    S(irqs),
#undef S
};

int st_stat(struct scn *sc)
{
    const char *n = scn_pos(sc, 1), *op = sc->ntok > 2 ? sc->tok[2] : NULL;
    uint64_t v;
    if (op)
        sc->used[2] = true;
    if (!n || !op)
        return scn_perr(sc, "usage: stat NAME OP VALUE (OP one of == != >= <= > <)");
    if (scn_pos_num(sc, 3, "VALUE", &v) || scn_leftover(sc) || scn_instance(sc))
        return -1;
    struct vsmmu_stats st;
    vsmmu_get_stats(sc->s, &st);
    uint64_t got = 0;
    bool found = false;
    for (size_t i = 0; i < sizeof(stat_fields) / sizeof(stat_fields[0]); i++)
        if (cli_streq(stat_fields[i].name, n)) {
            memcpy(&got, (const char *)&st + stat_fields[i].off, sizeof(got));
            found = true;
        }
    static const struct { const char *name; size_t off; } accel_fields[] = {
#define A(x) { "accel." #x, offsetof(struct vsmmu_accel_stats, x) }
        A(syncs), A(flushes), A(backend_calls), A(forwarded), A(ste_installs), A(bad_ste),
        A(rejected), A(events_in), A(events_lost), A(events_dropped), A(translations),
#undef A
    };
    for (size_t i = 0; i < sizeof(accel_fields) / sizeof(accel_fields[0]) && !found; i++)
        if (cli_streq(accel_fields[i].name, n)) {
            struct vsmmu_accel_stats as;
            memset(&as, 0, sizeof(as));
            vsmmu_accel_get_stats(sc->s, &as);
            memcpy(&got, (const char *)&as + accel_fields[i].off, sizeof(got));
            found = true;
        }
    if (!found) {
        int o = cli_cmd_opcode(n), e = cli_event_type(n);
        if (o >= 0) {
            got = st.cmd_by_opcode[o];
            found = true;
        } else if (e >= 0) {
            got = st.event_by_type[e];
            found = true;
        }
    }
    if (!found)
        return scn_perr(sc, "unknown counter '%s'", n);
    bool ok;
    if (!strcmp(op, "==")) ok = got == v;
    else if (!strcmp(op, "!=")) ok = got != v;
    else if (!strcmp(op, ">=")) ok = got >= v;
    else if (!strcmp(op, "<=")) ok = got <= v;
    else if (!strcmp(op, ">")) ok = got > v;
    else if (!strcmp(op, "<")) ok = got < v;
    else return scn_perr(sc, "unknown operator '%s'", op);
    sc->checks++;
    if (!ok)
        return scn_ferr(sc, "counter %s is %" PRIu64 ", expected %s %" PRIu64, n, got, op, v);
    return 0;
}

int st_explain(struct scn *sc)
{
    struct vsmmu_txn t;
    if (txn_args(sc, &t) || scn_leftover(sc) || scn_instance(sc))
        return -1;
    struct vsmmu_result r;
    xp_explain(sc->s, sc->m, &t, sc->out, NULL, &r);
    return 0;
}

