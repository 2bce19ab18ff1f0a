#pragma once
// Operations on Encodings that tokenizers performs around post-processing: truncation (before,
// leaving room for special tokens), padding (after), and concatenation.
#include <optional>
#include <vector>

#include "ragrt/tokenizer.h"

namespace ragrt::text {

// Keeps `max_len` tokens from the side `direction` keeps. Like tokenizers' Encoding::truncate,
// refuses a cut to fewer tokens than `stride` + 1 (the overflowing windows could not advance).
void truncate_encoding(Encoding& e, size_t max_len, size_t stride, Direction direction);
// tokenizers' truncate_encodings; throws ragrt::Error when the strategy cannot be met. `params`
// holds the limit left for the inputs once special tokens are counted.
void truncate_encodings(Encoding& first, Encoding* second, const TruncationParams& params);
void pad_encoding(Encoding& e, size_t target, const PaddingParams& params);
void pad_encodings(std::vector<Encoding>& encodings, const PaddingParams& params);
void append_encoding(Encoding& to, const Encoding& from);
void set_sequence_id(Encoding& e, int32_t id);

}  // namespace ragrt::text
