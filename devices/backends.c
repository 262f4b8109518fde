/* SPDX-License-Identifier: MIT */
#include "config.h"
#include "endpoint.h"

extern const struct vw_endpoint_ops vw_serial_pty_ops;
extern const struct vw_endpoint_ops vw_serial_cuse_ops;
extern const struct vw_endpoint_ops vw_serial_device_ops;
extern const struct vw_endpoint_ops vw_loopback_ops;
extern const struct vw_endpoint_ops vw_socket_ops;
extern const struct vw_endpoint_ops vw_file_ops;
extern const struct vw_endpoint_ops vw_net_tun_ops;
extern const struct vw_endpoint_ops vw_audio_ops;
#if HAVE_SNDFILE
extern const struct vw_endpoint_ops vw_file_wav_ops;
extern const struct vw_endpoint_ops vw_file_flac_ops;
#endif
#if HAVE_UINPUT
extern const struct vw_endpoint_ops vw_input_uinput_ops;
#endif

/*
 * For `backend = auto` the first available backend of a kind wins, so the better one comes
 * first; with no `backend` key the default is the pty (it works everywhere).
 */
const struct vw_endpoint_ops *const vw_backends[] = {
#if HAVE_CUSE
        &vw_serial_cuse_ops,
#endif
        &vw_serial_pty_ops,
        &vw_serial_device_ops,
        &vw_loopback_ops,
        &vw_socket_ops,
        &vw_file_ops,
        &vw_net_tun_ops,
#if HAVE_SNDFILE
        &vw_file_wav_ops,
        &vw_file_flac_ops,
#endif
        &vw_audio_ops,
#if HAVE_UINPUT
        &vw_input_uinput_ops,
#endif
        NULL,
};
