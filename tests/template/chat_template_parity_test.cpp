// Holds ragrt::ChatTemplate to @huggingface/jinja, the renderer transformers.js uses: every case in
// tests/golden/chat_templates/*.jsonl (Qwen3's template from RAGRT_SHARED_DIR, the Llama, Mistral,
// Phi-3 and SmolLM2 templates under tests/data/chat_templates) must render to the same bytes, or
// fail with an error carrying the same message.
// Regenerate the goldens with: node scripts/golden/make_chat_template_goldens.mjs
#include <gtest/gtest.h>

#include "test_helpers.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/chat_template.h"
#include "ragrt/error.h"

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

const fs::path kSourceDir = RAGRT_SOURCE_DIR;
const fs::path kSharedDir = RAGRT_SHARED_DIR;
const fs::path kGoldenDir = kSourceDir / "tests" / "golden" / "chat_templates";

using ragrt::testing::fnv1a64;
using ragrt::testing::read_file;

// Keys keep their golden order: tojson output depends on it.
std::vector<ordered_json> read_jsonl(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<ordered_json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(ordered_json::parse(line));
  }
  return out;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Empty when equal; otherwise where the first difference is and what surrounds it.
std::string first_difference(const std::string& expected, const std::string& actual) {
  if (expected == actual) return "";
  size_t i = 0;
  while (i < expected.size() && i < actual.size() && expected[i] == actual[i]) ++i;
  size_t from = i > 40 ? i - 40 : 0;
  return fmt::format("first differing byte at offset {} (expected {} bytes, got {})\n  expected: ...{}\n  actual:   ...{}", i,
                     expected.size(), actual.size(), escaped(expected.substr(from, 100)), escaped(actual.substr(from, 100)));
}

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  if (fs::exists(kGoldenDir)) {
    for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
      if (entry.path().extension() == ".jsonl") names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class ChatTemplateParity : public testing::TestWithParam<std::string> {};

TEST_P(ChatTemplateParity, RendersLikeHuggingFaceJinja) {
  auto lines = read_jsonl(kGoldenDir / (GetParam() + ".jsonl"));
  ASSERT_FALSE(lines.empty());
  const auto& header = lines.front();
  ASSERT_EQ(header.at("kind"), "header");
  const std::string source = header.at("source").get<std::string>();

  std::string text;
  std::optional<ragrt::ChatTemplate> tmpl;
  if (source.rfind("shared:", 0) == 0) {
    fs::path config = kSharedDir / source.substr(7);
    if (!fs::exists(config)) GTEST_SKIP() << config << " is not available";
    tmpl.emplace(ragrt::ChatTemplate::from_tokenizer_config(config));
    text = tmpl->source();
  } else {
    text = read_file(kSourceDir / source);
    nlohmann::json special = nlohmann::json::parse(header.at("special_tokens").dump());
    tmpl.emplace(text, special, source);
  }
  ASSERT_EQ(header.at("source_fnv1a64").get<std::string>(), fnv1a64(text))
      << source << " changed since the golden was made: run node scripts/golden/make_chat_template_goldens.mjs";
  ASSERT_EQ(header.at("cases").get<size_t>(), lines.size() - 1);

  size_t passed = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto& c = lines[i];
    const std::string name = c.at("name").get<std::string>();
    std::vector<ordered_json> messages(c.at("messages").begin(), c.at("messages").end());
    std::string rendered, error;
    try {
      rendered = tmpl->render(messages, c.at("tools"), c.at("add_generation_prompt").get<bool>(), c.at("extra"));
    } catch (const ragrt::Error& e) {
      error = e.what();
      EXPECT_EQ(e.kind(), ragrt::ErrorKind::kInvalidArgument) << name << ": " << error;
    }
    if (c.contains("error")) {
      const std::string expected = c.at("error").get<std::string>();
      if (error.empty()) {
        ADD_FAILURE() << GetParam() << " / " << name << ": expected the error \"" << expected << "\", rendered:\n" << rendered;
      } else if (error.find(expected) == std::string::npos) {
        ADD_FAILURE() << GetParam() << " / " << name << ": error \"" << error << "\" does not carry \"" << expected << "\"";
      } else {
        ++passed;
      }
      continue;
    }
    if (!error.empty()) {
      ADD_FAILURE() << GetParam() << " / " << name << ": unexpected error: " << error;
      continue;
    }
    std::string diff = first_difference(c.at("expected").get<std::string>(), rendered);
    if (diff.empty()) {
      ++passed;
    } else {
      ADD_FAILURE() << GetParam() << " / " << name << ": " << diff;
    }
  }
  EXPECT_EQ(passed, lines.size() - 1);
}

INSTANTIATE_TEST_SUITE_P(ChatTemplate, ChatTemplateParity, testing::ValuesIn(golden_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace_if(name.begin(), name.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); }, '_');
                           return name;
                         });

TEST(ChatTemplateGoldens, EveryTemplateHasOne) {
  auto names = golden_names();
  for (const char* expected : {"qwen3", "llama-3", "llama-3.1", "llama-3.2", "mistral-v0.3", "phi-3", "smollm2"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const auto& entry : fs::directory_iterator(kSourceDir / "tests" / "data" / "chat_templates")) {
    EXPECT_NE(std::find(names.begin(), names.end(), entry.path().stem().string()), names.end())
        << entry.path() << " has no golden";
  }
}

}  // namespace
