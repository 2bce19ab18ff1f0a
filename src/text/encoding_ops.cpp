#include "text/encoding_ops.h"

#include <algorithm>

#include "ragrt/error.h"

namespace ragrt::text {

namespace {
template <typename T>
void keep_range(std::vector<T>& v, size_t begin, size_t len) {
  if (begin > 0) v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(begin));
  v.resize(len);
}
template <typename T>
void pad_vec(std::vector<T>& v, size_t n, const T& value, Direction d) {
  if (d == Direction::kRight) v.insert(v.end(), n, value);
  else v.insert(v.begin(), n, value);
}
}  // namespace

void truncate_encoding(Encoding& e, size_t max_len, size_t stride, Direction direction) {
  size_t len = e.ids.size();
  if (max_len >= len) return;
  if (max_len > 0 && stride >= max_len)
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "truncation stride ({}) must be smaller than the {} tokens a sequence is cut to (max_length "
                     "minus the special tokens); lower the stride or raise max_length",
                     stride, max_len);
  size_t begin = direction == Direction::kRight ? 0 : len - max_len;
  keep_range(e.ids, begin, max_len);
  keep_range(e.type_ids, begin, max_len);
  keep_range(e.tokens, begin, max_len);
  keep_range(e.offsets, begin, max_len);
  keep_range(e.special_tokens_mask, begin, max_len);
  keep_range(e.attention_mask, begin, max_len);
  keep_range(e.sequence_ids, begin, max_len);
}

void truncate_encodings(Encoding& first, Encoding* second, const TruncationParams& p) {
  if (p.max_length == 0) {
    truncate_encoding(first, 0, p.stride, p.direction);
    if (second) truncate_encoding(*second, 0, p.stride, p.direction);
    return;
  }
  size_t total = first.size() + (second ? second->size() : 0);
  if (total <= p.max_length) return;
  size_t to_remove = total - p.max_length;
  switch (p.strategy) {
    case TruncationStrategy::kLongestFirst: {
      if (!second) {
        truncate_encoding(first, total - to_remove, p.stride, p.direction);
        return;
      }
      size_t n1 = first.size(), n2 = second->size();
      bool swap = false;
      if (n1 > n2) {
        swap = true;
        std::swap(n1, n2);
      }
      if (n1 > p.max_length) n2 = n1;
      else n2 = std::max(n1, p.max_length - n1);
      if (n1 + n2 > p.max_length) {
        n1 = p.max_length / 2;
        n2 = n1 + p.max_length % 2;
      }
      if (swap) std::swap(n1, n2);
      truncate_encoding(first, n1, p.stride, p.direction);
      truncate_encoding(*second, n2, p.stride, p.direction);
      return;
    }
    case TruncationStrategy::kOnlyFirst:
    case TruncationStrategy::kOnlySecond: {
      Encoding* target = p.strategy == TruncationStrategy::kOnlyFirst ? &first : second;
      if (!target)
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "truncation strategy only_second needs a second sequence");
      if (target->size() > to_remove) {
        truncate_encoding(*target, target->size() - to_remove, p.stride, p.direction);
      } else {
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                         "truncation error: sequence to truncate is too short to respect the provided max_length");
      }
      return;
    }
  }
}

void pad_encoding(Encoding& e, size_t target, const PaddingParams& p) {
  if (e.ids.size() >= target) return;
  size_t n = target - e.ids.size();
  pad_vec(e.ids, n, p.pad_id, p.direction);
  pad_vec(e.type_ids, n, p.pad_type_id, p.direction);
  pad_vec(e.tokens, n, p.pad_token, p.direction);
  pad_vec(e.offsets, n, Offsets{0, 0}, p.direction);
  pad_vec(e.special_tokens_mask, n, 1, p.direction);
  pad_vec(e.attention_mask, n, 0, p.direction);
  pad_vec(e.sequence_ids, n, -1, p.direction);
}

void pad_encodings(std::vector<Encoding>& encodings, const PaddingParams& p) {
  if (encodings.empty()) return;
  size_t len = 0;
  if (p.fixed_length) {
    len = *p.fixed_length;
  } else {
    for (const Encoding& e : encodings) len = std::max(len, e.ids.size());
  }
  if (p.pad_to_multiple_of && *p.pad_to_multiple_of > 0 && len % *p.pad_to_multiple_of > 0)
    len += *p.pad_to_multiple_of - len % *p.pad_to_multiple_of;
  for (Encoding& e : encodings) pad_encoding(e, len, p);
}

void append_encoding(Encoding& to, const Encoding& from) {
  to.ids.insert(to.ids.end(), from.ids.begin(), from.ids.end());
  to.type_ids.insert(to.type_ids.end(), from.type_ids.begin(), from.type_ids.end());
  to.tokens.insert(to.tokens.end(), from.tokens.begin(), from.tokens.end());
  to.offsets.insert(to.offsets.end(), from.offsets.begin(), from.offsets.end());
  to.special_tokens_mask.insert(to.special_tokens_mask.end(), from.special_tokens_mask.begin(),
                                from.special_tokens_mask.end());
  to.attention_mask.insert(to.attention_mask.end(), from.attention_mask.begin(), from.attention_mask.end());
  to.sequence_ids.insert(to.sequence_ids.end(), from.sequence_ids.begin(), from.sequence_ids.end());
}

void set_sequence_id(Encoding& e, int32_t id) { std::fill(e.sequence_ids.begin(), e.sequence_ids.end(), id); }

}  // namespace ragrt::text
