// ragrt::hub::pull: decides which files a model folder needs, skips the ones already present with
// the published digest, downloads the rest and records what it did in DEST/.ragrt-pull.json.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models/hub_download.h"
#include "models/hub_progress.h"
#include "ragrt/error.h"
#include "ragrt/hub.h"

namespace ragrt::hub {
namespace fs = std::filesystem;
using models::Digest;
using models::DigestAlgorithm;
using models::HubDownloader;
using models::RemoteFile;

namespace {

constexpr const char* kManifestName = ".ragrt-pull.json";
constexpr const char* kLockName = ".ragrt-pull.lock";
constexpr const char* kDefaultEndpoint = "https://huggingface.co";

std::string env_or_empty(const char* name) {
  const char* v = name && *name ? std::getenv(name) : nullptr;
  return v ? std::string(v) : std::string();
}

bool valid_name_part(std::string_view s) {
  if (s.empty() || s.size() > 96 || s == "." || s == ".." || s.find("..") != std::string_view::npos)
    return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

void validate_repo_id(const std::string& repo_id) {
  const size_t slash = repo_id.find('/');
  const bool ok = slash == std::string::npos
                      ? valid_name_part(repo_id)
                      : valid_name_part(std::string_view(repo_id).substr(0, slash)) &&
                            valid_name_part(std::string_view(repo_id).substr(slash + 1));
  RAGRT_THROW_IF_NOT_KIND(ok, ErrorKind::kInvalidArgument,
                          "'{}' is not a Hugging Face repo id: expected 'org/name' (letters, digits, "
                          "'-', '_', '.'), e.g. sentence-transformers/all-MiniLM-L6-v2",
                          repo_id);
}

// Repo files become local paths: refuse anything that could leave the model folder.
void validate_repo_path(const std::string& path, const char* what) {
  bool ok = !path.empty() && path.front() != '/' && path.find('\\') == std::string::npos &&
            path.find('\0') == std::string::npos;
  for (size_t begin = 0; ok && begin <= path.size();) {
    const size_t end = std::min(path.find('/', begin), path.size());
    const std::string_view part = std::string_view(path).substr(begin, end - begin);
    ok = !part.empty() && part != "." && part != ".." && !part.starts_with(".partial");
    begin = end + 1;
  }
  RAGRT_THROW_IF_NOT_KIND(ok, ErrorKind::kInvalidArgument,
                          "{} '{}' is not a relative file path inside the repo (e.g. onnx/model.onnx)",
                          what, path);
}

// Holds an exclusive lock on DEST/.ragrt-pull.lock so two pulls never write the same partial files.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& dir) {
    const fs::path path = dir / kLockName;
    fd_ = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    RAGRT_THROW_IF_NOT_KIND(fd_ >= 0, ErrorKind::kIo, "cannot create {}: {}", path.string(),
                            std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      RAGRT_THROW_KIND(ErrorKind::kIo,
                       "another pull is writing into {}; wait for it to finish (lock: {})",
                       dir.string(), path.string());
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

int64_t mtime_ns(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) return 0;
  const auto sys = std::chrono::file_clock::to_sys(t);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(sys.time_since_epoch()).count();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// What the previous pull recorded per file, so unchanged large files need not be hashed again.
std::map<std::string, nlohmann::json> read_manifest_files(const fs::path& dir) {
  std::map<std::string, nlohmann::json> files;
  std::ifstream in(dir / kManifestName);
  if (!in) return files;
  const auto manifest = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object() || !manifest.contains("files") || !manifest["files"].is_array()) return files;
  for (const auto& f : manifest["files"])
    if (f.is_object() && f.contains("path") && f["path"].is_string()) files[f["path"].get<std::string>()] = f;
  return files;
}

// Whether `file` already holds the content `remote` describes; `digest` gets the digest it has.
bool local_copy_matches(const fs::path& file, const RemoteFile& remote, const nlohmann::json* recorded,
                        Digest& digest) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  const uint64_t size = fs::file_size(file, ec);
  if (ec || (remote.size && size != *remote.size)) return false;
  const bool recorded_same_bytes = recorded && recorded->value("size", uint64_t{0}) == size &&
                                   recorded->value("mtime_ns", int64_t{0}) == mtime_ns(file);
  if (remote.digest.known()) {
    digest = remote.digest;
    if (recorded_same_bytes &&
        recorded->value("algorithm", "") == models::algorithm_name(remote.digest.algorithm) &&
        recorded->value("digest", "") == remote.digest.hex)
      return true;
    return models::file_digest(file, remote.digest.algorithm) == remote.digest.hex;
  }
  // Nothing published to check against: trust only bytes this tool verified and recorded before.
  if (!recorded_same_bytes) return false;
  digest = {models::algorithm_from_name(recorded->value("algorithm", "")), recorded->value("digest", "")};
  return digest.known();
}

void remove_empty_dirs(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec)) remove_empty_dirs(entry.path());
  if (fs::is_empty(dir, ec)) fs::remove(dir, ec);
}

void write_manifest(const fs::path& dir, const PullResult& result, const std::string& endpoint,
                    const std::vector<std::string>& onnx_files) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : result.files) {
    if (f.status == FileStatus::kSkippedMissing) continue;
    files.push_back({{"path", f.path},
                     {"size", f.size},
                     {"algorithm", f.algorithm},
                     {"digest", f.digest},
                     {"mtime_ns", mtime_ns(dir / fs::path(f.path))}});
  }
  const nlohmann::json manifest = {{"format", 1},
                                   {"repo", result.repo_id},
                                   {"revision", result.revision},
                                   {"commit", result.commit},
                                   {"endpoint", endpoint},
                                   {"pulled_at", utc_now()},
                                   {"onnx", onnx_files},
                                   {"files", files}};
  const fs::path tmp = dir / (std::string(kManifestName) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << manifest.dump(2) << "\n";
    RAGRT_THROW_IF_NOT_KIND(out.good(), ErrorKind::kIo, "cannot write {}", tmp.string());
  }
  std::error_code ec;
  fs::rename(tmp, dir / kManifestName, ec);
  RAGRT_THROW_IF_NOT_KIND(!ec, ErrorKind::kIo, "cannot write {}: {}", (dir / kManifestName).string(),
                          ec.message());
}

enum class Need { kRequired, kOptional };

struct PlannedFile {
  std::string path;
  Need need;
  std::string why_required;  // completes "… is required: <why>"
};

class Puller {
 public:
  Puller(const PullOptions& options, std::ostream& log)
      : options_(options),
        progress_(log, options.progress, options.verbose),
        dest_(options.dest.empty() ? default_model_dir(options.repo_id) : options.dest),
        endpoint_(resolve_endpoint(options.endpoint)),
        downloader_(make_repo_ref(),
                    models::HttpTimeouts{options.connect_timeout_s, options.low_speed_limit_bytes,
                                         options.low_speed_time_s},
                    options.retry, progress_) {}

  PullResult run();

 private:
  PullResult run_locked();

 private:
  models::HubRepoRef make_repo_ref() const {
    models::HubRepoRef ref;
    ref.endpoint = endpoint_;
    ref.repo_id = options_.repo_id;
    ref.revision = options_.revision;
    ref.url_revision = options_.revision;
    ref.token_env = options_.token_env.empty() ? "HF_TOKEN" : options_.token_env;
    std::string token = options_.token ? *options_.token : env_or_empty(options_.token_env.c_str());
    if (!token.empty()) ref.token = std::move(token);
    return ref;
  }

  std::string display_url_of(const std::string& path) const {
    return models::display_url(downloader_.resolve_url(path));
  }
  bool listed(const std::string& path) const { return !siblings_ || siblings_->count(path) > 0; }
  // Fetches one file (or records that an optional one is absent); returns whether it is present.
  bool pull_file(const PlannedFile& file, PullResult& result);
  [[noreturn]] void throw_missing(const PlannedFile& file) const;
  std::string available_onnx_files() const;

  const PullOptions& options_;
  models::PullProgress progress_;
  fs::path dest_;
  std::string endpoint_;
  HubDownloader downloader_;
  std::optional<std::set<std::string>> siblings_;  // what the Hub API listed, when it answered
  std::map<std::string, nlohmann::json> recorded_;
};

std::string Puller::available_onnx_files() const {
  if (!siblings_) return "";
  std::string list;
  for (const auto& s : *siblings_)
    if (s.ends_with(".onnx")) list += (list.empty() ? "" : ", ") + s;
  return list.empty() ? " The repo has no .onnx files: pick a repo with an ONNX export (e.g. Xenova/... or onnx-community/...)."
                      : " ONNX files in the repo: " + list + ".";
}

void Puller::throw_missing(const PlannedFile& file) const {
  const auto& repo = downloader_.repo();
  RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}@{} has no {} ({}), which is required: {}.{}", repo.repo_id,
                   repo.revision, file.path, display_url_of(file.path), file.why_required,
                   file.path.ends_with(".onnx") ? available_onnx_files() : "");
}

bool Puller::pull_file(const PlannedFile& file, PullResult& result) {
  PulledFile pulled;
  pulled.path = file.path;
  RemoteFile remote;
  if (listed(file.path)) remote = downloader_.stat(file.path);
  if (result.commit.empty() && !remote.commit.empty()) result.commit = remote.commit;
  if (!remote.exists) {
    if (file.need == Need::kRequired) throw_missing(file);
    progress_.detail("skipped " + file.path + " (not in the repo)");
    pulled.status = FileStatus::kSkippedMissing;
    result.files.push_back(pulled);
    return false;
  }
  const fs::path local = dest_ / fs::path(file.path);
  auto recorded = recorded_.find(file.path);
  Digest digest;
  if (local_copy_matches(local, remote, recorded == recorded_.end() ? nullptr : &recorded->second, digest)) {
    progress_.detail(file.path + " is up to date");
    pulled.status = FileStatus::kAlreadyPresent;
    pulled.size = fs::file_size(local);
  } else {
    const auto outcome = downloader_.download(file.path, remote, dest_);
    digest = outcome.digest;
    pulled.status = FileStatus::kDownloaded;
    pulled.size = outcome.size;
    pulled.bytes_transferred = outcome.bytes_transferred;
    result.bytes_transferred += outcome.bytes_transferred;
  }
  pulled.algorithm = models::algorithm_name(digest.algorithm);
  pulled.digest = digest.hex;
  result.files.push_back(pulled);
  return true;
}

PullResult Puller::run() {
  std::error_code ec;
  const bool existed = fs::exists(dest_, ec);
  fs::create_directories(dest_, ec);
  RAGRT_THROW_IF_NOT_KIND(!ec, ErrorKind::kIo, "cannot create the model folder {}: {} (choose another with --dir)",
                          dest_.string(), ec.message());
  try {
    FolderLock lock(dest_);
    return run_locked();
  } catch (...) {
    // A failed first pull (a typo in the repo id, no network) should not leave an empty folder
    // behind; partial downloads worth resuming keep it.
    if (!existed) {
      fs::remove(dest_ / kLockName, ec);
      remove_empty_dirs(dest_);
    }
    throw;
  }
}

PullResult Puller::run_locked() {
  PullResult result;
  result.dir = dest_;
  result.repo_id = options_.repo_id;
  result.revision = options_.revision;
  recorded_ = read_manifest_files(dest_);

  if (auto info = downloader_.repo_info()) {
    if (info->contains("siblings") && (*info)["siblings"].is_array()) {
      siblings_.emplace();
      for (const auto& s : (*info)["siblings"])
        if (s.is_object() && s.contains("rfilename") && s["rfilename"].is_string())
          siblings_->insert(s["rfilename"].get<std::string>());
    }
    const std::string sha = info->value("sha", "");
    // Pin every file to the commit the revision points at now, so a push mid-pull cannot mix
    // files of two commits.
    if (models::digest_from_etag(sha).algorithm == DigestAlgorithm::kGitBlobSha1) {
      result.commit = sha;
      downloader_.set_url_revision(sha);
    }
  }

  const RepoFileSet& standard = standard_repo_files();
  // Tokenizer first: without one the folder is useless, so fail before the large downloads.
  bool have_tokenizer = false;
  for (const auto& path : standard.required_any)
    have_tokenizer |= pull_file({path, Need::kOptional, ""}, result);
  if (!have_tokenizer)
    RAGRT_THROW_KIND(ErrorKind::kNotFound,
                     "{}@{} has neither {} ({}): ragrt needs a tokenizer.json (or vocab.json + "
                     "merges.txt); check the repo id and revision, or pick a repo that ships one",
                     options_.repo_id, options_.revision, fmt::join(standard.required_any, " nor "),
                     display_url_of(standard.required_any.front()));

  std::vector<PlannedFile> plan;
  for (const auto& path : standard.required)
    plan.push_back({path, Need::kRequired, "ragrt reads it to configure the model and tokenizer"});
  for (const auto& path : standard.optional) plan.push_back({path, Need::kOptional, ""});
  for (const auto& onnx : options_.onnx_files) {
    plan.push_back({onnx, Need::kRequired, "it was asked for with --onnx"});
    // Models over 2 GB keep their weights beside the graph, in a file the graph names.
    for (const std::string suffix : {"_data", ".data"}) {
      const std::string data = onnx + suffix;
      if (siblings_ && siblings_->count(data))
        plan.push_back({data, Need::kRequired, "the ONNX graph " + onnx + " keeps its weights there"});
      else if (!siblings_ && suffix == "_data")
        plan.push_back({data, Need::kOptional, ""});
    }
  }
  // Required files the API says are absent fail before anything large is downloaded.
  for (const auto& file : plan)
    if (file.need == Need::kRequired && !listed(file.path)) throw_missing(file);
  for (const auto& file : plan) pull_file(file, result);

  remove_empty_dirs(dest_ / ".partial");
  write_manifest(dest_, result, endpoint_, options_.onnx_files);

  size_t downloaded = 0, present = 0, skipped = 0;
  for (const auto& f : result.files) {
    downloaded += f.status == FileStatus::kDownloaded;
    present += f.status == FileStatus::kAlreadyPresent;
    skipped += f.status == FileStatus::kSkippedMissing;
  }
  progress_.note(fmt::format("pulled {}@{}{} into {}: {} downloaded ({}), {} already present, {} "
                             "optional not in the repo",
                             options_.repo_id, options_.revision,
                             result.commit.empty() ? "" : " (" + result.commit.substr(0, 12) + ")",
                             dest_.string(), downloaded,
                             models::human_bytes(static_cast<double>(result.bytes_transferred)), present,
                             skipped));
  return result;
}

}  // namespace

const RepoFileSet& standard_repo_files() {
  static const RepoFileSet files{
      {"config.json", "tokenizer_config.json"},
      {"tokenizer.json", "vocab.json"},
      {"special_tokens_map.json", "generation_config.json", "merges.txt", "modules.json",
       "1_Pooling/config.json", "sentence_bert_config.json"},
  };
  return files;
}

fs::path default_models_root() {
  if (auto dir = env_or_empty("RAGRT_MODELS_DIR"); !dir.empty()) return dir;
  if (auto cache = env_or_empty("XDG_CACHE_HOME"); !cache.empty()) return fs::path(cache) / "ragrt" / "models";
  const std::string home = env_or_empty("HOME");
  RAGRT_THROW_IF_NOT_KIND(!home.empty(), ErrorKind::kInvalidArgument,
                          "HOME is not set: pass --dir or set RAGRT_MODELS_DIR");
  return fs::path(home) / ".cache" / "ragrt" / "models";
}

fs::path default_model_dir(std::string_view repo_id) {
  std::string name(repo_id);
  if (auto slash = name.find('/'); slash != std::string::npos) name.replace(slash, 1, "--");
  return default_models_root() / name;
}

std::string resolve_endpoint(std::string_view configured) {
  std::string endpoint(configured);
  if (endpoint.empty()) endpoint = env_or_empty("HF_ENDPOINT");
  if (endpoint.empty()) endpoint = kDefaultEndpoint;
  while (endpoint.ends_with('/')) endpoint.pop_back();
  RAGRT_THROW_IF_NOT_KIND(endpoint.starts_with("http://") || endpoint.starts_with("https://"),
                          ErrorKind::kInvalidArgument,
                          "Hub endpoint '{}' (from --endpoint or HF_ENDPOINT) is not an http(s) URL",
                          endpoint);
  return endpoint;
}

PullResult pull(const PullOptions& options) {
  validate_repo_id(options.repo_id);
  RAGRT_THROW_IF_NOT_KIND(!options.revision.empty(), ErrorKind::kInvalidArgument, "the revision is empty");
  for (const auto& onnx : options.onnx_files) validate_repo_path(onnx, "ONNX file");
  Puller puller(options, options.log ? *options.log : std::cerr);
  return puller.run();
}

}  // namespace ragrt::hub
