#include "agent/tool_passage.h"

#include <fmt/format.h>

#include "agent/tool_messages.h"

namespace ragrt::agent {
namespace {

std::string words(std::string key) {
  for (char& c : key)
    if (c == '_' || c == '-') c = ' ';
  return key;
}

template <class Json>
std::string scalar(const Json& v) {
  if (v.is_string()) return v.template get<std::string>();
  if (v.is_null()) return "none";
  return v.dump();
}

// "key value; key value" over an object's scalar fields; nested values summarized as JSON.
std::string fields(const nlohmann::ordered_json& object) {
  std::string out;
  for (const auto& [k, v] : object.items()) {
    if (!out.empty()) out += "; ";
    out += words(k) + " " + (v.is_structured() ? v.dump() : scalar(v));
  }
  return out;
}

}  // namespace

ContextPassage tool_passage(const ToolCallRecord& call, const std::string& id, const LocalizedText& summaries,
                            const std::string& language) {
  const std::string& summary = summaries.in(language);
  ContextPassage p;
  p.id = id;
  p.kind = "tool";
  p.source = "tool:" + call.name;
  p.score = 1;
  std::string args;
  for (const auto& [k, v] : call.arguments.items()) args += (args.empty() ? "" : ", ") + words(k) + " " + scalar(v);
  const std::string subject = words(call.name) + (args.empty() ? "" : " (" + args + ")");
  const ToolResult& r = call.result;
  if (!r.ok()) {
    p.text = fmt::format("The {} could not be looked up: {}", subject, r.content);
    if (!p.text.empty() && p.text.back() != '.') p.text += '.';
    return p;
  }
  const nlohmann::ordered_json& data = r.data;
  if (data.is_object() && data.contains("rows") && data.contains("columns") && data["rows"].is_array()) {
    std::string rows;
    for (const auto& row : data["rows"]) {
      nlohmann::ordered_json object = nlohmann::ordered_json::object();
      for (size_t i = 0; i < data["columns"].size() && i < row.size(); ++i) object[data["columns"][i].get<std::string>()] = row[i];
      rows += (rows.empty() ? "" : summary.empty() ? " | " : " ") + (summary.empty() ? fields(object) : fill_template(summary, object));
    }
    if (rows.empty()) p.text = fmt::format("{}: no matching records.", subject);
    else p.text = summary.empty() ? fmt::format("{}: {}.", subject, rows) : rows;
  } else if (data.is_object()) {
    p.text = summary.empty() ? fmt::format("{}: {}.", subject, fields(data)) : fill_template(summary, data);
  } else {
    p.text = fmt::format("{}: {}", subject, r.content);
  }
  return p;
}

}  // namespace ragrt::agent
