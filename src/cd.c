/* SPDX-License-Identifier: MIT */
/* Context descriptors — placeholder: every CD is C_BAD_CD. */
#include <string.h>
#include "internal.h"
#include "cd.h"

int vsmmu_cd_lookup(struct vsmmu *s, const struct vsmmu_ste *ste, bool ssv, uint32_t ssid,
                    struct vsmmu_cd *cd, struct vsmmu_fault *f)
{
    memset(cd, 0, sizeof(*cd));
    fault_set(f, EVT_C_BAD_CD);
    return -1;
}

int vsmmu_cd_decode(const struct vsmmu *s, const struct vsmmu_ste *ste, const uint64_t raw[8],
                    struct vsmmu_cd *cd)
{
    return -1;
}
