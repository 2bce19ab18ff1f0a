#include "ragrt/onnx_embedder.h"

#include <cmath>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "runtime/test_models.h"

using ragrt::OnnxEmbedder;
using ragrt::EmbedderOptions;
using ragrt::Pooling;
using ragrt::testing::test_model_dir;

namespace {

const std::vector<std::string> kTexts{
    "Hello world!",
    "",
    "机器学习是人工智能的一个分支。",
    "A somewhat longer sentence about retrieval, embeddings and rerankers, to vary the lengths in a batch.",
    "short",
    "Ünïcödé àccents: naïve café",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
    "?!",
};

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

float norm(const std::vector<float>& v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return static_cast<float>(std::sqrt(s));
}

// The pooling-probe model's token vector for token id i (see scripts/make_test_models.py).
std::vector<double> probe_row(int64_t i) { return {double(i), double(i % 10), 1.0, double((i * 37) % 101)}; }

std::string error_of(const std::function<void()>& f, ragrt::ErrorKind* kind = nullptr) {
  try {
    f();
  } catch (const ragrt::Error& e) {
    if (kind) *kind = e.kind();
    return e.what();
  }
  return "";
}

std::filesystem::path copy_model(const std::string& name, const std::string& as) {
  auto dst = std::filesystem::path(::testing::TempDir()) / as;
  std::filesystem::remove_all(dst);
  std::filesystem::copy(test_model_dir(name), dst, std::filesystem::copy_options::recursive);
  return dst;
}

}  // namespace

TEST(Embedder, ReadsPoolingNormalizationAndLimitsFromTheFolder) {
  auto mean = OnnxEmbedder::load(test_model_dir("bert-mean"));
  EXPECT_EQ(mean->dimension(), 64u);
  EXPECT_EQ(mean->pooling(), Pooling::kMean);
  EXPECT_TRUE(mean->normalizes());
  EXPECT_EQ(mean->max_length(), 128u);  // tokenizer.json truncation (128) < model_max_length 512

  auto cls = OnnxEmbedder::load(test_model_dir("bert-cls"));
  EXPECT_EQ(cls->dimension(), 96u);
  EXPECT_EQ(cls->pooling(), Pooling::kCls);
  EXPECT_FALSE(cls->normalizes());  // modules.json has no Normalize
  EXPECT_EQ(cls->max_length(), 64u);  // max_position_embeddings
  EXPECT_EQ(cls->session().find_input("token_type_ids"), nullptr);

  EmbedderOptions o;
  o.pooling = Pooling::kMax;
  o.normalize = false;
  o.max_length = 1000;  // capped by the 512 positions
  auto overridden = OnnxEmbedder::load(test_model_dir("bert-mean"), o);
  EXPECT_EQ(overridden->pooling(), Pooling::kMax);
  EXPECT_FALSE(overridden->normalizes());
  EXPECT_EQ(overridden->max_length(), 512u);
}

TEST(Embedder, NormalizedVectorsHaveUnitLengthAndDifferByText) {
  auto e = OnnxEmbedder::load(test_model_dir("bert-mean"));
  auto v = e->embed(kTexts);
  ASSERT_EQ(v.size(), kTexts.size());
  for (const auto& x : v) {
    ASSERT_EQ(x.size(), 64u);
    EXPECT_NEAR(norm(x), 1.0f, 1e-5f);
  }
  EXPECT_GT(max_abs_diff(v[0], v[1]), 1e-2f);
  auto cls = OnnxEmbedder::load(test_model_dir("bert-cls"))->embed(kTexts);
  EXPECT_GT(std::abs(norm(cls[0]) - 1.0f), 0.1f);  // not normalized
}

TEST(Embedder, PoolingMatchesTheTokenTableExactly) {
  for (Pooling p : {Pooling::kMean, Pooling::kCls, Pooling::kMax, Pooling::kLastToken}) {
    for (bool normalize : {false, true}) {
      SCOPED_TRACE(std::string(ragrt::to_string(p)) + (normalize ? " normalized" : ""));
      EmbedderOptions o;
      o.pooling = p;
      o.normalize = normalize;
      o.batch_size = 3;  // several batches, each padded differently
      auto e = OnnxEmbedder::load(test_model_dir("pooling-probe"), o);
      auto got = e->embed(kTexts);
      for (size_t t = 0; t < kTexts.size(); ++t) {
        auto ids = e->tokenizer().encode(kTexts[t]).ids;
        ASSERT_GE(ids.size(), 2u);  // [CLS] ... [SEP]
        std::vector<double> want(4, 0.0);
        if (p == Pooling::kCls) want = probe_row(ids.front());
        if (p == Pooling::kLastToken) want = probe_row(ids.back());
        if (p == Pooling::kMax) want.assign(4, -1e300);
        for (int32_t id : ids) {
          auto row = probe_row(id);
          for (int d = 0; d < 4; ++d) {
            if (p == Pooling::kMean) want[d] += row[d] / ids.size();
            if (p == Pooling::kMax) want[d] = std::max(want[d], row[d]);
          }
        }
        if (normalize) {
          double n = std::sqrt(want[0] * want[0] + want[1] * want[1] + want[2] * want[2] + want[3] * want[3]);
          for (double& x : want) x /= n;
        }
        ASSERT_EQ(got[t].size(), 4u);
        for (int d = 0; d < 4; ++d) EXPECT_NEAR(got[t][d], want[d], 1e-6 * std::max(1.0, std::abs(want[d]))) << t;
      }
    }
  }
}

TEST(Embedder, TruncatesToTheModelLimit) {
  auto e = OnnxEmbedder::load(test_model_dir("bert-cls"));  // 64 positions
  std::string long_text;
  for (int i = 0; i < 100; ++i) long_text += "word" + std::to_string(i) + " ";
  EXPECT_EQ(e->tokenizer().encode(long_text).ids.size(), 64u);
  // Everything past the limit is cut, so what follows does not change the vector.
  auto a = e->embed(long_text);
  auto b = e->embed(long_text + " and a different ending");
  EXPECT_LT(max_abs_diff(a, b), 1e-6f);
}

TEST(Embedder, VectorsDoNotDependOnBatchComposition) {
  EmbedderOptions o;
  o.batch_size = 1;
  auto alone = OnnxEmbedder::load(test_model_dir("bert-mean"), o);
  std::vector<std::vector<float>> solo;
  for (const auto& t : kTexts) solo.push_back(alone->embed(t));
  for (size_t batch : {2u, 3u, 32u}) {
    o.batch_size = batch;
    auto e = OnnxEmbedder::load(test_model_dir("bert-mean"), o);
    std::vector<std::string> reversed(kTexts.rbegin(), kTexts.rend());
    auto fwd = e->embed(kTexts);
    auto rev = e->embed(reversed);
    for (size_t i = 0; i < kTexts.size(); ++i) {
      EXPECT_LT(max_abs_diff(fwd[i], solo[i]), 1e-5f) << "batch " << batch << " text " << i;
      EXPECT_LT(max_abs_diff(rev[kTexts.size() - 1 - i], solo[i]), 1e-5f) << "batch " << batch << " text " << i;
    }
  }
}

TEST(Embedder, ConcurrentCallersThroughTheDynamicBatcherGetTheirOwnVectors) {
  auto plain = OnnxEmbedder::load(test_model_dir("bert-mean"));
  std::vector<std::vector<float>> solo;
  for (const auto& t : kTexts) solo.push_back(plain->embed(t));

  EmbedderOptions o;
  o.dynamic_batching.enabled = true;
  o.dynamic_batching.max_texts = 16;
  o.dynamic_batching.max_wait = std::chrono::microseconds(3000);
  o.batch_size = 8;
  auto batched = OnnxEmbedder::load(test_model_dir("bert-mean"), o);
  constexpr int kThreads = 8, kCalls = 15;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int c = 0; c < kCalls; ++c) {
        std::vector<size_t> pick(1 + rng() % 4);
        std::vector<std::string> texts;
        for (auto& p : pick) {
          p = rng() % kTexts.size();
          texts.push_back(kTexts[p]);
        }
        auto got = batched->embed(texts);
        if (got.size() != pick.size()) {
          ++mismatches;
          continue;
        }
        for (size_t i = 0; i < pick.size(); ++i)
          if (max_abs_diff(got[i], solo[pick[i]]) > 1e-5f) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Embedder, ConcurrentCallersWithoutTheBatcherAgreeToo) {
  auto e = OnnxEmbedder::load(test_model_dir("bert-mean"));
  auto reference = e->embed(kTexts);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int c = 0; c < 10; ++c) {
        auto got = e->embed(kTexts);
        for (size_t i = 0; i < kTexts.size(); ++i)
          if (max_abs_diff(got[i], reference[i]) > 1e-5f) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(Embedder, EmptyInputGivesNoVectors) {
  auto e = OnnxEmbedder::load(test_model_dir("bert-mean"));
  EXPECT_TRUE(e->embed(std::vector<std::string>{}).empty());
}

TEST(Embedder, InvalidUtf8IsRejected) {
  auto e = OnnxEmbedder::load(test_model_dir("bert-mean"));
  ragrt::ErrorKind kind{};
  error_of([&] { e->embed(std::string("abc\xff")); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kInvalidArgument);
}

TEST(Embedder, CorruptModelFileIsNamed) {
  auto dir = copy_model("bert-mean", "embedder-corrupt");
  {
    std::ofstream f(dir / "onnx" / "model.onnx", std::ios::binary | std::ios::trunc);
    f << "this is not an onnx protobuf, just text that happens to sit where the model should be";
  }
  ragrt::ErrorKind kind{};
  std::string msg = error_of([&] { OnnxEmbedder::load(dir); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(msg.find((dir / "onnx" / "model.onnx").string() + ": ONNX Runtime cannot load this model"),
            std::string::npos)
      << msg;
}

TEST(Embedder, WrongInputsAreExplained) {
  ragrt::ErrorKind kind{};
  std::string msg = error_of([&] { OnnxEmbedder::load(test_model_dir("bad-inputs")); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kInvalidModel);
  EXPECT_NE(msg.find("model.onnx: embedder needs input 'input_ids' (int64 [batch, seq]); the model has inputs: "
                     "tokens (int32 [batch_size, sequence_length])"),
            std::string::npos)
      << msg;
}

TEST(Embedder, ACrossEncoderIsNotAnEmbedder) {
  std::string msg = error_of([&] { OnnxEmbedder::load(test_model_dir("cross-encoder")); });
  EXPECT_NE(msg.find("embedder needs output 'last_hidden_state' or 'token_embeddings'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("the model has outputs: logits (float [batch_size, 1])"), std::string::npos) << msg;
}

TEST(Embedder, MissingFolderAndModelFileAreNotFound) {
  ragrt::ErrorKind kind{};
  std::string msg = error_of([&] { OnnxEmbedder::load("/nonexistent/model-folder"); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kNotFound);
  EXPECT_NE(msg.find("/nonexistent/model-folder: model folder not found"), std::string::npos) << msg;

  auto dir = copy_model("bert-mean", "embedder-no-onnx");
  std::filesystem::remove_all(dir / "onnx");
  msg = error_of([&] { OnnxEmbedder::load(dir); }, &kind);
  EXPECT_EQ(kind, ragrt::ErrorKind::kNotFound);
  EXPECT_NE(msg.find("no ONNX model file (tried " + (dir / "onnx" / "model.onnx").string()), std::string::npos) << msg;
}

TEST(Embedder, UnsupportedSentenceTransformersModulesAreRejected) {
  auto dir = copy_model("bert-mean", "embedder-dense");
  {
    std::ofstream f(dir / "modules.json", std::ios::trunc);
    f << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
             {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},
             {"idx":2,"name":"2","path":"2_Dense","type":"sentence_transformers.models.Dense"}])";
  }
  std::string msg = error_of([&] { OnnxEmbedder::load(dir); });
  EXPECT_NE(msg.find("module 'sentence_transformers.models.Dense' is not supported"), std::string::npos) << msg;
}
