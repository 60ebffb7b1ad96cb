/* SPDX-License-Identifier: MIT */
/* Translation pipeline — placeholder: SMMUEN=0 follows GBPA, else abort. */
#include <string.h>
#include "internal.h"

int vsmmu_translate_impl(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res)
{
    memset(res, 0, sizeof(*res));
    stat_add(s, translations, 1);
    uint32_t cr0 = reg_load(&s->regs.cr0ack);
    if (!(cr0 & CR0_SMMUEN)) {
        uint32_t gbpa = reg_load(&s->regs.gbpa);
        if (gbpa & GBPA_ABORT || txn->addr >> s->oas_bits) {
            res->outcome = VSMMU_XLATE_ABORT;
            return VSMMU_OK;
        }
        res->outcome = VSMMU_XLATE_OK;
        res->out_addr = txn->addr;
        res->bypass = true;
        res->size_log2 = 12;
        res->perm = VSMMU_PERM_R | VSMMU_PERM_W | VSMMU_PERM_X;
        return VSMMU_OK;
    }
    res->outcome = VSMMU_XLATE_ABORT;
    stat_add(s, faults, 1);
    return VSMMU_OK;
}
