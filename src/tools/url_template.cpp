#include "tools/url_template.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "ragrt/error.h"

namespace ragrt::tools {

namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// Where the path starts: after "scheme://authority".
size_t path_start(const std::string& text) {
  const size_t scheme = text.find("://");
  if (scheme == std::string::npos) return 0;
  const size_t slash = text.find_first_of("/?#", scheme + 3);
  return slash == std::string::npos ? text.size() : slash;
}

std::string argument_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);  // 5, 2.5, true, [..], {..}
}

}  // namespace

UrlTemplate UrlTemplate::parse(const std::string& text, bool url) {
  UrlTemplate t;
  const size_t first_path = url ? path_start(text) : 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find('{', i);
    if (open == std::string::npos) break;
    if (open > i) t.parts_.push_back({text.substr(i, open - i), false});
    const size_t close = text.find('}', open);
    if (close == std::string::npos) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "'{{' at {} is not closed by '}}'", open);
    const std::string name = text.substr(open + 1, close - open - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "'{{{}}}' is not a placeholder: write {{argument_name}}", name);
    if (open < first_path)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{{{}}} is in the scheme or host; arguments may only fill the path and query", name);
    t.parts_.push_back({name, true});
    i = close + 1;
  }
  if (i < text.size()) t.parts_.push_back({text.substr(i), false});
  return t;
}

std::vector<std::string> UrlTemplate::names() const {
  std::vector<std::string> out;
  for (const Part& p : parts_)
    if (p.placeholder) out.push_back(p.text);
  return out;
}

std::optional<std::string> UrlTemplate::expand(const nlohmann::json& arguments) const {
  std::string out;
  for (const Part& p : parts_) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    auto it = arguments.is_object() ? arguments.find(p.text) : arguments.end();
    if (it == arguments.end() || it->is_null()) return std::nullopt;
    const std::string value = argument_text(*it);
    out += (value == "." || value == "..") ? std::string(value.size() == 1 ? "%2E" : "%2E%2E") : encode(value);
  }
  return out;
}

std::string UrlTemplate::sample() const {
  std::string out;
  for (const Part& p : parts_) out += p.placeholder ? "x" : p.text;
  return out;
}

std::string UrlTemplate::encode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace ragrt::tools
