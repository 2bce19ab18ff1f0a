// Metrics::turn: the per-pipeline, per-tool and per-retriever figures, with labels a request
// cannot multiply.
#include "server/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ragrt::server {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, ATurnIsCountedByPipelineToolAndRetriever) {
  Metrics m;
  PipelineResult r;
  r.pipeline = "support";
  r.retriever = "hybrid";
  r.retrieve_ms = 12;
  r.total_ms = 250;
  r.degraded = true;
  ToolCallRecord ok{"order_status", nlohmann::json::object(), {}};
  ok.result.latency_ms = 40;
  ToolCallRecord down = ok;
  down.result.outcome = ToolOutcome::kUnavailable;
  ToolCallRecord invented{"transfer_money_now", nlohmann::json::object(), {}};  // a name a model made up
  r.tool_calls = {ok, down, invented};
  m.turn(r, [](const std::string& name) { return name == "order_status"; });
  r.degraded = false;
  r.refused = true;
  r.tool_calls.clear();
  m.turn(r, [](const std::string&) { return true; });

  const std::string text = m.render({});
  EXPECT_THAT(text, HasSubstr("ragrt_pipeline_requests_total{pipeline=\"support\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_pipeline_degraded_total{pipeline=\"support\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_pipeline_refusals_total{pipeline=\"support\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_pipeline_duration_seconds_bucket{pipeline=\"support\",le=\"0.25\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_tool_calls_total{tool=\"order_status\",outcome=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_tool_calls_total{tool=\"order_status\",outcome=\"unavailable\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_tool_calls_total{tool=\"(unknown)\",outcome=\"ok\"} 1\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("transfer_money_now")));
  EXPECT_THAT(text, HasSubstr("ragrt_tool_call_duration_seconds_count{tool=\"order_status\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ragrt_retrieval_duration_seconds_count{retriever=\"hybrid\"} 2\n"));
}

}  // namespace
}  // namespace ragrt::server
