#pragma once
// A pipeline answers one turn of a conversation from the components a config built (see
// component_graph.h). Types, chosen in the config's `pipelines:` section:
//   rag_qa  retrieve -> rerank -> numbered passages -> generate -> answer with citations; says so
//           when the passages do not hold the answer.
//   llm     the bare generator as a model server: the messages as sent, no retrieval, the client's
//           own tools (OpenAI `tools`) shown to the model and its calls returned to the client.
//   agent   rag_qa plus tools: the model picks tools by function calling (chat templates with tool
//           support, OpenAI servers) or a ReAct text protocol, in one call that also sees the
//           passages (its answer, when it calls no tool, is the answer); without an LLM (the
//           extractive generator) a rule picks a tool whose required arguments the question
//           supplies. Tool results and passages are fused into one answer that cites both; a
//           call that failed becomes what the customer is told (ToolOutcome, on_error), in the
//           question's language.
//
//   pipelines:
//     support: {type: agent, tools: [order_status, customer_lookup], retriever: hybrid, max_steps: 4,
//               step_timeout_s: 30, protocol: auto, route: {order_status: [order, 订单, package]}}
//     faq: {type: rag_qa, retriever: bm25, passages: 5}
//   default_pipeline: support
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/generator.h"
#include "ragrt/tool.h"
#include "ragrt/trace.h"

namespace ragrt {

class ComponentGraph;

struct PipelineRequest {
  // The conversation in OpenAI's shape; the last message is the user's question. With `session`,
  // this turn is stored in memory after; earlier turns come from memory (within its token
  // budget) unless `messages` has its own (a client that sends the history keeps it).
  std::vector<ChatMessage> messages;
  std::string session;
  std::string user;  // who asked (OpenAI's `user`), for the trace; never a memory key
  std::string retriever;            // "" = the pipeline's
  std::optional<size_t> passages;   // how many passages to retrieve; unset = the pipeline's
  // The tools this turn may call (OpenAI's request `tools` / `tool_choice`): a subset of the
  // pipeline's; empty = none. Unset = all of the pipeline's. A name the pipeline does not have is
  // an error (kInvalidArgument) naming it.
  std::optional<std::vector<std::string>> tools;
  // A text completion's prompt for an `llm` pipeline: given to the generator as is, without the
  // chat template (messages then hold it as the user's message, for the trace and memory).
  std::optional<std::string> raw_prompt;
  // OpenAI function definitions of tools the client runs itself (an `llm` pipeline shows them to
  // the model; its calls come back in PipelineResult::model_tool_calls).
  nlohmann::ordered_json client_tools = nlohmann::ordered_json::array();
  // Tools to treat as down for this turn: their calls fail as `unavailable` without reaching the
  // service (outage drills: `ragrt eval qa` cases with tools_down).
  std::vector<std::string> unavailable_tools;
  SamplingParams sampling;          // over the generator section's defaults
  std::function<void(std::string_view)> on_text;  // the answer as it forms (see GenerationRequest)
  std::shared_ptr<const std::atomic<bool>> cancel;
  std::shared_ptr<TraceSpan> span;  // the turn's span; ComponentGraph::run sets it (null: untraced)
};

// Where a cited [n] points: a document passage (source, section, page, byte offsets) or a tool
// result (kind "tool", source "tool:NAME").
struct Citation {
  std::string id;  // the number the answer shows ([1], [2], … in order of first use)
  std::string kind;  // "document" or "tool"
  std::string source;
  std::string section;
  std::optional<int> page;
  size_t start = 0, end = 0;
  std::string text;
  std::vector<TextRegion> regions;  // OCR'd lines of a scan the passage covers (page, box); else empty
};

struct ToolCallRecord {
  std::string name;
  nlohmann::json arguments;
  ToolResult result;
};

struct PipelineResult {
  std::string answer;
  FinishReason finish_reason = FinishReason::kStop;
  std::vector<Citation> citations;          // in order of first use in `answer`
  std::vector<ContextPassage> passages;     // everything the answer could cite (tool results first)
  std::vector<ToolCallRecord> tool_calls;
  std::string pipeline;                     // its name in the config
  std::string generator;                    // Generator::description()
  std::string trace_id;
  // Summed over every model call of the turn (choosing tools, then answering).
  size_t prompt_tokens = 0, completion_tokens = 0;
  size_t model_calls = 0;
  bool usage_estimated = false;  // GenerationResult::usage_estimated
  // The answer says the documents do not answer (and no tool said anything either).
  bool refused = false;
  // A tool the turn needed failed (is_tool_failure): the answer says what could not be done.
  bool degraded = false;
  // The model's calls of the client's tools ({id, type: function, function: {name, arguments}}),
  // for the client to run; finish_reason is then kToolCalls.
  nlohmann::ordered_json model_tool_calls = nlohmann::ordered_json::array();
  std::string retriever;        // the retriever that ran ("" when none did)
  double retrieve_ms = 0;
  double time_to_first_token_ms = 0, total_ms = 0;
};

class Pipeline {
 public:
  virtual ~Pipeline() = default;
  virtual std::string type() const = 0;
  virtual const std::string& name() const = 0;
  // Thread-safe. Throws ragrt::Error: kInvalidArgument for a bad request (no user message,
  // invalid UTF-8, bad session id), kIo / kRuntime when retrieval or generation fails. Tool
  // failures are not errors: the answer says what could not be looked up.
  virtual PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const = 0;
};

}  // namespace ragrt
