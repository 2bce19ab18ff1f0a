#pragma once
// The steps rag_qa and agent share: read the question and the conversation, retrieve numbered
// passages, generate the cited answer and remember the turn. Each step records a trace span.
#include <memory>
#include <string>
#include <vector>

#include "ragrt/component_graph.h"
#include "ragrt/pipeline.h"

namespace ragrt::agent {

struct Turn {
  std::string question;               // the last user message's text
  std::vector<ChatMessage> history;   // earlier turns: from memory, then the request's own
};

// Throws kInvalidArgument when the last message is not a user message with text.
Turn read_turn(const PipelineRequest& request, const ComponentGraph& graph);

// The retriever's best `k` hits as passages numbered from `first_id`; the retriever's name and
// time go to `result`.
std::vector<ContextPassage> retrieve(const ComponentGraph& graph, const std::string& question,
                                     const std::string& retriever, size_t k, size_t first_id, TraceSpan* span,
                                     PipelineResult& result);

// Generates the answer from `passages` (numbered [1]… in the prompt) and fills the result's
// answer, citations, usage and timings; stores the turn in memory when the request has a session.
// `messages` unset: the RAG prompt of the question and passages.
void answer(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
            std::vector<ContextPassage> passages, TraceSpan* span, PipelineResult& result);

// Adds one model call's usage to the result's.
void add_usage(const GenerationResult& out, PipelineResult& result);
// One model call, its usage added to `result`; an error fails `span` (when traced) and is rethrown.
GenerationResult generate_counted(const ComponentGraph& graph, const GenerationRequest& request, TraceSpan* span,
                                  PipelineResult& result);

// Fills the result from a generation already made (`out`, its text not yet shown: it reaches
// request.on_text here, its citations renumbered) — the agent's decision call, when it answered
// without calling a tool.
void finish_answer(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
                   std::vector<ContextPassage> passages, const GenerationResult& out, PipelineResult& result);

// A child span of `parent`, or null when untraced.
std::shared_ptr<TraceSpan> child_span(TraceSpan* parent, const std::string& name);

}  // namespace ragrt::agent
