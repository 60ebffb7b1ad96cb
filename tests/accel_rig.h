/* SPDX-License-Identifier: MIT */
/* A small accelerated-mode rig for tests: a host vsmmu (full-v3.2) playing
 * the physical SMMU through the soft backend, with a host-owned stage 2
 * (4K, S2T0SZ 32, S2SL0 1: start level 1) mapping guest IPA [0, 2 MiB) to
 * host PA 2 MiB, and a guest vSMMU with the caller's configuration fronting
 * it, with one passthrough device: guest StreamID 1 -> host StreamID 0x21. */
#ifndef VSMMU_TEST_ACCEL_RIG_H
#define VSMMU_TEST_ACCEL_RIG_H

#include "mem.h"
#include "ptb.h"
#include "internal.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"

struct accel_rig {
    struct kit_mem *hm, *gm;   /* host memory (4 MiB), guest memory (1 MiB) */
    struct vsmmu *h, *g;       /* host SMMU, guest vSMMU */
};

static inline int accel_rig_open(struct accel_rig *r, const struct vsmmu_config *guest)
{
    struct vsmmu_config c;
    struct vsmmu_host_ops ops;
    char err[256];
    *r = (struct accel_rig){ 0 };
    r->hm = kit_mem_new();
    kit_mem_add(r->hm, 0, 4u << 20);
    vsmmu_config_profile(&c, "full-v3.2");
    kit_mem_ops(r->hm, &ops, false);
    if (vsmmu_create(&c, &ops, &r->h, err, sizeof(err)))
        return -1;
    struct kit_ptb s2;
    if (kit_ptb_init_s2(&s2, r->hm, 12, 1, 32) ||
        kit_ptb_map(&s2, 0, 2u << 20, 2u << 20, 2, PTE_S2AP_R | PTE_S2AP_W | PTE_AF |
                    FIELD_PREP(PTE_S2_MEMATTR, 0xf) | FIELD_PREP(PTE_SH, 3)))
        return -1;
    uint64_t msz = vsmmu_soft_mem_size(r->h), mem = kit_mem_alloc(r->hm, msz, 0x10000);
    struct vsmmu_soft_cfg sc = {
        .host = r->h, .mem_pa = mem, .mem_len = msz, .mem = kit_mem_ptr(r->hm, mem, msz),
        .s2_ttb = kit_ptb_ttb(&s2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5, .vmid = 1,
    };
    struct vsmmu_accel_backend *be;
    if (vsmmu_soft_backend_new(&sc, &be, err, sizeof(err)))
        return -1;
    r->gm = kit_mem_new();
    kit_mem_add(r->gm, 0, 1u << 20);
    kit_mem_ops(r->gm, &ops, false);
    if (vsmmu_create(guest, &ops, &r->g, err, sizeof(err)) ||
        vsmmu_accel_add_backend(r->g, be) != 0)
        return -1;
    struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = 1, .backend = 0,
                                 .host_id = 0x21 };
    return vsmmu_accel_attach(r->g, &d);
}

static inline void accel_rig_close(struct accel_rig *r)
{
    vsmmu_destroy(r->g);
    vsmmu_destroy(r->h);
    kit_mem_free(r->gm);
    kit_mem_free(r->hm);
}

#endif
