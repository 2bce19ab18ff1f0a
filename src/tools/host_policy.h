#pragma once
// Where the `http` tool may connect: its allow_hosts list, checked against the URL's host before
// every request (redirects included), and against the address actually connected to, at connect
// time (so a name that resolves, or re-resolves, to an internal address cannot reach it).
//
// Entries: exact host names ("api.example.com", case-insensitive), "*.example.com" for any
// subdomain (not example.com itself), and IP literals ("10.0.0.5", "::1", "[::1]").
//
// The address rule: loopback, private (RFC 1918), carrier-grade NAT, link-local, unique-local,
// site-local, multicast, reserved and unspecified addresses (IPv4 and IPv6, IPv4-mapped,
// IPv4-compatible, NAT64 and 6to4 forms judged by their IPv4 address) are refused unless that very
// IP literal is on allow_hosts. A host name never vouches for the address it resolves to, not even
// "localhost": DNS is outside the config's control, the IP literal is not. To call an internal
// service by name, list both its name and its address.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sockaddr;

namespace ragrt::tools {

class HostPolicy {
 public:
  using Address = std::array<unsigned char, 16>;  // IPv6, IPv4 as ::ffff:a.b.c.d

  // Throws ragrt::Error (kInvalidArgument) naming a malformed entry.
  explicit HostPolicy(const std::vector<std::string>& allow_hosts);

  // `host` as in a URL: brackets around IPv6 literals and a trailing dot are ignored.
  bool host_allowed(std::string_view host) const;
  bool address_allowed(const Address& address) const;

  static std::optional<Address> parse_ip(std::string_view text);
  static std::optional<Address> from_sockaddr(const sockaddr* addr);
  static bool is_internal(const Address& address);
  static std::string to_string(const Address& address);

 private:
  std::vector<std::string> names_;     // lower case
  std::vector<std::string> suffixes_;  // ".example.com" for "*.example.com"
  std::vector<Address> addresses_;
};

}  // namespace ragrt::tools
