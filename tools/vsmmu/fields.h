/* SPDX-License-Identifier: MIT */
/* Field tables of the in-memory structures, commands and event records, for
 * display (explain, run) and for setting fields by name in scenarios. Each
 * field: its specification name, doubleword, and the mask from the src/spec
 * headers (where every field is defined once). */
#ifndef VSMMU_CLI_FIELDS_H
#define VSMMU_CLI_FIELDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct fdef {
    const char *name;
    uint8_t dw;
    uint64_t mask;
    const char *const *values;   /* optional names of the encodings */
};

struct ftab {
    const char *name;            /* "STE", "CD", ... */
    unsigned ndw;
    const struct fdef *f;        /* NULL-name terminated */
};

extern const struct ftab ft_ste, ft_cd, ft_l1std, ft_l1cd, ft_evt, ft_cmd;
extern const struct ftab ft_s1desc, ft_s2desc, ft_tabledesc;

const struct fdef *ft_find(const struct ftab *t, const char *name);
uint64_t ft_get(const struct fdef *f, const uint64_t *raw);
/* Set a field; -1 if the value does not fit. */
int ft_set(const struct fdef *f, uint64_t *raw, uint64_t v);
/* Get/set by name (abort()s on an unknown name: programming error). */
uint64_t ft_getn(const struct ftab *t, const uint64_t *raw, const char *name);
void ft_setn(const struct ftab *t, uint64_t *raw, const char *name, uint64_t v);
/* Print "NAME=value" for every non-zero field (all fields if all), wrapped. */
void ft_print(FILE *f, const struct ftab *t, const uint64_t *raw, bool all, const char *indent);

/* Address fields (pointers, TTBs, InputAddr, IPA...): scenarios give and
 * print them as byte addresses. */
bool ft_is_addr(const struct fdef *f);
/* Command field sets per opcode: the names valid for that command. */
bool ft_cmd_field_ok(unsigned opcode, const char *name);

#endif
