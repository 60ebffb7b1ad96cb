/* SPDX-License-Identifier: MIT */
/* Scenario statements: commands, CMD_SYNC, Linux-style range invalidation,
 * accelerated mode, echo. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bits.h"
#include "scn_int.h"
#include "vsmmu/accel.h"

int st_cmd(struct scn *sc)
{
    const char *n = scn_pos(sc, 1);
    uint64_t c[2] = { 0, 0 };
    if (!n)
        return scn_perr(sc, "missing command NAME (e.g. CFGI_STE, TLBI_NH_VA, SYNC, raw)");
    if (cli_streq(n, "raw")) {
        if (scn_pos_num(sc, 2, "DW0", &c[0]) || scn_pos_num(sc, 3, "DW1", &c[1]))
            return -1;
    } else {
        int op = cli_cmd_opcode(n);
        uint64_t v;
        if (op < 0) {
            if (cli_parse_u64(n, &v) || v > 255)
                return scn_perr(sc, "unknown command '%s'", n);
            op = (int)v;
        }
        c[0] = (uint64_t)op;
        if (cli_streq(n, "CFGI_ALL") || cli_streq(n, "CMD_CFGI_ALL"))
            ft_setn(&ft_cmd, c, "Range", 31);   /* IHI0070 4.3.6: CFGI_ALL is Range=31 */
        for (int i = 2; i < sc->ntok; i++) {
            char *eq = strchr(sc->tok[i], '=');
            if (!eq)
                return scn_perr(sc, "expected FIELD=VALUE, got '%s'", sc->tok[i]);
            *eq = 0;
            const struct fdef *f = ft_find(&ft_cmd, sc->tok[i]);
            bool ok = f && ft_cmd_field_ok((unsigned)op, sc->tok[i]);
            *eq = '=';
            if (!ok) {
                const char *cn = cli_cmd_name((unsigned)op);
                *eq = 0;
                scn_perr(sc, "'%s' is not a field of %s", sc->tok[i], cn ? cn : "this command");
                *eq = '=';
                return -1;
            }
            if (scn_eval(sc, f->name, eq + 1, &v))
                return -1;
            if (ft_is_addr(f))   /* given as a byte address */
                v >>= __builtin_ctzll(f->mask);
            if (ft_set(f, c, v))
                return scn_perr(sc, "field '%s': value 0x%" PRIx64 " does not fit", f->name, v);
            sc->used[i] = true;
        }
    }
    if (scn_leftover(sc) || scn_need_init(sc))
        return -1;
    if (gd_cmd(&sc->g, c))
        return scn_ferr(sc, "%s", sc->g.err);
    return 0;
}

int st_sync(struct scn *sc)
{
    const char *e = scn_arg(sc, "expect");
    int code = 0;
    if (e && (code = cli_cerror_code(e)) <= 0)
        return scn_perr(sc, "field 'expect': expected CERROR_ILL, CERROR_ABT or CERROR_ATC_INV_SYNC");
    if (scn_leftover(sc) || scn_need_init(sc))
        return -1;
    int rc = gd_sync(&sc->g);
    if (rc < 0)
        return scn_ferr(sc, "%s", sc->g.err);
    if (!e) {
        if (rc > 0)
            return scn_ferr(sc, "%s", sc->g.err);
        return 0;
    }
    sc->checks++;
    if (rc != code)
        return scn_ferr(sc, "expected CERROR_%s, got %s%s", cli_cerror_name((unsigned)code),
                    rc ? "CERROR_" : "no command error", rc ? cli_cerror_name((unsigned)rc) : "");
    return 0;
}

int st_tlbi_range(struct scn *sc)
{
    struct gd_inv inv = { .granule = 4096, .pgshift = 12 };
    uint64_t stage = 1, asid = 0, vmid = 0, pgshift = 12;
    if (scn_opt_num(sc, "stage", &stage) || scn_opt_num(sc, "asid", &asid) || scn_opt_num(sc, "vmid", &vmid) ||
        scn_req_num(sc, "iova", &inv.iova) || scn_req_num(sc, "size", &inv.size) ||
        scn_opt_num(sc, "granule", &inv.granule) || scn_opt_num(sc, "pgshift", &pgshift))
        return -1;
    inv.leaf = scn_flag(sc, "leaf");
    bool nosync = scn_flag(sc, "nosync");
    if (stage != 1 && stage != 2)
        return scn_perr(sc, "field 'stage': must be 1 or 2");
    if (pgshift != 12 && pgshift != 14 && pgshift != 16)
        return scn_perr(sc, "field 'pgshift': must be 12, 14 or 16");
    if (!inv.granule || (inv.granule & (inv.granule - 1)) || inv.granule < (1ull << pgshift))
        return scn_perr(sc, "field 'granule': must be a power of two >= the page size");
    if (!inv.size)
        return scn_perr(sc, "field 'size': must not be 0");
    if (scn_range_check(sc, "asid", asid, 0xffff) || scn_range_check(sc, "vmid", vmid, 0xffff) ||
        scn_leftover(sc) || scn_need_init(sc))
        return -1;
    inv.opcode = stage == 1 ? 0x12 : 0x2A;
    inv.asid = (uint16_t)asid;
    inv.vmid = (uint16_t)vmid;
    inv.pgshift = (unsigned)pgshift;
    int n = gd_tlbi_range(&sc->g, &inv);
    if (n < 0)
        return scn_ferr(sc, "%s", sc->g.err);
    if (sc->verbose)
        fprintf(sc->out, "  tlbi-range: %d command(s)\n", n);
    if (!nosync && gd_sync(&sc->g))
        return scn_ferr(sc, "%s", sc->g.err);
    return 0;
}

/* accel soft | attach SID ... | detach SID | poll [expect=N] */
int st_accel(struct scn *sc)
{
    const char *what = scn_pos(sc, 1);
    char err[256];
    if (!what)
        return scn_perr(sc, "missing operation (soft, attach, detach or poll)");
    if (cli_streq(what, "soft")) {
        const char *prof = scn_arg(sc, "profile");
        uint64_t vmid = 1;
        if (scn_opt_num(sc, "vmid", &vmid) || scn_range_check(sc, "vmid", vmid, 0xffff) || scn_leftover(sc))
            return -1;
        if (sc->host)
            return scn_perr(sc, "the soft backend already exists");
        if (scn_instance(sc))
            return -1;
        struct vsmmu_config hc;
        if (vsmmu_config_profile(&hc, prof ? prof : "full-v3.2"))
            return scn_perr(sc, "field 'profile': unknown profile '%s'", prof);
        struct vsmmu_host_ops ops;
        kit_mem_ops(sc->m, &ops, true);
        if (vsmmu_create(&hc, &ops, &sc->host, err, sizeof(err)))
            return scn_ferr(sc, "cannot create the host SMMU: %s", err);
        /* The host stage 2 (nest parent): identity over the first 16 GiB, so
         * guest IPAs are host PAs in this model. */
        struct pt s2;
        unsigned ias = hc.oas_bits < 48 ? hc.oas_bits : 48;
        struct pt_attr a = { .r = true, .w = true, .attr = PT_ATTR_WB };
        if (pt_init(&s2, sc->m, &sc->pool[0].p, 2, 12, ias, err, sizeof(err)) ||
            pt_map(&s2, 0, 0, 16ull << 30, 1ull << 30, &a, err, sizeof(err)))
            return scn_ferr(sc, "host stage 2: %s", err);
        uint64_t len = vsmmu_soft_mem_size(sc->host), pa;
        if (pool_alloc(sc->m, &sc->pool[0].p, len, 1u << 16, &pa))
            return scn_ferr(sc, "out of memory for the soft backend (%" PRIu64 " bytes)", len);
        struct vsmmu_soft_cfg c = {
            .host = sc->host, .mem_pa = pa, .mem_len = len, .mem = kit_mem_ptr(sc->m, pa, len),
            .s2_ttb = pt_ttb(&s2), .s2_t0sz = 64 - s2.ias, .s2_sl0 = pt_sl0(&s2),
            .s2_granule = 12, .s2_ps = ps_enc(hc.oas_bits), .vmid = (uint16_t)vmid,
        };
        struct vsmmu_accel_backend *be;
        if (vsmmu_soft_backend_new(&c, &be, err, sizeof(err)))
            return scn_ferr(sc, "soft backend: %s", err);
        int idx = vsmmu_accel_add_backend(sc->s, be);
        if (idx < 0)
            return scn_ferr(sc, "vsmmu_accel_add_backend: %s: %s", vsmmu_strerror(idx),
                        vsmmu_last_error(sc->s));
        sc->g.idr[0] = 0;   /* ID registers changed: probe again */
        return 0;
    }
    if (cli_streq(what, "attach") || cli_streq(what, "detach")) {
        uint64_t sid, hsid = 0;
        if (scn_pos_num(sc, 2, "SID", &sid) || scn_range_check(sc, "SID", sid, 0xffffffffu) ||
            scn_opt_num(sc, "host_sid", &hsid))
            return -1;
        const char *kind = scn_arg(sc, "kind"), *exp = scn_arg(sc, "expect");
        struct vsmmu_accel_dev dev = { .kind = VSMMU_ACCEL_DEV_PASSTHROUGH, .vsid = (uint32_t)sid,
                                       .host_id = hsid ? hsid : sid };
        if (kind) {
            if (cli_streq(kind, "passthrough")) dev.kind = VSMMU_ACCEL_DEV_PASSTHROUGH;
            else if (cli_streq(kind, "bridge")) dev.kind = VSMMU_ACCEL_DEV_BRIDGE;
            else if (cli_streq(kind, "root-port")) dev.kind = VSMMU_ACCEL_DEV_ROOT_PORT;
            else if (cli_streq(kind, "emulated")) dev.kind = VSMMU_ACCEL_DEV_EMULATED;
            else return scn_perr(sc, "field 'kind': expected passthrough, bridge, root-port or emulated");
        }
        if (scn_leftover(sc))
            return -1;
        if (!sc->host)
            return scn_perr(sc, "needs 'accel soft' first");
        int rc = cli_streq(what, "attach") ? vsmmu_accel_attach(sc->s, &dev)
                                           : vsmmu_accel_detach(sc->s, dev.vsid);
        static const struct { const char *n; int code; } codes[] = {
            { "OK", VSMMU_OK }, { "EINVAL", VSMMU_EINVAL }, { "ENOMEM", VSMMU_ENOMEM },
            { "ERANGE", VSMMU_ERANGE }, { "EUNSUPPORTED", VSMMU_EUNSUPPORTED },
            { "EBUSY", VSMMU_EBUSY }, { "EBACKEND", VSMMU_EBACKEND }, { "ENOENT", VSMMU_ENOENT },
        };
        int want = 0;
        if (exp) {
            const char *en = !strncasecmp(exp, "VSMMU_", 6) ? exp + 6 : exp;
            want = 1;
            for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
                if (cli_streq(codes[i].n, en))
                    want = codes[i].code;
            if (want == 1)
                return scn_perr(sc, "field 'expect': unknown status '%s' (OK, EINVAL, EUNSUPPORTED, "
                                "EBUSY, EBACKEND, ...)", exp);
            sc->checks++;
        }
        if (rc != want)
            return scn_ferr(sc, "%s: expected %s, got %s (%s)", what, exp ? exp : "OK",
                        rc ? vsmmu_strerror(rc) : "OK", rc ? vsmmu_last_error(sc->s) : "no error");
        return 0;
    }
    if (cli_streq(what, "poll")) {
        uint64_t want = 0;
        const char *e = scn_arg(sc, "expect");
        if ((e && scn_eval(sc, "expect", e, &want)) || scn_leftover(sc))
            return -1;
        if (!sc->host)
            return scn_perr(sc, "needs 'accel soft' first");
        int n = vsmmu_accel_poll(sc->s);
        if (n < 0)
            return scn_ferr(sc, "vsmmu_accel_poll: %s: %s", vsmmu_strerror(n), vsmmu_last_error(sc->s));
        sc->checks += e != NULL;
        if (e && (uint64_t)n != want)
            return scn_ferr(sc, "poll: expected %" PRIu64 " events injected, got %d", want, n);
        return 0;
    }
    return scn_perr(sc, "unknown operation '%s' (soft, attach, detach or poll)", what);
}

int st_echo(struct scn *sc)
{
    for (int i = 1; i < sc->ntok; i++) {
        sc->used[i] = true;
        if (!sc->quiet)
            fprintf(sc->out, "%s%s", i > 1 ? " " : "", sc->tok[i]);
    }
    if (!sc->quiet)
        fputc('\n', sc->out);
    return 0;
}

