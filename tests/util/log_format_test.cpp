// Log lines as text and as JSON: an access event's fields become JSON fields.
#include "util/log_format.h"

#include <memory>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "ragrt/error.h"

namespace ragrt::util {
namespace {

std::string logged(LogFormat format, const std::string& message) {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  auto before = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  use_log_format(format);
  spdlog::warn("{}", message);
  spdlog::set_default_logger(before);
  return out.str();
}

TEST(LogFormat, EventsAreLogfmtAndQuotedWhenNeeded) {
  EXPECT_EQ(log_event("access", {{"route", "/v1/chat/completions"}, {"status", "200"}, {"key", ""}, {"who", "a b\"c"}}),
            "access route=/v1/chat/completions status=200 key=- who=\"a b\\\"c\"");
}

TEST(LogFormat, JsonLinesCarryTheEventsFields) {
  const std::string line = logged(LogFormat::kJson, log_event("access", {{"route", "/v1/models"}, {"status", "200"},
                                                                         {"key", ""}, {"pipeline", "my pipe"}}));
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["event"], "access");
  EXPECT_EQ(j["route"], "/v1/models");
  EXPECT_EQ(j["status"], "200");
  EXPECT_EQ(j["key"], "");
  EXPECT_EQ(j["pipeline"], "my pipe");
  EXPECT_FALSE(j.contains("message"));
  EXPECT_EQ(j["time"].get<std::string>().size(), 24u);  // 2026-12-07T10:00:00.000Z

  // An ordinary message stays one field, whatever it holds.
  for (const std::string m : {"config ragrt.yaml: reloaded, now version abc", "a=b but not an event", "x = y", "bad \"quote\n"}) {
    const auto k = nlohmann::json::parse(logged(LogFormat::kJson, m));
    EXPECT_EQ(k["message"], m);
  }
  EXPECT_NE(logged(LogFormat::kText, "plain").find("[warning] plain"), std::string::npos);
  EXPECT_THROW(log_format_named("xml"), Error);
}

}  // namespace
}  // namespace ragrt::util
