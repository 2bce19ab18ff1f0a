// The `openai` embedder and the `cohere` / `tei` rerankers against a loopback server that plays
// the remote API: request shapes, batching, order, keys, retries and the errors a user sees.
#include <cmath>
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loopback_server.h"
#include "ragrt/error.h"
#include "ragrt/openai_embedder.h"
#include "ragrt/remote_reranker.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ragrt::testing::error_of;

struct Seen {
  std::string path;
  json body;
  std::string authorization;
};

using Server = ragrt::testing::LoopbackServer<Seen>;

Seen record(const httplib::Request& req) {
  return {req.path, json::parse(req.body, nullptr, false), req.get_header_value("Authorization")};
}

RemoteEndpoint endpoint(const Server& s, const std::string& root = "/v1") {
  RemoteEndpoint e;
  e.base_url = "http://127.0.0.1:" + std::to_string(s.port()) + root;
  e.retry_backoff_s = 0.01;
  e.timeout_s = 5;
  return e;
}

// Each text's vector is [its length, 0, 0]: easy to tell apart and to check after normalizing.
void answer_embeddings(const httplib::Request& req, httplib::Response& res, bool reversed) {
  json in = json::parse(req.body);
  json data = json::array();
  for (size_t i = 0; i < in["input"].size(); ++i) {
    const double len = static_cast<double>(in["input"][i].get<std::string>().size());
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", {len, 0.0, 0.0}}});
  }
  if (reversed) std::reverse(data.begin(), data.end());
  res.set_content(json{{"object", "list"}, {"data", data}, {"model", "m"}}.dump(), "application/json");
}

TEST(OpenAIEmbedder, BatchesAndKeepsTheInputOrder) {
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) { answer_embeddings(req, res, true); });
  OpenAIEmbedderParams p;
  p.endpoint = endpoint(server);
  p.model = "bge-small";
  p.batch_size = 2;
  p.normalize = false;
  auto e = make_openai_embedder(p);
  EXPECT_EQ(e->dimension(), 0u);
  auto v = e->embed(std::vector<std::string>{"a", "bb", "ccc", "dddd", "eeeee"});
  ASSERT_EQ(v.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(v[i][0], static_cast<float>(i + 1)) << i;
  EXPECT_EQ(e->dimension(), 3u);
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].path, "/v1/embeddings");
  EXPECT_EQ(seen[0].body["model"], "bge-small");
  EXPECT_EQ(seen[0].body["encoding_format"], "float");
  EXPECT_EQ(seen[0].body["input"], json({"a", "bb"}));
  EXPECT_EQ(seen[2].body["input"], json({"eeeee"}));
  EXPECT_EQ(seen[0].authorization, "");
  EXPECT_THAT(e->description(), HasSubstr("openai bge-small at http://127.0.0.1:"));
}

TEST(OpenAIEmbedder, NormalizesLikeTheOnnxEmbedderByDefault) {
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) { answer_embeddings(req, res, false); });
  OpenAIEmbedderParams p;
  p.endpoint = endpoint(server);
  std::vector<float> v = make_openai_embedder(p)->embed("four");
  EXPECT_THAT(v, ElementsAre(1.0f, 0.0f, 0.0f));
  EXPECT_FALSE(server.requests()[0].body.contains("model"));  // single-model servers need none
}

TEST(OpenAIEmbedder, SendsTheKeyFromTheNamedEnvironmentVariable) {
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) { answer_embeddings(req, res, false); });
  OpenAIEmbedderParams p;
  p.endpoint = endpoint(server);
  p.endpoint.api_key_env = "RAGRT_TEST_EMBEDDING_KEY";
  ::unsetenv("RAGRT_TEST_EMBEDDING_KEY");
  EXPECT_THAT(error_of([&] { make_openai_embedder(p); }, ErrorKind::kInvalidArgument),
              HasSubstr("RAGRT_TEST_EMBEDDING_KEY (api_key_env) is not set"));
  ::setenv("RAGRT_TEST_EMBEDDING_KEY", "sk-test-123", 1);
  make_openai_embedder(p)->embed("x");
  ::unsetenv("RAGRT_TEST_EMBEDDING_KEY");
  EXPECT_EQ(server.requests().at(0).authorization, "Bearer sk-test-123");
}

TEST(OpenAIEmbedder, RetriesTransientFailures) {
  Server server(record, [](int hit, const httplib::Request& req, httplib::Response& res) {
    if (hit < 2) {
      res.status = hit == 0 ? 503 : 429;
      res.set_content(R"({"error": {"message": "busy"}})", "application/json");
      return;
    }
    answer_embeddings(req, res, false);
  });
  OpenAIEmbedderParams p;
  p.endpoint = endpoint(server);
  EXPECT_EQ(make_openai_embedder(p)->embed("ok").size(), 3u);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(OpenAIEmbedder, ErrorsSayWhichServerAndWhat) {
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) {
    const std::string text = json::parse(req.body)["input"][0];
    if (text == "rejected") {
      res.status = 400;
      res.set_content(R"({"error": {"message": "input is too long"}})", "application/json");
    } else if (text == "busy") {
      res.status = 503;
      res.set_content("overloaded", "text/plain");
    } else if (text == "short") {
      res.set_content(R"({"data": []})", "application/json");
    } else if (text == "html") {
      res.set_content("<html>hello</html>", "text/html");
    } else if (text == "key") {
      res.status = 401;
    }
  });
  OpenAIEmbedderParams p;
  p.endpoint = endpoint(server);
  p.endpoint.max_retries = 1;
  auto e = make_openai_embedder(p);
  const std::string url = p.endpoint.base_url + "/embeddings";
  EXPECT_THAT(error_of([&] { e->embed("rejected"); }, ErrorKind::kInvalidArgument),
              HasSubstr(url + " rejected the request with HTTP 400: input is too long"));
  EXPECT_EQ(server.requests().size(), 1u);  // a 400 is not retried
  EXPECT_THAT(error_of([&] { e->embed("busy"); }, ErrorKind::kIo),
              HasSubstr("answered HTTP 503: overloaded (after 2 attempts)"));
  EXPECT_THAT(error_of([&] { e->embed("short"); }, ErrorKind::kRuntime), HasSubstr("0 embeddings for 1 texts"));
  EXPECT_THAT(error_of([&] { e->embed("html"); }, ErrorKind::kRuntime), HasSubstr("not JSON: <html>hello</html>"));
  EXPECT_THAT(error_of([&] { e->embed("key"); }, ErrorKind::kIo), HasSubstr("name that in api_key_env"));
  EXPECT_THAT(error_of([&] { e->embed(std::string("\xff")); }, ErrorKind::kInvalidArgument),
              HasSubstr("not valid UTF-8"));
}

TEST(OpenAIEmbedder, AnUnreachableServerIsAClearError) {
  int port;
  {
    Server gone(record, [](int, const httplib::Request&, httplib::Response&) {});
    port = gone.port();
  }
  OpenAIEmbedderParams p;
  p.endpoint.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
  p.endpoint.max_retries = 0;
  EXPECT_THAT(error_of([&] { make_openai_embedder(p)->embed("x"); }, ErrorKind::kIo),
              HasSubstr("cannot reach http://127.0.0.1:" + std::to_string(port) + "/v1/embeddings"));
  p.endpoint.base_url = "localhost:8080";
  EXPECT_THAT(error_of([&] { make_openai_embedder(p); }, ErrorKind::kInvalidArgument),
              HasSubstr("not an http:// or https:// URL"));
}

TEST(RemoteReranker, CohereScoresComeBackInPassageOrder) {
  // Results best first, as rerank APIs list them; the score is the passage's length.
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body);
    json results = json::array();
    for (size_t i = 0; i < in["documents"].size(); ++i)
      results.push_back({{"index", i}, {"relevance_score", in["documents"][i].get<std::string>().size() / 10.0}});
    std::sort(results.begin(), results.end(),
              [](const json& a, const json& b) { return a["relevance_score"] > b["relevance_score"]; });
    res.set_content(json{{"results", results}}.dump(), "application/json");
  });
  RemoteRerankerParams p;
  p.endpoint = endpoint(server);
  p.model = "bge-reranker";
  p.batch_size = 2;
  auto r = make_remote_reranker(p);
  auto scores = r->score("q", {"a", "bbbbb", "ccc"});
  EXPECT_THAT(scores, ElementsAre(0.1f, 0.5f, 0.3f));
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].path, "/v1/rerank");
  EXPECT_EQ(seen[0].body["query"], "q");
  EXPECT_EQ(seen[0].body["model"], "bge-reranker");
  EXPECT_EQ(seen[0].body["documents"], json({"a", "bbbbb"}));
  EXPECT_EQ(seen[1].body["documents"], json({"ccc"}));
}

TEST(RemoteReranker, TextEmbeddingsInferenceShape) {
  Server server(record, [](int, const httplib::Request& req, httplib::Response& res) {
    json in = json::parse(req.body);
    json out = json::array();
    for (size_t i = 0; i < in["texts"].size(); ++i) out.push_back({{"index", i}, {"score", 1.0 - i * 0.25}});
    std::reverse(out.begin(), out.end());
    res.set_content(out.dump(), "application/json");
  });
  RemoteRerankerParams p;
  p.api = RerankApi::kTei;
  p.endpoint = endpoint(server, "");
  EXPECT_THAT(make_remote_reranker(p)->score("q", {"x", "y", "z"}), ElementsAre(1.0f, 0.75f, 0.5f));
  const Seen seen = server.requests().at(0);
  EXPECT_EQ(seen.path, "/rerank");
  EXPECT_EQ(seen.body["texts"], json({"x", "y", "z"}));
  EXPECT_EQ(seen.body["truncate"], true);
}

TEST(RemoteReranker, AnAnswerMissingAPassageIsAnError) {
  Server server(record, [](int, const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"results": [{"index": 0, "relevance_score": 0.9}]})", "application/json");
  });
  RemoteRerankerParams p;
  p.endpoint = endpoint(server);
  EXPECT_THAT(error_of([&] { make_remote_reranker(p)->score("q", {"a", "b"}); }, ErrorKind::kRuntime),
              HasSubstr("scores for 1 of 2 passages"));
}

}  // namespace
}  // namespace ragrt
