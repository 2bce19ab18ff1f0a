#include "tools/host_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "ragrt/error.h"

namespace ragrt::tools {

namespace {

std::string normalize(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool host_chars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

bool internal_v4(const unsigned char* a) {
  const unsigned b0 = a[0], b1 = a[1], b2 = a[2];
  return b0 == 0 || b0 == 10 || b0 == 127 || b0 >= 224 ||  // this network, private, loopback, multicast + reserved
         (b0 == 100 && (b1 & 0xC0) == 64) ||                 // 100.64/10 carrier-grade NAT
         (b0 == 169 && b1 == 254) ||                         // link-local (cloud metadata lives here)
         (b0 == 172 && (b1 & 0xF0) == 16) ||                 // 172.16/12
         (b0 == 192 && b1 == 168) ||                         // 192.168/16
         (b0 == 192 && b1 == 0 && b2 == 0) ||                // 192.0.0/24 protocol assignments
         (b0 == 198 && (b1 & 0xFE) == 18);                   // 198.18/15 benchmarking
}

}  // namespace

HostPolicy::HostPolicy(const std::vector<std::string>& allow_hosts) {
  for (const std::string& entry : allow_hosts) {
    if (auto ip = parse_ip(entry)) {
      addresses_.push_back(*ip);
      continue;
    }
    const std::string host = normalize(entry);
    if (host.starts_with("*.") && host_chars(host.substr(2)) && host.find('*', 1) == std::string::npos) {
      suffixes_.push_back(host.substr(1));
    } else if (host_chars(host)) {
      names_.push_back(host);
    } else {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "'{}' is not a host name, \"*.domain\" or IP address (no schemes, ports or paths)", entry);
    }
  }
}

bool HostPolicy::host_allowed(std::string_view host) const {
  if (auto ip = parse_ip(host)) return std::find(addresses_.begin(), addresses_.end(), *ip) != addresses_.end();
  const std::string h = normalize(host);
  if (std::find(names_.begin(), names_.end(), h) != names_.end()) return true;
  return std::any_of(suffixes_.begin(), suffixes_.end(), [&](const std::string& s) { return h.size() > s.size() && h.ends_with(s); });
}

bool HostPolicy::address_allowed(const Address& address) const {
  return !is_internal(address) || std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end();
}

std::optional<HostPolicy::Address> HostPolicy::parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  const std::string s(text);
  Address a{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a[10] = a[11] = 0xFF;
    std::memcpy(&a[12], &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return a;
  return std::nullopt;
}

std::optional<HostPolicy::Address> HostPolicy::from_sockaddr(const sockaddr* addr) {
  Address a{};
  if (addr->sa_family == AF_INET) {
    a[10] = a[11] = 0xFF;
    std::memcpy(&a[12], &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, 4);
    return a;
  }
  if (addr->sa_family == AF_INET6) {
    std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, 16);
    return a;
  }
  return std::nullopt;
}

bool HostPolicy::is_internal(const Address& a) {
  auto zeros = [&](size_t from, size_t to) { return std::all_of(a.begin() + from, a.begin() + to, [](unsigned char b) { return b == 0; }); };
  if (zeros(0, 10) && a[10] == 0xFF && a[11] == 0xFF) return internal_v4(&a[12]);  // IPv4-mapped (and plain IPv4)
  if (zeros(0, 12)) return true;  // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b};
  if (std::equal(a.begin(), a.begin() + 12, nat64)) return internal_v4(&a[12]);  // 64:ff9b::/96
  if (a[0] == 0x20 && a[1] == 0x02) return internal_v4(&a[2]);                  // 6to4 2002::/16
  return (a[0] & 0xFE) == 0xFC ||                                                // unique-local fc00::/7
         (a[0] == 0xFE && (a[1] & 0xC0) == 0x80) ||                              // link-local fe80::/10
         (a[0] == 0xFE && (a[1] & 0xC0) == 0xC0) ||                              // site-local fec0::/10
         a[0] == 0xFF;                                                           // multicast
}

std::string HostPolicy::to_string(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (std::equal(a.begin(), a.begin() + 12, mapped)) {
    inet_ntop(AF_INET, &a[12], buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace ragrt::tools
