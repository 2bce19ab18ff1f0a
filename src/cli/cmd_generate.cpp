// `ragrt generate`: one answer from a local decoder model folder (or an OpenAI-compatible server),
// streamed to stdout as it forms. Ctrl-C stops generation between two tokens and keeps the text so far.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/session_flags.h"
#include "ragrt/error.h"
#include "ragrt/onnx_generator.h"
#include "ragrt/openai_generator.h"

namespace ragrt::cli {
namespace {

struct GenerateArgs {
  std::string model;
  std::string openai_url, openai_model, api_key_env;
  std::vector<std::string> user;
  std::string system, prompt;
  std::optional<size_t> max_new_tokens, top_k;
  std::optional<float> temperature, top_p, min_p, repetition_penalty;
  std::optional<uint64_t> seed;
  bool greedy = false;
  std::vector<std::string> stop;
  bool json = false, no_stream = false, no_kv_cache = false;
  size_t max_batch = 8;
  std::string template_vars;
  SessionFlags session;
};

std::shared_ptr<std::atomic<bool>> g_cancel;

extern "C" void on_sigint(int) {
  if (g_cancel) g_cancel->store(true);
}

std::function<int()> setup_generate(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  app.description(
      "Generate an answer with a decoder LLM folder in the Optimum / transformers.js layout (config.json, "
      "generation_config.json, tokenizer.json, tokenizer_config.json with its chat template, onnx/model.onnx), or with "
      "an OpenAI-compatible server (--openai-url). The text streams to stdout; a summary (tokens, time to first "
      "token, tokens/s, finish reason) goes to stderr, or everything as one JSON object with --json.");
  app.add_option("--model", args->model, "Local decoder model folder");
  app.add_option("--openai-url", args->openai_url, "Use an OpenAI-compatible server instead, e.g. http://localhost:8000/v1");
  app.add_option("--openai-model", args->openai_model, "Model name to send to the server");
  app.add_option("--api-key-env", args->api_key_env, "Environment variable holding the server's API key");
  app.add_option("message", args->user, "The user's message (several words are joined with spaces)");
  app.add_option("--system", args->system, "A system message before it");
  app.add_option("--prompt", args->prompt, "Raw prompt text instead of a chat (no chat template)");
  app.add_option("--max-new-tokens", args->max_new_tokens, "Stop after this many tokens (default: the model's "
                                                           "generation_config.json, else 256)");
  app.add_option("--temperature", args->temperature, "Sampling temperature (0 = greedy); setting it turns sampling on");
  app.add_option("--top-k", args->top_k, "Sample among the k most likely tokens");
  app.add_option("--top-p", args->top_p, "Sample within the smallest set of tokens whose probability reaches p");
  app.add_option("--min-p", args->min_p, "Drop tokens less likely than min-p times the most likely one");
  app.add_option("--repetition-penalty", args->repetition_penalty, "Penalize tokens already in the prompt or output");
  app.add_option("--seed", args->seed, "Random seed: the same seed gives the same output");
  app.add_flag("--greedy", args->greedy, "Greedy decoding whatever generation_config.json says");
  app.add_option("--stop", args->stop, "Stop string (repeatable); the text ends before it");
  app.add_option("--template-vars", args->template_vars,
                 "JSON object of extra chat template variables, e.g. '{\"enable_thinking\": false}'");
  app.add_flag("--json", args->json, "Print one JSON object at the end instead of streaming text");
  app.add_flag("--no-stream", args->no_stream, "Print the text at the end only");
  app.add_flag("--no-kv-cache", args->no_kv_cache, "Recompute the whole sequence for every token (for comparison)");
  args->session.add_to(app);

  return [args]() -> int {
    RAGRT_THROW_IF_NOT_KIND(args->model.empty() != args->openai_url.empty(), ErrorKind::kInvalidArgument,
                            "give either --model DIR (a local decoder) or --openai-url URL (a server)");
    std::unique_ptr<Generator> generator;
    if (!args->model.empty()) {
      OnnxGeneratorParams p;
      p.model_dir = args->model;
      p.session = args->session.params();
      p.use_kv_cache = !args->no_kv_cache;
      p.max_batch = 1;
      if (!args->template_vars.empty()) {
        try {
          p.template_variables = nlohmann::ordered_json::parse(args->template_vars);
        } catch (const nlohmann::json::exception& e) {
          RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--template-vars is not valid JSON: {}", e.what());
        }
        RAGRT_THROW_IF_NOT_KIND(p.template_variables.is_object(), ErrorKind::kInvalidArgument,
                                "--template-vars must be a JSON object");
      }
      generator = make_onnx_generator(p);
    } else {
      OpenAIGeneratorParams p;
      p.base_url = args->openai_url;
      p.model = args->openai_model;
      p.api_key_env = args->api_key_env;
      generator = make_openai_generator(p);
    }

    GenerationRequest request;
    if (!args->prompt.empty()) {
      RAGRT_THROW_IF_NOT_KIND(args->user.empty() && args->system.empty(), ErrorKind::kInvalidArgument,
                              "--prompt is raw text: leave out the message and --system");
      request.prompt = args->prompt;
    } else {
      RAGRT_THROW_IF_NOT_KIND(!args->user.empty(), ErrorKind::kInvalidArgument,
                              "nothing to answer: give a message (or --prompt TEXT)");
      if (!args->system.empty()) request.messages.push_back({{"role", "system"}, {"content", args->system}});
      request.messages.push_back({{"role", "user"}, {"content", fmt::format("{}", fmt::join(args->user, " "))}});
    }
    auto& s = request.sampling;
    s.max_new_tokens = args->max_new_tokens;
    s.temperature = args->temperature;
    s.top_k = args->top_k;
    s.top_p = args->top_p;
    s.min_p = args->min_p;
    s.repetition_penalty = args->repetition_penalty;
    s.seed = args->seed;
    s.stop = args->stop;
    if (args->greedy) s.do_sample = false;
    const bool stream = !args->json && !args->no_stream;
    if (stream) {
      request.on_text = [](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
      };
    }
    g_cancel = std::make_shared<std::atomic<bool>>(false);
    request.cancel = g_cancel;
    std::signal(SIGINT, on_sigint);
    GenerationResult r = generator->generate(request);
    std::signal(SIGINT, SIG_DFL);

    double decode_s = (r.total_ms - r.time_to_first_token_ms) / 1000;
    double tok_per_s = r.completion_tokens > 1 && decode_s > 0 ? (r.completion_tokens - 1) / decode_s : 0;
    if (args->json) {
      nlohmann::json out = {{"text", r.text},
                            {"finish_reason", to_string(r.finish_reason)},
                            {"usage",
                             {{"prompt_tokens", r.prompt_tokens},
                              {"completion_tokens", r.completion_tokens},
                              {"cached_prompt_tokens", r.cached_prompt_tokens}}},
                            {"time_to_first_token_ms", r.time_to_first_token_ms},
                            {"total_ms", r.total_ms},
                            {"decode_tokens_per_s", tok_per_s},
                            {"generator", generator->description()}};
      if (!r.tool_calls.empty()) out["tool_calls"] = r.tool_calls;
      std::cout << out.dump() << "\n";
    } else {
      if (!stream) std::cout << r.text;
      std::cout << "\n";
      std::cerr << fmt::format("[{} prompt tokens, {} generated, first token {:.0f} ms, {:.1f} tokens/s, finish: {}]\n",
                               r.prompt_tokens, r.completion_tokens, r.time_to_first_token_ms, tok_per_s,
                               to_string(r.finish_reason));
    }
    return 0;
  };
}

CommandRegistrar registrar({"generate", "Generate an answer with a local decoder LLM or an OpenAI-compatible server",
                            setup_generate, {"ragrt generate --model models/Qwen3-0.6B-ONNX \"Write a haiku about refunds\""}});

}  // namespace
}  // namespace ragrt::cli
