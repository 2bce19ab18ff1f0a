// `ragrt rerank`: cross-encoder relevance scores of passages for a query, as JSON on stdout.
#include <algorithm>
#include <iostream>
#include <memory>
#include <numeric>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/session_flags.h"
#include "ragrt/error.h"
#include "ragrt/onnx_reranker.h"

namespace ragrt::cli {
namespace {

struct RerankArgs {
  std::string model;
  std::string query;
  std::vector<std::string> passages;
  bool from_stdin = false;
  bool sigmoid = false;
  bool sort = false;
  std::optional<size_t> top_k;
  std::optional<size_t> label;
  bool with_text = false;
  EncoderFlags encoder;
};

std::function<int()> setup_rerank(CLI::App& app) {
  auto args = std::make_shared<RerankArgs>();
  app.description(
      "Score passages against a query with a cross-encoder model folder (config.json, tokenizer.json, "
      "onnx/model.onnx with a logits output).\n"
      "Output (stdout, JSON): [{\"index\":0,\"score\":1.23},...] in passage order; --sort orders by score, "
      "highest first, and --top-k keeps the best K. Scores are raw logits unless --sigmoid.");
  app.add_option("--model", args->model, "Model folder")->required();
  app.add_option("--query,-q", args->query, "The query")->required();
  app.add_option("passages", args->passages, "Passages to score");
  app.add_flag("--stdin", args->from_stdin, "Also read passages from stdin, one per line");
  app.add_flag("--sigmoid", args->sigmoid, "Map logits into (0, 1)");
  app.add_flag("--sort", args->sort, "Order by score, highest first");
  app.add_option("--top-k", args->top_k, "Keep the K best (implies --sort)");
  app.add_option("--label", args->label, "Which logit is the score, for models with several labels");
  app.add_flag("--with-text", args->with_text, "Include each passage's text in its object");
  args->encoder.add_to(app, "Pairs");

  return [args]() -> int {
    std::vector<std::string> passages = args->passages;
    if (args->from_stdin) {
      for (std::string line; std::getline(std::cin, line);) passages.push_back(line);
    }
    RAGRT_THROW_IF_NOT_KIND(!passages.empty(), ErrorKind::kInvalidArgument,
                            "no passages to score (give them as arguments or with --stdin)");
    RerankerOptions options;
    args->encoder.apply(options);
    options.sigmoid = args->sigmoid;
    options.label = args->label;
    auto reranker = OnnxReranker::load(args->model, options);
    std::vector<float> scores = reranker->score(args->query, passages);

    std::vector<size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    if (args->sort || args->top_k) {
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    }
    if (args->top_k && *args->top_k < order.size()) order.resize(*args->top_k);
    std::cout << '[';
    for (size_t i = 0; i < order.size(); ++i) {
      std::cout << (i ? "," : "") << "{\"index\":" << order[i] << ",\"score\":" << fmt::format("{}", scores[order[i]]);
      if (args->with_text) std::cout << ",\"text\":" << nlohmann::json(passages[order[i]]).dump();
      std::cout << '}';
    }
    std::cout << "]\n";
    return 0;
  };
}

CommandRegistrar reg{{"rerank", "Score passages against a query with a cross-encoder (JSON on stdout)", setup_rerank, {"ragrt rerank --model models/ms-marco-MiniLM-L-6-v2 -q \"refund time\" \"Refunds take 5 days.\" \"We ship worldwide.\""}}};

}  // namespace
}  // namespace ragrt::cli
