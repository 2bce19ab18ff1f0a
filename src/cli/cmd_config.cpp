// ragrt config check FILE: the validation a server runs before using a config (and before a hot
// reload swaps it in), without starting anything: every section, key and type, tool schemas and
// queries, pipelines and the tools they name. Models and indexes are not loaded.
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/command.h"
#include "ragrt/component_graph.h"
#include "ragrt/server.h"
#include "tools/tool_set.h"

namespace ragrt::cli {
namespace {

struct ConfigCheckArgs {
  std::string file;
};

int run_config_check(const ConfigCheckArgs& args) {
  auto graph = ComponentGraph::load(args.file, /*check_only=*/true);
  const RagConfig& c = graph->config();
  const ServerParams server = ServerParams::from_config(c);  // `ragrt serve` reads it, nothing else does
  std::vector<std::string> retrievers;
  for (const auto& r : c.retrievers) retrievers.push_back(r.name + " (" + r.type + ")");
  std::cout << fmt::format("{}: ok (version {})\n", args.file, graph->version());
  std::cout << fmt::format("  collection: {}\n", c.collection.string());
  std::cout << fmt::format("  generator: {}\n", c.generator.type);
  std::cout << fmt::format("  retrievers: {} (default {})\n", fmt::join(retrievers, ", "), c.default_retriever);
  std::cout << fmt::format("  tools: {}\n", graph->tools().names().empty() ? "none" : fmt::format("{}", fmt::join(graph->tools().names(), ", ")));
  std::cout << fmt::format("  pipelines: {} (default {})\n", fmt::join(graph->pipeline_names(), ", "), graph->default_pipeline());
  std::cout << fmt::format("  memory: {}\n", graph->memory() ? graph->memory()->params().path.string() : "none");
  std::cout << fmt::format("  server: {}:{}, {}\n", server.host, server.port,
                           server.api_keys.empty() ? "no API keys (open)" : fmt::format("{} API keys", server.api_keys.size()));
  std::cout << fmt::format("  traces: {}\n", c.store_traces ? c.traces_folder().string() : "not stored (traces.enabled: false)");
  return 0;
}

CommandRegistrar reg{{"config", "Check a config file: every section, key, type, tool and pipeline",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<ConfigCheckArgs>();
                        sub.require_subcommand(1);
                        auto* check = sub.add_subcommand("check", "validate FILE and print what it builds");
                        check->add_option("file", args->file, "the YAML config")->required();
                        return [args] { return run_config_check(*args); };
                      }, {"ragrt config check ragrt.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
