/* SPDX-License-Identifier: MIT */
/* Scenario statements: configuration, RAM, names, memory contents, MMIO. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "scn_int.h"

/* ---- statements ---- */
int st_config(struct scn *sc)
{
    if (sc->s)
        return scn_perr(sc, "must come before the first statement that uses the SMMU");
    const char *prof = scn_arg(sc, "profile");
    if (prof && vsmmu_config_profile(&sc->cfg, prof)) {
        const char *const *n = vsmmu_profile_names();
        char list[256] = "";
        for (; n && *n; n++) {
            strncat(list, " ", sizeof(list) - strlen(list) - 1);
            strncat(list, *n, sizeof(list) - strlen(list) - 1);
        }
        return scn_perr(sc, "field 'profile': unknown profile '%s' (known:%s)", prof, list);
    }
    for (int i = 1; i < sc->ntok; i++) {
        if (sc->used[i])
            continue;
        char *eq = strchr(sc->tok[i], '=');
        if (!eq)
            return scn_perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
        *eq = 0;
        uint64_t v;
        int rc = scn_eval(sc, sc->tok[i], eq + 1, &v);
        char err[160];
        if (!rc && cli_config_set(&sc->cfg, sc->tok[i], v, err, sizeof(err)))
            rc = scn_perr(sc, "%s", err);
        *eq = '=';
        if (rc)
            return -1;
        sc->used[i] = true;
    }
    char err[256];
    if (vsmmu_config_check(&sc->cfg, err, sizeof(err)))
        return scn_perr(sc, "inconsistent configuration: %s", err);
    return 0;
}

int st_ram(struct scn *sc)
{
    uint64_t base, size;
    if (sc->s)
        return scn_perr(sc, "RAM must be declared before the first statement that uses the SMMU");
    if (scn_pos_num(sc, 1, "BASE", &base) || scn_pos_num(sc, 2, "SIZE", &size))
        return -1;
    uint64_t ipa = base;
    if (scn_opt_num(sc, "ipa", &ipa))
        return -1;
    const char *name = scn_arg(sc, "name");
    char def[32];
    snprintf(def, sizeof(def), sc->npool ? "ram%u" : "ram", sc->npool);
    if (scn_leftover(sc))
        return -1;
    return scn_add_ram(sc, name ? name : def, base, size, ipa);
}

struct pool *scn_pool_arg(struct scn *sc)
{
    const char *pn = scn_arg(sc, "pool");
    if (!pn)
        return &sc->pool[0].p;
    struct pool *p = scn_find_pool(sc, pn);
    if (!p)
        scn_perr(sc, "field 'pool': no RAM region named '%s'", pn);
    return p;
}

int st_alloc(struct scn *sc)
{
    const char *name = scn_pos(sc, 1);
    uint64_t size, align = 64, pa;
    if (!name)
        return scn_perr(sc, "missing NAME");
    if (scn_pos_num(sc, 2, "SIZE", &size) || scn_opt_num(sc, "align", &align) || scn_instance(sc))
        return -1;
    struct pool *p = scn_pool_arg(sc);
    if (!p || scn_leftover(sc))
        return -1;
    if (align & (align - 1))
        return scn_perr(sc, "field 'align': must be a power of two");
    if (pool_alloc(sc->m, p, size, align, &pa))
        return scn_ferr(sc, "out of memory in the RAM region (%" PRIu64 " bytes)", size);
    return scn_set_sym(sc, name, pa);
}

int st_let(struct scn *sc)
{
    const char *name = scn_pos(sc, 1);
    int vi = 2;
    if (!name)
        return scn_perr(sc, "missing NAME");
    if (sc->ntok > 2 && !strcmp(sc->tok[2], "=")) {
        sc->used[2] = true;
        vi = 3;
    }
    uint64_t v;
    if (scn_pos_num(sc, vi, "VALUE", &v) || scn_leftover(sc))
        return -1;
    return scn_set_sym(sc, name, v);
}

static int st_write(struct scn *sc, unsigned size)
{
    uint64_t a;
    if (scn_pos_num(sc, 1, "ADDR", &a) || scn_instance(sc))
        return -1;
    if (sc->ntok < 3)
        return scn_perr(sc, "missing VALUE");
    for (int i = 2; i < sc->ntok; i++) {
        uint64_t v;
        if (scn_pos_num(sc, i, "VALUE", &v))
            return -1;
        if (size == 4 && v > 0xffffffffu)
            return scn_perr(sc, "VALUE 0x%" PRIx64 " does not fit 32 bits", v);
        void *p = kit_mem_ptr(sc->m, a, size);
        if (!p)
            return scn_ferr(sc, "address 0x%" PRIx64 " is not RAM", a);
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
    if (scn_pos_num(sc, 1, "ADDR", &a) || scn_pos_num(sc, 2, "VALUE", &v) || scn_opt_num(sc, "mask", &mask) ||
        scn_leftover(sc) || scn_instance(sc))
        return -1;
    if (!kit_mem_ptr(sc->m, a, size))
        return scn_ferr(sc, "address 0x%" PRIx64 " is not RAM", a);
    uint64_t got = size == 8 ? kit_r64(sc->m, a) : kit_r32(sc->m, a);
    sc->checks++;
    if ((got & mask) != (v & mask))
        return scn_ferr(sc, "memory at 0x%" PRIx64 ": expected 0x%" PRIx64 ", found 0x%" PRIx64
                        " (mask 0x%" PRIx64 ")", a, v & mask, got & mask, mask);
    return 0;
}

int st_load(struct scn *sc)
{
    uint64_t a;
    const char *path;
    if (scn_pos_num(sc, 1, "ADDR", &a))
        return -1;
    if (!(path = scn_pos(sc, 2)))
        return scn_perr(sc, "missing FILE");
    if (scn_leftover(sc) || scn_instance(sc))
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
        return scn_perr(sc, "field 'FILE': %s", err);
    void *p = kit_mem_ptr(sc->m, a, len);
    if (!p) {
        free(buf);
        return scn_ferr(sc, "[0x%" PRIx64 ", +%zu) is not inside one RAM region", a, len);
    }
    memcpy(p, buf, len);
    free(buf);
    return 0;
}

int st_save(struct scn *sc)
{
    uint64_t a, size;
    const char *path;
    if (scn_pos_num(sc, 1, "ADDR", &a) || scn_pos_num(sc, 2, "SIZE", &size))
        return -1;
    if (!(path = scn_pos(sc, 3)))
        return scn_perr(sc, "missing FILE");
    if (scn_leftover(sc) || scn_instance(sc))
        return -1;
    void *p = kit_mem_ptr(sc->m, a, size);
    if (!p)
        return scn_ferr(sc, "[0x%" PRIx64 ", +0x%" PRIx64 ") is not inside one RAM region", a, size);
    FILE *f = fopen(path, "wb");
    if (!f)
        return scn_ferr(sc, "%s: %s", path, strerror(errno));
    size_t w = fwrite(p, 1, size, f);
    if (fclose(f) || w != size)
        return scn_ferr(sc, "%s: write error", path);
    return 0;
}

static int st_poison(struct scn *sc, bool on)
{
    uint64_t a = 0, size = 0;
    if (on && (scn_pos_num(sc, 1, "ADDR", &a) || scn_pos_num(sc, 2, "SIZE", &size)))
        return -1;
    if (scn_leftover(sc) || scn_instance(sc))
        return -1;
    if (on)
        kit_mem_poison(sc->m, a, size);
    else
        kit_mem_unpoison_all(sc->m);
    return 0;
}

static const struct cli_reg *reg_arg(struct scn *sc, uint32_t *off, unsigned *size)
{
    const char *n = scn_pos(sc, 1);
    if (!n) {
        scn_perr(sc, "missing register NAME");
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
    scn_perr(sc, "unknown register '%s' (a name such as CR0, STRTAB_BASE, or an offset)", n);
    return NULL;
}

int st_regw(struct scn *sc)
{
    uint32_t off;
    unsigned size;
    uint64_t v, sz;
    if (!reg_arg(sc, &off, &size) || scn_pos_num(sc, 2, "VALUE", &v))
        return -1;
    sz = size;
    if (scn_opt_num(sc, "size", &sz) || scn_leftover(sc) || scn_instance(sc))
        return -1;
    if (sz != 4 && sz != 8)
        return scn_perr(sc, "field 'size': must be 4 or 8");
    int rc = vsmmu_mmio_write(sc->s, off, v, (unsigned)sz);
    if (rc)
        return scn_ferr(sc, "MMIO write failed: %s", vsmmu_strerror(rc));
    return 0;
}

int st_regr(struct scn *sc)
{
    uint32_t off;
    unsigned size;
    uint64_t v = 0, mask = ~0ull, exp = 0;
    const struct cli_reg *r = reg_arg(sc, &off, &size);
    if (!r)
        return -1;
    const char *es = scn_arg(sc, "expect");
    if ((es && scn_eval(sc, "expect", es, &exp)) || scn_opt_num(sc, "mask", &mask) || scn_leftover(sc) ||
        scn_instance(sc))
        return -1;
    int rc = vsmmu_mmio_read(sc->s, off, size, &v);
    if (rc)
        return scn_ferr(sc, "MMIO read failed: %s", vsmmu_strerror(rc));
    if (!es) {
        if (!sc->quiet)
            fprintf(sc->out, "%s:%u: %s = 0x%" PRIx64 "\n", sc->file, sc->line, r->name, v);
        return 0;
    }
    sc->checks++;
    if ((v & mask) != (exp & mask))
        return scn_ferr(sc, "%s: expected 0x%" PRIx64 ", read 0x%" PRIx64 " (mask 0x%" PRIx64 ")",
                    r->name, exp & mask, v & mask, mask);
    return 0;
}

int st_write64(struct scn *sc) { return st_write(sc, 8); }
int st_write32(struct scn *sc) { return st_write(sc, 4); }
int st_expect64(struct scn *sc) { return st_expect_mem(sc, 8); }
int st_expect32(struct scn *sc) { return st_expect_mem(sc, 4); }
int st_poison_on(struct scn *sc) { return st_poison(sc, true); }
int st_poison_off(struct scn *sc) { return st_poison(sc, false); }
