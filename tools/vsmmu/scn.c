/* SPDX-License-Identifier: MIT */
/* Scenario files: a line-oriented language (docs/scenarios.md) that
 * configures an instance, places data in guest memory, builds stream tables,
 * CDs and translation tables, writes registers, submits commands, issues DMA
 * transactions with their expected outcome and checks events. Every error
 * names the file, the line and the field. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "bits.h"
#include "fields.h"
#include "scn.h"
#include "spec/regs.h"
#include "xplain.h"
#include "vsmmu/accel.h"

/* ---- errors ---- */
static int report(struct scn *sc, int status, const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s:%u: ", sc->file ? sc->file : "<input>", sc->line);
    if (sc->ntok > 0)
        fprintf(stderr, "%s: ", sc->tok[0]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    if (!sc->status)
        sc->status = status;
    return -1;
}

/* Malformed statement (exit status 2). */
static int perr(struct scn *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct scn *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = report(sc, CLI_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return r;
}

/* A check or the model failed (exit status 1). */
static int ferr(struct scn *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int ferr(struct scn *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = report(sc, CLI_EXIT_FAIL, fmt, ap);
    va_end(ap);
    return r;
}

/* ---- symbols ---- */
static bool valid_name(const char *n)
{
    if (!*n || strlen(n) >= 32 || !(isalpha((unsigned char)*n) || *n == '_'))
        return false;
    for (; *n; n++)
        if (!(isalnum((unsigned char)*n) || *n == '_' || *n == '.'))
            return false;
    return true;
}

static int set_sym(struct scn *sc, const char *name, uint64_t v)
{
    if (!valid_name(name))
        return perr(sc, "'%s' is not a valid name (letters, digits, '_', '.'; at most 31)", name);
    for (unsigned i = 0; i < sc->nsym; i++)
        if (!strcmp(sc->sym[i].name, name)) {
            sc->sym[i].v = v;
            return 0;
        }
    if (sc->nsym >= SCN_MAX_SYMS)
        return perr(sc, "too many names (max %d)", SCN_MAX_SYMS);
    snprintf(sc->sym[sc->nsym].name, sizeof(sc->sym[0].name), "%s", name);
    sc->sym[sc->nsym++].v = v;
    return 0;
}

static int get_sym(struct scn *sc, const char *name, uint64_t *v)
{
    for (unsigned i = 0; i < sc->nsym; i++)
        if (!strcmp(sc->sym[i].name, name)) {
            *v = sc->sym[i].v;
            return 0;
        }
    return -1;
}

/* value := term (('+'|'-') term)* ; term := number | $name */
static int eval(struct scn *sc, const char *field, const char *s, uint64_t *out)
{
    uint64_t acc = 0;
    int sign = 1;
    const char *p = s;
    if (!*p)
        return perr(sc, "field '%s': empty value", field);
    while (*p) {
        const char *e = p + 1;
        while (*e && *e != '+' && *e != '-')
            e++;
        char buf[64];
        size_t l = (size_t)(e - p);
        if (l >= sizeof(buf))
            return perr(sc, "field '%s': value too long", field);
        memcpy(buf, p, l);
        buf[l] = 0;
        uint64_t v;
        if (buf[0] == '$') {
            if (get_sym(sc, buf + 1, &v))
                return perr(sc, "field '%s': unknown name '%s'", field, buf);
        } else if (cli_parse_u64(buf, &v)) {
            return perr(sc, "field '%s': '%s' is not a number", field, buf);
        }
        acc = sign > 0 ? acc + v : acc - v;
        if (!*e)
            break;
        sign = *e == '+' ? 1 : -1;
        p = e + 1;
        if (!*p)
            return perr(sc, "field '%s': value ends with an operator", field);
    }
    *out = acc;
    return 0;
}

/* ---- statement arguments ---- */
static const char *pos(struct scn *sc, int i)
{
    if (i >= sc->ntok || strchr(sc->tok[i], '='))
        return NULL;
    sc->used[i] = true;
    return sc->tok[i];
}

static const char *arg(struct scn *sc, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 1; i < sc->ntok; i++)
        if (!strncasecmp(sc->tok[i], key, kl) && sc->tok[i][kl] == '=') {
            sc->used[i] = true;
            return sc->tok[i] + kl + 1;
        }
    return NULL;
}

static bool flag(struct scn *sc, const char *word)
{
    for (int i = 1; i < sc->ntok; i++)
        if (!sc->used[i] && cli_streq(sc->tok[i], word)) {
            sc->used[i] = true;
            return true;
        }
    return false;
}

/* Optional numeric key=value (v keeps its default when absent). */
static int opt_num(struct scn *sc, const char *key, uint64_t *v)
{
    const char *s = arg(sc, key);
    return s ? eval(sc, key, s, v) : 0;
}

static int req_num(struct scn *sc, const char *key, uint64_t *v)
{
    const char *s = arg(sc, key);
    if (!s)
        return perr(sc, "missing %s=", key);
    return eval(sc, key, s, v);
}

static int pos_num(struct scn *sc, int i, const char *what, uint64_t *v)
{
    const char *s = pos(sc, i);
    if (!s)
        return perr(sc, "missing %s (operand %d)", what, i);
    return eval(sc, what, s, v);
}

static int leftover(struct scn *sc)
{
    for (int i = 1; i < sc->ntok; i++)
        if (!sc->used[i])
            return perr(sc, "unexpected argument '%s'", sc->tok[i]);
    return 0;
}

static int range_check(struct scn *sc, const char *field, uint64_t v, uint64_t max)
{
    if (v > max)
        return perr(sc, "field '%s': %" PRIu64 " out of range (max %" PRIu64 ")", field, v, max);
    return 0;
}

/* ---- instance ---- */
void scn_init(struct scn *sc, FILE *out)
{
    memset(sc, 0, sizeof(*sc));
    sc->out = out;
    vsmmu_config_profile(&sc->cfg, "full-v3.2");
    sc->m = kit_mem_new();
}

void scn_free(struct scn *sc)
{
    if (sc->s)
        vsmmu_destroy(sc->s);
    if (sc->host)
        vsmmu_destroy(sc->host);
    sc->host = NULL;
    kit_mem_free(sc->m);
    sc->s = NULL;
    sc->m = NULL;
}

static struct pool *find_pool(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->npool; i++)
        if (!strcmp(sc->pool[i].name, name))
            return &sc->pool[i].p;
    return NULL;
}

static int add_ram(struct scn *sc, const char *name, uint64_t base, uint64_t size, uint64_t ipa)
{
    if (sc->npool >= SCN_MAX_POOL)
        return perr(sc, "too many RAM regions (max %d)", SCN_MAX_POOL);
    if (!size || size > (1ull << 32))
        return perr(sc, "field 'SIZE': %" PRIu64 " bytes: must be 1..4G", size);
    if ((base | size) & 7)
        return perr(sc, "RAM base and size must be multiples of 8");
    for (unsigned i = 0; i < sc->npool; i++) {
        struct pool *p = &sc->pool[i].p;
        if (base < p->pa + p->size && p->pa < base + size)
            return perr(sc, "RAM region overlaps region '%s'", sc->pool[i].name);
    }
    if (kit_mem_add(sc->m, base, size))
        return ferr(sc, "cannot allocate %" PRIu64 " bytes of RAM", size);
    snprintf(sc->pool[sc->npool].name, sizeof(sc->pool[0].name), "%s", name);
    sc->pool[sc->npool].p = (struct pool){ .pa = base, .ipa = ipa, .size = size, .brk = base };
    sc->npool++;
    return set_sym(sc, name, base);
}

int scn_instance(struct scn *sc)
{
    if (sc->s)
        return 0;
    if (!sc->npool && add_ram(sc, "ram", 0x40000000, 64 << 20, 0x40000000))
        return -1;
    if (sc->no_cache)
        sc->cfg.tlb_entries = sc->cfg.cfg_entries = 0;   /* every lookup walks */
    struct vsmmu_host_ops ops;
    /* No direct RAM regions: every access goes through the host ops, so
     * 'poison' reaches table and queue fetches too. */
    kit_mem_ops(sc->m, &ops, false);
    char err[256];
    int rc = vsmmu_create(&sc->cfg, &ops, &sc->s, err, sizeof(err));
    if (rc)
        return ferr(sc, "cannot create the SMMU: %s", err);
    gd_init(&sc->g, sc->s, sc->m, &sc->pool[0].p);
    if (gd_probe(&sc->g) && sc->verbose)
        fprintf(sc->out, "  note: %s\n", sc->g.err);
    return 0;
}

/* OAS of the instance (the accelerated mode may have reduced it). */
static unsigned scn_oas(const struct scn *sc)
{
    return sc->s ? vsmmu_get_config(sc->s)->oas_bits : sc->cfg.oas_bits;
}

static int need_init(struct scn *sc)
{
    if (scn_instance(sc))
        return -1;
    if (!sc->inited)
        return perr(sc, "needs 'init' first (stream table and queues)");
    return 0;
}

/* ---- statements ---- */
static int st_config(struct scn *sc)
{
    if (sc->s)
        return perr(sc, "must come before the first statement that uses the SMMU");
    const char *prof = arg(sc, "profile");
    if (prof && vsmmu_config_profile(&sc->cfg, prof)) {
        const char *const *n = vsmmu_profile_names();
        char list[256] = "";
        for (; n && *n; n++) {
            strncat(list, " ", sizeof(list) - strlen(list) - 1);
            strncat(list, *n, sizeof(list) - strlen(list) - 1);
        }
        return perr(sc, "field 'profile': unknown profile '%s' (known:%s)", prof, list);
    }
    for (int i = 1; i < sc->ntok; i++) {
        if (sc->used[i])
            continue;
        char *eq = strchr(sc->tok[i], '=');
        if (!eq)
            return perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
        *eq = 0;
        uint64_t v;
        int rc = eval(sc, sc->tok[i], eq + 1, &v);
        char err[160];
        if (!rc && cli_config_set(&sc->cfg, sc->tok[i], v, err, sizeof(err)))
            rc = perr(sc, "%s", err);
        *eq = '=';
        if (rc)
            return -1;
        sc->used[i] = true;
    }
    char err[256];
    if (vsmmu_config_check(&sc->cfg, err, sizeof(err)))
        return perr(sc, "inconsistent configuration: %s", err);
    return 0;
}

static int st_ram(struct scn *sc)
{
    uint64_t base, size;
    if (sc->s)
        return perr(sc, "RAM must be declared before the first statement that uses the SMMU");
    if (pos_num(sc, 1, "BASE", &base) || pos_num(sc, 2, "SIZE", &size))
        return -1;
    uint64_t ipa = base;
    if (opt_num(sc, "ipa", &ipa))
        return -1;
    const char *name = arg(sc, "name");
    char def[32];
    snprintf(def, sizeof(def), sc->npool ? "ram%u" : "ram", sc->npool);
    if (leftover(sc))
        return -1;
    return add_ram(sc, name ? name : def, base, size, ipa);
}

static struct pool *pool_arg(struct scn *sc)
{
    const char *pn = arg(sc, "pool");
    if (!pn)
        return &sc->pool[0].p;
    struct pool *p = find_pool(sc, pn);
    if (!p)
        perr(sc, "field 'pool': no RAM region named '%s'", pn);
    return p;
}

static int st_alloc(struct scn *sc)
{
    const char *name = pos(sc, 1);
    uint64_t size, align = 64, pa;
    if (!name)
        return perr(sc, "missing NAME");
    if (pos_num(sc, 2, "SIZE", &size) || opt_num(sc, "align", &align) || scn_instance(sc))
        return -1;
    struct pool *p = pool_arg(sc);
    if (!p || leftover(sc))
        return -1;
    if (align & (align - 1))
        return perr(sc, "field 'align': must be a power of two");
    if (pool_alloc(sc->m, p, size, align, &pa))
        return ferr(sc, "out of memory in the RAM region (%" PRIu64 " bytes)", size);
    return set_sym(sc, name, pa);
}

static int st_let(struct scn *sc)
{
    const char *name = pos(sc, 1);
    int vi = 2;
    if (!name)
        return perr(sc, "missing NAME");
    if (sc->ntok > 2 && !strcmp(sc->tok[2], "=")) {
        sc->used[2] = true;
        vi = 3;
    }
    uint64_t v;
    if (pos_num(sc, vi, "VALUE", &v) || leftover(sc))
        return -1;
    return set_sym(sc, name, v);
}

static int st_write(struct scn *sc, unsigned size)
{
    uint64_t a;
    if (pos_num(sc, 1, "ADDR", &a) || scn_instance(sc))
        return -1;
    if (sc->ntok < 3)
        return perr(sc, "missing VALUE");
    for (int i = 2; i < sc->ntok; i++) {
        uint64_t v;
        if (pos_num(sc, i, "VALUE", &v))
            return -1;
        if (size == 4 && v > 0xffffffffu)
            return perr(sc, "VALUE 0x%" PRIx64 " does not fit 32 bits", v);
        void *p = kit_mem_ptr(sc->m, a, size);
        if (!p)
            return ferr(sc, "address 0x%" PRIx64 " is not RAM", a);
        if (size == 8)
            kit_w64(sc->m, a, v);
        else
            kit_w32(sc->m, a, (uint32_t)v);
        a += size;
    }
    return 0;
}

static int st_expect_mem(struct scn *sc, unsigned size)
{
    uint64_t a, v, mask = ~0ull;
    if (pos_num(sc, 1, "ADDR", &a) || pos_num(sc, 2, "VALUE", &v) || opt_num(sc, "mask", &mask) ||
        leftover(sc) || scn_instance(sc))
        return -1;
    if (!kit_mem_ptr(sc->m, a, size))
        return ferr(sc, "address 0x%" PRIx64 " is not RAM", a);
    uint64_t got = size == 8 ? kit_r64(sc->m, a) : kit_r32(sc->m, a);
    sc->checks++;
    if ((got & mask) != (v & mask))
        return ferr(sc, "memory at 0x%" PRIx64 ": expected 0x%" PRIx64 ", found 0x%" PRIx64
                        " (mask 0x%" PRIx64 ")", a, v & mask, got & mask, mask);
    return 0;
}

static int st_load(struct scn *sc)
{
    uint64_t a;
    const char *path;
    if (pos_num(sc, 1, "ADDR", &a))
        return -1;
    if (!(path = pos(sc, 2)))
        return perr(sc, "missing FILE");
    if (leftover(sc) || scn_instance(sc))
        return -1;
    uint8_t *buf;
    size_t len;
    char err[300], alt[1024];
    int rc = cli_read_file(path, &buf, &len, err, sizeof(err));
    if (rc && path[0] != '/' && sc->file && strchr(sc->file, '/')) {
        /* relative to the scenario's directory */
        int dl = (int)(strrchr(sc->file, '/') - sc->file);
        snprintf(alt, sizeof(alt), "%.*s/%s", dl, sc->file, path);
        rc = cli_read_file(alt, &buf, &len, err, sizeof(err));
    }
    if (rc)
        return perr(sc, "field 'FILE': %s", err);
    void *p = kit_mem_ptr(sc->m, a, len);
    if (!p) {
        free(buf);
        return ferr(sc, "[0x%" PRIx64 ", +%zu) is not inside one RAM region", a, len);
    }
    memcpy(p, buf, len);
    free(buf);
    return 0;
}

static int st_save(struct scn *sc)
{
    uint64_t a, size;
    const char *path;
    if (pos_num(sc, 1, "ADDR", &a) || pos_num(sc, 2, "SIZE", &size))
        return -1;
    if (!(path = pos(sc, 3)))
        return perr(sc, "missing FILE");
    if (leftover(sc) || scn_instance(sc))
        return -1;
    void *p = kit_mem_ptr(sc->m, a, size);
    if (!p)
        return ferr(sc, "[0x%" PRIx64 ", +0x%" PRIx64 ") is not inside one RAM region", a, size);
    FILE *f = fopen(path, "wb");
    if (!f)
        return ferr(sc, "%s: %s", path, strerror(errno));
    size_t w = fwrite(p, 1, size, f);
    if (fclose(f) || w != size)
        return ferr(sc, "%s: write error", path);
    return 0;
}

static int st_poison(struct scn *sc, bool on)
{
    uint64_t a = 0, size = 0;
    if (on && (pos_num(sc, 1, "ADDR", &a) || pos_num(sc, 2, "SIZE", &size)))
        return -1;
    if (leftover(sc) || scn_instance(sc))
        return -1;
    if (on)
        kit_mem_poison(sc->m, a, size);
    else
        kit_mem_unpoison_all(sc->m);
    return 0;
}

static const struct cli_reg *reg_arg(struct scn *sc, uint32_t *off, unsigned *size)
{
    const char *n = pos(sc, 1);
    if (!n) {
        perr(sc, "missing register NAME");
        return NULL;
    }
    const struct cli_reg *r = cli_reg_find(n);
    static const struct cli_reg raw = { "offset", 0, 4 };
    if (r) {
        *off = r->off;
        *size = r->size;
        return r;
    }
    uint64_t o;
    if (!cli_parse_u64(n, &o) && o < VSMMU_MMIO_SIZE) {
        *off = (uint32_t)o;
        *size = 4;
        return &raw;
    }
    perr(sc, "unknown register '%s' (a name such as CR0, STRTAB_BASE, or an offset)", n);
    return NULL;
}

static int st_regw(struct scn *sc)
{
    uint32_t off;
    unsigned size;
    uint64_t v, sz;
    if (!reg_arg(sc, &off, &size) || pos_num(sc, 2, "VALUE", &v))
        return -1;
    sz = size;
    if (opt_num(sc, "size", &sz) || leftover(sc) || scn_instance(sc))
        return -1;
    if (sz != 4 && sz != 8)
        return perr(sc, "field 'size': must be 4 or 8");
    int rc = vsmmu_mmio_write(sc->s, off, v, (unsigned)sz);
    if (rc)
        return ferr(sc, "MMIO write failed: %s", vsmmu_strerror(rc));
    return 0;
}

static int st_regr(struct scn *sc)
{
    uint32_t off;
    unsigned size;
    uint64_t v = 0, mask = ~0ull, exp = 0;
    const struct cli_reg *r = reg_arg(sc, &off, &size);
    if (!r)
        return -1;
    const char *es = arg(sc, "expect");
    if ((es && eval(sc, "expect", es, &exp)) || opt_num(sc, "mask", &mask) || leftover(sc) ||
        scn_instance(sc))
        return -1;
    int rc = vsmmu_mmio_read(sc->s, off, size, &v);
    if (rc)
        return ferr(sc, "MMIO read failed: %s", vsmmu_strerror(rc));
    if (!es) {
        if (!sc->quiet)
            fprintf(sc->out, "%s:%u: %s = 0x%" PRIx64 "\n", sc->file, sc->line, r->name, v);
        return 0;
    }
    sc->checks++;
    if ((v & mask) != (exp & mask))
        return ferr(sc, "%s: expected 0x%" PRIx64 ", read 0x%" PRIx64 " (mask 0x%" PRIx64 ")",
                    r->name, exp & mask, v & mask, mask);
    return 0;
}

static int st_init(struct scn *sc)
{
    struct gd_opts o = { .st2l = true };
    const char *st = arg(sc, "strtab");
    uint64_t sidbits = 0, cq = 0, eq = 0;
    if (st && cli_streq(st, "linear"))
        o.st2l = false;
    else if (st && !cli_streq(st, "2level"))
        return perr(sc, "field 'strtab': expected linear or 2level, got '%s'", st);
    if (opt_num(sc, "sidbits", &sidbits) ||
        opt_num(sc, "cmdq", &cq) || opt_num(sc, "evtq", &eq) || leftover(sc))
        return -1;
    if (range_check(sc, "sidbits", sidbits, 24) || range_check(sc, "cmdq", cq, 19) ||
        range_check(sc, "evtq", eq, 19))
        return -1;
    o.sid_bits = (unsigned)sidbits;
    o.cmdq_log2 = (unsigned)cq;
    o.evtq_log2 = (unsigned)eq;
    if (scn_instance(sc))
        return -1;
    if (gd_probe(&sc->g) || gd_reset(&sc->g, &o))
        return ferr(sc, "driver reset/enable failed: %s", sc->g.err);
    sc->inited = true;
    if (set_sym(sc, "strtab", sc->g.strtab) || set_sym(sc, "cmdq", sc->g.cmdq) ||
        set_sym(sc, "evtq", sc->g.evtq))
        return -1;
    if (sc->verbose)
        fprintf(sc->out, "  init: %s stream table, 2^%u StreamIDs at 0x%" PRIx64 ", cmdq 2^%u, "
                         "evtq 2^%u\n", sc->g.st2l ? "2-level" : "linear", sc->g.log2size,
                sc->g.strtab, sc->g.cmdq_log2, sc->g.evtq_log2);
    return 0;
}

static struct pt *find_pt(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->npt; i++)
        if (!strcmp(sc->pt[i].name, name))
            return &sc->pt[i].pt;
    return NULL;
}

static int granule_arg(struct scn *sc, const char *key, unsigned *g)
{
    const char *s = arg(sc, key);
    if (!s)
        return 0;
    uint64_t v;
    if (cli_parse_u64(s, &v) || (v != 4096 && v != 16384 && v != 65536))
        return perr(sc, "field '%s': expected 4K, 16K or 64K, got '%s'", key, s);
    *g = (unsigned)__builtin_ctzll(v);
    return 0;
}

static int st_pgtable(struct scn *sc)
{
    const char *name = pos(sc, 1);
    uint64_t stage = 1, ias = 0;
    unsigned g = 12;
    if (!name)
        return perr(sc, "missing NAME");
    if (req_num(sc, "stage", &stage) || granule_arg(sc, "granule", &g) || opt_num(sc, "ias", &ias))
        return -1;
    if (stage != 1 && stage != 2)
        return perr(sc, "field 'stage': must be 1 or 2");
    if (scn_instance(sc))
        return -1;
    struct pool *p = pool_arg(sc);
    if (!p || leftover(sc))
        return -1;
    if (!ias)
        ias = stage == 1 ? 48 : (scn_oas(sc) < 48 ? scn_oas(sc) : 48);
    if (find_pt(sc, name))
        return perr(sc, "a page table named '%s' already exists", name);
    if (sc->npt >= SCN_MAX_PT)
        return perr(sc, "too many page tables (max %d)", SCN_MAX_PT);
    char err[160];
    struct pt *t = &sc->pt[sc->npt].pt;
    if (pt_init(t, sc->m, p, (int)stage, g, (unsigned)ias, err, sizeof(err)))
        return perr(sc, "%s", err);
    snprintf(sc->pt[sc->npt].name, sizeof(sc->pt[0].name), "%s", name);
    sc->npt++;
    return set_sym(sc, name, pt_ttb(t));
}

static int pt_pos(struct scn *sc, struct pt **t)
{
    const char *n = pos(sc, 1);
    if (!n)
        return perr(sc, "missing page table NAME");
    if (!(*t = find_pt(sc, n)))
        return perr(sc, "no page table named '%s' (create it with 'pgtable')", n);
    return 0;
}

static int st_map(struct scn *sc)
{
    struct pt *t;
    uint64_t iova, pa, size, page;
    if (pt_pos(sc, &t) || pos_num(sc, 2, "IOVA", &iova) || pos_num(sc, 3, "PA", &pa) ||
        pos_num(sc, 4, "SIZE", &size))
        return -1;
    page = 1ull << t->g;
    if (opt_num(sc, "page", &page))
        return -1;
    struct pt_attr a = { .r = true, .w = true, .attr = PT_ATTR_WB };
    const char *perm = arg(sc, "perm");
    if (perm) {
        a.r = a.w = a.x = false;
        if (!cli_streq(perm, "none"))
            for (const char *c = perm; *c; c++) {
                if (*c == 'r') a.r = true;
                else if (*c == 'w') a.w = true;
                else if (*c == 'x') a.x = true;
                else return perr(sc, "field 'perm': '%s' is not r, w, x letters or none", perm);
            }
    }
    const char *at = arg(sc, "attr");
    if (at) {
        if (cli_streq(at, "wb")) a.attr = PT_ATTR_WB;
        else if (cli_streq(at, "nc")) a.attr = PT_ATTR_NC;
        else if (cli_streq(at, "dev")) a.attr = PT_ATTR_DEV;
        else return perr(sc, "field 'attr': expected wb, nc or dev, got '%s'", at);
    }
    a.priv_only = flag(sc, "priv");
    a.global = flag(sc, "global");
    a.noaf = flag(sc, "noaf");
    a.dbm = flag(sc, "dbm");
    if (leftover(sc))
        return -1;
    char err[160];
    if (pt_map(t, iova, pa, size, page, &a, err, sizeof(err)))
        return perr(sc, "%s", err);
    return 0;
}

static int st_unmap(struct scn *sc)
{
    struct pt *t;
    uint64_t iova, size;
    if (pt_pos(sc, &t) || pos_num(sc, 2, "IOVA", &iova) || pos_num(sc, 3, "SIZE", &size) ||
        leftover(sc))
        return -1;
    char err[160];
    if (pt_unmap(t, iova, size, err, sizeof(err)))
        return perr(sc, "%s", err);
    return 0;
}

/* pte NAME PT IOVA: $NAME = PA of the leaf descriptor mapping IOVA */
static int st_pte(struct scn *sc)
{
    const char *name = pos(sc, 1);
    struct pt *t;
    uint64_t iova, pa;
    int level;
    if (!name)
        return perr(sc, "missing NAME");
    const char *ptn = pos(sc, 2);
    if (!ptn)
        return perr(sc, "missing page table");
    if (!(t = find_pt(sc, ptn)))
        return perr(sc, "no page table named '%s'", ptn);
    if (pos_num(sc, 3, "IOVA", &iova) || leftover(sc))
        return -1;
    if (pt_leaf(t, iova, &pa, &level))
        return ferr(sc, "0x%" PRIx64 " is not mapped in '%s'", iova, ptn);
    return set_sym(sc, name, pa);
}

static struct scn_cdt *find_cdt(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->ncdt; i++)
        if (!strcmp(sc->cdt[i].name, name))
            return &sc->cdt[i];
    return NULL;
}

static int st_cdtable(struct scn *sc)
{
    const char *name = pos(sc, 1);
    uint64_t cdmax = 0;
    unsigned fmt = 0;
    if (!name)
        return perr(sc, "missing NAME");
    if (opt_num(sc, "cdmax", &cdmax) || range_check(sc, "cdmax", cdmax, 20))
        return -1;
    const char *f = arg(sc, "fmt");
    if (f) {
        if (cli_streq(f, "linear")) fmt = 0;
        else if (cli_streq(f, "2lvl-4k")) fmt = 1;
        else if (cli_streq(f, "2lvl-64k")) fmt = 2;
        else return perr(sc, "field 'fmt': expected linear, 2lvl-4k or 2lvl-64k, got '%s'", f);
    }
    if (scn_instance(sc))
        return -1;
    struct pool *p = pool_arg(sc);
    if (!p || leftover(sc))
        return -1;
    if (find_cdt(sc, name))
        return perr(sc, "a CD table named '%s' already exists", name);
    if (sc->ncdt >= SCN_MAX_CDT)
        return perr(sc, "too many CD tables (max %d)", SCN_MAX_CDT);
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
        return ferr(sc, "out of memory for the CD table (%" PRIu64 " bytes)", size);
    snprintf(c->name, sizeof(c->name), "%s", name);
    c->pool = p;
    c->cdmax = (unsigned)cdmax;
    c->fmt = fmt;
    sc->ncdt++;
    return set_sym(sc, name, pool_addr(p, c->pa));
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
        if (eval(sc, f->name, eq + 1, &v))
            return -1;
        if (ft_is_addr(f))   /* given as a byte address */
            v >>= __builtin_ctzll(f->mask);
        if (ft_set(f, raw, v))
            return perr(sc, "field '%s': value 0x%" PRIx64 " does not fit the %s field", f->name,
                        v, t->name);
    }
    return 0;
}

static int st_cd(struct scn *sc)
{
    const char *tn = pos(sc, 1);
    uint64_t ssid = 0, asid = 0;
    if (!tn)
        return perr(sc, "missing CD table NAME");
    struct scn_cdt *c = find_cdt(sc, tn);
    if (!c)
        return perr(sc, "no CD table named '%s' (create it with 'cdtable')", tn);
    if (opt_num(sc, "ssid", &ssid) || opt_num(sc, "asid", &asid) ||
        range_check(sc, "ssid", ssid, (1ull << c->cdmax) - 1) || range_check(sc, "asid", asid, 0xffff))
        return -1;
    uint64_t raw[8] = { 0 };
    const char *ptn = arg(sc, "pgtable");
    if (ptn) {
        struct pt *t = find_pt(sc, ptn);
        if (!t || t->stage != 1)
            return perr(sc, "field 'pgtable': no stage-1 page table named '%s'", ptn);
        cd_s1(raw, t, (uint16_t)asid, scn_oas(sc));
    }
    if (raw_fields(sc, &ft_cd, raw) || leftover(sc))
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
                return ferr(sc, "out of memory for a level-2 CD table");
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

static int st_ste(struct scn *sc)
{
    uint64_t sid, vmid = 0;
    if (pos_num(sc, 1, "SID", &sid) || range_check(sc, "SID", sid, 0xffffffffu))
        return -1;
    const char *kind = pos(sc, 2);
    if (!kind)
        return perr(sc, "missing KIND (abort, bypass, s1, s2, nested or invalid)");
    if (opt_num(sc, "vmid", &vmid) || range_check(sc, "vmid", vmid, 0xffff))
        return -1;
    uint64_t raw[8];
    const char *cn = arg(sc, "cdtable"), *s2n = arg(sc, "s2");
    const char *dss = arg(sc, "s1dss");
    struct scn_cdt *c = NULL;
    struct pt *s2 = NULL;
    if (cn && !(c = find_cdt(sc, cn)))
        return perr(sc, "field 'cdtable': no CD table named '%s'", cn);
    if (s2n && (!(s2 = find_pt(sc, s2n)) || s2->stage != 2))
        return perr(sc, "field 's2': no stage-2 page table named '%s'", s2n);
    unsigned s1dss = 0;
    if (dss) {
        uint64_t v;
        if (cli_streq(dss, "terminate")) s1dss = 0;
        else if (cli_streq(dss, "bypass")) s1dss = 1;
        else if (cli_streq(dss, "ssid0")) s1dss = 2;
        else if (!cli_parse_u64(dss, &v) && v < 4) s1dss = (unsigned)v;
        else return perr(sc, "field 's1dss': expected terminate, bypass or ssid0, got '%s'", dss);
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
        return perr(sc, "KIND '%s': expected abort, bypass, s1, s2, nested or invalid", kind);
    }
    if (want_s1 && !c)
        return perr(sc, "%s STE needs cdtable=NAME", kind);
    if (want_s2 && !s2)
        return perr(sc, "%s STE needs s2=NAME (a stage-2 page table)", kind);
    if (want_s1)
        ste_s1(raw, pool_addr(c->pool, c->pa), c->cdmax, c->fmt, s1dss);
    else if (want_s2)
        ste_abort(raw);
    if (want_s2)
        ste_add_s2(raw, s2, (uint16_t)vmid, scn_oas(sc));
    else if (vmid)
        ft_setn(&ft_ste, raw, "S2VMID", vmid);
    if (raw_fields(sc, &ft_ste, raw) || leftover(sc) || need_init(sc))
        return -1;
    if (gd_ste_write(&sc->g, (uint32_t)sid, raw))
        return ferr(sc, "%s", sc->g.err);
    uint64_t pa;
    char nm[32];
    snprintf(nm, sizeof(nm), "ste%u", (unsigned)sid);
    if (!gd_ste_addr(&sc->g, (uint32_t)sid, &pa))
        return set_sym(sc, nm, pa);   /* $steN: where the STE is */
    return 0;
}

static int st_cmd(struct scn *sc)
{
    const char *n = pos(sc, 1);
    uint64_t c[2] = { 0, 0 };
    if (!n)
        return perr(sc, "missing command NAME (e.g. CFGI_STE, TLBI_NH_VA, SYNC, raw)");
    if (cli_streq(n, "raw")) {
        if (pos_num(sc, 2, "DW0", &c[0]) || pos_num(sc, 3, "DW1", &c[1]))
            return -1;
    } else {
        int op = cli_cmd_opcode(n);
        uint64_t v;
        if (op < 0) {
            if (cli_parse_u64(n, &v) || v > 255)
                return perr(sc, "unknown command '%s'", n);
            op = (int)v;
        }
        c[0] = (uint64_t)op;
        if (cli_streq(n, "CFGI_ALL") || cli_streq(n, "CMD_CFGI_ALL"))
            ft_setn(&ft_cmd, c, "Range", 31);   /* IHI0070 4.3.6: CFGI_ALL is Range=31 */
        for (int i = 2; i < sc->ntok; i++) {
            char *eq = strchr(sc->tok[i], '=');
            if (!eq)
                return perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
            *eq = 0;
            const struct fdef *f = ft_find(&ft_cmd, sc->tok[i]);
            bool ok = f && ft_cmd_field_ok((unsigned)op, sc->tok[i]);
            *eq = '=';
            if (!ok) {
                const char *cn = cli_cmd_name((unsigned)op);
                *eq = 0;
                perr(sc, "'%s' is not a field of %s", sc->tok[i], cn ? cn : "this command");
                *eq = '=';
                return -1;
            }
            if (eval(sc, f->name, eq + 1, &v))
                return -1;
            if (ft_is_addr(f))   /* given as a byte address */
                v >>= __builtin_ctzll(f->mask);
            if (ft_set(f, c, v))
                return perr(sc, "field '%s': value 0x%" PRIx64 " does not fit", f->name, v);
            sc->used[i] = true;
        }
    }
    if (leftover(sc) || need_init(sc))
        return -1;
    if (gd_cmd(&sc->g, c))
        return ferr(sc, "%s", sc->g.err);
    return 0;
}

static int st_sync(struct scn *sc)
{
    const char *e = arg(sc, "expect");
    int code = 0;
    if (e && (code = cli_cerror_code(e)) <= 0)
        return perr(sc, "field 'expect': expected CERROR_ILL, CERROR_ABT or CERROR_ATC_INV_SYNC");
    if (leftover(sc) || need_init(sc))
        return -1;
    int rc = gd_sync(&sc->g);
    if (rc < 0)
        return ferr(sc, "%s", sc->g.err);
    if (!e) {
        if (rc > 0)
            return ferr(sc, "%s", sc->g.err);
        return 0;
    }
    sc->checks++;
    if (rc != code)
        return ferr(sc, "expected CERROR_%s, got %s%s", cli_cerror_name((unsigned)code),
                    rc ? "CERROR_" : "no command error", rc ? cli_cerror_name((unsigned)rc) : "");
    return 0;
}

static int st_tlbi_range(struct scn *sc)
{
    struct gd_inv inv = { .granule = 4096, .pgshift = 12 };
    uint64_t stage = 1, asid = 0, vmid = 0, pgshift = 12;
    if (opt_num(sc, "stage", &stage) || opt_num(sc, "asid", &asid) || opt_num(sc, "vmid", &vmid) ||
        req_num(sc, "iova", &inv.iova) || req_num(sc, "size", &inv.size) ||
        opt_num(sc, "granule", &inv.granule) || opt_num(sc, "pgshift", &pgshift))
        return -1;
    inv.leaf = flag(sc, "leaf");
    bool nosync = flag(sc, "nosync");
    if (stage != 1 && stage != 2)
        return perr(sc, "field 'stage': must be 1 or 2");
    if (pgshift != 12 && pgshift != 14 && pgshift != 16)
        return perr(sc, "field 'pgshift': must be 12, 14 or 16");
    if (!inv.granule || (inv.granule & (inv.granule - 1)) || inv.granule < (1ull << pgshift))
        return perr(sc, "field 'granule': must be a power of two >= the page size");
    if (!inv.size)
        return perr(sc, "field 'size': must not be 0");
    if (range_check(sc, "asid", asid, 0xffff) || range_check(sc, "vmid", vmid, 0xffff) ||
        leftover(sc) || need_init(sc))
        return -1;
    inv.opcode = stage == 1 ? 0x12 : 0x2A;
    inv.asid = (uint16_t)asid;
    inv.vmid = (uint16_t)vmid;
    inv.pgshift = (unsigned)pgshift;
    int n = gd_tlbi_range(&sc->g, &inv);
    if (n < 0)
        return ferr(sc, "%s", sc->g.err);
    if (sc->verbose)
        fprintf(sc->out, "  tlbi-range: %d command(s)\n", n);
    if (!nosync && gd_sync(&sc->g))
        return ferr(sc, "%s", sc->g.err);
    return 0;
}

/* Transaction arguments shared by dma and explain. */
static int txn_args(struct scn *sc, struct vsmmu_txn *t)
{
    uint64_t sid, ssid, addr;
    memset(t, 0, sizeof(*t));
    if (req_num(sc, "sid", &sid) || req_num(sc, "addr", &addr) ||
        range_check(sc, "sid", sid, 0xffffffffu))
        return -1;
    const char *ss = arg(sc, "ssid");
    if (ss) {
        if (eval(sc, "ssid", ss, &ssid) || range_check(sc, "ssid", ssid, 0xfffff))
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
    else return perr(sc, "field 'class': expected CD, TT or IN, got '%s'", s);
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

static int st_dma(struct scn *sc)
{
    struct vsmmu_txn t;
    uint64_t count = 1, stride = 0x1000, expv = 0;
    if (txn_args(sc, &t) || opt_num(sc, "count", &count) || opt_num(sc, "stride", &stride))
        return -1;
    const char *e = arg(sc, "expect");
    if (!e)
        return perr(sc, "missing expect= (an output address, a fault name such as F_TRANSLATION, "
                        "abort, razwi or stall)");
    int evt = cli_event_type(e);
    enum { E_ADDR, E_EVENT, E_ABORT, E_RAZWI, E_STALL } kind;
    if (evt >= 0) kind = E_EVENT;
    else if (cli_streq(e, "abort")) kind = E_ABORT;
    else if (cli_streq(e, "razwi")) kind = E_RAZWI;
    else if (cli_streq(e, "stall")) kind = E_STALL;
    else {
        kind = E_ADDR;
        if (eval(sc, "expect", e, &expv))
            return -1;
    }
    const char *s2s = arg(sc, "s2"), *cls = arg(sc, "class"), *perm = arg(sc, "perm");
    const char *oc = arg(sc, "outcome");
    uint64_t s2v = 0;
    unsigned clv = 0;
    if ((s2s && eval(sc, "s2", s2s, &s2v)) || (cls && class_arg(sc, cls, &clv)))
        return -1;
    bool noevent = flag(sc, "noevent");
    bool on_host = flag(sc, "host");
    if ((s2s || cls) && kind != E_EVENT)
        return perr(sc, "s2= and class= apply to an expected fault (expect=F_...)");
    if (leftover(sc) || scn_instance(sc))
        return -1;
    if (on_host && !sc->host)
        return perr(sc, "'host' needs 'accel soft' first");
    struct vsmmu *target = on_host ? sc->host : sc->s;
    if (!count || count > 100000000)
        return perr(sc, "field 'count': must be 1..100000000");
    for (uint64_t i = 0; i < count; i++) {
        struct vsmmu_result r;
        struct vsmmu_txn ti = t;
        ti.addr = t.addr + i * stride;
        int rc = vsmmu_translate(target, &ti, &r);
        sc->dma_checks++;
        char got[160];
        describe(got, sizeof(got), &r);
        if (rc)
            return ferr(sc, "vsmmu_translate failed: %s", vsmmu_strerror(rc));
        const char *at = count > 1 ? " (transaction " : "";
        char idx[48] = "";
        if (count > 1)
            snprintf(idx, sizeof(idx), "%s%" PRIu64 " at 0x%" PRIx64 ")", at, i, ti.addr);
        switch (kind) {
        case E_ADDR: {
            uint64_t want = expv + i * stride;
            if (r.outcome != VSMMU_XLATE_OK || r.out_addr != want)
                return dma_failed(sc, target, &ti, ferr(sc, "field 'expect': expected output 0x%" PRIx64 ", got %s%s", want,
                            got, idx));
            if (perm) {
                char pb[4];
                if (strcmp(perm, xp_perm_str(r.perm, pb)))
                    return ferr(sc, "field 'perm': expected %s, got %s%s", perm, pb, idx);
            }
            break;
        }
        case E_EVENT: {
            unsigned type = (unsigned)(r.event[0] & 0xff);
            if (r.outcome == VSMMU_XLATE_OK || !r.has_event || type != (unsigned)evt)
                return dma_failed(sc, target, &ti, ferr(sc, "field 'expect': expected %s, got %s%s", e, got, idx));
            unsigned s2 = (unsigned)((r.event[1] >> 39) & 1), c = (unsigned)((r.event[1] >> 40) & 3);
            if (s2s && s2 != s2v)
                return ferr(sc, "field 's2': expected S2=%" PRIu64 ", the event has S2=%u%s", s2v,
                            s2, idx);
            if (cls && c != clv)
                return ferr(sc, "field 'class': expected CLASS=%s, the event has CLASS=%s%s", cls,
                            class_name(c), idx);
            break;
        }
        case E_ABORT:
        case E_RAZWI:
        case E_STALL: {
            enum vsmmu_outcome want = kind == E_ABORT ? VSMMU_XLATE_ABORT
                                      : kind == E_RAZWI ? VSMMU_XLATE_RAZWI : VSMMU_XLATE_STALL;
            if (r.outcome != want)
                return dma_failed(sc, target, &ti, ferr(sc, "field 'expect': expected %s, got %s%s", e, got, idx));
            break;
        }
        }
        if (oc && !cli_streq(oc, xp_outcome_str(r.outcome)))
            return ferr(sc, "field 'outcome': expected %s, got %s%s", oc, got, idx);
        if (noevent && r.has_event)
            return ferr(sc, "expected no event, got %s%s", got, idx);
    }
    return 0;
}

static int st_event(struct scn *sc)
{
    const char *tn = pos(sc, 1);
    if (!tn)
        return perr(sc, "missing TYPE (an event name such as F_TRANSLATION, 'any' or 'none')");
    int type = -1;
    bool none = cli_streq(tn, "none"), any = cli_streq(tn, "any");
    if (!none && !any && (type = cli_event_type(tn)) < 0)
        return perr(sc, "unknown event type '%s'", tn);
    /* Optional field checks: any event-record field by name (sid= is
     * StreamID, ssid= SubstreamID, addr= InputAddr). */
    struct { const char *key, *field; } alias[] = {
        { "sid", "StreamID" }, { "ssid", "SubstreamID" }, { "addr", "InputAddr" },
        { "fetch", "FetchAddr" }, { "class", "CLASS" },
    };
    struct { const struct fdef *f; uint64_t v; const char *key; } want[16];
    int nw = 0;
    const char *save = arg(sc, "save");
    if (save && (!valid_name(save) || strlen(save) > 20))
        return perr(sc, "field 'save': '%s' is not a valid name", save);
    for (int i = 2; i < sc->ntok && nw < 16; i++) {
        if (sc->used[i])
            continue;
        char *eq = strchr(sc->tok[i], '=');
        if (!eq)
            return perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
        *eq = 0;
        const char *fname = sc->tok[i];
        for (size_t k = 0; k < sizeof(alias) / sizeof(alias[0]); k++)
            if (cli_streq(fname, alias[k].key))
                fname = alias[k].field;
        const struct fdef *f = ft_find(&ft_evt, fname);
        *eq = '=';
        if (!f) {
            *eq = 0;
            perr(sc, "'%s' is not an event record field", sc->tok[i]);
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
            if (eval(sc, f->name, eq + 1, &v))
                return -1;
            v >>= __builtin_ctzll(f->mask);   /* given as an address */
        } else if (eval(sc, f->name, eq + 1, &v)) {
            return -1;
        }
        sc->used[i] = true;
        want[nw].f = f;
        want[nw].v = v;
        want[nw].key = f->name;
        nw++;
    }
    if (leftover(sc) || need_init(sc))
        return -1;
    uint64_t rec[4];
    int got = gd_event(&sc->g, rec);
    sc->event_checks++;
    if (none) {
        if (got) {
            const char *n = cli_event_name((unsigned)(rec[0] & 0xff));
            return ferr(sc, "expected an empty event queue, found %s", n ? n : "an event");
        }
        return 0;
    }
    if (!got)
        return ferr(sc, "expected %s, the event queue is empty", tn);
    if (sc->verbose)
        xp_print_event(sc->out, rec, "  ");
    unsigned t = (unsigned)(rec[0] & 0xff);
    if (!any && t != (unsigned)type) {
        const char *n = cli_event_name(t);
        xp_print_event(stderr, rec, "    ");
        return ferr(sc, "expected %s, found %s", tn, n ? n : "an unknown event");
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
            if (set_sym(sc, nm, v))
                return -1;
        }
    }
    for (int i = 0; i < nw; i++) {
        uint64_t v = ft_get(want[i].f, rec);
        if (v != want[i].v) {
            xp_print_event(stderr, rec, "    ");
            return ferr(sc, "field '%s': expected 0x%" PRIx64 ", the event has 0x%" PRIx64,
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

static int st_stat(struct scn *sc)
{
    const char *n = pos(sc, 1), *op = sc->ntok > 2 ? sc->tok[2] : NULL;
    uint64_t v;
    if (op)
        sc->used[2] = true;
    if (!n || !op)
        return perr(sc, "usage: stat NAME OP VALUE (OP one of == != >= <= > <)");
    if (pos_num(sc, 3, "VALUE", &v) || leftover(sc) || scn_instance(sc))
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
        return perr(sc, "unknown counter '%s'", n);
    bool ok;
    if (!strcmp(op, "==")) ok = got == v;
    else if (!strcmp(op, "!=")) ok = got != v;
    else if (!strcmp(op, ">=")) ok = got >= v;
    else if (!strcmp(op, "<=")) ok = got <= v;
    else if (!strcmp(op, ">")) ok = got > v;
    else if (!strcmp(op, "<")) ok = got < v;
    else return perr(sc, "unknown operator '%s'", op);
    sc->checks++;
    if (!ok)
        return ferr(sc, "counter %s is %" PRIu64 ", expected %s %" PRIu64, n, got, op, v);
    return 0;
}

static int st_explain(struct scn *sc)
{
    struct vsmmu_txn t;
    if (txn_args(sc, &t) || leftover(sc) || scn_instance(sc))
        return -1;
    struct vsmmu_result r;
    xp_explain(sc->s, sc->m, &t, sc->out, NULL, &r);
    return 0;
}

/* accel soft | attach SID ... | detach SID | poll [expect=N] */
static int st_accel(struct scn *sc)
{
    const char *what = pos(sc, 1);
    char err[256];
    if (!what)
        return perr(sc, "missing operation (soft, attach, detach or poll)");
    if (cli_streq(what, "soft")) {
        const char *prof = arg(sc, "profile");
        uint64_t vmid = 1;
        if (opt_num(sc, "vmid", &vmid) || range_check(sc, "vmid", vmid, 0xffff) || leftover(sc))
            return -1;
        if (sc->host)
            return perr(sc, "the soft backend already exists");
        if (scn_instance(sc))
            return -1;
        struct vsmmu_config hc;
        if (vsmmu_config_profile(&hc, prof ? prof : "full-v3.2"))
            return perr(sc, "field 'profile': unknown profile '%s'", prof);
        struct vsmmu_host_ops ops;
        kit_mem_ops(sc->m, &ops, true);
        if (vsmmu_create(&hc, &ops, &sc->host, err, sizeof(err)))
            return ferr(sc, "cannot create the host SMMU: %s", err);
        /* The host stage 2 (nest parent): identity over the first 16 GiB, so
         * guest IPAs are host PAs in this model. */
        struct pt s2;
        unsigned ias = hc.oas_bits < 48 ? hc.oas_bits : 48;
        struct pt_attr a = { .r = true, .w = true, .attr = PT_ATTR_WB };
        if (pt_init(&s2, sc->m, &sc->pool[0].p, 2, 12, ias, err, sizeof(err)) ||
            pt_map(&s2, 0, 0, 16ull << 30, 1ull << 30, &a, err, sizeof(err)))
            return ferr(sc, "host stage 2: %s", err);
        uint64_t len = vsmmu_soft_mem_size(sc->host), pa;
        if (pool_alloc(sc->m, &sc->pool[0].p, len, 1u << 16, &pa))
            return ferr(sc, "out of memory for the soft backend (%" PRIu64 " bytes)", len);
        struct vsmmu_soft_cfg c = {
            .host = sc->host, .mem_pa = pa, .mem_len = len, .mem = kit_mem_ptr(sc->m, pa, len),
            .s2_ttb = pt_ttb(&s2), .s2_t0sz = 64 - s2.ias, .s2_sl0 = pt_sl0(&s2),
            .s2_granule = 12, .s2_ps = ps_enc(hc.oas_bits), .vmid = (uint16_t)vmid,
        };
        struct vsmmu_accel_backend *be;
        if (vsmmu_soft_backend_new(&c, &be, err, sizeof(err)))
            return ferr(sc, "soft backend: %s", err);
        int idx = vsmmu_accel_add_backend(sc->s, be);
        if (idx < 0)
            return ferr(sc, "vsmmu_accel_add_backend: %s: %s", vsmmu_strerror(idx),
                        vsmmu_last_error(sc->s));
        sc->g.idr[0] = 0;   /* ID registers changed: probe again */
        return 0;
    }
    if (cli_streq(what, "attach") || cli_streq(what, "detach")) {
        uint64_t sid, hsid = 0;
        if (pos_num(sc, 2, "SID", &sid) || range_check(sc, "SID", sid, 0xffffffffu) ||
            opt_num(sc, "host_sid", &hsid))
            return -1;
        const char *kind = arg(sc, "kind"), *exp = arg(sc, "expect");
        struct vsmmu_accel_dev dev = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = (uint32_t)sid,
                                       .host_id = hsid ? hsid : sid };
        if (kind) {
            if (cli_streq(kind, "passthrough")) dev.kind = VSMMU_ACCEL_DEV_PASSTHROUGH;
            else if (cli_streq(kind, "bridge")) dev.kind = VSMMU_ACCEL_DEV_BRIDGE;
            else if (cli_streq(kind, "root-port")) dev.kind = VSMMU_ACCEL_DEV_ROOT_PORT;
            else if (cli_streq(kind, "emulated")) dev.kind = VSMMU_ACCEL_DEV_EMULATED;
            else return perr(sc, "field 'kind': expected passthrough, bridge, root-port or emulated");
        }
        if (leftover(sc))
            return -1;
        if (!sc->host)
            return perr(sc, "needs 'accel soft' first");
        int rc = cli_streq(what, "attach") ? vsmmu_accel_attach(sc->s, &dev)
                                           : vsmmu_accel_detach(sc->s, dev.vsid);
        static const struct { const char *n; int code; } codes[] = {
            { "OK", VSMMU_OK }, { "EINVAL", VSMMU_EINVAL }, { "ENOMEM", VSMMU_ENOMEM },
            { "ERANGE", VSMMU_ERANGE }, { "EUNSUPPORTED", VSMMU_EUNSUPPORTED },
            { "EBUSY", VSMMU_EBUSY }, { "EBACKEND", VSMMU_EBACKEND }, { "ENOENT", VSMMU_ENOENT },
        };
        int want = 0;
        if (exp) {
            const char *en = !strncasecmp(exp, "VSMMU_", 6) ? exp + 6 : exp;
            want = 1;
            for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
                if (cli_streq(codes[i].n, en))
                    want = codes[i].code;
            if (want == 1)
                return perr(sc, "field 'expect': unknown status '%s' (OK, EINVAL, EUNSUPPORTED, "
                                "EBUSY, EBACKEND, ...)", exp);
            sc->checks++;
        }
        if (rc != want)
            return ferr(sc, "%s: expected %s, got %s (%s)", what, exp ? exp : "OK",
                        rc ? vsmmu_strerror(rc) : "OK", rc ? vsmmu_last_error(sc->s) : "no error");
        return 0;
    }
    if (cli_streq(what, "poll")) {
        uint64_t want = 0;
        const char *e = arg(sc, "expect");
        if ((e && eval(sc, "expect", e, &want)) || leftover(sc))
            return -1;
        if (!sc->host)
            return perr(sc, "needs 'accel soft' first");
        int n = vsmmu_accel_poll(sc->s);
        if (n < 0)
            return ferr(sc, "vsmmu_accel_poll: %s: %s", vsmmu_strerror(n), vsmmu_last_error(sc->s));
        sc->checks += e != NULL;
        if (e && (uint64_t)n != want)
            return ferr(sc, "poll: expected %" PRIu64 " events injected, got %d", want, n);
        return 0;
    }
    return perr(sc, "unknown operation '%s' (soft, attach, detach or poll)", what);
}

static int st_echo(struct scn *sc)
{
    for (int i = 1; i < sc->ntok; i++) {
        sc->used[i] = true;
        if (!sc->quiet)
            fprintf(sc->out, "%s%s", i > 1 ? " " : "", sc->tok[i]);
    }
    if (!sc->quiet)
        fputc('\n', sc->out);
    return 0;
}

static int st_write64(struct scn *sc) { return st_write(sc, 8); }
static int st_write32(struct scn *sc) { return st_write(sc, 4); }
static int st_expect64(struct scn *sc) { return st_expect_mem(sc, 8); }
static int st_expect32(struct scn *sc) { return st_expect_mem(sc, 4); }
static int st_poison_on(struct scn *sc) { return st_poison(sc, true); }
static int st_poison_off(struct scn *sc) { return st_poison(sc, false); }

static const struct { const char *name; int (*fn)(struct scn *); } stmts[] = {
    { "config", st_config }, { "ram", st_ram }, { "alloc", st_alloc }, { "let", st_let },
    { "write64", st_write64 }, { "write32", st_write32 }, { "expect64", st_expect64 },
    { "expect32", st_expect32 }, { "load", st_load }, { "save", st_save },
    { "poison", st_poison_on }, { "unpoison", st_poison_off },
    { "regw", st_regw }, { "regr", st_regr }, { "init", st_init },
    { "pgtable", st_pgtable }, { "map", st_map }, { "unmap", st_unmap }, { "pte", st_pte },
    { "cdtable", st_cdtable }, { "cd", st_cd }, { "ste", st_ste },
    { "cmd", st_cmd }, { "sync", st_sync }, { "tlbi-range", st_tlbi_range },
    { "dma", st_dma }, { "event", st_event }, { "stat", st_stat }, { "explain", st_explain },
    { "echo", st_echo }, { "accel", st_accel },
};

static int run_line(struct scn *sc, char *line)
{
    sc->ntok = 0;
    char *p = line;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p || *p == '#')
            break;
        if (sc->ntok >= SCN_MAX_TOK)
            return perr(sc, "too many words on one line (max %d)", SCN_MAX_TOK);
        sc->tok[sc->ntok++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            p++;
        if (*p)
            *p++ = 0;
    }
    if (!sc->ntok)
        return 0;
    memset(sc->used, 0, sizeof(sc->used));
    sc->used[0] = true;
    for (size_t i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++)
        if (cli_streq(stmts[i].name, sc->tok[0])) {
            sc->statements++;
            return stmts[i].fn(sc);
        }
    return perr(sc, "unknown statement (see docs/scenarios.md or 'vsmmu run --help')");
}

int scn_run_file(struct scn *sc, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    sc->file = path;
    sc->line = 0;
    if (!f) {
        fprintf(stderr, "vsmmu run: %s: %s\n", path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        sc->line++;
        size_t l = strlen(line);
        if (l == sizeof(line) - 1 && line[l - 1] != '\n') {
            sc->ntok = 0;
            perr(sc, "line too long (max %zu characters)", sizeof(line) - 2);
            break;
        }
        if (run_line(sc, line))
            break;
    }
    if (f != stdin)
        fclose(f);
    sc->ntok = 0;
    return sc->status;
}
