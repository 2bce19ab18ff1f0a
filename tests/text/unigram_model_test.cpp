// Unigram model tests. Expected outputs were taken from Hugging Face tokenizers 0.23 (Node binding)
// on the same vocabularies with no normalizer / pre-tokenizer, so the whole text is one piece.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "text/model_test_util.h"
#include "text/unigram_model.h"

namespace ragrt::text {
namespace {

using nlohmann::json;

using test::expect_tokens;

const json kVocab = json::array({{"<unk>", 0.0}, {"a", -1.0}, {"b", -2.0}, {"c", -2.5}, {"ab", -2.9},
                                 {"bc", -3.0}, {"abc", -6.0}, {"d", -3.0}, {"\xC3\xA9", -4.0},
                                 {"\xE4\xB8\xAD", -5.0}, {"\xE4\xB8\xAD\xE6\x96\x87", -6.0},
                                 {"\xE2\x96\x81", -1.5}, {"\xE2\x96\x81" "a", -2.0}});

std::unique_ptr<Model> unigram(json model) {
  model["type"] = "Unigram";
  return make_unigram_model(model, "test.json");
}

TEST(UnigramModel, ViterbiPicksTheHighestScoringSegmentation) {
  auto m = unigram({{"unk_id", 0}, {"vocab", kVocab}});
  // a + bc = -4.0 beats ab + c = -5.4 and abc = -6.0.
  expect_tokens(*m, "abc", {{1, 5}, {"a", "bc"}, {{0, 1}, {1, 3}}});
  expect_tokens(*m, "abcd", {{1, 5, 7}, {"a", "bc", "d"}, {{0, 1}, {1, 3}, {3, 4}}});
  // "中文字": 中文 + unknown 字.
  expect_tokens(*m, "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97",
                {{10, 0}, {"\xE4\xB8\xAD\xE6\x96\x87", "\xE5\xAD\x97"}, {{0, 6}, {6, 9}}});
  expect_tokens(*m, "\xE2\x96\x81" "a" "\xE2\x96\x81" "ab",
                {{12, 12, 2}, {"\xE2\x96\x81" "a", "\xE2\x96\x81" "a", "b"}, {{0, 4}, {4, 8}, {8, 9}}});
  EXPECT_TRUE(m->tokenize("").empty());
}

TEST(UnigramModel, TiesKeepThePieceThatStartsEarliest) {
  // ab + c, a + bc and abc all score -3.5: HF keeps the candidate found first for each end
  // position, i.e. the one whose last piece starts earliest.
  json vocab = json::array({{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {"c", -1.5}, {"ab", -2.0},
                            {"bc", -2.5}, {"abc", -3.5}});
  auto m = unigram({{"unk_id", 0}, {"vocab", vocab}});
  expect_tokens(*m, "abc", {{6}, {"abc"}, {{0, 3}}});
  json no_abc = vocab;
  no_abc.erase(6);
  auto m2 = unigram({{"unk_id", 0}, {"vocab", no_abc}});
  expect_tokens(*m2, "abc", {{1, 5}, {"a", "bc"}, {{0, 1}, {1, 3}}});
}

TEST(UnigramModel, UnknownCharactersAreFusedAndNamedByTheirText) {
  auto m = unigram({{"unk_id", 0}, {"vocab", kVocab}});
  expect_tokens(*m, "xyab", {{0, 4}, {"xy", "ab"}, {{0, 2}, {2, 4}}});
  expect_tokens(*m, "a\xE2\x82\xAC" "b", {{1, 0, 2}, {"a", "\xE2\x82\xAC", "b"}, {{0, 1}, {1, 4}, {4, 5}}});
  expect_tokens(*m, "\xE2\x82\xAC" "x" "\xE2\x82\xAC", {{0}, {"\xE2\x82\xAC" "x" "\xE2\x82\xAC"}, {{0, 7}}});
  // The literal unk piece fuses with unknowns next to it.
  expect_tokens(*m, "<unk>x", {{0}, {"<unk>x"}, {{0, 6}}});
  expect_tokens(*m, "a<unk>b", {{1, 0, 2}, {"a", "<unk>", "b"}, {{0, 1}, {1, 6}, {6, 7}}});
}

TEST(UnigramModel, UnkIdPointingAtARegularPieceFusesWithIt) {
  // unk_id 2 is "b": HF fuses every path node with that id, then looks the fused text up.
  auto m = unigram({{"unk_id", 2}, {"vocab", kVocab}});
  expect_tokens(*m, "a\xE2\x82\xAC" "b", {{1, 2}, {"a", "\xE2\x82\xAC" "b"}, {{0, 1}, {1, 5}}});
  expect_tokens(*m, "<unk>x", {{0, 2}, {"<unk>", "x"}, {{0, 5}, {5, 6}}});
}

TEST(UnigramModel, ByteFallbackSpellsUnknownRunsAsBytes) {
  json vocab = kVocab;
  for (const char* b : {"<0xE2>", "<0x82>", "<0xAC>", "<0x78>"}) vocab.push_back({b, -10.0});
  auto m = unigram({{"unk_id", 0}, {"vocab", vocab}, {"byte_fallback", true}});
  // Every byte token spans the whole unknown run.
  expect_tokens(*m, "a\xE2\x82\xAC" "b",
                {{1, 13, 14, 15, 2}, {"a", "<0xE2>", "<0x82>", "<0xAC>", "b"}, {{0, 1}, {1, 4}, {1, 4}, {1, 4}, {4, 5}}});
  expect_tokens(*m, "\xE2\x82\xAC" "x" "\xE2\x82\xAC",
                {{13, 14, 15, 16, 13, 14, 15},
                 {"<0xE2>", "<0x82>", "<0xAC>", "<0x78>", "<0xE2>", "<0x82>", "<0xAC>"},
                 {{0, 7}, {0, 7}, {0, 7}, {0, 7}, {0, 7}, {0, 7}, {0, 7}}});
  // A byte without a token falls back to unk for the whole run.
  expect_tokens(*m, "xy", {{0}, {"xy"}, {{0, 2}}});
}

TEST(UnigramModel, MissingUnkIdIsAnErrorOnlyWhenAnUnknownCharacterAppears) {
  auto m = unigram({{"unk_id", nullptr}, {"vocab", kVocab}});
  expect_tokens(*m, "abcd", {{1, 5, 7}, {"a", "bc", "d"}, {{0, 1}, {1, 3}, {3, 4}}});
  EXPECT_THROW(m->tokenize("xyab"), Error);
}

TEST(UnigramModel, VocabularyLookups) {
  auto m = unigram({{"unk_id", 0}, {"vocab", kVocab}});
  EXPECT_EQ(m->vocab_size(), 13u);
  EXPECT_EQ(m->token_to_id("bc"), 5);
  EXPECT_EQ(m->token_to_id("bcd"), std::nullopt);
  EXPECT_EQ(m->token_to_id(""), std::nullopt);
  EXPECT_EQ(m->id_to_token(6), "abc");
  EXPECT_EQ(m->id_to_token(13), std::nullopt);
}

void expect_error_mentioning(const json& model, const std::string& needle) {
  try {
    make_unigram_model(model, "bad.json");
    ADD_FAILURE() << "no error for " << model.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
}

TEST(UnigramModel, MalformedModelsNameTheField) {
  expect_error_mentioning({{"unk_id", 0}}, "model.vocab");
  expect_error_mentioning({{"vocab", {{"a", 1}}}}, "model.vocab");
  expect_error_mentioning({{"vocab", {{"a", -1.0}, {"b"}}}}, "model.vocab[1]");
  expect_error_mentioning({{"vocab", json::array({{"a", -1.0}, {"b", "x"}})}}, "model.vocab[1]");
  expect_error_mentioning({{"vocab", kVocab}, {"unk_id", 13}}, "model.unk_id");
  expect_error_mentioning({{"vocab", kVocab}, {"unk_id", -1}}, "model.unk_id");
  expect_error_mentioning({{"vocab", json::array()}, {"unk_id", 0}}, "model.vocab");
  expect_error_mentioning({{"vocab", kVocab}, {"byte_fallback", 1}}, "model.byte_fallback");
  expect_error_mentioning({{"type", "BPE"}, {"vocab", kVocab}}, "model.type");
}

TEST(UnigramModel, ConcurrentTokenizeMatchesSingleThreaded) {
  // Every letter and many letter pairs / triples, with random scores.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> score(-12.0, -1.0);
  json vocab = json::array({{"<unk>", 0.0}});
  for (char x = 'a'; x <= 'y'; ++x) {
    vocab.push_back({std::string(1, x), score(rng)});
    for (char y = 'a'; y <= 'z'; y += 2) {
      vocab.push_back({std::string{x, y}, score(rng)});
      if ((x + y) % 3 == 0) vocab.push_back({std::string{x, y, x}, score(rng)});
    }
  }
  auto model = unigram({{"unk_id", 0}, {"vocab", vocab}});
  std::vector<std::string> words = test::random_words(rng, 12000);  // 'z' alone is unknown
  std::vector<std::vector<Token>> reference;
  {
    auto fresh = unigram({{"unk_id", 0}, {"vocab", vocab}});
    for (const auto& w : words) reference.push_back(fresh->tokenize(w));
  }
  test::expect_concurrent_tokenize_matches(*model, words, reference);
}

TEST(UnigramModel, RealT5VocabularySegmentsAsHuggingFaceDoes) {
  const std::filesystem::path path =
      std::filesystem::path(RAGRT_SHARED_DIR) / "models/tokenizers/t5-unigram/tokenizer.json";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not present";
  std::ifstream in(path);
  json tokenizer = json::parse(in);
  auto m = make_unigram_model(tokenizer["model"], path.string());
  EXPECT_EQ(m->vocab_size(), 32100u);
  // Pieces as T5's Metaspace pre-tokenizer produces them; outputs from HF tokenizers 0.23.
  expect_tokens(*m, "\xE2\x96\x81" "Hello", {{8774}, {"\xE2\x96\x81" "Hello"}, {{0, 8}}});
  expect_tokens(*m, "\xE2\x96\x81" "floccinaucinihilipilification",
                {{8882, 75, 11075, 76, 20694, 107, 23, 7446, 173, 2420},
                 {"\xE2\x96\x81" "flo", "c", "cina", "u", "cini", "h", "i", "lip", "il", "ification"},
                 {{0, 6}, {6, 7}, {7, 11}, {11, 12}, {12, 16}, {16, 17}, {17, 18}, {18, 21}, {21, 23}, {23, 32}}});
  expect_tokens(*m, "\xE2\x96\x81\xE4\xBD\xA0\xE5\xA5\xBD" "abc",
                {{3, 2, 9, 115, 75}, {"\xE2\x96\x81", "\xE4\xBD\xA0\xE5\xA5\xBD", "a", "b", "c"},
                 {{0, 3}, {3, 9}, {9, 10}, {10, 11}, {11, 12}}});
}

}  // namespace
}  // namespace ragrt::text
