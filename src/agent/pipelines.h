#pragma once
// The built-in pipeline types and their config sections (see include/ragrt/pipeline.h).
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ragrt/pipeline.h"
#include "ragrt/registry.h"
#include "ragrt/yaml_reader.h"

namespace ragrt::agent {

struct RagQaParams {
  std::string retriever;          // "" = the config's default_retriever
  std::optional<size_t> passages; // unset = generator.context_passages
};

enum class ToolProtocol {
  kAuto,             // rules without an LLM, function calling where the generator supports it, else react
  kFunctionCalling,  // tools passed to the chat template / server; calls read back from the output
  kReact,            // a text protocol: "Action: NAME" / "Action Input: {json}" / "Final Answer: …"
  kRules,            // no LLM: a tool is called when the question supplies its required arguments
};

struct AgentParams {
  RagQaParams rag;
  std::vector<std::string> tools;  // names from the `tools:` section; empty = all of them
  // Most tool calls the model's one decision may make (more are not run). With an LLM the agent
  // makes at most two model calls: the decision (tools and passages in view; an answer there is
  // the answer) and, when it called tools, the answer.
  size_t max_steps = 4;
  std::chrono::milliseconds step_timeout{30000};  // of the decision call
  ToolProtocol protocol = ToolProtocol::kAuto;
  // rules: words of which one must appear in the question for the tool to be called (any case);
  // a tool without an entry is called whenever its required arguments are found.
  std::map<std::string, std::vector<std::string>> route;
};

std::shared_ptr<Pipeline> make_rag_qa_pipeline(std::string name, RagQaParams params);
std::shared_ptr<Pipeline> make_agent_pipeline(std::string name, AgentParams params);

// Registry<Pipeline> factories of `pipelines:` entries of type rag_qa and agent; tool names are
// checked against spec.tools.
std::shared_ptr<Pipeline> make_rag_qa_pipeline_from(const ComponentSpec& spec);
std::shared_ptr<Pipeline> make_agent_pipeline_from(const ComponentSpec& spec);
// type llm: the bare generator (no retrieval) with the client's own tools.
std::shared_ptr<Pipeline> make_llm_pipeline_from(const ComponentSpec& spec);

}  // namespace ragrt::agent
