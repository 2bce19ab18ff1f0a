// Holds truncation and padding to Hugging Face's Rust tokenizers over a sweep of settings:
// max_length down to and below the number of special tokens, every strategy and direction,
// strides, fixed / multiple-of / left padding, alone and combined, for singles, pairs and batches
// (tests/golden/truncation, made by scripts/golden/make_truncation_goldens.mjs). Where HF refuses
// the settings or the input, or panics on them, ours must throw a ragrt::Error instead.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"
#include "text/golden_encoding.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kSourceDir = RAGRT_SOURCE_DIR;
const fs::path kGoldenDir = kSourceDir / "tests" / "golden" / "truncation";
const fs::path kShared = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers";
const fs::path kTestTokenizers = kSourceDir / "tests" / "data" / "tokenizers";
const fs::path kWorkTokenizers = fs::path(RAGRT_TEST_WORK_DIR) / "tokenizers";
constexpr size_t kMaxReported = 8;

struct SweepCase {
  std::string golden;
  fs::path path;
};

void PrintTo(const SweepCase& c, std::ostream* os) { *os << c.golden; }

std::vector<SweepCase> sweep_cases() {
  return {
      {"minilm-wordpiece", kShared / "minilm-wordpiece" / "tokenizer.json"},
      {"t5-unigram", kShared / "t5-unigram" / "tokenizer.json"},
      {"qwen3-bpe", kWorkTokenizers / "qwen3-bpe" / "tokenizer.json"},
      {"roberta-bytelevel", kTestTokenizers / "roberta-bytelevel.json"},
      {"llama-bytefallback-bpe", kTestTokenizers / "llama-bytefallback-bpe.json"},
  };
}

ragrt::Direction direction(const json& j) {
  const std::string d = j.at("direction").get<std::string>();
  if (d == "left") return ragrt::Direction::kLeft;
  if (d == "right") return ragrt::Direction::kRight;
  throw std::runtime_error("golden names an unknown direction: " + d);
}

std::optional<ragrt::TruncationParams> truncation(const json& j) {
  if (j.is_null()) return std::nullopt;
  ragrt::TruncationParams p;
  p.max_length = j.at("max_length").get<size_t>();
  const std::string s = j.at("strategy").get<std::string>();
  if (s == "longest_first") {
    p.strategy = ragrt::TruncationStrategy::kLongestFirst;
  } else if (s == "only_first") {
    p.strategy = ragrt::TruncationStrategy::kOnlyFirst;
  } else if (s == "only_second") {
    p.strategy = ragrt::TruncationStrategy::kOnlySecond;
  } else {
    throw std::runtime_error("golden names an unknown truncation strategy: " + s);
  }
  p.direction = direction(j);
  p.stride = j.at("stride").get<size_t>();
  return p;
}

std::optional<ragrt::PaddingParams> padding(const json& j) {
  if (j.is_null()) return std::nullopt;
  ragrt::PaddingParams p;
  if (!j.at("length").is_null()) p.fixed_length = j.at("length").get<size_t>();
  if (!j.at("multiple_of").is_null()) p.pad_to_multiple_of = j.at("multiple_of").get<size_t>();
  p.direction = direction(j);
  p.pad_id = j.at("pad_id").get<int32_t>();
  p.pad_type_id = j.at("pad_type_id").get<int32_t>();
  p.pad_token = j.at("pad_token").get<std::string>();
  return p;
}

class TruncationParity : public testing::TestWithParam<SweepCase> {};

TEST_P(TruncationParity, MatchesHuggingFace) {
  const SweepCase& sc = GetParam();
  const fs::path golden_path = kGoldenDir / (sc.golden + ".jsonl");
  ASSERT_TRUE(fs::exists(golden_path)) << golden_path << " is missing: run node scripts/golden/make_truncation_goldens.mjs";
  std::vector<json> golden = ragrt::test::read_jsonl(golden_path);
  ASSERT_GE(golden.size(), 2u) << golden_path << " has no cases";
  const json& header = golden.front();
  ASSERT_EQ(header.value("kind", ""), "header") << golden_path;
  ASSERT_EQ(header.value("tokenizer", ""), sc.golden);
  ASSERT_EQ(header.at("cases").get<size_t>(), golden.size() - 1) << golden_path << " is truncated: regenerate it";
  const json& inputs = header.at("inputs");

  std::unique_ptr<ragrt::Tokenizer> tok;
  try {
    tok = ragrt::Tokenizer::from_path(sc.path);
  } catch (const std::exception& e) {
    FAIL() << "loading " << sc.path << " failed: " << e.what();
  }

  size_t compared = 0, matched = 0, hf_refused = 0, truncated_pairs = 0;
  std::vector<std::string> report;
  for (size_t i = 1; i < golden.size(); ++i) {
    const json& g = golden[i];
    const std::string kind = g.at("kind").get<std::string>();
    auto configure = [&] {
      tok->set_truncation(truncation(g.at("truncation")));
      tok->set_padding(padding(g.at("padding")));
    };
    std::vector<std::string> diffs;
    if (kind == "encode") {
      const json& input = inputs.at(g.at("input").get<std::string>());
      const std::string first = input.at(0).get<std::string>();
      std::optional<std::string> second;
      if (!input.at(1).is_null()) second = input.at(1).get<std::string>();
      const bool add_special = g.at("add_special").get<bool>();
      const json& hf = g.at("encoding");
      hf_refused += hf.contains("error");
      truncated_pairs += second && !g.at("truncation").is_null() && !hf.contains("error");
      diffs = ragrt::test::check_encode(
          [&] {
            configure();
            return second ? tok->encode_pair(first, *second, add_special) : tok->encode(first, add_special);
          },
          hf, first, second ? std::optional<std::string_view>(*second) : std::nullopt);
    } else if (kind == "batch") {
      std::vector<std::string> texts;
      for (const auto& id : g.at("inputs")) texts.push_back(inputs.at(id.get<std::string>()).at(0).get<std::string>());
      const json& hf = g.at("encodings");
      const bool refuses = hf.is_object() && hf.contains("error");
      hf_refused += refuses;
      try {
        configure();
        auto encs = tok->encode_batch(texts, true);
        if (refuses) {
          diffs.push_back("HF refuses this batch (" + hf.at("error").get<std::string>() + ") but ours encoded it");
        } else if (encs.size() != hf.size()) {
          diffs.push_back(fmt::format("batch size: ours {} vs HF {}", encs.size(), hf.size()));
        } else {
          for (size_t k = 0; k < encs.size(); ++k) {
            for (auto& d : ragrt::test::compare_encoding(encs[k], hf[k], texts[k], std::nullopt)) {
              diffs.push_back(fmt::format("item {}: {}", k, d));
            }
          }
        }
      } catch (const ragrt::Error& e) {
        if (!refuses) diffs.push_back(fmt::format("ours threw: {}", e.what()));
      }
    } else {
      FAIL() << golden_path << " line " << i + 1 << ": unknown kind " << kind;
    }
    ++compared;
    matched += diffs.empty();
    if (!diffs.empty() && report.size() < kMaxReported) {
      json what = g;
      what.erase("encoding");
      what.erase("encodings");
      report.push_back(fmt::format("line {} {}: {}", i + 1, what.dump(), diffs.front()));
    }
  }

  std::cout << fmt::format("[truncation] {}: {}/{} cases match ({} refused by HF, {} truncated pairs)\n", sc.golden,
                           matched, compared, hf_refused, truncated_pairs);
  // A sweep that refuses everything, or never truncates a pair, would prove nothing.
  EXPECT_GT(compared - hf_refused, compared / 3) << golden_path;
  EXPECT_GT(truncated_pairs, 100u) << golden_path;
  std::string details;
  for (const auto& r : report) details += "\n  " + r;
  EXPECT_EQ(matched, compared) << sc.golden << ": " << compared - matched << " of " << compared
                               << " cases differ from Hugging Face; first:" << details;
}

INSTANTIATE_TEST_SUITE_P(All, TruncationParity, testing::ValuesIn(sweep_cases()),
                         [](const testing::TestParamInfo<SweepCase>& info) {
                           std::string n = info.param.golden;
                           for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

TEST(TruncationParityCoverage, EveryGoldenIsChecked) {
  std::set<std::string> expected, present;
  for (const auto& c : sweep_cases()) expected.insert(c.golden);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kGoldenDir, ec)) {
    if (entry.path().extension() == ".jsonl") present.insert(entry.path().stem().string());
  }
  ASSERT_FALSE(ec) << kGoldenDir << ": " << ec.message();
  EXPECT_EQ(present, expected) << kGoldenDir << " and the sweep list in this test disagree";
}

}  // namespace
