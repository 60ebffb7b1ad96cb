/* SPDX-License-Identifier: MIT */
/* Stream table structures (IHI0070 3.3, 5.1, 5.2): L1STD and STE field masks.
 * STE fields are given per doubleword (STE_DWn_*), read as
 * FIELD_GET(STE_DWn_X, raw[n]). */
#ifndef VSMMU_SPEC_STE_H
#define VSMMU_SPEC_STE_H

#include "bits.h"

#define STE_SIZE                 64u
#define STE_DWORDS               8u

/* L1STD (IHI0070 5.1) */
#define L1STD_SPAN               GENMASK(4, 0)
#define L1STD_L2PTR              GENMASK(51, 6)
#define L1STD_SPAN_MAX           11u      /* 12..31 reserved */

/* STE DW0 */
#define STE_DW0_V                BIT(0)
#define STE_DW0_CONFIG           GENMASK(3, 1)
#define STE_DW0_S1FMT            GENMASK(5, 4)
#define STE_DW0_S1CONTEXTPTR     GENMASK(51, 6)
#define STE_DW0_S1CDMAX          GENMASK(63, 59)

/* STE DW1 */
#define STE_DW1_S1DSS            GENMASK(1, 0)
#define STE_DW1_S1CIR            GENMASK(3, 2)
#define STE_DW1_S1COR            GENMASK(5, 4)
#define STE_DW1_S1CSH            GENMASK(7, 6)
#define STE_DW1_S2HWU59          BIT(8)
#define STE_DW1_S2HWU60          BIT(9)
#define STE_DW1_S2HWU61          BIT(10)
#define STE_DW1_S2HWU62          BIT(11)
#define STE_DW1_DRE              BIT(12)
#define STE_DW1_CONT             GENMASK(16, 13)
#define STE_DW1_DCP              BIT(17)
#define STE_DW1_PPAR             BIT(18)
#define STE_DW1_MEV              BIT(19)
#define STE_DW1_SW_RESERVED      GENMASK(23, 20)
#define STE_DW1_S1PIE            BIT(24)
#define STE_DW1_S2FWB            BIT(25)
#define STE_DW1_S1MPAM           BIT(26)
#define STE_DW1_S1STALLD         BIT(27)
#define STE_DW1_EATS             GENMASK(29, 28)
#define STE_DW1_STRW             GENMASK(31, 30)
#define STE_DW1_MEMATTR          GENMASK(35, 32)
#define STE_DW1_MTCFG            BIT(36)
#define STE_DW1_ALLOCCFG         GENMASK(40, 37)
#define STE_DW1_SHCFG            GENMASK(45, 44)
#define STE_DW1_NSCFG            GENMASK(47, 46)
#define STE_DW1_PRIVCFG          GENMASK(49, 48)
#define STE_DW1_INSTCFG          GENMASK(51, 50)

/* STE DW2 */
#define STE_DW2_S2VMID           GENMASK(15, 0)
#define STE_DW2_S2T0SZ           GENMASK(37, 32)
#define STE_DW2_S2SL0            GENMASK(39, 38)
#define STE_DW2_S2IR0            GENMASK(41, 40)
#define STE_DW2_S2OR0            GENMASK(43, 42)
#define STE_DW2_S2SH0            GENMASK(45, 44)
#define STE_DW2_S2TG             GENMASK(47, 46)
#define STE_DW2_S2PS             GENMASK(50, 48)
#define STE_DW2_S2AA64           BIT(51)
#define STE_DW2_S2ENDI           BIT(52)
#define STE_DW2_S2AFFD           BIT(53)
#define STE_DW2_S2PTW            BIT(54)
#define STE_DW2_S2HD             BIT(55)
#define STE_DW2_S2HA             BIT(56)
#define STE_DW2_S2S              BIT(57)
#define STE_DW2_S2R              BIT(58)

/* STE DW3 */
#define STE_DW3_S2TTB            GENMASK(51, 4)

/* STE.Config encodings: bit 0 = stage 1 translates, bit 1 = stage 2
 * translates, bit 2 = traffic passes (IHI0070 5.2 Config). */
#define STE_CONFIG_S1            1u
#define STE_CONFIG_S2            2u
#define STE_CONFIG_PASS          4u

/* STE.S1DSS */
#define STE_S1DSS_TERMINATE      0u
#define STE_S1DSS_BYPASS         1u
#define STE_S1DSS_SSID0          2u

/* STE.S1Fmt */
#define STE_S1FMT_LINEAR         0u
#define STE_S1FMT_64K_L2         1u   /* 2-level, 4KB leaf tables (64 CDs) */
#define STE_S1FMT_1024K_L2       2u   /* 2-level, 64KB leaf tables (1024 CDs) */

/* STE.STRW (Non-secure) */
#define STE_STRW_NSEL1           0u
#define STE_STRW_EL2             2u

/* STE.EATS */
#define STE_EATS_ABT             0u
#define STE_EATS_TRANS           1u
#define STE_EATS_S1CHK           2u

/* S2TG encoding (VTCR_EL2.TG0) */
#define STE_S2TG_4K              0u
#define STE_S2TG_64K             1u
#define STE_S2TG_16K             2u

/* *CFG overrides */
#define STE_PRIVCFG_UNPRIV       2u
#define STE_PRIVCFG_PRIV         3u
#define STE_INSTCFG_DATA         2u
#define STE_INSTCFG_INSTR        3u
#define STE_SHCFG_INCOMING       1u

#endif
