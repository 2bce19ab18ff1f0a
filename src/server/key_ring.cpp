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

KeyRing::KeyRing(std::vector<ApiKey> keys, const KeyRing* previous) : keys_(std::move(keys)) {
  const auto now = std::chrono::steady_clock::now();
  for (const ApiKey& key : keys_) {
    std::shared_ptr<State> state;
    for (size_t j = 0; previous && j < previous->keys_.size() && !state; ++j) {
      const ApiKey& old = previous->keys_[j];
      if (old.name == key.name && old.sha256 == key.sha256) state = previous->state_[j];
    }
    if (!state) {
      state = std::make_shared<State>();
      state->refilled = now;
      state->tokens = static_cast<double>(key.requests_per_minute.value_or(0));
    }
    state_.push_back(std::move(state));
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
  State& s = *state_[index];
  std::lock_guard lock(s.mutex);
  const auto now = std::chrono::steady_clock::now();
  const double minutes = std::chrono::duration<double>(now - s.refilled).count() / 60.0;
  s.tokens = std::min(static_cast<double>(*limit), s.tokens + minutes * static_cast<double>(*limit));
  s.refilled = now;
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

bool KeyRing::begin_stream(size_t index) {
  State& s = *state_[index];
  std::lock_guard lock(s.mutex);
  const auto& limit = keys_[index].max_concurrent_streams;
  if (limit && s.streams >= *limit) return false;
  ++s.streams;
  return true;
}

void KeyRing::end_stream(size_t index) {
  State& s = *state_[index];
  std::lock_guard lock(s.mutex);
  --s.streams;
}

}  // namespace ragrt::server
