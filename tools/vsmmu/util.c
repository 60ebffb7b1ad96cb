/* SPDX-License-Identifier: MIT */
/* Small parsing and formatting helpers shared by the subcommands. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    unsigned base = 10;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2;
        p += 2;
    }
    uint64_t v = 0;
    unsigned ndig = 0;
    for (; *p; p++) {
        if (*p == '_')
            continue;
        unsigned d;
        if (isdigit((unsigned char)*p))
            d = (unsigned)(*p - '0');
        else if (base == 16 && isxdigit((unsigned char)*p))
            d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
        else
            break;
        if (d >= base)
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
        ndig++;
    }
    if (!ndig)
        return -1;
    if (*p) {
        unsigned shift;
        switch (toupper((unsigned char)*p)) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: return -1;
        }
        p++;
        if (*p == 'i' || *p == 'I')
            p++;
        if (*p == 'b' || *p == 'B')
            p++;
        if (*p)
            return -1;
        if (v > (UINT64_MAX >> shift))
            return -1;
        v <<= shift;
    }
    *out = v;
    return 0;
}

bool cli_streq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

int cli_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                fclose(f);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            b = nb;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *cli_human(double n, char *buf, size_t len)
{
    if (n >= 1e9)
        snprintf(buf, len, "%.2fG", n / 1e9);
    else if (n >= 1e6)
        snprintf(buf, len, "%.2fM", n / 1e6);
    else if (n >= 1e4)
        snprintf(buf, len, "%.1fk", n / 1e3);
    else
        snprintf(buf, len, "%.0f", n);
    return buf;
}

void cli_progress_init(struct cli_progress *p, bool enabled)
{
    memset(p, 0, sizeof(*p));
    p->start = p->last = cli_now();
    p->enabled = enabled;
}

/* A progress line appears once a run has taken more than a second and is
 * refreshed at most five times a second. */
void cli_progress(struct cli_progress *p, const char *what, uint64_t done, uint64_t total)
{
    if (!p->enabled)
        return;
    double t = cli_now();
    if (t - p->start < 1.0 || t - p->last < 0.2)
        return;
    p->last = t;
    p->shown = true;
    if (total)
        fprintf(stderr, "\r  %-28s %3u%%  %llu/%llu  %.1fs ", what,
                (unsigned)(done * 100 / total), (unsigned long long)done,
                (unsigned long long)total, t - p->start);
    else
        fprintf(stderr, "\r  %-28s %llu  %.1fs ", what, (unsigned long long)done, t - p->start);
    fflush(stderr);
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r%*s\r", 72, "");
        fflush(stderr);
        p->shown = false;
    }
}
