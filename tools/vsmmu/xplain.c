/* SPDX-License-Identifier: MIT */
/* vsmmu explain core: collects the VSMMU_TR_* records of one probe
 * translation and prints them decoded (STE, CD, every descriptor of every
 * stage, the result or the fault and its event record). */
#include <inttypes.h>
#include <string.h>

#include "bits.h"
#include "mem.h"
#include "spec/regs.h"
#include "fields.h"
#include "xplain.h"

const char *xp_perm_str(unsigned perm, char buf[4])
{
    int n = 0;
    if (perm & VSMMU_PERM_R)
        buf[n++] = 'r';
    if (perm & VSMMU_PERM_W)
        buf[n++] = 'w';
    if (perm & VSMMU_PERM_X)
        buf[n++] = 'x';
    if (!n)
        buf[n++] = '-';
    buf[n] = 0;
    return buf;
}

const char *xp_outcome_str(enum vsmmu_outcome o)
{
    switch (o) {
    case VSMMU_XLATE_OK: return "ok";
    case VSMMU_XLATE_ABORT: return "abort";
    case VSMMU_XLATE_RAZWI: return "razwi";
    case VSMMU_XLATE_STALL: return "stall";
    }
    return "?";
}

int xp_access_word(const char *w, uint32_t *flags)
{
    if (cli_streq(w, "r") || cli_streq(w, "read"))
        return 0;
    if (cli_streq(w, "w") || cli_streq(w, "write"))
        *flags |= VSMMU_TXN_WRITE;
    else if (cli_streq(w, "x") || cli_streq(w, "exec"))
        *flags |= VSMMU_TXN_EXEC;
    else if (cli_streq(w, "atomic"))
        *flags |= VSMMU_TXN_ATOMIC;
    else if (cli_streq(w, "priv"))
        *flags |= VSMMU_TXN_PRIV;
    else
        return -1;
    return 0;
}

/* The fields each event type defines (IHI0070 7.3), printed always (even
 * when 0); the others are RES0 and not shown. */
void xp_print_event(FILE *out, const uint64_t ev[4], const char *indent)
{
    unsigned type = (unsigned)(ev[0] & 0xff);
    const char *n = cli_event_name(type);
    fprintf(out, "%sevent %s (0x%02x): %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64
                 "\n", indent, n ? n : "?", type, ev[0], ev[1], ev[2], ev[3]);
    bool xlate = type >= 0x10 && type <= 0x13;
    bool attrs = xlate || type == 0x0B || type == 0x20 || type == 0x01;
    bool fetch = type == 0x03 || type == 0x09 || type == 0x0B || type == 0x25;
    bool input = attrs || type == 0x07;
    bool ssid_always = type == 0x08;
    bool no_ssid = type == 0x06 || type == 0x07 || type == 0x08 || type == 0x02;
    fprintf(out, "%s  StreamID=0x%" PRIx64, indent, ft_getn(&ft_evt, ev, "StreamID"));
    if (ssid_always || (!no_ssid && ft_getn(&ft_evt, ev, "SSV")))
        fprintf(out, " SubstreamID=0x%" PRIx64, ft_getn(&ft_evt, ev, "SubstreamID"));
    if (!no_ssid)
        fprintf(out, " SSV=%" PRIu64, ft_getn(&ft_evt, ev, "SSV"));
    if (attrs)
        fprintf(out, " PnU=%" PRIu64 " InD=%" PRIu64 " RnW=%" PRIu64, ft_getn(&ft_evt, ev, "PnU"),
                ft_getn(&ft_evt, ev, "InD"), ft_getn(&ft_evt, ev, "RnW"));
    else if (type == 0x07)
        fprintf(out, " RnW=%" PRIu64, ft_getn(&ft_evt, ev, "RnW"));
    if (xlate || type == 0x0B || type == 0x20) {
        static const char *const cls[4] = { "CD", "TT", "IN", "rsvd" };
        fprintf(out, " S2=%" PRIu64, ft_getn(&ft_evt, ev, "S2"));
        if (type != 0x20)
            fprintf(out, " CLASS=%s", cls[ft_getn(&ft_evt, ev, "CLASS") & 3]);
    }
    if (xlate) {
        fprintf(out, " Stall=%" PRIu64, ft_getn(&ft_evt, ev, "Stall"));
        if (ft_getn(&ft_evt, ev, "Stall"))
            fprintf(out, " STAG=0x%" PRIx64, ft_getn(&ft_evt, ev, "STAG"));
        if (type == 0x13 && ft_getn(&ft_evt, ev, "CLASS") == 1)
            fprintf(out, " TTRnW=%" PRIu64, ft_getn(&ft_evt, ev, "TTRnW"));
    }
    fputc('\n', out);
    if (input || fetch || (xlate && ft_getn(&ft_evt, ev, "S2"))) {
        fprintf(out, "%s ", indent);
        if (input)
            fprintf(out, " InputAddr=0x%" PRIx64, ev[2]);
        if ((xlate || type == 0x20) && ft_getn(&ft_evt, ev, "S2"))
            fprintf(out, " IPA=0x%" PRIx64, ft_getn(&ft_evt, ev, "IPA") << 12);
        if (fetch)
            fprintf(out, " FetchAddr=0x%" PRIx64, ft_getn(&ft_evt, ev, "FetchAddr") << 3);
        fputc('\n', out);
    }
}

struct xp_ctx {
    FILE *out;
    struct jw *w;
    unsigned steps;
    bool saw_ste, saw_config;
};

static const char *kind_name(unsigned k)
{
    static const char *const n[] = { "mmio-read", "mmio-write", "txn", "config", "l1std", "ste",
                                     "l1cd", "cd", "desc", "httu", "tlb-hit", "tlb-miss",
                                     "result", "fault", "cmd", "cerror", "event", "gerror",
                                     "irq" };
    return k < sizeof(n) / sizeof(n[0]) ? n[k] : "?";
}

static void json_fields(struct jw *w, const struct ftab *t, const uint64_t *raw)
{
    jw_obj(w, "fields");
    for (const struct fdef *f = t->f; f->name; f++) {
        uint64_t v = ft_get(f, raw);
        if (!v)
            continue;
        if (ft_is_addr(f))   /* addresses as byte addresses, in hex */
            jw_hex(w, f->name, v << __builtin_ctzll(f->mask));
        else
            jw_u64(w, f->name, v);
    }
    jw_end_obj(w);
}

static void desc_text(FILE *out, const struct vsmmu_trace_rec *r)
{
    uint64_t d = r->nraw ? r->raw[0] : 0;
    unsigned stage = (unsigned)r->a1, lvl = (unsigned)r->a2;
    fprintf(out, "  S%u L%u descriptor @0x%" PRIx64 " = 0x%016" PRIx64 "  (input 0x%" PRIx64 ")",
            stage, lvl, r->a0, d, r->a3);
    if (!(d & 1)) {
        fprintf(out, " invalid\n");
        return;
    }
    uint64_t oa = d & GENMASK(47, 12);
    if (lvl < 3 && (d & 2)) {
        fprintf(out, " table -> 0x%" PRIx64 "\n", oa);
        if (stage == 1)
            ft_print(out, &ft_tabledesc, &d, false, "      ");
        return;
    }
    if (lvl == 3 && !(d & 2)) {
        fprintf(out, " reserved (L3 with bit[1]=0)\n");
        return;
    }
    fprintf(out, " %s OA 0x%" PRIx64 "\n", lvl == 3 ? "page" : "block", oa);
    ft_print(out, stage == 2 ? &ft_s2desc : &ft_s1desc, &d, true, "      ");
}

static void on_trace(void *opaque, const struct vsmmu_trace_rec *r)
{
    struct xp_ctx *c = opaque;
    if (r->kind == VSMMU_TR_MMIO_READ || r->kind == VSMMU_TR_MMIO_WRITE)
        return;
    c->steps++;
    if (r->kind == VSMMU_TR_STE)
        c->saw_ste = true;
    if (r->kind == VSMMU_TR_CONFIG && r->a0)
        c->saw_config = true;
    if (c->w) {
        struct jw *w = c->w;
        jw_obj(w, NULL);
        jw_str(w, "kind", kind_name(r->kind));
        jw_hex(w, "a0", r->a0);
        jw_hex(w, "a1", r->a1);
        jw_hex(w, "a2", r->a2);
        jw_hex(w, "a3", r->a3);
        if (r->nraw) {
            jw_arr(w, "raw");
            for (unsigned i = 0; i < r->nraw && i < 8; i++)
                jw_hex(w, NULL, r->raw[i]);
            jw_end_arr(w);
        }
        const struct ftab *t = NULL;
        switch (r->kind) {
        case VSMMU_TR_STE: t = &ft_ste; break;
        case VSMMU_TR_CD: t = &ft_cd; break;
        case VSMMU_TR_L1STD: t = &ft_l1std; break;
        case VSMMU_TR_L1CD: t = &ft_l1cd; break;
        case VSMMU_TR_FAULT: t = &ft_evt; break;
        case VSMMU_TR_DESC:
            if (r->nraw && (r->raw[0] & 1) && !(r->a2 < 3 && (r->raw[0] & 2)))
                t = r->a1 == 2 ? &ft_s2desc : &ft_s1desc;
            break;
        default: break;
        }
        if (t && r->nraw >= t->ndw)
            json_fields(w, t, r->raw);
        if (r->msg)
            jw_str(w, "note", r->msg);
        jw_end_obj(w);
        return;
    }
    FILE *out = c->out;
    switch (r->kind) {
    case VSMMU_TR_TXN:
        fprintf(out, "  transaction: StreamID 0x%" PRIx64, r->a0);
        if (r->a1 != ~0ull && r->a1 != 0xffffffffull)
            fprintf(out, " SubstreamID 0x%" PRIx64, r->a1);
        fprintf(out, " address 0x%" PRIx64 " flags 0x%" PRIx64 "\n", r->a2, r->a3);
        break;
    case VSMMU_TR_CONFIG:
        fprintf(out, "  configuration from %s\n", r->a0 ? "the stream table" : "GBPA (SMMUEN=0)");
        break;
    case VSMMU_TR_L1STD:
        fprintf(out, "  L1STD @0x%" PRIx64 " = 0x%016" PRIx64 "\n", r->a0, r->nraw ? r->raw[0] : 0);
        if (r->nraw)
            ft_print(out, &ft_l1std, r->raw, true, "      ");
        break;
    case VSMMU_TR_STE:
        fprintf(out, "  STE @0x%" PRIx64 "\n", r->a0);
        if (r->nraw >= 8)
            ft_print(out, &ft_ste, r->raw, false, "      ");
        break;
    case VSMMU_TR_L1CD:
        fprintf(out, "  L1CD @0x%" PRIx64 " = 0x%016" PRIx64 "\n", r->a0, r->nraw ? r->raw[0] : 0);
        if (r->nraw)
            ft_print(out, &ft_l1cd, r->raw, true, "      ");
        break;
    case VSMMU_TR_CD:
        fprintf(out, "  CD @0x%" PRIx64 " (PA)\n", r->a0);
        if (r->nraw >= 8)
            ft_print(out, &ft_cd, r->raw, false, "      ");
        break;
    case VSMMU_TR_DESC:
        desc_text(out, r);
        break;
    case VSMMU_TR_HTTU:
        fprintf(out, "  HTTU update @0x%" PRIx64 ": 0x%016" PRIx64 " -> 0x%016" PRIx64 "\n", r->a0,
                r->a1, r->a2);
        break;
    case VSMMU_TR_TLB_HIT:
        if (r->a1)
            fprintf(out, "  translation cache hit (stage %" PRIu64 " entry) for 0x%" PRIx64 "\n",
                    r->a1, r->a0);
        else
            fprintf(out, "  translation cache hit for 0x%" PRIx64 "\n", r->a0);
        break;
    case VSMMU_TR_TLB_MISS:
        fprintf(out, "  translation cache miss for 0x%" PRIx64 "\n", r->a0);
        break;
    case VSMMU_TR_RESULT: {
        char pb[4];
        fprintf(out, "  result: OA 0x%" PRIx64 " perm %s size 2^%" PRIu64 "\n", r->a0,
                xp_perm_str((unsigned)r->a1, pb), r->a2);
        break;
    }
    case VSMMU_TR_FAULT:
        if (r->nraw >= 4) {
            fprintf(out, "  fault:\n");
            xp_print_event(out, r->raw, "    ");
        }
        else
            fprintf(out, "  fault: type 0x%02" PRIx64 "\n", r->a0);
        break;
    default:
        fprintf(out, "  %s a0=0x%" PRIx64 " a1=0x%" PRIx64 "\n", kind_name(r->kind), r->a0, r->a1);
        break;
    }
    if (r->msg)
        fprintf(out, "      note: %s\n", r->msg);
}

/* Where the STE of sid is, from STRTAB_BASE/_CFG and (2-level) the L1STD
 * (IHI0070 3.3.1); 0 if out of range or not reachable. */
static uint64_t ste_pa(struct vsmmu *s, struct kit_mem *m, uint32_t sid)
{
    uint64_t base = 0, cfg = 0;
    vsmmu_mmio_read(s, SMMU_STRTAB_BASE, 8, &base);
    vsmmu_mmio_read(s, SMMU_STRTAB_BASE_CFG, 4, &cfg);
    base &= STRTAB_BASE_ADDR;
    unsigned log2 = (unsigned)FIELD_GET(STRTAB_CFG_LOG2SIZE, cfg);
    unsigned split = (unsigned)FIELD_GET(STRTAB_CFG_SPLIT, cfg);
    if (log2 < 32 && sid >> log2)
        return 0;
    if (FIELD_GET(STRTAB_CFG_FMT, cfg) != STRTAB_FMT_2LVL)
        return base + (uint64_t)sid * 64;
    if (split != 8 && split != 10)
        split = 6;
    uint64_t d;
    if (kit_mem_r64(m, base + (uint64_t)(sid >> split) * 8, &d))
        return 0;
    unsigned span = (unsigned)ft_getn(&ft_l1std, &d, "Span");
    uint32_t idx = sid & ((1u << split) - 1);
    if (!span || span > split + 1 || idx >= (1u << (span - 1)))
        return 0;
    return (ft_getn(&ft_l1std, &d, "L2Ptr") << 6) + (uint64_t)idx * 64;
}

int xp_explain(struct vsmmu *s, struct kit_mem *m, const struct vsmmu_txn *txn, FILE *out,
               struct jw *w, struct vsmmu_result *res)
{
    struct xp_ctx c = { .out = out, .w = w };
    struct vsmmu_txn t = *txn;
    t.flags |= VSMMU_TXN_NOEVENT;
    if (w) {
        jw_obj(w, "explain");
        jw_obj(w, "transaction");
        jw_u64(w, "sid", t.sid);
        if (t.flags & VSMMU_TXN_SSV)
            jw_u64(w, "ssid", t.ssid);
        jw_hex(w, "addr", t.addr);
        jw_hex(w, "flags", t.flags);
        jw_end_obj(w);
        jw_arr(w, "steps");
    } else {
        fprintf(out, "explain: StreamID 0x%x", t.sid);
        if (t.flags & VSMMU_TXN_SSV)
            fprintf(out, " SubstreamID 0x%x", t.ssid);
        fprintf(out, " address 0x%" PRIx64 " %s%s%s%s\n", t.addr,
                t.flags & VSMMU_TXN_ATOMIC ? "atomic" : t.flags & VSMMU_TXN_WRITE ? "write"
                : t.flags & VSMMU_TXN_EXEC ? "exec" : "read",
                t.flags & VSMMU_TXN_PRIV ? " privileged" : " unprivileged", "", "");
    }
    vsmmu_set_trace(s, on_trace, &c);
    int rc = vsmmu_translate(s, &t, res);
    vsmmu_set_trace(s, NULL, NULL);
    if (w) {
        jw_end_arr(w);
        jw_obj(w, "result");
        jw_str(w, "outcome", xp_outcome_str(res->outcome));
        if (res->outcome == VSMMU_XLATE_OK) {
            char pb[4];
            jw_hex(w, "out_addr", res->out_addr);
            jw_str(w, "perm", xp_perm_str(res->perm, pb));
            jw_u64(w, "size_log2", res->size_log2);
            jw_hex(w, "memattr", res->memattr);
            jw_u64(w, "sh", res->sh);
            jw_bool(w, "bypass", res->bypass);
        }
        if (res->has_event) {
            unsigned type = (unsigned)(res->event[0] & 0xff);
            const char *n = cli_event_name(type);
            jw_str(w, "event", n ? n : "?");
            jw_arr(w, "event_record");
            for (int i = 0; i < 4; i++)
                jw_hex(w, NULL, res->event[i]);
            jw_end_arr(w);
            json_fields(w, &ft_evt, res->event);
        }
        jw_end_obj(w);
        jw_end_obj(w);
        return rc;
    }
    if (!c.steps)
        fprintf(out, "  (the model reported no steps)\n");
    if (c.saw_config && !c.saw_ste && m) {
        uint64_t pa = ste_pa(s, m, t.sid), ste[8];
        bool ok = pa != 0;
        for (int i = 0; ok && i < 8; i++)
            ok = !kit_mem_r64(m, pa + 8 * (uint64_t)i, &ste[i]);
        if (ok) {
            fprintf(out, "  (configuration cache hit: no STE/CD fetch) STE in memory @0x%" PRIx64
                         "\n", pa);
            ft_print(out, &ft_ste, ste, false, "      ");
        }
    }
    if (rc) {
        fprintf(out, "  translate failed: %s\n", vsmmu_strerror(rc));
        return rc;
    }
    if (res->outcome == VSMMU_XLATE_OK) {
        static const char *const shn[4] = { "NSH", "rsvd", "OSH", "ISH" };
        char pb[4];
        fprintf(out, "=> output address 0x%" PRIx64 "  perm %s  mapping 2^%u bytes  memattr 0x%02x"
                     "  %s%s%s\n", res->out_addr, xp_perm_str(res->perm, pb), res->size_log2,
                res->memattr, shn[res->sh & 3], res->bypass ? "  (bypass)" : "",
                res->from_cache ? "  (cached)" : "");
    } else {
        fprintf(out, "=> %s", xp_outcome_str(res->outcome));
        if (res->has_event) {
            unsigned type = (unsigned)(res->event[0] & 0xff);
            const char *n = cli_event_name(type);
            fprintf(out, " with %s\n", n ? n : "an event");
            xp_print_event(out, res->event, "   ");
        } else {
            fprintf(out, " (no event recorded)\n");
        }
    }
    return rc;
}
