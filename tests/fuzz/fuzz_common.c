/* SPDX-License-Identifier: MIT */
/* Shared harness of the libFuzzer targets (see fuzz_common.h): the input
 * reader, configurations, counting host ops, instance lifecycle. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "internal.h"

/* ---- input reader ---------------------------------------------------------- */

uint8_t fz_u8(struct fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

uint16_t fz_u16(struct fz_in *in)
{
    uint16_t v = fz_u8(in);
    return (uint16_t)(v | (uint16_t)fz_u8(in) << 8);
}

uint32_t fz_u32(struct fz_in *in)
{
    uint32_t v = fz_u16(in);
    return v | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
    uint64_t v = fz_u32(in);
    return v | (uint64_t)fz_u32(in) << 32;
}

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("INVARIANT VIOLATED: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- configuration ----------------------------------------------------------- */

void fz_config(struct fz_in *in, struct vsmmu_config *cfg)
{
    const char *const *names = vsmmu_profile_names();
    unsigned np = 0;
    while (names[np])
        np++;
    uint8_t pick = fz_u8(in);
    uint8_t f1 = fz_u8(in), f2 = fz_u8(in), cap = fz_u8(in);
    const char *name = np ? names[pick % np] : NULL;
    if (!name || vsmmu_config_profile(cfg, name))
        vsmmu_config_default(cfg);
    struct vsmmu_config base = *cfg;

    /* Model capacities: tiny caches force eviction paths; a small batch
     * bounds each MMIO call (and exercises resumption on the next one). */
    static const uint32_t tlb_sizes[] = { 0, 1, 16, 1024 };
    cfg->tlb_entries = tlb_sizes[cap & 3];
    cfg->cfg_entries = tlb_sizes[(cap >> 2) & 3];
    cfg->cmdq_batch = 1u + ((cap >> 4) & 15u) * 4u;

    /* Feature tweaks; an inconsistent combination falls back below. */
    if (f1 & 0x01) cfg->stall_model = (enum vsmmu_stall_model)((f2 & 3) % 3);
    if (f1 & 0x02) cfg->term_model = !cfg->term_model;
    if (f1 & 0x04) cfg->httu = (enum vsmmu_httu)(((f2 >> 2) & 3) % 3);
    if (f1 & 0x08) cfg->cd2l = !cfg->cd2l;
    if (f1 & 0x10) cfg->st2l = !cfg->st2l;
    if (f1 & 0x20) {
        static const unsigned oas[] = { 32, 36, 40, 42, 44, 48, 52, 48 };
        cfg->oas_bits = oas[(f2 >> 4) & 7];
    }
    if (f1 & 0x40) {
        cfg->sidsize = (f2 & 0x80) ? 32 : 6 + (f2 & 7);
        cfg->ssidsize = (f2 & 0x40) ? 20 : (f2 >> 3) & 7;
    }
    if (f1 & 0x80) {
        cfg->gran4k = !(f2 & 1);
        cfg->gran16k = !!(f2 & 2);
        cfg->gran64k = !!(f2 & 4);
    }
    if (vsmmu_config_check(cfg, NULL, 0) != VSMMU_OK) {
        uint32_t t = cfg->tlb_entries, c = cfg->cfg_entries, b = cfg->cmdq_batch;
        *cfg = base;
        cfg->tlb_entries = t;
        cfg->cfg_entries = c;
        cfg->cmdq_batch = b;
        if (vsmmu_config_check(cfg, NULL, 0) != VSMMU_OK)
            *cfg = base;
    }
}

/* ---- counting host ops ---------------------------------------------------------- */

static int c_read(void *o, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct fz_env *e = o;
    e->accesses++;
    if (len == 0 || len > 64)
        fz_fail("host read of %zu bytes at 0x%llx (kind %d)", len, (unsigned long long)pa, k);
    if ((unsigned)k > VSMMU_MEM_OTHER)
        fz_fail("host read with invalid kind %d", k);
    if ((k == VSMMU_MEM_STE || k == VSMMU_MEM_CD || k == VSMMU_MEM_PTW) &&
        pa + len > FZ_CMDQ && pa < FZ_L1STD)
        e->aliased = true;
    return e->kit.read(e->mem, pa, buf, len, k);
}

static int c_write(void *o, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct fz_env *e = o;
    e->accesses++;
    if (len == 0 || len > 64)
        fz_fail("host write of %zu bytes at 0x%llx (kind %d)", len, (unsigned long long)pa, k);
    if ((unsigned)k > VSMMU_MEM_OTHER)
        fz_fail("host write with invalid kind %d", k);
    if (k == VSMMU_MEM_PTW)
        e->ptw_writes++;
    if (pa < e->watch_hi && pa + len > e->watch_lo)
        e->watch_hit = true;
    return e->kit.write(e->mem, pa, buf, len, k);
}

static int c_cas(void *o, uint64_t pa, uint64_t *exp, uint64_t des)
{
    struct fz_env *e = o;
    e->accesses++;
    if (pa & 7)
        fz_fail("host CAS at unaligned 0x%llx", (unsigned long long)pa);
    e->ptw_writes++;
    return e->kit.cas64(e->mem, pa, exp, des);
}

static int c_msi(void *o, uint64_t addr, uint32_t data, uint32_t attrs)
{
    struct fz_env *e = o;
    e->accesses++;
    if (addr < e->watch_hi && addr + 4 > e->watch_lo)
        e->watch_hit = true;
    if (e->sync_msi && addr == e->sync_msi && e->cur && e->cons_check &&
        reg_load(&e->cur->regs.cmdq_cons) == e->cons_at_call)
        fz_fail("CMD_SYNC completion MSI before CMDQ_CONS moved past the SYNC (still 0x%x)",
                e->cons_at_call);
    return e->kit.msi(e->mem, addr, data, attrs);
}

static void c_irq(void *o, enum vsmmu_irq_line line)
{
    struct fz_env *e = o;
    if ((unsigned)line >= VSMMU_IRQ_COUNT)
        fz_fail("irq on invalid line %d", line);
    /* IHI0070 6.3.12: IRQ_CTRL gates the EVTQ, PRIQ and GERROR interrupts
     * (not the CMD_SYNC completion signal). */
    if (e->cur && line != VSMMU_IRQ_CMD_SYNC) {
        uint32_t bit = line == VSMMU_IRQ_EVTQ ? IRQ_CTRL_EVENTQ_IRQEN
                     : line == VSMMU_IRQ_PRIQ ? IRQ_CTRL_PRIQ_IRQEN : IRQ_CTRL_GERROR_IRQEN;
        if (!(reg_load(&e->cur->regs.irq_ctrlack) & bit))
            fz_fail("interrupt line %d pulsed with IRQ_CTRLACK 0x%x", line,
                    reg_load(&e->cur->regs.irq_ctrlack));
    }
    e->kit.irq(e->mem, line);
}

static void c_sev(void *o)
{
    struct fz_env *e = o;
    e->kit.sev(e->mem);
}

void fz_env_init(struct fz_env *e, const struct vsmmu_config *cfg, bool direct, bool twin)
{
    memset(e, 0, sizeof(*e));
    e->cfg = *cfg;
    e->direct = direct;
    e->verbose = getenv("FZ_VERBOSE") != NULL;
    e->mem = kit_mem_new();
    if (!e->mem || kit_mem_add(e->mem, FZ_RAM_BASE, FZ_RAM_SIZE))
        fz_fail("cannot allocate guest memory");
    kit_mem_ops(e->mem, &e->kit, direct);
    e->ops = e->kit;
    e->ops.opaque = e;
    e->ops.read = c_read;
    e->ops.write = c_write;
    e->ops.cas64 = c_cas;
    e->ops.msi = c_msi;
    e->ops.irq = c_irq;
    e->ops.sev = c_sev;
    char err[256];
    int rc = vsmmu_create(cfg, &e->ops, &e->s, err, sizeof(err));
    if (rc)
        fz_fail("vsmmu_create refused a checked configuration: %s", err);
    if (twin) {
        struct vsmmu_config tc = *cfg;
        tc.tlb_entries = 0;
        tc.cfg_entries = 0;
        rc = vsmmu_create(&tc, &e->ops, &e->twin, err, sizeof(err));
        if (rc)
            fz_fail("vsmmu_create (twin): %s", err);
    }
    fz_capture_ids(e);
}

static void trace_check(void *o, const struct vsmmu_trace_rec *r)
{
    (void)o;
    if ((unsigned)r->kind > VSMMU_TR_IRQ)
        fz_fail("trace record of kind %d", r->kind);
    if (r->nraw > 8)
        fz_fail("trace record with %u raw words", r->nraw);
    if (r->msg && strnlen(r->msg, 4096) == 4096)
        fz_fail("trace message not terminated within 4096 bytes");
    volatile uint64_t sink = 0;
    for (unsigned i = 0; i < r->nraw; i++)
        sink ^= r->raw[i];          /* ASan: the record is readable */
    (void)sink;
}

void fz_trace_on(struct fz_env *e)
{
    vsmmu_set_trace(e->s, trace_check, e);
    if (e->twin)
        vsmmu_set_trace(e->twin, trace_check, e);
}

void fz_capture_ids(struct fz_env *e)
{
    for (unsigned i = 0; i < 6; i++)
        e->idr[i] = (uint32_t)fz_mmio_read(e, e->s, SMMU_IDR0 + 4 * i, 4);
    e->iidr = (uint32_t)fz_mmio_read(e, e->s, SMMU_IIDR, 4);
    e->aidr = (uint32_t)fz_mmio_read(e, e->s, SMMU_AIDR, 4);
}

/* Counters agree with what the harness did (vsmmu_get_stats). */
static void check_stats(struct fz_env *e)
{
    struct vsmmu_stats st;
    vsmmu_get_stats(e->s, &st);
    uint64_t n = 0;
    for (unsigned i = 0; i < 256; i++)
        n += st.cmd_by_opcode[i];
    if (n != st.commands)
        fz_fail("stats: cmd_by_opcode sums to %llu, commands %llu", (unsigned long long)n,
                (unsigned long long)st.commands);
    if (st.translations < e->ntranslate)
        fz_fail("stats: %llu translations counted, %llu made", (unsigned long long)st.translations,
                (unsigned long long)e->ntranslate);
    if (st.faults > st.translations)
        fz_fail("stats: %llu faults in %llu translations", (unsigned long long)st.faults,
                (unsigned long long)st.translations);
}

void fz_env_fini(struct fz_env *e)
{
    e->nchecks = 0;
    if (e->s) {
        fz_check_regs(e, e->s);
        check_stats(e);
    }
    vsmmu_destroy(e->twin);
    vsmmu_destroy(e->s);
    kit_mem_free(e->mem);
    memset(e, 0, sizeof(*e));
}
