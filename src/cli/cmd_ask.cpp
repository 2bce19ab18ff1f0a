// ragrt ask "question" --config FILE: retrieve, then answer from the passages with the configured
// generator (extractive when the config names none, so it works without any model), streaming the
// answer and listing the passages it cites with source, section, page and offsets.
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/error.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/rag_prompt.h"

namespace ragrt::cli {
namespace {

struct AskArgs {
  ConfigFlags config;
  std::string question;
  std::string retriever;
  std::optional<size_t> k;
  bool json = false;
};

int run_ask(const AskArgs& args) {
  const RagConfig config = args.config.load();
  auto kb = KnowledgeBase::open(config, /*writer=*/false);
  SearchRequest search;
  search.query = args.question;
  search.k = args.k.value_or(config.generator.context_passages);
  const std::string retriever = args.retriever.empty() ? config.default_retriever : args.retriever;
  const std::vector<SearchResult> results = kb->search(search, retriever);

  GenerationRequest request;
  for (size_t i = 0; i < results.size(); ++i) {
    const StoredChunk& stored = results[i].chunk;
    ContextPassage p;
    p.id = std::to_string(i + 1);
    p.text = stored.chunk.text;
    p.source = stored.source.empty() ? stored.chunk.doc_id : stored.source;
    p.section = stored.chunk.section;
    if (stored.chunk.page) p.page = stored.chunk.page;
    p.start = stored.chunk.begin;
    p.end = stored.chunk.end;
    p.score = results[i].hit.score;
    request.context.push_back(std::move(p));
  }
  request.messages = rag_messages(args.question, request.context, config.generator.system_prompt);
  request.sampling = config.generator.sampling;
  if (!args.json) {
    request.on_text = [](std::string_view piece) {
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    };
  }
  auto generator = make_generator(config.generator);
  GenerationResult answer = generator->generate(request);
  std::vector<std::string> cited =
      answer.citations.empty() ? cited_passages(answer.text, request.context) : answer.citations;

  auto passage = [&](const std::string& id) -> const ContextPassage& {
    return request.context[std::stoul(id) - 1];
  };
  if (args.json) {
    nlohmann::ordered_json citations = nlohmann::ordered_json::array();
    for (const auto& id : cited) {
      const auto& p = passage(id);
      citations.push_back({{"id", id}, {"source", p.source}, {"section", p.section}, {"page", p.page.value_or(0)},
                           {"begin", p.start}, {"end", p.end}, {"text", p.text}});
    }
    nlohmann::ordered_json out = {{"question", args.question},
                                  {"answer", answer.text},
                                  {"citations", citations},
                                  {"retriever", retriever},
                                  {"passages", request.context.size()},
                                  {"generator", generator->description()},
                                  {"finish_reason", to_string(answer.finish_reason)},
                                  {"usage", {{"prompt_tokens", answer.prompt_tokens},
                                             {"completion_tokens", answer.completion_tokens}}},
                                  {"time_to_first_token_ms", answer.time_to_first_token_ms},
                                  {"total_ms", answer.total_ms}};
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "\n";
  if (!cited.empty()) std::cout << "\nSources:\n";
  for (const auto& id : cited) {
    const auto& p = passage(id);
    std::string where = p.source;
    if (!p.section.empty()) where += " § " + p.section;
    if (p.page) where += fmt::format(" (p. {})", *p.page);
    std::cout << fmt::format("  [{}] {}  bytes [{}, {})\n", id, where, p.start, p.end);
  }
  std::cerr << fmt::format("[{} passages from {}, {}, {:.0f} ms]\n", request.context.size(), retriever,
                           generator->description(), answer.total_ms);
  return 0;
}

CommandRegistrar reg{{"ask", "Answer a question from a collection, with citations (retrieve, then generate)",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<AskArgs>();
                        sub.add_option("question", args->question, "the question")->required();
                        args->config.add_to(sub);
                        sub.add_option("--retriever,-r", args->retriever, "retriever name (default: the config's)");
                        sub.add_option("-k", args->k, "passages to retrieve (default: generator.context_passages)")
                            ->check(CLI::PositiveNumber);
                        sub.add_flag("--json", args->json, "one JSON object: answer, citations, usage, timings");
                        return [args] { return run_ask(*args); };
                      }}};

}  // namespace
}  // namespace ragrt::cli
