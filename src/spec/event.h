/* SPDX-License-Identifier: MIT */
/* Event record fields (IHI0070 7.3): 32 bytes, DW0..DW3. */
#ifndef VSMMU_SPEC_EVENT_H
#define VSMMU_SPEC_EVENT_H

#include "bits.h"

#define EVT_DWORDS               4u

/* DW0 */
#define EVT_DW0_TYPE             GENMASK(7, 0)
#define EVT_DW0_SSV              BIT(11)
#define EVT_DW0_SUBSTREAMID      GENMASK(31, 12)
#define EVT_DW0_STREAMID         GENMASK(63, 32)

/* DW1 */
#define EVT_DW1_STAG             GENMASK(15, 0)
#define EVT_DW1_REASON           GENMASK(31, 0)  /* fetch/UUT events: IMPDEF, written 0 */
#define EVT_DW1_STALL            BIT(31)
#define EVT_DW1_PNU              BIT(33)
#define EVT_DW1_IND              BIT(34)
#define EVT_DW1_RNW              BIT(35)
#define EVT_DW1_NSIPA            BIT(38)
#define EVT_DW1_S2               BIT(39)
#define EVT_DW1_CLASS            GENMASK(41, 40)
#define EVT_DW1_TTRNW            BIT(44)

/* DW2 */
#define EVT_DW2_INPUTADDR        GENMASK(63, 0)

/* DW3 */
#define EVT_DW3_IPA              GENMASK(51, 12)
#define EVT_DW3_FETCHADDR        GENMASK(51, 3)

#endif
