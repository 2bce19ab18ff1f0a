// format_trace: the stored JSON tree as text for a terminal (`ragrt trace show`).
#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "ragrt/trace.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxStringChars = 60;
constexpr size_t kMaxNameColumn = 48;

size_t display_width(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Enough digits to read, not the 17 a double round-trips with.
std::string number(double x) {
  if (std::abs(x) >= 100 || x == std::floor(x)) return fmt::format("{:.1f}", x);
  return fmt::format("{:.3g}", x);
}

// Plain words stay bare (finish=stop); anything with spaces, quotes or control characters is
// quoted so the line still splits into key=value pairs.
bool bare_word(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
  });
}

std::string scalar(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: {
      const std::string s = text::first_chars(v.get<std::string>(), kMaxStringChars);
      return bare_word(s) ? s : Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    case Json::value_t::number_float:
      return number(v.get<double>());
    case Json::value_t::array:
      return fmt::format("[{} item{}]", v.size(), v.size() == 1 ? "" : "s");
    case Json::value_t::object:
      return fmt::format("{{{} key{}}}", v.size(), v.size() == 1 ? "" : "s");
    default:
      return v.dump();
  }
}

struct Line {
  std::string left;  // tree drawing and span name
  std::string right;  // duration, status, attributes
};

void collect(const Json& span, const std::string& prefix, bool last, std::vector<Line>& lines) {
  Line line;
  line.left = prefix + (last ? "└─ " : "├─ ") + span.value("name", "?");
  line.right = fmt::format("{:>8} ms", fmt::format("{:.1f}", span.value("duration_ms", 0.0)));
  if (span.value("status", "ok") != "ok")
    line.right += fmt::format("  {}: {}", span.value("status", ""), text::first_chars(span.value("error", ""), kMaxStringChars));
  if (auto a = span.find("attributes"); a != span.end() && a->is_object())
    for (const auto& [k, v] : a->items()) line.right += fmt::format("  {}={}", k, scalar(v));
  lines.push_back(std::move(line));
  const std::string below = prefix + (last ? "   " : "│  ");
  if (auto c = span.find("children"); c != span.end() && c->is_array())
    for (size_t i = 0; i < c->size(); ++i) collect((*c)[i], below, i + 1 == c->size(), lines);
}

}  // namespace

std::string format_trace(const Json& trace) {
  const std::string id = trace.value("trace_id", "");
  std::string started = trace.value("started_at", "");
  if (const size_t dot = started.find('.'); dot != std::string::npos) started = started.substr(0, dot) + "Z";
  std::string out = fmt::format("trace {}  {}  {}  {:.1f} ms", id.size() > 8 ? id.substr(0, 8) + "…" : id,
                                trace.value("kind", ""), started, trace.value("duration_ms", 0.0));
  if (const std::string config = trace.value("config_version", ""); !config.empty())
    out += "  config " + config.substr(0, 8);
  out += "\n";
  if (!trace.contains("root")) return out;
  std::vector<Line> lines;
  collect(trace.at("root"), "", true, lines);
  size_t width = 0;
  for (const Line& l : lines) width = std::max(width, std::min(display_width(l.left), kMaxNameColumn));
  for (const Line& l : lines) {
    const size_t w = display_width(l.left);
    out += l.left + std::string(w < width ? width - w : 0, ' ') + l.right + "\n";
  }
  return out;
}

}  // namespace ragrt
