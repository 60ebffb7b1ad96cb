/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct kit_mem *kit_mem_new(void)
{
    return calloc(1, sizeof(struct kit_mem));
}

void kit_mem_free(struct kit_mem *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->nr; i++)
        free(m->r[i].p);
    free(m);
}

int kit_mem_add(struct kit_mem *m, uint64_t base, uint64_t size)
{
    if (m->nr >= KIT_MEM_MAX_REGIONS || !size)
        return -1;
    uint8_t *p = calloc(1, size);
    if (!p)
        return -1;
    m->r[m->nr].base = base;
    m->r[m->nr].size = size;
    m->r[m->nr].p = p;
    if (m->nr == 0) {
        m->brk = base;
        m->brk_end = base + size;
    }
    m->nr++;
    return 0;
}

void kit_mem_poison(struct kit_mem *m, uint64_t base, uint64_t size)
{
    if (m->npoison < KIT_MEM_MAX_POISON) {
        m->poison[m->npoison].base = base;
        m->poison[m->npoison].size = size;
        m->npoison++;
    }
}

void kit_mem_unpoison_all(struct kit_mem *m) { m->npoison = 0; }

static bool poisoned(const struct kit_mem *m, uint64_t pa, size_t len)
{
    for (unsigned i = 0; i < m->npoison; i++)
        if (pa < m->poison[i].base + m->poison[i].size && pa + len > m->poison[i].base)
            return true;
    return false;
}

void *kit_mem_ptr(struct kit_mem *m, uint64_t pa, size_t len)
{
    for (unsigned i = 0; i < m->nr; i++) {
        if (pa >= m->r[i].base && pa - m->r[i].base <= m->r[i].size &&
            len <= m->r[i].size - (pa - m->r[i].base))
            return m->r[i].p + (pa - m->r[i].base);
    }
    return NULL;
}

uint64_t kit_mem_alloc(struct kit_mem *m, uint64_t size, uint64_t align)
{
    if (!align)
        align = 8;
    uint64_t a = (m->brk + align - 1) & ~(align - 1);
    if (a < m->brk || a + size > m->brk_end || a + size < a) {
        fprintf(stderr, "kit_mem_alloc: out of test memory (%llu bytes)\n",
                (unsigned long long)size);
        abort();
    }
    m->brk = a + size;
    memset(kit_mem_ptr(m, a, size), 0, size);
    return a;
}

int kit_mem_r64(struct kit_mem *m, uint64_t pa, uint64_t *v)
{
    uint8_t *p = kit_mem_ptr(m, pa, 8);
    if (!p)
        return -1;
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    *v = x;
    return 0;
}

int kit_mem_w64(struct kit_mem *m, uint64_t pa, uint64_t v)
{
    uint8_t *p = kit_mem_ptr(m, pa, 8);
    if (!p)
        return -1;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return 0;
}

uint64_t kit_r64(struct kit_mem *m, uint64_t pa)
{
    uint64_t v = 0;
    kit_mem_r64(m, pa, &v);
    return v;
}

void kit_w64(struct kit_mem *m, uint64_t pa, uint64_t v)
{
    if (kit_mem_w64(m, pa, v)) {
        fprintf(stderr, "kit_w64: 0x%llx outside test memory\n", (unsigned long long)pa);
        abort();
    }
}

uint32_t kit_r32(struct kit_mem *m, uint64_t pa)
{
    uint8_t *p = kit_mem_ptr(m, pa, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

void kit_w32(struct kit_mem *m, uint64_t pa, uint32_t v)
{
    uint8_t *p = kit_mem_ptr(m, pa, 4);
    if (!p) {
        fprintf(stderr, "kit_w32: 0x%llx outside test memory\n", (unsigned long long)pa);
        abort();
    }
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- host ops ---------------------------------------------------------------- */

static int op_read(void *o, uint64_t pa, void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct kit_mem *m = o;
    __atomic_fetch_add(&m->reads, 1, __ATOMIC_RELAXED);
    void *p = kit_mem_ptr(m, pa, len);
    if (!p || poisoned(m, pa, len))
        return -1;
    memcpy(buf, p, len);
    return 0;
}

static int op_write(void *o, uint64_t pa, const void *buf, size_t len, enum vsmmu_mem_kind k)
{
    struct kit_mem *m = o;
    __atomic_fetch_add(&m->writes, 1, __ATOMIC_RELAXED);
    void *p = kit_mem_ptr(m, pa, len);
    if (!p || poisoned(m, pa, len))
        return -1;
    memcpy(p, buf, len);
    return 0;
}

static int op_cas64(void *o, uint64_t pa, uint64_t *expected, uint64_t desired)
{
    struct kit_mem *m = o;
    __atomic_fetch_add(&m->cas_ops, 1, __ATOMIC_RELAXED);
    if (m->cas_hook)
        m->cas_hook(m, pa, m->cas_hook_arg);
    uint64_t *p = kit_mem_ptr(m, pa, 8);
    if (!p || (pa & 7) || poisoned(m, pa, 8))
        return -1;
    return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE) ? 0 : 1;
}

static int op_msi(void *o, uint64_t addr, uint32_t data, uint32_t attrs)
{
    struct kit_mem *m = o;
    if (m->msi_abort)
        return -1;
    /* MSIs may come from translator threads (event interrupts). */
    unsigned n = __atomic_fetch_add(&m->nmsi, 1, __ATOMIC_RELAXED);
    struct kit_msi *e = &m->msi[n % KIT_MSI_LOG];
    e->addr = addr;
    e->data = data;
    e->attrs = attrs;
    /* An MSI is a 32-bit store: make it visible in memory when it targets RAM
     * (the Linux driver polls CMD_SYNC completion this way). */
    uint8_t *p = kit_mem_ptr(m, addr, 4);
    if (p)
        for (int i = 0; i < 4; i++)
            p[i] = (uint8_t)(data >> (8 * i));
    return 0;
}

static void op_irq(void *o, enum vsmmu_irq_line line)
{
    struct kit_mem *m = o;
    if ((unsigned)line < VSMMU_IRQ_COUNT)
        __atomic_fetch_add(&m->irq_count[line], 1, __ATOMIC_RELAXED);
}

static void op_sev(void *o)
{
    struct kit_mem *m = o;
    __atomic_fetch_add(&m->sev_count, 1, __ATOMIC_RELAXED);
}

void kit_mem_ops(struct kit_mem *m, struct vsmmu_host_ops *ops, bool direct)
{
    memset(ops, 0, sizeof(*ops));
    ops->opaque = m;
    ops->read = op_read;
    ops->write = op_write;
    ops->cas64 = op_cas64;
    ops->msi = op_msi;
    ops->irq = op_irq;
    ops->sev = op_sev;
    if (direct) {
        for (unsigned i = 0; i < m->nr; i++) {
            m->ram[i].pa = m->r[i].base;
            m->ram[i].len = m->r[i].size;
            m->ram[i].host = m->r[i].p;
        }
        ops->ram = m->ram;
        ops->nram = m->nr;
    }
}
