/* SPDX-License-Identifier: MIT */
/* Walker — placeholder: every walk faults with F_TRANSLATION. */
#include "internal.h"
#include "walk.h"

int vsmmu_walk(struct vsmmu *s, const struct vsmmu_walk_req *req,
               struct vsmmu_walk_out *out, struct vsmmu_fault *f)
{
    fault_set(f, EVT_F_TRANSLATION);
    f->cls = EVT_CLASS_IN;
    return -1;
}

int vsmmu_walk_s2_fetch(struct vsmmu *s, const struct vsmmu_s2_cfg *s2, uint64_t ipa,
                        int cls, uint64_t *pa, struct vsmmu_fault *f)
{
    fault_set(f, EVT_F_TRANSLATION);
    f->s2 = true;
    f->cls = (uint8_t)cls;
    f->ipa = ipa;
    return -1;
}

int vsmmu_s1_start_level(unsigned granule_log2, unsigned tsz) { return -1; }
int vsmmu_s2_start_level(unsigned granule_log2, unsigned sl0, unsigned t0sz,
                         unsigned ps_bits, unsigned *concat) { return -1; }
