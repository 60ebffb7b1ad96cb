/* SPDX-License-Identifier: MIT */
/* Scenario statements: the driver (init), translation tables, CD tables
 * and CDs, STEs. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "scn_int.h"

int st_init(struct scn *sc)
{
    struct gd_opts o = { .st2l = true };
    const char *st = scn_arg(sc, "strtab");
    uint64_t sidbits = 0, cq = 0, eq = 0;
    if (st && cli_streq(st, "linear"))
        o.st2l = false;
    else if (st && !cli_streq(st, "2level"))
        return scn_perr(sc, "field 'strtab': expected linear or 2level, got '%s'", st);
    if (scn_opt_num(sc, "sidbits", &sidbits) ||
        scn_opt_num(sc, "cmdq", &cq) || scn_opt_num(sc, "evtq", &eq) || scn_leftover(sc))
        return -1;
    if (scn_range_check(sc, "sidbits", sidbits, 24) || scn_range_check(sc, "cmdq", cq, 19) ||
        scn_range_check(sc, "evtq", eq, 19))
        return -1;
    o.sid_bits = (unsigned)sidbits;
    o.cmdq_log2 = (unsigned)cq;
    o.evtq_log2 = (unsigned)eq;
    if (scn_instance(sc))
        return -1;
    if (gd_probe(&sc->g) || gd_reset(&sc->g, &o))
        return scn_ferr(sc, "driver reset/enable failed: %s", sc->g.err);
    sc->inited = true;
    if (scn_set_sym(sc, "strtab", sc->g.strtab) || scn_set_sym(sc, "cmdq", sc->g.cmdq) ||
        scn_set_sym(sc, "evtq", sc->g.evtq))
        return -1;
    if (sc->verbose)
        fprintf(sc->out, "  init: %s stream table, 2^%u StreamIDs at 0x%" PRIx64 ", cmdq 2^%u, "
                         "evtq 2^%u\n", sc->g.st2l ? "2-level" : "linear", sc->g.log2size,
                sc->g.strtab, sc->g.cmdq_log2, sc->g.evtq_log2);
    return 0;
}

struct pt *scn_find_pt(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->npt; i++)
        if (!strcmp(sc->pt[i].name, name))
            return &sc->pt[i].pt;
    return NULL;
}

static int granule_arg(struct scn *sc, const char *key, unsigned *g)
{
    const char *s = scn_arg(sc, key);
    if (!s)
        return 0;
    uint64_t v;
    if (cli_parse_u64(s, &v) || (v != 4096 && v != 16384 && v != 65536))
        return scn_perr(sc, "field '%s': expected 4K, 16K or 64K, got '%s'", key, s);
    *g = (unsigned)__builtin_ctzll(v);
    return 0;
}

int st_pgtable(struct scn *sc)
{
    const char *name = scn_pos(sc, 1);
    uint64_t stage = 1, ias = 0;
    unsigned g = 12;
    if (!name)
        return scn_perr(sc, "missing NAME");
    if (scn_req_num(sc, "stage", &stage) || granule_arg(sc, "granule", &g) || scn_opt_num(sc, "ias", &ias))
        return -1;
    if (stage != 1 && stage != 2)
        return scn_perr(sc, "field 'stage': must be 1 or 2");
    if (scn_instance(sc))
        return -1;
    struct pool *p = scn_pool_arg(sc);
    if (!p || scn_leftover(sc))
        return -1;
    if (!ias)
        ias = stage == 1 ? 48 : (scn_oas(sc) < 48 ? scn_oas(sc) : 48);
    if (scn_find_pt(sc, name))
        return scn_perr(sc, "a page table named '%s' already exists", name);
    if (sc->npt >= SCN_MAX_PT)
        return scn_perr(sc, "too many page tables (max %d)", SCN_MAX_PT);
    char err[160];
    struct pt *t = &sc->pt[sc->npt].pt;
    if (pt_init(t, sc->m, p, (int)stage, g, (unsigned)ias, err, sizeof(err)))
        return scn_perr(sc, "%s", err);
    snprintf(sc->pt[sc->npt].name, sizeof(sc->pt[0].name), "%s", name);
    sc->npt++;
    return scn_set_sym(sc, name, pt_ttb(t));
}

static int pt_pos(struct scn *sc, struct pt **t)
{
    const char *n = scn_pos(sc, 1);
    if (!n)
        return scn_perr(sc, "missing page table NAME");
    if (!(*t = scn_find_pt(sc, n)))
        return scn_perr(sc, "no page table named '%s' (create it with 'pgtable')", n);
    return 0;
}

int st_map(struct scn *sc)
{
    struct pt *t;
    uint64_t iova, pa, size, page;
    if (pt_pos(sc, &t) || scn_pos_num(sc, 2, "IOVA", &iova) || scn_pos_num(sc, 3, "PA", &pa) ||
        scn_pos_num(sc, 4, "SIZE", &size))
        return -1;
    page = 1ull << t->g;
    if (scn_opt_num(sc, "page", &page))
        return -1;
    struct pt_attr a = { .r = true, .w = true, .attr = PT_ATTR_WB };
    const char *perm = scn_arg(sc, "perm");
    if (perm) {
        a.r = a.w = a.x = false;
        if (!cli_streq(perm, "none"))
            for (const char *c = perm; *c; c++) {
                if (*c == 'r') a.r = true;
                else if (*c == 'w') a.w = true;
                else if (*c == 'x') a.x = true;
                else return scn_perr(sc, "field 'perm': '%s' is not r, w, x letters or none", perm);
            }
    }
    const char *at = scn_arg(sc, "attr");
    if (at) {
        if (cli_streq(at, "wb")) a.attr = PT_ATTR_WB;
        else if (cli_streq(at, "nc")) a.attr = PT_ATTR_NC;
        else if (cli_streq(at, "dev")) a.attr = PT_ATTR_DEV;
        else return scn_perr(sc, "field 'attr': expected wb, nc or dev, got '%s'", at);
    }
    a.priv_only = scn_flag(sc, "priv");
    a.global = scn_flag(sc, "global");
    a.noaf = scn_flag(sc, "noaf");
    a.dbm = scn_flag(sc, "dbm");
    if (scn_leftover(sc))
        return -1;
    char err[160];
    if (pt_map(t, iova, pa, size, page, &a, err, sizeof(err)))
        return scn_perr(sc, "%s", err);
    return 0;
}

int st_unmap(struct scn *sc)
{
    struct pt *t;
    uint64_t iova, size;
    if (pt_pos(sc, &t) || scn_pos_num(sc, 2, "IOVA", &iova) || scn_pos_num(sc, 3, "SIZE", &size) ||
        scn_leftover(sc))
        return -1;
    char err[160];
    if (pt_unmap(t, iova, size, err, sizeof(err)))
        return scn_perr(sc, "%s", err);
    return 0;
}

/* pte NAME PT IOVA: $NAME = PA of the leaf descriptor mapping IOVA */
int st_pte(struct scn *sc)
{
    const char *name = scn_pos(sc, 1);
    struct pt *t;
    uint64_t iova, pa;
    int level;
    if (!name)
        return scn_perr(sc, "missing NAME");
    const char *ptn = scn_pos(sc, 2);
    if (!ptn)
        return scn_perr(sc, "missing page table");
    if (!(t = scn_find_pt(sc, ptn)))
        return scn_perr(sc, "no page table named '%s'", ptn);
    if (scn_pos_num(sc, 3, "IOVA", &iova) || scn_leftover(sc))
        return -1;
    if (pt_leaf(t, iova, &pa, &level))
        return scn_ferr(sc, "0x%" PRIx64 " is not mapped in '%s'", iova, ptn);
    return scn_set_sym(sc, name, pa);
}

struct scn_cdt *scn_find_cdt(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->ncdt; i++)
        if (!strcmp(sc->cdt[i].name, name))
            return &sc->cdt[i];
    return NULL;
}

int st_cdtable(struct scn *sc)
{
    const char *name = scn_pos(sc, 1);
    uint64_t cdmax = 0;
    unsigned fmt = 0;
    if (!name)
        return scn_perr(sc, "missing NAME");
    if (scn_opt_num(sc, "cdmax", &cdmax) || scn_range_check(sc, "cdmax", cdmax, 20))
        return -1;
    const char *f = scn_arg(sc, "fmt");
    if (f) {
        if (cli_streq(f, "linear")) fmt = 0;
        else if (cli_streq(f, "2lvl-4k")) fmt = 1;
        else if (cli_streq(f, "2lvl-64k")) fmt = 2;
        else return scn_perr(sc, "field 'fmt': expected linear, 2lvl-4k or 2lvl-64k, got '%s'", f);
    }
    if (scn_instance(sc))
        return -1;
    struct pool *p = scn_pool_arg(sc);
    if (!p || scn_leftover(sc))
        return -1;
    if (scn_find_cdt(sc, name))
        return scn_perr(sc, "a CD table named '%s' already exists", name);
    if (sc->ncdt >= SCN_MAX_CDT)
        return scn_perr(sc, "too many CD tables (max %d)", SCN_MAX_CDT);
    uint64_t size;
    if (fmt == 0)
        size = 64ull << cdmax;
    else {
        unsigned l2bits = fmt == 1 ? 6 : 10;
        size = 8ull << (cdmax > l2bits ? cdmax - l2bits : 0);
        if (size < 64)
            size = 64;
    }
    struct scn_cdt *c = &sc->cdt[sc->ncdt];
    if (pool_alloc(sc->m, p, size, size, &c->pa))
        return scn_ferr(sc, "out of memory for the CD table (%" PRIu64 " bytes)", size);
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->pool = p;
    c->cdmax = (unsigned)cdmax;
    c->fmt = fmt;
    sc->ncdt++;
    return scn_set_sym(sc, name, pool_addr(p, c->pa));
}

/* Set FIELD=VALUE tokens that name fields of table t; others stay unused. */
static int raw_fields(struct scn *sc, const struct ftab *t, uint64_t *raw)
{
    for (int i = 1; i < sc->ntok; i++) {
        if (sc->used[i])
            continue;
        char *eq = strchr(sc->tok[i], '=');
        if (!eq)
            continue;
        *eq = 0;
        const struct fdef *f = ft_find(t, sc->tok[i]);
        *eq = '=';
        if (!f)
            continue;
        sc->used[i] = true;
        uint64_t v;
        if (scn_eval(sc, f->name, eq + 1, &v))
            return -1;
        if (ft_is_addr(f))   /* given as a byte address */
            v >>= __builtin_ctzll(f->mask);
        if (ft_set(f, raw, v))
            return scn_perr(sc, "field '%s': value 0x%" PRIx64 " does not fit the %s field", f->name,
                        v, t->name);
    }
    return 0;
}

int st_cd(struct scn *sc)
{
    const char *tn = scn_pos(sc, 1);
    uint64_t ssid = 0, asid = 0;
    if (!tn)
        return scn_perr(sc, "missing CD table NAME");
    struct scn_cdt *c = scn_find_cdt(sc, tn);
    if (!c)
        return scn_perr(sc, "no CD table named '%s' (create it with 'cdtable')", tn);
    if (scn_opt_num(sc, "ssid", &ssid) || scn_opt_num(sc, "asid", &asid) ||
        scn_range_check(sc, "ssid", ssid, (1ull << c->cdmax) - 1) || scn_range_check(sc, "asid", asid, 0xffff))
        return -1;
    uint64_t raw[8] = { 0 };
    const char *ptn = scn_arg(sc, "pgtable");
    if (ptn) {
        struct pt *t = scn_find_pt(sc, ptn);
        if (!t || t->stage != 1)
            return scn_perr(sc, "field 'pgtable': no stage-1 page table named '%s'", ptn);
        cd_s1(raw, t, (uint16_t)asid, scn_oas(sc));
    }
    if (raw_fields(sc, &ft_cd, raw) || scn_leftover(sc))
        return -1;
    uint64_t cdpa;
    if (c->fmt == 0) {
        cdpa = c->pa + ssid * 64;
    } else {
        unsigned l2bits = c->fmt == 1 ? 6 : 10;
        uint64_t l1 = c->pa + (c->cdmax > l2bits ? (ssid >> l2bits) : 0) * 8;
        uint64_t d = kit_r64(sc->m, l1);
        const struct fdef *v = ft_find(&ft_l1cd, "V"), *p = ft_find(&ft_l1cd, "L2Ptr");
        if (!ft_get(v, &d)) {
            uint64_t sz = 64ull << l2bits, l2;
            if (pool_alloc(sc->m, c->pool, sz, sz, &l2))
                return scn_ferr(sc, "out of memory for a level-2 CD table");
            d = 0;
            ft_set(v, &d, 1);
            ft_set(p, &d, pool_addr(c->pool, l2) >> 12);
            kit_w64(sc->m, l1, d);
        }
        cdpa = pool_pa(c->pool, ft_get(p, &d) << 12) + (ssid & ((1ull << l2bits) - 1)) * 64;
    }
    for (int i = 7; i >= 0; i--)   /* DW0 (V) last */
        kit_w64(sc->m, cdpa + 8 * (uint64_t)i, raw[i]);
    return 0;
}

int st_ste(struct scn *sc)
{
    uint64_t sid, vmid = 0;
    if (scn_pos_num(sc, 1, "SID", &sid) || scn_range_check(sc, "SID", sid, 0xffffffffu))
        return -1;
    const char *kind = scn_pos(sc, 2);
    if (!kind)
        return scn_perr(sc, "missing KIND (abort, bypass, s1, s2, nested or invalid)");
    if (scn_opt_num(sc, "vmid", &vmid) || scn_range_check(sc, "vmid", vmid, 0xffff))
        return -1;
    uint64_t raw[8];
    const char *cn = scn_arg(sc, "cdtable"), *s2n = scn_arg(sc, "s2");
    const char *dss = scn_arg(sc, "s1dss");
    struct scn_cdt *c = NULL;
    struct pt *s2 = NULL;
    if (cn && !(c = scn_find_cdt(sc, cn)))
        return scn_perr(sc, "field 'cdtable': no CD table named '%s'", cn);
    if (s2n && (!(s2 = scn_find_pt(sc, s2n)) || s2->stage != 2))
        return scn_perr(sc, "field 's2': no stage-2 page table named '%s'", s2n);
    unsigned s1dss = 0;
    if (dss) {
        uint64_t v;
        if (cli_streq(dss, "terminate")) s1dss = 0;
        else if (cli_streq(dss, "bypass")) s1dss = 1;
        else if (cli_streq(dss, "ssid0")) s1dss = 2;
        else if (!cli_parse_u64(dss, &v) && v < 4) s1dss = (unsigned)v;
        else return scn_perr(sc, "field 's1dss': expected terminate, bypass or ssid0, got '%s'", dss);
    }
    bool want_s1 = false, want_s2 = false;
    if (cli_streq(kind, "abort")) {
        ste_abort(raw);
    } else if (cli_streq(kind, "bypass")) {
        ste_bypass(raw);
    } else if (cli_streq(kind, "invalid")) {
        memset(raw, 0, sizeof(raw));
    } else if (cli_streq(kind, "s1")) {
        want_s1 = true;
    } else if (cli_streq(kind, "s2")) {
        want_s2 = true;
    } else if (cli_streq(kind, "nested")) {
        want_s1 = want_s2 = true;
    } else {
        return scn_perr(sc, "KIND '%s': expected abort, bypass, s1, s2, nested or invalid", kind);
    }
    if (want_s1 && !c)
        return scn_perr(sc, "%s STE needs cdtable=NAME", kind);
    if (want_s2 && !s2)
        return scn_perr(sc, "%s STE needs s2=NAME (a stage-2 page table)", kind);
    if (want_s1)
        ste_s1(raw, pool_addr(c->pool, c->pa), c->cdmax, c->fmt, s1dss);
    else if (want_s2)
        ste_abort(raw);
    if (want_s2)
        ste_add_s2(raw, s2, (uint16_t)vmid, scn_oas(sc));
    else if (vmid)
        ft_setn(&ft_ste, raw, "S2VMID", vmid);
    if (raw_fields(sc, &ft_ste, raw) || scn_leftover(sc) || scn_need_init(sc))
        return -1;
    if (gd_ste_write(&sc->g, (uint32_t)sid, raw))
        return scn_ferr(sc, "%s", sc->g.err);
    uint64_t pa;
    char nm[32];
    snprintf(nm, sizeof(nm), "ste%u", (unsigned)sid);
    if (!gd_ste_addr(&sc->g, (uint32_t)sid, &pa))
        return scn_set_sym(sc, nm, pa);   /* $steN: where the STE is */
    return 0;
}

