/* SPDX-License-Identifier: MIT */
/*
 * vwired: parse arguments, build the manager, run the loop, free it.
 * Exit status: 0 clean stop or valid config (--check), 1 error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "log.h"
#include "control.h"
#include "manager.h"

static void help(void)
{
        printf("Usage: vwired [OPTIONS]\n\n"
               "Virtual serial ports, input devices and loopback endpoints, routed through one buffer core.\n\n"
               "  -c, --config FILE        read FILE instead of the default vwire.conf and vwire.conf.d/*.conf\n"
               "      --check              validate the configuration and exit (non-zero on any error)\n"
               "  -s, --control-socket PATH listen for vwirectl on PATH\n"
               "      --runtime-dir DIR    keep state (control socket, pid file, owned-paths) in DIR\n"
               "  -l, --log-level LEVEL    error, warning, notice, info (default) or debug\n"
               "  -v, --verbose            same as --log-level debug\n"
               "  -h, --help               show this help\n"
               "      --version            show the version\n\n"
               "Defaults: root reads /etc/vwire/vwire.conf and uses /run/vwire; anyone else uses\n"
               "$XDG_RUNTIME_DIR/vwire for both. See vwired(8) and vwire.conf(5).\n");
}

int main(int argc, char **argv)
{
        enum { ARG_CHECK = 0x100, ARG_VERSION, ARG_RUNTIME_DIR };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "check", no_argument, NULL, ARG_CHECK },
                { "control-socket", required_argument, NULL, 's' },
                { "runtime-dir", required_argument, NULL, ARG_RUNTIME_DIR },
                { "log-level", required_argument, NULL, 'l' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        struct vw_manager_options opts = {};
        _cleanup_(vw_manager_freep) struct vw_manager *m = NULL;
        struct vw_control *control = NULL;
        int n_fds;
        bool check = false;
        int c, r;

        vw_log_set_ident("vwired");
        while ((c = getopt_long(argc, argv, "c:s:l:vh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        opts.config_file = optarg;
                        break;
                case ARG_CHECK:
                        check = true;
                        break;
                case 's':
                        opts.control_socket = optarg;
                        break;
                case ARG_RUNTIME_DIR:
                        opts.runtime_dir = optarg;
                        break;
                case 'l':
                        r = vw_log_level_from_string(optarg);
                        if (r < 0) {
                                fprintf(stderr, "vwired: unknown log level '%s'\n", optarg);
                                return 2;
                        }
                        vw_log_set_level(r);
                        opts.log_level_set = true;
                        break;
                case 'v':
                        vw_log_set_level(LOG_DEBUG);
                        opts.log_level_set = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("vwired %s (protocol %d)\n", VWIRE_VERSION, VWIRE_PROTOCOL);
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "vwired: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }
        if (check)
                return vw_config_check(&opts) < 0 ? 1 : 0;

        /* Every PTY port holds two fds: allow as many as the hard limit permits. */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }

        r = vw_manager_new(&opts, &m);
        if (r < 0)
                goto fail;
        r = vw_manager_start(m);
        if (r < 0)
                goto fail;
        /* Socket activation: one listening unix socket from vwired.socket. */
        n_fds = sd_listen_fds(true);
        r = vw_control_new(m, vw_manager_control_path(m), n_fds == 1 ? SD_LISTEN_FDS_START : -1, &control);
        if (r < 0)
                goto fail;
        vw_manager_set_hooks(m, &(struct vw_manager_hooks){
                                        .tap = vw_control_tap_hook,
                                        .object_gone = vw_control_object_gone_hook,
                                        .ready = vw_control_ready_hook,
                                        .userdata = control,
                                });
        r = vw_manager_create_objects(m);
        if (r < 0)
                goto fail;
        r = vw_manager_run(m);
        if (r < 0)
                goto fail;
        vw_manager_set_hooks(m, NULL);
        vw_control_free(control);
        log_info("stopped");
        return 0;
fail:
        vw_manager_set_hooks(m, NULL);
        vw_control_free(control);
        (void)sd_notifyf(false, "STATUS=Failed to start: %s\nERRNO=%d", strerror(-r), -r);
        return 1;
}
