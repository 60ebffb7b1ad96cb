/* SPDX-License-Identifier: MIT */
/* Scenario files (docs/scenarios.md): parser and executor. */
#ifndef VSMMU_CLI_SCN_H
#define VSMMU_CLI_SCN_H

#include <stdio.h>

#include "cli.h"
#include "guest.h"

#define SCN_MAX_SYMS  128
#define SCN_MAX_PT    32
#define SCN_MAX_CDT   32
#define SCN_MAX_POOL  8
#define SCN_MAX_TOK   64

struct scn_cdt {
    char name[32];
    uint64_t pa;          /* table PA (L1 table for 2-level) */
    struct pool *pool;
    unsigned cdmax, fmt;  /* S1CDMax, S1Fmt */
};

struct scn {
    const char *file;
    unsigned line;
    FILE *out;            /* messages (stdout, or stderr with --json) */
    bool verbose, quiet;
    bool explain_failures; /* explain a dma whose expectation failed */
    bool no_cache;         /* create the instance without translation/config caches */

    struct vsmmu_config cfg;
    struct kit_mem *m;
    struct vsmmu *s;
    struct vsmmu *host;   /* accel soft: the physical SMMU */
    struct gd g;
    bool inited;          /* 'init' done */

    struct { char name[32]; uint64_t v; } sym[SCN_MAX_SYMS];
    unsigned nsym;
    struct { char name[32]; struct pt pt; } pt[SCN_MAX_PT];
    unsigned npt;
    struct scn_cdt cdt[SCN_MAX_CDT];
    unsigned ncdt;
    struct { char name[32]; struct pool p; } pool[SCN_MAX_POOL];
    unsigned npool;

    /* current statement */
    char *tok[SCN_MAX_TOK];
    int ntok;
    bool used[SCN_MAX_TOK];

    /* results */
    unsigned statements, dma_checks, event_checks, checks;
    int status;           /* CLI_EXIT_* of the first error */
};

void scn_init(struct scn *sc, FILE *out);
void scn_free(struct scn *sc);
/* Run a whole file. Returns CLI_EXIT_OK, CLI_EXIT_FAIL (an expectation or
 * the model failed) or CLI_EXIT_USAGE (the file is malformed). */
int scn_run_file(struct scn *sc, const char *path);
/* Create the instance now if not yet (defaults: profile full-v3.2, 64 MiB
 * RAM at 0x40000000). 0 or -1. */
int scn_instance(struct scn *sc);

#endif
