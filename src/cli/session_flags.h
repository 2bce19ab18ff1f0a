#pragma once
// The ONNX Runtime session flags that every model-running subcommand takes (embed, rerank, ...):
// a YAML file with all of SessionParams, and the common settings as flags that override it.
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "ragrt/encoder_options.h"
#include "ragrt/runtime/session_params.h"

namespace ragrt::cli {

struct SessionFlags {
  std::string config_file;
  std::string providers;
  std::optional<int> threads;
  std::string graph_optimization;

  void add_to(CLI::App& app) {
    app.add_option("--session-config", config_file,
                   "YAML file with ONNX Runtime session options (keys: providers, graph_optimization, "
                   "intra_op_threads, inter_op_threads, allow_spinning, memory_pattern, cpu_mem_arena, "
                   "arena_extend_strategy, optimized_model_path, device_id, ...); the flags below override it");
    app.add_option("--provider", providers,
                   "Execution providers in order of preference, comma-separated: tensorrt, cuda, cpu "
                   "(default cpu); each one that fails to load falls back to the next, with a logged reason");
    app.add_option("--threads", threads, "Intra-op threads (default: one per physical core)");
    app.add_option("--graph-optimization", graph_optimization, "disable, basic, extended or all (default all)");
  }

  runtime::SessionParams params() const {
    runtime::SessionParams p = config_file.empty() ? runtime::SessionParams{}
                                                   : runtime::SessionParams::from_yaml_file(config_file);
    if (!providers.empty()) p.providers = runtime::parse_providers(providers);
    if (threads) p.intra_op_threads = *threads;
    if (!graph_optimization.empty()) p.graph_optimization = runtime::parse_graph_optimization(graph_optimization);
    return p;
  }
};

// Batching and truncation flags of the encoder subcommands (embed, rerank): `unit` names what is
// batched ("Texts", "Pairs").
struct EncoderFlags {
  SessionFlags session;
  size_t batch_size = EncoderOptions{}.batch_size;
  size_t max_batch_tokens = EncoderOptions{}.max_batch_tokens;
  std::optional<size_t> max_length;

  void add_to(CLI::App& app, const std::string& unit) {
    app.add_option("--batch-size", batch_size, unit + " per model run (sorted by length, padded per batch)")
        ->capture_default_str();
    app.add_option("--max-batch-tokens", max_batch_tokens,
                   "Also cap a batch at this many padded tokens (0: no cap; raise it on a GPU)")
        ->capture_default_str();
    app.add_option("--max-length", max_length, "Truncate to this many tokens (capped by the model's positions)");
    session.add_to(app);
  }

  void apply(EncoderOptions& o) const {
    o.session = session.params();
    o.batch_size = batch_size;
    o.max_batch_tokens = max_batch_tokens;
    o.max_length = max_length;
  }
};

}  // namespace ragrt::cli
