#include "util/log_format.h"

#include <chrono>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"
#include "util/utc_time.h"

namespace ragrt::util {
namespace {

bool needs_quotes(const std::string& v) { return v.find_first_of(" \"=\t\n") != std::string::npos; }

std::string quoted(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

// Reads back what log_event wrote, "EVENT k=v …": false when `text` is not of that form (a
// message with no '=' in its second word is an ordinary message).
bool parse_event(std::string_view text, nlohmann::ordered_json& out) {
  size_t i = text.find(' ');
  if (i == std::string_view::npos || i == 0) return false;
  const std::string event(text.substr(0, i));
  if (event.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) return false;
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  while (i != std::string_view::npos && i < text.size()) {
    ++i;
    const size_t eq = text.find('=', i);
    const size_t space = text.find(' ', i);
    if (eq == std::string_view::npos || (space != std::string_view::npos && space < eq) || eq == i) return false;
    const std::string key(text.substr(i, eq - i));
    std::string value;
    size_t j = eq + 1;
    if (j < text.size() && text[j] == '"') {
      for (++j; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) ++j;
        value += text[j];
      }
      ++j;
    } else {
      const size_t end = text.find(' ', j);
      value = std::string(text.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j));
      j = end == std::string_view::npos ? text.size() : end;
    }
    fields[key] = value == "-" ? "" : value;
    if (j < text.size() && text[j] != ' ') return false;
    i = j < text.size() ? j : std::string_view::npos;
  }
  if (fields.empty()) return false;
  out["event"] = event;
  for (auto& [k, v] : fields.items()) out[k] = v;
  return true;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["time"] = iso8601_utc(msg.time);
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string(level.data(), level.size());
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (!parse_event(text, line)) line["message"] = std::string(text);
    const std::string s = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    dest.append(s.data(), s.data() + s.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

LogFormat log_format_named(const std::string& name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "--log-format: '{}' is not a log format (text or json)", name);
}

void use_log_format(LogFormat format) {
  if (format == LogFormat::kJson) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_formatter(std::make_unique<spdlog::pattern_formatter>());
  }
}

std::string log_event(const std::string& event, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = event;
  for (const auto& [k, v] : fields) out += " " + k + "=" + (v.empty() ? "-" : needs_quotes(v) ? quoted(v) : v);
  return out;
}

}  // namespace ragrt::util
