// `ragrt models pull` against a fake Hub on loopback: a cpp-httplib server with the Hub's URL
// layout (API, resolve URLs, ETag / X-Linked-Etag, a redirect of LFS files to a "CDN" on another
// host name, Range requests). Nothing here reaches the network.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "models/hub_digest.h"
#include "ragrt/error.h"
#include "ragrt/hub.h"

namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ragrt::hub::FileStatus;

std::string hex_digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  std::string hex;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

std::string sha256_hex(const std::string& data) { return hex_digest(EVP_sha256(), data); }
std::string git_blob_sha1(const std::string& data) {
  return hex_digest(EVP_sha1(), "blob " + std::to_string(data.size()) + std::string(1, '\0') + data);
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string host;
  std::string authorization;
  std::string range;
};

struct FakeFile {
  std::string content;
  bool lfs = false;
  std::string served;          // what the CDN / resolve URL actually sends; empty: content
  size_t drop_after = 0;       // >0: the first GET of the content closes after this many bytes
  int fail_with_503 = 0;       // answer this many requests (HEAD or GET) with 503 first
  bool ignore_range = false;   // answer 200 with the whole file even to a Range request
};

// The Hub's URL layout on 127.0.0.1; LFS content is served from "localhost" (same server, other
// host name) the way the Hub redirects to its CDN.
class FakeHub {
 public:
  std::string repo = "org/tiny";
  std::string commit = "0123456789abcdef0123456789abcdef01234567";
  std::map<std::string, FakeFile> files;
  bool api_enabled = true;
  int api_fail_with_503 = 0;
  std::optional<std::string> required_token;  // set: requests without it get 401
  bool gated = false;                         // with required_token: a wrong token gets 403
  int stall_seconds = 0;                      // >0: resolve URLs wait this long before answering

  FakeHub() {
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
      std::lock_guard lock(mutex_);
      requests_.push_back({req.method, req.path, req.get_header_value("Host"),
                           req.get_header_value("Authorization"), req.get_header_value("Range")});
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.Get(R"(/api/models/([^/]+)/([^/]+)/revision/(.+))",
                [this](const httplib::Request& req, httplib::Response& res) { api(req, res); });
    server_.Get(R"(/([^/]+)/([^/]+)/resolve/([^/]+)/(.+))",
                [this](const httplib::Request& req, httplib::Response& res) { resolve(req, res); });
    server_.Get(R"(/cdn/([0-9a-f]{64}))",
                [this](const httplib::Request& req, httplib::Response& res) { cdn(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~FakeHub() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string hub_host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string cdn_host() const { return "localhost:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  void clear_requests() {
    std::lock_guard lock(mutex_);
    requests_.clear();
  }
  // GETs of file content (resolve URLs and CDN), i.e. actual downloads.
  std::vector<RecordedRequest> content_gets() {
    std::vector<RecordedRequest> out;
    for (auto& r : requests())
      if (r.method == "GET" && r.path.find("/api/") != 0) out.push_back(r);
    return out;
  }

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) {
    if (!required_token) return true;
    const std::string auth = req.get_header_value("Authorization");
    if (auth == "Bearer " + *required_token) return true;
    if (gated && !auth.empty()) {
      res.status = 403;
      res.set_header("X-Error-Code", "GatedRepo");
      res.set_header("X-Error-Message", "Access to model org/tiny is restricted.");
    } else {
      res.status = 401;
      res.set_header("X-Error-Code", "RepoNotFound");
    }
    return false;
  }

  bool repo_and_revision_ok(const std::string& repo_id, const std::string& revision, httplib::Response& res) {
    if (repo_id != repo) {
      res.status = 404;
      res.set_header("X-Error-Code", "RepoNotFound");
      res.set_header("X-Error-Message", "Repository not found");
      return false;
    }
    if (revision != "main" && revision != commit) {
      res.status = 404;
      res.set_header("X-Error-Code", "RevisionNotFound");
      return false;
    }
    return true;
  }

  void api(const httplib::Request& req, httplib::Response& res) {
    if (!api_enabled) {
      res.status = 404;  // a mirror without the API: no X-Error-Code
      return;
    }
    {
      std::lock_guard lock(mutex_);
      if (api_fail_with_503 > 0) {
        --api_fail_with_503;
        res.status = 503;
        return;
      }
    }
    if (!authorized(req, res)) return;
    if (!repo_and_revision_ok(req.matches[1].str() + "/" + req.matches[2].str(), req.matches[3], res)) return;
    nlohmann::json siblings = nlohmann::json::array();
    for (const auto& [path, f] : files) siblings.push_back({{"rfilename", path}});
    res.set_content(nlohmann::json{{"id", repo}, {"sha", commit}, {"siblings", siblings}}.dump(),
                    "application/json");
  }

  void resolve(const httplib::Request& req, httplib::Response& res) {
    if (stall_seconds > 0) std::this_thread::sleep_for(std::chrono::seconds(stall_seconds));
    if (!authorized(req, res)) return;
    if (!repo_and_revision_ok(req.matches[1].str() + "/" + req.matches[2].str(), req.matches[3], res)) return;
    auto it = files.find(req.matches[4]);
    if (it == files.end()) {
      res.status = 404;
      res.set_header("X-Error-Code", "EntryNotFound");
      return;
    }
    FakeFile& f = it->second;
    if (fail_once_more(f, res)) return;
    res.set_header("X-Repo-Commit", commit);
    if (f.lfs) {
      const std::string sha = sha256_hex(f.content);
      res.set_header("X-Linked-Etag", "\"" + sha + "\"");
      res.set_header("X-Linked-Size", std::to_string(f.content.size()));
      res.set_header("ETag", "\"" + git_blob_sha1("version https://git-lfs.github.com/spec/v1") + "\"");
      // Signed CDN URLs carry credentials in the query string; messages must not show them.
      res.set_redirect("http://" + cdn_host() + "/cdn/" + sha + "?X-Amz-Signature=cdnsecret", 302);
      return;
    }
    res.set_header("ETag", "\"" + git_blob_sha1(f.content) + "\"");
    serve(req, res, f);
  }

  void cdn(const httplib::Request& req, httplib::Response& res) {
    for (auto& [path, f] : files) {
      if (f.lfs && sha256_hex(f.content) == req.matches[1].str()) {
        res.set_header("ETag", "\"d41d8cd98f00b204e9800998ecf8427e\"");  // an S3-style tag, not a digest
        serve(req, res, f);
        return;
      }
    }
    res.status = 404;
  }

  bool fail_once_more(FakeFile& f, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    if (f.fail_with_503 <= 0) return false;
    --f.fail_with_503;
    res.status = 503;
    return true;
  }

  // Leaves the status unset so cpp-httplib answers a Range request with 206 and Content-Range.
  void serve(const httplib::Request& req, httplib::Response& res, FakeFile& f) {
    const std::string body = f.served.empty() ? f.content : f.served;
    size_t drop_after = 0;
    if (req.method == "GET") {
      std::lock_guard lock(mutex_);
      std::swap(drop_after, f.drop_after);
    }
    if (f.ignore_range && drop_after == 0) {
      // Chunked answers are exempt from cpp-httplib's automatic Range handling.
      res.status = 200;
      res.set_chunked_content_provider("application/octet-stream", [body](size_t offset, httplib::DataSink& sink) {
        sink.write(body.data() + offset, body.size() - offset);
        sink.done();
        return true;
      });
      return;
    }
    if (drop_after == 0) {
      res.set_content(body, "application/octet-stream");
      return;
    }
    res.set_content_provider(body.size(), "application/octet-stream",
                             [body, drop_after](size_t offset, size_t, httplib::DataSink& sink) {
                               sink.write(body.data() + offset, std::min(drop_after, body.size() - offset));
                               return false;  // the connection drops mid-file
                             });
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<RecordedRequest> requests_;
};

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class HubPullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "ragrt-hub-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    tmp_ = templ;
    dest_ = tmp_ / "model";

    hub_.files["tokenizer.json"] = {R"({"version":"1.0","model":{"type":"WordPiece"}})"};
    hub_.files["config.json"] = {R"({"model_type":"bert","hidden_size":32})"};
    hub_.files["tokenizer_config.json"] = {R"({"model_max_length":512})"};
    hub_.files["special_tokens_map.json"] = {R"({"cls_token":"[CLS]"})"};
    hub_.files["1_Pooling/config.json"] = {R"({"pooling_mode_mean_tokens":true})"};
    hub_.files["onnx/model.onnx"] = {random_bytes(300000, 1), /*lfs=*/true};
    hub_.files["onnx/model_quantized.onnx"] = {random_bytes(90000, 2), /*lfs=*/true};
    hub_.files["onnx/model_quantized.onnx_data"] = {random_bytes(120000, 3), /*lfs=*/true};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }

  ragrt::hub::PullOptions options() {
    ragrt::hub::PullOptions o;
    o.repo_id = "org/tiny";
    o.dest = dest_;
    o.endpoint = hub_.endpoint();
    o.token_env = "RAGRT_TEST_UNSET_TOKEN_VARIABLE";
    o.connect_timeout_s = 5;
    o.low_speed_time_s = 10;
    o.retry.max_retries = 2;
    o.retry.initial_backoff = std::chrono::milliseconds(5);
    o.retry.max_backoff = std::chrono::milliseconds(20);
    o.progress = ragrt::hub::ProgressStyle::kLines;
    o.log = &log_;
    return o;
  }

  // Runs pull and returns the ragrt::Error it must throw.
  ragrt::Error pull_error(const ragrt::hub::PullOptions& o) {
    try {
      ragrt::hub::pull(o);
    } catch (const ragrt::Error& e) {
      return e;
    }
    ADD_FAILURE() << "pull succeeded where it should have failed";
    return ragrt::Error(ragrt::ErrorKind::kRuntime, "", __FILE__, __LINE__);
  }

  const ragrt::hub::PulledFile* find(const ragrt::hub::PullResult& r, const std::string& path) {
    for (const auto& f : r.files)
      if (f.path == path) return &f;
    return nullptr;
  }

  FakeHub hub_;
  fs::path tmp_, dest_;
  std::ostringstream log_;
};

TEST_F(HubPullTest, FullPullFetchesFilesThatMatchTheRepo) {
  auto o = options();
  o.onnx_files = {"onnx/model.onnx", "onnx/model_quantized.onnx"};
  const auto result = ragrt::hub::pull(o);

  EXPECT_EQ(result.dir, dest_);
  EXPECT_EQ(result.commit, hub_.commit);
  for (const auto& [path, f] : hub_.files) {
    ASSERT_TRUE(fs::exists(dest_ / path)) << path;
    EXPECT_EQ(read_file(dest_ / path), f.content) << path;
    const auto* pulled = find(result, path);
    ASSERT_NE(pulled, nullptr) << path;
    EXPECT_EQ(pulled->status, FileStatus::kDownloaded) << path;
    EXPECT_EQ(pulled->size, f.content.size());
    EXPECT_EQ(pulled->algorithm, f.lfs ? "sha256" : "git-sha1");
    EXPECT_EQ(pulled->digest, f.lfs ? sha256_hex(f.content) : git_blob_sha1(f.content));
  }
  // Optional files the API does not list are skipped without a request.
  ASSERT_NE(find(result, "merges.txt"), nullptr);
  EXPECT_EQ(find(result, "merges.txt")->status, FileStatus::kSkippedMissing);
  EXPECT_FALSE(fs::exists(dest_ / "merges.txt"));
  for (const auto& r : hub_.requests()) {
    EXPECT_THAT(r.path, Not(HasSubstr("merges.txt")));
    // Every file is fetched at the commit the API resolved "main" to.
    if (r.path.find("/resolve/") != std::string::npos) EXPECT_THAT(r.path, HasSubstr(hub_.commit));
  }
  EXPECT_FALSE(fs::exists(dest_ / ".partial"));

  const auto manifest = nlohmann::json::parse(read_file(dest_ / ".ragrt-pull.json"));
  EXPECT_EQ(manifest["repo"], "org/tiny");
  EXPECT_EQ(manifest["revision"], "main");
  EXPECT_EQ(manifest["commit"], hub_.commit);
  std::map<std::string, std::string> digests;
  for (const auto& f : manifest["files"]) digests[f["path"]] = f["digest"];
  EXPECT_EQ(digests.size(), hub_.files.size());
  EXPECT_EQ(digests["onnx/model_quantized.onnx_data"], sha256_hex(hub_.files["onnx/model_quantized.onnx_data"].content));
  EXPECT_EQ(digests["config.json"], git_blob_sha1(hub_.files["config.json"].content));
}

TEST_F(HubPullTest, DefaultOnnxIsModelOnnxOnly) {
  const auto result = ragrt::hub::pull(options());
  EXPECT_TRUE(fs::exists(dest_ / "onnx/model.onnx"));
  EXPECT_FALSE(fs::exists(dest_ / "onnx/model_quantized.onnx"));
  EXPECT_EQ(find(result, "onnx/model_quantized.onnx"), nullptr);
}

TEST_F(HubPullTest, TokenGoesToTheHubHostButNotToTheRedirectHost) {
  hub_.required_token = "hf_secret_test_token";
  ScopedEnv token("RAGRT_TEST_HUB_TOKEN", "hf_secret_test_token");
  auto o = options();
  o.token_env = "RAGRT_TEST_HUB_TOKEN";
  o.verbose = true;
  ragrt::hub::pull(o);

  size_t hub_requests = 0, cdn_requests = 0;
  for (const auto& r : hub_.requests()) {
    if (r.host == hub_.hub_host()) {
      ++hub_requests;
      EXPECT_EQ(r.authorization, "Bearer hf_secret_test_token") << r.method << " " << r.path;
    } else {
      ++cdn_requests;
      EXPECT_EQ(r.host, hub_.cdn_host());
      EXPECT_EQ(r.authorization, "") << "token leaked to the redirect host: " << r.path;
    }
  }
  EXPECT_GT(hub_requests, 0u);
  EXPECT_GT(cdn_requests, 0u);
  EXPECT_THAT(log_.str(), Not(HasSubstr("hf_secret_test_token")));
}

TEST_F(HubPullTest, MissingTokenAndRejectedTokenSayWhatToDo) {
  hub_.required_token = "hf_right";
  auto e = pull_error(options());
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);  // the Hub answers 401 RepoNotFound
  EXPECT_THAT(e.what(), HasSubstr("RAGRT_TEST_UNSET_TOKEN_VARIABLE"));
  EXPECT_THAT(e.what(), HasSubstr("/api/models/org/tiny/revision/main"));

  hub_.gated = true;
  auto o = options();
  o.token = "hf_wrong";
  e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("accept its license"));
  EXPECT_THAT(e.what(), HasSubstr(hub_.endpoint() + "/org/tiny"));
  EXPECT_THAT(e.what(), Not(HasSubstr("hf_wrong")));
}

TEST_F(HubPullTest, InterruptedDownloadResumesWithARangeRequest) {
  const std::string& content = hub_.files["onnx/model.onnx"].content;
  hub_.files["onnx/model.onnx"].drop_after = 100000;
  auto o = options();
  o.retry.max_retries = 0;
  auto e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("onnx/model.onnx"));
  EXPECT_THAT(e.what(), HasSubstr("run the pull again to resume"));
  EXPECT_THAT(e.what(), Not(HasSubstr("cdnsecret")));
  EXPECT_FALSE(fs::exists(dest_ / "onnx/model.onnx"));
  const fs::path part = dest_ / ".partial/onnx/model.onnx.part";
  ASSERT_TRUE(fs::exists(part));
  EXPECT_EQ(fs::file_size(part), 100000u);

  hub_.clear_requests();
  const auto result = ragrt::hub::pull(o);
  EXPECT_EQ(read_file(dest_ / "onnx/model.onnx"), content);
  EXPECT_EQ(find(result, "onnx/model.onnx")->bytes_transferred, content.size() - 100000);
  bool resumed = false;
  for (const auto& r : hub_.content_gets())
    if (r.path.starts_with("/cdn/")) {
      EXPECT_EQ(r.range, "bytes=100000-");
      resumed = true;
    }
  EXPECT_TRUE(resumed);
  EXPECT_FALSE(fs::exists(dest_ / ".partial"));
}

TEST_F(HubPullTest, DroppedConnectionIsResumedWithinOnePullByTheRetries) {
  const std::string& content = hub_.files["onnx/model.onnx"].content;
  hub_.files["onnx/model.onnx"].drop_after = 65536;
  const auto result = ragrt::hub::pull(options());
  EXPECT_EQ(read_file(dest_ / "onnx/model.onnx"), content);
  std::vector<std::string> ranges;
  for (const auto& r : hub_.content_gets())
    if (r.path.starts_with("/cdn/")) ranges.push_back(r.range);
  EXPECT_THAT(ranges, ::testing::ElementsAre("", "bytes=65536-"));
  EXPECT_THAT(log_.str(), HasSubstr("retry 1/2"));
}

TEST_F(HubPullTest, ServerIgnoringRangeMakesTheDownloadStartOver) {
  auto& f = hub_.files["onnx/model.onnx"];
  f.drop_after = 50000;
  auto o = options();
  o.retry.max_retries = 0;
  pull_error(o);
  ASSERT_EQ(fs::file_size(dest_ / ".partial/onnx/model.onnx.part"), 50000u);
  f.ignore_range = true;
  hub_.clear_requests();
  const auto result = ragrt::hub::pull(o);
  EXPECT_EQ(read_file(dest_ / "onnx/model.onnx"), f.content);
  EXPECT_EQ(find(result, "onnx/model.onnx")->bytes_transferred, f.content.size());
  bool asked_range = false;
  for (const auto& r : hub_.content_gets()) asked_range |= r.range == "bytes=50000-";
  EXPECT_TRUE(asked_range);
}

TEST_F(HubPullTest, PartialDownloadOfOtherContentIsDiscarded) {
  hub_.files["onnx/model.onnx"].drop_after = 1000;
  auto o = options();
  o.retry.max_retries = 0;
  pull_error(o);
  ASSERT_TRUE(fs::exists(dest_ / ".partial/onnx/model.onnx.part"));
  hub_.files["onnx/model.onnx"].content = random_bytes(200000, 9);  // a new commit changed the file
  hub_.clear_requests();
  ragrt::hub::pull(o);
  EXPECT_EQ(read_file(dest_ / "onnx/model.onnx"), hub_.files["onnx/model.onnx"].content);
  for (const auto& r : hub_.content_gets()) EXPECT_EQ(r.range, "") << r.path;
}

TEST_F(HubPullTest, CorruptedLfsContentFailsTheChecksumAndLeavesNothing) {
  auto& f = hub_.files["onnx/model.onnx"];
  f.served = f.content;
  f.served[1234] ^= 0x5a;
  auto e = pull_error(options());
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("checksum mismatch for onnx/model.onnx"));
  EXPECT_THAT(e.what(), HasSubstr(sha256_hex(f.content)));
  EXPECT_THAT(e.what(), HasSubstr(sha256_hex(f.served)));
  EXPECT_THAT(e.what(), Not(HasSubstr("cdnsecret")));
  EXPECT_FALSE(fs::exists(dest_ / "onnx/model.onnx"));
  EXPECT_FALSE(fs::exists(dest_ / ".partial/onnx/model.onnx.part"));
}

TEST_F(HubPullTest, CorruptedSmallFileFailsTheGitBlobChecksum) {
  auto& f = hub_.files["config.json"];
  f.served = R"({"model_type":"gpt2","hidden_size":32})";
  auto e = pull_error(options());
  EXPECT_THAT(e.what(), HasSubstr("checksum mismatch for config.json"));
  EXPECT_THAT(e.what(), HasSubstr("git-sha1 " + git_blob_sha1(f.content)));
  EXPECT_THAT(e.what(), HasSubstr(git_blob_sha1(f.served)));
  EXPECT_FALSE(fs::exists(dest_ / "config.json"));
}

TEST_F(HubPullTest, WithoutTheApiOptionalFilesAreTriedAnd404sSkipped) {
  hub_.api_enabled = false;
  auto o = options();
  o.verbose = true;
  const auto result = ragrt::hub::pull(o);
  EXPECT_TRUE(result.commit == hub_.commit);  // from X-Repo-Commit
  EXPECT_EQ(read_file(dest_ / "special_tokens_map.json"), hub_.files["special_tokens_map.json"].content);
  EXPECT_EQ(read_file(dest_ / "onnx/model.onnx"), hub_.files["onnx/model.onnx"].content);
  for (const char* skipped : {"merges.txt", "vocab.json", "generation_config.json", "onnx/model.onnx_data"}) {
    ASSERT_NE(find(result, skipped), nullptr) << skipped;
    EXPECT_EQ(find(result, skipped)->status, FileStatus::kSkippedMissing) << skipped;
    EXPECT_THAT(log_.str(), HasSubstr(std::string("skipped ") + skipped + " (not in the repo)"));
  }
  bool tried_merges = false;
  for (const auto& r : hub_.requests()) tried_merges |= r.path.ends_with("/merges.txt");
  EXPECT_TRUE(tried_merges);
}

TEST_F(HubPullTest, SkippedOptionalFilesAreQuietWithoutVerbose) {
  hub_.api_enabled = false;
  ragrt::hub::pull(options());
  EXPECT_THAT(log_.str(), Not(HasSubstr("merges.txt")));
}

TEST_F(HubPullTest, RepoWithoutTokenizerFailsClearly) {
  hub_.files.erase("tokenizer.json");
  for (bool api : {true, false}) {
    hub_.api_enabled = api;
    auto e = pull_error(options());
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
    EXPECT_THAT(e.what(), HasSubstr("org/tiny@main has neither tokenizer.json nor vocab.json"));
    EXPECT_FALSE(fs::exists(dest_ / "onnx/model.onnx"));
  }
}

TEST_F(HubPullTest, VocabJsonStandsInForTokenizerJson) {
  hub_.files.erase("tokenizer.json");
  hub_.files["vocab.json"] = {R"({"a":0})"};
  hub_.files["merges.txt"] = {"#version: 0.2\na b\n"};
  ragrt::hub::pull(options());
  EXPECT_EQ(read_file(dest_ / "vocab.json"), hub_.files["vocab.json"].content);
  EXPECT_EQ(read_file(dest_ / "merges.txt"), hub_.files["merges.txt"].content);
}

TEST_F(HubPullTest, MissingRequiredFilesFailBeforeLargeDownloads) {
  hub_.files.erase("config.json");
  auto e = pull_error(options());
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
  EXPECT_THAT(e.what(), HasSubstr("has no config.json"));
  EXPECT_FALSE(fs::exists(dest_ / "onnx/model.onnx"));

  hub_.api_enabled = false;
  e = pull_error(options());
  EXPECT_THAT(e.what(), HasSubstr("has no config.json"));
}

TEST_F(HubPullTest, MissingOnnxFileListsTheOnesTheRepoHas) {
  auto o = options();
  o.onnx_files = {"onnx/model_fp16.onnx"};
  auto e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
  EXPECT_THAT(e.what(), HasSubstr("has no onnx/model_fp16.onnx"));
  EXPECT_THAT(e.what(), HasSubstr("onnx/model.onnx, onnx/model_quantized.onnx"));
}

TEST_F(HubPullTest, SecondPullDownloadsNothing) {
  auto o = options();
  o.onnx_files = {"onnx/model.onnx", "onnx/model_quantized.onnx"};
  ragrt::hub::pull(o);
  hub_.clear_requests();
  const auto second = ragrt::hub::pull(o);
  EXPECT_EQ(second.bytes_transferred, 0u);
  EXPECT_TRUE(hub_.content_gets().empty());
  for (const auto& f : second.files)
    EXPECT_NE(f.status, FileStatus::kDownloaded) << f.path;
  EXPECT_EQ(find(second, "onnx/model.onnx")->status, FileStatus::kAlreadyPresent);
}

TEST_F(HubPullTest, LocallyAlteredFileIsDownloadedAgain) {
  ragrt::hub::pull(options());
  {
    std::ofstream(dest_ / "config.json") << R"({"model_type":"edited"})";
  }
  hub_.clear_requests();
  const auto second = ragrt::hub::pull(options());
  EXPECT_EQ(find(second, "config.json")->status, FileStatus::kDownloaded);
  EXPECT_EQ(find(second, "onnx/model.onnx")->status, FileStatus::kAlreadyPresent);
  EXPECT_EQ(read_file(dest_ / "config.json"), hub_.files["config.json"].content);
  EXPECT_EQ(hub_.content_gets().size(), 1u);
}

TEST_F(HubPullTest, HfEndpointFromTheEnvironmentIsHonoured) {
  ScopedEnv endpoint("HF_ENDPOINT", hub_.endpoint() + "/");
  auto o = options();
  o.endpoint.clear();
  ragrt::hub::pull(o);
  EXPECT_TRUE(fs::exists(dest_ / "onnx/model.onnx"));
  EXPECT_FALSE(hub_.requests().empty());
}

TEST_F(HubPullTest, ServerErrorsAreRetriedThenReported) {
  hub_.files["config.json"].fail_with_503 = 2;
  hub_.api_fail_with_503 = 1;
  ragrt::hub::pull(options());  // 2 retries allowed
  EXPECT_EQ(read_file(dest_ / "config.json"), hub_.files["config.json"].content);

  fs::remove_all(dest_);
  hub_.files["config.json"].fail_with_503 = 10;
  auto e = pull_error(options());
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("server error HTTP 503"));
  EXPECT_THAT(e.what(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(e.what(), HasSubstr("/org/tiny/resolve/" + hub_.commit + "/config.json"));
}

TEST_F(HubPullTest, MissingRepoAndRevisionAreNamed) {
  auto o = options();
  o.repo_id = "org/missing";
  auto e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
  EXPECT_THAT(e.what(), HasSubstr("repository 'org/missing' not found at " + hub_.endpoint()));

  EXPECT_FALSE(fs::exists(dest_)) << "a failed first pull leaves no empty folder behind";

  o = options();
  o.revision = "v9";
  e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
  EXPECT_THAT(e.what(), HasSubstr("revision 'v9' not found in org/tiny"));
}

TEST_F(HubPullTest, UnreachableEndpointSaysSo) {
  // A port that was free a moment ago and has nobody listening: connections are refused.
  int port = 0;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    ::close(fd);
  }
  auto o = options();
  o.endpoint = "http://127.0.0.1:" + std::to_string(port);
  o.retry.max_retries = 1;
  auto e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("cannot connect"));
  EXPECT_THAT(e.what(), HasSubstr(o.endpoint + "/api/models/org/tiny/revision/main"));
  EXPECT_THAT(e.what(), HasSubstr("after 2 attempts"));
}

TEST_F(HubPullTest, StalledServerTimesOut) {
  hub_.api_enabled = false;
  hub_.stall_seconds = 3;
  auto o = options();
  o.low_speed_time_s = 1;
  o.retry.max_retries = 0;
  auto e = pull_error(o);
  EXPECT_EQ(e.kind(), ragrt::ErrorKind::kIo);
  EXPECT_THAT(e.what(), HasSubstr("timed out"));
  EXPECT_THAT(e.what(), HasSubstr("/org/tiny/resolve/main/tokenizer.json"));
}

TEST_F(HubPullTest, RejectsPathsThatLeaveTheModelFolder) {
  for (const char* bad : {"../evil.onnx", "/etc/passwd", "onnx/../../x.onnx", "a//b.onnx", ".partial/x.onnx"}) {
    auto o = options();
    o.onnx_files = {bad};
    auto e = pull_error(o);
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kInvalidArgument) << bad;
  }
  for (const char* bad : {"org/../x", "org/a/b", "", "org/na me"}) {
    auto o = options();
    o.repo_id = bad;
    EXPECT_EQ(pull_error(o).kind(), ragrt::ErrorKind::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(hub_.requests().empty());
}

TEST_F(HubPullTest, LinesProgressNamesEachDownloadedFile) {
  ragrt::hub::pull(options());
  EXPECT_THAT(log_.str(), HasSubstr("downloading onnx/model.onnx (293.0 KiB)"));
  EXPECT_THAT(log_.str(), HasSubstr("done onnx/model.onnx: 293.0 KiB"));
  EXPECT_THAT(log_.str(), HasSubstr("pulled org/tiny@main (0123456789ab) into " + dest_.string()));
}

TEST_F(HubPullTest, QuietPrintsNothing) {
  auto o = options();
  o.progress = ragrt::hub::ProgressStyle::kNone;
  ragrt::hub::pull(o);
  EXPECT_EQ(log_.str(), "");
}

TEST_F(HubPullTest, CliPullPrintsTheFolderOnStdout) {
  ScopedEnv endpoint("HF_ENDPOINT", hub_.endpoint());
  const std::string cmd = std::string(RAGRT_CLI_BINARY) + " models pull org/tiny --onnx onnx/model_quantized.onnx --dir '" +
                          dest_.string() + "' --quiet 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << out;
  EXPECT_EQ(out, dest_.string() + "\n");
  EXPECT_EQ(read_file(dest_ / "onnx/model_quantized.onnx_data"),
            hub_.files["onnx/model_quantized.onnx_data"].content);
  EXPECT_FALSE(fs::exists(dest_ / "onnx/model.onnx"));
}

TEST_F(HubPullTest, CliReportsErrorsWithExitCodeOne) {
  ScopedEnv endpoint("HF_ENDPOINT", hub_.endpoint());
  const std::string cmd = std::string(RAGRT_CLI_BINARY) + " models pull org/missing --dir '" + dest_.string() +
                          "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << out;
  EXPECT_THAT(out, HasSubstr("ragrt: error: repository 'org/missing' not found"));
}

TEST(HubDigest, ReadsTheHubsEtags) {
  using ragrt::models::DigestAlgorithm;
  const std::string sha = sha256_hex("x");
  auto d = ragrt::models::digest_from_etag("\"" + sha + "\"");
  EXPECT_EQ(d.algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(d.hex, sha);
  d = ragrt::models::digest_from_etag("W/\"CE013625030BA8DBA906F756967F9E9CA394464A\"");
  EXPECT_EQ(d.algorithm, DigestAlgorithm::kGitBlobSha1);
  EXPECT_EQ(d.hex, "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_FALSE(ragrt::models::digest_from_etag("\"d41d8cd98f00b204e9800998ecf8427e\"").known());
  EXPECT_FALSE(ragrt::models::digest_from_etag("\"" + std::string(64, 'z') + "\"").known());
}

TEST(HubDigest, GitBlobSha1MatchesGit) {
  std::string templ = (fs::temp_directory_path() / "ragrt-digest-XXXXXX").string();
  ASSERT_NE(mkdtemp(templ.data()), nullptr);
  const fs::path file = fs::path(templ) / "hello.txt";
  std::ofstream(file) << "hello\n";
  // `echo hello | git hash-object --stdin`
  EXPECT_EQ(ragrt::models::file_digest(file, ragrt::models::DigestAlgorithm::kGitBlobSha1),
            "ce013625030ba8dba906f756967f9e9ca394464a");
  EXPECT_EQ(ragrt::models::file_digest(file, ragrt::models::DigestAlgorithm::kSha256),
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  fs::remove_all(templ);
}

TEST(HubPaths, DefaultFolderAndEndpointComeFromTheEnvironment) {
  {
    ScopedEnv models("RAGRT_MODELS_DIR", "/srv/models");
    EXPECT_EQ(ragrt::hub::default_model_dir("Xenova/all-MiniLM-L6-v2"), fs::path("/srv/models/Xenova--all-MiniLM-L6-v2"));
  }
  {
    ScopedEnv models("RAGRT_MODELS_DIR", std::nullopt);
    ScopedEnv xdg("XDG_CACHE_HOME", std::nullopt);
    ScopedEnv home("HOME", "/home/u");
    EXPECT_EQ(ragrt::hub::default_model_dir("org/name"), fs::path("/home/u/.cache/ragrt/models/org--name"));
  }
  {
    ScopedEnv endpoint("HF_ENDPOINT", std::nullopt);
    EXPECT_EQ(ragrt::hub::resolve_endpoint(), "https://huggingface.co");
    EXPECT_EQ(ragrt::hub::resolve_endpoint("http://mirror.local/"), "http://mirror.local");
  }
  {
    ScopedEnv endpoint("HF_ENDPOINT", "https://hf-mirror.example");
    EXPECT_EQ(ragrt::hub::resolve_endpoint(), "https://hf-mirror.example");
  }
  EXPECT_THROW(ragrt::hub::resolve_endpoint("ftp://x"), ragrt::Error);
}

}  // namespace
