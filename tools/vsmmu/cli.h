/* SPDX-License-Identifier: MIT */
/* vsmmu CLI: shared declarations (subcommands, parsing helpers, output). */
#ifndef VSMMU_CLI_H
#define VSMMU_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vsmmu/vsmmu.h"

/* ---- subcommands (each returns the process exit status) ---- */
int cli_demo(int argc, char **argv);
int cli_run(int argc, char **argv);
int cli_explain(int argc, char **argv);
int cli_bench(int argc, char **argv);

/* Exit statuses */
#define CLI_EXIT_OK      0
#define CLI_EXIT_FAIL    1   /* a check failed / the model reported an error */
#define CLI_EXIT_USAGE   2   /* bad command line or input file */

/* ---- numbers and words (util.c) ---- */
/* Parse an unsigned number: decimal, 0x hex, 0b binary, '_' separators, and
 * an optional binary size suffix K, M, G, T (KiB...). 0 on success. */
int cli_parse_u64(const char *s, uint64_t *out);
/* Case-insensitive string equality. */
bool cli_streq(const char *a, const char *b);
/* Read a whole file into a malloc'd buffer. 0 on success (errno-style msg in err). */
int cli_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen);
/* Monotonic seconds. */
double cli_now(void);
/* Format n with a short unit suffix (1.2M) into buf. */
const char *cli_human(double n, char *buf, size_t len);

/* ---- names (names.c) ---- */
const char *cli_cmd_name(unsigned opcode);        /* "CMD_SYNC" or NULL */
int cli_cmd_opcode(const char *name);             /* -1 if unknown; accepts with/without CMD_ */
const char *cli_event_name(unsigned type);        /* "F_TRANSLATION" or NULL */
int cli_event_type(const char *name);             /* -1 if unknown */
const char *cli_cerror_name(unsigned code);
int cli_cerror_code(const char *name);

struct cli_reg { const char *name; uint32_t off; unsigned size; };
const struct cli_reg *cli_reg_find(const char *name);
const struct cli_reg *cli_reg_by_off(uint32_t off);
extern const struct cli_reg cli_regs[];

/* vsmmu_config fields by name, for 'config' statements and --set. */
int cli_config_set(struct vsmmu_config *cfg, const char *name, uint64_t v, char *err, size_t errlen);
void cli_config_list(FILE *f);

/* ---- JSON writer (json.c) ---- */
struct jw {
    FILE *f;
    int depth;
    bool need_comma[32];
};
void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);   /* key NULL inside arrays / at top */
void jw_end_obj(struct jw *w);
void jw_arr(struct jw *w, const char *key);
void jw_end_arr(struct jw *w);
void jw_u64(struct jw *w, const char *key, uint64_t v);
void jw_hex(struct jw *w, const char *key, uint64_t v);   /* "0x..." string */
void jw_dbl(struct jw *w, const char *key, double v);
void jw_str(struct jw *w, const char *key, const char *s);
void jw_bool(struct jw *w, const char *key, bool b);
void jw_done(struct jw *w);                   /* final newline */

/* ---- statistics report (report.c) ---- */
struct cli_report {
    const char *title;
    double seconds;
    struct vsmmu_stats st;
};
void cli_report_text(FILE *f, const struct cli_report *r);
void cli_report_json(struct jw *w, const struct cli_report *r);   /* as an object member "stats" */

/* ---- progress line on stderr for long runs ---- */
struct cli_progress {
    double start, last;
    bool shown;
    bool enabled;
};
void cli_progress_init(struct cli_progress *p, bool enabled);
void cli_progress(struct cli_progress *p, const char *what, uint64_t done, uint64_t total);
void cli_progress_end(struct cli_progress *p);

#endif
