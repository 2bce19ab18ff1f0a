#pragma once
// How ragrt's log lines look. Text (the default): spdlog's "[time] [level] message". JSON: one
// object per line, {"time", "level", "message"}, for log pipelines that index fields; a message
// of log_event's form ("access route=/v1/chat/completions status=200 …") becomes
// {"time", "level", "event": "access", "route": …, "status": …} instead.
#include <string>
#include <utility>
#include <vector>

namespace ragrt::util {

enum class LogFormat { kText, kJson };

// Throws ragrt::Error kInvalidArgument for a name other than "text" or "json".
LogFormat log_format_named(const std::string& name);
// Applies to the default logger.
void use_log_format(LogFormat format);

// "EVENT k1=v1 k2=v2": values with spaces, quotes or '=' are quoted (logfmt); empty ones read "-".
std::string log_event(const std::string& event, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace ragrt::util
