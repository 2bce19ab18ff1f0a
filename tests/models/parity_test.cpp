// Agreement with transformers.js on the same model folders: reference vectors and logits written
// by scripts/node/embed_reference.mjs (fixture 30-transformersjs-reference.sh).
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "ragrt/onnx_embedder.h"
#include "ragrt/onnx_reranker.h"
#include "runtime/test_models.h"

using ragrt::testing::test_model_dir;

namespace {

nlohmann::json reference() {
  std::ifstream in(std::filesystem::path(RAGRT_TEST_WORK_DIR) / "reference" / "embeddings.json");
  EXPECT_TRUE(in.good()) << "run the test fixtures first (scripts/fixtures/30-transformersjs-reference.sh)";
  return in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
}

// Synthetic models live in the test work dir; real ones under ../shared/models are named by the
// reference (scripts/fixtures/30-transformersjs-reference.sh links them in as real-*).
std::filesystem::path model_dir(const std::string& name, const nlohmann::json& r) {
  return r.contains("dir") ? std::filesystem::path(r.at("dir").get<std::string>()) : test_model_dir(name);
}

double cosine(const std::vector<float>& a, const std::vector<double>& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += a[i] * b[i];
    na += double(a[i]) * a[i];
    nb += b[i] * b[i];
  }
  return dot / std::sqrt(na * nb);
}

double max_abs_diff(const std::vector<float>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace

TEST(TransformersJsParity, EmbeddingsAgreeWithinCosine0_9999) {
  nlohmann::json ref = reference();
  ASSERT_TRUE(ref.contains("embedders"));
  const auto texts = ref.at("texts").get<std::vector<std::string>>();
  double worst_gap = 0;
  size_t compared = 0;
  for (const auto& [name, r] : ref.at("embedders").items()) {
    SCOPED_TRACE(name);
    auto e = ragrt::OnnxEmbedder::load(model_dir(name, r));
    EXPECT_EQ(e->max_length(), r.at("max_length").get<size_t>());
    EXPECT_EQ(std::string(ragrt::to_string(e->pooling())), r.at("pooling").get<std::string>());
    EXPECT_EQ(e->normalizes(), r.at("normalize").get<bool>());
    auto got = e->embed(texts);
    ASSERT_EQ(got.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      SCOPED_TRACE("text " + std::to_string(i));
      // Tokenization is checked on its own first, so a difference is blamed on the right layer.
      std::vector<int32_t> ids = e->tokenizer().encode(texts[i]).ids;
      EXPECT_EQ(ids, r.at("token_ids")[i].get<std::vector<int32_t>>())
          << "ragrt's tokenizer differs from Hugging Face tokenizers here (a tokenizer bug, not a model one)";
      auto want = r.at("embeddings")[i].get<std::vector<double>>();
      ASSERT_EQ(got[i].size(), want.size());
      double c = cosine(got[i], want);
      EXPECT_GE(c, 0.9999);
      // Unnormalized vectors must match in length too, not only in direction.
      EXPECT_LT(max_abs_diff(got[i], want), 1e-3);
      worst_gap = std::max(worst_gap, 1.0 - c);
      ++compared;
      const auto& piped = r.at("pipeline_embeddings")[i];
      if (!piped.is_null()) {
        double cp = cosine(got[i], piped.get<std::vector<double>>());
        EXPECT_GE(cp, 0.9999) << "against the transformers.js pipeline";
        worst_gap = std::max(worst_gap, 1.0 - cp);
      }
    }
  }
  EXPECT_GE(compared, 20u);
  std::cout << "[parity] embeddings: " << compared << " vectors, max cosine gap " << worst_gap << "\n";
  RecordProperty("max_cosine_gap", std::to_string(worst_gap));
}

TEST(TransformersJsParity, RerankerScoresAgreeWithin1e4) {
  nlohmann::json ref = reference();
  ASSERT_TRUE(ref.contains("rerankers"));
  const auto pairs = ref.at("pairs").get<std::vector<std::pair<std::string, std::string>>>();
  double worst = 0, worst_same_tokens = 0;
  for (const auto& [name, r] : ref.at("rerankers").items()) {
    SCOPED_TRACE(name);
    ragrt::RerankerOptions o;
    o.batch_size = 3;
    auto rr = ragrt::OnnxReranker::load(model_dir(name, r), o);
    EXPECT_EQ(rr->max_length(), r.at("max_length").get<size_t>());
    auto got = rr->score_pairs(pairs);
    ASSERT_EQ(got.size(), pairs.size());
    for (size_t i = 0; i < pairs.size(); ++i) {
      ragrt::Encoding enc = rr->tokenizer().encode_pair(pairs[i].first, pairs[i].second);
      const bool same_tokens = enc.ids == r.at("token_ids")[i].get<std::vector<int32_t>>();
      EXPECT_TRUE(same_tokens) << "pair " << i
                               << ": ragrt's tokenizer differs from Hugging Face tokenizers (a tokenizer bug)";
      EXPECT_EQ(enc.type_ids, r.at("type_ids")[i].get<std::vector<int32_t>>()) << "pair " << i;
      double want = r.at("logits")[i].get<double>();
      EXPECT_NEAR(got[i], want, 1e-4) << "pair " << i;
      worst = std::max(worst, std::abs(got[i] - want));
      if (same_tokens) worst_same_tokens = std::max(worst_same_tokens, std::abs(got[i] - want));
      const auto& piped = r.at("pipeline_logits")[i];
      if (!piped.is_null()) {
        EXPECT_NEAR(got[i], piped.get<double>(), 1e-4) << "pair " << i << " against the transformers.js batch";
        worst = std::max(worst, std::abs(got[i] - piped.get<double>()));
      }
    }
  }
  std::cout << "[parity] reranker: max score difference " << worst << " (" << worst_same_tokens
            << " over pairs tokenized identically)\n";
  RecordProperty("max_score_diff", std::to_string(worst));
}
