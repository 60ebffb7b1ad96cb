/* SPDX-License-Identifier: MIT */
/* Event queue and PRI queue producers: record layout, wrap, writability,
 * overflow and its acknowledgement, write aborts, interrupts
 * (IHI0070 3.5, 7.2, 7.4, 8, 6.3.36). */
#include <pthread.h>
#include <stddef.h>

#include "test.h"
#include "qtest.h"
#include "spec/priq.h"
#include "stall.h"

static void mkrec(uint64_t r[4], unsigned type, uint32_t sid, uint64_t addr)
{
    r[0] = type | ((uint64_t)sid << 32);
    r[1] = UINT64_C(1) << 35;     /* RnW */
    r[2] = addr;
    r[3] = 0x123456789000;
}

static void test_layout_and_prod(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 2);
    uint64_t r[4];
    mkrec(r, 0x10, 0xabcd, 0xfedcba9876543210);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_WRITTEN);
    /* 32 bytes at base + 0 * 32, DW0..DW3 little-endian. */
    const uint8_t *p = kit_mem_ptr(t.m, t.evtq, 32);
    REQUIRE(p);
    CHECK_EQ(p[0], 0x10);
    CHECK_EQ(p[4], 0xcd);
    CHECK_EQ(p[5], 0xab);
    CHECK_EQ(p[8 + 4], 0x08);     /* DW1 bit 35 = byte 12 bit 3 */
    CHECK_EQ(p[16], 0x10);        /* DW2 low byte of 0x...3210 */
    CHECK_EQ(p[23], 0xfe);
    CHECK_EQ(kit_r64(t.m, t.evtq + 24), 0x123456789000);
    CHECK_EQ(t.s->regs.eventq_prod, 1);
    CHECK_EQ(QT_STAT(&t, events), 1);
    CHECK_EQ(QT_STAT(&t, event_by_type[0x10]), 1);
    /* Second record at slot 1 (base + 32). */
    mkrec(r, 0x04, 7, 0);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(kit_r64(t.m, t.evtq + 32), 0x04 | (UINT64_C(7) << 32));
    CHECK_EQ(t.s->regs.eventq_prod, 2);
    qt_fini(&t);
}

static void test_disabled(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 2);
    t.s->regs.cr0ack &= ~(uint32_t)CR0_EVENTQEN;
    uint64_t r[4];
    mkrec(r, 0x10, 1, 0);
    /* 7.2.1: not writable -> discarded; 7.4: EVENTQEN == 0 is no overflow. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_DISABLED);
    CHECK_EQ(t.s->regs.eventq_prod, 0);
    CHECK_EQ(QT_STAT(&t, events_lost), 1);
    CHECK_EQ(QT_STAT(&t, events), 0);
    CHECK_EQ(QT_STAT(&t, event_by_type[0x10]), 1);   /* written or lost, by type */
    CHECK_EQ(kit_r64(t.m, t.evtq), 0);
    qt_fini(&t);
}

static void test_wrap_overflow_ack(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 2);                          /* 4 entries, wrap bit [2] */
    uint64_t r[4];
    for (unsigned i = 0; i < 4; i++) {
        mkrec(r, 0x10, i, 0);
        CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    }
    /* PROD = wrap 1, index 0 = 0b100: full (same index, wraps differ). */
    CHECK_EQ(t.s->regs.eventq_prod, 4);
    /* Full: discarded, overflow entered: OVFLG toggles to 1 (7.4). */
    mkrec(r, 0x10, 99, 0);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_FULL);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000004u);
    /* Another loss while the overflow is active: OVFLG unchanged. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_FULL);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000004u);
    CHECK_EQ(QT_STAT(&t, events_lost), 2);
    /* Software consumes two entries without acknowledging: records are
     * written again (an unacknowledged overflow does not block, 7.4). */
    t.s->regs.eventq_cons = 2;
    mkrec(r, 0x11, 100, 0);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000005u);   /* index 1, wrap 1, OVFLG kept */
    CHECK_EQ(kit_r64(t.m, t.evtq + 0), 0x11 | (UINT64_C(100) << 32)); /* slot 0 reused */
    /* Acknowledge: OVACKFLG = OVFLG. */
    t.s->regs.eventq_cons = 0x80000002u;
    mkrec(r, 0x12, 101, 0);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.s->regs.eventq_prod, 0x80000006u);
    /* Full again (PROD 0b110, CONS 0b010), new overflow toggles OVFLG to 0. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_FULL);
    CHECK_EQ(t.s->regs.eventq_prod, 0x00000006u);
    qt_fini(&t);
}

static void test_inconsistent_is_full(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 2);
    /* PROD.WR > CONS.RD with different wraps (3.5.1 inconsistent): treated
     * as full. PROD = 0b011, CONS = 0b101. */
    t.s->regs.eventq_prod = 3;
    t.s->regs.eventq_cons = 5;
    uint64_t r[4];
    mkrec(r, 0x10, 1, 0);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_FULL);
    CHECK_EQ(t.s->regs.eventq_prod & 0xfffff, 3);
    qt_fini(&t);
}

static void test_write_abort(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 2);
    kit_mem_poison(t.m, t.evtq, 32 * 4);
    uint64_t r[4];
    mkrec(r, 0x10, 1, 0);
    /* 7.2.2 synchronous abort: PROD not incremented, EVENTQ_ABT_ERR. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_ABT);
    CHECK_EQ(t.s->regs.eventq_prod, 0);
    CHECK_EQ(qt_gerror_active(&t), GERROR_EVENTQ_ABT_ERR);
    /* Not writable while the error is active, even with memory back. */
    kit_mem_unpoison_all(t.m);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), VSMMU_EVTQ_ABT);
    CHECK_EQ(QT_STAT(&t, events_lost), 2);
    qt_ack(&t);
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.s->regs.eventq_prod, 1);
    qt_fini(&t);
}

static void test_evtq_irq(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 3);
    uint64_t r[4];
    mkrec(r, 0x10, 1, 0);
    /* IRQ disabled: nothing. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_EVTQ], 0);
    t.s->regs.eventq_cons = 1;
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_EVENTQ_IRQEN;
    /* Empty -> non-empty: one pulse on the wired line (no MSI address). */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_EVTQ], 1);
    /* Non-empty -> non-empty: none. */
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_EVTQ], 1);
    /* Consumed to empty, next record: one more. */
    t.s->regs.eventq_cons = t.s->regs.eventq_prod;
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_EVTQ], 2);
    CHECK_EQ(t.m->nmsi, 0);
    /* MSI configured: the MSI, and the wired line still pulses (3.18.2:
     * both outputs when both are implemented). */
    t.s->regs.eventq_irq_cfg0 = 0x407ff000;
    t.s->regs.eventq_irq_cfg1 = 0x55;
    t.s->regs.eventq_irq_cfg2 = 0x31;       /* ISH, MemAttr 1 */
    t.s->regs.eventq_cons = t.s->regs.eventq_prod;
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(t.m->nmsi, 1);
    CHECK_EQ(t.m->msi[0].addr, 0x407ff000);
    CHECK_EQ(t.m->msi[0].data, 0x55);
    CHECK_EQ(t.m->msi[0].attrs, 0x31);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_EVTQ], 3);
    CHECK_EQ(kit_r32(t.m, 0x407ff000), 0x55);
    /* MSI abort: GERROR.MSI_EVENTQ_ABT_ERR, and a GERROR interrupt if
     * enabled (wired here). */
    t.m->msi_abort = true;
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN;
    t.s->regs.eventq_cons = t.s->regs.eventq_prod;
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    CHECK_EQ(qt_gerror_active(&t), GERROR_MSI_EVENTQ_ABT_ERR);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_GERROR], 1);
    qt_fini(&t);
}

/* ---- PRI queue -------------------------------------------------------------------- */

static void mkpri(uint64_t r[2], uint32_t sid, unsigned prgi, bool last)
{
    r[0] = sid | (last ? PRIQ0_LAST : 0) | PRIQ0_READ;
    r[1] = prgi | UINT64_C(0x7000);
}

static void test_priq(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_priq(&t, 1);                 /* 2 entries: index [0], wrap bit [1] */
    uint64_t r[2];
    mkpri(r, 5, 1, false);
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), VSMMU_PRIQ_WRITTEN);
    CHECK_EQ(kit_r64(t.m, t.priq), r[0]);
    CHECK_EQ(kit_r64(t.m, t.priq + 8), r[1]);
    CHECK_EQ(t.s->regs.priq_prod, 1);
    mkpri(r, 5, 1, true);
    CHECK_EQ(vsmmu_priq_write(t.s, r, true), 0);
    CHECK_EQ(t.s->regs.priq_prod, 2);   /* full: index 0, wrap 1 */
    /* Full: overflow entered (OVFLG toggles), message discarded. */
    CHECK_EQ(vsmmu_priq_write(t.s, r, true), VSMMU_PRIQ_OVERFLOW);
    CHECK_EQ(t.s->regs.priq_prod, 0x80000002u);
    /* Unlike the Event queue, an active overflow discards even with space. */
    t.s->regs.priq_cons = 2;
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), VSMMU_PRIQ_OVERFLOW);
    CHECK_EQ(t.s->regs.priq_prod, 0x80000002u);
    /* Acknowledged: written again. */
    t.s->regs.priq_cons = 0x80000002u;
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), 0);
    CHECK_EQ(t.s->regs.priq_prod, 0x80000003u);
    /* Effective PRIQEN == 0 when SMMUEN == 0. */
    t.s->regs.cr0ack &= ~(uint32_t)CR0_SMMUEN;
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), VSMMU_PRIQ_OFF);
    qt_fini(&t);
}

static void test_priq_abort_and_irq(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_priq(&t, 2);
    t.s->regs.irq_ctrl = t.s->regs.irq_ctrlack = IRQ_CTRL_PRIQ_IRQEN;
    uint64_t r[2];
    mkpri(r, 1, 1, false);
    /* LO == 0: empty -> non-empty. */
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_PRIQ], 1);
    CHECK_EQ(vsmmu_priq_write(t.s, r, true), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_PRIQ], 1);
    /* LO == 1: only records with Last == 1. */
    t.s->regs.priq_irq_cfg2 = (uint32_t)IRQ_CFG2_LO;
    t.s->regs.priq_cons = t.s->regs.priq_prod;
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_PRIQ], 1);
    CHECK_EQ(vsmmu_priq_write(t.s, r, true), 0);
    CHECK_EQ(t.m->irq_count[VSMMU_IRQ_PRIQ], 2);
    /* The LO bit is not an MSI attribute: MSI attrs carry only [5:0]. */
    t.s->regs.priq_irq_cfg0 = 0x407fe000;
    t.s->regs.priq_irq_cfg1 = 9;
    t.s->regs.priq_irq_cfg2 |= 0x3;
    CHECK_EQ(vsmmu_priq_write(t.s, r, true), 0);
    CHECK_EQ(t.m->nmsi, 1);
    CHECK_EQ(t.m->msi[0].attrs, 3);
    /* Write abort: PRIQ_ABT_ERR, PROD unchanged, then not writable. */
    t.s->regs.priq_cons = t.s->regs.priq_prod;
    uint32_t prod = t.s->regs.priq_prod;
    kit_mem_poison(t.m, t.priq, 64);
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), VSMMU_PRIQ_ABT);
    CHECK_EQ(t.s->regs.priq_prod, prod);
    CHECK_EQ(qt_gerror_active(&t), GERROR_PRIQ_ABT_ERR);
    kit_mem_unpoison_all(t.m);
    CHECK_EQ(vsmmu_priq_write(t.s, r, false), VSMMU_PRIQ_OFF);
    qt_fini(&t);
}

/* A stall record that found the queue unwritable is kept (no loss, no
 * overflow) and written once the queue is writable again (3.5.3, 7.2.1): at
 * a CMD_SYNC, after space is freed (EVENTQ_CONS written), after
 * EVENTQ_ABT_ERR is acknowledged. */
static void pend_stall(struct qt *t, uint32_t sid, uint16_t *stag)
{
    struct vsmmu_txn txn = { .sid = sid, .addr = 0x1000 };
    REQUIRE(vsmmu_stall_alloc(t->s, &txn, stag) == 0);
    uint64_t r[4] = { 0x10 | ((uint64_t)sid << 32), *stag | (UINT64_C(1) << 31), 0x1000, 0 };
    CHECK(vsmmu_evtq_write(t->s, r) != 0);
    vsmmu_stall_set_pending(t->s, *stag, r);
}

static void test_pending_stall_records(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 1);
    uint16_t stag;
    /* Queue disabled: pending (no loss) until the queue is writable and a
     * trigger (here a CMD_SYNC) writes it. */
    t.s->regs.cr0ack &= ~(uint32_t)CR0_EVENTQEN;
    pend_stall(&t, 7, &stag);
    CHECK_EQ(QT_STAT(&t, events_lost), 0);
    qt_cr0(&t, CR0_EVENTQEN);
    qt_cmdq(&t, 2);
    uint64_t c[2];
    kit_cmd_sync(c, KIT_CS_NONE, 0, 0, 0, 0);
    qt_put(&t, 0, c);
    qt_prod(&t, 1);
    CHECK_EQ(t.s->regs.eventq_prod, 1);
    CHECK_EQ(kit_r64(t.m, t.evtq + 8) & 0xffff, stag);
    CHECK_EQ(kit_r64(t.m, t.evtq + 8) >> 31 & 1, 1);
    /* Queue full (2 entries): pending until CONS moves. */
    uint64_t r[4] = { 0x04, 0, 0, 0 };
    CHECK_EQ(vsmmu_evtq_write(t.s, r), 0);
    pend_stall(&t, 8, &stag);
    CHECK_EQ(t.s->regs.eventq_prod, 2);      /* no overflow for a stall record (7.4) */
    CHECK_EQ(QT_STAT(&t, events_lost), 0);
    t.s->regs.eventq_cons = 1;
    vsmmu_evtq_cons_written(t.s);
    CHECK_EQ(t.s->regs.eventq_prod, 3);
    CHECK_EQ(kit_r64(t.m, t.evtq) >> 32, 8);
    /* EVENTQ_ABT_ERR active: pending until acknowledged. */
    t.s->regs.eventq_cons = 3;
    pthread_mutex_lock(&t.s->evtq.lock);
    vsmmu_gerror_activate(t.s, GERROR_EVENTQ_ABT_ERR);
    pthread_mutex_unlock(&t.s->evtq.lock);
    pend_stall(&t, 9, &stag);
    qt_ack(&t);
    CHECK_EQ(t.s->regs.eventq_prod & 3, 0);
    CHECK_EQ(kit_r64(t.m, t.evtq + 32) >> 32, 9);
    /* At a CMD_SYNC again. */
    t.s->regs.cr0ack &= ~(uint32_t)CR0_EVENTQEN;
    pend_stall(&t, 10, &stag);
    t.s->regs.cr0ack |= CR0_EVENTQEN;
    qt_put(&t, 1, c);
    qt_prod(&t, 2);
    CHECK_EQ(t.s->regs.eventq_prod & 3, 1);
    CHECK_EQ(kit_r64(t.m, t.evtq) >> 32, 10);
    qt_fini(&t);
}

/* ---- concurrent producers ------------------------------------------------------ */

#define NPROD 4
#define PER_PROD 20000
#define MAGIC UINT64_C(0x5a5a0000a5a50000)

struct prod_arg { struct vsmmu *s; unsigned id; unsigned written; volatile int *done; };

static void *producer(void *p)
{
    struct prod_arg *a = p;
    for (unsigned i = 0; i < PER_PROD; i++) {
        uint64_t r[4] = { 0x10 | ((uint64_t)a->id << 32), 0, i, MAGIC ^ ((uint64_t)a->id << 32) ^ i };
        if (vsmmu_evtq_write(a->s, r) == 0)
            a->written++;
    }
    __atomic_fetch_add(a->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Translators record events concurrently while the guest consumes through
 * MMIO: every record is intact, per-producer order is kept, and every
 * record is either consumed or counted lost. */
static void test_concurrent_producers(void)
{
    struct qt t;
    REQUIRE(qt_init(&t, NULL) == 0);
    qt_evtq(&t, 4);                           /* 16 entries: overflow happens */
    volatile int done = 0;
    struct prod_arg a[NPROD];
    pthread_t th[NPROD];
    for (unsigned i = 0; i < NPROD; i++) {
        a[i] = (struct prod_arg){ .s = t.s, .id = i, .done = &done };
        REQUIRE(pthread_create(&th[i], NULL, producer, &a[i]) == 0);
    }
    uint64_t last[NPROD];
    bool first[NPROD];
    for (unsigned i = 0; i < NPROD; i++)
        first[i] = true, last[i] = 0;
    unsigned popped = 0, bad = 0;
    uint32_t cons = 0;
    for (;;) {
        int fin = __atomic_load_n(&done, __ATOMIC_ACQUIRE);
        uint64_t prod = 0;
        vsmmu_mmio_read(t.s, SMMU_EVENTQ_PROD, 4, &prod);
        while (((uint32_t)prod ^ cons) & 0x1f) {
            uint64_t pa = t.evtq + 32 * (cons & 15);
            uint64_t r0 = kit_r64(t.m, pa), r2 = kit_r64(t.m, pa + 16), r3 = kit_r64(t.m, pa + 24);
            unsigned id = (unsigned)(r0 >> 32);
            if ((r0 & 0xff) != 0x10 || id >= NPROD || r3 != (MAGIC ^ ((uint64_t)id << 32) ^ r2) ||
                (!first[id] && r2 <= last[id])) {
                bad++;
            } else {
                first[id] = false;
                last[id] = r2;
            }
            popped++;
            cons = (cons + 1) & 0x1f;
            /* Consume and acknowledge any overflow. */
            vsmmu_mmio_write(t.s, SMMU_EVENTQ_CONS, cons | ((uint32_t)prod & 0x80000000u), 4);
        }
        if (fin == NPROD) {
            vsmmu_mmio_read(t.s, SMMU_EVENTQ_PROD, 4, &prod);
            if (!(((uint32_t)prod ^ cons) & 0x1f))
                break;
        }
    }
    unsigned written = 0;
    for (unsigned i = 0; i < NPROD; i++) {
        pthread_join(th[i], NULL);
        written += a[i].written;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(popped, written);
    CHECK_EQ(QT_STAT(&t, events), written);
    CHECK_EQ(QT_STAT(&t, events_lost), NPROD * PER_PROD - written);
    qt_fini(&t);
}

int main(void)
{
    RUN(test_layout_and_prod);
    RUN(test_disabled);
    RUN(test_wrap_overflow_ack);
    RUN(test_inconsistent_is_full);
    RUN(test_write_abort);
    RUN(test_evtq_irq);
    RUN(test_priq);
    RUN(test_priq_abort_and_irq);
    RUN(test_pending_stall_records);
    RUN(test_concurrent_producers);
    return t_done();
}
