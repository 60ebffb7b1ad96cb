/* SPDX-License-Identifier: MIT */
/* Scenario files: a line-oriented language (docs/scenarios.md) that
 * configures an instance, places data in guest memory, builds stream tables,
 * CDs and translation tables, writes registers, submits commands, issues DMA
 * transactions with their expected outcome and checks events. Every error
 * names the file, the line and the field. This file: errors, names, values,
 * arguments, the instance, and the statement dispatch. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "scn_int.h"

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
int scn_perr(struct scn *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = report(sc, CLI_EXIT_USAGE, fmt, ap);
    va_end(ap);
    return r;
}

/* A check or the model failed (exit status 1). */
int scn_ferr(struct scn *sc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = report(sc, CLI_EXIT_FAIL, fmt, ap);
    va_end(ap);
    return r;
}

/* ---- symbols ---- */
bool scn_valid_name(const char *n)
{
    if (!*n || strlen(n) >= 32 || !(isalpha((unsigned char)*n) || *n == '_'))
        return false;
    for (; *n; n++)
        if (!(isalnum((unsigned char)*n) || *n == '_' || *n == '.'))
            return false;
    return true;
}

int scn_set_sym(struct scn *sc, const char *name, uint64_t v)
{
    if (!scn_valid_name(name))
        return scn_perr(sc, "'%s' is not a valid name (letters, digits, '_', '.'; at most 31)", name);
    for (unsigned i = 0; i < sc->nsym; i++)
        if (!strcmp(sc->sym[i].name, name)) {
            sc->sym[i].v = v;
            return 0;
        }
    if (sc->nsym >= SCN_MAX_SYMS)
        return scn_perr(sc, "too many names (max %d)", SCN_MAX_SYMS);
    snprintf(sc->sym[sc->nsym].name, sizeof(sc->sym[0].name), "%s", name);
    sc->sym[sc->nsym++].v = v;
    return 0;
}

int scn_get_sym(struct scn *sc, const char *name, uint64_t *v)
{
    for (unsigned i = 0; i < sc->nsym; i++)
        if (!strcmp(sc->sym[i].name, name)) {
            *v = sc->sym[i].v;
            return 0;
        }
    return -1;
}

/* value := term (('+'|'-') term)* ; term := number | $name */
int scn_eval(struct scn *sc, const char *field, const char *s, uint64_t *out)
{
    uint64_t acc = 0;
    int sign = 1;
    const char *p = s;
    if (!*p)
        return scn_perr(sc, "field '%s': empty value", field);
    while (*p) {
        const char *e = p + 1;
        while (*e && *e != '+' && *e != '-')
            e++;
        char buf[64];
        size_t l = (size_t)(e - p);
        if (l >= sizeof(buf))
            return scn_perr(sc, "field '%s': value too long", field);
        memcpy(buf, p, l);
        buf[l] = 0;
        uint64_t v;
        if (buf[0] == '$') {
            if (scn_get_sym(sc, buf + 1, &v))
                return scn_perr(sc, "field '%s': unknown name '%s'", field, buf);
        } else if (cli_parse_u64(buf, &v)) {
            return scn_perr(sc, "field '%s': '%s' is not a number", field, buf);
        }
        acc = sign > 0 ? acc + v : acc - v;
        if (!*e)
            break;
        sign = *e == '+' ? 1 : -1;
        p = e + 1;
        if (!*p)
            return scn_perr(sc, "field '%s': value ends with an operator", field);
    }
    *out = acc;
    return 0;
}

/* ---- statement arguments ---- */
const char *scn_pos(struct scn *sc, int i)
{
    if (i >= sc->ntok || strchr(sc->tok[i], '='))
        return NULL;
    sc->used[i] = true;
    return sc->tok[i];
}

const char *scn_arg(struct scn *sc, const char *key)
{
    size_t kl = strlen(key);
    for (int i = 1; i < sc->ntok; i++)
        if (!strncasecmp(sc->tok[i], key, kl) && sc->tok[i][kl] == '=') {
            sc->used[i] = true;
            return sc->tok[i] + kl + 1;
        }
    return NULL;
}

bool scn_flag(struct scn *sc, const char *word)
{
    for (int i = 1; i < sc->ntok; i++)
        if (!sc->used[i] && cli_streq(sc->tok[i], word)) {
            sc->used[i] = true;
            return true;
        }
    return false;
}

/* Optional numeric key=value (v keeps its default when absent). */
int scn_opt_num(struct scn *sc, const char *key, uint64_t *v)
{
    const char *s = scn_arg(sc, key);
    return s ? scn_eval(sc, key, s, v) : 0;
}

int scn_req_num(struct scn *sc, const char *key, uint64_t *v)
{
    const char *s = scn_arg(sc, key);
    if (!s)
        return scn_perr(sc, "missing %s=", key);
    return scn_eval(sc, key, s, v);
}

int scn_pos_num(struct scn *sc, int i, const char *what, uint64_t *v)
{
    const char *s = scn_pos(sc, i);
    if (!s)
        return scn_perr(sc, "missing %s (operand %d)", what, i);
    return scn_eval(sc, what, s, v);
}

int scn_leftover(struct scn *sc)
{
    for (int i = 1; i < sc->ntok; i++)
        if (!sc->used[i])
            return scn_perr(sc, "unexpected argument '%s'", sc->tok[i]);
    return 0;
}

int scn_range_check(struct scn *sc, const char *field, uint64_t v, uint64_t max)
{
    if (v > max)
        return scn_perr(sc, "field '%s': %" PRIu64 " out of range (max %" PRIu64 ")", field, v, max);
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

struct pool *scn_find_pool(struct scn *sc, const char *name)
{
    for (unsigned i = 0; i < sc->npool; i++)
        if (!strcmp(sc->pool[i].name, name))
            return &sc->pool[i].p;
    return NULL;
}

int scn_add_ram(struct scn *sc, const char *name, uint64_t base, uint64_t size, uint64_t ipa)
{
    if (sc->npool >= SCN_MAX_POOL)
        return scn_perr(sc, "too many RAM regions (max %d)", SCN_MAX_POOL);
    if (!size || size > (1ull << 32))
        return scn_perr(sc, "field 'SIZE': %" PRIu64 " bytes: must be 1..4G", size);
    if ((base | size) & 7)
        return scn_perr(sc, "RAM base and size must be multiples of 8");
    for (unsigned i = 0; i < sc->npool; i++) {
        struct pool *p = &sc->pool[i].p;
        if (base < p->pa + p->size && p->pa < base + size)
            return scn_perr(sc, "RAM region overlaps region '%s'", sc->pool[i].name);
    }
    if (kit_mem_add(sc->m, base, size))
        return scn_ferr(sc, "cannot allocate %" PRIu64 " bytes of RAM", size);
    snprintf(sc->pool[sc->npool].name, sizeof(sc->pool[0].name), "%s", name);
    sc->pool[sc->npool].p = (struct pool){ .pa = base, .ipa = ipa, .size = size, .brk = base };
    sc->npool++;
    return scn_set_sym(sc, name, base);
}

int scn_instance(struct scn *sc)
{
    if (sc->s)
        return 0;
    if (!sc->npool && scn_add_ram(sc, "ram", 0x40000000, 64 << 20, 0x40000000))
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
        return scn_ferr(sc, "cannot create the SMMU: %s", err);
    gd_init(&sc->g, sc->s, sc->m, &sc->pool[0].p);
    if (gd_probe(&sc->g) && sc->verbose)
        fprintf(sc->out, "  note: %s\n", sc->g.err);
    return 0;
}

/* OAS of the instance (the accelerated mode may have reduced it). */
unsigned scn_oas(const struct scn *sc)
{
    return sc->s ? vsmmu_get_config(sc->s)->oas_bits : sc->cfg.oas_bits;
}

int scn_need_init(struct scn *sc)
{
    if (scn_instance(sc))
        return -1;
    if (!sc->inited)
        return scn_perr(sc, "needs 'init' first (stream table and queues)");
    return 0;
}


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
            return scn_perr(sc, "too many words on one line (max %d)", SCN_MAX_TOK);
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
    return scn_perr(sc, "unknown statement (see docs/scenarios.md or 'vsmmu run --help')");
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
            scn_perr(sc, "line too long (max %zu characters)", sizeof(line) - 2);
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

