#include "agent/tool_call_parser.h"

#include <optional>
#include <string>

namespace ragrt::agent {
namespace {

using json = nlohmann::ordered_json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<json> parse_json(std::string_view text) {
  json v = json::parse(trim(text), nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return std::nullopt;
  return v;
}

// {"name", "arguments" | "parameters"} -> OpenAI's call shape; nullopt when it is not one.
std::optional<json> as_call(const json& v, size_t index) {
  if (!v.is_object() || !v.contains("name") || !v["name"].is_string()) return std::nullopt;
  json args = v.contains("arguments") ? v["arguments"] : v.contains("parameters") ? v["parameters"] : json::object();
  // Arguments stay a string as OpenAI sends them; a string that is not JSON reaches the tool,
  // which answers the model with the parse error.
  const std::string arguments = args.is_string() ? args.get<std::string>() : args.dump();
  return json{{"id", "call_" + std::to_string(index)},
              {"type", "function"},
              {"function", {{"name", v["name"]}, {"arguments", arguments}}}};
}

void add_calls(const json& v, json& out) {
  if (v.is_array()) {
    for (const auto& item : v)
      if (auto c = as_call(item, out.size())) out.push_back(*c);
  } else if (auto c = as_call(v, out.size())) {
    out.push_back(*c);
  }
}

}  // namespace

json parse_tool_calls(std::string_view text) {
  json out = json::array();
  // Hermes-style tags.
  constexpr std::string_view open = "<tool_call>", close = "</tool_call>";
  for (size_t pos = text.find(open); pos != std::string_view::npos; pos = text.find(open, pos)) {
    const size_t start = pos + open.size();
    const size_t end = text.find(close, start);
    const std::string_view body = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    if (auto v = parse_json(body)) add_calls(*v, out);
    if (end == std::string_view::npos) break;
    pos = end + close.size();
  }
  if (!out.empty()) return out;
  // Mistral.
  if (size_t pos = text.find("[TOOL_CALLS]"); pos != std::string_view::npos) {
    if (auto v = parse_json(text.substr(pos + 12))) add_calls(*v, out);
    if (!out.empty()) return out;
  }
  // ReAct.
  if (size_t a = text.find("Action:"); a != std::string_view::npos && text.find("Final Answer:") == text.npos) {
    const size_t line_end = text.find('\n', a);
    const std::string name(trim(text.substr(a + 7, line_end == text.npos ? text.npos : line_end - a - 7)));
    json args = json::object();
    if (size_t in = text.find("Action Input:", a); in != std::string_view::npos) {
      // Models often go on to invent the observation; the input ends where it starts.
      std::string_view input = text.substr(in + 13);
      input = input.substr(0, input.find("\nObservation"));
      if (auto v = parse_json(input)) args = *v;
      else args = std::string(trim(input));
    }
    if (!name.empty()) add_calls(json{{"name", name}, {"arguments", args}}, out);
    return out;
  }
  // Llama 3.x: the whole reply is the call.
  if (auto v = parse_json(text)) add_calls(*v, out);
  return out;
}

std::optional<std::string> react_final_answer(std::string_view text) {
  const size_t pos = text.find("Final Answer:");
  if (pos == std::string_view::npos) return std::nullopt;
  return std::string(trim(text.substr(pos + 13)));
}

}  // namespace ragrt::agent
