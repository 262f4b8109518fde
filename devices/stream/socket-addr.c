/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "socket-addr.h"

static int resolve_unix(const char *path, struct vw_addr_list *ret)
{
        struct sockaddr_un *un = &ret->a[0].sa.un;
        size_t len = strlen(path);

        if (len >= sizeof(un->sun_path))
                return -ENAMETOOLONG;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, path, len);
        if (path[0] == '@') {
                un->sun_path[0] = 0; /* abstract: no file, and the name has no terminating NUL */
                ret->a[0].len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
        } else {
                ret->a[0].len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
        }
        ret->n = 1;
        return 0;
}

bool vw_address_is_numeric(const struct vw_address *a)
{
        struct in6_addr buf;

        if (a->family == VW_ADDR_UNIX)
                return true;
        return streq(a->host, "*") || inet_pton(AF_INET, a->host, &buf) == 1 || inet_pton(AF_INET6, a->host, &buf) == 1;
}

int vw_address_resolve_numeric(const struct vw_address *a, bool passive, struct vw_addr_list *ret, const char **why)
{
        /* AI_NUMERICHOST: getaddrinfo() never asks a name service, so it cannot block */
        struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST };
        struct addrinfo *res = NULL;
        char port[8];
        int r;

        *ret = (struct vw_addr_list){};
        if (why)
                *why = NULL;
        if (a->family == VW_ADDR_UNIX)
                return resolve_unix(a->path, ret);
        if (passive)
                hints.ai_flags |= AI_PASSIVE;
        snprintf(port, sizeof(port), "%u", a->port);
        r = getaddrinfo(streq(a->host, "*") ? NULL : a->host, port, &hints, &res);
        if (r != 0) {
                if (why && r != EAI_SYSTEM)
                        *why = gai_strerror(r);
                return r == EAI_SYSTEM ? -errno : r == EAI_MEMORY ? -ENOMEM : r == EAI_AGAIN ? -EAGAIN : -EADDRNOTAVAIL;
        }
        for (struct addrinfo *i = res; i && ret->n < VW_SOCKET_MAX_ADDRS; i = i->ai_next) {
                if (i->ai_addrlen > sizeof(ret->a[0].sa))
                        continue;
                memcpy(&ret->a[ret->n].sa, i->ai_addr, i->ai_addrlen);
                ret->a[ret->n++].len = i->ai_addrlen;
        }
        freeaddrinfo(res);
        return ret->n > 0 ? 0 : -EADDRNOTAVAIL;
}

void vw_sockaddr_peer_to_string(int fd, const union vw_sockaddr *sa, char *buf, size_t size)
{
        char host[INET6_ADDRSTRLEN] = "?";
        struct ucred cred;
        socklen_t len = sizeof(cred);

        switch (sa->sa.sa_family) {
        case AF_INET:
                inet_ntop(AF_INET, &sa->in.sin_addr, host, sizeof(host));
                snprintf(buf, size, "%s:%u", host, ntohs(sa->in.sin_port));
                break;
        case AF_INET6:
                inet_ntop(AF_INET6, &sa->in6.sin6_addr, host, sizeof(host));
                snprintf(buf, size, "[%s]:%u", host, ntohs(sa->in6.sin6_port));
                break;
        case AF_UNIX:
                if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
                        snprintf(buf, size, "pid %d uid %u", (int)cred.pid, (unsigned)cred.uid);
                else
                        snprintf(buf, size, "unix peer");
                break;
        default:
                snprintf(buf, size, "peer of family %d", sa->sa.sa_family);
        }
}

bool vw_unix_socket_is_dead(const union vw_sockaddr *sa, socklen_t len)
{
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        bool dead;

        if (fd < 0)
                return false;
        dead = connect(fd, &sa->sa, len) < 0 && errno == ECONNREFUSED;
        safe_close(fd);
        return dead;
}
