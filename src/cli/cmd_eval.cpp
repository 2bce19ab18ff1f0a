// ragrt eval beir DIR: indexes a BEIR dataset, runs the retrievers over its judged queries and
// prints nDCG@10, Recall@100, MRR@10, query latency and indexing throughput.
// ragrt eval qa SUITE.yaml --config FILE: runs a QA suite (eval/qa_suite.h) through the configured
// pipeline; one row per case and a summary (or JSON lines), exit 1 when any case fails.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "eval/beir_eval.h"
#include "eval/qa_suite.h"
#include "ragrt/beir.h"
#include "ragrt/error.h"
#include "ragrt/component_graph.h"
#include "ragrt/rag_config.h"

namespace ragrt::cli {
namespace {

namespace fs = std::filesystem;

struct EvalArgs {
  std::string dir;
  std::vector<std::string> retrievers;
  std::string index_dir;
  std::string config_file;
  bool json = false;
  std::string suite;
  std::string junit;
};

// A folder that is removed on exit unless the user asked to keep the index.
struct WorkDir {
  fs::path path;
  bool remove = true;
  ~WorkDir() {
    std::error_code ec;
    if (remove && !path.empty()) fs::remove_all(path, ec);
  }
};

int run_beir_eval(const EvalArgs& args) {
  auto t_load = std::chrono::steady_clock::now();
  BeirDataset data = load_beir(args.dir);
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  // bm25 needs no config at all; a config brings its models and retrievers.
  RagConfig config = args.config_file.empty() ? RagConfig::defaults("") : RagConfig::load(args.config_file);

  WorkDir work;
  if (args.index_dir.empty()) {
    std::random_device rd;
    work.path = fs::temp_directory_path() / fmt::format("ragrt-eval-{:x}", rd());
  } else {
    work.path = args.index_dir;
    work.remove = false;
    if (fs::exists(work.path / "collection.sqlite"))
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{} already holds a collection: give an empty --index-dir",
                       work.path.string());
  }
  const eval::BeirRun run = eval::run_beir(data, args.dir, config, work.path, args.retrievers);
  const IndexProgress& ix = run.indexing;
  const double docs_per_s = ix.seconds > 0 ? static_cast<double>(ix.documents) / ix.seconds : 0;
  const double emb_per_s = ix.embed_seconds > 0 ? static_cast<double>(ix.embeddings) / ix.embed_seconds : 0;
  if (args.json) {
    for (const auto& r : run.scores) {
      nlohmann::json j = {{"retriever", r.retriever},
                          {"queries", r.queries},
                          {"ndcg_at_10", r.ndcg_at_10},
                          {"recall_at_100", r.recall_at_100},
                          {"mrr_at_10", r.mrr_at_10},
                          {"p50_ms", r.p50_ms},
                          {"p95_ms", r.p95_ms},
                          {"index_s", ix.seconds},
                          {"index_docs_per_s", docs_per_s},
                          {"chunks", ix.chunks},
                          {"embeddings_per_s", emb_per_s}};
      std::cout << j.dump() << "\n";
    }
    return 0;
  }
  std::cout << fmt::format("dataset {}: {} documents, {} queries judged (loaded in {:.2f} s)\n", args.dir,
                           data.corpus.size(), data.judged_queries().size(), load_s);
  std::cout << fmt::format("indexed {} documents as {} chunks in {:.2f} s ({:.0f} documents/s{}){}\n\n", ix.documents,
                           ix.chunks, ix.seconds, docs_per_s,
                           ix.embeddings ? fmt::format(", {:.1f} embeddings/s", emb_per_s) : std::string(),
                           work.remove ? "" : ", kept in " + work.path.string());
  std::cout << fmt::format("{:<12} {:>8} {:>10} {:>11} {:>8} {:>9} {:>9}\n", "retriever", "queries", "nDCG@10",
                           "Recall@100", "MRR@10", "p50 ms", "p95 ms");
  for (const auto& r : run.scores)
    std::cout << fmt::format("{:<12} {:>8} {:>10.4f} {:>11.4f} {:>8.4f} {:>9.2f} {:>9.2f}\n", r.retriever, r.queries,
                             r.ndcg_at_10, r.recall_at_100, r.mrr_at_10, r.p50_ms, r.p95_ms);
  return 0;
}

int run_qa_eval(const EvalArgs& args) {
  if (args.config_file.empty())
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "give --config FILE: the suite runs through that config's pipeline");
  const eval::QaSuite suite = eval::load_qa_suite(args.suite);
  const auto graph = ComponentGraph::load(args.config_file);
  if (!suite.pipeline.empty()) graph->pipeline(suite.pipeline);  // an unknown name fails before any case runs
  const std::vector<eval::QaOutcome> outcomes = eval::run_qa_suite(suite, *graph);
  size_t passed = 0;
  for (const auto& o : outcomes) passed += o.passed ? 1 : 0;
  const double rate = outcomes.empty() ? 0 : static_cast<double>(passed) / static_cast<double>(outcomes.size());
  if (args.json) {
    for (const auto& o : outcomes) {
      nlohmann::ordered_json j = {{"id", o.id},       {"passed", o.passed},       {"reasons", o.reasons},
                                  {"answer", o.answer}, {"citations", o.citations}, {"calls", o.calls},
                                  {"refused", o.refused}, {"trace_id", o.trace_id}, {"ms", o.ms}};
      std::cout << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    }
    std::cout << nlohmann::ordered_json{{"summary", {{"cases", outcomes.size()}, {"passed", passed}, {"pass_rate", rate}}}}.dump()
              << "\n";
  } else {
    for (const auto& o : outcomes) {
      std::string reasons;
      for (const auto& r : o.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
      std::cout << fmt::format("{}  {:<36} {:>7.1f} ms  {}\n", o.passed ? "PASS" : "FAIL", o.id, o.ms,
                               o.passed ? "" : reasons + " | answer: " + o.answer);
    }
    std::cout << fmt::format("\n{} of {} cases passed ({:.1f} %), pipeline {}, config {}\n", passed, outcomes.size(), rate * 100,
                             suite.pipeline.empty() ? graph->default_pipeline() : suite.pipeline, graph->version());
  }
  if (!args.junit.empty()) {
    std::ofstream xml(args.junit, std::ios::binary);
    xml << eval::qa_junit_xml(suite, outcomes);
    if (!xml) RAGRT_THROW_KIND(ErrorKind::kIo, "cannot write the JUnit report {}", args.junit);
  }
  return passed == outcomes.size() ? 0 : 1;
}

CommandRegistrar reg{{"eval", "Evaluate retrieval (BEIR) or answers (a QA suite)", [](CLI::App& sub) {
                        auto args = std::make_shared<EvalArgs>();
                        sub.require_subcommand(1);
                        CLI::App* beir = sub.add_subcommand(
                            "beir", "Index a BEIR-format folder (corpus.jsonl, queries.jsonl, qrels/test.tsv) and "
                                    "report nDCG@10, Recall@100, MRR@10 and latency per retriever");
                        beir->add_option("dir", args->dir, "BEIR dataset folder")->required();
                        beir->add_option("--config,-c", args->config_file,
                                         "ragrt YAML config: its splitter, models and retrievers are used (its "
                                         "collection folder is not touched)");
                        beir->add_option("--retriever", args->retrievers,
                                         "retriever to run (repeatable; default: every configured one, bm25 without "
                                         "a config)");
                        beir->add_option("--index-dir", args->index_dir,
                                         "build the index in this empty folder and keep it (default: a temporary one)");
                        beir->add_flag("--json", args->json, "one JSON object per retriever and line");
                        CLI::App* qa = sub.add_subcommand(
                            "qa", "Run a QA suite (questions with expected answers, citations and tool calls) "
                                  "through the config's pipeline; exit 1 when a case fails");
                        qa->add_option("suite", args->suite, "suite YAML (see examples/customer-service/qa.yaml)")->required();
                        qa->add_option("--config,-c", args->config_file, "ragrt YAML config")->required();
                        qa->add_flag("--json", args->json, "one JSON object per case, then {\"summary\": …}");
                        qa->add_option("--junit", args->junit, "also write a JUnit XML report to this file");
                        return [args, qa] { return qa->parsed() ? run_qa_eval(*args) : run_beir_eval(*args); };
                      }, {"ragrt eval qa examples/customer-service/qa.yaml --config examples/customer-service/ragrt.yaml", "ragrt eval beir ../shared/datasets/msmarco --config ragrt.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
