/* SPDX-License-Identifier: MIT */
/* vsmmu — command-line front end. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cmds[] = {
    { "demo", cli_demo, "run the built-in guest-driver + device workload and report" },
    { "run", cli_run, "run scenario files (docs/scenarios.md)" },
    { "explain", cli_explain, "show every step of one translation" },
    { "bench", cli_bench, "run the benchmark suite" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: vsmmu <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].help);
    fprintf(f, "  %-9s %s\n", "profiles", "list the feature profiles");
    fprintf(f, "  %-9s %s\n", "version", "print the version");
    fprintf(f, "  %-9s %s\n", "help", "this text");
    fprintf(f, "\nRun 'vsmmu <command> --help' for a command's options; see docs/cli.md.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        if (argc > 2 && strcmp(argv[2], "help")) {
            char *sub[] = { argv[2], (char *)"--help", NULL };
            for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
                if (!strcmp(argv[2], cmds[i].name))
                    return cmds[i].fn(2, sub);
        }
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("vsmmu %d.%d\n", VSMMU_VERSION_MAJOR, VSMMU_VERSION_MINOR);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "profiles")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            printf("usage: vsmmu profiles\n\nList the feature profiles accepted by --profile "
                   "and 'config profile='.\n");
            return CLI_EXIT_OK;
        }
        for (const char *const *n = vsmmu_profile_names(); n && *n; n++)
            printf("%s\n", *n);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        if (!strcmp(cmd, cmds[i].name))
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "vsmmu: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
