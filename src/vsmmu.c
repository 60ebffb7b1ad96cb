/* SPDX-License-Identifier: MIT */
/* Instance lifecycle, MMIO entry points, host-memory helpers, counters and
 * trace. The architectural behaviour lives in the per-concept modules. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "accel/accel_int.h"

int vsmmu_fail(struct vsmmu *s, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    return code;
}

const char *vsmmu_last_error(const struct vsmmu *s)
{
    return s ? s->err : "instance is NULL";
}

const char *vsmmu_strerror(int status)
{
    switch (status) {
    case VSMMU_OK: return "ok";
    case VSMMU_EINVAL: return "invalid argument";
    case VSMMU_ENOMEM: return "out of memory";
    case VSMMU_ERANGE: return "offset out of range";
    case VSMMU_EUNSUPPORTED: return "not supported";
    case VSMMU_EBUSY: return "busy";
    case VSMMU_EBACKEND: return "backend failure";
    case VSMMU_ENOENT: return "not found";
    default: return "unknown error";
    }
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

int vsmmu_create(const struct vsmmu_config *cfg, const struct vsmmu_host_ops *ops,
                 struct vsmmu **out, char *err, size_t errlen)
{
    if (!out) {
        set_err(err, errlen, "out is NULL");
        return VSMMU_EINVAL;
    }
    *out = NULL;
    if (!cfg || !ops) {
        set_err(err, errlen, cfg ? "host ops are NULL" : "configuration is NULL");
        return VSMMU_EINVAL;
    }
    if (!ops->read || !ops->write) {
        set_err(err, errlen, "host ops: read and write are required");
        return VSMMU_EINVAL;
    }
    for (size_t i = 0; i < ops->nram; i++) {
        if (!ops->ram || !ops->ram[i].host || ops->ram[i].pa + ops->ram[i].len < ops->ram[i].pa) {
            set_err(err, errlen, "host ops: invalid RAM region");
            return VSMMU_EINVAL;
        }
    }
    int rc = vsmmu_config_validate(cfg, err, errlen);
    if (rc)
        return rc;

    struct vsmmu *s = calloc(1, sizeof(*s));
    if (!s) {
        set_err(err, errlen, "out of memory");
        return VSMMU_ENOMEM;
    }
    s->cfg = *cfg;
    if (!s->cfg.cmdq_batch)
        s->cfg.cmdq_batch = 4096;
    s->ops = *ops;
    s->oas_bits = cfg->oas_bits;
    s->ias_bits = vsmmu_config_ias(cfg);

    if (vsmmu_evtq_init(s)) {
        free(s);
        set_err(err, errlen, "cannot initialise the event queue lock");
        return VSMMU_ENOMEM;
    }
    vsmmu_cmdq_init(s);
    if (vsmmu_stall_init(s)) {
        vsmmu_evtq_fini(s);
        free(s);
        set_err(err, errlen, "cannot allocate the stall table");
        return VSMMU_ENOMEM;
    }
    if (vsmmu_stats_init(s)) {
        vsmmu_stall_fini(s);
        vsmmu_evtq_fini(s);
        free(s);
        set_err(err, errlen, "out of memory");
        return VSMMU_ENOMEM;
    }
    rc = vsmmu_caches_init(s);
    if (rc) {
        vsmmu_stats_fini(s);
        vsmmu_stall_fini(s);
        vsmmu_evtq_fini(s);
        free(s);
        set_err(err, errlen, "cannot allocate caches");
        return rc;
    }
    vsmmu_reset(s);
    *out = s;
    return VSMMU_OK;
}

void vsmmu_destroy(struct vsmmu *s)
{
    if (!s)
        return;
    vsmmu_accel_destroy(s);
    vsmmu_caches_fini(s);
    vsmmu_stall_fini(s);
    vsmmu_evtq_fini(s);
    vsmmu_stats_fini(s);
    free(s);
}

void vsmmu_reset(struct vsmmu *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->evtq.lock);
    vsmmu_regs_reset(s);
    pthread_mutex_unlock(&s->evtq.lock);
    vsmmu_cmdq_reset(s);
    vsmmu_evtq_reset(s);
    vsmmu_priq_reset(s);
    vsmmu_caches_flush(s);
    vsmmu_stall_term_all(s);   /* reset clears SMMUEN: no stall survives */
    s->err[0] = 0;
}

const struct vsmmu_config *vsmmu_get_config(const struct vsmmu *s)
{
    return s ? &s->cfg : NULL;
}

void vsmmu_set_trace(struct vsmmu *s, vsmmu_trace_fn fn, void *opaque)
{
    if (!s)
        return;
    s->trace_opaque = opaque;
    s->trace = fn;
}

void vsmmu_trace(struct vsmmu *s, const struct vsmmu_trace_rec *rec)
{
    vsmmu_trace_fn fn = s->trace;
    if (fn)
        fn(s->trace_opaque, rec);
}

void vsmmu_tracef(struct vsmmu *s, enum vsmmu_trace_kind kind, uint64_t a0, uint64_t a1,
                  uint64_t a2, uint64_t a3, const uint64_t *raw, unsigned nraw, const char *msg)
{
    if (!s->trace)
        return;
    struct vsmmu_trace_rec r = { .kind = kind, .a0 = a0, .a1 = a1, .a2 = a2, .a3 = a3,
                                 .nraw = nraw > 8 ? 8 : nraw, .msg = msg };
    for (unsigned i = 0; i < r.nraw; i++)
        r.raw[i] = raw[i];
    vsmmu_trace(s, &r);
}

/* ---- MMIO ---------------------------------------------------------------- */

static int mmio_check(struct vsmmu *s, uint64_t offset, unsigned size)
{
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return vsmmu_fail(s, VSMMU_EINVAL, "MMIO size %u not in {1,2,4,8}", size);
    if (offset >= VSMMU_MMIO_SIZE || offset + size > VSMMU_MMIO_SIZE)
        return vsmmu_fail(s, VSMMU_ERANGE, "MMIO offset 0x%llx+%u outside the 128 KiB window",
                          (unsigned long long)offset, size);
    return VSMMU_OK;
}

int vsmmu_mmio_read(struct vsmmu *s, uint64_t offset, unsigned size, uint64_t *val)
{
    if (!s || !val)
        return VSMMU_EINVAL;
    *val = 0;
    int rc = mmio_check(s, offset, size);
    if (rc)
        return rc;
    *val = vsmmu_regs_read(s, (uint32_t)offset, size);
    if (s->trace)
        vsmmu_tracef(s, VSMMU_TR_MMIO_READ, offset, *val, size, 0, NULL, 0, NULL);
    return VSMMU_OK;
}

int vsmmu_mmio_write(struct vsmmu *s, uint64_t offset, uint64_t val, unsigned size)
{
    if (!s)
        return VSMMU_EINVAL;
    int rc = mmio_check(s, offset, size);
    if (rc)
        return rc;
    if (s->trace)
        vsmmu_tracef(s, VSMMU_TR_MMIO_WRITE, offset, val, size, 0, NULL, 0, NULL);
    vsmmu_regs_write(s, (uint32_t)offset, val, size);
    if (s->accel)
        vsmmu_accel_mmio_written(s);   /* SMMUEN/GBPA/CMDQEN changes reach the backends */
    return VSMMU_OK;
}

/* ---- translation entry point ------------------------------------------------ */

int vsmmu_translate(struct vsmmu *s, const struct vsmmu_txn *txn, struct vsmmu_result *res)
{
    if (!s || !txn || !res)
        return VSMMU_EINVAL;
    return vsmmu_translate_impl(s, txn, res);
}

/* ---- host memory ---------------------------------------------------------------- */

static void *ram_ptr(const struct vsmmu *s, uint64_t pa, size_t len)
{
    for (size_t i = 0; i < s->ops.nram; i++) {
        const struct vsmmu_ram_region *r = &s->ops.ram[i];
        if (pa >= r->pa && pa - r->pa <= r->len && len <= r->len - (pa - r->pa))
            return (char *)r->host + (pa - r->pa);
    }
    return NULL;
}

int vsmmu_mem_read(struct vsmmu *s, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind k)
{
    void *p = s->ops.nram ? ram_ptr(s, pa, len) : NULL;
    if (p) {
        memcpy(buf, p, len);
        return 0;
    }
    return s->ops.read(s->ops.opaque, pa, buf, len, k) ? -1 : 0;
}

int vsmmu_mem_write(struct vsmmu *s, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind k)
{
    void *p = s->ops.nram ? ram_ptr(s, pa, len) : NULL;
    if (p) {
        memcpy(p, buf, len);
        return 0;
    }
    return s->ops.write(s->ops.opaque, pa, buf, len, k) ? -1 : 0;
}

int vsmmu_mem_read64(struct vsmmu *s, uint64_t pa, uint64_t *v, enum vsmmu_mem_kind k)
{
    if (s->ops.nram) {
        uint64_t *p = ram_ptr(s, pa, 8);
        if (p && !(pa & 7)) {
            *v = __atomic_load_n(p, __ATOMIC_RELAXED);
            return 0;
        }
    }
    uint8_t b[8];
    if (s->ops.read(s->ops.opaque, pa, b, 8, k))
        return -1;
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | b[i];
    *v = x;
    return 0;
}

int vsmmu_mem_cas64(struct vsmmu *s, uint64_t pa, uint64_t *expected, uint64_t desired)
{
    if (s->ops.nram) {
        uint64_t *p = ram_ptr(s, pa, 8);
        if (p && !(pa & 7))
            return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_ACQ_REL,
                                               __ATOMIC_ACQUIRE) ? 0 : 1;
    }
    if (s->ops.cas64) {
        int rc = s->ops.cas64(s->ops.opaque, pa, expected, desired);
        return rc < 0 ? -1 : (rc ? 1 : 0);
    }
    /* No atomic op from the host: read, compare, write (documented limitation). */
    uint64_t cur;
    if (vsmmu_mem_read64(s, pa, &cur, VSMMU_MEM_PTW))
        return -1;
    if (cur != *expected) {
        *expected = cur;
        return 1;
    }
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(desired >> (8 * i));
    return vsmmu_mem_write(s, pa, b, 8, VSMMU_MEM_PTW) ? -1 : 0;
}

/* Counters: src/stats.c */
