#include "text/vocab_map.h"

namespace ragrt::text {

void VocabMap::insert(std::string token, int32_t id) {
  max_len_ = std::max(max_len_, token.size());
  if (id >= 0) {
    if (static_cast<size_t>(id) >= by_id_.size()) {
      by_id_.resize(static_cast<size_t>(id) + 1);
      has_id_.resize(static_cast<size_t>(id) + 1, false);
    }
    by_id_[id] = token;
    has_id_[id] = true;
  }
  map_[std::move(token)] = id;
}

VocabMap VocabMap::from_json(const nlohmann::json& vocab, const JsonPath& at) {
  if (!vocab.is_object()) json_fail(at, "must be an object mapping tokens to ids");
  VocabMap m;
  m.map_.reserve(vocab.size());
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) json_fail(at.field(it.key()), "must be an integer id");
    int64_t id = it.value().get<int64_t>();
    if (id < 0 || id > INT32_MAX - 1) json_fail(at.field(it.key()), "id {} is out of range", id);
    if (id > static_cast<int64_t>(vocab.size()) * 4 + 1000000)
      json_fail(at.field(it.key()), "id {} is far beyond the vocabulary size {}", id, vocab.size());
    m.insert(it.key(), static_cast<int32_t>(id));
  }
  return m;
}

}  // namespace ragrt::text
