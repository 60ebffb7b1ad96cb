/* SPDX-License-Identifier: MIT */
/* The decoded configuration of one (StreamID, SubstreamID): what the
 * configuration cache holds and what the pipeline translates with. */
#ifndef VSMMU_XCFG_H
#define VSMMU_XCFG_H

#include <stdbool.h>
#include <stdint.h>
#include "ste.h"
#include "cd.h"

struct vsmmu_xcfg {
    uint32_t sid;
    uint32_t ssid;
    bool     ssv;
    struct vsmmu_ste ste;
    bool     s1_bypass;     /* no stage-1 translation (Config, S1DSS) */
    struct vsmmu_cd cd;     /* valid when ste.s1 && !s1_bypass */
};

#endif
