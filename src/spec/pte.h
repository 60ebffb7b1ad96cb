/* SPDX-License-Identifier: MIT */
/* VMSAv8-64 translation table descriptor fields (64-bit descriptors, DS=0).
 * Arm ARM D8.3 (descriptor formats), D8.4 (access permissions),
 * D8.5 (AF, DBM), D8.6 (memory attributes); IHI0070 3.4. */
#ifndef VSMMU_SPEC_PTE_H
#define VSMMU_SPEC_PTE_H

#include "../bits.h"

/* ---- common: type (Arm ARM D8.3.1) ---- */
#define PTE_VALID        BIT(0)         /* 0: invalid descriptor */
#define PTE_TYPE         BIT(1)         /* L0-2: 1 table, 0 block; L3: 1 page, 0 reserved */

/* Output/next-level address bits [47:12] (bits below the granule or the
 * block size are not part of the address) */
#define PTE_ADDR         GENMASK(47, 12)
/* 64K granule with 52-bit OA (FEAT_LPA / SMMUv3.1-LPA): OA[51:48] */
#define PTE_ADDR_HI      GENMASK(15, 12)
#define PTE_ADDR_HI_SHIFT 48

/* ---- table descriptor, stage 1 (Arm ARM D8.3.1.2) ---- */
#define PTE_PXNTABLE     BIT(59)        /* two-privilege regimes only */
#define PTE_UXNTABLE     BIT(60)        /* XNTable in single-privilege regimes */
#define PTE_XNTABLE      BIT(60)
#define PTE_APTABLE      GENMASK(62, 61)
#define PTE_APTABLE0     BIT(61)        /* no unprivileged access below */
#define PTE_APTABLE1     BIT(62)        /* no write access below */
#define PTE_NSTABLE      BIT(63)        /* Secure only; ignored for NS streams */

/* ---- block / page descriptor, stage 1 (Arm ARM D8.3.2) ---- */
#define PTE_ATTRINDX     GENMASK(4, 2)  /* index of the MAIR attribute byte */
#define PTE_NS           BIT(5)
#define PTE_AP           GENMASK(7, 6)  /* AP[2:1] */
#define PTE_AP1          BIT(6)         /* AP[1]: unprivileged access */
#define PTE_AP2          BIT(7)         /* AP[2]: read-only */
#define PTE_SH           GENMASK(9, 8)
#define PTE_AF           BIT(10)
#define PTE_NG           BIT(11)
#define PTE_NT           BIT(16)        /* block translation (BBML); ignored */
#define PTE_GP           BIT(50)        /* BTI guarded page; ignored by the SMMU */
#define PTE_DBM          BIT(51)        /* dirty bit modifier */
#define PTE_CONT         BIT(52)        /* contiguous hint */
#define PTE_PXN          BIT(53)
#define PTE_UXN          BIT(54)        /* XN in single-privilege regimes */
#define PTE_XN           BIT(54)

/* ---- block / page descriptor, stage 2 (Arm ARM D8.3.2, D8.4.2) ---- */
#define PTE_S2_MEMATTR   GENMASK(5, 2)
#define PTE_S2AP         GENMASK(7, 6)
#define PTE_S2AP_R       BIT(6)         /* S2AP[0]: read */
#define PTE_S2AP_W       BIT(7)         /* S2AP[1]: write */
#define PTE_S2_XN        GENMASK(54, 53) /* XN[1:0]; XN[0] only with IDR3.XNX */
#define PTE_S2_XN0       BIT(53)
#define PTE_S2_XN1       BIT(54)

/* AP[2:1] values */
#define AP_PRIV_RW       0u   /* 00: privileged RW, unprivileged none */
#define AP_RW            1u   /* 01: RW at both */
#define AP_PRIV_RO       2u   /* 10: privileged RO, unprivileged none */
#define AP_RO            3u   /* 11: RO at both */

/* Stage-2 MemAttr[3:0] (FWB=0): [3:2] 00 Device, else outer cacheability */
#define S2_MEMATTR_OUTER GENMASK(3, 2)
#define S2_MEMATTR_INNER GENMASK(1, 0)
/* FWB=1 (Arm ARM D8.6.6): MemAttr[2]=0 Device (type in [1:0]) */
#define S2_FWB_NORMAL    BIT(2)
#define S2_FWB_TYPE      GENMASK(1, 0)

/* MAIR attribute byte (Arm ARM D8.6.1) */
#define MAIR_OUTER       GENMASK(7, 4)
#define MAIR_INNER       GENMASK(3, 0)
#define MAIR_DEV_TYPE    GENMASK(3, 2)  /* with outer == 0: 00 nGnRnE .. 11 GRE */

/* Shareability encodings */
#define SH_NSH 0u
#define SH_OSH 2u
#define SH_ISH 3u

#endif
