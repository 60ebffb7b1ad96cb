/* SPDX-License-Identifier: MIT */
/* Input formats of the fuzz targets, shared with the seed generator.
 *
 * Every input starts with 4 configuration bytes (fz_config: profile index,
 * two feature-tweak bytes, one capacity byte) and 1 harness-flag byte; the
 * rest is a sequence of operations, one opcode byte (taken modulo the
 * target's opcode count) followed by its arguments. Reads past the end
 * return zero, so every byte string is a valid program. */
#ifndef VSMMU_FUZZ_FORMAT_H
#define VSMMU_FUZZ_FORMAT_H

/* Harness flags (byte 4) */
#define FZH_DIRECT   0x01   /* offer RAM regions (walker fast path; accesses uncounted) */
#define FZH_ST2L     0x02   /* fuzz_tables/cmdq: 2-level stream table */
#define FZH_ACCEL    0x04   /* fuzz_tables/cmdq: accelerated front-end (soft backend) */
#define FZH_TRACE    0x08   /* install a checking trace callback (fz_trace_on) */

/* fuzz_mmio */
enum {
    MO_W32,      /* sel:u8 [off:u32 if sel >= 4*NREGS] val:u32 */
    MO_W64,      /* sel [off] val:u64 */
    MO_READ,     /* sel [off]; size from opcode bits 7:6 (4,8,1,2) */
    MO_MEM64,    /* pa:u32 val:u64 */
    MO_MEMPTR,   /* slot:u16 target:u16 attrs:u16 hi:u16 */
    MO_TXN,      /* f:u8 sid ssid addr flags:u8 */
    MO_RESET,
    MO_POISON,   /* b:u8 [base:u16] */
    MO_SETUP,    /* b:u8 -> fz_enable(strtab log2 b&7, cmdq 1+(b>>3&7), evtq 1+(b>>6)) */
    MO_CMD,      /* dw0:u64 dw1:u64 -> one command published */
    MO_RAW,      /* off:u32 size:u8 [val:u64 if opcode bit 7] */
    MO_PRI,      /* dw0:u64 dw1:u64; Last from opcode bit 7: a PRI record from the producer */
    MO_COUNT
};

/* fuzz_cmdq */
enum {
    CO_CMD,      /* sel:u8 hi:u64 dw1:u64: command (opcode from a table unless sel>=0xF0), queued */
    CO_PUBLISH,  /* write CMDQ_PROD with the queued commands */
    CO_PROD_RAW, /* v:u32 raw CMDQ_PROD write */
    CO_ACK,      /* acknowledge GERROR (GERRORN = GERROR) */
    CO_TXN,      /* sid:u8 ssid:u8 page:u8 flags:u8 */
    CO_CMDQEN,   /* b:u8: toggle CR0.CMDQEN / SMMUEN */
    CO_MEM,      /* pa:u16 (x8) val:u64: change guest memory */
    CO_DRAIN,    /* EVENTQ_CONS = EVENTQ_PROD */
    CO_CHECK,    /* CFGI_ALL + TLBI_NSNH_ALL + SYNC, then compare with the uncached twin */
    CO_HOTPLUG,  /* b:u8: accelerated mode: detach / re-attach a passthrough device */
    CO_COUNT
};

/* fuzz_tables */
enum {
    TO_STE,      /* sid:u8 fix:u8 ptrs:u16 raw:8*u64 */
    TO_CD,       /* idx:u8 fix:u8 ptrs:u16 raw:8*u64 */
    TO_DESC,     /* slot:u8 idx:u16 kind:u8 target:u8 lo:u16 hi:u16 */
    TO_MEM,      /* pa:u32 val:u64 */
    TO_L1,       /* which:u8 idx:u8 val:u64 (L1STD or L1CD, pointer fix-up by flag) */
    TO_TXN,      /* f:u8 sid:u8 ssid:u8 addr:u64 flags:u8 */
    TO_INVAL,    /* CFGI_ALL + TLBI_NSNH_ALL + SYNC on both instances */
    TO_POISON,   /* b:u8 base:u16 */
    TO_COUNT
};

#endif
