/* SPDX-License-Identifier: MIT */
/* A fault as found by the config lookup or the walker, before it becomes an
 * event record (event.c) and an outcome (translate.c). IHI0070 7.3. */
#ifndef VSMMU_FAULT_H
#define VSMMU_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* Event type numbers (IHI0070 7.3) */
#define EVT_F_UUT              0x01
#define EVT_C_BAD_STREAMID     0x02
#define EVT_F_STE_FETCH        0x03
#define EVT_C_BAD_STE          0x04
#define EVT_F_BAD_ATS_TREQ     0x05
#define EVT_F_STREAM_DISABLED  0x06
#define EVT_F_TRANSL_FORBIDDEN 0x07
#define EVT_C_BAD_SUBSTREAMID  0x08
#define EVT_F_CD_FETCH         0x09
#define EVT_C_BAD_CD           0x0A
#define EVT_F_WALK_EABT        0x0B
#define EVT_F_TRANSLATION      0x10
#define EVT_F_ADDR_SIZE        0x11
#define EVT_F_ACCESS           0x12
#define EVT_F_PERMISSION       0x13
#define EVT_F_TLB_CONFLICT     0x20
#define EVT_F_CFG_CONFLICT     0x21
#define EVT_E_PAGE_REQUEST     0x24

/* CLASS field */
#define EVT_CLASS_CD  0
#define EVT_CLASS_TT  1
#define EVT_CLASS_IN  2

struct vsmmu_fault {
    uint8_t  type;          /* EVT_*; 0 = no fault */
    bool     s2;            /* fault at stage 2 */
    uint8_t  cls;           /* EVT_CLASS_* */
    bool     ttrnw;         /* F_PERMISSION CLASS=TT: 1 read, 0 HTTU write */
    uint64_t ipa;           /* valid when s2 */
    uint64_t fetch_addr;    /* F_STE_FETCH, F_CD_FETCH, F_WALK_EABT */
    bool     rnw_override;  /* atomic: report RnW = rnw below instead of the txn's */
    bool     rnw;
    bool     silent;        /* terminate without recording (e.g. STE Config=abort) */
};

static inline void fault_set(struct vsmmu_fault *f, uint8_t type)
{
    *f = (struct vsmmu_fault){ .type = type };
}

#endif
