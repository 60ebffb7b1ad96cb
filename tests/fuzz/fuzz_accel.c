/* SPDX-License-Identifier: MIT */
/* Accelerated mode for the fuzz targets: a host vsmmu behind the soft backend. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"
#include "ptb.h"
#include "spec/pte.h"
#include "vsmmu/accel.h"

/* ---- accelerated mode with the soft backend ------------------------------------------- */

const uint32_t fz_accel_vsid[3] = { 1, 6, 9 };

uint32_t fz_accel_psid(uint32_t vsid)
{
    for (unsigned i = 0; i < 3; i++)
        if (fz_accel_vsid[i] == vsid)
            return 0x10 + vsid;
    return ~0u;
}

/* Build the host and the soft backend; put e->s in accelerated mode. Returns
 * false (and leaves e->s emulated) when the guest configuration cannot be
 * nested on the host. */
bool fz_accel_setup(struct fz_env *e, struct fz_accel *t, bool verbose)
{
    memset(t, 0, sizeof(*t));
    t->hm = kit_mem_new();
    kit_mem_add(t->hm, 0, 4u << 20);
    kit_mem_add(t->hm, FZ_HPA, FZ_RAM_SIZE);
    t->hm_own = t->hm->r[1].p;
    t->hm->r[1].p = e->mem->r[0].p;          /* guest RAM seen at FZ_HPA */
    struct vsmmu_config hc;
    vsmmu_config_profile(&hc, e->cfg.arch_minor >= 3 ? "full-v3.3" : "full-v3.2");
    hc.tlb_entries = e->cfg.tlb_entries;
    hc.cfg_entries = e->cfg.cfg_entries;
    struct vsmmu_host_ops ops;
    kit_mem_ops(t->hm, &ops, false);
    char err[256];
    if (vsmmu_create(&hc, &ops, &t->host, err, sizeof(err)))
        fz_fail("host instance: %s", err);
    struct kit_ptb s2;
    /* host stage 2: 4K, 32-bit IPA (S2T0SZ 32), start level 1 (S2SL0 1),
     * guest IPA [0, 2 MiB) -> FZ_HPA, RW, Normal WB */
    if (kit_ptb_init_s2(&s2, t->hm, 12, 1, 32) ||
        kit_ptb_map(&s2, 0, FZ_HPA, 2u << 20, 2, PTE_S2AP_R | PTE_S2AP_W |
                    FIELD_PREP(PTE_S2_MEMATTR, 0xf) | PTE_AF | FIELD_PREP(PTE_SH, 3)))
        fz_fail("host stage 2");
    uint64_t msz = vsmmu_soft_mem_size(t->host);
    uint64_t mem = kit_mem_alloc(t->hm, msz, 0x10000);
    struct vsmmu_soft_cfg sc = {
        .host = t->host, .mem_pa = mem, .mem_len = msz, .mem = kit_mem_ptr(t->hm, mem, msz),
        .s2_ttb = kit_ptb_ttb(&s2), .s2_t0sz = 32, .s2_sl0 = 1, .s2_granule = 12,
        .s2_ps = 5, .vmid = 5,
    };
    struct vsmmu_accel_backend *be;
    if (vsmmu_soft_backend_new(&sc, &be, err, sizeof(err)))
        fz_fail("soft backend: %s", err);
    if (vsmmu_accel_add_backend(e->s, be) < 0) {
        if (verbose)
            fprintf(stderr, "accel: %s\n", vsmmu_last_error(e->s));
        return false;            /* the guest configuration does not nest */
    }
    for (unsigned i = 0; i < 3; i++) {
        struct vsmmu_accel_dev d = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = fz_accel_vsid[i],
                                     .backend = 0, .host_id = fz_accel_psid(fz_accel_vsid[i]) };
        if (vsmmu_accel_attach(e->s, &d))
            fz_fail("accel attach vsid %u: %s", fz_accel_vsid[i], vsmmu_last_error(e->s));
    }
    /* the guest sees the masked configuration: the twin and the scenario
     * follow it */
    e->cfg = *vsmmu_get_config(e->s);
    fz_capture_ids(e);
    return true;
}

void fz_accel_fini(struct fz_env *e, struct fz_accel *t)
{
    if (!t->hm)
        return;
    vsmmu_destroy(e->s);          /* releases the backend before its host */
    e->s = NULL;
    vsmmu_destroy(t->host);
    t->hm->r[1].p = t->hm_own;
    kit_mem_free(t->hm);
}
