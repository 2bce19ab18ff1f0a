// The real MiniLM (WordPiece) and T5 (Precompiled + Metaspace + Unigram) tokenizers from the
// shared folder on texts picked for their traps; expected values are what Hugging Face tokenizers
// (Node binding) returns for the same calls.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"

namespace {

namespace fs = std::filesystem;
const fs::path kTokenizers = fs::path(RAGRT_SHARED_DIR) / "models" / "tokenizers";

struct Expected {
  std::string text;
  std::vector<int32_t> ids;
  std::vector<std::string> tokens;
  std::vector<ragrt::Offsets> char_offsets;
};

void expect_encodes(const ragrt::Tokenizer& tok, const Expected& x) {
  ragrt::Encoding e = tok.encode(x.text, true);
  EXPECT_EQ(e.ids, x.ids) << x.text;
  EXPECT_EQ(e.tokens, x.tokens) << x.text;
  EXPECT_EQ(ragrt::to_char_offsets(x.text, e.offsets), x.char_offsets) << x.text;
}

std::unique_ptr<ragrt::Tokenizer> load(const char* name) {
  fs::path dir = kTokenizers / name;
  if (!fs::exists(dir)) return nullptr;
  return ragrt::Tokenizer::from_path(dir);
}

TEST(MiniLmTokenizer, MatchesHuggingFaceOnTrickyTexts) {
  auto tok = load("minilm-wordpiece");
  if (!tok) GTEST_SKIP() << "no shared minilm-wordpiece tokenizer";
  tok->set_padding(std::nullopt);
  const std::vector<Expected> cases = {
      {"Hello, World!", {101, 7592, 1010, 2088, 999, 102}, {"[CLS]", "hello", ",", "world", "!", "[SEP]"},
       {{0, 0}, {0, 5}, {5, 6}, {7, 12}, {12, 13}, {0, 0}}},
      {"北京欢迎你", {101, 1781, 1755, 100, 100, 100, 102}, {"[CLS]", "北", "京", "[UNK]", "[UNK]", "[UNK]", "[SEP]"},
       {{0, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {0, 0}}},
      {"Crème brûlée à la carte",
       {101, 13675, 21382, 7987, 9307, 2063, 1037, 2474, 11122, 2063, 102},
       {"[CLS]", "cr", "##eme", "br", "##ule", "##e", "a", "la", "cart", "##e", "[SEP]"},
       {{0, 0}, {0, 2}, {2, 5}, {6, 8}, {8, 11}, {11, 12}, {13, 14}, {15, 17}, {18, 22}, {22, 23}, {0, 0}}},
      {"I ❤️ 🤗 emoji", {101, 1045, 100, 100, 7861, 29147, 2072, 102},
       {"[CLS]", "i", "[UNK]", "[UNK]", "em", "##oj", "##i", "[SEP]"},
       {{0, 0}, {0, 1}, {2, 3}, {5, 6}, {7, 9}, {9, 11}, {11, 12}, {0, 0}}},
      {"spaces   and\ttabs\n\nnewlines", {101, 7258, 1998, 21628, 2015, 2047, 12735, 102},
       {"[CLS]", "spaces", "and", "tab", "##s", "new", "##lines", "[SEP]"},
       {{0, 0}, {0, 6}, {9, 12}, {13, 16}, {16, 17}, {19, 22}, {22, 27}, {0, 0}}},
      {std::string("bell\x07 nul\0 zero\u200bwidth", 23), {101, 4330, 16371, 2140, 5717, 9148, 11927, 2232, 102},
       {"[CLS]", "bell", "nu", "##l", "zero", "##wi", "##dt", "##h", "[SEP]"},
       {{0, 0}, {0, 4}, {6, 8}, {8, 9}, {11, 15}, {16, 18}, {18, 20}, {20, 21}, {0, 0}}},
  };
  for (const auto& c : cases) expect_encodes(*tok, c);
  ragrt::Encoding e = tok->encode("Crème brûlée, 北京!");
  EXPECT_EQ(tok->decode(e.ids, true), "creme brulee, 北 京!");
}

TEST(MiniLmTokenizer, AppliesTheDeclaredTruncationAndPadding) {
  auto tok = load("minilm-wordpiece");
  if (!tok) GTEST_SKIP() << "no shared minilm-wordpiece tokenizer";
  ASSERT_TRUE(tok->padding().has_value());
  ASSERT_TRUE(tok->truncation().has_value());
  EXPECT_EQ(tok->truncation()->max_length, 128u);
  ragrt::Encoding short_e = tok->encode("hello world");
  ASSERT_EQ(short_e.size(), 128u);
  EXPECT_EQ(short_e.ids[3], 102);
  EXPECT_EQ(short_e.ids[4], 0);
  EXPECT_EQ(short_e.tokens[4], "[PAD]");
  EXPECT_EQ(short_e.attention_mask[3], 1);
  EXPECT_EQ(short_e.attention_mask[4], 0);
  EXPECT_EQ(short_e.special_tokens_mask[4], 1);
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "word ";
  ragrt::Encoding long_e = tok->encode(long_text);
  ASSERT_EQ(long_e.size(), 128u);
  EXPECT_EQ(long_e.ids.front(), 101);
  EXPECT_EQ(long_e.ids.back(), 102);  // [SEP] kept: truncation leaves room for special tokens
  EXPECT_EQ(long_e.attention_mask.back(), 1);
  ragrt::Encoding pair = tok->encode_pair("first part", "second part");
  EXPECT_EQ(pair.type_ids[1], 0);
  EXPECT_EQ(pair.type_ids[5], 1);  // [CLS] first part [SEP] second ...
  EXPECT_EQ(pair.sequence_ids[0], -1);
  EXPECT_EQ(pair.sequence_ids[1], 0);
  EXPECT_EQ(pair.sequence_ids[5], 1);
}

TEST(T5Tokenizer, MatchesHuggingFaceOnTrickyTexts) {
  auto tok = load("t5-unigram");
  if (!tok) GTEST_SKIP() << "no shared t5-unigram tokenizer";
  EXPECT_FALSE(tok->padding().has_value());
  const std::vector<Expected> cases = {
      {"Hello, World!", {8774, 6, 1150, 55, 1}, {"▁Hello", ",", "▁World", "!", "</s>"},
       {{0, 5}, {5, 6}, {7, 12}, {12, 13}, {0, 0}}},
      {"北京欢迎你", {3, 2, 1}, {"▁", "北京欢迎你", "</s>"}, {{0, 1}, {0, 5}, {0, 0}}},
      {"Crème brûlée à la carte", {8427, 5843, 29925, 721, 3, 85, 50, 3329, 1},
       {"▁Cr", "ème", "▁brûl", "ée", "▁", "à", "▁la", "▁carte", "</s>"},
       {{0, 2}, {2, 5}, {6, 10}, {10, 12}, {13, 14}, {13, 14}, {15, 17}, {18, 23}, {0, 0}}},
      {"I ❤️ 🤗 emoji", {27, 3, 2, 3, 2, 3, 15, 51, 21892, 1},
       {"▁I", "▁", "❤️", "▁", "🤗", "▁", "e", "m", "oji", "</s>"},
       {{0, 1}, {2, 3}, {2, 4}, {5, 6}, {5, 6}, {7, 8}, {7, 8}, {8, 9}, {9, 12}, {0, 0}}},
      {"spaces   and\ttabs\n\nnewlines", {4856, 11, 3808, 7, 126, 6972, 1},
       {"▁spaces", "▁and", "▁tab", "s", "▁new", "lines", "</s>"},
       {{0, 6}, {9, 12}, {13, 16}, {16, 17}, {19, 22}, {22, 27}, {0, 0}}},
      {std::string("bell\x07 nul\0 zero\u200bwidth", 23), {12815, 206, 40, 2, 5733, 9400, 1},
       {"▁bell", "▁nu", "l", std::string(1, '\0'), "▁zero", "▁width", "</s>"},
       {{0, 4}, {6, 8}, {8, 9}, {9, 10}, {11, 15}, {16, 21}, {0, 0}}},
  };
  for (const auto& c : cases) expect_encodes(*tok, c);
  ragrt::Encoding e = tok->encode("Crème brûlée, 北京!");
  EXPECT_EQ(tok->decode(e.ids, true), "Crème brûlée, !");
}

TEST(RealTokenizers, RefuseInvalidUtf8NamingTheOffset) {
  for (const char* name : {"minilm-wordpiece", "t5-unigram"}) {
    auto tok = load(name);
    if (!tok) GTEST_SKIP() << "no shared tokenizers";
    for (const auto& [text, offset] : std::vector<std::pair<std::string, size_t>>{
             {"ok \xC3\x28 bad", 3}, {"\xFF", 0}, {"abc\xE2\x82", 3}, {"x\xED\xA0\x80", 1}, {"\xC0\xAF", 0}}) {
      try {
        tok->encode(text);
        ADD_FAILURE() << name << ": accepted invalid UTF-8";
      } catch (const ragrt::Error& e) {
        EXPECT_EQ(e.kind(), ragrt::ErrorKind::kInvalidArgument);
        EXPECT_NE(std::string(e.what()).find("byte offset " + std::to_string(offset)), std::string::npos)
            << e.what();
      }
    }
  }
}

}  // namespace
