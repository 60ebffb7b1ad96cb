/* SPDX-License-Identifier: MIT */
/* Interrupts — placeholder. */
#include "internal.h"

void vsmmu_irq_raise(struct vsmmu *s, enum vsmmu_irq_src src) { (void)s; }
void vsmmu_gerror_activate(struct vsmmu *s, uint32_t bits) { (void)s; }
void vsmmu_gerrorn_written(struct vsmmu *s, uint32_t old, uint32_t now) { (void)s; }
int vsmmu_msi_send(struct vsmmu *s, uint64_t addr, uint32_t data, uint32_t attrs)
{
    if (!s->ops.msi)
        return -1;
    return s->ops.msi(s->ops.opaque, addr, data, attrs) ? -1 : 0;
}
void vsmmu_wired_pulse(struct vsmmu *s, int line)
{
    if (s->ops.irq)
        s->ops.irq(s->ops.opaque, (enum vsmmu_irq_line)line);
}
