// ragrt trace show ID [--json], ragrt trace list [--since T] [--until T] [--pipeline P]
// [--status S] [--session S] [--text T] [--limit N] [--json]: stored audit traces, found through
// --config FILE (its `traces:` section, default <collection>/traces) or --dir DIR.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/error.h"
#include "ragrt/trace.h"
#include "text/utf8.h"

namespace ragrt::cli {
namespace {

struct TraceArgs {
  ConfigFlags config;
  std::string dir;
  std::string id;
  bool json = false;
  size_t limit = 20;
  TraceQuery query;
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

// The first `n` code points of `s` on one line.
std::string one_line(std::string s, size_t n) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return text::first_chars(s, n);
}

int run_list(TraceArgs args) {
  TraceQuery& q = args.query;
  if (!q.since.empty()) q.since = normalize_trace_time(q.since, "--since");
  if (!q.until.empty()) q.until = normalize_trace_time(q.until, "--until");
  q.limit = args.limit;
  auto store = open_existing(args);
  const TracePage page = store->list(q);
  if (args.json) {
    for (const auto& r : page.traces) std::cout << r.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    if (!page.next_cursor.empty()) std::cout << nlohmann::ordered_json({{"next_cursor", page.next_cursor}}).dump() << "\n";
    return 0;
  }
  if (page.traces.empty()) fmt::print("no traces in {} match\n", store_path(args));
  for (const auto& r : page.traces) {
    fmt::print("{}  {}  {:<10} {:>9.1f} ms  {:<8}  {}\n", r.value("trace_id", ""), r.value("started_at", ""),
               r.value("pipeline", "").empty() ? r.value("kind", "") : r.value("pipeline", ""), r.value("duration_ms", 0.0),
               r.value("status", ""), one_line(r.value("question", ""), 60));
  }
  if (!page.next_cursor.empty()) fmt::print("more: --cursor '{}'\n", page.next_cursor);
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
                        CLI::App* list = sub.add_subcommand("list", "recent traces, newest first, filtered");
                        list->add_option("--limit,-n", args->limit, "how many (at most 1000)")->check(CLI::Range(1, 1000));
                        TraceQuery& q = args->query;
                        list->add_option("--since", q.since, "started at or after: 2026-12-07T10:00:00Z, or 15m, 2h, 7d ago");
                        list->add_option("--until", q.until, "started before (same forms)");
                        list->add_option("--pipeline", q.pipeline, "the pipeline's name in the config");
                        list->add_option("--status", q.status, "ok, degraded or error")
                            ->check(CLI::IsMember({"ok", "degraded", "error"}));
                        list->add_option("--session", q.session, "the conversation's session id");
                        list->add_option("--text", q.text, "words in the question or the answer");
                        list->add_option("--cursor", q.cursor, "the page after this one (printed as 'more: …')");
                        list->add_flag("--json", args->json, "one JSON object per trace");
                        add_store_flags(*list, *args);
                        return [args, show] { return show->parsed() ? run_show(*args) : run_list(*args); };
                      }, {"ragrt trace list --status degraded --since 2h --config ragrt.yaml", "ragrt trace show 3f2a9c1b --config ragrt.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
