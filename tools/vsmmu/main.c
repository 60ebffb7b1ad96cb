/* SPDX-License-Identifier: MIT */
/* vsmmu — command-line front end. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vsmmu <command> [options]\n"
        "\n"
        "commands:\n"
        "  demo      run the built-in guest-driver + device workload\n"
        "  help      this text\n"
        "\n"
        "Run 'vsmmu <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "demo"))
        return cli_demo(argc - 1, argv + 1);
    fprintf(stderr, "vsmmu: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
