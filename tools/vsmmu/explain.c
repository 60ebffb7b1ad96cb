/* SPDX-License-Identifier: MIT */
/* vsmmu explain — show every step of one translation: from memory images
 * and register values, or from the state a scenario leaves behind. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "cli.h"
#include "guest.h"
#include "scn.h"
#include "spec/regs.h"
#include "xplain.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vsmmu explain [state] TRANSACTION [--json]\n"
        "\n"
        "Translate one transaction as a probe (no event is recorded) and print each step:\n"
        "the STE location and fields, the CD, every descriptor read at each level of each\n"
        "stage, then the output address with permissions and attributes, or the fault and\n"
        "its event record.\n"
        "\n"
        "state, either:\n"
        "  --scenario FILE        run a scenario first and explain against its final state\n"
        "                         (built without caches, so that every fetch and walk shows;\n"
        "                         --cached keeps the caches and shows the cached path)\n"
        "or memory images and registers:\n"
        "  --mem BASE:FILE        raw memory image loaded at BASE (repeatable)\n"
        "  --ram BASE:SIZE        extra zeroed RAM (repeatable)\n"
        "  --reg NAME=VALUE       register value, e.g. STRTAB_BASE=0x40000000,\n"
        "                         STRTAB_BASE_CFG=0x10108, CR2=0x6, GBPA=0 (repeatable).\n"
        "                         CR0 defaults to SMMUEN=1 when STRTAB_BASE is given.\n"
        "  --profile NAME         feature profile (default full-v3.2)\n"
        "  --set FIELD=VALUE      configuration field (repeatable)\n"
        "\n"
        "transaction:\n"
        "  --sid N                StreamID (required)\n"
        "  --ssid N               SubstreamID\n"
        "  --addr A               input address (required)\n"
        "  --read | --write | --exec | --atomic   access (default read)\n"
        "  --priv                 privileged\n"
        "\n"
        "  --json                 JSON output\n"
        "  -h, --help             this text\n");
}

static int bad(const char *what, const char *v)
{
    fprintf(stderr, "vsmmu explain: %s: invalid value '%s'\n", what, v ? v : "(missing)");
    return CLI_EXIT_USAGE;
}

int cli_explain(int argc, char **argv)
{
    const char *scenario = NULL, *profile = "full-v3.2";
    struct { uint64_t base; const char *file; uint64_t size; } mem[16];
    int nmem = 0;
    struct { const struct cli_reg *r; uint64_t v; } regs[32];
    int nregs = 0;
    const char *sets[32];
    int nsets = 0;
    struct vsmmu_txn t = { 0 };
    bool have_sid = false, have_addr = false, json = false, cached = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (!strcmp(a, "--cached")) {
            cached = true;
        } else if (!strcmp(a, "--scenario")) {
            if (!v)
                return bad(a, v);
            scenario = v;
            i++;
        } else if (!strcmp(a, "--profile")) {
            if (!v)
                return bad(a, v);
            profile = v;
            i++;
        } else if (!strcmp(a, "--set")) {
            if (!v || !strchr(v, '=') || nsets >= 32)
                return bad(a, v);
            sets[nsets++] = v;
            i++;
        } else if (!strcmp(a, "--mem") || !strcmp(a, "--ram")) {
            const char *c = v ? strchr(v, ':') : NULL;
            if (!c || nmem >= 16)
                return bad(a, v);
            char base[64];
            snprintf(base, sizeof(base), "%.*s", (int)(c - v), v);
            if (cli_parse_u64(base, &mem[nmem].base))
                return bad(a, v);
            mem[nmem].file = NULL;
            mem[nmem].size = 0;
            if (!strcmp(a, "--mem"))
                mem[nmem].file = c + 1;
            else if (cli_parse_u64(c + 1, &mem[nmem].size) || !mem[nmem].size)
                return bad(a, v);
            nmem++;
            i++;
        } else if (!strcmp(a, "--reg")) {
            const char *eq = v ? strchr(v, '=') : NULL;
            if (!eq || nregs >= 32)
                return bad(a, v);
            char name[64];
            snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
            regs[nregs].r = cli_reg_find(name);
            if (!regs[nregs].r) {
                fprintf(stderr, "vsmmu explain: --reg: unknown register '%s'\n", name);
                return CLI_EXIT_USAGE;
            }
            if (cli_parse_u64(eq + 1, &regs[nregs].v))
                return bad(a, v);
            nregs++;
            i++;
        } else if (!strcmp(a, "--sid") || !strcmp(a, "--ssid") || !strcmp(a, "--addr")) {
            if (!v || cli_parse_u64(v, &n))
                return bad(a, v);
            i++;
            if (!strcmp(a, "--sid")) {
                if (n > 0xffffffffu)
                    return bad(a, v);
                t.sid = (uint32_t)n;
                have_sid = true;
            } else if (!strcmp(a, "--ssid")) {
                if (n > 0xfffff)
                    return bad(a, v);
                t.ssid = (uint32_t)n;
                t.flags |= VSMMU_TXN_SSV;
            } else {
                t.addr = n;
                have_addr = true;
            }
        } else if (a[0] == '-' && a[1] == '-' && !xp_access_word(a + 2, &t.flags)) {
            /* --read --write --exec --atomic --priv */
        } else {
            fprintf(stderr, "vsmmu explain: unknown option '%s'\n", a);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (!have_sid || !have_addr) {
        fprintf(stderr, "vsmmu explain: --sid and --addr are required\n");
        return CLI_EXIT_USAGE;
    }
    if (scenario && (nmem || nregs || nsets)) {
        fprintf(stderr, "vsmmu explain: --scenario excludes --mem/--ram/--reg/--set\n");
        return CLI_EXIT_USAGE;
    }

    struct scn sc;
    scn_init(&sc, json ? stderr : stdout);
    sc.quiet = true;
    sc.no_cache = scenario && !cached;
    int rc, scn_status = 0;
    if (scenario) {
        rc = scn_run_file(&sc, scenario);
        scn_status = rc;
        if (rc) {
            fprintf(stderr, "vsmmu explain: the scenario failed; explaining against the state "
                            "reached at line %u\n", sc.line);
        }
        if (scn_instance(&sc)) {
            scn_free(&sc);
            return CLI_EXIT_FAIL;
        }
    } else {
        if (vsmmu_config_profile(&sc.cfg, profile)) {
            fprintf(stderr, "vsmmu explain: unknown profile '%s'\n", profile);
            scn_free(&sc);
            return CLI_EXIT_USAGE;
        }
        for (int i = 0; i < nsets; i++) {
            char name[64], err[160];
            const char *eq = strchr(sets[i], '=');
            uint64_t v;
            snprintf(name, sizeof(name), "%.*s", (int)(eq - sets[i]), sets[i]);
            if (cli_parse_u64(eq + 1, &v) || cli_config_set(&sc.cfg, name, v, err, sizeof(err))) {
                fprintf(stderr, "vsmmu explain: --set %s: %s\n", sets[i],
                        cli_parse_u64(eq + 1, &v) ? "invalid value" : err);
                scn_free(&sc);
                return CLI_EXIT_USAGE;
            }
        }
        for (int i = 0; i < nmem; i++) {
            uint8_t *buf = NULL;
            size_t len = mem[i].size;
            char err[300];
            if (mem[i].file && cli_read_file(mem[i].file, &buf, &len, err, sizeof(err))) {
                fprintf(stderr, "vsmmu explain: --mem: %s\n", err);
                scn_free(&sc);
                return CLI_EXIT_USAGE;
            }
            uint64_t sz = (len + 7) & ~7ull;
            if (!sz || kit_mem_add(sc.m, mem[i].base, sz)) {
                fprintf(stderr, "vsmmu explain: cannot add memory at 0x%" PRIx64 "\n",
                        mem[i].base);
                free(buf);
                scn_free(&sc);
                return CLI_EXIT_USAGE;
            }
            if (buf)
                memcpy(kit_mem_ptr(sc.m, mem[i].base, len), buf, len);
            free(buf);
            sc.npool = 1;   /* memory given: no default RAM */
            sc.pool[0].p = (struct pool){ .pa = mem[0].base, .ipa = mem[0].base,
                                          .size = sz, .brk = mem[0].base + sz };
        }
        if (scn_instance(&sc)) {
            scn_free(&sc);
            return CLI_EXIT_FAIL;
        }
        /* Registers in a safe order: tables, then GBPA (Update protocol),
         * then CR0 last (IHI0070 6.3.9: SMMUEN after the tables). */
        bool cr0 = false, strtab = false;
        for (int pass = 0; pass < 3; pass++)
            for (int i = 0; i < nregs; i++) {
                uint32_t off = regs[i].r->off;
                int p = off == SMMU_CR0 ? 2 : off == SMMU_GBPA ? 1 : 0;
                if (p != pass)
                    continue;
                uint64_t v = regs[i].v;
                if (off == SMMU_GBPA)
                    v |= GBPA_UPDATE;
                if (off == SMMU_CR0)
                    cr0 = true;
                if (off == SMMU_STRTAB_BASE)
                    strtab = true;
                vsmmu_mmio_write(sc.s, off, v, regs[i].r->size);
            }
        if (strtab && !cr0)
            vsmmu_mmio_write(sc.s, SMMU_CR0, CR0_SMMUEN, 4);
    }
    struct jw w;
    if (json) {
        jw_init(&w, stdout);
        jw_obj(&w, NULL);
    }
    struct vsmmu_result res;
    rc = xp_explain(sc.s, sc.m, &t, stdout, json ? &w : NULL, &res);
    if (json) {
        jw_end_obj(&w);
        jw_done(&w);
    }
    scn_free(&sc);
    if (scn_status)
        return scn_status;   /* explained, but the scenario itself failed */
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
