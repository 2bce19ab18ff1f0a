#pragma once
// The connection a request came on, for noticing that its client left while a non-streaming
// answer is computed. cpp-httplib 0.11 (Debian bookworm's) does not hand handlers their socket,
// so it is found among the process's descriptors by its two addresses (Linux: /proc/self/fd).
#include <httplib.h>

namespace ragrt::server {

// The descriptor of `req`'s connection: the socket whose peer is req.remote_addr:remote_port and
// whose own address is req.local_addr:local_port. -1 when none is found (no /proc, or another
// transport).
int find_client_socket(const httplib::Request& req);

// True once the peer has closed the connection or reset it. Bytes waiting to be read (a pipelined
// next request) are not a close. Does not block.
bool peer_closed(int fd);

}  // namespace ragrt::server
