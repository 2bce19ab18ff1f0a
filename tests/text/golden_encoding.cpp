#include "text/golden_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

namespace ragrt::test {

using nlohmann::json;

std::vector<json> read_jsonl(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<json> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      out.push_back(json::parse(line));
    } catch (const json::exception& e) {
      ADD_FAILURE() << p << " line " << n << " is not JSON: " << e.what();
    }
  }
  return out;
}

std::vector<int32_t> int_list(const json& j) {
  std::vector<int32_t> out;
  if (j.is_string()) {
    for (char c : j.get<std::string>()) out.push_back(c - '0');
  } else {
    for (const auto& v : j) out.push_back(v.get<int32_t>());
  }
  return out;
}

namespace {

std::string show(int32_t v) { return std::to_string(v); }
std::string show(const std::string& s) { return json(s).dump(); }
std::string show(const ragrt::Offsets& o) { return fmt::format("({},{})", o.first, o.second); }

// Describes the first difference between two sequences, or nothing when equal.
template <typename T>
std::optional<std::string> first_difference(const char* field, const std::vector<T>& ours, const std::vector<T>& hf) {
  size_t n = std::min(ours.size(), hf.size());
  for (size_t i = 0; i < n; ++i) {
    if (!(ours[i] == hf[i])) {
      return fmt::format("{} differ at position {}: ours {} vs HF {} (lengths {} vs {})", field, i, show(ours[i]),
                         show(hf[i]), ours.size(), hf.size());
    }
  }
  if (ours.size() != hf.size()) {
    return fmt::format("{} lengths differ: ours {} vs HF {}; first extra: {}", field, ours.size(), hf.size(),
                       ours.size() > hf.size() ? "ours " + show(ours[n]) : "HF " + show(hf[n]));
  }
  return std::nullopt;
}

// Offsets in code points, each token against the text of its own sequence (as HF converts them).
std::vector<ragrt::Offsets> char_offsets(const ragrt::Encoding& enc, std::string_view first,
                                         std::optional<std::string_view> second) {
  std::vector<ragrt::Offsets> out(enc.offsets.size());
  std::vector<size_t> idx_a, idx_b;
  std::vector<ragrt::Offsets> off_a, off_b;
  bool have_seq = enc.sequence_ids.size() == enc.offsets.size();
  for (size_t i = 0; i < enc.offsets.size(); ++i) {
    if (second && have_seq && enc.sequence_ids[i] == 1) {
      idx_b.push_back(i);
      off_b.push_back(enc.offsets[i]);
    } else {
      idx_a.push_back(i);
      off_a.push_back(enc.offsets[i]);
    }
  }
  auto conv_a = ragrt::to_char_offsets(first, off_a);
  for (size_t k = 0; k < idx_a.size(); ++k) out[idx_a[k]] = conv_a[k];
  if (second) {
    auto conv_b = ragrt::to_char_offsets(*second, off_b);
    for (size_t k = 0; k < idx_b.size(); ++k) out[idx_b[k]] = conv_b[k];
  }
  return out;
}

}  // namespace

// Compares one encoding with its golden object; returns the differences (empty when equal).
std::vector<std::string> compare_encoding(const ragrt::Encoding& enc, const json& hf, std::string_view first,
                                          std::optional<std::string_view> second) {
  std::vector<std::string> diffs;
  auto add = [&](std::optional<std::string> d) {
    if (d) diffs.push_back(std::move(*d));
  };
  add(first_difference("ids", enc.ids, hf.at("ids").get<std::vector<int32_t>>()));
  if (hf.contains("tokens")) add(first_difference("tokens", enc.tokens, hf.at("tokens").get<std::vector<std::string>>()));
  std::vector<ragrt::Offsets> hf_offsets;
  for (const auto& o : hf.at("offsets")) hf_offsets.emplace_back(o.at(0).get<size_t>(), o.at(1).get<size_t>());
  add(first_difference("offsets (code points)", char_offsets(enc, first, second), hf_offsets));
  add(first_difference("type_ids", enc.type_ids, int_list(hf.at("type_ids"))));
  add(first_difference("special_tokens_mask", enc.special_tokens_mask, int_list(hf.at("special_tokens_mask"))));
  add(first_difference("attention_mask", enc.attention_mask, int_list(hf.at("attention_mask"))));
  if (hf.contains("sequence_ids")) add(first_difference("sequence_ids", enc.sequence_ids, int_list(hf.at("sequence_ids"))));
  return diffs;
}

}  // namespace ragrt::test
