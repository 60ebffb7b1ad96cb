/* SPDX-License-Identifier: MIT */
/* A tiny streaming JSON writer for --json outputs. */
#include <inttypes.h>
#include <math.h>

#include "cli.h"

void jw_init(struct jw *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
    w->need_comma[0] = false;
}

static void indent(struct jw *w)
{
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->f);
}

static void put_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void key(struct jw *w, const char *k)
{
    if (w->need_comma[w->depth])
        fputc(',', w->f);
    if (w->depth > 0)
        fputc('\n', w->f);
    w->need_comma[w->depth] = true;
    indent(w);
    if (k) {
        put_string(w->f, k);
        fputs(": ", w->f);
    }
}

static void open(struct jw *w, const char *k, char c)
{
    key(w, k);
    fputc(c, w->f);
    if (w->depth < 31)
        w->depth++;
    w->need_comma[w->depth] = false;
}

static void close_(struct jw *w, char c)
{
    bool any = w->need_comma[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (any) {
        fputc('\n', w->f);
        indent(w);
    }
    fputc(c, w->f);
}

void jw_obj(struct jw *w, const char *k) { open(w, k, '{'); }
void jw_end_obj(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w, const char *k) { open(w, k, '['); }
void jw_end_arr(struct jw *w) { close_(w, ']'); }

void jw_u64(struct jw *w, const char *k, uint64_t v)
{
    key(w, k);
    fprintf(w->f, "%" PRIu64, v);
}

void jw_hex(struct jw *w, const char *k, uint64_t v)
{
    key(w, k);
    fprintf(w->f, "\"0x%" PRIx64 "\"", v);
}

void jw_dbl(struct jw *w, const char *k, double v)
{
    key(w, k);
    if (isfinite(v))
        fprintf(w->f, "%.6g", v);
    else
        fputs("null", w->f);
}

void jw_str(struct jw *w, const char *k, const char *s)
{
    key(w, k);
    put_string(w->f, s);
}

void jw_bool(struct jw *w, const char *k, bool b)
{
    key(w, k);
    fputs(b ? "true" : "false", w->f);
}

void jw_done(struct jw *w)
{
    fputc('\n', w->f);
    fflush(w->f);
}
