/* SPDX-License-Identifier: MIT */
/* Interrupt and MSI delivery, GERROR activation (irq.c): IHI0070 3.18, 6.3.17. */
#ifndef VSMMU_IRQ_H
#define VSMMU_IRQ_H

#include <stdint.h>

struct vsmmu;

enum vsmmu_irq_src { VSMMU_SRC_EVTQ, VSMMU_SRC_PRIQ, VSMMU_SRC_GERROR };

/* Signal `src` if its IRQ_CTRL enable is set: MSI when IDR0.MSI and
 * *_IRQ_CFG0.ADDR != 0 (an abort sets GERROR.MSI_*_ABT_ERR), else wired.
 * Caller holds evtq.lock. */
void vsmmu_irq_raise(struct vsmmu *s, enum vsmmu_irq_src src);
/* Activate GERROR bits that are inactive (toggle protocol) and raise the
 * GERROR interrupt. Caller holds evtq.lock. */
void vsmmu_gerror_activate(struct vsmmu *s, uint32_t bits);
/* Called by regs.c after a GERRORN write (lock not held). */
void vsmmu_gerrorn_written(struct vsmmu *s, uint32_t old, uint32_t now);
/* Send an MSI through the host op; returns 0 or -1 (abort). */
int  vsmmu_msi_send(struct vsmmu *s, uint64_t addr, uint32_t data, uint32_t attrs);
/* Pulse a wired line. */
void vsmmu_wired_pulse(struct vsmmu *s, int line);

#endif
