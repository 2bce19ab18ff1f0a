#pragma once
// A QA suite: questions with what their answers must (not) say, cite and call, run through a
// configured pipeline. The measure of answer quality for `ragrt eval qa SUITE.yaml`:
//
//   pipeline: support            # optional; the config's default otherwise
//   cases:
//     - id: refund-time-en
//       question: "How long does a refund take?"        # or turns: [q1, q2, …] (one session)
//       tools_down: [order_status]                       # optional: those tools fail as unavailable
//       expect:
//         contains_any: ["5 working days"]   # at least one, case-insensitive substring of the answer
//         contains_all: []                   # every one
//         not_contains: ["points"]
//         cites: ["refunds.md"]              # each a substring of some citation's source
//         not_cites: ["loyalty"]
//         calls: [{tool: order_status, args: {order_id: "12345"}}]  # each made (args: at least these); [] = none
//         refuses: true                      # the pipeline said the documents do not answer (false: it did not)
//
// Expectations apply to the last turn.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ragrt/component_graph.h"

namespace ragrt::eval {

struct QaExpectedCall {
  std::string tool;
  nlohmann::json args = nlohmann::json::object();
};

struct QaCase {
  std::string id;
  std::vector<std::string> turns;  // one for `question`
  std::vector<std::string> tools_down;
  std::vector<std::string> contains_any, contains_all, not_contains, cites, not_cites;
  std::optional<std::vector<QaExpectedCall>> calls;
  std::optional<bool> refuses;
  int line = 0;  // where the case starts in the suite file
};

struct QaSuite {
  std::filesystem::path file;
  std::string pipeline;
  std::vector<QaCase> cases;
};

// Throws ragrt::Error (kInvalidArgument) naming file:line:column and the key for a malformed suite.
QaSuite load_qa_suite(const std::filesystem::path& file);

struct QaOutcome {
  std::string id;
  bool passed = false;
  std::vector<std::string> reasons;  // why it failed; empty when passed
  std::string answer;
  nlohmann::ordered_json citations = nlohmann::ordered_json::array();  // sources, in order
  nlohmann::ordered_json calls = nlohmann::ordered_json::array();      // {tool, args, outcome}
  bool refused = false;
  std::string trace_id;
  double ms = 0;
};

// Runs every case (a case that throws fails with the error as its reason).
std::vector<QaOutcome> run_qa_suite(const QaSuite& suite, const ComponentGraph& graph);
// The checks of one case against one result.
std::vector<std::string> check_qa_case(const QaCase& c, const PipelineResult& result);

// JUnit XML of the outcomes (one testsuite, one testcase per case).
std::string qa_junit_xml(const QaSuite& suite, const std::vector<QaOutcome>& outcomes);

}  // namespace ragrt::eval
