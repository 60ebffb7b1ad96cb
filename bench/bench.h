/* SPDX-License-Identifier: MIT */
/* vsmmu-bench: cache and translation benchmarks. The CLI calls
 * vsmmu_bench_run() for `vsmmu bench`; vsmmu-bench is a thin main. */
#ifndef VSMMU_BENCH_H
#define VSMMU_BENCH_H

/* Options: --json (one JSON object on stdout), --quick (short run for CI),
 * --help. Returns 0, or 2 for a usage error / setup failure. */
int vsmmu_bench_run(int argc, char **argv);

#endif
