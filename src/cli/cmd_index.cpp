// ragrt index PATH... --config FILE: loads, splits, embeds and stores documents, incrementally.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/config_flags.h"
#include "ragrt/indexer.h"
#include "ragrt/knowledge_base.h"

namespace ragrt::cli {
namespace {

struct IndexArgs {
  ConfigFlags config;
  std::vector<std::string> paths;
  bool prune = false;
  size_t batch_chunks = IndexOptions{}.batch_chunks;
  bool quiet = false;
};

// A one-line bar redrawn in place on a terminal; plain lines at most every few seconds otherwise,
// so logs stay readable.
class ProgressView {
 public:
  explicit ProgressView(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}

  void update(const IndexProgress& p) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.files_done == p.files_total && p.current.empty();
    if (!last && now - last_draw_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000))) return;
    last_draw_ = now;
    const double rate = p.embed_seconds > 0 ? static_cast<double>(p.embeddings) / p.embed_seconds : 0;
    std::string counts = fmt::format("{}/{} files, {} chunks", p.files_done, p.files_total, p.chunks);
    if (p.embeddings > 0) counts += fmt::format(", {:.1f} embeddings/s", rate);
    if (tty_) {
      constexpr int kWidth = 24;
      const int filled = p.files_total ? static_cast<int>(kWidth * p.files_done / p.files_total) : kWidth;
      std::string current = p.current.size() > 40 ? "…" + p.current.substr(p.current.size() - 39) : p.current;
      fmt::print(stderr, "\r\033[2K[{}{}] {} {}", std::string(filled, '#'), std::string(kWidth - filled, '.'), counts,
                 current);
      if (last) fmt::print(stderr, "\n");
    } else {
      fmt::print(stderr, "index: {} ({:.1f} s){}{}\n", counts, p.seconds, p.current.empty() ? "" : " ", p.current);
    }
    std::fflush(stderr);
  }

  void failure(const IndexFailure& f) {
    if (tty_ && !quiet_) fmt::print(stderr, "\r\033[2K");
    fmt::print(stderr, "skipped {}: {}\n", f.file.string(), f.reason);
  }

 private:
  bool quiet_;
  bool tty_;
  std::chrono::steady_clock::time_point last_draw_{};
};

int run_index(const IndexArgs& args) {
  const RagConfig config = args.config.load();
  auto kb = KnowledgeBase::open(config, /*writer=*/true);
  ProgressView view(args.quiet);
  IndexOptions options;
  options.prune = args.prune;
  options.batch_chunks = args.batch_chunks;
  options.on_progress = [&](const IndexProgress& p) { view.update(p); };
  options.on_failure = [&](const IndexFailure& f) { view.failure(f); };
  std::vector<std::filesystem::path> paths(args.paths.begin(), args.paths.end());
  const IndexReport report = index_paths(*kb, paths, options);
  const IndexProgress& t = report.totals;
  fmt::print("indexed {} files ({} documents, {} chunks, {} embeddings) in {:.2f} s; {} unchanged, {} removed, {} "
             "failed; collection {} now holds {} chunks\n",
             t.files_indexed, t.documents, t.chunks, t.embeddings, t.seconds, t.files_unchanged, t.removed,
             t.files_failed, config.collection.lexically_normal().string(), kb->collection().store().chunk_count());
  return report.failures.empty() ? 0 : 3;
}

CommandRegistrar reg{{"index", "Index files and folders into a collection (incremental)", [](CLI::App& sub) {
                        auto args = std::make_shared<IndexArgs>();
                        sub.add_option("paths", args->paths, "files and folders to index (recursively)")->required();
                        args->config.add_to(sub);
                        sub.add_flag("--prune", args->prune,
                                     "remove documents whose files are no longer under the given paths");
                        sub.add_option("--batch-chunks", args->batch_chunks,
                                       "chunks embedded and committed together")
                            ->check(CLI::PositiveNumber);
                        sub.add_flag("--quiet,-q", args->quiet, "no progress output");
                        sub.footer("Exit status 3 when some files were skipped (each is reported on stderr).");
                        return [args] { return run_index(*args); };
                      }, {"ragrt index docs/ --config ragrt.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
