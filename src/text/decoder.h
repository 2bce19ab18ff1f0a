#pragma once
// Decoders (tokenizers' `decoders` module): turn token strings back into text.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "text/json_fields.h"

namespace ragrt::text {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // tokenizers' decode_chain: token strings in, token strings out (Sequence chains them).
  virtual void decode_chain(std::vector<std::string>& tokens) const = 0;
  std::string decode(std::vector<std::string> tokens) const;
};

std::unique_ptr<Decoder> make_decoder(const nlohmann::json& j, const JsonPath& at);

// WordPiece's cleanup of tokenization spaces (also used by CTC).
std::string wordpiece_cleanup(std::string s);

}  // namespace ragrt::text
