#include <stddef.h>
#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

/* One turn of the event loop that Debian 12's c-ares (1.18, no event thread) needs from its user: wait on the
 * channel's sockets for at most `wait_cap_ms` (less when c-ares has a timeout due sooner), then let c-ares read,
 * write and expire what is ready. Returns the number of sockets c-ares was waiting on. */
static inline int mailatlas_ares_turn(ares_channel channel, int wait_cap_ms) {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
    struct pollfd fds[ARES_GETSOCK_MAXNUM];
    int n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events) {
            fds[n].fd = socks[i];
            fds[n].events = events;
            fds[n].revents = 0;
            n++;
        }
    }
    if (wait_cap_ms < 0) wait_cap_ms = 0;
    struct timeval cap = {wait_cap_ms / 1000, (wait_cap_ms % 1000) * 1000};
    struct timeval tv;
    struct timeval *t = ares_timeout(channel, &cap, &tv);
    int ms = (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000);
    int ready = poll(n ? fds : NULL, (nfds_t)n, ms);
    if (ready <= 0) {
        ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        return n;
    }
    for (int i = 0; i < n; i++) {
        ares_socket_t r = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t w = (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD;
        if (r != ARES_SOCKET_BAD || w != ARES_SOCKET_BAD) ares_process_fd(channel, r, w);
    }
    return n;
}

/* The text form of an address c-ares returned (IPv4 or IPv6); 0 when the family is neither. */
static inline int mailatlas_ares_ntop(const struct sockaddr *sa, char *out, socklen_t size) {
    if (sa->sa_family == AF_INET) {
        return inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, size) != NULL;
    }
    if (sa->sa_family == AF_INET6) {
        return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, size) != NULL;
    }
    return 0;
}
