/* SPDX-License-Identifier: MIT */
/* Stream table — placeholder: every STE is C_BAD_STE. */
#include <string.h>
#include "internal.h"
#include "ste.h"

int vsmmu_ste_lookup(struct vsmmu *s, uint32_t sid, struct vsmmu_ste *ste, struct vsmmu_fault *f)
{
    memset(ste, 0, sizeof(*ste));
    fault_set(f, EVT_C_BAD_STE);
    return -1;
}

int vsmmu_ste_decode(const struct vsmmu *s, const uint64_t raw[8], struct vsmmu_ste *ste)
{
    return -1;
}
