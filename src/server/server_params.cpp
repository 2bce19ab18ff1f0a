// ServerParams::from_config: the `server:` section of a ragrt config (see include/ragrt/server.h).
#include <cctype>

#include <fmt/format.h>

#include "ragrt/server.h"
#include "ragrt/yaml_reader.h"
#include "server/key_ring.h"

namespace ragrt {
namespace {

std::chrono::milliseconds seconds(const config::YamlReader& r, const YAML::Node& n, const std::string& key) {
  const double s = r.number(n, key);
  if (!(s > 0)) r.fail(n, key, "must be more than 0 seconds");
  return std::chrono::milliseconds(static_cast<long long>(s * 1000));
}

std::array<unsigned char, 32> read_hash(const config::YamlReader& r, const YAML::Node& n, const std::string& key) {
  const std::string hex = r.string(n, key);
  auto nibble = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10; };
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  if (!ok)
    r.fail(n, key, "expected the 64 hex digits of the key's SHA-256 (`ragrt serve --hash-key KEY` prints them), not the key itself");
  std::array<unsigned char, 32> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<unsigned char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view token) {
  std::string out;
  for (unsigned char b : server::sha256_digest(token)) out += fmt::format("{:02x}", b);
  return out;
}

ServerParams ServerParams::from_config(const RagConfig& config) {
  ServerParams p;
  const YAML::Node& s = config.server;
  if (!s || s.IsNull()) return p;
  std::filesystem::path base = config.file.parent_path();
  config::YamlReader r(config.file, base.empty() ? "." : base);
  r.only_keys(s, "server", {"host", "port", "api_keys", "max_body_bytes", "max_upload_bytes", "max_messages", "max_prompt_tokens", "max_concurrent", "max_queue",
                            "request_timeout_s", "drain_timeout_s"});
  if (s["host"]) p.host = r.string(s["host"], "server.host");
  if (s["port"]) {
    p.port = static_cast<int>(r.count(s["port"], "server.port"));
    if (p.port > 65535) r.fail(s["port"], "server.port", "must be at most 65535");
  }
  if (s["max_body_bytes"]) p.max_body_bytes = r.count(s["max_body_bytes"], "server.max_body_bytes", 1);
  if (s["max_upload_bytes"]) p.max_upload_bytes = r.count(s["max_upload_bytes"], "server.max_upload_bytes", 1);
  if (s["max_messages"]) p.max_messages = r.count(s["max_messages"], "server.max_messages", 1);
  if (s["max_prompt_tokens"]) p.max_prompt_tokens = r.count(s["max_prompt_tokens"], "server.max_prompt_tokens", 1);
  if (s["max_concurrent"]) p.max_concurrent = r.count(s["max_concurrent"], "server.max_concurrent", 1);
  if (s["max_queue"]) p.max_queue = r.count(s["max_queue"], "server.max_queue");
  if (s["request_timeout_s"]) p.request_timeout = seconds(r, s["request_timeout_s"], "server.request_timeout_s");
  if (s["drain_timeout_s"]) p.drain_timeout = seconds(r, s["drain_timeout_s"], "server.drain_timeout_s");
  if (const YAML::Node& keys = s["api_keys"]) {
    if (!keys.IsSequence()) r.fail(keys, "server.api_keys", "expected a list of {name, sha256} entries");
    for (size_t i = 0; i < keys.size(); ++i) {
      const std::string key = fmt::format("server.api_keys[{}]", i);
      const YAML::Node& k = keys[i];
      r.only_keys(k, key, {"name", "sha256", "requests_per_minute", "max_concurrent_streams", "models"});
      ApiKey a;
      if (!k["name"]) r.fail(k, key + ".name", "missing: a name for logs and metrics");
      a.name = r.string(k["name"], key + ".name");
      if (!k["sha256"]) r.fail(k, key + ".sha256", "missing: the SHA-256 of the key (`ragrt serve --hash-key KEY`)");
      a.sha256 = read_hash(r, k["sha256"], key + ".sha256");
      for (const ApiKey& other : p.api_keys) {
        if (other.name == a.name) r.fail(k["name"], key + ".name", fmt::format("'{}' is used by another key", a.name));
        if (other.sha256 == a.sha256) r.fail(k["sha256"], key + ".sha256", fmt::format("same hash as key '{}'", other.name));
      }
      if (k["requests_per_minute"])
        a.requests_per_minute = r.count(k["requests_per_minute"], key + ".requests_per_minute", 1);
      if (k["max_concurrent_streams"])
        a.max_concurrent_streams = r.count(k["max_concurrent_streams"], key + ".max_concurrent_streams", 1);
      if (k["models"]) a.models = r.strings(k["models"], key + ".models");
      p.api_keys.push_back(std::move(a));
    }
  }
  return p;
}

}  // namespace ragrt
