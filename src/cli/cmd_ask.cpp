// ragrt ask "question" --config FILE [--session ID] [--pipeline NAME]: runs the configured
// pipeline once (rag_qa: retrieve, then answer; agent: tools too) and prints the streamed answer,
// the passages and tool results it cites, and the trace id. Without a `generator:` section the
// extractive generator answers, so it works without any model.
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/component_graph.h"
#include "ragrt/error.h"
#include "server/chat_json.h"

namespace ragrt::cli {
namespace {

struct AskArgs {
  ConfigFlags config;
  std::string question;
  std::string retriever;
  std::string pipeline;
  std::string session;
  std::optional<size_t> k;
  bool json = false;
};

int run_ask(const AskArgs& args) {
  std::shared_ptr<const ComponentGraph> graph =
      args.config.config_file.empty() ? ComponentGraph::defaults(args.config.load().collection)
                                      : ComponentGraph::build(args.config.load());
  PipelineRequest request;
  request.messages = {{{"role", "user"}, {"content", args.question}}};
  request.session = args.session;
  request.retriever = args.retriever;
  request.passages = args.k;
  if (!args.json) {
    request.on_text = [](std::string_view piece) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    };
  }
  const PipelineResult answer = graph->run(args.pipeline, request);

  if (args.json) {
    nlohmann::ordered_json citations = nlohmann::ordered_json::array(), tools = nlohmann::ordered_json::array();
    for (const auto& c : answer.citations) citations.push_back(server::citation_json(c));
    for (const auto& t : answer.tool_calls) {
      tools.push_back({{"name", t.name}, {"arguments", nlohmann::ordered_json::parse(t.arguments.dump())},
                       {"status", to_string(t.result.status)}, {"outcome", to_string(t.result.outcome)},
                       {"content", t.result.content}, {"latency_ms", t.result.latency_ms}});
    }
    nlohmann::ordered_json out = {{"question", args.question},
                                  {"answer", answer.answer},
                                  {"citations", citations},
                                  {"tool_calls", tools},
                                  {"pipeline", answer.pipeline},
                                  {"passages", answer.passages.size()},
                                  {"generator", answer.generator},
                                  {"finish_reason", to_string(answer.finish_reason)},
                                  {"usage", {{"prompt_tokens", answer.prompt_tokens},
                                             {"completion_tokens", answer.completion_tokens},
                                             {"total_tokens", answer.prompt_tokens + answer.completion_tokens},
                                             {"model_calls", answer.model_calls},
                                             {"estimated", answer.usage_estimated}}},
                                  {"refused", answer.refused},
                                  {"degraded", answer.degraded},
                                  {"time_to_first_token_ms", answer.time_to_first_token_ms},
                                  {"total_ms", answer.total_ms},
                                  {"trace_id", answer.trace_id}};
    if (!args.session.empty()) out["session"] = args.session;
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "\n";
  if (!answer.citations.empty()) std::cout << "\nSources:\n";
  // Tool errors and the summary go to stderr, after the answer and its sources.
  for (const auto& c : answer.citations) {
    if (c.kind == "tool") {
      std::cout << fmt::format("  [{}] {} (live)\n", c.id, c.source);
      continue;
    }
    std::string where = c.source;
    if (!c.section.empty()) where += " § " + c.section;
    if (c.page) where += fmt::format(" (p. {})", *c.page);
    std::cout << fmt::format("  [{}] {}  bytes [{}, {})\n", c.id, where, c.start, c.end);
  }
  std::cout << std::flush;
  for (const auto& t : answer.tool_calls) {
    // The operator's view: the outcome and what the service said (the customer read the answer).
    if (!t.result.ok())
      std::cerr << fmt::format("[tool {} {}: {}]\n", t.name, to_string(t.result.outcome),
                               t.result.detail.empty() ? t.result.content : t.result.detail);
  }
  std::cerr << fmt::format("[pipeline {}, {} passages, {} tool calls, {}, {:.0f} ms, trace {}]\n", answer.pipeline,
                           answer.passages.size(), answer.tool_calls.size(), answer.generator, answer.total_ms,
                           answer.trace_id);
  return 0;
}

CommandRegistrar reg{{"ask", "Answer a question with the configured pipeline (retrieve, tools, generate), with citations",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<AskArgs>();
                        sub.add_option("question", args->question, "the question")->required();
                        args->config.add_to(sub);
                        sub.add_option("--pipeline,-p", args->pipeline, "pipeline name (default: the config's)");
                        sub.add_option("--session,-s", args->session,
                                       "conversation id: earlier turns come from the config's memory, this one is kept");
                        sub.add_option("--retriever,-r", args->retriever, "retriever name (default: the pipeline's)");
                        sub.add_option("-k", args->k, "passages to retrieve (default: generator.context_passages)")
                            ->check(CLI::PositiveNumber);
                        sub.add_flag("--json", args->json, "one JSON object: answer, citations, tool calls, usage, trace id");
                        return [args] { return run_ask(*args); };
                      }, {"ragrt ask \"How long does a refund take?\" --config examples/customer-service/ragrt.yaml", "ragrt ask \"Where is my order #12345?\" --config ragrt.yaml --session customer-1 --json"}}};

}  // namespace
}  // namespace ragrt::cli
