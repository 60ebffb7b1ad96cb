/* SPDX-License-Identifier: MIT */
#ifndef VSMMU_CLI_H
#define VSMMU_CLI_H

int cli_demo(int argc, char **argv);

#endif
