/* SPDX-License-Identifier: MIT */
/* Bit-field helpers: every architectural field is named once as a mask
 * (GENMASK) and read/written with FIELD_GET/FIELD_SET. */
#ifndef VSMMU_BITS_H
#define VSMMU_BITS_H

#include <stdint.h>

#define BIT(n)            (UINT64_C(1) << (n))
/* Mask of bits [h:l] inclusive, 0 <= l <= h <= 63. */
#define GENMASK(h, l)     ((~UINT64_C(0) >> (63 - (h))) & (~UINT64_C(0) << (l)))
#define MASK_SHIFT(m)     ((unsigned)__builtin_ctzll(m))
/* Value of the field `m` in `v`, shifted down. */
#define FIELD_GET(m, v)   ((((uint64_t)(v)) & (m)) >> MASK_SHIFT(m))
/* `x` placed in field `m` (excess bits dropped). */
#define FIELD_PREP(m, x)  ((((uint64_t)(x)) << MASK_SHIFT(m)) & (m))
/* `v` with field `m` replaced by `x`. */
#define FIELD_SET(m, v, x) ((((uint64_t)(v)) & ~(uint64_t)(m)) | FIELD_PREP(m, x))

/* Field spanning an absolute bit range of a multi-doubleword structure,
 * both ends in the same doubleword: DW index and mask. */
#define DW_OF(bit)        ((bit) / 64)

static inline uint64_t bits_mask_low(unsigned n)
{
    return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

#endif
