#include "eval/qa_suite.h"

#include <algorithm>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "ragrt/error.h"
#include "ragrt/yaml_reader.h"

namespace ragrt::eval {
namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::string& haystack_lower, const std::string& needle) {
  return haystack_lower.find(lower(needle)) != std::string::npos;
}

std::string quoted_list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + ("\"" + s + "\"");
  return out;
}

// Arguments compare as text: a suite writes "12345" where a tool may take 12345.
std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

QaSuite load_qa_suite(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "cannot read the QA suite {}", file.string());
  } catch (const YAML::Exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}:{}:{}: not valid YAML: {}", file.string(), e.mark.line + 1,
                     e.mark.column + 1, e.msg);
  }
  const config::YamlReader r(file, file.parent_path());
  r.require_map(root, "(suite)");
  r.reject_duplicate_keys(root);
  r.only_keys(root, "(suite)", {"pipeline", "cases"});
  QaSuite suite;
  suite.file = file;
  if (root["pipeline"]) suite.pipeline = r.string(root["pipeline"], "pipeline");
  if (!root["cases"] || !root["cases"].IsSequence() || root["cases"].size() == 0)
    r.fail(root["cases"] ? root["cases"] : root, "cases", "expected a list of cases (each with id, question or turns, expect)");
  std::vector<std::string> ids;
  for (size_t i = 0; i < root["cases"].size(); ++i) {
    const YAML::Node n = root["cases"][i];
    const std::string key = fmt::format("cases[{}]", i);
    r.require_map(n, key);
    r.only_keys(n, key, {"id", "question", "turns", "tools_down", "expect"});
    QaCase c;
    c.line = n.Mark().line + 1;
    if (!n["id"]) r.fail(n, key + ".id", "missing: every case needs an id");
    c.id = r.string(n["id"], key + ".id");
    if (std::find(ids.begin(), ids.end(), c.id) != ids.end()) r.fail(n["id"], key + ".id", fmt::format("'{}' is used twice", c.id));
    ids.push_back(c.id);
    if (n["question"] && n["turns"]) r.fail(n["turns"], key + ".turns", "give question or turns, not both");
    if (n["question"]) c.turns.push_back(r.string(n["question"], key + ".question"));
    else if (n["turns"]) c.turns = r.strings(n["turns"], key + ".turns");
    if (c.turns.empty()) r.fail(n, key + ".question", "missing: the question (or turns: the questions of one session)");
    if (n["tools_down"]) c.tools_down = r.strings(n["tools_down"], key + ".tools_down");
    if (!n["expect"]) r.fail(n, key + ".expect", "missing: what the answer must do");
    const YAML::Node e = n["expect"];
    const std::string ek = key + ".expect";
    r.require_map(e, ek);
    r.only_keys(e, ek, {"contains_any", "contains_all", "not_contains", "cites", "not_cites", "calls", "refuses"});
    if (e["contains_any"]) c.contains_any = r.strings(e["contains_any"], ek + ".contains_any");
    if (e["contains_all"]) c.contains_all = r.strings(e["contains_all"], ek + ".contains_all");
    if (e["not_contains"]) c.not_contains = r.strings(e["not_contains"], ek + ".not_contains");
    if (e["cites"]) c.cites = r.strings(e["cites"], ek + ".cites");
    if (e["not_cites"]) c.not_cites = r.strings(e["not_cites"], ek + ".not_cites");
    if (e["refuses"]) c.refuses = r.boolean(e["refuses"], ek + ".refuses");
    if (e["calls"]) {
      if (!e["calls"].IsSequence()) r.fail(e["calls"], ek + ".calls", "expected a list of {tool, args}");
      std::vector<QaExpectedCall> calls;
      for (size_t j = 0; j < e["calls"].size(); ++j) {
        const YAML::Node cn = e["calls"][j];
        const std::string ck = fmt::format("{}.calls[{}]", ek, j);
        r.require_map(cn, ck);
        r.only_keys(cn, ck, {"tool", "args"});
        if (!cn["tool"]) r.fail(cn, ck + ".tool", "missing: the tool's name");
        QaExpectedCall call{r.string(cn["tool"], ck + ".tool")};
        if (cn["args"]) {
          r.require_map(cn["args"], ck + ".args");
          call.args = json::parse(config::yaml_to_json(cn["args"]).dump());
        }
        calls.push_back(std::move(call));
      }
      c.calls = std::move(calls);
    }
    suite.cases.push_back(std::move(c));
  }
  return suite;
}

std::vector<std::string> check_qa_case(const QaCase& c, const PipelineResult& result) {
  std::vector<std::string> why;
  const std::string answer = lower(result.answer);
  if (!c.contains_any.empty() &&
      std::none_of(c.contains_any.begin(), c.contains_any.end(), [&](const auto& s) { return contains(answer, s); }))
    why.push_back(fmt::format("the answer contains none of {}", quoted_list(c.contains_any)));
  for (const auto& s : c.contains_all)
    if (!contains(answer, s)) why.push_back(fmt::format("the answer lacks \"{}\"", s));
  for (const auto& s : c.not_contains)
    if (contains(answer, s)) why.push_back(fmt::format("the answer contains \"{}\"", s));
  auto cited = [&](const std::string& part) {
    return std::any_of(result.citations.begin(), result.citations.end(),
                       [&](const Citation& x) { return x.source.find(part) != std::string::npos; });
  };
  for (const auto& s : c.cites)
    if (!cited(s)) why.push_back(fmt::format("no citation from \"{}\"", s));
  for (const auto& s : c.not_cites)
    if (cited(s)) why.push_back(fmt::format("cites \"{}\"", s));
  if (c.calls) {
    if (c.calls->empty() && !result.tool_calls.empty())
      why.push_back(fmt::format("called {} (expected no tool call)", result.tool_calls.front().name));
    for (const QaExpectedCall& want : *c.calls) {
      const bool made = std::any_of(result.tool_calls.begin(), result.tool_calls.end(), [&](const ToolCallRecord& call) {
        if (call.name != want.tool) return false;
        for (const auto& [k, v] : want.args.items())
          if (!call.arguments.is_object() || !call.arguments.contains(k) || as_text(call.arguments[k]) != as_text(v)) return false;
        return true;
      });
      if (!made) why.push_back(fmt::format("no call {}({})", want.tool, want.args.dump()));
    }
  }
  if (c.refuses && *c.refuses != result.refused)
    why.push_back(*c.refuses ? "answered instead of refusing" : "refused instead of answering");
  return why;
}

std::vector<QaOutcome> run_qa_suite(const QaSuite& suite, const ComponentGraph& graph) {
  std::vector<QaOutcome> out;
  std::random_device rd;
  const std::string run = fmt::format("{:08x}", rd());
  for (const QaCase& c : suite.cases) {
    QaOutcome o;
    o.id = c.id;
    const auto start = std::chrono::steady_clock::now();
    try {
      // Turns share a session when the config remembers conversations, else the earlier turns
      // travel in the request as a client would send them.
      std::string session;
      if (c.turns.size() > 1 && graph.memory()) {
        session = "qa-" + run + "-";
        for (char ch : c.id) session += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' ? ch : '_';
        session = session.substr(0, 128);
      }
      std::vector<ChatMessage> history;
      PipelineResult result;
      for (const std::string& turn : c.turns) {
        PipelineRequest request;
        request.session = session;
        if (session.empty()) request.messages = history;
        request.messages.push_back({{"role", "user"}, {"content", turn}});
        request.unavailable_tools = c.tools_down;
        result = graph.run(suite.pipeline, request);
        history.push_back({{"role", "user"}, {"content", turn}});
        history.push_back({{"role", "assistant"}, {"content", result.answer}});
      }
      o.reasons = check_qa_case(c, result);
      o.answer = result.answer;
      for (const Citation& x : result.citations) o.citations.push_back(x.source);
      for (const ToolCallRecord& call : result.tool_calls)
        o.calls.push_back({{"tool", call.name}, {"args", call.arguments}, {"outcome", to_string(call.result.outcome)}});
      o.refused = result.refused;
      o.trace_id = result.trace_id;
    } catch (const std::exception& e) {
      o.reasons.push_back(fmt::format("error: {}", e.what()));
    }
    o.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    o.passed = o.reasons.empty();
    out.push_back(std::move(o));
  }
  return out;
}

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string qa_junit_xml(const QaSuite& suite, const std::vector<QaOutcome>& outcomes) {
  size_t failures = 0;
  double seconds = 0;
  for (const auto& o : outcomes) {
    failures += o.passed ? 0 : 1;
    seconds += o.ms / 1000;
  }
  const std::string name = xml_escape(suite.file.stem().string());
  std::string xml = fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"{}\" failures=\"{}\" time=\"{:.3f}\">\n"
                                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{:.3f}\">\n",
                                outcomes.size(), failures, seconds, name, outcomes.size(), failures, seconds);
  for (const auto& o : outcomes) {
    xml += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", name, xml_escape(o.id), o.ms / 1000);
    if (o.passed) {
      xml += "/>\n";
      continue;
    }
    std::string reasons;
    for (const auto& r : o.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
    xml += fmt::format(">\n      <failure message=\"{}\">answer: {}</failure>\n    </testcase>\n", xml_escape(reasons),
                       xml_escape(o.answer));
  }
  xml += "  </testsuite>\n</testsuites>\n";
  return xml;
}

}  // namespace ragrt::eval
