/* SPDX-License-Identifier: MIT */
/* vsmmu demo — for now: create an instance from a profile, probe it through
 * MMIO and translate with the SMMU disabled (GBPA bypass). Grows with the
 * model into the full guest-driver + device workload. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mem.h"
#include "vsmmu/vsmmu.h"

int cli_demo(int argc, char **argv)
{
    const char *profile = "full-v3.2";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help")) {
            printf("usage: vsmmu demo [--profile NAME]\n");
            return 0;
        } else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
            profile = argv[++i];
        } else {
            fprintf(stderr, "vsmmu demo: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    struct vsmmu_config cfg;
    if (vsmmu_config_profile(&cfg, profile)) {
        fprintf(stderr, "vsmmu demo: unknown profile '%s'\n", profile);
        return 2;
    }
    cfg.gbpa_reset = 0;
    struct kit_mem *m = kit_mem_new();
    kit_mem_add(m, 0, 16 << 20);
    struct vsmmu_host_ops ops;
    kit_mem_ops(m, &ops, true);
    struct vsmmu *s;
    char err[256];
    if (vsmmu_create(&cfg, &ops, &s, err, sizeof(err))) {
        fprintf(stderr, "vsmmu demo: %s\n", err);
        kit_mem_free(m);
        return 1;
    }
    unsigned ok = 0;
    for (uint64_t a = 0; a < 4096; a++) {
        struct vsmmu_txn t = { .sid = 0, .addr = a << 12 };
        struct vsmmu_result r;
        if (vsmmu_translate(s, &t, &r) == VSMMU_OK && r.outcome == VSMMU_XLATE_OK &&
            r.out_addr == t.addr)
            ok++;
    }
    printf("vsmmu demo (profile %s): %u/4096 bypass translations correct\n", profile, ok);
    vsmmu_destroy(s);
    kit_mem_free(m);
    return ok == 4096 ? 0 : 1;
}
