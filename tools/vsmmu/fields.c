/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "cli.h"
#include "fields.h"
#include "spec/pte.h"

static const char *const v_config[] = { "abort", "abort(rsvd)", "abort(rsvd)", "abort(rsvd)",
                                        "bypass", "s1", "s2", "nested", NULL };
static const char *const v_s1dss[] = { "terminate", "bypass", "ssid0", "rsvd", NULL };
static const char *const v_s1fmt[] = { "linear", "2lvl-4k", "2lvl-64k", "rsvd", NULL };
static const char *const v_tg0[] = { "4K", "64K", "16K", "rsvd", NULL };
static const char *const v_tg1[] = { "rsvd", "16K", "4K", "64K", NULL };
static const char *const v_sh[] = { "NSH", "rsvd", "OSH", "ISH", NULL };
static const char *const v_ps[] = { "32b", "36b", "40b", "42b", "44b", "48b", "52b", "rsvd", NULL };
static const char *const v_class[] = { "CD", "TT", "IN", "rsvd", NULL };
static const char *const v_s2ap[] = { "none", "RO", "WO", "RW", NULL };
static const char *const v_ap[] = { "RW-priv", "RW", "RO-priv", "RO", NULL };

/* STE (IHI0070 5.2) */
static const struct fdef ste_f[] = {
    { "V", 0, BIT(0), NULL }, { "Config", 0, GENMASK(3, 1), v_config },
    { "S1Fmt", 0, GENMASK(5, 4), v_s1fmt }, { "S1ContextPtr", 0, GENMASK(51, 6), NULL },
    { "S1CDMax", 0, GENMASK(63, 59), NULL },
    { "S1DSS", 1, GENMASK(1, 0), v_s1dss }, { "S1CIR", 1, GENMASK(3, 2), NULL },
    { "S1COR", 1, GENMASK(5, 4), NULL }, { "S1CSH", 1, GENMASK(7, 6), v_sh },
    { "DRE", 1, BIT(12), NULL }, { "CONT", 1, GENMASK(16, 13), NULL }, { "DCP", 1, BIT(17), NULL },
    { "PPAR", 1, BIT(18), NULL }, { "MEV", 1, BIT(19), NULL }, { "S2FWB", 1, BIT(25), NULL },
    { "S1MPAM", 1, BIT(26), NULL }, { "S1STALLD", 1, BIT(27), NULL },
    { "EATS", 1, GENMASK(29, 28), NULL }, { "STRW", 1, GENMASK(31, 30), NULL },
    { "MemAttr", 1, GENMASK(35, 32), NULL }, { "MTCFG", 1, BIT(36), NULL },
    { "ALLOCCFG", 1, GENMASK(40, 37), NULL }, { "SHCFG", 1, GENMASK(45, 44), NULL },
    { "NSCFG", 1, GENMASK(47, 46), NULL }, { "PRIVCFG", 1, GENMASK(49, 48), NULL },
    { "INSTCFG", 1, GENMASK(51, 50), NULL },
    { "S2VMID", 2, GENMASK(15, 0), NULL }, { "S2T0SZ", 2, GENMASK(37, 32), NULL },
    { "S2SL0", 2, GENMASK(39, 38), NULL }, { "S2IR0", 2, GENMASK(41, 40), NULL },
    { "S2OR0", 2, GENMASK(43, 42), NULL }, { "S2SH0", 2, GENMASK(45, 44), v_sh },
    { "S2TG", 2, GENMASK(47, 46), v_tg0 }, { "S2PS", 2, GENMASK(50, 48), v_ps },
    { "S2AA64", 2, BIT(51), NULL }, { "S2ENDI", 2, BIT(52), NULL }, { "S2AFFD", 2, BIT(53), NULL },
    { "S2PTW", 2, BIT(54), NULL }, { "S2HD", 2, BIT(55), NULL }, { "S2HA", 2, BIT(56), NULL },
    { "S2S", 2, BIT(57), NULL }, { "S2R", 2, BIT(58), NULL },
    { "S2TTB", 3, GENMASK(51, 4), NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_ste = { "STE", 8, ste_f };

/* CD (IHI0070 5.4) */
static const struct fdef cd_f[] = {
    { "T0SZ", 0, GENMASK(5, 0), NULL }, { "TG0", 0, GENMASK(7, 6), v_tg0 },
    { "IR0", 0, GENMASK(9, 8), NULL }, { "OR0", 0, GENMASK(11, 10), NULL },
    { "SH0", 0, GENMASK(13, 12), v_sh }, { "EPD0", 0, BIT(14), NULL }, { "ENDI", 0, BIT(15), NULL },
    { "T1SZ", 0, GENMASK(21, 16), NULL }, { "TG1", 0, GENMASK(23, 22), v_tg1 },
    { "IR1", 0, GENMASK(25, 24), NULL }, { "OR1", 0, GENMASK(27, 26), NULL },
    { "SH1", 0, GENMASK(29, 28), v_sh }, { "EPD1", 0, BIT(30), NULL }, { "V", 0, BIT(31), NULL },
    { "IPS", 0, GENMASK(34, 32), v_ps }, { "AFFD", 0, BIT(35), NULL }, { "WXN", 0, BIT(36), NULL },
    { "UWXN", 0, BIT(37), NULL }, { "TBI0", 0, BIT(38), NULL }, { "TBI1", 0, BIT(39), NULL },
    { "PAN", 0, BIT(40), NULL }, { "AA64", 0, BIT(41), NULL }, { "HD", 0, BIT(42), NULL },
    { "HA", 0, BIT(43), NULL }, { "S", 0, BIT(44), NULL }, { "R", 0, BIT(45), NULL },
    { "A", 0, BIT(46), NULL }, { "ASET", 0, BIT(47), NULL }, { "ASID", 0, GENMASK(63, 48), NULL },
    { "HAD0", 1, BIT(1), NULL }, { "E0PD0", 1, BIT(2), NULL }, { "TTB0", 1, GENMASK(51, 4), NULL },
    { "HAD1", 2, BIT(1), NULL }, { "E0PD1", 2, BIT(2), NULL }, { "TTB1", 2, GENMASK(51, 4), NULL },
    { "MAIR", 3, GENMASK(63, 0), NULL }, { "AMAIR", 4, GENMASK(63, 0), NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_cd = { "CD", 8, cd_f };

/* L1STD (IHI0070 5.1), L1CD (5.3) */
static const struct fdef l1std_f[] = {
    { "Span", 0, GENMASK(4, 0), NULL }, { "L2Ptr", 0, GENMASK(51, 6), NULL }, { NULL, 0, 0, NULL },
};
const struct ftab ft_l1std = { "L1STD", 1, l1std_f };
static const struct fdef l1cd_f[] = {
    { "V", 0, BIT(0), NULL }, { "L2Ptr", 0, GENMASK(51, 12), NULL }, { NULL, 0, 0, NULL },
};
const struct ftab ft_l1cd = { "L1CD", 1, l1cd_f };

/* Event record (IHI0070 7.3) */
static const struct fdef evt_f[] = {
    { "Type", 0, GENMASK(7, 0), NULL }, { "SSV", 0, BIT(11), NULL },
    { "SubstreamID", 0, GENMASK(31, 12), NULL }, { "StreamID", 0, GENMASK(63, 32), NULL },
    { "STAG", 1, GENMASK(15, 0), NULL }, { "Stall", 1, BIT(31), NULL },
    { "PnU", 1, BIT(33), NULL }, { "InD", 1, BIT(34), NULL }, { "RnW", 1, BIT(35), NULL },
    { "S2", 1, BIT(39), NULL }, { "CLASS", 1, GENMASK(41, 40), v_class },
    { "TTRnW", 1, BIT(44), NULL }, { "InputAddr", 2, GENMASK(63, 0), NULL },
    { "IPA", 3, GENMASK(51, 12), NULL }, { "FetchAddr", 3, GENMASK(51, 3), NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_evt = { "event", 4, evt_f };

/* Commands (IHI0070 4.x): the union of all fields; ft_cmd_field_ok() says
 * which apply to an opcode. */
static const struct fdef cmd_f[] = {
    { "Opcode", 0, GENMASK(7, 0), NULL }, { "SSec", 0, BIT(10), NULL }, { "SSV", 0, BIT(11), NULL },
    { "SubstreamID", 0, GENMASK(31, 12), NULL }, { "StreamID", 0, GENMASK(63, 32), NULL },
    { "VMID", 0, GENMASK(47, 32), NULL }, { "ASID", 0, GENMASK(63, 48), NULL },
    { "NUM", 0, GENMASK(16, 12), NULL }, { "SCALE", 0, GENMASK(24, 20), NULL },
    { "Ac", 0, BIT(12), NULL }, { "Ab", 0, BIT(13), NULL }, { "Global", 0, BIT(9), NULL },
    { "CS", 0, GENMASK(13, 12), NULL }, { "MSH", 0, GENMASK(23, 22), NULL },
    { "MSIAttr", 0, GENMASK(27, 24), NULL }, { "MSIData", 0, GENMASK(63, 32), NULL },
    { "Leaf", 1, BIT(0), NULL }, { "Range", 1, GENMASK(4, 0), NULL },
    { "TTL", 1, GENMASK(9, 8), NULL }, { "TG", 1, GENMASK(11, 10), NULL },
    { "Address", 1, GENMASK(63, 12), NULL }, { "IPA", 1, GENMASK(51, 12), NULL },
    { "MSIAddress", 1, GENMASK(51, 2), NULL }, { "STAG", 1, GENMASK(15, 0), NULL },
    { "Size", 1, GENMASK(5, 0), NULL }, { "PRGIndex", 1, GENMASK(8, 0), NULL },
    { "Resp", 1, GENMASK(13, 12), NULL }, { "Stride", 1, GENMASK(9, 5), NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_cmd = { "command", 2, cmd_f };

static const struct { unsigned op; const char *fields; } cmd_sets[] = {
    { 0x01, "SSec SSV SubstreamID StreamID" },
    { 0x02, "SSec SSV SubstreamID StreamID Size Stride Address" },
    { 0x03, "SSec StreamID Leaf" }, { 0x04, "SSec StreamID Range" },
    { 0x05, "SSec SubstreamID StreamID Leaf" }, { 0x06, "SSec StreamID" },
    { 0x07, "SSec VMID" },
    { 0x10, "VMID" }, { 0x11, "VMID ASID" },
    { 0x12, "NUM SCALE VMID ASID Leaf TTL TG Address" },
    { 0x13, "NUM SCALE VMID Leaf TTL TG Address" },
    { 0x18, "" }, { 0x1A, "NUM SCALE Leaf TTL TG Address" },
    { 0x20, "" }, { 0x21, "ASID" }, { 0x22, "NUM SCALE ASID Leaf TTL TG Address" },
    { 0x23, "NUM SCALE Leaf TTL TG Address" }, { 0x28, "VMID" },
    { 0x2A, "NUM SCALE VMID Leaf TTL TG IPA" }, { 0x30, "" },
    { 0x40, "Global SSV SubstreamID StreamID Size Address" },
    { 0x41, "SSV SubstreamID StreamID PRGIndex Resp" },
    { 0x44, "SSec Ac Ab StreamID STAG" }, { 0x45, "SSec StreamID" },
    { 0x46, "CS MSH MSIAttr MSIData MSIAddress" },
};

bool ft_cmd_field_ok(unsigned opcode, const char *name)
{
    if (cli_streq(name, "Opcode"))
        return true;
    for (size_t i = 0; i < sizeof(cmd_sets) / sizeof(cmd_sets[0]); i++) {
        if (cmd_sets[i].op != opcode)
            continue;
        const char *p = cmd_sets[i].fields;
        size_t n = strlen(name);
        while (*p) {
            const char *e = strchr(p, ' ');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l == n && !strncasecmp(p, name, n))
                return true;
            if (!e)
                break;
            p = e + 1;
        }
        return false;
    }
    return false;
}

/* Translation table descriptors (Arm ARM D8.3), for display. */
static const struct fdef s1desc_f[] = {
    { "AttrIndx", 0, PTE_ATTRINDX, NULL }, { "NS", 0, PTE_NS, NULL },
    { "AP", 0, PTE_AP, v_ap }, { "SH", 0, PTE_SH, v_sh }, { "AF", 0, PTE_AF, NULL },
    { "nG", 0, PTE_NG, NULL }, { "DBM", 0, PTE_DBM, NULL }, { "Contig", 0, PTE_CONT, NULL },
    { "PXN", 0, PTE_PXN, NULL }, { "UXN", 0, PTE_UXN, NULL }, { NULL, 0, 0, NULL },
};
const struct ftab ft_s1desc = { "S1 descriptor", 1, s1desc_f };
static const struct fdef s2desc_f[] = {
    { "MemAttr", 0, PTE_S2_MEMATTR, NULL }, { "S2AP", 0, PTE_S2AP, v_s2ap },
    { "SH", 0, PTE_SH, v_sh }, { "AF", 0, PTE_AF, NULL }, { "DBM", 0, PTE_DBM, NULL },
    { "Contig", 0, PTE_CONT, NULL }, { "XN0", 0, PTE_S2_XN0, NULL }, { "XN1", 0, PTE_S2_XN1, NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_s2desc = { "S2 descriptor", 1, s2desc_f };
static const struct fdef tabledesc_f[] = {
    { "PXNTable", 0, PTE_PXNTABLE, NULL }, { "UXNTable", 0, PTE_UXNTABLE, NULL },
    { "APTable", 0, PTE_APTABLE, NULL }, { "NSTable", 0, PTE_NSTABLE, NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_tabledesc = { "table descriptor", 1, tabledesc_f };

const struct fdef *ft_find(const struct ftab *t, const char *name)
{
    for (const struct fdef *f = t->f; f->name; f++)
        if (cli_streq(f->name, name))
            return f;
    return NULL;
}

uint64_t ft_get(const struct fdef *f, const uint64_t *raw)
{
    return (raw[f->dw] & f->mask) >> __builtin_ctzll(f->mask);
}

int ft_set(const struct fdef *f, uint64_t *raw, uint64_t v)
{
    unsigned sh = (unsigned)__builtin_ctzll(f->mask);
    uint64_t width_mask = f->mask >> sh;
    if (v & ~width_mask)
        return -1;
    raw[f->dw] = (raw[f->dw] & ~f->mask) | (v << sh);
    return 0;
}

uint64_t ft_getn(const struct ftab *t, const uint64_t *raw, const char *name)
{
    const struct fdef *f = ft_find(t, name);
    if (!f)
        abort();
    return ft_get(f, raw);
}

void ft_setn(const struct ftab *t, uint64_t *raw, const char *name, uint64_t v)
{
    const struct fdef *f = ft_find(t, name);
    if (!f)
        abort();
    (void)ft_set(f, raw, v & (f->mask >> __builtin_ctzll(f->mask)));
}

bool ft_is_addr(const struct fdef *f)
{
    const char *n = f->name;
    return strstr(n, "Ptr") || strstr(n, "TTB") || strstr(n, "Addr") || !strcmp(n, "IPA");
}

void ft_print(FILE *fp, const struct ftab *t, const uint64_t *raw, bool all, const char *indent)
{
    int col = 0;
    for (const struct fdef *f = t->f; f->name; f++) {
        uint64_t v = ft_get(f, raw);
        /* fields whose zero encoding means something worth seeing */
        static const char *const keep[] = { "V", "Config", "TG0", "S2TG", "T0SZ", "S2T0SZ",
                                            "EPD0", "AA64", "S2AA64", "AF", "AP", "S2AP", NULL };
        bool show = all || v;
        for (int k = 0; !show && keep[k]; k++)
            show = !strcmp(keep[k], f->name);
        if (!show)
            continue;
        char buf[96];
        unsigned sh = (unsigned)__builtin_ctzll(f->mask);
        if (f->values && v < 8 && f->values[v])
            snprintf(buf, sizeof(buf), "%s=%s", f->name, f->values[v]);
        else if (ft_is_addr(f))   /* address fields: show the address */
            snprintf(buf, sizeof(buf), "%s=0x%llx", f->name, (unsigned long long)(v << sh));
        else if (v > 9)
            snprintf(buf, sizeof(buf), "%s=0x%llx", f->name, (unsigned long long)v);
        else
            snprintf(buf, sizeof(buf), "%s=%llu", f->name, (unsigned long long)v);
        int l = (int)strlen(buf);
        if (col == 0) {
            fputs(indent, fp);
            col = (int)strlen(indent);
        } else if (col + l + 1 > 96) {
            fputc('\n', fp);
            fputs(indent, fp);
            col = (int)strlen(indent);
        } else {
            fputc(' ', fp);
            col++;
        }
        fputs(buf, fp);
        col += l;
    }
    if (col)
        fputc('\n', fp);
}
