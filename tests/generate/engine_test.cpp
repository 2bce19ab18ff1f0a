// The local generation engine on the synthetic decoders (scripts/make_test_models.py): token
// parity with transformers.js, the KV cache changing nothing, batching changing nothing, the
// prefix cache, streaming, cancellation and stop strings.
#include "generate/engine.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "models/decoder_model.h"
#include "ragrt/error.h"
#include "ragrt/model_folder.h"
#include "runtime/test_models.h"
#include "text/utf8.h"

namespace ragrt::generate {
namespace {

using models::DecoderModel;

struct Loaded {
  std::shared_ptr<const DecoderModel> model;
  std::shared_ptr<const Tokenizer> tokenizer;
};

Loaded load(const std::string& name) {
  auto folder = ModelFolder::open(testing::test_model_dir(name));
  runtime::SessionParams session;
  session.intra_op_threads = 1;
  std::shared_ptr<Tokenizer> tokenizer = folder.load_tokenizer();
  tokenizer->set_truncation(std::nullopt);
  return {DecoderModel::open(folder, session), tokenizer};
}

const Loaded& tiny() {
  static Loaded loaded = load("llama-tiny");
  return loaded;
}

ResolvedSampling greedy(size_t max_new_tokens) {
  SamplingParams p;
  p.do_sample = false;
  p.max_new_tokens = max_new_tokens;
  p.seed = 1;
  return resolve_sampling(p, {});
}

ResolvedSampling sampled(size_t max_new_tokens, uint64_t seed) {
  SamplingParams p;
  p.do_sample = true;
  p.temperature = 0.8f;
  p.top_k = 40;
  p.top_p = 0.95f;
  p.max_new_tokens = max_new_tokens;
  p.seed = seed;
  return resolve_sampling(p, {});
}

EngineRequest request(std::vector<int32_t> prompt, ResolvedSampling sampling) {
  EngineRequest r;
  r.prompt = std::move(prompt);
  r.sampling = std::move(sampling);
  return r;
}

std::vector<int32_t> prompt_of(size_t length, int32_t seed) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < length; ++i) ids.push_back(static_cast<int32_t>((seed * 7919 + i * 104729) % 150000));
  return ids;
}

EngineParams engine_params(size_t max_batch, bool cache = true, size_t prefix_bytes = 0, size_t speculative = 4) {
  EngineParams p;
  p.speculative_tokens = speculative;
  p.max_batch = max_batch;
  p.use_kv_cache = cache;
  p.prefix_cache_bytes = prefix_bytes;
  p.prefix_cache_min_tokens = 4;
  return p;
}

TEST(DecoderModelTest, ReadsShapeFromGraphAndConfig) {
  const auto& s = tiny().model->shape();
  EXPECT_EQ(s.layers, 2u);
  EXPECT_EQ(s.attention_heads, 4u);
  EXPECT_EQ(s.kv_heads, 2u);  // grouped-query attention
  EXPECT_EQ(s.head_dim, 8u);
  EXPECT_EQ(s.vocab, 151936u);
  EXPECT_EQ(s.max_positions, 4096u);
  EXPECT_TRUE(tiny().model->feeds_position_ids());
  EXPECT_FALSE(tiny().model->merged());
  EXPECT_EQ(tiny().model->eos_ids(), (std::vector<int32_t>{151645, 151643}));
  EXPECT_EQ(tiny().model->default_sampling().max_new_tokens, 32u);
  EXPECT_EQ(tiny().model->default_sampling().do_sample, false);
}

class BrokenFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(RAGRT_TEST_WORK_DIR) / "generate" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::copy(testing::test_model_dir("llama-tiny"), dir_, std::filesystem::copy_options::recursive);
  }
  void edit(const std::string& file, const std::function<void(nlohmann::json&)>& change) {
    nlohmann::json j = nlohmann::json::parse(std::ifstream(dir_ / file));
    change(j);
    std::ofstream(dir_ / file) << j.dump(2);
  }
  std::string open_error() {
    try {
      DecoderModel::open(ModelFolder::open(dir_), {});
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidModel);
      return e.what();
    }
    ADD_FAILURE() << "the folder opened";
    return "";
  }
  std::filesystem::path dir_;
};

TEST_F(BrokenFolder, LayerCountDisagreeingWithGraphNamesConfigField) {
  edit("config.json", [](auto& j) { j["num_hidden_layers"] = 24; });
  auto message = open_error();
  EXPECT_NE(message.find("config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("num_hidden_layers"), std::string::npos) << message;
  EXPECT_NE(message.find("2 layers"), std::string::npos) << message;
}

TEST_F(BrokenFolder, KeyValueHeadsDisagreeingWithGraph) {
  edit("config.json", [](auto& j) { j["num_key_value_heads"] = 4; });
  auto message = open_error();
  EXPECT_NE(message.find("num_key_value_heads"), std::string::npos) << message;
}

TEST_F(BrokenFolder, HeadSizeDisagreeingWithGraph) {
  edit("config.json", [](auto& j) { j["head_dim"] = 16; });
  auto message = open_error();
  EXPECT_NE(message.find("head_dim"), std::string::npos) << message;
}

TEST_F(BrokenFolder, MalformedEosInGenerationConfig) {
  edit("generation_config.json", [](auto& j) { j["eos_token_id"] = "</s>"; });
  auto message = open_error();
  EXPECT_NE(message.find("generation_config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("eos_token_id"), std::string::npos) << message;
}

TEST_F(BrokenFolder, WrongTypeOfSamplingDefault) {
  edit("generation_config.json", [](auto& j) { j["temperature"] = "hot"; });
  auto message = open_error();
  EXPECT_NE(message.find("temperature"), std::string::npos) << message;
}

// transformers.js (scripts/fixtures/40-generation-reference.sh) generated these greedily.
TEST(GenerationParity, GreedyTokensMatchTransformersJs) {
  auto file = std::filesystem::path(RAGRT_TEST_WORK_DIR) / "reference" / "generation.json";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  auto reference = nlohmann::json::parse(std::ifstream(file));
  ASSERT_GE(reference["models"].size(), 2u);
  for (const auto& [name, cases] : reference["models"].items()) {
    SCOPED_TRACE(name);
    auto dir = std::filesystem::path(RAGRT_TEST_WORK_DIR) / "reference" / "generation-models" / name;
    auto folder = ModelFolder::open(dir);
    std::shared_ptr<const DecoderModel> model = DecoderModel::open(folder, {});
    std::shared_ptr<Tokenizer> tokenizer = folder.load_tokenizer();
    Engine engine(model, tokenizer, engine_params(4));
    for (const auto& c : cases) {
      auto expected = c["generated"].get<std::vector<int32_t>>();
      auto got = engine.run(request(c["prompt"].get<std::vector<int32_t>>(), greedy(expected.size()))).tokens;
      // transformers.js ran with min_new_tokens, so it never stopped at end-of-sequence; we do.
      ASSERT_LE(got.size(), expected.size());
      EXPECT_EQ(got, std::vector<int32_t>(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(got.size())));
      if (got.size() < expected.size()) {
        const auto& eos = model->eos_ids();
        EXPECT_NE(std::find(eos.begin(), eos.end(), expected[got.size()]), eos.end());
      }
    }
  }
}

TEST(EngineTest, CachedDecodingEqualsRecomputingEveryStep) {
  Engine cached(tiny().model, tiny().tokenizer, engine_params(1));
  Engine uncached(tiny().model, tiny().tokenizer, engine_params(1, false));
  for (size_t length : {1u, 5u, 23u}) {
    auto prompt = prompt_of(length, static_cast<int32_t>(length));
    auto a = cached.run(request(prompt, greedy(40)));
    auto b = uncached.run(request(prompt, greedy(40)));
    EXPECT_EQ(a.tokens, b.tokens) << "prompt length " << length;
    EXPECT_FALSE(a.tokens.empty());
  }
  EXPECT_GT(uncached.stats().prefill_tokens, cached.stats().prefill_tokens * 5);
}

// Prompt lookup drafts tokens from the history; the model checks them. Prompts that repeat
// themselves make drafts likely, and the random decoders fall into loops that drafts predict, so
// both kept and rejected drafts occur. Greedy and seeded sampling give what they give without.
TEST(EngineTest, SpeculativeDecodingChangesNoToken) {
  Engine plain(tiny().model, tiny().tokenizer, engine_params(1, true, 0, 0));
  Engine speculative(tiny().model, tiny().tokenizer, engine_params(1, true, 0, 4));
  for (int32_t seed : {1, 2, 3}) {
    auto phrase = prompt_of(6, seed);
    std::vector<int32_t> prompt;
    for (int rep = 0; rep < 3; ++rep) prompt.insert(prompt.end(), phrase.begin(), phrase.end());
    for (const auto& sampling : {greedy(48), sampled(48, 50 + seed), greedy(7)}) {
      auto a = speculative.run(request(prompt, sampling));
      auto b = plain.run(request(prompt, sampling));
      EXPECT_EQ(a.tokens, b.tokens) << "seed " << seed;
      EXPECT_EQ(a.result.text, b.result.text);
      EXPECT_EQ(a.result.finish_reason, b.result.finish_reason);
    }
  }
  auto stats = speculative.stats();
  EXPECT_EQ(plain.stats().drafted_tokens, 0u);
  EXPECT_GT(stats.accepted_tokens, 0u) << "no draft was ever kept";
  EXPECT_LT(stats.accepted_tokens, stats.drafted_tokens) << "no draft was ever rejected";
  EXPECT_LT(stats.steps, plain.stats().steps);
}

// A drafted end-of-sequence token or stop string ends the answer exactly where it would end
// without drafts, and the kept key/values still serve the conversation's next turn.
TEST(EngineTest, SpeculativeDecodingKeepsPrefixCacheConsistent) {
  Engine plain(tiny().model, tiny().tokenizer, engine_params(1, true, size_t{64} << 20, 0));
  Engine speculative(tiny().model, tiny().tokenizer, engine_params(1, true, size_t{64} << 20, 4));
  auto phrase = prompt_of(5, 8);
  std::vector<int32_t> prompt;
  for (int rep = 0; rep < 4; ++rep) prompt.insert(prompt.end(), phrase.begin(), phrase.end());
  auto a = speculative.run(request(prompt, greedy(30)));
  auto b = plain.run(request(prompt, greedy(30)));
  ASSERT_EQ(a.tokens, b.tokens);
  auto next = prompt;
  next.insert(next.end(), a.tokens.begin(), a.tokens.end());
  next.insert(next.end(), {17, 18, 19});
  auto a2 = speculative.run(request(next, greedy(20)));
  auto b2 = plain.run(request(next, greedy(20)));
  EXPECT_EQ(a2.tokens, b2.tokens);
  EXPECT_EQ(a2.result.cached_prompt_tokens, b2.result.cached_prompt_tokens);
  EXPECT_GE(a2.result.cached_prompt_tokens, prompt.size());
}

TEST(EngineTest, MergedExportGivesTheSameTokens) {
  static Loaded merged = load("llama-tiny-merged");
  ASSERT_TRUE(merged.model->merged());
  Engine a(tiny().model, tiny().tokenizer, engine_params(2));
  Engine b(merged.model, merged.tokenizer, engine_params(2));
  auto prompt = prompt_of(9, 3);
  EXPECT_EQ(a.run(request(prompt, greedy(30))).tokens, b.run(request(prompt, greedy(30))).tokens);
}

// llama-tiny's vocabulary projection runs in ragrt (models/lm_head.h), the merged export's in its
// graph: greedy decoding with the repetition penalty, alone and batched with sampled requests,
// takes the same tokens on both.
TEST(EngineTest, VocabularyProjectionInRagrtChoosesAsTheGraphWithPenaltyAndBatches) {
  static Loaded merged = load("llama-tiny-merged");
  ASSERT_NE(tiny().model->lm_head(), nullptr);
  ASSERT_EQ(merged.model->lm_head(), nullptr);
  for (size_t speculative : {size_t{0}, size_t{4}}) {
    Engine a(tiny().model, tiny().tokenizer, engine_params(4, true, 0, speculative));
    Engine b(merged.model, merged.tokenizer, engine_params(4, true, 0, speculative));
    std::vector<EngineRequest> requests;
    for (int i = 0; i < 4; ++i) {
      ResolvedSampling s = i % 2 ? sampled(24, 40 + i) : greedy(24);
      if (i < 2) s.repetition_penalty = 1.5f;
      requests.push_back(request(prompt_of(7 + 3 * i, 20 + i), s));
    }
    std::vector<std::future<EngineResult>> fa, fb;
    for (const auto& r : requests) fa.push_back(a.submit(r)), fb.push_back(b.submit(r));
    for (size_t i = 0; i < requests.size(); ++i) {
      const auto ta = fa[i].get().tokens, tb = fb[i].get().tokens;
      EXPECT_EQ(ta, tb) << "request " << i << ", speculative " << speculative;
      EXPECT_FALSE(ta.empty());
    }
  }
}

// OpenAI's penalties and logit bias reach the engine's greedy choice (which then reads the whole
// row of logits): a token banned with -100 never appears, with or without speculative decoding.
TEST(EngineTest, LogitBiasAndPenaltiesChangeGreedyTokens) {
  for (size_t speculative : {size_t{0}, size_t{4}}) {
    Engine engine(tiny().model, tiny().tokenizer, engine_params(2, true, 0, speculative));
    const auto prompt = prompt_of(9, 3);
    const auto plain = engine.submit(request(prompt, greedy(16))).get().tokens;
    ASSERT_FALSE(plain.empty());
    ResolvedSampling banned = greedy(16);
    banned.logit_bias = {{plain[0], -100.0f}};
    const auto without = engine.submit(request(prompt, banned)).get().tokens;
    EXPECT_EQ(std::count(without.begin(), without.end(), plain[0]), 0) << "speculative " << speculative;
    // A random tiny model repeats itself; a strong frequency penalty makes it repeat less.
    ResolvedSampling varied = greedy(16);
    varied.frequency_penalty = 2.0f;
    const auto penalized = engine.submit(request(prompt, varied)).get().tokens;
    auto distinct = [](std::vector<int32_t> t) {
      std::sort(t.begin(), t.end());
      return std::unique(t.begin(), t.end()) - t.begin();
    };
    EXPECT_GE(distinct(penalized), distinct(plain)) << "speculative " << speculative;
    EXPECT_NE(penalized, plain);
  }
}

// Requests of different lengths, joining while others run and leaving at different times, each
// with its own settings: every output equals the same request run alone.
TEST(EngineTest, BatchedRequestsEqualTheSameRequestsAlone) {
  std::vector<EngineRequest> requests;
  for (size_t i = 0; i < 7; ++i) {
    auto prompt = prompt_of(1 + 6 * i, static_cast<int32_t>(100 + i));
    requests.push_back(request(prompt, i % 2 ? sampled(12 + 5 * i, 1000 + i) : greedy(12 + 5 * i)));
  }
  std::vector<std::vector<int32_t>> alone;
  {
    Engine engine(tiny().model, tiny().tokenizer, engine_params(1));
    for (const auto& r : requests) alone.push_back(engine.run(r).tokens);
  }
  Engine engine(tiny().model, tiny().tokenizer, engine_params(4));
  std::vector<std::future<EngineResult>> futures;
  for (const auto& r : requests) futures.push_back(engine.submit(r));
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(futures[i].get().tokens, alone[i]) << "request " << i;
  }
  auto stats = engine.stats();
  EXPECT_GT(stats.batched_rows, stats.steps) << "requests never ran together";
}

TEST(EngineTest, SameSeedSameOutputOtherSeedOtherOutput) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(2));
  auto prompt = prompt_of(6, 9);
  SamplingParams p;
  p.temperature = 1.5f;  // a set temperature means sampling
  p.max_new_tokens = 30;
  p.seed = 7;
  auto a = engine.run(request(prompt, resolve_sampling(p, {}))).tokens;
  auto b = engine.run(request(prompt, resolve_sampling(p, {}))).tokens;
  p.seed = 8;
  auto c = engine.run(request(prompt, resolve_sampling(p, {}))).tokens;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, engine.run(request(prompt, greedy(30))).tokens);
}

TEST(EngineTest, PrefixCacheReusesSharedPromptStartAndChangesNothing) {
  auto system = prompt_of(40, 5);
  auto first = system, second = system;
  first.insert(first.end(), {11, 12, 13});
  second.insert(second.end(), {21, 22});
  Engine plain(tiny().model, tiny().tokenizer, engine_params(1));
  Engine cached(tiny().model, tiny().tokenizer, engine_params(1, true, size_t{64} << 20));
  auto warm = cached.run(request(first, greedy(10)));
  EXPECT_EQ(warm.result.cached_prompt_tokens, 0u);
  auto hit = cached.run(request(second, greedy(10)));
  EXPECT_EQ(hit.result.cached_prompt_tokens, system.size());
  EXPECT_EQ(hit.tokens, plain.run(request(second, greedy(10))).tokens);
  // The same prompt again: all but its last token come from the cache.
  auto again = cached.run(request(second, greedy(10)));
  EXPECT_EQ(again.result.cached_prompt_tokens, second.size() - 1);
  EXPECT_EQ(again.tokens, hit.tokens);
}

// The next turn of a conversation repeats the previous prompt and answer: all of it is reused.
TEST(EngineTest, PrefixCacheKeepsTheAnswerForTheNextTurn) {
  Engine cached(tiny().model, tiny().tokenizer, engine_params(2, true, size_t{64} << 20));
  auto first_prompt = prompt_of(30, 12);
  auto first = cached.run(request(first_prompt, greedy(10)));
  ASSERT_EQ(first.tokens.size(), 10u);
  auto next = first_prompt;
  next.insert(next.end(), first.tokens.begin(), first.tokens.end());
  next.insert(next.end(), {31, 32, 33});
  auto second = cached.run(request(next, greedy(6)));
  // Every token fed to the model so far: the prompt and all generated tokens but the last.
  EXPECT_EQ(second.result.cached_prompt_tokens, first_prompt.size() + first.tokens.size() - 1);
  Engine plain(tiny().model, tiny().tokenizer, engine_params(1));
  EXPECT_EQ(second.tokens, plain.run(request(next, greedy(6))).tokens);
}

TEST(EngineTest, StreamedPiecesAreCompleteUtf8AndAddUpToTheText) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(2));
  for (int32_t seed : {1, 2, 3}) {
    std::string streamed;
    size_t pieces = 0;
    auto r = request(prompt_of(4, seed), sampled(60, static_cast<uint64_t>(seed)));
    r.on_text = [&](std::string_view piece) {
      EXPECT_FALSE(piece.empty());
      EXPECT_EQ(text::find_invalid_utf8(piece), text::kValidUtf8) << "piece splits a character";
      streamed += piece;
      ++pieces;
    };
    auto result = engine.run(std::move(r));
    EXPECT_EQ(streamed, result.result.text);
    EXPECT_EQ(result.result.text, tiny().tokenizer->decode(result.tokens));
    EXPECT_GT(pieces, 1u);
  }
}

TEST(EngineTest, CancelStopsBetweenSteps) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(2));
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto r = request(prompt_of(3, 4), greedy(2000));
  size_t pieces = 0;
  r.on_text = [&](std::string_view) {
    if (++pieces == 3) cancel->store(true);
  };
  r.cancel = cancel;
  auto result = engine.run(std::move(r));
  EXPECT_EQ(result.result.finish_reason, FinishReason::kCancelled);
  EXPECT_LT(result.tokens.size(), 100u);
}

TEST(EngineTest, StopStringEndsTheTextBeforeIt) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(2));
  auto prompt = prompt_of(5, 6);
  auto full = engine.run(request(prompt, greedy(40))).result.text;
  ASSERT_GT(full.size(), 12u);
  // A stop string starting in the middle of the output (on a character boundary).
  size_t at = full.size() / 2;
  while (at < full.size() && (static_cast<unsigned char>(full[at]) & 0xC0) == 0x80) ++at;
  size_t len = 1;
  while (at + len < full.size() && (static_cast<unsigned char>(full[at + len]) & 0xC0) == 0x80) ++len;
  std::string stop = full.substr(at, len + 2 <= full.size() - at ? len + 2 : len);
  auto sampling = greedy(40);
  sampling.stop = {stop};
  std::string streamed;
  auto r = request(prompt, sampling);
  r.on_text = [&](std::string_view piece) { streamed += piece; };
  auto result = engine.run(std::move(r)).result;
  EXPECT_EQ(result.finish_reason, FinishReason::kStop);
  EXPECT_EQ(result.text, full.substr(0, full.find(stop)));
  EXPECT_EQ(streamed, result.text);
}

TEST(EngineTest, MaxNewTokensEndsWithLength) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(2));
  auto result = engine.run(request(prompt_of(3, 8), greedy(5)));
  EXPECT_EQ(result.result.finish_reason, FinishReason::kLength);
  EXPECT_EQ(result.tokens.size(), 5u);
  EXPECT_EQ(result.result.completion_tokens, 5u);
  EXPECT_EQ(result.result.prompt_tokens, 3u);
}

TEST(EngineTest, PromptLongerThanTheModelIsRefused) {
  Engine engine(tiny().model, tiny().tokenizer, engine_params(1));
  try {
    engine.run(request(prompt_of(5000, 1), greedy(5)));
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ragrt::generate
