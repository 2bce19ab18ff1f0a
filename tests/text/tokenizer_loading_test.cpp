// Loading tokenizer.json: the accepted forms of Tokenizer::from_path and the errors for malformed
// files, which must name the file and the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json tiny() {
  return json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [{"id": 3, "content": "<x>", "single_word": false, "lstrip": false, "rstrip": false,
                      "normalized": false, "special": true}],
    "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "WhitespaceSplit"},
    "post_processor": null, "decoder": null,
    "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1, "world": 2}, "unk_token": "[UNK]"}})");
}

std::string error_of(const std::string& text, const std::string& source = "tokenizer.json") {
  try {
    ragrt::Tokenizer::from_json(text, source);
  } catch (const ragrt::Error& e) {
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kInvalidModel) << e.what();
    return e.what();
  }
  return "";
}

TEST(TokenizerLoading, ReadsAMinimalTokenizer) {
  auto tok = ragrt::Tokenizer::from_json(tiny().dump());
  ragrt::Encoding e = tok->encode("Hello <x> WORLD there", true);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{1, 3, 2, 0}));
  EXPECT_EQ(e.tokens, (std::vector<std::string>{"hello", "<x>", "world", "[UNK]"}));
  EXPECT_EQ(tok->token_to_id("<x>"), 3);
  EXPECT_EQ(tok->id_to_token(2), "world");
  EXPECT_FALSE(tok->id_to_token(99).has_value());
  EXPECT_EQ(tok->vocab_size(), 4u);
  EXPECT_EQ(tok->decode(std::vector<int32_t>{1, 3, 2}, false), "hello <x> world");
  EXPECT_EQ(tok->decode(std::vector<int32_t>{1, 3, 2}, true), "hello world");
}

TEST(TokenizerLoading, NamesTheFileAndFieldOfUnsupportedComponents) {
  json j = tiny();
  j["normalizer"] = {{"type", "Foo"}};
  EXPECT_EQ(error_of(j.dump()), "tokenizer.json: normalizer.type \"Foo\" is not supported");
  j = tiny();
  j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", {{{"type", "Whitespace"}}, {{"type", "Bar"}}}}};
  EXPECT_EQ(error_of(j.dump()), "tokenizer.json: pre_tokenizer.pretokenizers[1].type \"Bar\" is not supported");
  j = tiny();
  j["model"]["type"] = "Mystery";
  EXPECT_EQ(error_of(j.dump()), "tokenizer.json: model.type \"Mystery\" is not supported");
  j = tiny();
  j["decoder"] = {{"type", "Strip"}, {"content", "ab"}, {"start", 1}, {"stop", 0}};
  EXPECT_NE(error_of(j.dump()).find("decoder.content must be a single character"), std::string::npos);
  j = tiny();
  j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
  EXPECT_NE(error_of(j.dump()).find("pre_tokenizer.pattern"), std::string::npos);
  j = tiny();
  j["padding"] = {{"strategy", "Sometimes"}};
  EXPECT_NE(error_of(j.dump()).find("tokenizer.json: padding.strategy must be"), std::string::npos);
  j = tiny();
  j.erase("model");
  EXPECT_EQ(error_of(j.dump()), "tokenizer.json: model is missing");
}

TEST(TokenizerLoading, RefusesMalformedJson) {
  std::string err = error_of("{\"model\": ", "/tmp/x/tokenizer.json");
  EXPECT_NE(err.find("/tmp/x/tokenizer.json: invalid JSON"), std::string::npos) << err;
  EXPECT_NE(error_of("[1, 2]").find("must be a JSON object"), std::string::npos);
}

TEST(TokenizerLoading, AcceptsAFileAFolderOrAVocabMergesFolder) {
  fs::path dir = fs::temp_directory_path() / ("ragrt_tok_load_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "tokenizer.json") << tiny().dump();
  }
  EXPECT_EQ(ragrt::Tokenizer::from_path(dir / "tokenizer.json")->encode("hello").ids, std::vector<int32_t>{1});
  EXPECT_EQ(ragrt::Tokenizer::from_path(dir)->encode("world").ids, std::vector<int32_t>{2});
  fs::path missing = dir / "nope";
  try {
    ragrt::Tokenizer::from_path(missing);
    ADD_FAILURE() << "loaded a missing path";
  } catch (const ragrt::Error& e) {
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos);
  }
  fs::remove_all(dir);

  fs::path gpt = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers" / "dialogpt-bpe";
  if (fs::exists(gpt / "vocab.json")) {
    auto tok = ragrt::Tokenizer::from_path(gpt);
    ragrt::Encoding e = tok->encode("Hello world", false);
    EXPECT_EQ(e.tokens, (std::vector<std::string>{"Hello", "Ġworld"}));
    EXPECT_EQ(tok->decode(e.ids, true), "Hello world");
  }
}

}  // namespace
