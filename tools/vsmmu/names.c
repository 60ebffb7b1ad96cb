/* SPDX-License-Identifier: MIT */
/* Names for display and for scenario files: commands (IHI0070 4.1),
 * events (7.3), CERROR codes (4.8), registers (6.2), config fields. */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "spec/regs.h"

static const struct { unsigned op; const char *name; } cmd_names[] = {
    { 0x01, "CMD_PREFETCH_CONFIG" }, { 0x02, "CMD_PREFETCH_ADDR" },
    { 0x03, "CMD_CFGI_STE" }, { 0x04, "CMD_CFGI_STE_RANGE" },
    { 0x05, "CMD_CFGI_CD" }, { 0x06, "CMD_CFGI_CD_ALL" }, { 0x07, "CMD_CFGI_VMS_PIDM" },
    { 0x10, "CMD_TLBI_NH_ALL" }, { 0x11, "CMD_TLBI_NH_ASID" }, { 0x12, "CMD_TLBI_NH_VA" },
    { 0x13, "CMD_TLBI_NH_VAA" }, { 0x18, "CMD_TLBI_EL3_ALL" }, { 0x1A, "CMD_TLBI_EL3_VA" },
    { 0x20, "CMD_TLBI_EL2_ALL" }, { 0x21, "CMD_TLBI_EL2_ASID" }, { 0x22, "CMD_TLBI_EL2_VA" },
    { 0x23, "CMD_TLBI_EL2_VAA" }, { 0x28, "CMD_TLBI_S12_VMALL" }, { 0x2A, "CMD_TLBI_S2_IPA" },
    { 0x30, "CMD_TLBI_NSNH_ALL" }, { 0x40, "CMD_ATC_INV" }, { 0x41, "CMD_PRI_RESP" },
    { 0x44, "CMD_RESUME" }, { 0x45, "CMD_STALL_TERM" }, { 0x46, "CMD_SYNC" },
};

const char *cli_cmd_name(unsigned opcode)
{
    for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
        if (cmd_names[i].op == opcode)
            return cmd_names[i].name;
    return NULL;
}

int cli_cmd_opcode(const char *name)
{
    if (!strncasecmp(name, "CMD_", 4))
        name += 4;
    if (cli_streq(name, "CFGI_ALL"))
        return 0x04;
    for (size_t i = 0; i < sizeof(cmd_names) / sizeof(cmd_names[0]); i++)
        if (cli_streq(cmd_names[i].name + 4, name))
            return (int)cmd_names[i].op;
    return -1;
}

static const struct { unsigned type; const char *name; } evt_names[] = {
    { 0x01, "F_UUT" }, { 0x02, "C_BAD_STREAMID" }, { 0x03, "F_STE_FETCH" },
    { 0x04, "C_BAD_STE" }, { 0x05, "F_BAD_ATS_TREQ" }, { 0x06, "F_STREAM_DISABLED" },
    { 0x07, "F_TRANSL_FORBIDDEN" }, { 0x08, "C_BAD_SUBSTREAMID" }, { 0x09, "F_CD_FETCH" },
    { 0x0A, "C_BAD_CD" }, { 0x0B, "F_WALK_EABT" }, { 0x10, "F_TRANSLATION" },
    { 0x11, "F_ADDR_SIZE" }, { 0x12, "F_ACCESS" }, { 0x13, "F_PERMISSION" },
    { 0x20, "F_TLB_CONFLICT" }, { 0x21, "F_CFG_CONFLICT" }, { 0x24, "E_PAGE_REQUEST" },
    { 0x25, "F_VMS_FETCH" },
};

const char *cli_event_name(unsigned type)
{
    for (size_t i = 0; i < sizeof(evt_names) / sizeof(evt_names[0]); i++)
        if (evt_names[i].type == type)
            return evt_names[i].name;
    return NULL;
}

int cli_event_type(const char *name)
{
    for (size_t i = 0; i < sizeof(evt_names) / sizeof(evt_names[0]); i++)
        if (cli_streq(evt_names[i].name, name))
            return (int)evt_names[i].type;
    return -1;
}

static const char *const cerror_names[] = { "NONE", "ILL", "ABT", "ATC_INV_SYNC" };

const char *cli_cerror_name(unsigned code)
{
    return code < 4 ? cerror_names[code] : "?";
}

int cli_cerror_code(const char *name)
{
    if (!strncasecmp(name, "CERROR_", 7))
        name += 7;
    for (int i = 0; i < 4; i++)
        if (cli_streq(cerror_names[i], name))
            return i;
    return -1;
}

const struct cli_reg cli_regs[] = {
    { "IDR0", SMMU_IDR0, 4 }, { "IDR1", SMMU_IDR1, 4 }, { "IDR2", SMMU_IDR2, 4 },
    { "IDR3", SMMU_IDR3, 4 }, { "IDR4", SMMU_IDR4, 4 }, { "IDR5", SMMU_IDR5, 4 },
    { "IIDR", SMMU_IIDR, 4 }, { "AIDR", SMMU_AIDR, 4 },
    { "CR0", SMMU_CR0, 4 }, { "CR0ACK", SMMU_CR0ACK, 4 }, { "CR1", SMMU_CR1, 4 },
    { "CR2", SMMU_CR2, 4 }, { "STATUSR", SMMU_STATUSR, 4 }, { "GBPA", SMMU_GBPA, 4 },
    { "AGBPA", SMMU_AGBPA, 4 }, { "IRQ_CTRL", SMMU_IRQ_CTRL, 4 },
    { "IRQ_CTRLACK", SMMU_IRQ_CTRLACK, 4 }, { "GERROR", SMMU_GERROR, 4 },
    { "GERRORN", SMMU_GERRORN, 4 }, { "GERROR_IRQ_CFG0", SMMU_GERROR_IRQ_CFG0, 8 },
    { "GERROR_IRQ_CFG1", SMMU_GERROR_IRQ_CFG1, 4 }, { "GERROR_IRQ_CFG2", SMMU_GERROR_IRQ_CFG2, 4 },
    { "STRTAB_BASE", SMMU_STRTAB_BASE, 8 }, { "STRTAB_BASE_CFG", SMMU_STRTAB_BASE_CFG, 4 },
    { "CMDQ_BASE", SMMU_CMDQ_BASE, 8 }, { "CMDQ_PROD", SMMU_CMDQ_PROD, 4 },
    { "CMDQ_CONS", SMMU_CMDQ_CONS, 4 }, { "EVENTQ_BASE", SMMU_EVENTQ_BASE, 8 },
    { "EVENTQ_IRQ_CFG0", SMMU_EVENTQ_IRQ_CFG0, 8 }, { "EVENTQ_IRQ_CFG1", SMMU_EVENTQ_IRQ_CFG1, 4 },
    { "EVENTQ_IRQ_CFG2", SMMU_EVENTQ_IRQ_CFG2, 4 }, { "PRIQ_BASE", SMMU_PRIQ_BASE, 8 },
    { "PRIQ_IRQ_CFG0", SMMU_PRIQ_IRQ_CFG0, 8 }, { "PRIQ_IRQ_CFG1", SMMU_PRIQ_IRQ_CFG1, 4 },
    { "PRIQ_IRQ_CFG2", SMMU_PRIQ_IRQ_CFG2, 4 },
    { "EVENTQ_PROD", SMMU_EVENTQ_PROD, 4 }, { "EVENTQ_CONS", SMMU_EVENTQ_CONS, 4 },
    { "PRIQ_PROD", SMMU_PRIQ_PROD, 4 }, { "PRIQ_CONS", SMMU_PRIQ_CONS, 4 },
    { NULL, 0, 0 },
};

const struct cli_reg *cli_reg_find(const char *name)
{
    if (!strncasecmp(name, "SMMU_", 5))
        name += 5;
    for (const struct cli_reg *r = cli_regs; r->name; r++)
        if (cli_streq(r->name, name))
            return r;
    return NULL;
}

const struct cli_reg *cli_reg_by_off(uint32_t off)
{
    for (const struct cli_reg *r = cli_regs; r->name; r++)
        if (r->off == off)
            return r;
    return NULL;
}

/* ---- struct vsmmu_config by name ---- */
enum cf_kind { CF_BOOL, CF_UINT, CF_U32, CF_HTTU, CF_STALL };
#define CFB(n) { #n, offsetof(struct vsmmu_config, n), CF_BOOL, 1 }
#define CFU(n, max) { #n, offsetof(struct vsmmu_config, n), CF_UINT, max }
#define CF32(n) { #n, offsetof(struct vsmmu_config, n), CF_U32, 0xffffffffu }
static const struct { const char *name; size_t off; enum cf_kind kind; uint64_t max; } cfg_fields[] = {
    CFU(arch_minor, 3), CFB(s1p), CFB(s2p), CFB(cohacc), CFB(btm), { "httu", offsetof(struct vsmmu_config, httu), CF_HTTU, 2 }, CFB(hyp),
    CFB(ats), CFB(ns1ats), CFB(asid16), CFB(vmid16), CFB(msi), CFB(sev), CFB(pri), CFB(vmw),
    CFB(cd2l), CFB(st2l), { "stall_model", offsetof(struct vsmmu_config, stall_model), CF_STALL, 2 }, CFB(term_model), CFB(dormhint),
    CFU(sidsize, 32), CFU(ssidsize, 20), CFU(cmdqs, 19), CFU(eventqs, 19), CFU(priqs, 19),
    CFB(attr_types_ovr), CFB(attr_perms_ovr), CFB(had), CFB(pbha), CFB(xnx), CFB(mpam),
    CFB(fwb), CFB(stt), CFB(ril), CFB(e0pd), CFB(ptwnnc), CFU(bbml, 2), CFU(oas_bits, 52),
    CFB(gran4k), CFB(gran16k), CFB(gran64k), CFB(vax52), CFU(stall_max, 0xffff), CF32(iidr),
    CFB(page0_alias), CF32(gbpa_reset), CF32(tlb_entries), CF32(cfg_entries), CF32(cmdq_batch),
};

int cli_config_set(struct vsmmu_config *cfg, const char *name, uint64_t v, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]); i++) {
        if (!cli_streq(cfg_fields[i].name, name))
            continue;
        if (v > cfg_fields[i].max) {
            snprintf(err, errlen, "value %llu too large for config field '%s' (max %llu)",
                     (unsigned long long)v, cfg_fields[i].name,
                     (unsigned long long)cfg_fields[i].max);
            return -1;
        }
        char *p = (char *)cfg + cfg_fields[i].off;
        switch (cfg_fields[i].kind) {
        case CF_BOOL: *(bool *)p = v != 0; break;
        case CF_UINT: *(unsigned *)p = (unsigned)v; break;
        case CF_U32: *(uint32_t *)p = (uint32_t)v; break;
        case CF_HTTU: cfg->httu = (enum vsmmu_httu)v; break;
        case CF_STALL: cfg->stall_model = (enum vsmmu_stall_model)v; break;
        }
        return 0;
    }
    snprintf(err, errlen, "unknown config field '%s' (see 'vsmmu run --help')", name);
    return -1;
}

void cli_config_list(FILE *f)
{
    for (size_t i = 0; i < sizeof(cfg_fields) / sizeof(cfg_fields[0]); i++)
        fprintf(f, "%s%s", i ? (i % 10 ? " " : "\n  ") : "  ", cfg_fields[i].name);
    fputc('\n', f);
}
