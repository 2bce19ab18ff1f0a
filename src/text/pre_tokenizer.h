#pragma once
// Pre-tokenizers (tokenizers' `pre_tokenizers` module): split the normalized text into the
// pieces the model tokenizes one by one.
#include <memory>

#include <nlohmann/json.hpp>

#include "text/json_fields.h"
#include "text/pre_tokenized_string.h"

namespace ragrt::text {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& s) const = 0;
};

// Builds the pre-tokenizer a tokenizer.json "pre_tokenizer" object describes (nullptr for null).
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& j, const JsonPath& at);

// Parses a split behaviour name ("Removed", "Isolated", ...).
SplitBehavior parse_split_behavior(const std::string& name, const JsonPath& at);

}  // namespace ragrt::text
