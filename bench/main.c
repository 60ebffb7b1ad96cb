/* SPDX-License-Identifier: MIT */
#include "bench.h"

int main(int argc, char **argv)
{
    return vsmmu_bench_run(argc, argv);
}
