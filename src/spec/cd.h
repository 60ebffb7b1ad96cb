/* SPDX-License-Identifier: MIT */
/* Context descriptor structures (IHI0070 5.3, 5.4): L1CD and CD masks.
 * CD fields are per doubleword: FIELD_GET(CD_DWn_X, raw[n]). */
#ifndef VSMMU_SPEC_CD_H
#define VSMMU_SPEC_CD_H

#include "bits.h"

#define CD_SIZE                  64u
#define CD_DWORDS                8u

/* L1CD (IHI0070 5.3) */
#define L1CD_V                   BIT(0)
#define L1CD_L2PTR               GENMASK(51, 12)

/* CD DW0 */
#define CD_DW0_T0SZ              GENMASK(5, 0)
#define CD_DW0_TG0               GENMASK(7, 6)
#define CD_DW0_IR0               GENMASK(9, 8)
#define CD_DW0_OR0               GENMASK(11, 10)
#define CD_DW0_SH0               GENMASK(13, 12)
#define CD_DW0_EPD0              BIT(14)
#define CD_DW0_ENDI              BIT(15)
#define CD_DW0_T1SZ              GENMASK(21, 16)
#define CD_DW0_TG1               GENMASK(23, 22)
#define CD_DW0_IR1               GENMASK(25, 24)
#define CD_DW0_OR1               GENMASK(27, 26)
#define CD_DW0_SH1               GENMASK(29, 28)
#define CD_DW0_EPD1              BIT(30)
#define CD_DW0_V                 BIT(31)
#define CD_DW0_IPS               GENMASK(34, 32)
#define CD_DW0_AFFD              BIT(35)
#define CD_DW0_WXN               BIT(36)
#define CD_DW0_UWXN              BIT(37)
#define CD_DW0_TBI0              BIT(38)
#define CD_DW0_TBI1              BIT(39)
#define CD_DW0_PAN               BIT(40)
#define CD_DW0_AA64              BIT(41)
#define CD_DW0_HD                BIT(42)
#define CD_DW0_HA                BIT(43)
#define CD_DW0_S                 BIT(44)
#define CD_DW0_R                 BIT(45)
#define CD_DW0_A                 BIT(46)
#define CD_DW0_ASET              BIT(47)
#define CD_DW0_ASID              GENMASK(63, 48)

/* CD DW1 */
#define CD_DW1_NSCFG0            BIT(0)
#define CD_DW1_HAD0              BIT(1)
#define CD_DW1_E0PD0             BIT(2)
#define CD_DW1_TTB0              GENMASK(51, 4)
#define CD_DW1_HWU0              GENMASK(63, 60)

/* CD DW2 */
#define CD_DW2_NSCFG1            BIT(0)
#define CD_DW2_HAD1              BIT(1)
#define CD_DW2_E0PD1             BIT(2)
#define CD_DW2_TTB1              GENMASK(51, 4)
#define CD_DW2_HWU1              GENMASK(63, 60)

/* CD DW3: MAIR0 | MAIR1 << 32 */
#define CD_DW3_MAIR0             GENMASK(31, 0)
#define CD_DW3_MAIR1             GENMASK(63, 32)

/* TG0 (TCR_EL1.TG0) and TG1 (TCR_EL1.TG1) encodings differ. */
#define CD_TG0_4K                0u
#define CD_TG0_64K               1u
#define CD_TG0_16K               2u
#define CD_TG1_16K               1u
#define CD_TG1_4K                2u
#define CD_TG1_64K               3u

#endif
