#pragma once
// API keys and their per-key limits. Tokens are never stored: a request's Bearer token is hashed
// and compared with every configured hash in constant time, so neither a leaked config nor
// response timing gives a key away.
#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ragrt/server.h"

namespace ragrt::server {

class KeyRing {
 public:
  // `previous`: the ring this one replaces when the config is reloaded. A key it also had (same
  // name and hash) keeps its request budget and its open streams.
  explicit KeyRing(std::vector<ApiKey> keys, const KeyRing* previous = nullptr);
  bool open() const { return keys_.empty(); }  // no keys configured: every request is let in

  // The key an `Authorization: Bearer TOKEN` header names; nullopt when missing or unknown.
  std::optional<size_t> authenticate(const std::string& authorization) const;
  const ApiKey& key(size_t index) const { return keys_[index]; }

  // Takes one request from the key's per-minute budget (a token bucket refilled continuously, so
  // a burst of up to requests_per_minute is allowed); false when it is spent.
  bool take_request(size_t index);
  // Counts a streaming request against max_concurrent_streams; false when at the limit.
  bool begin_stream(size_t index);
  void end_stream(size_t index);

 private:
  struct State {
    std::mutex mutex;
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
    size_t streams = 0;
  };
  std::vector<ApiKey> keys_;
  std::vector<std::shared_ptr<State>> state_;  // shared with the ring before and after a reload
};

std::array<unsigned char, 32> sha256_digest(std::string_view bytes);

// "Bearer TOKEN" -> "TOKEN" (scheme case-insensitive); "" when the header is not a bearer token.
std::string bearer_token(const std::string& authorization);

}  // namespace ragrt::server
