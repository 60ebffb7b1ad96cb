/* SPDX-License-Identifier: MIT */
/* The lockstep oracle over 2,000,000 operations (excluded from quick runs). */
#define ORACLE_OPS 2000000
#include "test_oracle.c"
