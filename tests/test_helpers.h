#pragma once
// Small helpers that tests of several concerns share.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"

namespace ragrt::testing {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The hash the golden generators store next to their inputs (FNV-1a, 64 bit, hex), so a stale
// golden file fails instead of passing against old inputs.
inline std::string fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

// Runs `fn`, expecting a ragrt::Error of `kind`; returns its message ("" and a test failure when
// nothing or something else is thrown).
template <typename Fn>
std::string error_of(Fn&& fn, ErrorKind kind) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(static_cast<int>(e.kind()), static_cast<int>(kind)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no ragrt::Error thrown";
  return {};
}

struct CliResult {
  int status = -1;  // as pclose returns it: 0 on success
  std::string out;  // stdout only
};

// Runs the ragrt CLI with `args` (already shell-quoted), stdout captured; stderr discarded, or
// captured after stdout's text when `with_stderr` (to check error messages). `env`: shell
// assignments put before the command ("NAME=value ").
inline CliResult run_cli_env(const std::string& env, const std::string& args, bool with_stderr = false) {
  std::string cmd = env + std::string(RAGRT_CLI_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  r.status = pclose(p);
  return r;
}

inline CliResult run_cli(const std::string& args, bool with_stderr = false) { return run_cli_env("", args, with_stderr); }

// Single-quotes `s` for the shell.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A loopback port that was free a moment ago (bound, then released without listening): connecting
// to it is refused at once.
inline int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace ragrt::testing
