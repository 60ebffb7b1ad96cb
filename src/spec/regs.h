/* SPDX-License-Identifier: MIT */
/* SMMUv3 Non-secure register map and register fields (IHI0070 6.3).
 * Offsets are within the 128 KiB window; page-1 registers at 0x10000+. */
#ifndef VSMMU_SPEC_REGS_H
#define VSMMU_SPEC_REGS_H

#include "bits.h"

#define SMMU_PAGE1                 0x10000u

#define SMMU_IDR0                  0x000
#define SMMU_IDR1                  0x004
#define SMMU_IDR2                  0x008
#define SMMU_IDR3                  0x00C
#define SMMU_IDR4                  0x010
#define SMMU_IDR5                  0x014
#define SMMU_IIDR                  0x018
#define SMMU_AIDR                  0x01C
#define SMMU_CR0                   0x020
#define SMMU_CR0ACK                0x024
#define SMMU_CR1                   0x028
#define SMMU_CR2                   0x02C
#define SMMU_STATUSR               0x040
#define SMMU_GBPA                  0x044
#define SMMU_AGBPA                 0x048
#define SMMU_IRQ_CTRL              0x050
#define SMMU_IRQ_CTRLACK           0x054
#define SMMU_GERROR                0x060
#define SMMU_GERRORN               0x064
#define SMMU_GERROR_IRQ_CFG0       0x068
#define SMMU_GERROR_IRQ_CFG1       0x070
#define SMMU_GERROR_IRQ_CFG2       0x074
#define SMMU_STRTAB_BASE           0x080
#define SMMU_STRTAB_BASE_CFG       0x088
#define SMMU_CMDQ_BASE             0x090
#define SMMU_CMDQ_PROD             0x098
#define SMMU_CMDQ_CONS             0x09C
#define SMMU_EVENTQ_BASE           0x0A0
#define SMMU_EVENTQ_PROD_ALIAS     0x0A8
#define SMMU_EVENTQ_CONS_ALIAS     0x0AC
#define SMMU_EVENTQ_IRQ_CFG0       0x0B0
#define SMMU_EVENTQ_IRQ_CFG1       0x0B8
#define SMMU_EVENTQ_IRQ_CFG2       0x0BC
#define SMMU_PRIQ_BASE             0x0C0
#define SMMU_PRIQ_PROD_ALIAS       0x0C8
#define SMMU_PRIQ_CONS_ALIAS       0x0CC
#define SMMU_PRIQ_IRQ_CFG0         0x0D0
#define SMMU_PRIQ_IRQ_CFG1         0x0D8
#define SMMU_PRIQ_IRQ_CFG2         0x0DC
#define SMMU_PIDR4                 0xFD0
#define SMMU_PIDR5                 0xFD4
#define SMMU_PIDR6                 0xFD8
#define SMMU_PIDR7                 0xFDC
#define SMMU_PIDR0                 0xFE0
#define SMMU_PIDR1                 0xFE4
#define SMMU_PIDR2                 0xFE8
#define SMMU_PIDR3                 0xFEC
#define SMMU_CIDR0                 0xFF0
#define SMMU_CIDR1                 0xFF4
#define SMMU_CIDR2                 0xFF8
#define SMMU_CIDR3                 0xFFC
#define SMMU_EVENTQ_PROD           (SMMU_PAGE1 + 0x0A8)
#define SMMU_EVENTQ_CONS           (SMMU_PAGE1 + 0x0AC)
#define SMMU_PRIQ_PROD             (SMMU_PAGE1 + 0x0C8)
#define SMMU_PRIQ_CONS             (SMMU_PAGE1 + 0x0CC)

/* IDR0 */
#define IDR0_S2P                   BIT(0)
#define IDR0_S1P                   BIT(1)
#define IDR0_TTF                   GENMASK(3, 2)
#define IDR0_COHACC                BIT(4)
#define IDR0_BTM                   BIT(5)
#define IDR0_HTTU                  GENMASK(7, 6)
#define IDR0_DORMHINT              BIT(8)
#define IDR0_HYP                   BIT(9)
#define IDR0_ATS                   BIT(10)
#define IDR0_NS1ATS                BIT(11)
#define IDR0_ASID16                BIT(12)
#define IDR0_MSI                   BIT(13)
#define IDR0_SEV                   BIT(14)
#define IDR0_ATOS                  BIT(15)
#define IDR0_PRI                   BIT(16)
#define IDR0_VMW                   BIT(17)
#define IDR0_VMID16                BIT(18)
#define IDR0_CD2L                  BIT(19)
#define IDR0_VATOS                 BIT(20)
#define IDR0_TTENDIAN              GENMASK(22, 21)
#define IDR0_ATSRECERR             BIT(23)
#define IDR0_STALL_MODEL           GENMASK(25, 24)
#define IDR0_TERM_MODEL            BIT(26)
#define IDR0_ST_LEVEL              GENMASK(28, 27)
#define IDR0_RME_IMPL              BIT(30)
#define IDR0_TTF_AARCH64           2u
#define IDR0_TTENDIAN_MIXED        0u
#define IDR0_TTENDIAN_LE           2u
#define IDR0_TTENDIAN_BE           3u
#define IDR0_ST_LEVEL_LINEAR       0u
#define IDR0_ST_LEVEL_2LVL         1u

/* IDR1 */
#define IDR1_SIDSIZE               GENMASK(5, 0)
#define IDR1_SSIDSIZE              GENMASK(10, 6)
#define IDR1_PRIQS                 GENMASK(15, 11)
#define IDR1_EVENTQS               GENMASK(20, 16)
#define IDR1_CMDQS                 GENMASK(25, 21)
#define IDR1_ATTR_PERMS_OVR        BIT(26)
#define IDR1_ATTR_TYPES_OVR        BIT(27)
#define IDR1_REL                   BIT(28)
#define IDR1_QUEUES_PRESET         BIT(29)
#define IDR1_TABLES_PRESET         BIT(30)
#define IDR1_ECMDQ                 BIT(31)

/* IDR2 */
#define IDR2_BA_VATOS              GENMASK(9, 0)

/* IDR3 */
#define IDR3_HAD                   BIT(2)
#define IDR3_PBHA                  BIT(3)
#define IDR3_XNX                   BIT(4)
#define IDR3_PPS                   BIT(5)
#define IDR3_MPAM                  BIT(7)
#define IDR3_FWB                   BIT(8)
#define IDR3_STT                   BIT(9)
#define IDR3_RIL                   BIT(10)
#define IDR3_BBML                  GENMASK(12, 11)
#define IDR3_E0PD                  BIT(13)
#define IDR3_PTWNNC                BIT(14)

/* IDR5 */
#define IDR5_OAS                   GENMASK(2, 0)
#define IDR5_DS                    BIT(7)
#define IDR5_D128                  BIT(8)
#define IDR5_GRAN4K                BIT(4)
#define IDR5_GRAN16K               BIT(5)
#define IDR5_GRAN64K               BIT(6)
#define IDR5_VAX                   GENMASK(11, 10)
#define IDR5_VAX_48                0u
#define IDR5_VAX_52                1u
#define IDR5_STALL_MAX             GENMASK(31, 16)

/* IIDR / AIDR */
#define IIDR_IMPLEMENTER           GENMASK(11, 0)
#define IIDR_REVISION              GENMASK(15, 12)
#define IIDR_VARIANT               GENMASK(19, 16)
#define IIDR_PRODUCTID             GENMASK(31, 20)
#define AIDR_MINOR                 GENMASK(3, 0)
#define AIDR_MAJOR                 GENMASK(7, 4)

/* CR0 / CR0ACK */
#define CR0_SMMUEN                 BIT(0)
#define CR0_PRIQEN                 BIT(1)
#define CR0_EVENTQEN               BIT(2)
#define CR0_CMDQEN                 BIT(3)
#define CR0_ATSCHK                 BIT(4)
#define CR0_VMW                    GENMASK(8, 6)
#define CR0_DPT_WALK_EN            BIT(10)

/* CR1 */
#define CR1_QUEUE_IC               GENMASK(1, 0)
#define CR1_QUEUE_OC               GENMASK(3, 2)
#define CR1_QUEUE_SH               GENMASK(5, 4)
#define CR1_TABLE_IC               GENMASK(7, 6)
#define CR1_TABLE_OC               GENMASK(9, 8)
#define CR1_TABLE_SH               GENMASK(11, 10)

/* CR2 */
#define CR2_E2H                    BIT(0)
#define CR2_RECINVSID              BIT(1)
#define CR2_PTM                    BIT(2)
#define CR2_REC_CFG_ATS            BIT(3)

/* GBPA */
#define GBPA_MEMATTR               GENMASK(3, 0)
#define GBPA_MTCFG                 BIT(4)
#define GBPA_ALLOCCFG              GENMASK(11, 8)
#define GBPA_SHCFG                 GENMASK(13, 12)
#define GBPA_PRIVCFG               GENMASK(17, 16)
#define GBPA_INSTCFG               GENMASK(19, 18)
#define GBPA_ABORT                 BIT(20)
#define GBPA_UPDATE                BIT(31)

/* STATUSR */
#define STATUSR_DORMANT            BIT(0)

/* IRQ_CTRL / IRQ_CTRLACK */
#define IRQ_CTRL_GERROR_IRQEN      BIT(0)
#define IRQ_CTRL_PRIQ_IRQEN        BIT(1)
#define IRQ_CTRL_EVENTQ_IRQEN      BIT(2)

/* GERROR / GERRORN */
#define GERROR_CMDQ_ERR            BIT(0)
#define GERROR_EVENTQ_ABT_ERR      BIT(2)
#define GERROR_PRIQ_ABT_ERR        BIT(3)
#define GERROR_MSI_CMDQ_ABT_ERR    BIT(4)
#define GERROR_MSI_EVENTQ_ABT_ERR  BIT(5)
#define GERROR_MSI_PRIQ_ABT_ERR    BIT(6)
#define GERROR_MSI_GERROR_ABT_ERR  BIT(7)
#define GERROR_SFM_ERR             BIT(8)
#define GERROR_CMDQP_ERR           BIT(9)
#define GERROR_DPT_ERR             BIT(10)

/* *_IRQ_CFG0 / CFG2 */
#define IRQ_CFG0_ADDR              GENMASK(51, 2)
#define IRQ_CFG2_MEMATTR           GENMASK(3, 0)
#define IRQ_CFG2_SH                GENMASK(5, 4)
#define IRQ_CFG2_LO                BIT(31)   /* PRIQ_IRQ_CFG2 only */
#define IRQ_CFG1_DATA              GENMASK(31, 0)

/* STRTAB_BASE / STRTAB_BASE_CFG */
#define STRTAB_BASE_ADDR           GENMASK(51, 6)
#define STRTAB_BASE_RA             BIT(62)
#define STRTAB_CFG_LOG2SIZE        GENMASK(5, 0)
#define STRTAB_CFG_SPLIT           GENMASK(10, 6)
#define STRTAB_CFG_FMT             GENMASK(17, 16)
#define STRTAB_FMT_LINEAR          0u
#define STRTAB_FMT_2LVL            1u

/* CMDQ_BASE / EVENTQ_BASE / PRIQ_BASE */
#define Q_BASE_LOG2SIZE            GENMASK(4, 0)
#define Q_BASE_ADDR                GENMASK(51, 5)
#define Q_BASE_RWA                 BIT(62)
/* PROD / CONS */
#define Q_IDX_WR                   GENMASK(19, 0)
#define Q_PROD_OVFLG               BIT(31)
#define Q_CONS_OVACKFLG            BIT(31)
#define Q_IDX_MAX_LOG2SIZE         19u
#define CMDQ_CONS_ERR              GENMASK(30, 24)

/* CMDQ_CONS.ERR codes (IHI0070 4.8) */
#define CERROR_NONE                0x00
#define CERROR_ILL                 0x01
#define CERROR_ABT                 0x02
#define CERROR_ATC_INV_SYNC        0x03

/* ID_REGS block (CoreSight-style identification, IHI0070 6.3 ID_REGS):
 * only bits [7:0] of each register are used. */
#define PIDR0_PART_0               GENMASK(7, 0)
#define PIDR1_PART_1               GENMASK(3, 0)
#define PIDR1_DES_0                GENMASK(7, 4)
#define PIDR2_DES_1                GENMASK(2, 0)
#define PIDR2_JEDEC                BIT(3)
#define PIDR2_REVISION             GENMASK(7, 4)
#define PIDR3_CMOD                 GENMASK(3, 0)
#define PIDR3_REVAND               GENMASK(7, 4)
#define PIDR4_DES_2                GENMASK(3, 0)
#define PIDR4_SIZE                 GENMASK(7, 4)
#define CIDR0_VALUE                0x0Du
#define CIDR1_VALUE                0xF0u
#define CIDR2_VALUE                0x05u
#define CIDR3_VALUE                0xB1u
/* IIDR.Implementer split into its JEP106 parts */
#define JEP106_ID                  GENMASK(6, 0)
#define JEP106_CONT                GENMASK(11, 8)

/* Secure register block (not modelled: RAZ/WI to Non-secure accesses) */
#define SMMU_SECURE_BASE           0x8000u
#define SMMU_SECURE_END            0x9000u

#endif
