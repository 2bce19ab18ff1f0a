// Comparison of ragrt encodings with the golden objects Hugging Face's tokenizers produced
// (scripts/golden/make_tokenizer_goldens.mjs, make_truncation_goldens.mjs), shared by the parity tests.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace ragrt::test {

// One JSON value per non-empty line; a line that is not JSON is a test failure.
std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& p);

// Type ids and masks are stored as strings of digits (arrays are accepted too).
std::vector<int32_t> int_list(const nlohmann::json& j);

// Compares one encoding with its golden object (ids, tokens when recorded, code-point offsets
// against the text of each token's own sequence, type ids, masks, sequence ids when recorded);
// returns the differences, empty when equal.
std::vector<std::string> compare_encoding(const ragrt::Encoding& enc, const nlohmann::json& hf, std::string_view first,
                                          std::optional<std::string_view> second);

// Runs `encode` and compares against `hf`, which may record that HF refused the input.
template <typename Encode>
std::vector<std::string> check_encode(Encode&& encode, const nlohmann::json& hf, std::string_view first,
                                      std::optional<std::string_view> second) {
  bool hf_refuses = hf.contains("error");
  try {
    ragrt::Encoding enc = encode();
    if (hf_refuses) return {"HF refuses this input (" + hf.at("error").get<std::string>() + ") but ours encoded it"};
    return compare_encoding(enc, hf, first, second);
  } catch (const ragrt::Error& e) {
    if (hf_refuses) return {};
    return {fmt::format("ours threw: {}", e.what())};
  } catch (const std::exception& e) {
    return {fmt::format("ours threw a non-ragrt exception: {}", e.what())};
  }
}

}  // namespace ragrt::test
