#pragma once
// Post-processors (tokenizers' `processors` module): add special tokens, set type ids and
// sequence ids, and adjust offsets, after the model ran and truncation was applied.
#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/tokenizer.h"
#include "text/json_fields.h"

namespace ragrt::text {

using SourceTexts = std::array<std::string_view, 2>;

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // Number of special tokens process() adds for one (or a pair of) sequence(s).
  virtual size_t added_tokens(bool is_pair) const = 0;
  // Transforms the list of encodings (one per input sequence, then whatever pieces earlier
  // processors produced); process() concatenates the result.
  // `texts[i]` is the text sequence i came from (offsets are byte offsets into it).
  virtual void process_encodings(std::vector<Encoding>& encodings, bool add_special_tokens,
                                 const SourceTexts& texts) const = 0;

  Encoding process(Encoding first, std::optional<Encoding> second, bool add_special_tokens,
                   const SourceTexts& texts) const;
};

std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& j, const JsonPath& at);

// tokenizers' byte_level::process_offsets: trims the offsets of tokens starting or ending with
// (byte-level) spaces. Hugging Face's bindings trim offsets counted in code points, so the trim
// steps over whole chars of the source text.
void trim_byte_level_offsets(Encoding& e, bool add_prefix_space, const SourceTexts& texts);

}  // namespace ragrt::text
