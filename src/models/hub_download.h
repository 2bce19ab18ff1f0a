#pragma once
// Talks to one Hub repo at one revision: asks the Hub API what the repo holds, reads a file's
// published digest and size, and downloads a file resumably (DEST/.partial/<path>.part, appended
// to with Range requests) into DEST/<path>, verified before it is renamed into place.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "models/hub_digest.h"
#include "models/hub_http.h"
#include "models/hub_progress.h"
#include "ragrt/hub.h"

namespace ragrt::models {

struct HubRepoRef {
  std::string endpoint;         // no trailing '/'
  std::string repo_id;
  std::string revision;         // as the user asked; used in messages
  std::string url_revision;     // what goes into resolve URLs: the commit sha once known
  std::optional<std::string> token;
  std::string token_env;        // named in messages about authentication
};

struct RemoteFile {
  bool exists = false;
  Digest digest;                 // kNone when the server published none we can check
  std::optional<uint64_t> size;
  std::string commit;            // X-Repo-Commit
};

struct DownloadOutcome {
  Digest digest;                 // verified digest (sha256 computed locally when none was published)
  uint64_t size = 0;
  uint64_t bytes_transferred = 0;
};

class HubDownloader {
 public:
  HubDownloader(HubRepoRef repo, HttpTimeouts timeouts, hub::RetryPolicy retry, PullProgress& progress);

  const HubRepoRef& repo() const { return repo_; }
  void set_url_revision(std::string revision) { repo_.url_revision = std::move(revision); }

  std::string resolve_url(const std::string& path) const;
  std::string api_url() const;

  // The Hub API's model info at the revision (with "sha" and "siblings"). Throws for a missing
  // repo or revision and for authentication failures; nullopt when the endpoint offers no usable
  // API (an error without the Hub's X-Error-Code, a 5xx that outlasted the retries, bad JSON).
  std::optional<nlohmann::json> repo_info();

  // HEAD of the resolve URL without following the CDN redirect, whose answer carries the LFS
  // digest. exists=false when the repo has no such file.
  RemoteFile stat(const std::string& path);

  // Downloads `path` into dest_dir/path, resuming a partial download left by an earlier attempt
  // when it was for the same published digest. Throws on checksum mismatch (deleting the partial
  // file), on HTTP errors and when the retries run out.
  DownloadOutcome download(const std::string& path, const RemoteFile& remote,
                           const std::filesystem::path& dest_dir);

 private:
  // Runs `attempt` until it succeeds or fails for good, sleeping with backoff in between.
  HttpResponse with_retries(const std::string& url, const std::function<HttpResponse()>& attempt,
                            int& attempts);
  // One GET of `path` following redirects (the token only goes to the Hub's own origin), writing
  // into `part` from offset `have` (appending on 206, truncating on 200). `url` ends as the URL
  // that answered last.
  HttpResponse fetch_once(const std::string& path, const std::filesystem::path& part, uint64_t have,
                          std::string& url, uint64_t& transferred, bool& range_mismatch);
  void sleep_before_retry(int failures, const HttpResponse& last, const std::string& url);
  [[noreturn]] void throw_http_error(const std::string& what, const std::string& url,
                                     const HttpResponse& response, int attempts) const;

  HubRepoRef repo_;
  hub::RetryPolicy retry_;
  PullProgress& progress_;
  HttpClient http_;
};

// The partial file and its sidecar (the digest it is a prefix of) for `path` under dest_dir.
std::filesystem::path partial_path(const std::filesystem::path& dest_dir, const std::string& path);

// A URL fit for messages: no user info, no query string (CDN URLs carry signatures there).
std::string display_url(const std::string& url);

}  // namespace ragrt::models
