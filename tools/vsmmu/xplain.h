/* SPDX-License-Identifier: MIT */
/* Step-by-step explanation of one transaction from the library's trace. */
#ifndef VSMMU_CLI_XPLAIN_H
#define VSMMU_CLI_XPLAIN_H

#include <stdio.h>
#include "cli.h"

/* Translate txn (as a probe: VSMMU_TXN_NOEVENT) with tracing on, print each
 * step to out (text) or to w (JSON, if non-NULL). Returns the result. */
struct kit_mem;
/* m (optional): guest memory, to show an STE the model took from its
 * configuration cache (no fetch traced). */
int xp_explain(struct vsmmu *s, struct kit_mem *m, const struct vsmmu_txn *txn, FILE *out,
               struct jw *w, struct vsmmu_result *res);
/* Print a decoded event record (used by run for mismatches and events). */
void xp_print_event(FILE *out, const uint64_t ev[4], const char *indent);
/* "r", "w", "x", "rw" etc. */
const char *xp_perm_str(unsigned perm, char buf[4]);
const char *xp_outcome_str(enum vsmmu_outcome o);
/* Parse read|write|exec|atomic|priv words into flags; -1 if not a flag word. */
int xp_access_word(const char *w, uint32_t *flags);

#endif
