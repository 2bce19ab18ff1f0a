// Redactor: secrets by value (what ${ENV} expanded to) and by key name (credential-looking keys).
#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "ragrt/trace.h"

namespace ragrt {
namespace {

constexpr std::string_view kRedacted = "[redacted]";

// Lower-cased words of a key: split at _ - . space and at camelCase humps ("accessToken" →
// access, token), so credential words match whole and "tokens" never matches "token".
std::vector<std::string> key_words(const std::string& key) {
  std::vector<std::string> words(1);
  for (size_t i = 0; i < key.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(key[i]);
    if (c == '_' || c == '-' || c == '.' || c == ' ') {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    const bool hump = std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(key[i - 1]));
    if (hump && !words.back().empty()) words.emplace_back();
    words.back() += static_cast<char>(std::tolower(c));
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

}  // namespace

bool Redactor::is_credential_key(const std::string& key) {
  static constexpr std::array<std::string_view, 10> kWords = {
      "authorization", "apikey", "password", "passwd", "secret", "secrets", "token", "cookie", "cookies", "credentials"};
  const std::vector<std::string> words = key_words(key);
  if (words.size() == 1 && words[0] == "key") return true;
  for (size_t i = 0; i < words.size(); ++i) {
    if (std::find(kWords.begin(), kWords.end(), words[i]) != kWords.end()) {
      // time_to_first_token_ms, token_count: a measurement of model tokens, not a credential.
      static constexpr std::array<std::string_view, 6> kMeasures = {"ms", "s", "count", "index", "position", "latency"};
      if (words[i] == "token" && i + 1 < words.size() &&
          std::find(kMeasures.begin(), kMeasures.end(), words[i + 1]) != kMeasures.end())
        continue;
      return true;
    }
    // api_key, access_key, private_key: a bare "key" after a word that makes it a credential.
    if (i > 0 && words[i] == "key" &&
        (words[i - 1] == "api" || words[i - 1] == "access" || words[i - 1] == "private"))
      return true;
  }
  return false;
}

Redactor& Redactor::global() {
  static Redactor instance;
  return instance;
}

void Redactor::add_secret(const std::string& value) {
  if (value.size() < 4) return;
  std::lock_guard lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  // Longest first, so a secret that contains another is replaced whole, not left half visible.
  auto at = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return s.size() < value.size(); });
  secrets_.insert(at, value);
}

std::string Redactor::redact(std::string text) const {
  std::lock_guard lock(mutex_);
  if (secrets_.empty()) return text;
  // One left-to-right pass: a replacement is never scanned again, so a secret that happens to
  // occur inside "[redacted]" cannot mangle it.
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < text.size();) {
    const std::string_view rest = std::string_view(text).substr(i);
    auto hit = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& s) { return rest.starts_with(s); });
    if (hit == secrets_.end()) {
      ++i;
      continue;
    }
    out.append(text, copied, i - copied);
    out += kRedacted;
    i += hit->size();
    copied = i;
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

nlohmann::ordered_json Redactor::redact(const nlohmann::ordered_json& value) const {
  if (value.is_string()) return redact(value.get<std::string>());
  if (value.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& v : value) out.push_back(redact(v));
    return out;
  }
  if (value.is_object()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& [k, v] : value.items()) out[redact(k)] = is_credential_key(k) ? nlohmann::ordered_json(kRedacted) : redact(v);
    return out;
  }
  return value;
}

}  // namespace ragrt
