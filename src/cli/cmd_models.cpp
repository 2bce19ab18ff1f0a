// `ragrt models pull`: fetches a model folder from the Hugging Face Hub.
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "ragrt/hub.h"

namespace ragrt::cli {
namespace {

struct PullArgs {
  hub::PullOptions options;
  std::string dest;
  bool quiet = false;
  bool no_progress_bar = false;
};

std::function<int()> setup_models(CLI::App& models) {
  models.require_subcommand(1);
  auto args = std::make_shared<PullArgs>();
  CLI::App* pull = models.add_subcommand(
      "pull",
      "Download tokenizer, config and ONNX files of a Hugging Face Hub repo into a local model "
      "folder (resumable, checksum-verified; files already present are skipped)");
  pull->add_option("repo", args->options.repo_id, "Repo id, e.g. Xenova/all-MiniLM-L6-v2")->required();
  pull->add_option("--revision", args->options.revision, "Branch, tag or commit sha")->capture_default_str();
  pull->add_option("--dir", args->dest,
                   "Destination folder (default: $RAGRT_MODELS_DIR/<org>--<name>, else "
                   "~/.cache/ragrt/models/<org>--<name>)");
  pull->add_option("--onnx", args->options.onnx_files,
                   "ONNX file(s) in the repo to fetch, repeatable (e.g. onnx/model_quantized.onnx); "
                   "their external-data files come along")
      ->capture_default_str();
  pull->add_option("--token-env", args->options.token_env,
                   "Environment variable holding the Hub token (sent only to the Hub host)")
      ->capture_default_str();
  pull->add_option("--endpoint", args->options.endpoint,
                   "Hub URL (default: $HF_ENDPOINT, else https://huggingface.co)");
  pull->add_option("--retries", args->options.retry.max_retries,
                   "Retries after server errors and dropped connections")
      ->capture_default_str();
  pull->add_option("--connect-timeout", args->options.connect_timeout_s, "Connect timeout, seconds")
      ->capture_default_str();
  pull->add_option("--stall-timeout", args->options.low_speed_time_s,
                   "Abort (and retry) a transfer that receives nothing for this many seconds")
      ->capture_default_str();
  pull->add_flag("-q,--quiet", args->quiet, "Print errors only");
  pull->add_flag("-v,--verbose", args->options.verbose,
                 "Also list optional files the repo lacks and files already up to date");
  pull->add_flag("--no-progress-bar", args->no_progress_bar, "Plain progress lines even on a terminal");

  return [args, pull]() -> int {
    if (!pull->parsed()) return 1;  // require_subcommand makes this unreachable from the CLI
    hub::PullOptions options = args->options;
    options.dest = args->dest;
    if (args->quiet)
      options.progress = hub::ProgressStyle::kNone;
    else if (args->no_progress_bar)
      options.progress = hub::ProgressStyle::kLines;
    const hub::PullResult result = hub::pull(options);
    // stdout carries only the folder, so scripts can do dir=$(ragrt models pull ...).
    std::cout << result.dir.string() << "\n";
    return 0;
  };
}

CommandRegistrar reg{{"models", "Manage local model folders (pull from the Hugging Face Hub)", setup_models, {"ragrt models pull Xenova/all-MiniLM-L6-v2"}}};

}  // namespace
}  // namespace ragrt::cli
