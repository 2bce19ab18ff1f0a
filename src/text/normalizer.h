#pragma once
// Normalizers (tokenizers' `normalizers` module): rewrite a NormalizedString in place, keeping
// its alignment with the original text.
#include <memory>

#include <nlohmann/json.hpp>

#include "text/json_fields.h"
#include "text/normalized_string.h"

namespace ragrt::text {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& s) const = 0;
};

// Builds the normalizer a tokenizer.json "normalizer" object describes (nullptr for JSON null).
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& j, const JsonPath& at);

}  // namespace ragrt::text
