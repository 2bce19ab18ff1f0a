// Every tokenizer component on small hand-made cases, against the answers Hugging Face
// tokenizers itself gave (tests/text/component_expectations.json, written by
// tests/text/make_component_expectations.js through the Node binding of the Rust crate).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ragrt/error.h"
#include "ragrt/tokenizer.h"
#include "text/decoder.h"
#include "text/normalizer.h"
#include "text/pre_tokenizer.h"

namespace {

using nlohmann::json;
using ragrt::text::JsonPath;

const json& expectations() {
  static const json j = [] {
    std::ifstream in(std::filesystem::path(RAGRT_SOURCE_DIR) / "tests/text/component_expectations.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
  }();
  return j;
}

std::vector<const json*> cases_of(const std::string& kind) {
  std::vector<const json*> out;
  for (const auto& c : expectations().at("cases"))
    if (c.at("kind") == kind) out.push_back(&c);
  return out;
}

json offsets_json(const std::vector<ragrt::Offsets>& offs) {
  json a = json::array();
  for (auto [s, e] : offs) a.push_back({s, e});
  return a;
}

// Ours, in the shape the generator records (code-point offsets, per sequence).
json view(const ragrt::Encoding& e, std::string_view first, std::string_view second) {
  std::vector<ragrt::Offsets> a, b;
  for (size_t i = 0; i < e.size(); ++i) (e.sequence_ids[i] == 1 ? b : a).push_back(e.offsets[i]);
  auto ca = ragrt::to_char_offsets(first, a), cb = ragrt::to_char_offsets(second, b);
  std::vector<ragrt::Offsets> offs;
  size_t ia = 0, ib = 0;
  for (size_t i = 0; i < e.size(); ++i) offs.push_back(e.sequence_ids[i] == 1 ? cb[ib++] : ca[ia++]);
  return {{"ids", e.ids},
          {"tokens", e.tokens},
          {"offsets", offsets_json(offs)},
          {"type_ids", e.type_ids},
          {"special_tokens_mask", e.special_tokens_mask},
          {"attention_mask", e.attention_mask},
          {"sequence_ids", e.sequence_ids}};
}

std::unique_ptr<ragrt::Tokenizer> tokenizer_for(const json& c) {
  const json& t = expectations().at("tokenizers").at(c.at("name").get<std::string>());
  return ragrt::Tokenizer::from_json(t.dump(), c.at("name").get<std::string>());
}

TEST(TokenizerComponents, HaveCases) {
  for (const char* kind : {"normalizer", "pre_tokenizer", "decoder", "encode", "batch", "decode", "vocab"})
    EXPECT_GT(cases_of(kind).size(), 0u) << kind;
}

TEST(TokenizerComponents, NormalizersMatchHuggingFace) {
  for (const json* c : cases_of("normalizer")) {
    auto n = ragrt::text::make_normalizer(c->at("component"), JsonPath{"case", "normalizer"});
    ASSERT_TRUE(n);
    ragrt::text::NormalizedString s(c->at("input").get<std::string>());
    n->normalize(s);
    EXPECT_EQ(s.get(), c->at("expected").get<std::string>())
        << c->at("component").dump() << " on " << c->at("input").dump();
    // Alignments always cover the normalized bytes and point into the original.
    ASSERT_EQ(s.alignments().size(), s.get().size());
    for (const auto& a : s.alignments()) EXPECT_LE(a.end, s.original().size());
  }
}

TEST(TokenizerComponents, PreTokenizersMatchHuggingFace) {
  for (const json* c : cases_of("pre_tokenizer")) {
    auto p = ragrt::text::make_pre_tokenizer(c->at("component"), JsonPath{"case", "pre_tokenizer"});
    ASSERT_TRUE(p);
    std::string input = c->at("input").get<std::string>();
    ragrt::text::PreTokenizedString pts(input);
    p->pre_tokenize(pts);
    std::vector<ragrt::Offsets> offs;
    for (const auto& s : pts.splits()) offs.push_back(s.normalized.offsets_original());
    auto chars = ragrt::to_char_offsets(input, offs);
    json got = json::array();
    for (size_t i = 0; i < pts.splits().size(); ++i)
      got.push_back({pts.splits()[i].normalized.get(), {chars[i].first, chars[i].second}});
    EXPECT_EQ(got, c->at("expected")) << c->at("component").dump() << " on " << c->at("input").dump();
  }
}

TEST(TokenizerComponents, DecodersMatchHuggingFace) {
  for (const json* c : cases_of("decoder")) {
    auto d = ragrt::text::make_decoder(c->at("component"), JsonPath{"case", "decoder"});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->decode(c->at("input").get<std::vector<std::string>>()), c->at("expected").get<std::string>())
        << c->at("component").dump() << " on " << c->at("input").dump();
  }
}

TEST(TokenizerComponents, EncodingsMatchHuggingFace) {
  for (const json* c : cases_of("encode")) {
    auto tok = tokenizer_for(*c);
    std::string first = c->at("input").get<std::string>();
    std::string second = c->value("pair", "");
    bool special = c->at("add_special_tokens").get<bool>();
    std::string what = fmt::format("{}: {} / {} (special={})", c->at("name").get<std::string>(), c->at("input").dump(),
                                   c->contains("pair") ? c->at("pair").dump() : "-", special);
    if (c->at("expected").contains("error")) {
      EXPECT_THROW(c->contains("pair") ? tok->encode_pair(first, second, special) : tok->encode(first, special),
                   ragrt::Error)
          << what;
      continue;
    }
    ragrt::Encoding e = c->contains("pair") ? tok->encode_pair(first, second, special) : tok->encode(first, special);
    EXPECT_EQ(view(e, first, second), c->at("expected")) << what;
  }
}

TEST(TokenizerComponents, BatchesMatchHuggingFace) {
  for (const json* c : cases_of("batch")) {
    auto tok = tokenizer_for(*c);
    auto texts = c->at("input").get<std::vector<std::string>>();
    auto encs = tok->encode_batch(texts, true);
    ASSERT_EQ(encs.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i)
      EXPECT_EQ(view(encs[i], texts[i], ""), c->at("expected")[i]) << c->at("name") << " batch item " << i;
  }
}

TEST(TokenizerComponents, DecodeMatchesHuggingFace) {
  for (const json* c : cases_of("decode")) {
    auto tok = tokenizer_for(*c);
    auto ids = c->at("input").get<std::vector<int32_t>>();
    EXPECT_EQ(tok->decode(ids, c->at("skip_special_tokens").get<bool>()), c->at("expected").get<std::string>())
        << c->at("name") << " skip=" << c->at("skip_special_tokens");
  }
}

TEST(TokenizerComponents, VocabularyMatchesHuggingFace) {
  for (const json* c : cases_of("vocab")) {
    auto tok = tokenizer_for(*c);
    for (const auto& [id, token] : c->at("expected").at("id_to_token").items()) {
      auto got = tok->id_to_token(std::stoi(id));
      if (token.is_null()) {
        EXPECT_FALSE(got.has_value()) << c->at("name") << " id " << id;
      } else {
        ASSERT_TRUE(got.has_value()) << c->at("name") << " id " << id;
        EXPECT_EQ(*got, token.get<std::string>()) << c->at("name") << " id " << id;
      }
    }
  }
}

}  // namespace
