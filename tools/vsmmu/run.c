/* SPDX-License-Identifier: MIT */
/* vsmmu run FILE... — execute scenario files. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "scn.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vsmmu run [options] FILE...\n"
        "\n"
        "Run scenario files (docs/scenarios.md): configure the SMMU, build tables in guest\n"
        "memory, write registers, submit commands, issue DMA with expected outcomes, check\n"
        "events. Each file runs on a fresh instance. '-' reads standard input.\n"
        "\n"
        "options:\n"
        "  -v, --verbose   print each init/event/invalidation step\n"
        "  -q, --quiet     print nothing on success\n"
        "  --json          print the summary and counters as JSON\n"
        "  --stats         print the counters after each file\n"
        "  --explain       when a dma expectation fails, print the steps of that\n"
        "                  transaction (vsmmu explain) on stderr\n"
        "  -h, --help      this text\n"
        "\n"
        "statements: config ram alloc let write64 write32 expect64 expect32 load save poison\n"
        "  unpoison regw regr init pgtable map pte unmap cdtable cd ste cmd sync tlbi-range\n"
        "  dma event stat explain echo accel\n"
        "config fields:\n");
    cli_config_list(f);
    fprintf(f,
        "\n"
        "exit status: 0 all files passed, 1 a check failed or the model reported an error,\n"
        "2 a malformed file or command line. Errors print FILE:LINE: statement: message.\n");
}

int cli_run(int argc, char **argv)
{
    bool verbose = false, quiet = false, json = false, stats = false, xfail = false;
    int nfiles = 0;
    const char *files[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--stats")) {
            stats = true;
        } else if (!strcmp(a, "--explain")) {
            xfail = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "vsmmu run: unknown option '%s'\n", a);
            usage(stderr);
            return CLI_EXIT_USAGE;
        } else if (nfiles < 256) {
            files[nfiles++] = a;
        }
    }
    if (!nfiles) {
        fprintf(stderr, "vsmmu run: no scenario file given\n");
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    int status = 0;
    struct jw w;
    if (json) {
        jw_init(&w, stdout);
        jw_obj(&w, NULL);
        jw_arr(&w, "scenarios");
    }
    for (int i = 0; i < nfiles; i++) {
        struct scn sc;
        scn_init(&sc, json ? stderr : stdout);
        sc.verbose = verbose;
        sc.explain_failures = xfail;
        sc.quiet = quiet || json;
        double t0 = cli_now();
        int rc = scn_run_file(&sc, files[i]);
        double dt = cli_now() - t0;
        struct cli_report r = { .title = files[i], .seconds = dt };
        if (sc.s)
            vsmmu_get_stats(sc.s, &r.st);
        if (json) {
            jw_obj(&w, NULL);
            jw_str(&w, "file", files[i]);
            jw_bool(&w, "passed", rc == 0);
            jw_u64(&w, "statements", sc.statements);
            jw_u64(&w, "dma_checks", sc.dma_checks);
            jw_u64(&w, "event_checks", sc.event_checks);
            jw_u64(&w, "other_checks", sc.checks);
            if (rc)
                jw_u64(&w, "failed_line", sc.line);
            cli_report_json(&w, &r);
            jw_end_obj(&w);
        } else if (!quiet) {
            printf("%s: %s  (%u statements, %u DMA checks, %u event checks, %u other checks)\n",
                   files[i], rc ? "FAILED" : "passed", sc.statements, sc.dma_checks,
                   sc.event_checks, sc.checks);
            if (stats && sc.s)
                cli_report_text(stdout, &r);
        }
        scn_free(&sc);
        if (rc && (!status || rc == CLI_EXIT_USAGE))
            status = rc;
    }
    if (json) {
        jw_end_arr(&w);
        jw_bool(&w, "passed", status == 0);
        jw_end_obj(&w);
        jw_done(&w);
    }
    return status;
}
