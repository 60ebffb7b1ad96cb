/* SPDX-License-Identifier: MIT */
/* Scenario engine internals shared by the statement files (scn_*.c). */
#ifndef VSMMU_CLI_SCN_INT_H
#define VSMMU_CLI_SCN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "fields.h"
#include "scn.h"

/* Errors: print FILE:LINE: statement: message; return -1.
 * scn_perr: the statement is malformed (exit 2); scn_ferr: a check or the
 * model failed (exit 1). */
int scn_perr(struct scn *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int scn_ferr(struct scn *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names and $name values */
bool scn_valid_name(const char *n);
int scn_set_sym(struct scn *sc, const char *name, uint64_t v);
int scn_get_sym(struct scn *sc, const char *name, uint64_t *v);

/* value := term ((+|-) term)*; term := number | $name. `field` names the
 * field in errors. */
int scn_eval(struct scn *sc, const char *field, const char *s, uint64_t *out);

/* Statement arguments: positional operand i (no '='), key=value, bare flag
 * word; each marks the word used. scn_leftover() rejects unused words. */
const char *scn_pos(struct scn *sc, int i);
const char *scn_arg(struct scn *sc, const char *key);
bool scn_flag(struct scn *sc, const char *word);
int scn_opt_num(struct scn *sc, const char *key, uint64_t *v);
int scn_req_num(struct scn *sc, const char *key, uint64_t *v);
int scn_pos_num(struct scn *sc, int i, const char *what, uint64_t *v);
int scn_leftover(struct scn *sc);
int scn_range_check(struct scn *sc, const char *field, uint64_t v, uint64_t max);

/* Instance, memory pools, objects */
struct pool *scn_find_pool(struct scn *sc, const char *name);
int scn_add_ram(struct scn *sc, const char *name, uint64_t base, uint64_t size, uint64_t ipa);
unsigned scn_oas(const struct scn *sc);
int scn_need_init(struct scn *sc);
struct pool *scn_pool_arg(struct scn *sc);
struct pt *scn_find_pt(struct scn *sc, const char *name);
struct scn_cdt *scn_find_cdt(struct scn *sc, const char *name);

/* Statements (one per statement word; see docs/scenarios.md) */
int st_config(struct scn *sc);
int st_ram(struct scn *sc);
int st_alloc(struct scn *sc);
int st_let(struct scn *sc);
int st_write64(struct scn *sc);
int st_write32(struct scn *sc);
int st_expect64(struct scn *sc);
int st_expect32(struct scn *sc);
int st_load(struct scn *sc);
int st_save(struct scn *sc);
int st_poison_on(struct scn *sc);
int st_poison_off(struct scn *sc);
int st_regw(struct scn *sc);
int st_regr(struct scn *sc);
int st_init(struct scn *sc);
int st_pgtable(struct scn *sc);
int st_map(struct scn *sc);
int st_unmap(struct scn *sc);
int st_pte(struct scn *sc);
int st_cdtable(struct scn *sc);
int st_cd(struct scn *sc);
int st_ste(struct scn *sc);
int st_cmd(struct scn *sc);
int st_sync(struct scn *sc);
int st_tlbi_range(struct scn *sc);
int st_dma(struct scn *sc);
int st_event(struct scn *sc);
int st_stat(struct scn *sc);
int st_explain(struct scn *sc);
int st_echo(struct scn *sc);
int st_accel(struct scn *sc);

#endif
