// BPE model tests. Expected outputs were taken from Hugging Face tokenizers 0.23 (Node binding) on
// the same vocabularies with no normalizer / pre-tokenizer, so the whole text is one piece. The
// offsets here are the model's byte offsets within the piece; HF's pipeline afterwards widens an
// offset that falls inside a multi-byte character (byte-fallback tokens) to the whole character.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "text/model_test_util.h"
#include "text/bpe_model.h"

namespace ragrt::text {
namespace {

using nlohmann::json;

using test::expect_tokens;

const json kVocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}, {"<unk>", 6}};

std::unique_ptr<Model> bpe(json model) {
  model["type"] = "BPE";
  return make_bpe_model(model, "test.json");
}

TEST(BpeModel, LegacyStringMergesAndPairMergesAgree) {
  auto legacy = bpe({{"vocab", kVocab}, {"merges", {"a b", "ab c"}}});
  auto pairs = bpe({{"vocab", kVocab}, {"merges", json::array({json::array({"a", "b"}), json::array({"ab", "c"})})}});
  for (const Model* m : {legacy.get(), pairs.get()}) {
    expect_tokens(*m, "abcab", {{5, 3}, {"abc", "ab"}, {{0, 3}, {3, 5}}});
    expect_tokens(*m, "ca", {{2, 0}, {"c", "a"}, {{0, 1}, {1, 2}}});
  }
  EXPECT_TRUE(legacy->tokenize("").empty());
}

TEST(BpeModel, LowestRankMergeWinsAndVersionLineIsSkipped) {
  auto m = bpe({{"vocab", kVocab}, {"merges", {"#version: 0.2", "b c", "a b", "ab c"}}});
  // "b c" (rank 0) beats "a b" (rank 1), so "abc" never forms.
  expect_tokens(*m, "abcab", {{0, 4, 3}, {"a", "bc", "ab"}, {{0, 1}, {1, 3}, {3, 5}}});
}

TEST(BpeModel, UnknownCharactersWithoutFusing) {
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b"}}, {"unk_token", "<unk>"}});
  expect_tokens(*m, "axyb", {{0, 6, 6, 1}, {"a", "<unk>", "<unk>", "b"}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}}});
  expect_tokens(*m, "a\xC3\xA9" "b\xC3\xA9",
                {{0, 6, 1, 6}, {"a", "<unk>", "b", "<unk>"}, {{0, 1}, {1, 3}, {3, 4}, {4, 6}}});
}

TEST(BpeModel, FuseUnkJoinsConsecutiveUnknowns) {
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b"}}, {"unk_token", "<unk>"}, {"fuse_unk", true}});
  expect_tokens(*m, "axyb", {{0, 6, 1}, {"a", "<unk>", "b"}, {{0, 1}, {1, 3}, {3, 4}}});
  expect_tokens(*m, "xxab", {{6, 3}, {"<unk>", "ab"}, {{0, 2}, {2, 4}}});
  expect_tokens(*m, "abzz", {{3, 6}, {"ab", "<unk>"}, {{0, 2}, {2, 4}}});
}

TEST(BpeModel, WithoutUnkTokenUnknownCharactersAreDroppedAndLaterOffsetsShift) {
  // HF quirk kept on purpose: offsets are running sums of the kept symbols' lengths.
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b"}}});
  expect_tokens(*m, "axyb", {{3}, {"ab"}, {{0, 2}}});
}

TEST(BpeModel, ByteFallback) {
  json vocab = kVocab;
  vocab["<0xC3>"] = 7;
  vocab["<0xA9>"] = 8;
  vocab["<0x0A>"] = 9;
  auto m = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"byte_fallback", true}});
  expect_tokens(*m, "a\xC3\xA9" "b",
                {{0, 7, 8, 1}, {"a", "<0xC3>", "<0xA9>", "b"}, {{0, 1}, {1, 2}, {2, 3}, {3, 4}}});
  // "€" has bytes without <0xXX> tokens and there is no unk_token: it is dropped.
  expect_tokens(*m, "a\xE2\x82\xAC" "b", {{3}, {"ab"}, {{0, 2}}});

  auto with_unk = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"byte_fallback", true}, {"unk_token", "<unk>"}});
  expect_tokens(*with_unk, "a\xE2\x82\xAC" "b", {{0, 6, 1}, {"a", "<unk>", "b"}, {{0, 1}, {1, 4}, {4, 5}}});
  // HF emits byte-fallback tokens before a still-pending unknown; we keep that order.
  expect_tokens(*with_unk, "x\xC3\xA9",
                {{7, 8, 6}, {"<0xC3>", "<0xA9>", "<unk>"}, {{0, 1}, {1, 2}, {2, 3}}});
  expect_tokens(*with_unk, "x\ny", {{9, 6, 6}, {"<0x0A>", "<unk>", "<unk>"}, {{0, 1}, {1, 2}, {2, 3}}});

  auto fused = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"byte_fallback", true}, {"unk_token", "<unk>"}, {"fuse_unk", true}});
  expect_tokens(*fused, "x\ny", {{9, 6}, {"<0x0A>", "<unk>"}, {{0, 1}, {1, 3}}});
}

TEST(BpeModel, ContinuingSubwordPrefixAndEndOfWordSuffix) {
  json vocab = {{"a", 0},       {"##b", 1},  {"##c", 2},     {"ab", 3},    {"##bc</w>", 4},
                {"abc</w>", 5}, {"[UNK]", 6}, {"b", 7},      {"c</w>", 8}, {"##c</w>", 9},
                {"a</w>", 10},  {"##b</w>", 11}, {"ab</w>", 12}};
  auto m = bpe({{"vocab", vocab},
                {"merges", {"##b ##c</w>", "a ##b", "a ##bc</w>", "a ##b</w>"}},
                {"continuing_subword_prefix", "##"},
                {"end_of_word_suffix", "</w>"},
                {"unk_token", "[UNK]"}});
  expect_tokens(*m, "abc", {{5}, {"abc</w>"}, {{0, 3}}});
  expect_tokens(*m, "ab", {{12}, {"ab</w>"}, {{0, 2}}});
  expect_tokens(*m, "bc", {{7, 9}, {"b", "##c</w>"}, {{0, 1}, {1, 2}}});
  expect_tokens(*m, "abcabc", {{3, 2, 6, 4}, {"ab", "##c", "[UNK]", "##bc</w>"}, {{0, 2}, {2, 3}, {3, 4}, {4, 6}}});
  expect_tokens(*m, "b", {{6}, {"[UNK]"}, {{0, 1}}});
}

TEST(BpeModel, IgnoreMergesEmitsWholeWordsFoundInVocab) {
  json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}, {"d", 5}};
  auto ignoring = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"ignore_merges", true}});
  auto merging = bpe({{"vocab", vocab}, {"merges", {"a b"}}});
  expect_tokens(*ignoring, "abc", {{4}, {"abc"}, {{0, 3}}});
  expect_tokens(*merging, "abc", {{3, 2}, {"ab", "c"}, {{0, 2}, {2, 3}}});
  expect_tokens(*ignoring, "abd", {{3, 5}, {"ab", "d"}, {{0, 2}, {2, 3}}});
}

TEST(BpeModel, DropoutOneSkipsEveryMergeAndZeroOrNullIsNone) {
  json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"abc", 4}};
  auto all = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"dropout", 1.0}, {"ignore_merges", true}});
  expect_tokens(*all, "abc", {{0, 1, 2}, {"a", "b", "c"}, {{0, 1}, {1, 2}, {2, 3}}});
  for (json dropout : {json(nullptr), json(0.0), json(0.5)}) {
    auto none = bpe({{"vocab", vocab}, {"merges", {"a b"}}, {"dropout", dropout}});
    expect_tokens(*none, "abc", {{3, 2}, {"ab", "c"}, {{0, 2}, {2, 3}}});
  }
}

TEST(BpeModel, VocabularyLookups) {
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b"}}});
  EXPECT_EQ(m->vocab_size(), 7u);
  EXPECT_EQ(m->token_to_id("abc"), 5);
  EXPECT_EQ(m->token_to_id("zz"), std::nullopt);
  EXPECT_EQ(m->id_to_token(4), "bc");
  EXPECT_EQ(m->id_to_token(7), std::nullopt);
  EXPECT_EQ(m->id_to_token(-1), std::nullopt);
}

TEST(BpeModel, RepeatedMergeTakesItsLaterRank) {
  // HF collects merges into a map, so the later occurrence's rank wins: "a b" ends up after "b c".
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b", "b c", "a b"}}});
  expect_tokens(*m, "abc", {{0, 4}, {"a", "bc"}, {{0, 1}, {1, 3}}});
}

void expect_error_mentioning(const json& model, const std::string& needle) {
  try {
    make_bpe_model(model, "bad.json");
    ADD_FAILURE() << "no error for " << model.dump();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
}

TEST(BpeModel, MalformedModelsNameTheField) {
  expect_error_mentioning({{"merges", json::array()}}, "model.vocab");
  expect_error_mentioning({{"vocab", kVocab}}, "model.merges");
  expect_error_mentioning({{"vocab", json::array()}, {"merges", json::array()}}, "model.vocab");
  expect_error_mentioning({{"vocab", {{"a", -1}}}, {"merges", json::array()}}, "model.vocab[\"a\"]");
  expect_error_mentioning({{"vocab", {{"a", "x"}}}, {"merges", json::array()}}, "model.vocab[\"a\"]");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", {"a b", "c"}}}, "model.merges[1]");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", {"a b", {"a", "b"}}}}, "model.merges[1]");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", {{"a", "b", "c"}}}}, "model.merges[0]");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", {"a q"}}}, "'q' is not in model.vocab");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", {"c a"}}}, "merged token 'ca'");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", json::array()}, {"dropout", 1.5}}, "model.dropout");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", json::array()}, {"unk_token", 3}}, "model.unk_token");
  expect_error_mentioning({{"vocab", kVocab}, {"merges", json::array()}, {"fuse_unk", "yes"}}, "model.fuse_unk");
  expect_error_mentioning({{"type", "WordPiece"}, {"vocab", kVocab}, {"merges", json::array()}}, "model.type");
}

TEST(BpeModel, UnkTokenMissingFromVocabFailsWhenNeeded) {
  auto m = bpe({{"vocab", kVocab}, {"merges", {"a b"}}, {"unk_token", "[UNK]"}});
  expect_tokens(*m, "ab", {{3}, {"ab"}, {{0, 2}}});
  EXPECT_THROW(m->tokenize("x"), Error);
}

// A vocabulary where every two-letter pair merges, and some three-letter sequences too, with ranks
// scattered so that the merge order matters.
std::unique_ptr<Model> letters_model() {
  json vocab = json::object();
  json merges = json::array();
  int32_t next = 0;
  for (char c = 'a'; c <= 'z'; ++c) vocab[std::string(1, c)] = next++;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (char x = 'a'; x <= 'z'; ++x)
    for (char y = 'a'; y <= 'z'; ++y) pairs.emplace_back(std::string(1, x), std::string(1, y));
  std::mt19937 rng(7);
  std::shuffle(pairs.begin(), pairs.end(), rng);
  for (const auto& [x, y] : pairs) {
    vocab[x + y] = next++;
    merges.push_back({x, y});
  }
  for (size_t i = 0; i < pairs.size(); i += 3) {
    const std::string two = pairs[i].first + pairs[i].second;
    const std::string three = two + pairs[(i * 7) % pairs.size()].first;
    if (vocab.contains(three)) continue;
    vocab[three] = next++;
    merges.push_back({two, three.substr(2)});
  }
  return bpe({{"vocab", vocab}, {"merges", merges}});
}

TEST(BpeModel, ConcurrentTokenizeMatchesSingleThreaded) {
  auto model = letters_model();
  std::mt19937 rng(11);
  // More distinct words than the cache holds, so both hits and the full-cache path are exercised.
  std::vector<std::string> words = test::random_words(rng, 12000);
  std::vector<std::vector<Token>> reference;
  {
    auto fresh = letters_model();  // uncached reference
    for (const auto& w : words) reference.push_back(fresh->tokenize(w));
  }
  test::expect_concurrent_tokenize_matches(*model, words, reference);
}

}  // namespace
}  // namespace ragrt::text
