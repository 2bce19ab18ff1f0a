// ragrt trace show ID [--json], ragrt trace list [--limit N]: stored audit traces, found through
// --config FILE (its `traces:` section, default <collection>/traces) or --dir DIR.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/error.h"
#include "ragrt/trace.h"

namespace ragrt::cli {
namespace {

struct TraceArgs {
  ConfigFlags config;
  std::string dir;
  std::string id;
  bool json = false;
  size_t limit = 20;
};

// Reading never creates a store: a mistyped --dir should say so, not leave an empty database.
std::unique_ptr<TraceStore> open_existing(const TraceArgs& args) {
  std::string dir = args.dir;
  if (dir.empty()) {
    const RagConfig config = args.config.load();
    if (!config.store_traces)
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: traces.enabled is false: no traces are stored", config.file.string());
    dir = config.traces_folder().string();
  }
  const std::filesystem::path db = std::filesystem::path(dir) / "traces.sqlite";
  if (!std::filesystem::exists(db)) RAGRT_THROW_KIND(ErrorKind::kNotFound, "no trace store {}", db.string());
  return TraceStore::open(dir);
}

std::string store_path(const TraceArgs& args) {
  const std::filesystem::path dir = args.dir.empty() ? args.config.load().traces_folder() : std::filesystem::path(args.dir);
  return (dir / "traces.sqlite").string();
}

int run_show(const TraceArgs& args) {
  auto store = open_existing(args);
  const auto trace = store->load(args.id);
  if (!trace) RAGRT_THROW_KIND(ErrorKind::kNotFound, "no trace '{}' in {}", args.id, store_path(args));
  if (args.json)
    std::cout << trace->dump(2) << "\n";
  else
    std::cout << format_trace(*trace);
  return 0;
}

int run_list(const TraceArgs& args) {
  auto store = open_existing(args);
  const auto rows = store->recent(args.limit);
  if (rows.empty()) fmt::print("no traces in {}\n", store_path(args));
  for (const auto& r : rows) {
    fmt::print("{}  {}  {:<12} {:>10.1f} ms  {}\n", r.value("trace_id", ""), r.value("started_at", ""),
               r.value("kind", ""), r.value("duration_ms", 0.0), r.value("status", ""));
  }
  return 0;
}

void add_store_flags(CLI::App& app, TraceArgs& args) {
  args.config.add_to(app);
  app.add_option("--dir", args.dir, "trace directory (traces.sqlite), instead of --config");
}

CommandRegistrar reg{{"trace", "Show stored audit traces (span trees of requests)", [](CLI::App& sub) {
                        auto args = std::make_shared<TraceArgs>();
                        sub.require_subcommand(1);
                        CLI::App* show = sub.add_subcommand("show", "one trace as a tree (or --json)");
                        show->add_option("id", args->id, "trace id, or a unique prefix of at least 8 characters")->required();
                        show->add_flag("--json", args->json, "the stored (redacted) JSON");
                        add_store_flags(*show, *args);
                        CLI::App* list = sub.add_subcommand("list", "recent traces, newest first");
                        list->add_option("--limit,-n", args->limit, "how many")->check(CLI::PositiveNumber);
                        add_store_flags(*list, *args);
                        return [args, show] { return show->parsed() ? run_show(*args) : run_list(*args); };
                      }}};

}  // namespace
}  // namespace ragrt::cli
