/* SPDX-License-Identifier: MIT */
/* PRI queue entries (IHI0070 8.1): 16 bytes, DW0 and DW1. Positions as in
 * the Linux driver (the spec figure is not machine-readable). */
#ifndef VSMMU_SPEC_PRIQ_H
#define VSMMU_SPEC_PRIQ_H

#include "bits.h"

#define PRIQ_ENT_SIZE_LOG2   4u

#define PRIQ0_SID            GENMASK(31, 0)
#define PRIQ0_SSID           GENMASK(51, 32)
#define PRIQ0_PRIV           BIT(58)
#define PRIQ0_EXEC           BIT(59)
#define PRIQ0_READ           BIT(60)
#define PRIQ0_WRITE          BIT(61)
#define PRIQ0_LAST           BIT(62)
#define PRIQ0_SSV            BIT(63)
#define PRIQ1_PRGI           GENMASK(8, 0)
#define PRIQ1_ADDR           GENMASK(63, 12)

#endif
