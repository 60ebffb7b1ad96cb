/* SPDX-License-Identifier: MIT */
/* Caches — placeholder: nothing is cached, invalidations are no-ops. */
#include "internal.h"

int vsmmu_caches_init(struct vsmmu *s) { s->caches.tlb = NULL; s->caches.cfg = NULL; return 0; }
void vsmmu_caches_fini(struct vsmmu *s) { (void)s; }
void vsmmu_caches_flush(struct vsmmu *s) { (void)s; }
void vsmmu_tlb_invalidate(struct vsmmu *s, const struct vsmmu_tlbi *op) { (void)s; }
void vsmmu_cfg_invalidate(struct vsmmu *s, enum vsmmu_cfgi_op op, uint32_t sid,
                          uint32_t ssid, unsigned range_log2, bool leaf) { (void)s; }

bool vsmmu_cfgc_lookup(struct vsmmu *s, uint32_t sid, bool ssv, uint32_t ssid,
                       struct vsmmu_xcfg *out) { return false; }
void vsmmu_cfgc_insert(struct vsmmu *s, const struct vsmmu_xcfg *x) { (void)s; }
bool vsmmu_tlb_lookup(struct vsmmu *s, const struct vsmmu_tlb_key *k, uint64_t addr,
                      struct vsmmu_tlb_ent *out) { return false; }
void vsmmu_tlb_insert(struct vsmmu *s, const struct vsmmu_tlb_key *k,
                      const struct vsmmu_tlb_ent *e) { (void)s; }
