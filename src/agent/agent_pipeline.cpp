// agent: retrieve, let the model (or, without an LLM, the routing rules) call tools, then answer
// from tool results and passages together, citing both.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "agent/pipelines.h"
#include "agent/rag_turn.h"
#include "agent/tool_call_parser.h"
#include "agent/tool_passage.h"
#include "agent/tool_router.h"
#include "ragrt/error.h"
#include "tools/tool_set.h"

namespace ragrt::agent {
namespace {

using json = nlohmann::ordered_json;

// Cancels a model turn when it runs past the step timeout, or when the request is cancelled.
class StepDeadline {
 public:
  StepDeadline(std::chrono::milliseconds timeout, std::shared_ptr<const std::atomic<bool>> outer)
      : flag_(std::make_shared<std::atomic<bool>>(false)) {
    watcher_ = std::thread([this, timeout, outer] {
      std::unique_lock lock(mutex_);
      const auto until = std::chrono::steady_clock::now() + timeout;
      while (!done_) {
        if (outer && outer->load()) break;
        if (wake_.wait_until(lock, std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(50))) ==
                std::cv_status::timeout &&
            std::chrono::steady_clock::now() >= until) {
          expired_ = true;
          break;
        }
      }
      if (!done_) flag_->store(true);
    });
  }
  ~StepDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    watcher_.join();
  }
  std::shared_ptr<const std::atomic<bool>> flag() const { return flag_; }
  bool expired() const {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false, expired_ = false;
  std::thread watcher_;
};

const char* kToolInstructions =
    "You are a customer-service assistant. When the question needs live data (an order, an account), call "
    "the matching tool with arguments taken from the question. When you have what you need, or no tool "
    "fits, reply without calling a tool.";

std::string react_instructions(const json& specs) {
  std::string out =
      "Answer the question. You may use these tools:\n";
  for (const auto& s : specs) {
    out += fmt::format("- {}: {} Arguments (JSON Schema): {}\n", s["function"]["name"].get<std::string>(),
                       s["function"].value("description", ""), s["function"]["parameters"].dump());
  }
  out +=
      "\nTo use a tool, reply exactly:\nAction: TOOL_NAME\nAction Input: {\"argument\": \"value\"}\n"
      "Then wait for the Observation. When you know enough, reply:\nFinal Answer: your answer";
  return out;
}

class AgentPipeline final : public Pipeline {
 public:
  AgentPipeline(std::string name, AgentParams params) : name_(std::move(name)), params_(std::move(params)) {}
  std::string type() const override { return "agent"; }
  const std::string& name() const override { return name_; }

  PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const override {
    PipelineResult result;
    result.pipeline = name_;
    const Turn turn = read_turn(request, graph);
    std::vector<const Tool*> tools;
    const std::vector<std::string> own = params_.tools.empty() ? graph.tools().names() : params_.tools;
    for (const std::string& n : request.tools.value_or(own)) {
      RAGRT_THROW_IF_NOT_KIND(std::find(own.begin(), own.end(), n) != own.end(), ErrorKind::kInvalidArgument,
                              "tools: '{}' is not a tool of pipeline '{}' (its tools: {})", n, name_, fmt::join(own, ", "));
      tools.push_back(graph.tools().find(n).get());
    }

    ToolProtocol protocol = params_.protocol;
    if (protocol == ToolProtocol::kAuto) {
      protocol = !graph.generator().is_llm()          ? ToolProtocol::kRules
                 : graph.generator().native_tool_calls() ? ToolProtocol::kFunctionCalling
                                                         : ToolProtocol::kReact;
    }
    if (!tools.empty()) {
      auto span = child_span(request.span.get(), "tools");
      if (span) span->set("protocol", protocol == ToolProtocol::kRules ? "rules"
                                      : protocol == ToolProtocol::kReact ? "react" : "function_calling");
      if (protocol == ToolProtocol::kRules) {
        for (auto& call : route_tools(turn.question, tools, params_.route)) {
          run_tool(graph, call.tool, call.arguments, request, span.get(), result);
        }
      } else {
        model_picks_tools(graph, request, turn, tools, protocol, span.get(), result);
      }
      if (span) {
        span->set("calls", result.tool_calls.size());
        span->end();
      }
    }

    // Tool results first: they are the live data the question asked for.
    std::vector<ContextPassage> passages;
    for (const auto& call : result.tool_calls) {
      const auto tool = graph.tools().find(call.name);  // null when the model named no such tool
      passages.push_back(tool_passage(call, std::to_string(passages.size() + 1), tool ? tool->spec().summary : ""));
    }
    const size_t k = request.passages.value_or(params_.rag.passages.value_or(graph.config().generator.context_passages));
    auto retrieved = retrieve(graph, turn.question, request.retriever.empty() ? params_.rag.retriever : request.retriever,
                              k, passages.size() + 1, request.span.get());
    std::move(retrieved.begin(), retrieved.end(), std::back_inserter(passages));
    answer(graph, request, turn, std::move(passages), request.span.get(), result);
    return result;
  }

 private:
  void run_tool(const ComponentGraph& graph, const std::string& name, const nlohmann::json& arguments,
                const PipelineRequest& request, TraceSpan* parent, PipelineResult& result) const {
    auto span = child_span(parent, "tool:" + name);
    ToolCallOptions options;
    options.cancel = request.cancel;
    options.timeout = params_.step_timeout;
    ToolCallRecord record{name, arguments, graph.tools().call(name, arguments, options)};
    if (span) {
      span->set("arguments", json::parse(arguments.dump()));
      span->set("status", to_string(record.result.status));
      if (record.result.http_status) span->set("http_status", record.result.http_status);
      span->set("bytes", record.result.bytes);
      span->set("attempts", record.result.attempts);
      span->set("latency_ms", record.result.latency_ms);
      if (!record.result.ok()) span->fail(record.result.content);
      span->end();
    }
    result.tool_calls.push_back(std::move(record));
  }

  void model_picks_tools(const ComponentGraph& graph, const PipelineRequest& request, const Turn& turn,
                         const std::vector<const Tool*>& tools, ToolProtocol protocol, TraceSpan* parent,
                         PipelineResult& result) const {
    json specs = json::array();
    for (const Tool* t : tools) specs.push_back(t->spec().to_openai());
    std::vector<ChatMessage> messages;
    messages.push_back({{"role", "system"}, {"content", protocol == ToolProtocol::kReact ? react_instructions(specs)
                                                                                       : std::string(kToolInstructions)}});
    for (const auto& m : turn.history) messages.push_back(m);
    messages.push_back({{"role", "user"}, {"content", turn.question}});

    for (size_t step = 0; step < params_.max_steps; ++step) {
      auto span = child_span(parent, fmt::format("model_step:{}", step + 1));
      GenerationRequest g;
      g.messages = messages;
      if (protocol == ToolProtocol::kFunctionCalling) g.tools = specs;
      g.sampling = request.sampling.with_defaults(graph.config().generator.sampling);
      if (protocol == ToolProtocol::kReact) g.sampling.stop.push_back("\nObservation");
      StepDeadline deadline(params_.step_timeout, request.cancel);
      g.cancel = deadline.flag();
      GenerationResult out = graph.generator().generate(g);
      json calls = !out.tool_calls.empty() ? out.tool_calls : parse_tool_calls(out.text);
      if (span) {
        span->set("completion_tokens", out.completion_tokens);
        span->set("tool_calls", calls.size());
        if (deadline.expired()) span->fail(fmt::format("step timed out after {} ms", params_.step_timeout.count()));
        span->end();
      }
      if (deadline.expired() || (request.cancel && request.cancel->load()) || calls.empty()) return;
      if (protocol == ToolProtocol::kFunctionCalling) {
        messages.push_back({{"role", "assistant"}, {"content", ""}, {"tool_calls", calls}});
      } else {
        messages.push_back({{"role", "assistant"}, {"content", out.text}});
      }
      for (const auto& call : calls) {
        const std::string name = call["function"]["name"].get<std::string>();
        const std::string raw = call["function"]["arguments"].get<std::string>();
        nlohmann::json arguments = nlohmann::json::parse(raw, nullptr, false);
        if (arguments.is_discarded()) arguments = raw;  // the tool set answers with the parse error
        run_tool(graph, name, arguments, request, parent, result);
        const ToolResult& r = result.tool_calls.back().result;
        if (protocol == ToolProtocol::kFunctionCalling) {
          messages.push_back({{"role", "tool"}, {"tool_call_id", call["id"]}, {"name", name}, {"content", r.content}});
        } else {
          messages.push_back({{"role", "user"}, {"content", "Observation: " + r.content}});
        }
      }
    }
  }

  std::string name_;
  AgentParams params_;
};

}  // namespace

std::shared_ptr<Pipeline> make_agent_pipeline(std::string name, AgentParams params) {
  return std::make_shared<AgentPipeline>(std::move(name), std::move(params));
}

}  // namespace ragrt::agent
