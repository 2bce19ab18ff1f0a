#pragma once
// SentencePiece's precompiled_charsmap (as stored base64-encoded in tokenizer.json by the
// Precompiled normalizer): a Darts double-array trie over UTF-8 byte strings whose values index a
// blob of NUL-terminated replacement strings. Mirrors the spm_precompiled crate.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::text {

class PrecompiledCharsmap {
 public:
  // Parses the raw (base64-decoded) bytes; throws ragrt::Error naming `where` when malformed.
  PrecompiledCharsmap(std::string_view bytes, const std::string& where);

  // The replacement for the shortest key that prefixes `chunk`, as spm_precompiled's transform().
  std::optional<std::string_view> transform(std::string_view chunk) const;

 private:
  std::vector<uint32_t> trie_;
  std::string normalized_;
};

std::string base64_decode(std::string_view in, const std::string& where);

}  // namespace ragrt::text
