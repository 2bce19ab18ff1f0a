#include "server/key_ring.h"

#include <algorithm>
#include <cctype>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace ragrt::server {

std::array<unsigned char, 32> sha256_digest(std::string_view bytes) {
  static_assert(SHA256_DIGEST_LENGTH == 32);
  std::array<unsigned char, 32> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  return digest;
}

std::string bearer_token(const std::string& authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) return {};
  const size_t start = authorization.find_first_not_of(' ', kScheme.size());
  const size_t end = authorization.find_last_not_of(" \t");
  return start == std::string::npos ? std::string() : authorization.substr(start, end + 1 - start);
}

KeyRing::KeyRing(std::vector<ApiKey> keys) : keys_(std::move(keys)), state_(keys_.size()) {
  const auto now = std::chrono::steady_clock::now();
  for (size_t i = 0; i < keys_.size(); ++i) {
    state_[i].refilled = now;
    state_[i].tokens = static_cast<double>(keys_[i].requests_per_minute.value_or(0));
  }
}

std::optional<size_t> KeyRing::authenticate(const std::string& authorization) const {
  const std::string token = bearer_token(authorization);
  if (token.empty()) return std::nullopt;
  const auto digest = sha256_digest(token);
  // Every key is compared, whichever matches, so timing does not tell which one did.
  std::optional<size_t> found;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (CRYPTO_memcmp(digest.data(), keys_[i].sha256.data(), digest.size()) == 0) found = i;
  }
  return found;
}

bool KeyRing::take_request(size_t index) {
  const auto& limit = keys_[index].requests_per_minute;
  if (!limit) return true;
  std::lock_guard lock(mutex_);
  State& s = state_[index];
  const auto now = std::chrono::steady_clock::now();
  const double minutes = std::chrono::duration<double>(now - s.refilled).count() / 60.0;
  s.tokens = std::min(static_cast<double>(*limit), s.tokens + minutes * static_cast<double>(*limit));
  s.refilled = now;
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

bool KeyRing::begin_stream(size_t index) {
  std::lock_guard lock(mutex_);
  const auto& limit = keys_[index].max_concurrent_streams;
  if (limit && state_[index].streams >= *limit) return false;
  ++state_[index].streams;
  return true;
}

void KeyRing::end_stream(size_t index) {
  std::lock_guard lock(mutex_);
  --state_[index].streams;
}

}  // namespace ragrt::server
