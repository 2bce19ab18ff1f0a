#include "text/pre_tokenized_string.h"

namespace ragrt::text {

void PreTokenizedString::tokenize_within(const Model& model, size_t budget, Direction keep) {
  const size_t n = splits_.size();
  size_t collected = 0, visited = 0;
  while (visited < n) {
    PreToken& p = splits_[keep == Direction::kRight ? visited : n - 1 - visited];
    ++visited;
    if (!p.tokens) p.tokens = model.tokenize(p.normalized.get());
    collected += p.tokens->size();
    if (collected >= budget) break;
  }
  if (keep == Direction::kRight) {
    splits_.resize(visited);
  } else {
    splits_.erase(splits_.begin(), splits_.begin() + static_cast<std::ptrdiff_t>(n - visited));
  }
}

void PreTokenizedString::append_to(Encoding& enc, int32_t type_id) const {
  for (const PreToken& p : splits_) {
    if (!p.tokens) continue;
    size_t shift = p.normalized.offsets_original().first;
    for (const Token& t : *p.tokens) {
      Offsets off{t.begin, t.end};
      if (auto r = p.normalized.normalized_to_original(t.begin, t.end))
        off = {shift + r->first, shift + r->second};
      enc.ids.push_back(t.id);
      enc.type_ids.push_back(type_id);
      enc.tokens.push_back(t.value);
      enc.offsets.push_back(off);
      enc.special_tokens_mask.push_back(0);
      enc.attention_mask.push_back(1);
      enc.sequence_ids.push_back(0);
    }
  }
}

}  // namespace ragrt::text
