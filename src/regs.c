/* SPDX-License-Identifier: MIT */
/* Register file — placeholder: stores 32-bit registers, CR0 acknowledges
 * immediately. Replaced by the full register model. */
#include <string.h>
#include "internal.h"

void vsmmu_regs_reset(struct vsmmu *s)
{
    memset(&s->regs, 0, sizeof(s->regs));
    s->regs.gbpa = s->cfg.gbpa_reset & ~(uint32_t)GBPA_UPDATE;
}

uint64_t vsmmu_regs_read(struct vsmmu *s, uint32_t offset, unsigned size)
{
    switch (offset) {
    case SMMU_CR0: return s->regs.cr0;
    case SMMU_CR0ACK: return s->regs.cr0ack;
    case SMMU_GBPA: return s->regs.gbpa;
    default: return 0;
    }
}

void vsmmu_regs_write(struct vsmmu *s, uint32_t offset, uint64_t val, unsigned size)
{
    switch (offset) {
    case SMMU_CR0:
        reg_store(&s->regs.cr0, (uint32_t)val);
        reg_store(&s->regs.cr0ack, (uint32_t)val);
        break;
    case SMMU_GBPA:
        if (val & GBPA_UPDATE)
            reg_store(&s->regs.gbpa, (uint32_t)val & ~(uint32_t)GBPA_UPDATE);
        break;
    default:
        break;
    }
}
