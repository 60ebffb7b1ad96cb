/* SPDX-License-Identifier: MIT */
/* vsmmu bench — runs the benchmark suite from the bench library. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#if defined(__has_include)
#if __has_include("bench.h") && defined(VSMMU_HAVE_BENCH)
#include "bench.h"
#define HAVE_BENCH 1
#endif
#endif

int cli_bench(int argc, char **argv)
{
#ifdef HAVE_BENCH
    return vsmmu_bench_run(argc, argv);
#else
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: vsmmu bench [options]\n\n"
                   "Runs the benchmark suite (bench/) and prints its table (--json for JSON).\n"
                   "This build has no benchmark library.\n");
            return 0;
        }
    fprintf(stderr, "vsmmu bench: this build has no benchmark library\n");
    return CLI_EXIT_FAIL;
#endif
}
