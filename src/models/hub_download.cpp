#include "models/hub_download.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>

#include "ragrt/error.h"

namespace ragrt::models {
namespace fs = std::filesystem;
namespace {

constexpr int kMaxRedirects = 10;
constexpr size_t kMaxApiBody = 64u << 20;

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Start offset of "bytes START-END/TOTAL".
std::optional<uint64_t> content_range_start(std::string_view header) {
  if (!header.starts_with("bytes ")) return std::nullopt;
  header.remove_prefix(6);
  const size_t dash = header.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  return parse_u64(header.substr(0, dash));
}

bool is_redirect(const HttpResponse& r) { return r.curl_code == 0 && r.status >= 300 && r.status < 400; }

std::string short_reason(const HttpResponse& r) {
  if (r.curl_code != 0) return r.curl_error.empty() ? curl_easy_strerror(static_cast<CURLcode>(r.curl_code)) : r.curl_error;
  return fmt::format("HTTP {}", r.status);
}

uint64_t size_or_zero(const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  return ec ? 0 : size;
}

void remove_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

fs::path meta_path_of(const fs::path& part) {
  fs::path meta = part;
  meta += ".meta";
  return meta;
}

nlohmann::json read_json_or_null(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

struct FileCloser {
  void operator()(FILE* f) const {
    if (f) std::fclose(f);
  }
};

}  // namespace

fs::path partial_path(const fs::path& dest_dir, const std::string& path) {
  fs::path part = dest_dir / ".partial" / fs::path(path);
  part += ".part";
  return part;
}

std::string display_url(const std::string& url) {
  CURLU* u = curl_url();
  std::string out;
  if (u && curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    curl_url_set(u, CURLUPART_USER, nullptr, 0);
    curl_url_set(u, CURLUPART_PASSWORD, nullptr, 0);
    curl_url_set(u, CURLUPART_QUERY, nullptr, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, nullptr, 0);
    char* s = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK && s) {
      out = s;
      curl_free(s);
    }
  }
  if (u) curl_url_cleanup(u);
  if (out.empty()) out = url.substr(0, url.find_first_of("?#"));
  return out;
}

HubDownloader::HubDownloader(HubRepoRef repo, HttpTimeouts timeouts, hub::RetryPolicy retry,
                             PullProgress& progress)
    : repo_(std::move(repo)), retry_(retry), progress_(progress), http_(timeouts) {}

std::string HubDownloader::resolve_url(const std::string& path) const {
  return repo_.endpoint + "/" + repo_.repo_id + "/resolve/" + url_encode(repo_.url_revision, false) +
         "/" + url_encode(path, true);
}

std::string HubDownloader::api_url() const {
  return repo_.endpoint + "/api/models/" + repo_.repo_id + "/revision/" +
         url_encode(repo_.url_revision, false);
}

void HubDownloader::sleep_before_retry(int failures, const HttpResponse& last, const std::string& url) {
  auto delay = retry_.initial_backoff * (1LL << std::min(failures - 1, 20));
  if (auto retry_after = parse_u64(last.header("retry-after")))
    delay = std::max<std::chrono::milliseconds>(delay, std::chrono::seconds(*retry_after));
  delay = std::min<std::chrono::milliseconds>(delay, retry_.max_backoff);
  progress_.note(fmt::format("{}: {}; retry {}/{} in {:.1f} s", display_url(url), short_reason(last),
                             failures, retry_.max_retries, static_cast<double>(delay.count()) / 1000.0));
  std::this_thread::sleep_for(delay);
}

HttpResponse HubDownloader::with_retries(const std::string& url,
                                         const std::function<HttpResponse()>& attempt, int& attempts) {
  attempts = 0;
  while (true) {
    HttpResponse r = attempt();
    ++attempts;
    if (!is_transient(r) || attempts > retry_.max_retries) return r;
    sleep_before_retry(attempts, r, url);
  }
}

void HubDownloader::throw_http_error(const std::string& what, const std::string& url,
                                     const HttpResponse& r, int attempts) const {
  const std::string where = display_url(url);
  const std::string tries = attempts > 1 ? fmt::format(" (after {} attempts)", attempts) : "";
  const std::string hub_says =
      r.header("x-error-message").empty() ? "" : " The server says: " + r.header("x-error-message");
  const std::string repo_page = repo_.endpoint + "/" + repo_.repo_id;
  const bool token_sent = repo_.token.has_value();
  if (r.curl_code != 0)
    RAGRT_THROW_KIND(ErrorKind::kIo, "{}: {}: {}{}", what, where, describe_transport_error(r), tries);

  const std::string code = r.header("x-error-code");
  if (code == "RepoNotFound")
    RAGRT_THROW_KIND(ErrorKind::kNotFound,
                     "repository '{}' not found at {} (HTTP {} for {}): check the repo id; if the "
                     "repo is private, set {} to a token that can read it.{}",
                     repo_.repo_id, repo_.endpoint, r.status, where, repo_.token_env, hub_says);
  if (code == "RevisionNotFound")
    RAGRT_THROW_KIND(ErrorKind::kNotFound,
                     "revision '{}' not found in {} (HTTP {} for {}): check --revision (a branch, "
                     "tag or commit sha).{}",
                     repo_.revision, repo_.repo_id, r.status, where, hub_says);
  if (code == "GatedRepo" || r.status == 403)
    RAGRT_THROW_KIND(ErrorKind::kIo,
                     "access to {} denied (HTTP {} for {}): the model is gated or private; accept "
                     "its license at {} while logged in, then set {} to a token of that account{}.{}",
                     repo_.repo_id, r.status, where, repo_page, repo_.token_env,
                     token_sent ? " (the token in $" + repo_.token_env + " has no access yet)" : "",
                     hub_says);
  if (r.status == 401) {
    if (token_sent)
      RAGRT_THROW_KIND(ErrorKind::kIo,
                       "the token in ${} was rejected (HTTP 401 for {}): check that it is valid and "
                       "has read access to {}, or that the repo id is right.{}",
                       repo_.token_env, where, repo_.repo_id, hub_says);
    RAGRT_THROW_KIND(ErrorKind::kIo,
                     "authentication required (HTTP 401 for {}): the repo is private, gated or does "
                     "not exist; check the repo id, set {} to a Hugging Face token with read access, "
                     "and for gated models accept the license at {}.{}",
                     where, repo_.token_env, repo_page, hub_says);
  }
  if (r.status == 404)
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{} not found in {} at revision '{}' (HTTP 404 for {}).{}", what,
                     repo_.repo_id, repo_.revision, where, hub_says);
  if (r.status == 429)
    RAGRT_THROW_KIND(ErrorKind::kIo,
                     "rate limited (HTTP 429 for {}){}: wait and retry; setting {} raises the limit.{}",
                     where, tries, repo_.token_env, hub_says);
  if (r.status >= 500)
    RAGRT_THROW_KIND(ErrorKind::kIo, "server error HTTP {} for {}{}: the Hub may be down; retry later.{}",
                     r.status, where, tries, hub_says);
  RAGRT_THROW_KIND(ErrorKind::kIo, "{}: unexpected HTTP {} for {}.{}", what, r.status, where, hub_says);
}

std::optional<nlohmann::json> HubDownloader::repo_info() {
  const std::string url = api_url();
  std::string body;
  int attempts = 0;
  HttpResponse r = with_retries(
      url,
      [&] {
        body.clear();
        HttpRequest req;
        req.url = url;
        req.bearer_token = repo_.token;
        req.on_body = [&](const char* data, size_t n) {
          body.append(data, n);
          return body.size() <= kMaxApiBody;
        };
        return http_.perform(req);
      },
      attempts);
  if (r.ok()) {
    auto info = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (info.is_object()) return info;
    progress_.detail(fmt::format("{} did not return a JSON object; trying the files directly",
                                 display_url(url)));
    return std::nullopt;
  }
  // The network is down or the endpoint unreachable: the files would fail the same way.
  if (r.curl_code != 0 && !r.aborted_by_sink) throw_http_error("Hub API", url, r, attempts);
  const std::string code = r.header("x-error-code");
  if (code == "RepoNotFound" || code == "RevisionNotFound" || code == "GatedRepo" || r.status == 401 ||
      r.status == 403)
    throw_http_error("Hub API", url, r, attempts);
  progress_.detail(fmt::format("the Hub API at {} is unavailable ({}); trying the files directly",
                               display_url(url), short_reason(r)));
  return std::nullopt;
}

RemoteFile HubDownloader::stat(const std::string& path) {
  std::string url = resolve_url(path);
  bool send_token = true;
  RemoteFile out;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    int attempts = 0;
    HttpResponse r = with_retries(
        url,
        [&] {
          HttpRequest req;
          req.head = true;
          req.url = url;
          if (send_token) req.bearer_token = repo_.token;
          return http_.perform(req);
        },
        attempts);
    if (out.commit.empty()) out.commit = r.header("x-repo-commit");
    const std::string linked_etag = r.header("x-linked-etag");
    const std::string linked_size = r.header("x-linked-size");
    // The Hub answers an LFS file with a redirect to its CDN that already names the digest.
    if (r.ok() || (is_redirect(r) && (!linked_etag.empty() || !linked_size.empty()))) {
      out.exists = true;
      out.digest = digest_from_etag(!linked_etag.empty() ? linked_etag : r.header("etag"));
      out.size = !linked_size.empty() ? parse_u64(linked_size)
                                      : (r.ok() ? parse_u64(r.header("content-length")) : std::nullopt);
      return out;
    }
    if (is_redirect(r)) {
      const std::string location = r.header("location");
      if (location.empty())
        RAGRT_THROW_KIND(ErrorKind::kIo, "{}: HTTP {} without a Location header", display_url(url), r.status);
      const std::string next = resolve_redirect(url, location);
      if (!same_origin(url, next)) send_token = false;
      url = next;
      continue;
    }
    if (r.curl_code == 0 && r.status == 404) {
      const std::string code = r.header("x-error-code");
      if (code == "RepoNotFound" || code == "RevisionNotFound") throw_http_error(path, url, r, attempts);
      return out;  // exists = false
    }
    throw_http_error(path, url, r, attempts);
  }
  RAGRT_THROW_KIND(ErrorKind::kIo, "{}: more than {} redirects starting at {}", path, kMaxRedirects,
                   display_url(resolve_url(path)));
}

HttpResponse HubDownloader::fetch_once(const std::string& path, const fs::path& part, uint64_t have,
                                       std::string& url, uint64_t& transferred, bool& range_mismatch) {
  url = resolve_url(path);
  bool send_token = true;
  range_mismatch = false;
  for (int hop = 0; hop <= kMaxRedirects; ++hop) {
    std::unique_ptr<FILE, FileCloser> file;
    int write_errno = 0;
    uint64_t written = have;
    HttpRequest req;
    req.url = url;
    if (send_token) req.bearer_token = repo_.token;
    if (have > 0) req.range_from = have;
    req.on_headers = [&](const HttpResponse& r) {
      if (r.status == 206) {
        if (content_range_start(r.header("content-range")) != have) {
          range_mismatch = true;
          return false;
        }
        file.reset(std::fopen(part.c_str(), "ab"));
      } else {
        // A full answer (the server ignored Range): start the partial file over.
        written = 0;
        file.reset(std::fopen(part.c_str(), "wb"));
      }
      if (!file) write_errno = errno;
      return file != nullptr;
    };
    req.on_body = [&](const char* data, size_t n) {
      if (std::fwrite(data, 1, n, file.get()) != n) {
        write_errno = errno;
        return false;
      }
      written += n;
      transferred += n;
      progress_.advance(written);
      return true;
    };
    HttpResponse r = http_.perform(req);
    if (file && std::fclose(file.release()) != 0 && write_errno == 0) write_errno = errno;
    if (write_errno != 0)
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot write {} while downloading {}: {} (is the disk full?)",
                       part.string(), path, std::strerror(write_errno));
    if (!is_redirect(r)) return r;
    const std::string location = r.header("location");
    if (location.empty())
      RAGRT_THROW_KIND(ErrorKind::kIo, "{}: HTTP {} without a Location header", display_url(url), r.status);
    const std::string next = resolve_redirect(url, location);
    // The CDN an LFS file lives on is another host: it must not see the Hub token.
    if (!same_origin(url, next)) send_token = false;
    url = next;
  }
  RAGRT_THROW_KIND(ErrorKind::kIo, "{}: more than {} redirects starting at {}", path, kMaxRedirects,
                   display_url(resolve_url(path)));
}

DownloadOutcome HubDownloader::download(const std::string& path, const RemoteFile& remote,
                                        const fs::path& dest_dir) {
  const fs::path final_path = dest_dir / fs::path(path);
  const fs::path part = partial_path(dest_dir, path);
  const fs::path meta = meta_path_of(part);
  std::error_code ec;
  fs::create_directories(part.parent_path(), ec);
  if (ec)
    RAGRT_THROW_KIND(ErrorKind::kIo, "cannot create {}: {}", part.parent_path().string(), ec.message());

  // A partial file is only a prefix worth keeping if it was made for this exact content.
  const nlohmann::json wanted = {{"algorithm", algorithm_name(remote.digest.algorithm)},
                                 {"digest", remote.digest.hex},
                                 {"size", remote.size ? nlohmann::json(*remote.size) : nlohmann::json()}};
  if (fs::exists(part) && (!remote.digest.known() || read_json_or_null(meta) != wanted)) {
    if (size_or_zero(part) > 0) progress_.detail(path + ": discarding a partial download of other content");
    remove_quietly(part);
  }
  {
    std::ofstream out(meta, std::ios::trunc);
    out << wanted.dump() << "\n";
    RAGRT_THROW_IF_NOT_KIND(out.good(), ErrorKind::kIo, "cannot write {}", meta.string());
  }

  uint64_t have = size_or_zero(part);
  if (remote.size && have > *remote.size) {
    remove_quietly(part);
    have = 0;
  }
  if (remote.size && *remote.size > have) {
    const auto space = fs::space(dest_dir, ec);
    if (!ec && space.available < *remote.size - have)
      RAGRT_THROW_KIND(ErrorKind::kIo, "not enough disk space in {} for {}: needs {}, {} available",
                       dest_dir.string(), path, human_bytes(static_cast<double>(*remote.size - have)),
                       human_bytes(static_cast<double>(space.available)));
  }

  DownloadOutcome outcome;
  std::string url = resolve_url(path);
  progress_.start_file(path, remote.size, have);
  try {
    bool complete = remote.size && fs::exists(part) && have == *remote.size;
    uint64_t best = have;
    int failures = 0, attempts = 0;
    while (!complete) {
      bool range_mismatch = false;
      HttpResponse r = fetch_once(path, part, have, url, outcome.bytes_transferred, range_mismatch);
      ++attempts;
      const uint64_t now = size_or_zero(part);
      if (r.ok() && !r.aborted_by_sink) {
        complete = true;
        break;
      }
      if (range_mismatch || (r.curl_code == 0 && r.status == 416)) {
        // The server cannot continue where we stopped: start over from zero.
        progress_.detail(fmt::format("{}: the server cannot resume at byte {}; starting over", path, have));
        remove_quietly(part);
        have = 0;
        if (++failures > retry_.max_retries) throw_http_error(path, url, r, attempts);
        continue;
      }
      if (!is_transient(r)) throw_http_error(path, url, r, attempts);
      if (now > best) {  // progress made: this failure does not count against the retries
        best = now;
        failures = 0;
      }
      if (++failures > retry_.max_retries) throw_http_error(path, url, r, attempts);
      sleep_before_retry(failures, r, url);
      have = now;
    }

    const uint64_t size = size_or_zero(part);
    if (remote.size && size != *remote.size) {
      remove_quietly(part);
      remove_quietly(meta);
      RAGRT_THROW_KIND(ErrorKind::kIo,
                       "size mismatch for {}: expected {} bytes, got {} (from {}); the download was "
                       "deleted, run the pull again",
                       path, *remote.size, size, display_url(url));
    }
    if (remote.digest.known()) {
      const std::string actual = file_digest(part, remote.digest.algorithm);
      if (actual != remote.digest.hex) {
        remove_quietly(part);
        remove_quietly(meta);
        RAGRT_THROW_KIND(ErrorKind::kIo,
                         "checksum mismatch for {}: expected {} {}, got {} (from {}); the download "
                         "was deleted. Run the pull again; if it repeats, a proxy or mirror is "
                         "altering the file",
                         path, algorithm_name(remote.digest.algorithm), remote.digest.hex, actual,
                         display_url(url));
      }
      outcome.digest = remote.digest;
    } else {
      outcome.digest = {DigestAlgorithm::kSha256, file_digest(part, DigestAlgorithm::kSha256)};
      progress_.detail(fmt::format("{}: the server published no digest; recorded its sha256 {}", path,
                                   outcome.digest.hex));
    }
    outcome.size = size;

    fs::create_directories(final_path.parent_path(), ec);
    if (ec)
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot create {}: {}", final_path.parent_path().string(), ec.message());
    fs::rename(part, final_path, ec);  // same file system: atomic, replaces an older copy
    if (ec)
      RAGRT_THROW_KIND(ErrorKind::kIo, "cannot move {} to {}: {}", part.string(), final_path.string(),
                       ec.message());
    remove_quietly(meta);
  } catch (...) {
    progress_.finish_file(false);
    throw;
  }
  progress_.finish_file(true);
  return outcome;
}

}  // namespace ragrt::models
