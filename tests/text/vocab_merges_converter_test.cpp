// vocab.json + merges.txt -> tokenizer.json conversion. The expected objects follow transformers'
// GPT2Converter / Qwen2Converter; scripts/make_tokenizer_json.py (which writes the files the Hugging
// Face oracle loads for golden outputs) must produce the very same JSON, which the parity tests at
// the bottom check.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "text/model.h"
#include "text/vocab_merges_converter.h"

namespace ragrt::text {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class VocabMergesConverter : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           (std::string("ragrt_vmc_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  void write_vocab() {
    write("vocab.json", json{{"a", 0}, {"b", 1}, {"ab", 2}, {"c", 3}, {"abc", 4}, {"<s>", 5}}.dump());
  }

  fs::path dir_;
};

TEST_F(VocabMergesConverter, Gpt2FolderBecomesByteLevelBpe) {
  write_vocab();
  // GPT2Tokenizer drops the first line (the #version header) and the last (empty) one.
  write("merges.txt", "#version: 0.2\na b\nab c\n");
  write("tokenizer_config.json", json{{"tokenizer_class", "GPT2Tokenizer"}, {"add_prefix_space", true}}.dump());
  json t = tokenizer_json_from_vocab_merges(dir_);

  EXPECT_EQ(t["version"], "1.0");
  EXPECT_TRUE(t["normalizer"].is_null());
  EXPECT_EQ(t["pre_tokenizer"],
            (json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}));
  EXPECT_EQ(t["post_processor"],
            (json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}));
  EXPECT_EQ(t["decoder"],
            (json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}));
  const json& model = t["model"];
  EXPECT_EQ(model["type"], "BPE");
  EXPECT_TRUE(model["unk_token"].is_null());
  EXPECT_EQ(model["continuing_subword_prefix"], "");
  EXPECT_EQ(model["end_of_word_suffix"], "");
  EXPECT_EQ(model["fuse_unk"], false);
  EXPECT_EQ(model["byte_fallback"], false);
  EXPECT_EQ(model["merges"], json::array({json::array({"a", "b"}), json::array({"ab", "c"})}));
  EXPECT_EQ(model["vocab"].size(), 6u);
  EXPECT_EQ(t["added_tokens"], json::array());

  auto bpe = make_bpe_model(model, "converted");
  auto tokens = bpe->tokenize("abc");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].id, 4);
}

TEST_F(VocabMergesConverter, Gpt2WithoutFinalNewlineLosesTheLastMergeLikeTransformers) {
  write_vocab();
  write("merges.txt", "#version: 0.2\na b\nab c");
  json t = tokenizer_json_from_vocab_merges(dir_);  // no tokenizer_config.json: GPT-2 defaults
  EXPECT_EQ(t["model"]["merges"], json::array({json::array({"a", "b"})}));
  EXPECT_EQ(t["pre_tokenizer"]["add_prefix_space"], false);
}

TEST_F(VocabMergesConverter, AddBosTokenUsesTemplateProcessing) {
  write_vocab();
  write("merges.txt", "#version: 0.2\na b\n");
  write("tokenizer_config.json",
        json{{"add_bos_token", true}, {"bos_token", {{"content", "<s>"}, {"__type", "AddedToken"}}}}.dump());
  json t = tokenizer_json_from_vocab_merges(dir_);
  json special = {{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}};
  json a = {{"Sequence", {{"id", "A"}, {"type_id", 0}}}};
  json b = {{"Sequence", {{"id", "B"}, {"type_id", 1}}}};
  EXPECT_EQ(t["post_processor"],
            (json{{"type", "TemplateProcessing"},
                  {"single", {special, a}},
                  {"pair", {special, a, b}},
                  {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {5}}, {"tokens", {"<s>"}}}}}}}));
  // The bos token is named special, so it is added as a special, non-normalized token.
  EXPECT_EQ(t["added_tokens"],
            (json{{{"id", 5}, {"content", "<s>"}, {"single_word", false}, {"lstrip", false},
                   {"rstrip", false}, {"normalized", false}, {"special", true}}}));
}

TEST_F(VocabMergesConverter, AddedTokensTakeVocabIdsOrTheNextFreeOnes) {
  write_vocab();
  write("merges.txt", "#version: 0.2\na b\n");
  write("tokenizer_config.json",
        json{{"added_tokens_decoder",
              {{"5", {{"content", "<s>"}, {"special", false}, {"normalized", true}}},
               {"6", {{"content", "<tool>"}, {"special", false}, {"lstrip", true}}}}},
             {"eos_token", "<s>"},
             {"pad_token", "<pad>"},
             {"unk_token", nullptr},
             {"additional_special_tokens", {"<x>"}}}
            .dump());
  json t = tokenizer_json_from_vocab_merges(dir_);
  auto entry = [](int id, const char* content, bool lstrip, bool normalized, bool special) {
    return json{{"id", id},         {"content", content},      {"single_word", false}, {"lstrip", lstrip},
                {"rstrip", false},  {"normalized", normalized}, {"special", special}};
  };
  EXPECT_EQ(t["added_tokens"], (json{entry(5, "<s>", false, true, true),  // named eos: special
                                     entry(6, "<tool>", true, true, false),  // normalized defaults to !special
                                     entry(7, "<pad>", false, false, true),
                                     entry(8, "<x>", false, false, true)}));
}

TEST_F(VocabMergesConverter, Qwen2FolderGetsNfcSplitAndByteLevel) {
  write_vocab();
  // Qwen2Tokenizer: optional #version line, blank lines skipped, surrounding spaces stripped; a
  // repeated pair keeps its first position.
  write("merges.txt", "a b\n\n  ab c  \na b\r\n");
  write("tokenizer_config.json", json{{"tokenizer_class", "Qwen2Tokenizer"}, {"eos_token", "<|e|>"}}.dump());
  json t = tokenizer_json_from_vocab_merges(dir_);
  EXPECT_EQ(t["normalizer"], (json{{"type", "NFC"}}));
  const json& seq = t["pre_tokenizer"];
  EXPECT_EQ(seq["type"], "Sequence");
  ASSERT_EQ(seq["pretokenizers"].size(), 2u);
  EXPECT_EQ(seq["pretokenizers"][0],
            (json{{"type", "Split"},
                  {"pattern",
                   {{"Regex",
                     R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"}}},
                  {"behavior", "Isolated"},
                  {"invert", false}}));
  EXPECT_EQ(seq["pretokenizers"][1],
            (json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}));
  EXPECT_EQ(t["post_processor"],
            (json{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}));
  EXPECT_EQ(t["model"]["merges"], json::array({json::array({"a", "b"}), json::array({"ab", "c"})}));
  EXPECT_EQ(t["added_tokens"][0]["content"], "<|e|>");
  EXPECT_EQ(t["added_tokens"][0]["id"], 6);
}

void expect_error(const fs::path& dir, ErrorKind kind, const std::string& needle) {
  try {
    tokenizer_json_from_vocab_merges(dir);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST_F(VocabMergesConverter, ErrorsNameTheFileAndLine) {
  expect_error(dir_, ErrorKind::kNotFound, "vocab.json");
  write("vocab.json", "{\"a\": 0, \"b\": -1}");
  write("merges.txt", "#version: 0.2\n");
  expect_error(dir_, ErrorKind::kInvalidModel, "\"b\"");
  write("vocab.json", "{\"a\": 0,");
  expect_error(dir_, ErrorKind::kInvalidModel, "vocab.json: not valid JSON");
  write_vocab();
  fs::remove(dir_ / "merges.txt");
  expect_error(dir_, ErrorKind::kNotFound, "merges.txt");
  write("merges.txt", "#version: 0.2\na b\nab c d\n");
  expect_error(dir_, ErrorKind::kInvalidModel, "merges.txt:3");
  write("merges.txt", "#version: 0.2\na b\n");
  write("tokenizer_config.json", json{{"add_bos_token", true}, {"bos_token", "<nope>"}}.dump());
  expect_error(dir_, ErrorKind::kInvalidModel, "bos_token \"<nope>\"");
  write("tokenizer_config.json", json{{"added_tokens_decoder", {{"x1", {{"content", "<q>"}}}}}}.dump());
  expect_error(dir_, ErrorKind::kInvalidModel, "added_tokens_decoder key \"x1\"");
}

// --- parity with scripts/make_tokenizer_json.py ----------------------------------------------

void expect_same_json(const json& ours, const json& theirs) {
  ASSERT_TRUE(theirs.is_object());
  for (const auto& [key, value] : theirs.items()) {
    ASSERT_TRUE(ours.contains(key)) << key;
    if (key == "model") {
      for (const auto& [mkey, mvalue] : value.items()) {
        ASSERT_TRUE(ours["model"].contains(mkey)) << "model." << mkey;
        EXPECT_TRUE(ours["model"][mkey] == mvalue) << "model." << mkey << " differs";
      }
      EXPECT_EQ(ours["model"].size(), value.size());
    } else {
      EXPECT_EQ(ours[key], value) << key;
    }
  }
  EXPECT_EQ(ours.size(), theirs.size());
}

TEST(VocabMergesConverterParity, RealFoldersMatchTheFixtureWrittenByThePythonConverter) {
  int compared = 0;
  for (const char* name : {"qwen3-bpe", "dialogpt-bpe"}) {
    const fs::path fixture = fs::path(RAGRT_TEST_WORK_DIR) / "tokenizers" / name / "tokenizer.json";
    const fs::path source = fs::path(RAGRT_SHARED_DIR) / "models/tokenizers" / name;
    if (!fs::exists(fixture) || !fs::exists(source)) continue;
    SCOPED_TRACE(name);
    std::ifstream in(fixture);
    json theirs = json::parse(in);
    expect_same_json(tokenizer_json_from_vocab_merges(source), theirs);
    ++compared;
  }
  if (compared == 0) GTEST_SKIP() << "no fixture under " << RAGRT_TEST_WORK_DIR << "/tokenizers";
}

TEST_F(VocabMergesConverter, EdgeCasesMatchThePythonConverter) {
  const fs::path script = fs::path(RAGRT_SOURCE_DIR) / "scripts/make_tokenizer_json.py";
  const std::string python = RAGRT_PYTHON3;
  if (python.empty() || !fs::exists(script)) GTEST_SKIP() << "python3 or " << script << " missing";
  struct Case {
    const char* merges;
    json config;
  };
  const Case cases[] = {
      {"#version: 0.2\na b\nab c\n", json{{"tokenizer_class", "GPT2Tokenizer"}, {"add_prefix_space", true}}},
      {"#version: 0.2\na b\nab c", json::object()},
      {"#version: 0.2\na b\n", json{{"add_bos_token", true}, {"bos_token", "<s>"}, {"pad_token", "<p>"}}},
      {"a b\n\n  ab c  \na b\r\n", json{{"tokenizer_class", "Qwen2Tokenizer"}, {"eos_token", "<e>"},
                                        {"extra_special_tokens", {{"x", "<q>"}}}}},
      {"#version: 0.2\na b\n",
       json{{"added_tokens_decoder", {{"5", {{"content", "<s>"}, {"special", false}, {"normalized", true}}},
                                      {"9", {{"content", "<m>"}, {"rstrip", true}}}}},
            {"eos_token", "<s>"},
            {"additional_special_tokens", {"<x>", {{"content", "<y>"}}}}}},
  };
  int index = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(index);
    write_vocab();
    write("merges.txt", c.merges);
    write("tokenizer_config.json", c.config.dump());
    const fs::path out = dir_ / ("py" + std::to_string(index++) + ".json");
    const std::string command = python + " " + script.string() + " " + dir_.string() + " " +
                                out.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(out);
    expect_same_json(tokenizer_json_from_vocab_merges(dir_), json::parse(in));
  }
}

}  // namespace
}  // namespace ragrt::text
