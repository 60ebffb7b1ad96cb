/* SPDX-License-Identifier: MIT */
/* Field definitions the accelerated front-end and its backends share:
 * the nested vSTE a host accepts (struct iommu_hwpt_arm_smmuv3: STE dwords 0
 * and 1, IHI0070 5.2), the command and event fields they rewrite (IHI0070
 * 4.1, 7.3), and the event-queue overflow flag (IHI0070 6.3.27). */
#ifndef VSMMU_ACCEL_NESTED_H
#define VSMMU_ACCEL_NESTED_H

#include "bits.h"

/* STE dword 0 */
#define VSTE0_V              BIT(0)
#define VSTE0_CONFIG         GENMASK(3, 1)
#define VSTE0_S1FMT          GENMASK(5, 4)
#define VSTE0_S1CTXPTR       GENMASK(51, 6)
#define VSTE0_S1CDMAX        GENMASK(63, 59)
/* STE dword 1 */
#define VSTE1_S1DSS          GENMASK(1, 0)
#define VSTE1_S1CIR          GENMASK(3, 2)
#define VSTE1_S1COR          GENMASK(5, 4)
#define VSTE1_S1CSH          GENMASK(7, 6)
#define VSTE1_S1STALLD       BIT(27)
#define VSTE1_EATS           GENMASK(29, 28)

/* The bits the Linux nested path accepts (arm_smmu_validate_vste). */
#define VSTE0_ALLOWED  (VSTE0_V | VSTE0_CONFIG | VSTE0_S1FMT | VSTE0_S1CTXPTR | VSTE0_S1CDMAX)
#define VSTE1_ALLOWED  (VSTE1_S1DSS | VSTE1_S1CIR | VSTE1_S1COR | VSTE1_S1CSH | \
                        VSTE1_S1STALLD | VSTE1_EATS)

/* Config values (IHI0070 5.2 STE.Config) */
#define VSTE_CFG_ABORT   0u
#define VSTE_CFG_BYPASS  4u
#define VSTE_CFG_S1      5u
#define VSTE_CFG_S2      6u
#define VSTE_CFG_NESTED  7u

/* Commands (IHI0070 4.1.1, 4.3-4.7): dword 0 */
#define ACMD0_OP             GENMASK(7, 0)
#define ACMD0_SID            GENMASK(63, 32)   /* CFGI_*, ATC_INV, PREFETCH_* */
#define ACMD0_VMID           GENMASK(47, 32)   /* TLBI_NH_*, TLBI_S12_VMALL, TLBI_S2_IPA */
#define ACMD1_RANGE          GENMASK(4, 0)     /* CFGI_STE_RANGE */

#define ACMD_PREFETCH_CONFIG 0x01u
#define ACMD_PREFETCH_ADDR   0x02u
#define ACMD_CFGI_STE        0x03u
#define ACMD_CFGI_STE_RANGE  0x04u             /* CFGI_ALL: Range = 31 */
#define ACMD_CFGI_CD         0x05u
#define ACMD_CFGI_CD_ALL     0x06u
#define ACMD_TLBI_NH_ALL     0x10u
#define ACMD_TLBI_NH_ASID    0x11u
#define ACMD_TLBI_NH_VA      0x12u
#define ACMD_TLBI_NH_VAA     0x13u
#define ACMD_TLBI_NSNH_ALL   0x30u
#define ACMD_ATC_INV         0x40u
#define ACMD_SYNC            0x46u

/* Event records (IHI0070 7.3): dword 0 */
#define AEVT0_TYPE           GENMASK(7, 0)
#define AEVT0_SSV            BIT(11)
#define AEVT0_SID            GENMASK(63, 32)
/* dword 1 of F_TRANSLATION..F_PERMISSION: S2 bit */
#define AEVT1_S2             BIT(39)

/* dword 1 of events that may stall */
#define AEVT1_STALL          BIT(31)

/* The physical STE the host builds around a vSTE (IHI0070 5.2), for the
 * soft backend, which plays the host driver: dword 1 */
#define HSTE1_MEV            BIT(19)
#define HSTE1_SHCFG          GENMASK(45, 44)
#define HSTE_SHCFG_INCOMING  1u
/* dword 2 */
#define HSTE2_S2VMID         GENMASK(15, 0)
#define HSTE2_S2T0SZ         GENMASK(37, 32)
#define HSTE2_S2SL0          GENMASK(39, 38)
#define HSTE2_S2IR0          GENMASK(41, 40)
#define HSTE2_S2OR0          GENMASK(43, 42)
#define HSTE2_S2SH0          GENMASK(45, 44)
#define HSTE2_S2TG           GENMASK(47, 46)
#define HSTE2_S2PS           GENMASK(50, 48)
#define HSTE2_S2AA64         BIT(51)
#define HSTE2_S2PTW          BIT(54)
#define HSTE2_S2R            BIT(58)
/* dword 3 */
#define HSTE3_S2TTB          GENMASK(51, 4)
/* S2TG encodings */
#define HSTE_S2TG_4K         0u
#define HSTE_S2TG_64K        1u
#define HSTE_S2TG_16K        2u

#endif
