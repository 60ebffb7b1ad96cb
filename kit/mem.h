/* SPDX-License-Identifier: MIT */
/* kit/mem: a flat, region-based physical memory for tests, benchmarks and the
 * CLI, with the host ops vsmmu needs, fault injection and a record of every
 * MSI and wired interrupt. */
#ifndef KIT_MEM_H
#define KIT_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vsmmu/vsmmu.h"

#define KIT_MEM_MAX_REGIONS 16
#define KIT_MEM_MAX_POISON  16
#define KIT_MSI_LOG         64

struct kit_msi { uint64_t addr; uint32_t data; uint32_t attrs; };

struct kit_mem {
    struct { uint64_t base, size; uint8_t *p; } r[KIT_MEM_MAX_REGIONS];
    unsigned nr;
    struct { uint64_t base, size; } poison[KIT_MEM_MAX_POISON];  /* accesses abort */
    unsigned npoison;
    uint64_t brk;                 /* bump allocator cursor (kit_mem_alloc) */
    uint64_t brk_end;
    uint64_t reads, writes, cas_ops;  /* host-op call counts */
    /* Hook run before each CAS (tests: simulate a racing agent). */
    void (*cas_hook)(struct kit_mem *m, uint64_t pa, void *arg);
    void *cas_hook_arg;
    /* Interrupts seen */
    struct kit_msi msi[KIT_MSI_LOG];
    unsigned nmsi;                /* total MSIs (log wraps) */
    bool msi_abort;               /* make every MSI write abort */
    unsigned irq_count[VSMMU_IRQ_COUNT];
    unsigned sev_count;
    struct vsmmu_ram_region ram[KIT_MEM_MAX_REGIONS]; /* for kit_mem_ops(direct) */
};

struct kit_mem *kit_mem_new(void);
void kit_mem_free(struct kit_mem *m);
/* Add a zeroed RAM region; returns 0 or -1. */
int  kit_mem_add(struct kit_mem *m, uint64_t base, uint64_t size);
/* Make [base, base+size) abort on access. */
void kit_mem_poison(struct kit_mem *m, uint64_t base, uint64_t size);
void kit_mem_unpoison_all(struct kit_mem *m);
/* Host pointer for [pa, pa+len) or NULL. */
void *kit_mem_ptr(struct kit_mem *m, uint64_t pa, size_t len);
/* Allocate `size` bytes aligned to `align` from the first region (zeroed);
 * aborts the test program if it does not fit. */
uint64_t kit_mem_alloc(struct kit_mem *m, uint64_t size, uint64_t align);
/* Little-endian accessors; return 0 or -1 (outside RAM). */
int kit_mem_r64(struct kit_mem *m, uint64_t pa, uint64_t *v);
int kit_mem_w64(struct kit_mem *m, uint64_t pa, uint64_t v);
uint64_t kit_r64(struct kit_mem *m, uint64_t pa);   /* 0 if outside */
void kit_w64(struct kit_mem *m, uint64_t pa, uint64_t v);
uint32_t kit_r32(struct kit_mem *m, uint64_t pa);
void kit_w32(struct kit_mem *m, uint64_t pa, uint32_t v);
/* Fill host ops (read, write, cas64, msi, irq, sev) bound to m. With
 * direct != 0 the regions are also offered as vsmmu RAM regions. */
void kit_mem_ops(struct kit_mem *m, struct vsmmu_host_ops *ops, bool direct);

#endif
