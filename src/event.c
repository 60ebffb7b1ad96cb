/* SPDX-License-Identifier: MIT */
/* Event records (IHI0070 7.3.2-7.3.20): which fields each event type
 * carries, placed per src/spec/event.h. */
#include <string.h>
#include "internal.h"
#include "event.h"
#include "spec/event.h"

/* Type, SSV, SubstreamID, StreamID (7.3 common header). */
static uint64_t header(uint8_t type, const struct vsmmu_evt_txn *t, bool with_ssid)
{
    uint64_t dw0 = FIELD_PREP(EVT_DW0_TYPE, type) | FIELD_PREP(EVT_DW0_STREAMID, t->sid);
    if (with_ssid && t->ssv)
        dw0 |= EVT_DW0_SSV | FIELD_PREP(EVT_DW0_SUBSTREAMID, t->ssid);
    return dw0;
}

static uint64_t attrs(const struct vsmmu_fault *f, const struct vsmmu_evt_txn *t)
{
    bool rnw = f->rnw_override ? f->rnw : t->rnw;
    uint64_t v = 0;
    if (t->pnu)
        v |= EVT_DW1_PNU;
    if (t->ind && rnw)                 /* writes are always data */
        v |= EVT_DW1_IND;
    if (rnw)
        v |= EVT_DW1_RNW;
    return v;
}

void vsmmu_event_build(uint64_t rec[4], const struct vsmmu_fault *f, const struct vsmmu_evt_txn *t)
{
    memset(rec, 0, 4 * sizeof(uint64_t));
    uint8_t type = f->type;
    switch (type) {
    case EVT_C_BAD_STREAMID:           /* 7.3.3 */
    case EVT_C_BAD_STE:                /* 7.3.5 */
    case EVT_C_BAD_CD:                 /* 7.3.11 */
        rec[0] = header(type, t, true);
        break;
    case EVT_F_STREAM_DISABLED:        /* 7.3.7: StreamID only */
        rec[0] = header(type, t, false);
        break;
    case EVT_C_BAD_SUBSTREAMID:        /* 7.3.9: SubstreamID always present, no SSV */
        rec[0] = header(type, t, false) |
                 FIELD_PREP(EVT_DW0_SUBSTREAMID, t->ssv ? t->ssid : 0);
        break;
    case EVT_F_STE_FETCH:              /* 7.3.4; Reason IMPDEF: 0 */
    case EVT_F_CD_FETCH:               /* 7.3.10 */
        rec[0] = header(type, t, true);
        rec[3] = f->fetch_addr & EVT_DW3_FETCHADDR;
        break;
    case EVT_F_WALK_EABT:              /* 7.3.12 */
        rec[0] = header(type, t, true);
        rec[1] = attrs(f, t) | (f->s2 ? EVT_DW1_S2 : 0) | FIELD_PREP(EVT_DW1_CLASS, f->cls);
        rec[2] = t->addr;
        rec[3] = f->fetch_addr & EVT_DW3_FETCHADDR;
        break;
    case EVT_F_TRANSLATION:            /* 7.3.13 - 7.3.16 */
    case EVT_F_ADDR_SIZE:
    case EVT_F_ACCESS:
    case EVT_F_PERMISSION:
        rec[0] = header(type, t, true);
        rec[1] = attrs(f, t) | (f->s2 ? EVT_DW1_S2 : 0) | FIELD_PREP(EVT_DW1_CLASS, f->cls);
        if (t->stall)
            rec[1] |= EVT_DW1_STALL | FIELD_PREP(EVT_DW1_STAG, t->stag);
        /* TTRnW: F_PERMISSION on a stage-1 table access (CLASS=TT) */
        if (type == EVT_F_PERMISSION && f->cls == EVT_CLASS_TT && f->ttrnw)
            rec[1] |= EVT_DW1_TTRNW;
        rec[2] = t->addr;
        if (f->s2)
            rec[3] = f->ipa & EVT_DW3_IPA;
        break;
    case EVT_F_TRANSL_FORBIDDEN:       /* 7.3.8: StreamID, RnW, InputAddr */
        rec[0] = header(type, t, false);
        rec[1] = t->rnw ? EVT_DW1_RNW : 0;
        rec[2] = t->addr;
        break;
    default:                           /* F_UUT and others: header, attributes, address */
        rec[0] = header(type, t, true);
        rec[1] = attrs(f, t);
        rec[2] = t->addr;
        break;
    }
}
