#include "server/client_socket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

namespace ragrt::server {
namespace {

// "address", port of a socket address (IPv4 or IPv6); false for other families.
bool describe(const sockaddr_storage& addr, std::string& host, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    if (!inet_ntop(AF_INET, &a.sin_addr, text, sizeof text)) return false;
    port = ntohs(a.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    if (!inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text)) return false;
    port = ntohs(a.sin6_port);
  } else {
    return false;
  }
  host = text;
  return true;
}

}  // namespace

int find_client_socket(const httplib::Request& req) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    char* end = nullptr;
    const long fd = std::strtol(entry.path().filename().c_str(), &end, 10);
    if (*end != '\0' || fd < 0) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0) continue;
    std::string peer_host, local_host;
    int peer_port = -1, local_port = -1;
    if (!describe(peer, peer_host, peer_port) || !describe(local, local_host, local_port)) continue;
    if (peer_host == req.remote_addr && peer_port == req.remote_port && local_host == req.local_addr &&
        local_port == req.local_port) {
      return static_cast<int>(fd);
    }
  }
  return -1;
}

bool peer_closed(int fd) {
  char byte;
  const ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;  // the peer shut the connection down
  if (n > 0) return false;  // a request waiting behind this one
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace ragrt::server
