#include "agent/tool_router.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "text/regex.h"

namespace ragrt::agent {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool value_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
}

// JSON Schema's `pattern` is a search, not a full match; the same semantics here.
bool matches(const std::string& pattern, const std::string& value) {
  text::Regex re(pattern, "tool argument pattern");
  size_t s = 0, e = 0;
  return re.find_at(value, 0, s, e);
}

std::optional<nlohmann::json> find_value(const nlohmann::ordered_json& schema, const std::vector<std::string>& candidates,
                                         const std::string& question_lower) {
  if (schema.contains("enum") && schema["enum"].is_array()) {
    for (const auto& option : schema["enum"]) {
      if (!option.is_string()) continue;
      const std::string o = lower(option.get<std::string>());
      for (const auto& c : candidates)
        if (lower(c) == o) return option;
    }
    return std::nullopt;
  }
  if (!schema.contains("pattern") || !schema["pattern"].is_string()) return std::nullopt;
  const std::string pattern = schema["pattern"].get<std::string>();
  const std::string type = schema.value("type", "string");
  for (const auto& c : candidates) {
    if (!matches(pattern, c)) continue;
    if (type == "integer" && std::all_of(c.begin(), c.end(), ::isdigit)) return std::stoll(c);
    if (type == "string") return c;
  }
  return std::nullopt;
}

// A value the question gives for an argument it does not fit: "#1234" for a 5-digit order
// number, "alice@example" for an email. Called anyway, the tool's schema check says what is wrong,
// and the customer is told so, instead of hearing about something else.
std::optional<std::string> attempted_value(const nlohmann::ordered_json& schema, const std::vector<std::string>& candidates,
                                           std::string_view question) {
  if (!schema.contains("pattern") || !schema["pattern"].is_string()) return std::nullopt;
  const std::string pattern = schema["pattern"].get<std::string>();
  // An email argument is attempted only by something with an '@'; an id by "#…" or digits.
  const bool wants_email = pattern.find('@') != std::string::npos;
  for (const auto& c : candidates) {
    const bool has_at = c.find('@') != std::string::npos;
    if (wants_email) {
      if (has_at) return c;
      continue;
    }
    const size_t digits = static_cast<size_t>(std::count_if(c.begin(), c.end(), ::isdigit));
    const bool marked = question.find("#" + c) != std::string_view::npos || question.find("＃" + c) != std::string_view::npos;
    if (!has_at && (marked || digits >= 3)) return c;
  }
  return std::nullopt;
}

}  // namespace

bool refers_back(std::string_view question) {
  static const char* kChinese[] = {"它", "这个订单", "那个订单", "这单", "那单", "该订单", "这个包裹"};
  for (const char* w : kChinese)
    if (question.find(w) != std::string_view::npos) return true;
  static const char* kEnglish[] = {"it", "its", "they", "them", "their", "this", "that", "one"};
  const std::string q = lower(question);
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && !std::isalpha(static_cast<unsigned char>(q[i]))) ++i;
    size_t j = i;
    while (j < q.size() && (std::isalpha(static_cast<unsigned char>(q[j])) || q[j] == '\'')) ++j;
    std::string word = q.substr(i, j - i);
    if (auto apostrophe = word.find('\''); apostrophe != std::string::npos) word.resize(apostrophe);  // it's
    for (const char* w : kEnglish)
      if (word == w) return true;
    i = j;
  }
  return false;
}

std::vector<std::string> candidate_values(std::string_view question) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < question.size()) {
    if (!value_char(question[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < question.size() && value_char(question[j])) ++j;
    std::string word(question.substr(i, j - i));
    while (!word.empty() && (word.back() == '.' || word.back() == '-')) word.pop_back();
    if (!word.empty() && std::find(out.begin(), out.end(), word) == out.end()) out.push_back(word);
    i = j;
  }
  return out;
}

std::vector<RoutedCall> route_tools(std::string_view question, const std::vector<const Tool*>& tools,
                                    const std::map<std::string, std::vector<std::string>>& route_words) {
  const std::vector<std::string> candidates = candidate_values(question);
  const std::string q = lower(question);
  std::vector<RoutedCall> calls;
  for (const Tool* tool : tools) {
    const ToolSpec& spec = tool->spec();
    auto words = route_words.find(spec.name);
    if (words != route_words.end() &&
        std::none_of(words->second.begin(), words->second.end(),
                     [&](const std::string& w) { return q.find(lower(w)) != std::string::npos; }))
      continue;
    const auto& params = spec.parameters;
    std::vector<std::string> required;
    if (params.contains("required") && params["required"].is_array())
      for (const auto& r : params["required"]) required.push_back(r.get<std::string>());
    // A tool that needs nothing from the question is only called when its route words ask for it.
    if (required.empty() && words == route_words.end()) continue;
    nlohmann::json arguments = nlohmann::json::object();
    bool complete = true;
    if (params.contains("properties") && params["properties"].is_object()) {
      for (const auto& [name, schema] : params["properties"].items()) {
        auto value = find_value(schema, candidates, q);
        if (value) arguments[name] = *value;
      }
    }
    for (const auto& r : required) complete = complete && arguments.contains(r);
    // Asked for by its route words, with a value that does not fit: called, to say what is wrong.
    if (!complete && words != route_words.end() && required.size() == 1 && params["properties"].contains(required[0])) {
      if (auto attempt = attempted_value(params["properties"][required[0]], candidates, question)) {
        arguments[required[0]] = *attempt;
        complete = true;
      }
    }
    if (complete) calls.push_back({spec.name, std::move(arguments)});
  }
  return calls;
}

}  // namespace ragrt::agent
