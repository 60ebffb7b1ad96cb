/* SPDX-License-Identifier: MIT */
/* Names the accelerated front-end and its backends use for the fields they
 * rewrite. Every field is defined once in src/spec/ (ste.h, cmd.h, event.h,
 * regs.h); this header only gives the nested view of them: the vSTE a host
 * accepts (struct iommu_hwpt_arm_smmuv3 = STE dwords 0 and 1, IHI0070 5.2),
 * the command and event fields (IHI0070 4.1, 7.3) and the physical STE the
 * host builds around a vSTE. */
#ifndef VSMMU_ACCEL_NESTED_H
#define VSMMU_ACCEL_NESTED_H

#include "bits.h"
#include "spec/cmd.h"
#include "spec/event.h"
#include "spec/ste.h"

/* vSTE dword 0 / dword 1 */
#define VSTE0_V              STE_DW0_V
#define VSTE0_CONFIG         STE_DW0_CONFIG
#define VSTE0_S1FMT          STE_DW0_S1FMT
#define VSTE0_S1CTXPTR       STE_DW0_S1CONTEXTPTR
#define VSTE0_S1CDMAX        STE_DW0_S1CDMAX
#define VSTE1_S1DSS          STE_DW1_S1DSS
#define VSTE1_S1CIR          STE_DW1_S1CIR
#define VSTE1_S1COR          STE_DW1_S1COR
#define VSTE1_S1CSH          STE_DW1_S1CSH
#define VSTE1_S1STALLD       STE_DW1_S1STALLD
#define VSTE1_EATS           STE_DW1_EATS

/* The bits the Linux nested path accepts (arm_smmu_validate_vste). */
#define VSTE0_ALLOWED  (VSTE0_V | VSTE0_CONFIG | VSTE0_S1FMT | VSTE0_S1CTXPTR | VSTE0_S1CDMAX)
#define VSTE1_ALLOWED  (VSTE1_S1DSS | VSTE1_S1CIR | VSTE1_S1COR | VSTE1_S1CSH | \
                        VSTE1_S1STALLD | VSTE1_EATS)

/* Config values (IHI0070 5.2 STE.Config, the whole 3-bit field) */
#define VSTE_CFG_ABORT   0u
#define VSTE_CFG_BYPASS  4u
#define VSTE_CFG_S1      5u
#define VSTE_CFG_S2      6u
#define VSTE_CFG_NESTED  7u

/* Commands */
#define ACMD0_OP             CMD0_OP
#define ACMD0_SID            CMD0_SID
#define ACMD0_VMID           CMD0_VMID
#define ACMD1_RANGE          CMD1_RANGE
#define ACMD_PREFETCH_CONFIG CMD_PREFETCH_CONFIG
#define ACMD_PREFETCH_ADDR   CMD_PREFETCH_ADDR
#define ACMD_CFGI_STE        CMD_CFGI_STE
#define ACMD_CFGI_STE_RANGE  CMD_CFGI_STE_RANGE
#define ACMD_CFGI_CD         CMD_CFGI_CD
#define ACMD_CFGI_CD_ALL     CMD_CFGI_CD_ALL
#define ACMD_TLBI_NH_ALL     CMD_TLBI_NH_ALL
#define ACMD_TLBI_NH_ASID    CMD_TLBI_NH_ASID
#define ACMD_TLBI_NH_VA      CMD_TLBI_NH_VA
#define ACMD_TLBI_NH_VAA     CMD_TLBI_NH_VAA
#define ACMD_TLBI_NSNH_ALL   CMD_TLBI_NSNH_ALL
#define ACMD_ATC_INV         CMD_ATC_INV
#define ACMD_SYNC            CMD_SYNC

/* Event records */
#define AEVT0_TYPE           EVT_DW0_TYPE
#define AEVT0_SID            EVT_DW0_STREAMID
#define AEVT1_S2             EVT_DW1_S2
#define AEVT1_STALL          EVT_DW1_STALL

/* The physical STE the host builds (soft backend, which plays the host
 * driver) */
#define HSTE1_MEV            STE_DW1_MEV
#define HSTE1_SHCFG          STE_DW1_SHCFG
#define HSTE_SHCFG_INCOMING  1u
#define HSTE2_S2VMID         STE_DW2_S2VMID
#define HSTE2_S2T0SZ         STE_DW2_S2T0SZ
#define HSTE2_S2SL0          STE_DW2_S2SL0
#define HSTE2_S2IR0          STE_DW2_S2IR0
#define HSTE2_S2OR0          STE_DW2_S2OR0
#define HSTE2_S2SH0          STE_DW2_S2SH0
#define HSTE2_S2TG           STE_DW2_S2TG
#define HSTE2_S2PS           STE_DW2_S2PS
#define HSTE2_S2AA64         STE_DW2_S2AA64
#define HSTE2_S2PTW          STE_DW2_S2PTW
#define HSTE2_S2R            STE_DW2_S2R
#define HSTE3_S2TTB          STE_DW3_S2TTB
/* S2TG encodings */
#define HSTE_S2TG_4K         0u
#define HSTE_S2TG_64K        1u
#define HSTE_S2TG_16K        2u

#endif
