// bench/run generate, our side: the local generation engine (src/generate/engine.h) on one decoder
// folder. Prompts are token ids (the same formula as the peer's), greedy decoding, fp32 on CPU.
//   generate_bench --model DIR [--prompt 128] [--new 64] [--lm-head auto|graph] [--only-single]
// --lm-head graph leaves the vocabulary projection in the model's graph (the engine before ragrt
// ran it itself), for comparison.
// Prints one line per measurement on stderr and a JSON object with every figure on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "generate/engine.h"
#include "models/decoder_model.h"
#include "ragrt/model_folder.h"

using namespace ragrt;
using namespace ragrt::generate;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<int32_t> prompt_ids(size_t n, size_t offset = 0) {
  std::vector<int32_t> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(static_cast<int32_t>(((i + offset) * 7919 + 13) % 150000));
  return ids;
}

EngineRequest greedy(std::vector<int32_t> prompt, size_t new_tokens) {
  SamplingParams p;
  p.do_sample = false;
  p.max_new_tokens = new_tokens;
  p.seed = 1;
  EngineRequest r;
  r.prompt = std::move(prompt);
  r.sampling = resolve_sampling(p, {});
  return r;
}

double decode_tok_per_s(const EngineResult& r) {
  double decode_ms = r.result.total_ms - r.result.time_to_first_token_ms;
  return r.result.completion_tokens > 1 ? (r.result.completion_tokens - 1) / (decode_ms / 1000) : 0;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  size_t prompt_len = 128, new_tokens = 64;
  bool only_single = false;
  models::LmHeadMode lm_head = models::LmHeadMode::kAuto;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--only-single") {
      only_single = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", a.c_str());
      return 2;
    }
    if (a == "--model") dir = argv[i + 1];
    else if (a == "--prompt") prompt_len = std::stoul(argv[i + 1]);
    else if (a == "--new") new_tokens = std::stoul(argv[i + 1]);
    else if (a == "--lm-head") lm_head = std::string(argv[i + 1]) == "graph" ? models::LmHeadMode::kGraph : models::LmHeadMode::kAuto;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: generate_bench --model DIR [--prompt N] [--new N] [--lm-head auto|graph] [--only-single]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // no per-session load lines between the figures
  auto folder = ModelFolder::open(dir);
  const auto load_start = Clock::now();
  std::shared_ptr<const models::DecoderModel> model = models::DecoderModel::open(folder, {}, "", lm_head);
  const double load_ms = seconds_since(load_start) * 1000;
  std::fprintf(stderr, "ours: model loaded in %.0f ms (vocabulary projection in %s)\n", load_ms,
               model->lm_head() ? "ragrt" : "the graph");
  std::shared_ptr<Tokenizer> tokenizer = folder.load_tokenizer();
  tokenizer->set_truncation(std::nullopt);
  // Sections 2-4 measure the KV cache, batching and the prefix cache themselves: one token per step.
  auto engine_with = [&](size_t max_batch, bool cache, size_t prefix_bytes, size_t speculative = 0) {
    EngineParams p;
    p.speculative_tokens = speculative;
    p.max_batch = max_batch;
    p.use_kv_cache = cache;
    p.prefix_cache_bytes = prefix_bytes;
    return std::make_unique<Engine>(model, tokenizer, p);
  };
  nlohmann::json out;
  out["load_ms"] = load_ms;

  // 1. One request: time to first token and decode speed (median of 3 after a warm-up), one token
  // per step as the peer decodes, then with prompt-lookup speculation (the engine's default).
  std::vector<int32_t> plain_tokens;
  for (size_t speculative : {size_t{0}, size_t{4}}) {
    auto engine = engine_with(8, true, 0, speculative);
    engine->run(greedy(prompt_ids(8), 4));
    const auto before = engine->stats();
    std::vector<double> ttft, speed;
    std::vector<int32_t> tokens;
    for (int rep = 0; rep < 3; ++rep) {
      auto r = engine->run(greedy(prompt_ids(prompt_len), new_tokens));
      ttft.push_back(r.result.time_to_first_token_ms);
      speed.push_back(decode_tok_per_s(r));
      tokens = r.tokens;
    }
    std::sort(ttft.begin(), ttft.end());
    std::sort(speed.begin(), speed.end());
    if (speculative == 0) {
      out["ttft_ms"] = ttft[1];
      out["tok_per_s"] = speed[1];
      plain_tokens = tokens;
      std::fprintf(stderr, "ours single: prompt %zu tokens, %zu new: ttft %.1f ms, decode %.1f tok/s\n", prompt_len,
                   new_tokens, ttft[1], speed[1]);
    } else {
      const auto after = engine->stats();
      const double drafted = static_cast<double>(after.drafted_tokens - before.drafted_tokens);
      const double accepted = static_cast<double>(after.accepted_tokens - before.accepted_tokens);
      const double generated = static_cast<double>(after.generated_tokens - before.generated_tokens);
      const double steps = static_cast<double>(after.steps - before.steps);
      out["spec_tok_per_s"] = speed[1];
      out["spec_accept_rate"] = drafted > 0 ? accepted / drafted : 0.0;
      out["spec_tokens_per_step"] = steps > 0 ? generated / steps : 0.0;
      out["spec_same_tokens"] = tokens == plain_tokens;
      std::fprintf(stderr,
                   "ours single with prompt lookup: decode %.1f tok/s, %.0f of %.0f drafted tokens kept, %.2f tokens "
                   "per step, same tokens: %s\n",
                   speed[1], accepted, drafted, steps > 0 ? generated / steps : 0.0,
                   tokens == plain_tokens ? "yes" : "NO");
    }
  }

  if (only_single) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }

  // 2. KV cache: decoding at a context of ~256 tokens (prompt 240, 16 new) with and without it.
  {
    auto cached = engine_with(1, true, 0);
    auto uncached = engine_with(1, false, 0);
    cached->run(greedy(prompt_ids(8), 2));
    uncached->run(greedy(prompt_ids(8), 2));
    auto a = cached->run(greedy(prompt_ids(240), 16));
    auto b = uncached->run(greedy(prompt_ids(240), 16));
    double with = decode_tok_per_s(a), without = decode_tok_per_s(b);
    out["cache_tok_per_s"] = with;
    out["no_cache_tok_per_s"] = without;
    out["cache_speedup"] = with / without;
    out["cache_same_tokens"] = a.tokens == b.tokens;
    std::fprintf(stderr, "ours kv cache at 240-256 tokens: %.1f tok/s with, %.2f tok/s without (x%.1f), same tokens: %s\n", with,
                without, with / without, a.tokens == b.tokens ? "yes" : "NO");
  }

  // 3. Batching: 8 requests one after another vs all 8 at once.
  {
    const size_t n = 8, batch_new = 64;
    auto engine = engine_with(8, true, 0);
    engine->run(greedy(prompt_ids(8), 4));
    auto start = Clock::now();
    size_t tokens = 0;
    for (size_t i = 0; i < n; ++i) tokens += engine->run(greedy(prompt_ids(32, 1000 * i), batch_new)).tokens.size();
    double sequential = tokens / seconds_since(start);
    start = Clock::now();
    std::vector<std::future<EngineResult>> futures;
    for (size_t i = 0; i < n; ++i) futures.push_back(engine->submit(greedy(prompt_ids(32, 1000 * i), batch_new)));
    tokens = 0;
    for (auto& f : futures) tokens += f.get().tokens.size();
    double together = tokens / seconds_since(start);
    out["batch1_tok_per_s"] = sequential;
    out["batch8_tok_per_s"] = together;
    out["batch8_speedup"] = together / sequential;
    std::fprintf(stderr, "ours batching: 8 requests x %zu tokens: one at a time %.1f tok/s, together %.1f tok/s (x%.2f)\n",
                batch_new, sequential, together, together / sequential);
  }

  // 4. Prefix cache: a 480-token system prompt shared by two requests with different questions.
  {
    auto engine = engine_with(1, true, size_t{256} << 20);
    engine->run(greedy(prompt_ids(8, 77), 2));
    auto system = prompt_ids(480, 5000);
    auto first = system, second = system;
    auto q1 = prompt_ids(16, 90000), q2 = prompt_ids(16, 91000);
    first.insert(first.end(), q1.begin(), q1.end());
    second.insert(second.end(), q2.begin(), q2.end());
    auto cold = engine->run(greedy(first, 4));
    auto warm = engine->run(greedy(second, 4));
    out["cold_ttft_ms"] = cold.result.time_to_first_token_ms;
    out["prefix_ttft_ms"] = warm.result.time_to_first_token_ms;
    out["prefix_reused_tokens"] = warm.result.cached_prompt_tokens;
    std::fprintf(stderr, "ours prefix cache: 496-token prompt, ttft %.1f ms cold, %.1f ms with %zu tokens reused\n",
                cold.result.time_to_first_token_ms, warm.result.time_to_first_token_ms,
                warm.result.cached_prompt_tokens);
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
