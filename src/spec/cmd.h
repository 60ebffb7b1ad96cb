/* SPDX-License-Identifier: MIT */
/* Command queue entries (IHI0070 chapter 4): opcodes and field masks.
 * A command is two little-endian doublewords; CMD0_* masks apply to DW0,
 * CMD1_* masks to DW1 (absolute bit n >= 64 is DW1[n-64]). */
#ifndef VSMMU_SPEC_CMD_H
#define VSMMU_SPEC_CMD_H

#include "bits.h"

#define CMD_SIZE                16u     /* bytes per entry */
#define CMD_SIZE_LOG2           4u

/* Opcodes (IHI0070 4.1.1) */
#define CMD_PREFETCH_CONFIG     0x01
#define CMD_PREFETCH_ADDR       0x02
#define CMD_CFGI_STE            0x03
#define CMD_CFGI_STE_RANGE      0x04    /* CMD_CFGI_ALL is Range == 31 */
#define CMD_CFGI_CD             0x05
#define CMD_CFGI_CD_ALL         0x06
#define CMD_CFGI_VMS_PIDM       0x07
#define CMD_TLBI_NH_ALL         0x10
#define CMD_TLBI_NH_ASID        0x11
#define CMD_TLBI_NH_VA          0x12
#define CMD_TLBI_NH_VAA         0x13
#define CMD_TLBI_EL3_ALL        0x18
#define CMD_TLBI_EL3_VA         0x1A
#define CMD_TLBI_EL2_ALL        0x20
#define CMD_TLBI_EL2_ASID       0x21
#define CMD_TLBI_EL2_VA         0x22
#define CMD_TLBI_EL2_VAA        0x23
#define CMD_TLBI_S12_VMALL      0x28
#define CMD_TLBI_S2_IPA         0x2A
#define CMD_TLBI_NSNH_ALL       0x30
#define CMD_ATC_INV             0x40
#define CMD_PRI_RESP            0x41
#define CMD_RESUME              0x44
#define CMD_STALL_TERM          0x45
#define CMD_SYNC                0x46

#define CMD_CFGI_RANGE_ALL      31u     /* CMD_CFGI_STE_RANGE.Range for CMD_CFGI_ALL */

/* ---- DW0 ------------------------------------------------------------------ */
#define CMD0_OP                 GENMASK(7, 0)
#define CMD0_ATC_GLOBAL         BIT(9)          /* CMD_ATC_INV */
#define CMD0_SSEC               BIT(10)
#define CMD0_SSV                BIT(11)
#define CMD0_SSID               GENMASK(31, 12)
#define CMD0_SID                GENMASK(63, 32)
#define CMD0_VMID               GENMASK(47, 32) /* TLBI */
#define CMD0_ASID               GENMASK(63, 48) /* TLBI */
#define CMD0_NUM                GENMASK(16, 12) /* range TLBI (IHI0070 4.4.1) */
#define CMD0_SCALE              GENMASK(24, 20) /* 5 bits: DW0[25] is SCALE[5] only with DS (v3.4) */
#define CMD0_RESUME_AC          BIT(12)         /* CMD_RESUME Action: 1 retry, 0 terminate */
#define CMD0_RESUME_AB          BIT(13)         /* CMD_RESUME Abort (terminate: 1 abort, 0 RAZ/WI) */
#define CMD0_SYNC_CS            GENMASK(13, 12)
#define CMD0_SYNC_MSH           GENMASK(23, 22)
#define CMD0_SYNC_MSIATTR       GENMASK(27, 24)
#define CMD0_SYNC_MSIDATA       GENMASK(63, 32)

/* CMD_SYNC.CS */
#define CMD_SYNC_CS_NONE        0u
#define CMD_SYNC_CS_IRQ         1u
#define CMD_SYNC_CS_SEV         2u

/* ---- DW1 ------------------------------------------------------------------ */
#define CMD1_LEAF               BIT(0)          /* CFGI_STE, CFGI_CD, TLBI by address */
#define CMD1_RANGE              GENMASK(4, 0)   /* CFGI_STE_RANGE */
#define CMD1_TTL128             BIT(7)          /* v3.4 only: RES0 here */
#define CMD1_TTL                GENMASK(9, 8)
#define CMD1_TG                 GENMASK(11, 10)
#define CMD1_VA                 GENMASK(63, 12) /* VA[63:12] */
#define CMD1_ADDR_LO            GENMASK(63, 12) /* PA/IPA[55:12] field, upper part checked separately */
#define CMD1_PF_SIZE            GENMASK(4, 0)   /* PREFETCH_ADDR */
#define CMD1_PF_STRIDE          GENMASK(9, 5)   /* PREFETCH_ADDR, v3.1+ */
#define CMD1_PF_NS              BIT(11)         /* PREFETCH_ADDR: Secure queue with SEL2 only */
#define CMD1_ATC_SIZE           GENMASK(5, 0)   /* ATC_INV */
#define CMD1_PRI_PRGI           GENMASK(8, 0)   /* PRI_RESP PRGIndex */
#define CMD1_PRI_RESP           GENMASK(13, 12) /* PRI_RESP Resp */
#define CMD1_STAG               GENMASK(15, 0)  /* RESUME */
#define CMD1_MSIADDR            GENMASK(55, 2)  /* CMD_SYNC MSIAddress[55:2] */

/* Physical/IPA address fields are Address[55:12] (MSIAddress [55:2]):
 * bits [55:52] are RES0 in SMMUv3.1-3.3, bits [55:48] in SMMUv3.0
 * (IHI0070 4.1.6). Bits [63:56] of DW1 are outside the field. */
#define CMD1_PA_RES0_V31        GENMASK(63, 52)
#define CMD1_PA_RES0_V30        GENMASK(63, 48)

/* TLBI TG encodings */
#define CMD_TG_NONE             0u
#define CMD_TG_4K               1u
#define CMD_TG_16K              2u
#define CMD_TG_64K              3u

/* PRI_RESP.Resp */
#define CMD_PRI_RESP_FAILURE    0u      /* PCIe Response Failure 0b1111 */
#define CMD_PRI_RESP_INVALID    1u      /* PCIe Invalid Request 0b0001 */
#define CMD_PRI_RESP_SUCCESS    2u      /* PCIe Success 0b0000 */

#define CMD_ATC_SIZE_MAX        52u     /* Size 52: the whole 2^64 space */

#endif
