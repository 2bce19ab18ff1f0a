#pragma once
// Wall-clock times as logs and traces store them: ISO 8601 in UTC with milliseconds
// ("2026-12-07T10:00:00.123Z"), whatever the machine's time zone; such strings sort by time.
#include <chrono>
#include <string>

namespace ragrt::util {

std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace ragrt::util
