#pragma once
// Downloads a model from the Hugging Face Hub (or any server with the Hub's URL layout) into a
// local model folder: tokenizer and config files plus the chosen ONNX files. Downloads resume
// after an interruption, every file is verified against the digest the Hub publishes, and files
// already present with the right digest are not downloaded again.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ragrt::hub {

enum class ProgressStyle {
  kAuto,   // a bar per file when the log stream is a terminal (stderr only), plain lines otherwise
  kBar,    // redraws one line per file with \r
  kLines,  // one line when a file starts and ends (and now and then for long files)
  kNone,   // errors only (--quiet)
};

struct RetryPolicy {
  // Retries after 5xx, 429 and transient network failures (timeouts, dropped connections). An
  // attempt that grew the partial file does not count, so a flaky but progressing link finishes.
  int max_retries = 5;
  std::chrono::milliseconds initial_backoff{500};  // doubled after each failed attempt
  std::chrono::milliseconds max_backoff{8000};
};

struct PullOptions {
  std::string repo_id;             // "org/name" (or a legacy "name")
  std::string revision = "main";   // branch, tag or commit sha
  std::filesystem::path dest;      // empty: default_model_dir(repo_id)
  std::vector<std::string> onnx_files{"onnx/model.onnx"};
  std::string endpoint;            // empty: $HF_ENDPOINT, else https://huggingface.co
  std::string token_env = "HF_TOKEN";
  std::optional<std::string> token;  // set: used instead of reading token_env

  long connect_timeout_s = 15;
  // A transfer slower than this many bytes/s for low_speed_time_s is aborted (and retried).
  long low_speed_limit_bytes = 1;
  long low_speed_time_s = 30;
  RetryPolicy retry;

  ProgressStyle progress = ProgressStyle::kAuto;
  bool verbose = false;            // also lists skipped optional files and files already present
  std::ostream* log = nullptr;     // progress and notes; nullptr: std::cerr
};

enum class FileStatus {
  kDownloaded,       // fetched (fully or by resuming a partial download) and verified
  kAlreadyPresent,   // local copy matched the published digest; nothing was transferred
  kSkippedMissing,   // optional file the repo does not have
};

struct PulledFile {
  std::string path;        // relative to the model folder, '/'-separated as on the Hub
  FileStatus status = FileStatus::kDownloaded;
  uint64_t size = 0;
  std::string algorithm;   // "sha256" (LFS files), "git-sha1" (git blob id) or "" when unpublished
  std::string digest;      // lowercase hex of `algorithm`
  uint64_t bytes_transferred = 0;
};

struct PullResult {
  std::filesystem::path dir;
  std::string repo_id;
  std::string revision;
  std::string commit;  // commit sha the revision resolved to, when the Hub said
  std::vector<PulledFile> files;
  uint64_t bytes_transferred = 0;
};

// Files every pull fetches besides the ONNX files. `required_any` needs at least one present.
struct RepoFileSet {
  std::vector<std::string> required;       // config.json, tokenizer_config.json
  std::vector<std::string> required_any;   // tokenizer.json or vocab.json
  std::vector<std::string> optional;       // special_tokens_map.json, merges.txt, ...
};
const RepoFileSet& standard_repo_files();

// $RAGRT_MODELS_DIR, else $XDG_CACHE_HOME/ragrt/models, else ~/.cache/ragrt/models.
std::filesystem::path default_models_root();
// default_models_root() / "<org>--<name>".
std::filesystem::path default_model_dir(std::string_view repo_id);
// `configured` when non-empty, else $HF_ENDPOINT, else https://huggingface.co (no trailing '/').
std::string resolve_endpoint(std::string_view configured = {});

// Pulls the files into options.dest and writes DEST/.ragrt-pull.json. Throws ragrt::Error with a
// message naming the URL (never the token) and what to do: kNotFound for a missing repo, revision
// or required file, kIo for network, permission, checksum and disk failures, kInvalidArgument for
// a malformed repo id or file path.
PullResult pull(const PullOptions& options);

}  // namespace ragrt::hub
