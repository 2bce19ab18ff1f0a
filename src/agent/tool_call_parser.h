#pragma once
// Tool calls read back from a local model's text, in the formats chat templates teach:
//   Hermes / Qwen / SmolLM3   <tool_call>{"name": "…", "arguments": {…}}</tool_call> (one or more)
//   Llama 3.1 / 3.2           the whole answer is {"name": "…", "parameters": {…}} (or "arguments")
//   Mistral                   [TOOL_CALLS] [{"name": "…", "arguments": {…}}, …]
//   ReAct (the react protocol) Action: NAME  /  Action Input: {…}
// Each comes back in OpenAI's shape: {"id", "type": "function", "function": {"name", "arguments"
// (a JSON string)}}. Text that is none of these is an answer, not a call: an empty array.
#include <string_view>

#include <nlohmann/json.hpp>

namespace ragrt::agent {

nlohmann::ordered_json parse_tool_calls(std::string_view text);

// "Final Answer: …" of a ReAct reply, or nullopt.
std::optional<std::string> react_final_answer(std::string_view text);

}  // namespace ragrt::agent
