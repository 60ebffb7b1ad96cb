/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "cli.h"
#include "fields.h"
#include "spec/cd.h"
#include "spec/cmd.h"
#include "spec/event.h"
#include "spec/pte.h"
#include "spec/ste.h"

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
    { "V", 0, STE_DW0_V, NULL }, { "Config", 0, STE_DW0_CONFIG, v_config },
    { "S1Fmt", 0, STE_DW0_S1FMT, v_s1fmt }, { "S1ContextPtr", 0, STE_DW0_S1CONTEXTPTR, NULL },
    { "S1CDMax", 0, STE_DW0_S1CDMAX, NULL },
    { "S1DSS", 1, STE_DW1_S1DSS, v_s1dss }, { "S1CIR", 1, STE_DW1_S1CIR, NULL },
    { "S1COR", 1, STE_DW1_S1COR, NULL }, { "S1CSH", 1, STE_DW1_S1CSH, v_sh },
    { "DRE", 1, STE_DW1_DRE, NULL }, { "CONT", 1, STE_DW1_CONT, NULL }, { "DCP", 1, STE_DW1_DCP, NULL },
    { "PPAR", 1, STE_DW1_PPAR, NULL }, { "MEV", 1, STE_DW1_MEV, NULL }, { "S2FWB", 1, STE_DW1_S2FWB, NULL },
    { "S1MPAM", 1, STE_DW1_S1MPAM, NULL }, { "S1STALLD", 1, STE_DW1_S1STALLD, NULL },
    { "EATS", 1, STE_DW1_EATS, NULL }, { "STRW", 1, STE_DW1_STRW, NULL },
    { "MemAttr", 1, STE_DW1_MEMATTR, NULL }, { "MTCFG", 1, STE_DW1_MTCFG, NULL },
    { "ALLOCCFG", 1, STE_DW1_ALLOCCFG, NULL }, { "SHCFG", 1, STE_DW1_SHCFG, NULL },
    { "NSCFG", 1, STE_DW1_NSCFG, NULL }, { "PRIVCFG", 1, STE_DW1_PRIVCFG, NULL },
    { "INSTCFG", 1, STE_DW1_INSTCFG, NULL },
    { "S2VMID", 2, STE_DW2_S2VMID, NULL }, { "S2T0SZ", 2, STE_DW2_S2T0SZ, NULL },
    { "S2SL0", 2, STE_DW2_S2SL0, NULL }, { "S2IR0", 2, STE_DW2_S2IR0, NULL },
    { "S2OR0", 2, STE_DW2_S2OR0, NULL }, { "S2SH0", 2, STE_DW2_S2SH0, v_sh },
    { "S2TG", 2, STE_DW2_S2TG, v_tg0 }, { "S2PS", 2, STE_DW2_S2PS, v_ps },
    { "S2AA64", 2, STE_DW2_S2AA64, NULL }, { "S2ENDI", 2, STE_DW2_S2ENDI, NULL }, { "S2AFFD", 2, STE_DW2_S2AFFD, NULL },
    { "S2PTW", 2, STE_DW2_S2PTW, NULL }, { "S2HD", 2, STE_DW2_S2HD, NULL }, { "S2HA", 2, STE_DW2_S2HA, NULL },
    { "S2S", 2, STE_DW2_S2S, NULL }, { "S2R", 2, STE_DW2_S2R, NULL },
    { "S2TTB", 3, STE_DW3_S2TTB, NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_ste = { "STE", 8, ste_f };

/* CD (IHI0070 5.4) */
static const struct fdef cd_f[] = {
    { "T0SZ", 0, CD_DW0_T0SZ, NULL }, { "TG0", 0, CD_DW0_TG0, v_tg0 },
    { "IR0", 0, CD_DW0_IR0, NULL }, { "OR0", 0, CD_DW0_OR0, NULL },
    { "SH0", 0, CD_DW0_SH0, v_sh }, { "EPD0", 0, CD_DW0_EPD0, NULL }, { "ENDI", 0, CD_DW0_ENDI, NULL },
    { "T1SZ", 0, CD_DW0_T1SZ, NULL }, { "TG1", 0, CD_DW0_TG1, v_tg1 },
    { "IR1", 0, CD_DW0_IR1, NULL }, { "OR1", 0, CD_DW0_OR1, NULL },
    { "SH1", 0, CD_DW0_SH1, v_sh }, { "EPD1", 0, CD_DW0_EPD1, NULL }, { "V", 0, CD_DW0_V, NULL },
    { "IPS", 0, CD_DW0_IPS, v_ps }, { "AFFD", 0, CD_DW0_AFFD, NULL }, { "WXN", 0, CD_DW0_WXN, NULL },
    { "UWXN", 0, CD_DW0_UWXN, NULL }, { "TBI0", 0, CD_DW0_TBI0, NULL }, { "TBI1", 0, CD_DW0_TBI1, NULL },
    { "PAN", 0, CD_DW0_PAN, NULL }, { "AA64", 0, CD_DW0_AA64, NULL }, { "HD", 0, CD_DW0_HD, NULL },
    { "HA", 0, CD_DW0_HA, NULL }, { "S", 0, CD_DW0_S, NULL }, { "R", 0, CD_DW0_R, NULL },
    { "A", 0, CD_DW0_A, NULL }, { "ASET", 0, CD_DW0_ASET, NULL }, { "ASID", 0, CD_DW0_ASID, NULL },
    { "HAD0", 1, CD_DW1_HAD0, NULL }, { "E0PD0", 1, CD_DW1_E0PD0, NULL }, { "TTB0", 1, CD_DW1_TTB0, NULL },
    { "HAD1", 2, CD_DW2_HAD1, NULL }, { "E0PD1", 2, CD_DW2_E0PD1, NULL }, { "TTB1", 2, CD_DW2_TTB1, NULL },
    { "MAIR", 3, CD_DW3_MAIR0 | CD_DW3_MAIR1, NULL }, { "AMAIR", 4, GENMASK(63, 0), NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_cd = { "CD", 8, cd_f };

/* L1STD (IHI0070 5.1), L1CD (5.3) */
static const struct fdef l1std_f[] = {
    { "Span", 0, L1STD_SPAN, NULL }, { "L2Ptr", 0, L1STD_L2PTR, NULL }, { NULL, 0, 0, NULL },
};
const struct ftab ft_l1std = { "L1STD", 1, l1std_f };
static const struct fdef l1cd_f[] = {
    { "V", 0, L1CD_V, NULL }, { "L2Ptr", 0, L1CD_L2PTR, NULL }, { NULL, 0, 0, NULL },
};
const struct ftab ft_l1cd = { "L1CD", 1, l1cd_f };

/* Event record (IHI0070 7.3) */
static const struct fdef evt_f[] = {
    { "Type", 0, EVT_DW0_TYPE, NULL }, { "SSV", 0, EVT_DW0_SSV, NULL },
    { "SubstreamID", 0, EVT_DW0_SUBSTREAMID, NULL }, { "StreamID", 0, EVT_DW0_STREAMID, NULL },
    { "STAG", 1, EVT_DW1_STAG, NULL }, { "Stall", 1, EVT_DW1_STALL, NULL },
    { "PnU", 1, EVT_DW1_PNU, NULL }, { "InD", 1, EVT_DW1_IND, NULL }, { "RnW", 1, EVT_DW1_RNW, NULL },
    { "S2", 1, EVT_DW1_S2, NULL }, { "CLASS", 1, EVT_DW1_CLASS, v_class },
    { "TTRnW", 1, EVT_DW1_TTRNW, NULL }, { "InputAddr", 2, EVT_DW2_INPUTADDR, NULL },
    { "IPA", 3, EVT_DW3_IPA, NULL }, { "FetchAddr", 3, EVT_DW3_FETCHADDR, NULL },
    { NULL, 0, 0, NULL },
};
const struct ftab ft_evt = { "event", 4, evt_f };

/* Commands (IHI0070 4.x): the union of all fields; ft_cmd_field_ok() says
 * which apply to an opcode. */
static const struct fdef cmd_f[] = {
    { "Opcode", 0, CMD0_OP, NULL }, { "SSec", 0, CMD0_SSEC, NULL }, { "SSV", 0, CMD0_SSV, NULL },
    { "SubstreamID", 0, CMD0_SSID, NULL }, { "StreamID", 0, CMD0_SID, NULL },
    { "VMID", 0, CMD0_VMID, NULL }, { "ASID", 0, CMD0_ASID, NULL },
    { "NUM", 0, CMD0_NUM, NULL }, { "SCALE", 0, CMD0_SCALE, NULL },
    { "Ac", 0, CMD0_RESUME_AC, NULL }, { "Ab", 0, CMD0_RESUME_AB, NULL }, { "Global", 0, CMD0_ATC_GLOBAL, NULL },
    { "CS", 0, CMD0_SYNC_CS, NULL }, { "MSH", 0, CMD0_SYNC_MSH, NULL },
    { "MSIAttr", 0, CMD0_SYNC_MSIATTR, NULL }, { "MSIData", 0, CMD0_SYNC_MSIDATA, NULL },
    { "Leaf", 1, CMD1_LEAF, NULL }, { "Range", 1, CMD1_RANGE, NULL },
    { "TTL", 1, CMD1_TTL, NULL }, { "TG", 1, CMD1_TG, NULL },
    { "Address", 1, CMD1_VA, NULL }, { "IPA", 1, CMD1_ADDR_LO, NULL },
    { "MSIAddress", 1, CMD1_MSIADDR, NULL }, { "STAG", 1, CMD1_STAG, NULL },
    { "Size", 1, CMD1_ATC_SIZE, NULL }, { "PRGIndex", 1, CMD1_PRI_PRGI, NULL },
    { "Resp", 1, CMD1_PRI_RESP, NULL }, { "Stride", 1, CMD1_PF_STRIDE, NULL },
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
        /* stage-2 STE fields mean nothing when stage 2 bypasses (Config[1]=0) */
        bool s2off = t == &ft_ste && !strncmp(f->name, "S2", 2) && !(ft_getn(t, raw, "Config") & 2);
        for (int k = 0; !show && !s2off && keep[k]; k++)
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
