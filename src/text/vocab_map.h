#pragma once
// token string -> id lookup that accepts string_views without allocating, plus the reverse table.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/json_fields.h"

namespace ragrt::text {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class VocabMap {
 public:
  void insert(std::string token, int32_t id);
  std::optional<int32_t> find(std::string_view token) const {
    auto it = map_.find(token);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= by_id_.size() || !has_id_[id]) return std::nullopt;
    return by_id_[id];
  }
  size_t size() const { return map_.size(); }
  size_t max_token_bytes() const { return max_len_; }

  // Reads a {"token": id, ...} object.
  static VocabMap from_json(const nlohmann::json& vocab, const JsonPath& at);

 private:
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> map_;
  std::vector<std::string> by_id_;
  std::vector<bool> has_id_;
  size_t max_len_ = 0;
};

}  // namespace ragrt::text
