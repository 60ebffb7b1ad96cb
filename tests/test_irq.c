/* SPDX-License-Identifier: MIT */
/* GERROR toggle protocol and interrupt delivery (IHI0070 3.18, 6.3.12,
 * 6.3.17-6.3.20, 7.5). */
#include <stddef.h>

#include "test.h"
#include "qtest.h"

static void activate(struct qt *t, uint32_t bits)
{
    pthread_mutex_lock(&t->s->evtq.lock);
    vsmmu_gerror_activate(t->s, bits);
    pthread_mutex_unlock(&t->s->evtq.lock);
    vsmmu_irq_flush(t->s);
}

static void test_toggle_protocol(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    /* Inactive (GERROR == GERRORN == 0): activation toggles GERROR[x]. */
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.s->regs.gerror, GERROR_SFM_ERR);
    /* Already active: not toggled again (one flag for 1+ occurrences). */
    activate(&t, GERROR_SFM_ERR | GERROR_EVENTQ_ABT_ERR);
    CHECK_EQ(t.s->regs.gerror, GERROR_SFM_ERR | GERROR_EVENTQ_ABT_ERR);
    /* Acknowledge SFM only: GERRORN[8] = GERROR[8]. */
    uint32_t old = t.s->regs.gerrorn;
    t.s->regs.gerrorn = GERROR_SFM_ERR;
    vsmmu_gerrorn_written(t.s, old, t.s->regs.gerrorn);
    CHECK_EQ(qt_gerror_active(&t), GERROR_EVENTQ_ABT_ERR);
    /* Next activation of SFM toggles GERROR[8] back to 0. */
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.s->regs.gerror & GERROR_SFM_ERR, 0);
    CHECK_EQ(qt_gerror_active(&t), GERROR_EVENTQ_ABT_ERR | GERROR_SFM_ERR);
    /* GERRORN is never written by the SMMU. */
    CHECK_EQ(t.s->regs.gerrorn, GERROR_SFM_ERR);
    /* No interrupts: IRQ_CTRL.GERROR_IRQEN == 0. */
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 0);
    CHECK_EQ(t.m->nmsi, 0);
    qt_fini(&t);
}

static void test_gerror_wired_and_msi(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    /* ADDR == 0: the wired line. */
    activate(&t, GERROR_CMDQ_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 1);
    /* An already active error raises nothing. */
    activate(&t, GERROR_CMDQ_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 1);
    /* MSI: CFG0.ADDR [51:2] (bits [1:0] and [63:52] are not address). */
    t.s->regs.gerror_irq_cfg0 = 0x40001004 | 3 | (UINT64_C(1) << 60);
    t.s->regs.gerror_irq_cfg1 = 0xabcd;
    t.s->regs.gerror_irq_cfg2 = 0x21;
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.m->nmsi, 1);
    CHECK_EQ(t.m->msi[0].addr, 0x40001004);
    CHECK_EQ(t.m->msi[0].data, 0xabcd);
    CHECK_EQ(t.m->msi[0].attrs, 0x21);
    /* Both outputs: the wired one pulses as well (3.18.2). */
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 2);
    CHECK_EQ(QT_STAT(&t, msis), 1);
    CHECK_EQ(QT_STAT(&t, irqs), 2);
    /* GERROR MSI abort: MSI_GERROR_ABT_ERR is set and raises no further
     * GERROR interrupt (7.5): one MSI + one pulse for EVENTQ_ABT_ERR only. */
    t.m->msi_abort = true;
    activate(&t, GERROR_EVENTQ_ABT_ERR);
    CHECK(qt_gerror_active(&t) & GERROR_MSI_GERROR_ABT_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 3);
    CHECK_EQ(QT_STAT(&t, msis), 2);
    qt_fini(&t);

    /* No irq op: wired outputs not implemented, MSI only. */
    REQUIRE(qt_init(&t, NULL) == 0);
    t.s->ops.irq = NULL;
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    t.s->regs.gerror_irq_cfg0 = 0x40001000;
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.m->nmsi, 1);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 0);
    CHECK_EQ(QT_STAT(&t, irqs), 0);
    qt_fini(&t);
}

static void test_msi_not_implemented(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    cfg.msi = false;
    struct qt t;
    REQUIRE(qt_init(&t, &cfg) == 0);
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    /* IDR0.MSI == 0: the MSI fields are unused; only the enable matters. */
    t.s->regs.gerror_irq_cfg0 = 0x40001000;
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.m->nmsi, 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 1);
    qt_fini(&t);
}

static void test_msi_without_host_op(void)
{
    struct qt t;
    REQUIRE(qt_init_ops(&t, NULL, false) == 0);
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    t.s->regs.gerror_irq_cfg0 = 0x40002000;
    t.s->regs.gerror_irq_cfg1 = 0xfeedbeef;
    kit_w64(t.m, 0x40002000, 0x1111111111111111);
    activate(&t, GERROR_SFM_ERR);
    /* A 32-bit store of DATA at ADDR through the memory op. */
    CHECK_EQ(kit_r64(t.m, 0x40002000), 0x11111111feedbeef);
    /* An MSI to unmapped memory aborts: MSI_GERROR_ABT_ERR. */
    t.s->regs.gerror_irq_cfg0 = 0x7000000000;
    activate(&t, GERROR_EVENTQ_ABT_ERR);
    CHECK(qt_gerror_active(&t) & GERROR_MSI_GERROR_ABT_ERR);
    qt_fini(&t);
}

static void test_irq_enable_gates(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    /* Enabled in IRQ_CTRL but not yet acknowledged: the model uses the
     * acknowledged (effective) value. */
    t.s->regs.irq_ctrl = IRQ_CTRL_GERROR_IRQEN;
    t.s->regs.irq_ctrlack = 0;
    activate(&t, GERROR_SFM_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 0);
    /* The enable does not cause an interrupt for an earlier occurrence. */
    t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    vsmmu_irq_flush(t.s);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 0);
    /* The MSI_GERROR_ABT_ERR activation alone raises nothing. */
    activate(&t, GERROR_MSI_GERROR_ABT_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 0);
    activate(&t, GERROR_MSI_CMDQ_ABT_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 1);
    qt_fini(&t);
}

/* An interrupt handler that acknowledges GERROR from inside the irq op
 * (re-entering the instance) must not deadlock, and acknowledging CMDQ_ERR
 * there restarts the command queue. */
static struct qt *hq;
static unsigned handler_calls;
static void handler_irq(void *o, enum vsmmu_irq_line line)
{
    handler_calls++;
    if (line == VSMMU_IRQ_GERROR) {
        /* Replace the bad command, then acknowledge. */
        uint64_t c[2];
        kit_cmd_tlbi_nsnh_all(c);
        qt_put(hq, 1, c);
        uint32_t old = hq->s->regs.gerrorn;
        hq->s->regs.gerrorn = hq->s->regs.gerror;
        vsmmu_gerrorn_written(hq->s, old, hq->s->regs.gerrorn);
    }
}

static void test_handler_reentry(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    hq = &t;
    t.s->ops.irq = handler_irq;
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    qt_cmdq(&t, 3);
    uint64_t c[2], bad[2] = { 0x0f, 0 };
    kit_cmd_cfgi_all(c); qt_put(&t, 0, c);
    qt_put(&t, 1, bad);
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0); qt_put(&t, 2, c);
    qt_prod(&t, 3);
    CHECK_EQ(handler_calls, 1);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 3);
    CHECK_EQ(qt_gerror_active(&t), 0);
    CHECK_EQ(QT_STAT(&t, cerrors), 1);
    CHECK_EQ(QT_STAT(&t, commands), 3);
    qt_fini(&t);
}

/* A handler that acknowledges CMDQ_ERR without repairing the command: the
 * retries stay bounded by the per-call budget (no recursion). */
static void ack_only_irq(void *o, enum vsmmu_irq_line line)
{
    if (line == VSMMU_IRQ_GERROR) {
        uint32_t old = hq->s->regs.gerrorn;
        hq->s->regs.gerrorn = hq->s->regs.gerror;
        vsmmu_gerrorn_written(hq->s, old, hq->s->regs.gerrorn);
    }
}

static void test_ack_without_repair(void)
{
    struct vsmmu_config cfg;
    vsmmu_config_default(&cfg);
    cfg.cmdq_batch = 100;
    struct qt t;
    REQUIRE(qt_init(&t, &cfg) == 0);
    hq = &t;
    t.s->ops.irq = ack_only_irq;
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_GERROR_IRQEN;
    qt_cmdq(&t, 3);
    uint64_t bad[2] = { 0x0f, 0 };
    qt_put(&t, 0, bad);
    qt_prod(&t, 1);
    /* Each attempt fetches the command once: 100 attempts, 100 CERRORs. */
    CHECK_EQ(QT_STAT(&t, cerrors), 100);
    CHECK_EQ(t.s->regs.cmdq_cons & 0xfffff, 0);
    qt_fini(&t);
}

int main(void)
{
    RUN(test_toggle_protocol);
    RUN(test_gerror_wired_and_msi);
    RUN(test_msi_not_implemented);
    RUN(test_msi_without_host_op);
    RUN(test_irq_enable_gates);
    RUN(test_handler_reentry);
    RUN(test_ack_without_repair);
    return t_done();
}
