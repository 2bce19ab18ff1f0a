// Holds ragrt::Tokenizer to Hugging Face's Rust tokenizers: for every tokenizer (the four real ones
// under RAGRT_SHARED_DIR and the small test tokenizers in tests/data/tokenizers) and every corpus
// text (tests/data/tokenizer_corpus.jsonl), ids, tokens, code-point offsets, type ids, masks and
// both decodes must equal the goldens in tests/golden/tokenizers exactly.
// Regenerate the goldens with: node scripts/golden/make_tokenizer_goldens.mjs
#include <gtest/gtest.h>

#include "test_helpers.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"
#include "text/golden_encoding.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ragrt::test::check_encode;
using ragrt::test::compare_encoding;
using ragrt::test::int_list;
using ragrt::test::read_jsonl;

namespace {

const fs::path kSourceDir = RAGRT_SOURCE_DIR;
const fs::path kSharedTokenizers = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers";
const fs::path kWorkTokenizers = fs::path(RAGRT_TEST_WORK_DIR) / "tokenizers";
const fs::path kTestTokenizers = kSourceDir / "tests" / "data" / "tokenizers";
const fs::path kGoldenDir = kSourceDir / "tests" / "golden" / "tokenizers";
const fs::path kCorpus = kSourceDir / "tests" / "data" / "tokenizer_corpus.jsonl";
constexpr size_t kMaxReportedItems = 6;       // texts/batches listed per tokenizer
constexpr size_t kMaxReportedDifferences = 3;  // differences listed per text

struct TokenizerCase {
  std::string name;    // test parameter name
  std::string golden;  // tests/golden/tokenizers/<golden>.jsonl
  fs::path path;       // what Tokenizer::from_path loads
  bool committed;      // a tests/data/tokenizers file whose hash the golden header records
};

// Shown by gtest (and in ctest names): keep it short and machine-independent.
void PrintTo(const TokenizerCase& c, std::ostream* os) { *os << c.golden; }

// The real tokenizers: qwen3 and dialogpt are loaded both through the tokenizer.json the fixture
// writes (scripts/make_tokenizer_json.py) and straight from the vocab.json + merges.txt folder;
// both must match the same golden.
std::vector<TokenizerCase> real_cases() {
  return {
      {"minilm_wordpiece", "minilm-wordpiece", kSharedTokenizers / "minilm-wordpiece" / "tokenizer.json", false},
      {"t5_unigram", "t5-unigram", kSharedTokenizers / "t5-unigram" / "tokenizer.json", false},
      {"qwen3_bpe_json", "qwen3-bpe", kWorkTokenizers / "qwen3-bpe" / "tokenizer.json", false},
      {"qwen3_bpe_folder", "qwen3-bpe", kSharedTokenizers / "qwen3-bpe", false},
      {"dialogpt_bpe_json", "dialogpt-bpe", kWorkTokenizers / "dialogpt-bpe" / "tokenizer.json", false},
      {"dialogpt_bpe_folder", "dialogpt-bpe", kSharedTokenizers / "dialogpt-bpe", false},
  };
}

std::vector<TokenizerCase> test_tokenizer_cases() {
  std::vector<TokenizerCase> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kTestTokenizers, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::string stem = entry.path().stem().string();
    std::string param = stem;
    std::replace_if(param.begin(), param.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    out.push_back({param, stem, entry.path(), true});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<TokenizerCase> all_cases() {
  auto out = real_cases();
  auto tests = test_tokenizer_cases();
  out.insert(out.end(), tests.begin(), tests.end());
  return out;
}

using ragrt::testing::fnv1a64;
using ragrt::testing::read_file;

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

struct CorpusEntry {
  std::string name;
  std::string text;
  std::optional<std::string> pair;
  bool invalid = false;
  size_t error_offset = 0;
};

const std::vector<CorpusEntry>& corpus() {
  static const std::vector<CorpusEntry> entries = [] {
    std::vector<CorpusEntry> out;
    for (const auto& j : read_jsonl(kCorpus)) {
      CorpusEntry e;
      e.name = j.at("name").get<std::string>();
      if (j.contains("hex")) {
        e.invalid = true;
        e.text = from_hex(j.at("hex").get<std::string>());
        e.error_offset = j.at("error_offset").get<size_t>();
      } else {
        e.text = j.at("text").get<std::string>();
        if (j.contains("pair")) e.pair = j.at("pair").get<std::string>();
      }
      out.push_back(std::move(e));
    }
    return out;
  }();
  return entries;
}

template <typename Decode>
std::vector<std::string> check_decode(const char* what, Decode&& decode, const std::string& expected) {
  try {
    std::string got = decode();
    if (got == expected) return {};
    return {fmt::format("{} differs: ours {} vs HF {}", what, json(got).dump(), json(expected).dump())};
  } catch (const std::exception& e) {
    return {fmt::format("{} threw: {}", what, e.what())};
  }
}

// Where `message` names `offset` as a whole word ("offset 0" counts, the 0 of "0x80" does not).
bool names_offset(const std::string& message, size_t offset) {
  std::regex number("(^|[^0-9A-Za-z_])" + std::to_string(offset) + "([^0-9A-Za-z_]|$)");
  return std::regex_search(message, number);
}

class TokenizerParity : public testing::TestWithParam<TokenizerCase> {};

TEST_P(TokenizerParity, MatchesHuggingFace) {
  const TokenizerCase& tc = GetParam();
  const fs::path golden_path = kGoldenDir / (tc.golden + ".jsonl");
  ASSERT_TRUE(fs::exists(golden_path)) << golden_path << " is missing: run node scripts/golden/make_tokenizer_goldens.mjs";
  ASSERT_GT(fs::file_size(golden_path), 0u) << golden_path << " is empty";
  std::vector<json> golden = read_jsonl(golden_path);
  ASSERT_GE(golden.size(), 2u) << golden_path << " has no entries";
  const json& header = golden.front();
  ASSERT_EQ(header.value("kind", ""), "header") << golden_path << ": first line must be the header";
  ASSERT_EQ(header.value("tokenizer", ""), tc.golden);
  if (tc.committed) {
    ASSERT_EQ(header.at("source_fnv1a64").get<std::string>(), fnv1a64(read_file(tc.path)))
        << tc.path << " changed after its golden was made: run node scripts/golden/make_tokenizer_goldens.mjs";
  }

  // Every valid corpus entry must have a golden line made from the same text.
  std::map<std::string, const CorpusEntry*> by_name;
  size_t valid_entries = 0;
  for (const auto& e : corpus()) {
    by_name[e.name] = &e;
    valid_entries += !e.invalid;
  }
  ASSERT_GT(valid_entries, 100u) << kCorpus << " is missing or too small";
  std::set<std::string> covered;
  for (size_t i = 1; i < golden.size(); ++i) {
    const json& g = golden[i];
    std::string kind = g.at("kind").get<std::string>();
    if (kind == "batch") continue;
    std::string name = g.at("name").get<std::string>();
    auto it = by_name.find(name);
    ASSERT_TRUE(it != by_name.end() && !it->second->invalid)
        << golden_path << ": " << name << " is not a valid corpus entry: regenerate the goldens";
    ASSERT_EQ(g.at("h").get<std::string>(), fnv1a64(it->second->text))
        << golden_path << ": " << name << " was made from a different text: regenerate the goldens";
    if (kind == "pair") {
      ASSERT_TRUE(it->second->pair.has_value()) << name;
      ASSERT_EQ(g.at("h_pair").get<std::string>(), fnv1a64(*it->second->pair)) << name;
    }
    covered.insert(name);
  }
  ASSERT_EQ(covered.size(), valid_entries) << golden_path << " does not cover the corpus: regenerate the goldens";

  std::unique_ptr<ragrt::Tokenizer> tok;
  try {
    tok = ragrt::Tokenizer::from_path(tc.path);
  } catch (const std::exception& e) {
    FAIL() << "loading " << tc.path << " failed: " << e.what();
  }
  ASSERT_TRUE(tok) << tc.path;

  size_t texts = 0, texts_ok = 0, batches = 0, batches_ok = 0;
  std::vector<std::string> report;
  size_t reported_items = 0;
  auto record = [&](const std::string& what, const std::vector<std::string>& diffs) {
    if (diffs.empty() || reported_items++ >= kMaxReportedItems) return;
    report.push_back(what + ":");
    for (size_t k = 0; k < diffs.size() && k < kMaxReportedDifferences; ++k) report.push_back("    " + diffs[k]);
    if (diffs.size() > kMaxReportedDifferences) report.push_back(fmt::format("    ... and {} more", diffs.size() - kMaxReportedDifferences));
  };

  for (size_t i = 1; i < golden.size(); ++i) {
    const json& g = golden[i];
    const std::string kind = g.at("kind").get<std::string>();
    const std::string name = g.at("name").get<std::string>();
    if (kind == "batch") {
      ++batches;
      std::vector<std::string> members_text;
      for (const auto& m : g.at("members")) members_text.push_back(by_name.at(m.get<std::string>())->text);
      const json& hf = g.at("encodings");
      std::vector<std::string> diffs;
      try {
        auto encs = tok->encode_batch(members_text, true);
        if (hf.is_object() && hf.contains("error")) {
          diffs.push_back("HF refuses this batch (" + hf.at("error").get<std::string>() + ") but ours encoded it");
        } else if (encs.size() != hf.size()) {
          diffs.push_back(fmt::format("batch size: ours {} vs HF {}", encs.size(), hf.size()));
        } else {
          for (size_t k = 0; k < encs.size(); ++k) {
            for (auto& d : compare_encoding(encs[k], hf[k], members_text[k], std::nullopt)) {
              diffs.push_back(fmt::format("item {} ({}): {}", k, g.at("members")[k].get<std::string>(), d));
            }
          }
        }
      } catch (const ragrt::Error& e) {
        if (!(hf.is_object() && hf.contains("error"))) diffs.push_back(fmt::format("ours threw: {}", e.what()));
      } catch (const std::exception& e) {
        diffs.push_back(fmt::format("ours threw a non-ragrt exception: {}", e.what()));
      }
      batches_ok += diffs.empty();
      record(name + " (encode_batch)", diffs);
      continue;
    }

    ++texts;
    const CorpusEntry& entry = *by_name.at(name);
    std::string_view first = entry.text;
    std::optional<std::string_view> second;
    if (entry.pair) second = *entry.pair;
    std::vector<std::string> diffs;
    auto prefixed = [&](const char* what, std::vector<std::string> ds) {
      for (auto& d : ds) diffs.push_back(std::string(what) + ": " + d);
    };
    for (bool add_special : {true, false}) {
      const json& hf = g.at(add_special ? "with" : "without");
      auto encode = [&] {
        return second ? tok->encode_pair(first, *second, add_special) : tok->encode(first, add_special);
      };
      prefixed(add_special ? "add_special_tokens=true" : "add_special_tokens=false",
               check_encode(encode, hf, first, second));
    }
    if (g.contains("decode_skip")) {
      // Decoding HF's ids, so a decoder difference shows even when the encodings differ.
      std::vector<int32_t> ids = g.at("with").at("ids").get<std::vector<int32_t>>();
      auto skip = check_decode("decode(skip_special_tokens=true)", [&] { return tok->decode(ids, true); },
                               g.at("decode_skip").get<std::string>());
      auto keep = check_decode("decode(skip_special_tokens=false)", [&] { return tok->decode(ids, false); },
                               g.at("decode_keep").get<std::string>());
      diffs.insert(diffs.end(), skip.begin(), skip.end());
      diffs.insert(diffs.end(), keep.begin(), keep.end());
    }
    texts_ok += diffs.empty();
    record(fmt::format("{} {}", kind, name), diffs);
  }

  // Invalid UTF-8 must be refused with an error that names the byte offset.
  size_t invalid = 0, invalid_ok = 0;
  for (const auto& e : corpus()) {
    if (!e.invalid) continue;
    ++invalid;
    std::string problem;
    try {
      auto enc = tok->encode(e.text, true);
      problem = fmt::format("encoded invalid UTF-8 into {} tokens instead of throwing", enc.size());
    } catch (const ragrt::Error& err) {
      if (err.kind() != ragrt::ErrorKind::kInvalidArgument) {
        problem = fmt::format("threw the wrong kind of error: {}", err.what());
      } else if (!names_offset(err.what(), e.error_offset)) {
        problem = fmt::format("error does not name byte offset {}: {}", e.error_offset, err.what());
      }
    } catch (const std::exception& err) {
      problem = fmt::format("threw a non-ragrt exception: {}", err.what());
    }
    if (problem.empty()) {
      ++invalid_ok;
    } else {
      record("invalid " + e.name, {problem});
    }
  }

  std::cout << fmt::format("[parity] {}: {}/{} texts match, {}/{} batches, {}/{} invalid-UTF-8 refused\n", tc.name,
                           texts_ok, texts, batches_ok, batches, invalid_ok, invalid);
  std::string details;
  for (const auto& r : report) details += "\n  " + r;
  const bool all_ok = texts_ok == texts && batches_ok == batches && invalid_ok == invalid;
  EXPECT_TRUE(all_ok) << tc.name << " differs from Hugging Face: " << texts - texts_ok << " of " << texts
                      << " texts, " << batches - batches_ok << " of " << batches << " batches, "
                      << invalid - invalid_ok << " of " << invalid << " invalid-UTF-8 inputs; first mismatches:" << details;
}

INSTANTIATE_TEST_SUITE_P(All, TokenizerParity, testing::ValuesIn(all_cases()),
                         [](const testing::TestParamInfo<TokenizerCase>& info) { return info.param.name; });

// Loading a vocab.json + merges.txt folder converts it in C++; that must give the very tokenizer the
// fixture's tokenizer.json (scripts/make_tokenizer_json.py) describes, independently of how either
// compares with Hugging Face.
TEST(TokenizerParityFolder, VocabMergesFolderEncodesLikeItsTokenizerJson) {
  for (const char* name : {"qwen3-bpe", "dialogpt-bpe"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<ragrt::Tokenizer> from_json, from_folder;
    try {
      from_json = ragrt::Tokenizer::from_path(kWorkTokenizers / name / "tokenizer.json");
      from_folder = ragrt::Tokenizer::from_path(kSharedTokenizers / name);
    } catch (const std::exception& e) {
      FAIL() << "loading " << name << " failed: " << e.what();
    }
    EXPECT_EQ(from_json->vocab_size(), from_folder->vocab_size());
    size_t differing = 0;
    std::string first;
    for (const auto& e : corpus()) {
      if (e.invalid) continue;
      try {
        auto a = e.pair ? from_json->encode_pair(e.text, *e.pair) : from_json->encode(e.text);
        auto b = e.pair ? from_folder->encode_pair(e.text, *e.pair) : from_folder->encode(e.text);
        bool same = a.ids == b.ids && a.tokens == b.tokens && a.offsets == b.offsets && a.type_ids == b.type_ids &&
                    a.special_tokens_mask == b.special_tokens_mask && a.attention_mask == b.attention_mask &&
                    from_json->decode(a.ids, false) == from_folder->decode(a.ids, false);
        if (!same && differing++ == 0) first = e.name;
      } catch (const std::exception& ex) {
        if (differing++ == 0) first = e.name + " (threw: " + ex.what() + ")";
      }
    }
    EXPECT_EQ(differing, 0u) << name << ": the folder and its tokenizer.json disagree on " << differing
                             << " corpus entries, first " << first;
  }
}

// The parameter list comes from directory listings; make sure nothing can silently drop out.
TEST(TokenizerParityCoverage, EveryGoldenHasATokenizerAndEveryTokenizerAGolden) {
  auto tests = test_tokenizer_cases();
  EXPECT_GE(tests.size(), 10u) << kTestTokenizers << " should hold the test tokenizers";
  std::set<std::string> goldens_needed;
  for (const auto& c : all_cases()) goldens_needed.insert(c.golden);
  std::set<std::string> goldens_present;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kGoldenDir, ec)) {
    if (entry.path().extension() == ".jsonl") goldens_present.insert(entry.path().stem().string());
  }
  ASSERT_FALSE(ec) << kGoldenDir << ": " << ec.message();
  for (const auto& g : goldens_needed) EXPECT_TRUE(goldens_present.count(g)) << "no golden for tokenizer " << g;
  for (const auto& g : goldens_present) EXPECT_TRUE(goldens_needed.count(g)) << "golden " << g << " has no tokenizer";
  size_t invalid = 0;
  for (const auto& e : corpus()) invalid += e.invalid;
  EXPECT_GE(invalid, 5u) << kCorpus << " should hold invalid UTF-8 entries";
}

}  // namespace
