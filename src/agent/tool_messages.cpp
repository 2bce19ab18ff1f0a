#include "agent/tool_messages.h"

#include <map>

namespace ragrt::agent {
namespace {

using json = nlohmann::ordered_json;

const std::map<ToolOutcome, LocalizedText>& builtin_messages() {
  static const std::map<ToolOutcome, LocalizedText> kMessages = {
      {ToolOutcome::kNotFound,
       LocalizedText({{"en", "I could not find anything for {values}. Please check it and try again."},
                      {"zh", "没有找到与{values}相关的记录，请核对后再试。"}})},
      {ToolOutcome::kInvalidArgument,
       LocalizedText({{"en", "The details you gave ({values}) do not look right. Please check them and try again."},
                      {"zh", "您提供的信息（{values}）格式不正确，请核对后再试。"}})},
      {ToolOutcome::kUnavailable,
       LocalizedText({{"en", "I cannot look this up right now. Please try again in a few minutes."},
                      {"zh", "暂时无法查询，请稍后再试。"}})},
      {ToolOutcome::kTimeout,
       LocalizedText({{"en", "The lookup is taking too long right now. Please try again in a few minutes."},
                      {"zh", "查询暂时超时，请过几分钟再试。"}})},
      {ToolOutcome::kRefused,
       LocalizedText({{"en", "I am not able to look this up here. Please contact our support team."},
                      {"zh", "这项信息无法在这里查询，请联系客服。"}})},
  };
  return kMessages;
}

std::string scalar(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "unknown";
  return v.dump();
}

}  // namespace

std::string fill_template(const std::string& text, const json& object) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    const size_t close = open == std::string::npos ? open : text.find('}', open + 1);
    if (close == std::string::npos) break;
    out.append(text, i, open - i);
    const std::string field = text.substr(open + 1, close - open - 1);
    const auto it = object.is_object() ? object.find(field) : object.end();
    out += it == object.end() || it->is_null() ? "unknown" : scalar(*it);
    i = close + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

std::string customer_message(const ToolSpec* spec, ToolOutcome outcome, const nlohmann::json& arguments,
                             const std::string& language) {
  if (outcome == ToolOutcome::kOk) return {};
  json fields = json::object();
  std::string values;
  if (arguments.is_object()) {
    for (const auto& [k, v] : arguments.items()) {
      fields[k] = v;
      values += (values.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  std::string text;
  if (spec) {
    auto own = spec->on_error.find(outcome);
    if (own != spec->on_error.end()) text = own->second.in(language);
  }
  if (text.empty()) {
    text = builtin_messages().at(outcome).in(language);
    // Without values the built-ins read without their parenthesis.
    if (values.empty()) {
      for (const char* hole : {" ({values})", "（{values}）", "与{values}相关的", " for {values}"}) {
        if (auto p = text.find(hole); p != std::string::npos) text.erase(p, std::string_view(hole).size());
      }
    }
  }
  fields["values"] = values;
  return fill_template(text, fields);
}

}  // namespace ragrt::agent
