/* SPDX-License-Identifier: MIT */
/* Interrupt and MSI delivery, GERROR activation (irq.c): IHI0070 3.18, 6.3.17,
 * 7.5.
 *
 * Interrupts are noted under evtq.lock (vsmmu_irq_raise, vsmmu_gerror_activate)
 * and delivered by vsmmu_irq_flush() after the lock is released, so that a
 * host op (msi/irq) may call back into the instance (for example an MMIO
 * write from an interrupt handler) without deadlock, and so that the
 * notification is never observable before the state it announces (PROD,
 * GERROR) is. The queue entry points (vsmmu_evtq_write, vsmmu_priq_write,
 * vsmmu_cmdq_process, vsmmu_gerrorn_written) flush before returning; any
 * other caller of vsmmu_gerror_activate must call vsmmu_irq_flush() after
 * unlocking. */
#ifndef VSMMU_IRQ_H
#define VSMMU_IRQ_H

#include <stdint.h>
#include "vsmmu/vsmmu.h"

struct vsmmu;

enum vsmmu_irq_src { VSMMU_SRC_EVTQ, VSMMU_SRC_PRIQ, VSMMU_SRC_GERROR };

/* Note an interrupt of `src` if its IRQ_CTRLACK enable is set. Delivery
 * (vsmmu_irq_flush, IHI0070 3.18.2) sends an MSI when IDR0.MSI and
 * *_IRQ_CFG0.ADDR != 0 (an abort sets GERROR.MSI_*_ABT_ERR) and pulses the
 * wired line when the host has an irq op (wired outputs implemented).
 * Caller holds evtq.lock. */
void vsmmu_irq_raise(struct vsmmu *s, enum vsmmu_irq_src src);
/* Activate GERROR bits that are inactive (toggle protocol, IHI0070 7.5) and
 * note the GERROR interrupt (not for MSI_GERROR_ABT_ERR alone). Caller holds
 * evtq.lock. */
void vsmmu_gerror_activate(struct vsmmu *s, uint32_t bits);
/* Deliver noted interrupts. Call without evtq.lock. */
void vsmmu_irq_flush(struct vsmmu *s);
/* Called by regs.c after a GERRORN write (lock not held): acknowledging
 * CMDQ_ERR restarts command processing (IHI0070 7.1). */
void vsmmu_gerrorn_written(struct vsmmu *s, uint32_t old, uint32_t now);
/* A 32-bit MSI write: the host msi op, or without one a 32-bit little-endian
 * store through the memory write op with access kind `kind`. 0 or -1 (abort). */
int  vsmmu_msi_send_kind(struct vsmmu *s, uint64_t addr, uint32_t data, uint32_t attrs,
                         enum vsmmu_mem_kind kind);
static inline int vsmmu_msi_send(struct vsmmu *s, uint64_t addr, uint32_t data, uint32_t attrs)
{
    return vsmmu_msi_send_kind(s, addr, data, attrs, VSMMU_MEM_OTHER);
}
/* Pulse a wired line (vsmmu_irq_line) if the host has an irq op. */
void vsmmu_wired_pulse(struct vsmmu *s, int line);

#endif
