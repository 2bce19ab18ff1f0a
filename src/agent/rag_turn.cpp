#include "agent/rag_turn.h"

#include <algorithm>
#include <chrono>

#include "agent/citation_numbers.h"

#include "generate/chat_messages.h"
#include "ragrt/error.h"
#include "ragrt/rag_prompt.h"
#include "text/utf8.h"

namespace ragrt::agent {

std::shared_ptr<TraceSpan> child_span(TraceSpan* parent, const std::string& name) {
  return parent ? parent->child(name) : nullptr;
}

Turn read_turn(const PipelineRequest& request, const ComponentGraph& graph) {
  RAGRT_THROW_IF_NOT_KIND(!request.messages.empty(), ErrorKind::kInvalidArgument,
                          "the request has no messages: send at least one user message with the question");
  generate::require_roles(request.messages);
  const ChatMessage& last = request.messages.back();
  RAGRT_THROW_IF_NOT_KIND(last.value("role", "") == "user", ErrorKind::kInvalidArgument,
                          "the last message must have role \"user\" (the question), not \"{}\"", last.value("role", ""));
  Turn turn;
  turn.question = last.contains("content") ? generate::content_text(last["content"], "\n") : "";
  text::require_valid_utf8(turn.question, "the question (last user message)");
  RAGRT_THROW_IF_NOT_KIND(!turn.question.empty(), ErrorKind::kInvalidArgument, "the question is empty");
  const bool own_history = std::any_of(request.messages.begin(), request.messages.end() - 1,
                                      [](const ChatMessage& m) { return m.value("role", "") != "system"; });
  if (!request.session.empty()) {
    check_session_id(request.session);
    if (const ConversationMemory* memory = graph.memory(); memory && !own_history) {
      turn.history = memory->history(request.session, memory->params().max_tokens,
                                     [&](const ChatMessage& m) { return graph.count_tokens(m); });
    }
  }
  // The request's own earlier messages (an OpenAI client sends the whole conversation); system
  // messages are left to the pipeline's instructions.
  for (size_t i = 0; i + 1 < request.messages.size(); ++i) {
    if (request.messages[i].value("role", "") != "system") turn.history.push_back(request.messages[i]);
  }
  std::erase_if(turn.history, [](const ChatMessage& m) { return m.value("role", "") == "system"; });
  return turn;
}

std::vector<ContextPassage> retrieve(const ComponentGraph& graph, const std::string& question,
                                     const std::string& retriever, size_t k, size_t first_id, TraceSpan* parent,
                                     PipelineResult& result) {
  auto span = child_span(parent, "retrieve");
  const auto start = std::chrono::steady_clock::now();
  SearchRequest search;
  search.query = question;
  search.k = k;
  const std::string name = retriever.empty() ? graph.config().default_retriever : retriever;
  std::vector<SearchResult> results;
  result.retriever = name;
  try {
    results = graph.knowledge_base().search(search, name);
  } catch (const std::exception& e) {
    if (span) span->fail(e.what());
    throw;
  }
  result.retrieve_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::vector<ContextPassage> passages;
  nlohmann::ordered_json hits = nlohmann::ordered_json::array();
  for (const SearchResult& r : results) {
    const StoredChunk& stored = r.chunk;
    ContextPassage p;
    p.id = std::to_string(first_id + passages.size());
    p.text = stored.chunk.text;
    p.source = stored.source.empty() ? stored.chunk.doc_id : stored.source;
    p.section = stored.chunk.section;
    if (stored.chunk.page) p.page = stored.chunk.page;
    p.start = stored.chunk.begin;
    p.end = stored.chunk.end;
    p.score = r.hit.score;
    p.regions = stored.chunk.regions;
    if (span) {
      nlohmann::ordered_json stages = nlohmann::ordered_json::object();
      for (const auto& [stage, score] : r.hit.stages) stages[stage] = score;
      hits.push_back({{"id", p.id}, {"source", p.source}, {"section", p.section}, {"score", p.score},
                      {"stages", stages}});
    }
    passages.push_back(std::move(p));
  }
  if (span) {
    span->set("retriever", name);
    span->set("query", question);
    span->set("k", k);
    span->set("hits", std::move(hits));
    span->end();
  }
  return passages;
}

namespace {

Citation citation_of(const ContextPassage& p) {
  Citation c;
  c.id = p.id;
  c.kind = p.kind;
  c.source = p.source;
  c.section = p.section;
  c.page = p.page;
  c.start = p.start;
  c.end = p.end;
  c.text = p.text;
  c.regions = p.regions;
  return c;
}

std::vector<std::string> citable_ids(const std::vector<ContextPassage>& passages) {
  std::vector<std::string> ids;
  for (const auto& p : passages)
    if (p.kind != "notice") ids.push_back(p.id);
  return ids;
}

// The result's answer, citations (renumbered as shown), refusal, timings and memory from `out`,
// whose text `numbers` has turned into what the customer read.
void fill_answer(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
                 std::vector<ContextPassage> passages, const GenerationResult& out, const CitationNumbers& numbers,
                 PipelineResult& result) {
  result.answer = numbers.text();
  result.finish_reason = out.finish_reason;
  result.generator = graph.generator().description();
  result.time_to_first_token_ms = out.time_to_first_token_ms;
  for (const std::string& id : numbers.order()) {
    auto it = std::find_if(passages.begin(), passages.end(), [&](const auto& p) { return p.id == id; });
    if (it == passages.end()) continue;
    Citation c = citation_of(*it);
    c.id = std::to_string(result.citations.size() + 1);
    result.citations.push_back(std::move(c));
  }
  const bool told = std::any_of(passages.begin(), passages.end(), [](const auto& p) { return p.kind == "notice"; });
  const bool live = std::any_of(result.tool_calls.begin(), result.tool_calls.end(),
                                [](const auto& c) { return c.result.outcome == ToolOutcome::kOk; });
  result.refused = out.refused || (graph.generator().is_llm() && result.citations.empty() && !told && !live);
  result.passages = std::move(passages);
  if (!request.session.empty() && graph.memory() && out.finish_reason != FinishReason::kCancelled) {
    graph.memory()->append(request.session, {{{"role", "user"}, {"content", turn.question}},
                                             {{"role", "assistant"}, {"content", result.answer}}});
  }
}

}  // namespace

GenerationResult generate_counted(const ComponentGraph& graph, const GenerationRequest& request, TraceSpan* span,
                                  PipelineResult& result) {
  GenerationResult out;
  try {
    out = graph.generator().generate(request);
  } catch (const std::exception& e) {
    if (span) span->fail(e.what());
    throw;
  }
  add_usage(out, result);
  return out;
}

void add_usage(const GenerationResult& out, PipelineResult& result) {
  result.prompt_tokens += out.prompt_tokens;
  result.completion_tokens += out.completion_tokens;
  result.usage_estimated = result.usage_estimated || out.usage_estimated;
  ++result.model_calls;
}

void finish_answer(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
                   std::vector<ContextPassage> passages, const GenerationResult& out, PipelineResult& result) {
  CitationNumbers numbers(citable_ids(passages));
  std::string shown = numbers.feed(out.text) + numbers.flush();
  if (request.on_text && !shown.empty()) request.on_text(shown);
  fill_answer(graph, request, turn, std::move(passages), out, numbers, result);
}

void answer(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
            std::vector<ContextPassage> passages, TraceSpan* parent, PipelineResult& result) {
  const GeneratorConfig& gc = graph.config().generator;
  GenerationRequest g;
  g.messages = rag_messages(turn.question, passages, gc.system_prompt, turn.history);
  g.sampling = request.sampling.with_defaults(gc.sampling);
  g.context = passages;
  CitationNumbers numbers(citable_ids(passages));
  g.on_text = [&](std::string_view piece) {
    const std::string shown = numbers.feed(piece);
    if (request.on_text && !shown.empty()) request.on_text(shown);
  };
  g.cancel = request.cancel;
  if (auto span = child_span(parent, "prompt")) {
    size_t tokens = 0;
    for (const auto& m : g.messages) tokens += graph.count_tokens(m);
    span->set("messages", g.messages.size());
    span->set("history_messages", turn.history.size());
    span->set("passages", passages.size());
    span->set("estimated_tokens", tokens);
    span->set("system_prompt", gc.system_prompt.empty() ? "built-in" : "config");
    span->end();
  }
  auto span = child_span(parent, "generate");
  GenerationResult out = generate_counted(graph, g, span.get(), result);
  if (const std::string rest = numbers.flush(); request.on_text && !rest.empty()) request.on_text(rest);
  fill_answer(graph, request, turn, std::move(passages), out, numbers, result);
  if (span) {
    const double decode_ms = out.total_ms - out.time_to_first_token_ms;
    span->set("generator", result.generator);
    span->set("prompt_tokens", out.prompt_tokens);
    span->set("cached_prompt_tokens", out.cached_prompt_tokens);
    span->set("completion_tokens", out.completion_tokens);
    span->set("time_to_first_token_ms", out.time_to_first_token_ms);
    if (out.usage_estimated) {
      span->set("usage", "estimated");  // no tokenizer: no token rate either
    } else {
      span->set("tokens_per_s",
                out.completion_tokens > 1 && decode_ms > 0 ? (out.completion_tokens - 1) / decode_ms * 1000 : 0.0);
    }
    span->set("finish_reason", to_string(out.finish_reason));
    span->set("citations", numbers.order());
    if (result.refused) span->set("refused", true);
    span->end();
  }
}

}  // namespace ragrt::agent
