// `ragrt serve` in process: a Server on an ephemeral loopback port over a temp collection, talked
// to with httplib::Client as an OpenAI client would. Requests that must stay in flight (queue,
// stream limits, disconnects, timeouts) use a pipeline type registered here that waits until the
// test releases it, so nothing depends on how fast the machine is.
#include "ragrt/server.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "loopback_server.h"
#include "ragrt/indexer.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/registry.h"
#include "runtime/test_models.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using ::testing::HasSubstr;
using ragrt::testing::test_model_dir;

// What the `test_hold` pipeline shares with the test: it says "holding", then waits until
// released (or cancelled), emitting a tick every few milliseconds so a stream has bytes to write.
struct Hold {
  std::mutex mutex;
  std::condition_variable changed;
  bool released = false;
  int entered = 0;
  int cancelled = 0;

  void reset() {
    std::lock_guard lock(mutex);
    released = false;
    entered = cancelled = 0;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      released = true;
    }
    changed.notify_all();
  }
  bool wait_entered(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return entered >= n; });
  }
  bool wait_cancelled(int n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return cancelled >= n; });
  }
};
Hold& hold() {
  static Hold h;
  return h;
}

class HoldPipeline : public Pipeline {
 public:
  explicit HoldPipeline(std::string name) : name_(std::move(name)) {}
  std::string type() const override { return "test_hold"; }
  const std::string& name() const override { return name_; }
  PipelineResult run(const PipelineRequest& request, const ComponentGraph&) const override {
    Hold& h = hold();
    PipelineResult r;
    r.pipeline = name_;
    {
      std::lock_guard lock(h.mutex);
      ++h.entered;
    }
    h.changed.notify_all();
    if (request.on_text) request.on_text("holding");
    std::unique_lock lock(h.mutex);
    while (!h.released) {
      if (request.cancel && *request.cancel) {
        ++h.cancelled;
        h.changed.notify_all();
        r.finish_reason = FinishReason::kCancelled;
        return r;
      }
      h.changed.wait_for(lock, std::chrono::milliseconds(10));
      lock.unlock();
      if (request.on_text) request.on_text(".");
      lock.lock();
    }
    r.answer = "released";
    if (request.on_text) request.on_text(" released");
    return r;
  }

 private:
  std::string name_;
};

struct Response {
  int status = 0;
  json body;
  std::string text;
  std::string content_type;
};

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Registry<Pipeline>::instance().add("test_hold", [](const ComponentSpec& spec) {
      return std::make_shared<HoldPipeline>(spec.name);
    });
  }

  void SetUp() override {
    hold().reset();
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "server" /
           (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "docs" / "shipping.txt")
        << "Standard delivery takes three to five business days. Express delivery takes one to two business days.";
    std::ofstream(dir_ / "docs" / "refunds.txt") << "Refunds are paid within five working days after the return arrives.";
  }
  void TearDown() override {
    hold().release();
    if (server_) server_->stop();
    server_.reset();
    live_.reset();
    fs::remove_all(dir_);
  }

  // The collection's part of every config: bm25 and dense retrieval, a reranker, the extractive
  // generator, two pipelines and one that holds.
  std::string base_config() const {
    return "collection: index\n"
           "embedder: {model: " + test_model_dir("bert-mean").string() + "}\n" +
           "reranker: {model: " + test_model_dir("cross-encoder").string() + "}\n" +
           "retrievers: {bm25: {type: bm25}, dense: {type: dense}}\n"
           "default_retriever: bm25\n"
           "pipelines: {faq: {type: rag_qa}, other: {type: rag_qa, retriever: bm25}, hold: {type: test_hold}}\n"
           "default_pipeline: faq\n";
  }

  void write_config(const std::string& yaml) {
    std::ofstream(dir_ / "ragrt.yaml.tmp") << yaml;
    fs::rename(dir_ / "ragrt.yaml.tmp", dir_ / "ragrt.yaml");
  }

  // Indexes the docs, then serves `base_config() + extra` on a free port.
  void start(const std::string& extra = "") { start_config(base_config() + extra); }
  // base_config() with its pipelines replaced by `pipelines` (a YAML line), then `extra`.
  void start_with_pipelines(const std::string& pipelines, const std::string& extra) {
    std::string yaml = base_config();
    const size_t at = yaml.find("pipelines:");
    yaml.replace(at, yaml.find('\n', at) + 1 - at, pipelines);
    start_config(yaml + extra);
  }
  void start_config(const std::string& yaml) {
    write_config(yaml);
    {
      auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), /*writer=*/true);
      ASSERT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
    }
    live_ = std::make_shared<LiveGraph>(LiveGraphParams{.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(10)});
    ServerParams params = ServerParams::from_config(live_->current()->config());
    params.port = 0;
    server_ = std::make_unique<Server>(params, live_);
    port_ = server_->start();
    ASSERT_GT(port_, 0);
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }

  static Response to_response(const httplib::Result& r) {
    Response out;
    if (!r) {
      ADD_FAILURE() << "request failed: " << httplib::to_string(r.error());
      return out;
    }
    out.status = r->status;
    out.text = r->body;
    out.content_type = r->get_header_value("Content-Type");
    if (out.content_type.rfind("application/json", 0) == 0) out.body = json::parse(r->body);
    return out;
  }

  Response post(const std::string& path, const std::string& body, const std::string& key = "") const {
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    return to_response(client().Post(path, headers, body, "application/json"));
  }
  Response post(const std::string& path, const json& body, const std::string& key = "") const {
    return post(path, body.dump(), key);
  }
  Response get(const std::string& path, const std::string& key = "") const {
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    return to_response(client().Get(path, headers));
  }

  static json chat(const std::string& question, const std::string& model = "default", bool stream = false) {
    json body = {{"model", model}, {"messages", json::array({{{"role", "user"}, {"content", question}}})}};
    if (stream) body["stream"] = true;
    return body;
  }

  // The `data:` payloads of a server-sent event stream, in order.
  static std::vector<std::string> events(const std::string& stream) {
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = stream.find("data: ", pos)) != std::string::npos) {
      const size_t end = stream.find("\n\n", pos);
      out.push_back(stream.substr(pos + 6, end - pos - 6));
      pos = end;
    }
    return out;
  }

  // Polls until `done` holds (at most 30 s): hot reload happens on the watcher's schedule.
  template <typename Fn>
  static bool eventually(Fn done) {
    for (int i = 0; i < 3000; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }

  fs::path dir_;
  std::shared_ptr<LiveGraph> live_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

void expect_error(const Response& r, int status, const std::string& param, const std::string& message_part) {
  EXPECT_EQ(r.status, status) << r.text;
  ASSERT_TRUE(r.body.contains("error")) << r.text;
  const json& e = r.body["error"];
  EXPECT_THAT(e.value("message", ""), HasSubstr(message_part)) << r.text;
  EXPECT_TRUE(e.contains("type") && e.contains("param") && e.contains("code")) << r.text;
  if (!param.empty()) EXPECT_EQ(e["param"], param) << r.text;
}

TEST_F(ServerTest, ChatAnswersWithCitationsUsageAndAStoredTrace) {
  start();
  const Response r = post("/v1/chat/completions", chat("How long does standard delivery take?"));
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["object"], "chat.completion");
  EXPECT_EQ(r.body["model"], "default");
  EXPECT_THAT(r.body["id"].get<std::string>(), ::testing::StartsWith("chatcmpl-"));
  const json& choice = r.body["choices"][0];
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_THAT(choice["message"]["content"].get<std::string>(), HasSubstr("three to five"));
  EXPECT_EQ(choice["finish_reason"], "stop");
  // The extractive generator's usage is estimated; WithTheSyntheticLlm… checks tokenizer counts.
  const json& usage = r.body["usage"];
  EXPECT_GT(usage["prompt_tokens"].get<size_t>(), 50u);  // the passages are part of the prompt
  EXPECT_GT(usage["completion_tokens"].get<size_t>(), 0u);
  EXPECT_EQ(usage["total_tokens"].get<size_t>(),
            usage["prompt_tokens"].get<size_t>() + usage["completion_tokens"].get<size_t>());
  ASSERT_FALSE(r.body["citations"].empty()) << r.text;
  EXPECT_THAT(r.body["citations"][0]["source"].get<std::string>(), HasSubstr("shipping"));
  EXPECT_THAT(r.body["citations"][0]["text"].get<std::string>(), HasSubstr("Standard delivery"));

  const std::string trace_id = r.body["trace_id"];
  ASSERT_EQ(trace_id.size(), 32u);
  const Response trace = get("/v1/traces/" + trace_id);
  ASSERT_EQ(trace.status, 200) << trace.text;
  EXPECT_EQ(trace.body["trace_id"], trace_id);
  EXPECT_EQ(trace.body["root"]["attributes"]["pipeline"], "faq");
  expect_error(get("/v1/traces/0123456789abcdef"), 404, "id", "no trace");
  expect_error(get("/v1/traces/not-hex"), 400, "id", "hex");
}

TEST_F(ServerTest, StreamedChunksConcatenateToTheWholeAnswer) {
  start();
  const Response whole = post("/v1/chat/completions", chat("How long do refunds take?", "other"));
  ASSERT_EQ(whole.status, 200) << whole.text;
  const Response streamed = post("/v1/chat/completions", chat("How long do refunds take?", "other", true));
  ASSERT_EQ(streamed.status, 200) << streamed.text;
  EXPECT_THAT(streamed.content_type, HasSubstr("text/event-stream"));
  const std::vector<std::string> ev = events(streamed.text);
  ASSERT_GE(ev.size(), 4u) << streamed.text;
  EXPECT_EQ(ev.back(), "[DONE]");
  std::string text;
  std::string finish;
  json last;
  size_t content_chunks = 0;
  for (size_t i = 0; i + 1 < ev.size(); ++i) {
    const json chunk = json::parse(ev[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    EXPECT_EQ(chunk["model"], "other");
    if (!chunk["choices"].empty()) {
      const json& c = chunk["choices"][0];
      if (c["delta"].contains("content") && !c["delta"]["content"].get<std::string>().empty()) {
        text += c["delta"]["content"].get<std::string>();
        ++content_chunks;
      }
      if (!c["finish_reason"].is_null()) finish = c["finish_reason"];
    }
    last = chunk;
  }
  EXPECT_GE(content_chunks, 1u);
  EXPECT_EQ(text, whole.body["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(finish, "stop");
  // The last chunk before [DONE] carries the ragrt extensions and usage.
  EXPECT_TRUE(last["choices"].empty());
  EXPECT_EQ(last["citations"], whole.body["citations"]);
  EXPECT_EQ(last["trace_id"].get<std::string>().size(), 32u);
  EXPECT_NE(last["trace_id"], whole.body["trace_id"]);
  EXPECT_TRUE(last["usage"].contains("total_tokens"));
}

// A local decoder LLM (the synthetic one, random weights): usage counts its tokens, max_tokens
// bounds the answer, and greedy decoding streams the same text it answers whole.
TEST_F(ServerTest, WithTheSyntheticLlmUsageCountsTokensAndStreamsTheSameText) {
  start("generator: {type: onnx, model: " + test_model_dir("llama-tiny").string() + "}\n");
  json question = chat("How long do refunds take?");
  question["max_tokens"] = 6;
  question["temperature"] = 0;
  const Response whole = post("/v1/chat/completions", question);
  ASSERT_EQ(whole.status, 200) << whole.text;
  const json& usage = whole.body["usage"];
  EXPECT_GT(usage["prompt_tokens"].get<size_t>(), 0u);
  EXPECT_GT(usage["completion_tokens"].get<size_t>(), 0u);
  EXPECT_LE(usage["completion_tokens"].get<size_t>(), 6u);
  EXPECT_EQ(usage["total_tokens"].get<size_t>(),
            usage["prompt_tokens"].get<size_t>() + usage["completion_tokens"].get<size_t>());

  question["stream"] = true;
  const Response streamed = post("/v1/chat/completions", question);
  ASSERT_EQ(streamed.status, 200) << streamed.text;
  std::string text;
  json last;
  for (const std::string& e : events(streamed.text)) {
    if (e == "[DONE]") break;
    last = json::parse(e);
    if (!last["choices"].empty()) text += last["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(text, whole.body["choices"][0]["message"]["content"].get<std::string>());
  EXPECT_EQ(last["usage"], whole.body["usage"]);
  const std::string metrics = get("/metrics").text;
  EXPECT_THAT(metrics, ::testing::ContainsRegex("ragrt_tokens_total\\{kind=\"completion\"\\} [1-9]"));
  // Both requests ran alone: every decode step had a batch of one.
  EXPECT_THAT(metrics, ::testing::ContainsRegex("ragrt_engine_batch_size_bucket\\{le=\"1\"\\} [1-9]"));
  EXPECT_THAT(metrics, ::testing::ContainsRegex("ragrt_engine_batch_size_count [1-9]"));
  EXPECT_THAT(metrics, HasSubstr("# TYPE ragrt_engine_active_sequences gauge\n"));
}

TEST_F(ServerTest, ModelsAreThePipelinesPlusDefault) {
  start();
  const Response models = get("/v1/models");
  ASSERT_EQ(models.status, 200) << models.text;
  std::vector<std::string> ids;
  for (const auto& m : models.body["data"]) ids.push_back(m["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"default", "faq", "hold", "other"}));
  EXPECT_EQ(models.body["data"][0]["pipeline"], "faq");

  const Response unknown = post("/v1/chat/completions", chat("hi", "gpt-4o"));
  expect_error(unknown, 404, "model", "model 'gpt-4o' does not exist");
  EXPECT_EQ(unknown.body["error"]["code"], "model_not_found");
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?", "faq")).status, 200);
  expect_error(get("/v1/nothing"), 404, "", "no such endpoint");
}

TEST_F(ServerTest, EmbeddingsRerankAndRetrieveHaveTheirApisShapes) {
  start();
  const Response one = post("/v1/embeddings", json{{"model", "any"}, {"input", "refunds"}});
  ASSERT_EQ(one.status, 200) << one.text;
  EXPECT_EQ(one.body["object"], "list");
  ASSERT_EQ(one.body["data"].size(), 1u);
  EXPECT_EQ(one.body["data"][0]["object"], "embedding");
  const size_t dim = one.body["data"][0]["embedding"].size();
  EXPECT_GT(dim, 0u);
  EXPECT_GT(one.body["usage"]["prompt_tokens"].get<size_t>(), 0u);

  const Response many = post("/v1/embeddings", json{{"model", "any"}, {"input", {"refunds", "delivery"}}, {"encoding_format", "base64"}});
  ASSERT_EQ(many.status, 200) << many.text;
  ASSERT_EQ(many.body["data"].size(), 2u);
  EXPECT_EQ(many.body["data"][1]["index"], 1);
  // base64 of dim little-endian floats.
  EXPECT_EQ(many.body["data"][0]["embedding"].get<std::string>().size(), 4 * ((dim * 4 + 2) / 3));
  expect_error(post("/v1/embeddings", json{{"model", "any"}, {"input", {"ok", 3}}}), 400, "input[1]", "must be a string");

  const Response rr = post("/v1/rerank", json{{"query", "how long do refunds take"},
                                              {"documents", {"Express delivery takes one day.", "Refunds are paid within five days."}},
                                              {"return_documents", true}});
  ASSERT_EQ(rr.status, 200) << rr.text;
  ASSERT_EQ(rr.body["results"].size(), 2u);
  EXPECT_GE(rr.body["results"][0]["relevance_score"].get<double>(), rr.body["results"][1]["relevance_score"].get<double>());
  std::set<int> indexes = {rr.body["results"][0]["index"].get<int>(), rr.body["results"][1]["index"].get<int>()};
  EXPECT_EQ(indexes, (std::set<int>{0, 1}));
  EXPECT_TRUE(rr.body["results"][0]["document"].contains("text"));
  const Response top1 = post("/v1/rerank", json{{"query", "q"}, {"documents", {"a", "b", "c"}}, {"top_n", 1}});
  ASSERT_EQ(top1.status, 200) << top1.text;
  EXPECT_EQ(top1.body["results"].size(), 1u);
  EXPECT_FALSE(top1.body["results"][0].contains("document"));

  const Response hits = post("/v1/retrieve", json{{"query", "standard delivery"}, {"top_k", 1}});
  ASSERT_EQ(hits.status, 200) << hits.text;
  EXPECT_EQ(hits.body["retriever"], "bm25");
  ASSERT_EQ(hits.body["hits"].size(), 1u);
  const json& h = hits.body["hits"][0];
  EXPECT_THAT(h["text"].get<std::string>(), HasSubstr("Standard delivery"));
  EXPECT_THAT(h["source"].get<std::string>(), HasSubstr("shipping.txt"));
  for (const char* k : {"section", "page", "begin", "end", "score", "doc_id", "chunk_id"}) EXPECT_TRUE(h.contains(k)) << k;
  EXPECT_EQ(post("/v1/retrieve", json{{"query", "refunds"}, {"retriever", "dense"}}).status, 200);
  expect_error(post("/v1/retrieve", json{{"query", "x"}, {"retriever", "nope"}}), 400, "retriever", "no retriever 'nope'");
}

TEST_F(ServerTest, WithoutAnEmbedderEmbeddingsSayWhatIsMissing) {
  write_config("collection: index\nretrievers: {bm25: {type: bm25}}\n");
  {
    auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), true);
    index_paths(*kb, {dir_ / "docs"});
  }
  live_ = std::make_shared<LiveGraph>(LiveGraphParams{.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(0)});
  ServerParams params;
  params.port = 0;
  server_ = std::make_unique<Server>(params, live_);
  port_ = server_->start();
  // 400 (what to change is the config), not a 5xx that SDKs retry.
  expect_error(post("/v1/embeddings", json{{"model", "m"}, {"input", "x"}}), 400, "", "no embedder: add an `embedder:` section");
  expect_error(post("/v1/rerank", json{{"query", "q"}, {"documents", {"a"}}}), 400, "", "no reranker: add a `reranker:` section");
}

// What the openai SDK, LangChain, LlamaIndex, Open WebUI and LobeChat send by default is served;
// what would change the output in a way this server cannot honour is a 400 that says so.
TEST_F(ServerTest, TheFieldsOpenAIClientsSendByDefaultAreAccepted) {
  start();
  json body = chat("How long do refunds take?");
  body.update({{"frequency_penalty", 0}, {"presence_penalty", 0}, {"logprobs", false}, {"n", 1},
               {"response_format", {{"type", "text"}}}, {"store", false}, {"metadata", {{"app", "x"}}},
               {"logit_bias", json::object()}, {"top_p", 1}, {"user", "u-1"}, {"service_tier", "auto"},
               {"stream_options", nullptr}, {"top_logprobs", nullptr}, {"modalities", {"text"}},
               {"reasoning_effort", "low"}, {"prompt_cache_key", "k"}, {"safety_identifier", "s"},
               {"parallel_tool_calls", true}});
  const Response r = post("/v1/chat/completions", body);
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_THAT(r.body["choices"][0]["message"]["content"].get<std::string>(), HasSubstr("five working days"));

  auto with = [&](json extra) {
    json b = chat("hi");
    b.update(extra);
    return post("/v1/chat/completions", b);
  };
  expect_error(with({{"n", 2}}), 400, "n", "one choice per request");
  expect_error(with({{"logprobs", true}}), 400, "logprobs", "not returned by this server yet");
  expect_error(with({{"response_format", {{"type", "json_object"}}}}), 400, "response_format.type", "not supported");
  expect_error(with({{"logit_bias", {{"abc", 1}}}}), 400, "logit_bias.abc", "token ids");
  expect_error(with({{"logit_bias", {{"42", 200}}}}), 400, "logit_bias.42", "from -100 to 100");
  expect_error(with({{"frequency_penalty", 3}}), 400, "frequency_penalty", "");
  expect_error(with({{"functions", json::array()}}), 400, "functions", "send 'tools'");
  expect_error(with({{"modalities", {"text", "audio"}}}), 400, "modalities", "text only");
  expect_error(with({{"logprob", false}}), 400, "logprob", "unknown field 'logprob'");
}

TEST_F(ServerTest, BadRequestsAre400sNamingTheField) {
  start();
  expect_error(post("/v1/chat/completions", std::string("{\"model\": \"default\", \"messages\": [")), 400, "messages[0]",
               "malformed JSON");
  expect_error(post("/v1/chat/completions", std::string("")), 400, "", "empty");
  json hot = chat("hi");
  hot["temperature"] = "hot";
  expect_error(post("/v1/chat/completions", hot), 400, "temperature", "'temperature' must be a number");
  json typo = chat("hi");
  typo["temprature"] = 0.5;
  expect_error(post("/v1/chat/completions", typo), 400, "temprature", "unknown field 'temprature'");
  json role = chat("hi");
  role["messages"][0]["role"] = "robot";
  expect_error(post("/v1/chat/completions", role), 400, "messages[0].role", "must be one of");
  json no_content = chat("hi");
  no_content["messages"][0].erase("content");
  expect_error(post("/v1/chat/completions", no_content), 400, "messages[0].content", "missing");
  expect_error(post("/v1/chat/completions", json{{"model", "default"}}), 400, "messages", "missing");
  expect_error(post("/v1/chat/completions", json{{"messages", chat("x")["messages"]}}), 400, "model", "missing");
  json negative = chat("hi");
  negative["max_tokens"] = -1;
  expect_error(post("/v1/chat/completions", negative), 400, "max_tokens", "'max_tokens' must be between 1 and 1000000, got -1");
  json stop = chat("hi");
  stop["stop"] = {"ok", 5};
  expect_error(post("/v1/chat/completions", stop), 400, "stop[1]", "'stop[1]' must be a string, got a number");
  json two = chat("hi");
  two["n"] = 2;
  expect_error(post("/v1/chat/completions", two), 400, "n", "n > 1 is not supported yet");
  // A byte that is not UTF-8 inside the second message's content.
  const std::string bad_utf8 =
      "{\"model\": \"default\", \"messages\": [{\"role\": \"system\", \"content\": \"ok\"}, "
      "{\"role\": \"user\", \"content\": \"caf\xe9 au lait\"}]}";
  const Response r = post("/v1/chat/completions", bad_utf8);
  expect_error(r, 400, "messages[1].content", "UTF-8");
  EXPECT_EQ(post("/v1/chat/completions", std::string("[1, 2]")).body["error"]["message"],
            "the request body must be a JSON object, got an array");
}

TEST_F(ServerTest, ApiKeysAreCheckedAndLimitedPerKey) {
  start(fmt::format("server:\n  api_keys:\n"
                    "    - {{name: limited, sha256: {}, requests_per_minute: 3}}\n"
                    "    - {{name: streams, sha256: {}, max_concurrent_streams: 1}}\n",
                    sha256_hex("key-one"), sha256_hex("key-two")));
  const json question = chat("How long do refunds take?");
  const Response none = post("/v1/chat/completions", question);
  expect_error(none, 401, "", "missing API key");
  EXPECT_EQ(none.body["error"]["type"], "authentication_error");
  expect_error(post("/v1/chat/completions", question, "key-three"), 401, "", "invalid API key");
  expect_error(get("/v1/models"), 401, "", "API key");
  EXPECT_EQ(get("/healthz").status, 200);  // probes need no key
  EXPECT_EQ(get("/readyz").status, 200);

  for (int i = 0; i < 3; ++i) EXPECT_EQ(post("/v1/chat/completions", question, "key-one").status, 200) << i;
  const Response over = post("/v1/chat/completions", question, "key-one");
  expect_error(over, 429, "", "3 requests per minute");
  EXPECT_EQ(over.body["error"]["code"], "rate_limit_exceeded");
  EXPECT_EQ(post("/v1/chat/completions", question, "key-two").status, 200);  // limits are per key

  // One stream open (held by the test pipeline): a second one from the same key is refused.
  std::thread first([&] { EXPECT_EQ(post("/v1/chat/completions", chat("x", "hold", true), "key-two").status, 200); });
  ASSERT_TRUE(hold().wait_entered(1));
  const Response second = post("/v1/chat/completions", chat("y", "hold", true), "key-two");
  expect_error(second, 429, "", "max_concurrent_streams");
  EXPECT_EQ(second.body["error"]["code"], "stream_limit_exceeded");
  EXPECT_EQ(post("/v1/chat/completions", question, "key-two").status, 200);  // not a stream
  hold().release();
  first.join();
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?", "default", true), "key-two").status, 200);
}

// API keys follow the config file: a rotated key works at once, the removed one is refused, and a
// key kept across the reload keeps its spent budget. What the listener was built with (here the
// port) is reported as waiting for a restart; a section that does not parse keeps the previous one.
TEST_F(ServerTest, ReloadedKeysAndLimitsApplyWithoutARestart) {
  const std::string kept = fmt::format("    - {{name: kept, sha256: {}, requests_per_minute: 2}}\n", sha256_hex("key-kept"));
  start("server:\n  api_keys:\n" + kept + fmt::format("    - {{name: old, sha256: {}}}\n", sha256_hex("key-old")));
  const json question = chat("How long do refunds take?");
  EXPECT_EQ(post("/v1/chat/completions", question, "key-old").status, 200);
  EXPECT_EQ(post("/v1/chat/completions", question, "key-kept").status, 200);
  EXPECT_EQ(post("/v1/chat/completions", question, "key-kept").status, 200);
  expect_error(post("/v1/chat/completions", question, "key-kept"), 429, "", "2 requests per minute");

  write_config(base_config() + "server:\n  port: 9\n  api_keys:\n" + kept +
               fmt::format("    - {{name: new, sha256: {}}}\n", sha256_hex("key-new")));
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("reloads", 0) == 1; }));
  expect_error(post("/v1/chat/completions", question, "key-old"), 401, "", "invalid API key");
  EXPECT_EQ(post("/v1/chat/completions", question, "key-new").status, 200);
  expect_error(post("/v1/chat/completions", question, "key-kept"), 429, "", "2 requests per minute");
  EXPECT_EQ(get("/readyz").body["server_section"], "in force; restart to apply server.port");

  write_config(base_config() + "server:\n  max_messages: 0\n");
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("reloads", 0) == 2; }));
  const std::string section = get("/readyz").body["server_section"];
  EXPECT_THAT(section, HasSubstr("not applied (the previous one is in force)"));
  EXPECT_THAT(section, HasSubstr("server.max_messages"));
  EXPECT_EQ(post("/v1/chat/completions", question, "key-new").status, 200);
  expect_error(post("/v1/chat/completions", question), 401, "", "missing API key");
}

TEST_F(ServerTest, AKeyLimitedToSomePipelinesGets403ForOthers) {
  start(fmt::format("server:\n  api_keys:\n    - {{name: faq-only, sha256: {}, models: [faq]}}\n", sha256_hex("key-faq")));
  const json question = chat("How long do refunds take?");
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?", "faq"), "key-faq").status, 200);
  EXPECT_EQ(post("/v1/chat/completions", question, "key-faq").status, 200);  // default is faq
  const Response other = post("/v1/chat/completions", chat("How long do refunds take?", "other"), "key-faq");
  expect_error(other, 403, "model", "key 'faq-only' may not use model 'other' (it may use: faq)");
  EXPECT_EQ(other.body["error"]["type"], "permission_error");
}

TEST_F(ServerTest, BodiesOverTheLimitAre413) {
  start("server: {max_body_bytes: 2000, max_messages: 2, max_prompt_tokens: 50}\n");
  json big = chat(std::string(3000, 'a'));
  const Response r = post("/v1/chat/completions", big);
  expect_error(r, 413, "", "max_body_bytes");
  json many = chat("hi");
  for (int i = 0; i < 2; ++i) many["messages"].push_back({{"role", "user"}, {"content", "again"}});
  expect_error(post("/v1/chat/completions", many), 400, "messages", "at most 2");
  std::string long_question;
  for (int i = 0; i < 60; ++i) long_question += "word ";
  expect_error(post("/v1/chat/completions", chat(long_question)), 400, "messages", "at most 50 (server.max_prompt_tokens)");
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).status, 200);
}

TEST_F(ServerTest, AFullQueueAnswers429AndQueuedRequestsRunLater) {
  start("server: {max_concurrent: 1, max_queue: 1}\n");
  Response a, b;
  std::thread running([&] { a = post("/v1/chat/completions", chat("first", "hold")); });
  ASSERT_TRUE(hold().wait_entered(1));
  std::thread queued([&] { b = post("/v1/chat/completions", chat("second", "hold")); });
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("queued", 0) == 1; }));
  const Response full = post("/v1/chat/completions", chat("third", "hold"));
  expect_error(full, 429, "", "busy");
  EXPECT_EQ(full.body["error"]["code"], "queue_full");
  hold().release();
  running.join();
  queued.join();
  EXPECT_EQ(a.status, 200) << a.text;
  EXPECT_EQ(b.status, 200) << b.text;
  EXPECT_EQ(a.body["choices"][0]["message"]["content"], "released");
  EXPECT_EQ(hold().entered, 2);
}

TEST_F(ServerTest, AClientThatLeavesCancelsItsGeneration) {
  start();
  std::string received;
  httplib::Client c = client();
  httplib::Request request;
  request.method = "POST";
  request.path = "/v1/chat/completions";
  request.headers = {{"Content-Type", "application/json"}};
  request.body = chat("x", "hold", true).dump();
  // The client reads until the first text arrives and then hangs up.
  request.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    received.append(data, n);
    return received.find("holding") == std::string::npos;
  };
  c.send(request);
  EXPECT_THAT(received, HasSubstr("holding"));
  EXPECT_TRUE(hold().wait_cancelled(1)) << "the generation was not cancelled";
}

// Without a stream there is nothing to write until the answer is ready: the server watches the
// connection instead, and a client that gives up cancels the generation within a poll.
TEST_F(ServerTest, AClientThatLeavesANonStreamingRequestCancelsItsGeneration) {
  start();
  {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(0, 300'000);  // gives up after 0.3 s and closes the connection
    const auto r = c.Post("/v1/chat/completions", chat("x", "hold").dump(), "application/json");
    EXPECT_FALSE(r);
  }
  EXPECT_TRUE(hold().wait_cancelled(1)) << "the generation was not cancelled";
  // Counted once the pipeline has returned, which is just after it saw the cancellation.
  EXPECT_TRUE(eventually([&] { return get("/metrics").text.find("client_left") != std::string::npos; }));
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).status, 200);
}

TEST_F(ServerTest, ARequestPastItsTimeoutIs504) {
  start("server: {request_timeout_s: 0.3}\n");
  const Response r = post("/v1/chat/completions", chat("x", "hold"));
  expect_error(r, 504, "", "request_timeout_s");
  EXPECT_EQ(hold().cancelled, 1);
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).status, 200);
}

TEST_F(ServerTest, HotReloadIsReportedAndABadEditKeepsServing) {
  start();
  const Response before = get("/readyz");
  ASSERT_EQ(before.status, 200) << before.text;
  EXPECT_EQ(before.body["status"], "ready");
  const std::string v1 = before.body["config_version"];
  EXPECT_EQ(before.body["reloads"], 0);

  write_config(base_config() + "generator: {max_sentences: 1}\n");
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("reloads", 0) == 1; }));
  const Response after = get("/readyz");
  EXPECT_NE(after.body["config_version"], v1);
  EXPECT_EQ(after.body["last_error"], "");
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).body["system_fingerprint"],
            after.body["config_version"]);

  write_config(base_config() + "generator: {max_sentencs: 1}\n");
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("failures", 0) == 1; }));
  const Response bad = get("/readyz");
  EXPECT_EQ(bad.status, 200);
  EXPECT_THAT(bad.body["last_error"].get<std::string>(), HasSubstr("ragrt.yaml:8:"));
  EXPECT_THAT(bad.body["last_error"].get<std::string>(), HasSubstr("max_sentencs"));
  EXPECT_EQ(bad.body["config_version"], after.body["config_version"]);
  const Response still = post("/v1/chat/completions", chat("How long do refunds take?"));
  EXPECT_EQ(still.status, 200) << still.text;
  EXPECT_THAT(still.body["choices"][0]["message"]["content"].get<std::string>(), HasSubstr("five working days"));

  EXPECT_EQ(bad.body["server_section"], "in force");

  // The `server:` section's request limits follow the file.
  write_config(base_config() + "generator: {max_sentences: 1}\nserver: {max_messages: 1}\n");
  ASSERT_TRUE(eventually([&] { return get("/readyz").body.value("reloads", 0) == 2; }));
  EXPECT_EQ(get("/readyz").body["server_section"], "in force");
  json two_messages = chat("How long do refunds take?");
  two_messages["messages"].insert(two_messages["messages"].begin(), json{{"role", "system"}, {"content", "Be brief."}});
  expect_error(post("/v1/chat/completions", two_messages), 400, "messages", "server.max_messages");
  EXPECT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).status, 200);

  const std::string metrics = get("/metrics").text;
  EXPECT_THAT(metrics, HasSubstr("ragrt_config_reloads_total 2\n"));
  EXPECT_THAT(metrics, HasSubstr("ragrt_config_reload_failures_total 1\n"));
}

// Uploads go through POST /v1/documents: multipart, parts named "file".
Response upload(httplib::Client& c, const std::vector<std::pair<std::string, std::string>>& files) {
  httplib::MultipartFormDataItems items;
  for (const auto& [name, content] : files) items.push_back({"file", content, name, "text/plain"});
  auto r = c.Post("/v1/documents", items);
  Response out;
  if (!r) return out;
  out.status = r->status;
  out.text = r->body;
  out.body = json::parse(r->body, nullptr, false);
  return out;
}

TEST_F(ServerTest, UploadedDocumentsAreIndexedInTheBackgroundAndCanBeDeleted) {
  start();
  auto c = client();
  const Response accepted = upload(c, {{"returns.txt", "Returns are free within thirty days of delivery."},
                                       {"notes.bin", std::string("\x00\x01\x02", 3)}});
  ASSERT_EQ(accepted.status, 202) << accepted.text;
  const std::string id = accepted.body["id"];
  EXPECT_EQ(accepted.body["files"], json({"returns.txt", "notes.bin"}));
  json job;
  ASSERT_TRUE(eventually([&] {
    job = get("/v1/jobs/" + id).body;
    return job["status"] == "succeeded" || job["status"] == "failed";
  })) << job.dump();
  EXPECT_EQ(job["status"], "succeeded") << job.dump();
  EXPECT_EQ(job["files_total"], 2);
  EXPECT_EQ(job["files_done"], 2);
  EXPECT_EQ(job["documents"], 1);
  ASSERT_EQ(job["errors"].size(), 1u) << job.dump();  // the .bin file: no loader for it
  EXPECT_EQ(job["errors"][0]["file"], "notes.bin");

  // The serving graph sees the new document in both indexes without a restart or reload.
  for (const char* retriever : {"bm25", "dense"}) {
    const Response r = post("/v1/retrieve", json{{"query", "Returns are free within thirty days of delivery."},
                                                 {"retriever", retriever}, {"top_k", 1}});
    ASSERT_EQ(r.status, 200) << r.text;
    ASSERT_EQ(r.body["hits"].size(), 1u) << retriever << r.text;
    EXPECT_EQ(r.body["hits"][0]["doc_id"], "returns.txt") << retriever << r.text;
  }
  const Response answer = post("/v1/chat/completions", chat("Are returns free?"));
  EXPECT_THAT(answer.body["choices"][0]["message"]["content"].get<std::string>(), HasSubstr("thirty days"));

  const auto removed = to_response(c.Delete("/v1/documents/returns.txt"));
  ASSERT_EQ(removed.status, 200) << removed.text;
  EXPECT_EQ(removed.body["documents"], json({"returns.txt"}));
  const Response after = post("/v1/retrieve", json{{"query", "thirty days"}, {"retriever", "bm25"}});
  for (const auto& hit : after.body["hits"]) EXPECT_NE(hit["doc_id"], "returns.txt");
  EXPECT_FALSE(fs::exists(dir_ / "index" / "uploads" / "returns.txt"));
  expect_error(to_response(c.Delete("/v1/documents/returns.txt")), 404, "id", "no document 'returns.txt'");
  expect_error(get("/v1/jobs/job-0000000000000000"), 404, "id", "no job");
}

TEST_F(ServerTest, BadUploadsAre400sAndTooLargeOnes413) {
  start("server: {max_upload_bytes: 1000, max_body_bytes: 600}\n");
  auto c = client();
  expect_error(post("/v1/documents", json{{"file", "x"}}), 400, "file", "multipart/form-data");
  const Response dots = upload(c, {{"..", "x"}});
  EXPECT_EQ(dots.status, 400) << dots.text;
  const Response big = upload(c, {{"big.txt", std::string(5000, 'a')}});
  EXPECT_EQ(big.status, 413) << big.text;
  EXPECT_THAT(big.text, HasSubstr("server.max_upload_bytes"));
  // The chat routes keep their own, smaller limit.
  const Response chat_big = post("/v1/chat/completions", std::string(800, ' '));
  EXPECT_EQ(chat_big.status, 413) << chat_big.text;
  EXPECT_THAT(chat_big.text, HasSubstr("server.max_body_bytes"));
}

TEST_F(ServerTest, ThePageIsServedWithoutAKey) {
  start("server: {api_keys: [{name: t, sha256: " + sha256_hex("secret-key") + "}]}\n");
  const Response page = get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.content_type, HasSubstr("text/html"));
  EXPECT_THAT(page.text, HasSubstr("<title>ragrt</title>"));
  EXPECT_THAT(page.text, HasSubstr("/v1/chat/completions"));
  EXPECT_EQ(get("/v1/models").status, 401);  // the API behind it still needs one
  EXPECT_EQ(get("/v1/models", "secret-key").status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsTokensAndRejections) {
  start("server: {max_body_bytes: 5000}\n");
  ASSERT_EQ(post("/v1/chat/completions", chat("How long do refunds take?")).status, 200);
  ASSERT_EQ(post("/v1/chat/completions", chat("How long do refunds take?", "default", true)).status, 200);
  ASSERT_EQ(post("/v1/chat/completions", chat("x", "nope")).status, 404);
  ASSERT_EQ(post("/v1/chat/completions", chat(std::string(6000, 'a'))).status, 413);
  // A request is counted once its response is written, which may be just after the client has it.
  const std::vector<std::string> counted = {
      "ragrt_http_requests_total{route=\"/v1/chat/completions\",status=\"200\"} 2\n",
      "ragrt_http_requests_total{route=\"/v1/chat/completions\",status=\"404\"} 1\n",
      "ragrt_http_requests_total{route=\"/v1/chat/completions\",status=\"413\"} 1\n",
      "ragrt_http_request_duration_seconds_count{route=\"/v1/chat/completions\"} 4\n"};
  Response m;
  const bool all_counted = eventually([&] {
    m = get("/metrics");
    for (const auto& line : counted)
      if (m.text.find(line) == std::string::npos) return false;
    return true;
  });
  for (const auto& line : counted) EXPECT_THAT(m.text, HasSubstr(line));
  ASSERT_TRUE(all_counted);
  ASSERT_EQ(m.status, 200);
  EXPECT_THAT(m.content_type, HasSubstr("text/plain"));
  EXPECT_THAT(m.text, HasSubstr("ragrt_time_to_first_token_seconds_count 2\n"));
  // The extractive generator's usage is an estimate: not counted as model tokens.
  EXPECT_THAT(m.text, HasSubstr("ragrt_tokens_total{kind=\"completion\"} 0\n"));
  EXPECT_THAT(m.text, HasSubstr("ragrt_requests_in_flight 0\n"));
  EXPECT_THAT(m.text, HasSubstr("ragrt_queue_depth 0\n"));
}

// Memory follows a conversation (`session` or X-Session-Id), never OpenAI's `user` (a person);
// a client that sends its own history gets that history, not server memory added to it.
TEST_F(ServerTest, MemoryIsKeptPerConversationNotPerUser) {
  start("memory: {type: sqlite, path: memory.sqlite, max_tokens: 2000}\n");
  auto history_of = [&](const Response& r) {
    const Response t = get("/v1/traces/" + r.body["trace_id"].get<std::string>());
    for (const auto& span : t.body["root"]["children"])
      if (span["name"] == "prompt") return span["attributes"]["history_messages"].get<int>();
    ADD_FAILURE() << t.text;
    return -1;
  };
  json by_user = chat("How long does standard delivery take?");
  by_user["user"] = "alice";
  ASSERT_EQ(post("/v1/chat/completions", by_user).status, 200);
  const Response again = post("/v1/chat/completions", by_user);
  EXPECT_EQ(history_of(again), 0);
  EXPECT_EQ(get("/v1/traces/" + again.body["trace_id"].get<std::string>()).body["root"]["attributes"]["user"], "alice");

  httplib::Headers session = {{"X-Session-Id", "conversation-1"}};
  ASSERT_EQ(to_response(client().Post("/v1/chat/completions", session, chat("How long does standard delivery take?").dump(),
                                      "application/json")).status, 200);
  const Response second = to_response(
      client().Post("/v1/chat/completions", session, chat("And refunds?").dump(), "application/json"));
  ASSERT_EQ(second.status, 200) << second.text;
  EXPECT_EQ(history_of(second), 2);

  // The client sends the conversation itself: its two earlier messages, not four.
  json own = {{"model", "default"}, {"session", "conversation-1"},
              {"messages", json::array({{{"role", "user"}, {"content", "How long does standard delivery take?"}},
                                        {{"role", "assistant"}, {"content", "Three to five business days."}},
                                        {{"role", "user"}, {"content", "And refunds?"}}})}};
  EXPECT_EQ(history_of(post("/v1/chat/completions", own)), 2);
  expect_error(to_response(client().Post("/v1/chat/completions", httplib::Headers{{"X-Session-Id", "bad id!"}},
                                         chat("hi").dump(), "application/json")),
               400, "", "session");
}

// The default logger's lines while it lives (the server's threads log there too).
class CapturedLog {
 public:
  CapturedLog() : before_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(before_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> before_;
};

// A tool whose service is down: the customer is told so, and the operator sees it in /metrics,
// /readyz (after degraded_after failures), the access log, the log and GET /v1/traces.
TEST_F(ServerTest, AFailingToolIsCountedLoggedAndShownDegraded) {
  CapturedLog log;
  start_with_pipelines("pipelines: {faq: {type: rag_qa}, support: {type: agent, route: {order_status: [order]}}}\n",
                       fmt::format(R"(tools:
  order_status:
    type: http
    description: "Order status by its 5-digit number."
    parameters: {{type: object, properties: {{order_id: {{type: string, pattern: "^[0-9]{{5}}$"}}}}, required: [order_id]}}
    url: "http://127.0.0.1:{}/orders/{{order_id}}"
    allow_hosts: ["127.0.0.1"]
    timeout_s: 1
    retries: 0
    degraded_after: 2
)", testing::unused_loopback_port()));
  Response first = post("/v1/chat/completions", chat("Where is my order 12345?", "support"));
  ASSERT_EQ(first.status, 200) << first.text;
  const std::string answer = first.body["choices"][0]["message"]["content"];
  EXPECT_THAT(answer, ::testing::StartsWith("I cannot look this up right now."));
  EXPECT_THAT(answer, ::testing::Not(HasSubstr("127.0.0.1")));
  EXPECT_EQ(get("/readyz").body["status"], "ready");  // one failure is not a pattern
  ASSERT_EQ(post("/v1/chat/completions", chat("Where is my order 12346?", "support")).status, 200);
  ASSERT_EQ(post("/v1/chat/completions", chat("How long do refunds take?", "support")).status, 200);

  const Response ready = get("/readyz");
  EXPECT_EQ(ready.status, 200);  // documents can still be asked about
  EXPECT_EQ(ready.body["status"], "degraded");
  ASSERT_EQ(ready.body["degraded_tools"].size(), 1u) << ready.text;
  EXPECT_EQ(ready.body["degraded_tools"][0]["tool"], "order_status");
  EXPECT_EQ(ready.body["degraded_tools"][0]["consecutive_failures"], 2);
  EXPECT_EQ(ready.body["degraded_tools"][0]["last_outcome"], "unavailable");

  const std::string m = get("/metrics").text;
  for (const std::string line : {"ragrt_tool_calls_total{tool=\"order_status\",outcome=\"unavailable\"} 2\n",
                                 "ragrt_tool_call_duration_seconds_count{tool=\"order_status\"} 2\n",
                                 "ragrt_tool_degraded{tool=\"order_status\"} 1\n",
                                 "ragrt_pipeline_requests_total{pipeline=\"support\"} 3\n",
                                 "ragrt_pipeline_degraded_total{pipeline=\"support\"} 2\n",
                                 "ragrt_pipeline_duration_seconds_count{pipeline=\"support\"} 3\n",
                                 "ragrt_retrieval_duration_seconds_count{retriever=\"bm25\"} 3\n"}) {
    EXPECT_THAT(m, HasSubstr(line));
  }
  EXPECT_THAT(m, HasSubstr("ragrt_pipeline_refusals_total{pipeline=\"support\"} "));

  // The operator's detail is in the log, with the trace id; every request has an access line.
  const std::string trace_id = first.body["trace_id"];
  EXPECT_TRUE(eventually([&] { return log.text().find("trace_id=" + trace_id) != std::string::npos; })) << log.text();
  const std::string text = log.text();
  EXPECT_THAT(text, HasSubstr("[warning] trace " + trace_id + ": tool order_status unavailable: could not connect to 127.0.0.1"));
  EXPECT_THAT(text, HasSubstr("tool order_status: degraded after 2 failures in a row"));
  EXPECT_THAT(text, HasSubstr("access method=POST route=/v1/chat/completions status=200 latency_ms="));
  EXPECT_THAT(text, HasSubstr("key=- pipeline=support trace_id=" + trace_id));

  // The degraded turns, listed and paged.
  const Response page = get("/v1/traces?status=degraded&pipeline=support&limit=1");
  ASSERT_EQ(page.status, 200) << page.text;
  ASSERT_EQ(page.body["data"].size(), 1u);
  EXPECT_EQ(page.body["data"][0]["status"], "degraded");
  EXPECT_EQ(page.body["data"][0]["question"], "Where is my order 12346?");
  EXPECT_EQ(page.body["has_more"], true);
  httplib::Params next = {{"status", "degraded"}, {"limit", "1"}, {"cursor", page.body["next_cursor"].get<std::string>()}};
  const Response second = to_response(client().Get("/v1/traces", next, httplib::Headers{}));
  ASSERT_EQ(second.status, 200) << second.text;
  ASSERT_EQ(second.body["data"].size(), 1u);
  EXPECT_EQ(second.body["data"][0]["trace_id"], trace_id);
  EXPECT_EQ(second.body["data"][0]["answer"], answer);
  EXPECT_EQ(second.body["has_more"], false);
  EXPECT_EQ(get("/v1/traces?since=1h&text=refunds").body["data"].size(), 1u);
  expect_error(get("/v1/traces?since=yesterday"), 400, "since", "'yesterday' is not a time");
  expect_error(get("/v1/traces?limit=0"), 400, "limit", "1 to 1000");
  expect_error(get("/v1/traces?cursor=xyz"), 400, "cursor", "not a cursor");
  expect_error(get("/v1/traces?state=ok"), 400, "state", "unknown parameter 'state'");
}

// With an LLM, `usage` is the sum over the decision call and the answer call, in the response and
// in /metrics; the stub server counts what it was asked.
TEST_F(ServerTest, UsageIsTheSumOfEveryModelCall) {
  std::atomic<int> calls{0};
  testing::LoopbackServer<int> llm([](const httplib::Request&) { return 0; },
                                   [&](int hit, const httplib::Request&, httplib::Response& res) {
                                     ++calls;
                                     json message = {{"role", "assistant"}, {"content", "Refunds take five working days [1]."}};
                                     json body = {{"id", "x"}, {"object", "chat.completion"},
                                                  {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", "stop"}}})},
                                                  {"usage", {{"prompt_tokens", 100 + hit}, {"completion_tokens", 20}, {"total_tokens", 120 + hit}}}};
                                     if (hit == 0) {
                                       body["choices"][0]["message"]["content"] = nullptr;
                                       body["choices"][0]["message"]["tool_calls"] = json::array(
                                           {{{"id", "c1"}, {"type", "function"},
                                             {"function", {{"name", "order_status"}, {"arguments", "{\"order_id\": \"12345\"}"}}}}});
                                       body["choices"][0]["finish_reason"] = "tool_calls";
                                     }
                                     res.set_content(body.dump(), "application/json");
                                   });
  testing::LoopbackServer<int> orders([](const httplib::Request&) { return 0; },
                                      [](int, const httplib::Request&, httplib::Response& res) {
                                        res.set_content(R"({"order_id": "12345", "status": "in_transit"})", "application/json");
                                      });
  start_with_pipelines("pipelines: {faq: {type: agent}}\n", fmt::format("generator: {{type: openai, base_url: \"http://127.0.0.1:{}/v1\", api_key_env: \"\", stream: false}}\n"
                    "tools:\n  order_status:\n    type: http\n    description: d\n"
                    "    parameters: {{type: object, properties: {{order_id: {{type: string}}}}, required: [order_id]}}\n"
                    "    url: \"http://127.0.0.1:{}/orders/{{order_id}}\"\n    allow_hosts: [\"127.0.0.1\"]\n",
                    llm.port(), orders.port()));
  const Response r = post("/v1/chat/completions", chat("Where is my order 12345?"));
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(r.body["usage"], json({{"prompt_tokens", 201}, {"completion_tokens", 40}, {"total_tokens", 241}}));
  EXPECT_TRUE(eventually([&] {
    const std::string m = get("/metrics").text;
    return m.find("ragrt_tokens_total{kind=\"prompt\"} 201\n") != std::string::npos &&
           m.find("ragrt_tokens_total{kind=\"completion\"} 40\n") != std::string::npos;
  })) << get("/metrics").text;
}

// A pipeline of type llm serves tools the client runs itself, as vLLM or llama.cpp server does:
// the model sees them, its calls come back with finish_reason tool_calls, and the client's
// results go to the model in the next request. The stub model server records what it is sent.
TEST_F(ServerTest, AnLlmPipelineServesTheClientsOwnTools) {
  testing::LoopbackServer<std::string> llm([](const httplib::Request& req) { return req.body; },
                                           [](int hit, const httplib::Request& req, httplib::Response& res) {
    const json sent = json::parse(req.body);
    json message = {{"role", "assistant"}, {"content", "It is sunny in Paris."}};
    std::string finish = "stop";
    if (sent["messages"].back()["role"] == "user") {
      message["content"] = nullptr;
      message["tool_calls"] = json::array({{{"id", "call_" + std::to_string(hit)}, {"type", "function"},
                                             {"function", {{"name", "get_weather"}, {"arguments", "{\"city\": \"Paris\"}"}}}}});
      finish = "tool_calls";
    }
    json body = {{"id", "x"}, {"object", "chat.completion"},
                 {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", finish}}})},
                 {"usage", {{"prompt_tokens", 30}, {"completion_tokens", 7}, {"total_tokens", 37}}}};
    res.set_content(body.dump(), "application/json");
  });
  start_with_pipelines("pipelines: {faq: {type: rag_qa}, chat: {type: llm}}\n",
                       fmt::format("generator: {{type: openai, base_url: \"http://127.0.0.1:{}/v1\", api_key_env: \"\", "
                                   "stream: false}}\n",
                                   llm.port()));
  const json weather = {{"type", "function"},
                        {"function", {{"name", "get_weather"}, {"description", "Weather of a city."},
                                      {"parameters", {{"type", "object"}, {"properties", {{"city", {{"type", "string"}}}}}}}}}};
  json ask = {{"model", "chat"}, {"tools", json::array({weather})},
              {"messages", json::array({{{"role", "user"}, {"content", "Weather in Paris?"}}})}};
  const Response first = post("/v1/chat/completions", ask);
  ASSERT_EQ(first.status, 200) << first.text;
  const json& choice = first.body["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_TRUE(choice["message"]["content"].is_null());
  ASSERT_EQ(choice["message"]["tool_calls"].size(), 1u) << first.text;
  EXPECT_EQ(choice["message"]["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(choice["message"]["tool_calls"][0]["function"]["arguments"], "{\"city\": \"Paris\"}");
  // The model was shown the client's definition as sent, and no passages.
  const json sent = json::parse(llm.requests().at(0));
  EXPECT_EQ(sent["tools"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(sent["messages"].size(), 1u);

  // The client ran the tool and sends the result back.
  ask["messages"].push_back(choice["message"]);
  ask["messages"].push_back({{"role", "tool"}, {"tool_call_id", choice["message"]["tool_calls"][0]["id"]},
                             {"content", "{\"sky\": \"sunny\"}"}});
  const Response second = post("/v1/chat/completions", ask);
  ASSERT_EQ(second.status, 200) << second.text;
  EXPECT_EQ(second.body["choices"][0]["message"]["content"], "It is sunny in Paris.");
  EXPECT_EQ(second.body["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(json::parse(llm.requests().at(1))["messages"].back()["role"], "tool");

  // Streamed: the calls come whole in one delta, then finish_reason tool_calls.
  ask["messages"] = json::array({{{"role", "user"}, {"content", "Weather in Paris?"}}});
  ask["stream"] = true;
  const Response streamed = post("/v1/chat/completions", ask);
  ASSERT_EQ(streamed.status, 200);
  bool delta_calls = false, finished = false;
  for (const auto& e : events(streamed.text)) {
    if (e == "[DONE]") continue;
    const json chunk = json::parse(e);
    if (chunk["choices"].empty()) continue;
    const json& c = chunk["choices"][0];
    if (c["delta"].contains("tool_calls")) delta_calls = c["delta"]["tool_calls"][0]["index"] == 0;
    if (c["finish_reason"] == "tool_calls") finished = true;
  }
  EXPECT_TRUE(delta_calls) << streamed.text;
  EXPECT_TRUE(finished) << streamed.text;

  // Other pipelines run the config's tools only, and say where a client's tools are served.
  json elsewhere = ask;
  elsewhere["model"] = "faq";
  elsewhere.erase("stream");
  expect_error(post("/v1/chat/completions", elsewhere), 400, "tools[0].function.name",
               "a pipeline of type llm (model: chat)");
}

// OpenAI's text completions over the pipelines: the prompt is the question, the answer `text`,
// whole or streamed, with citations; an llm pipeline sends the prompt raw to its model.
TEST_F(ServerTest, TextCompletionsAnswerThePromptWholeOrStreamed) {
  start();
  const json ask = {{"model", "faq"}, {"prompt", "How long do refunds take?"}, {"max_tokens", 64}, {"logprobs", nullptr},
                    {"echo", false}, {"n", 1}, {"frequency_penalty", 0}};
  const Response whole = post("/v1/completions", ask);
  ASSERT_EQ(whole.status, 200) << whole.text;
  EXPECT_EQ(whole.body["object"], "text_completion");
  EXPECT_THAT(whole.body["id"].get<std::string>(), ::testing::StartsWith("cmpl-"));
  const std::string text = whole.body["choices"][0]["text"];
  EXPECT_THAT(text, HasSubstr("five working days"));
  EXPECT_EQ(whole.body["choices"][0]["finish_reason"], "stop");
  EXPECT_FALSE(whole.body["citations"].empty());
  EXPECT_EQ(whole.body["trace_id"].get<std::string>().size(), 32u);

  json streamed_ask = ask;
  streamed_ask["stream"] = true;
  const Response streamed = post("/v1/completions", streamed_ask);
  ASSERT_EQ(streamed.status, 200);
  std::string joined, finish;
  bool usage = false;
  for (const auto& e : events(streamed.text)) {
    if (e == "[DONE]") continue;
    const json chunk = json::parse(e);
    EXPECT_EQ(chunk["object"], "text_completion");
    if (chunk["choices"].empty()) {
      usage = chunk.contains("usage") && chunk.contains("citations");
      continue;
    }
    joined += chunk["choices"][0]["text"].get<std::string>();
    if (chunk["choices"][0]["finish_reason"].is_string()) finish = chunk["choices"][0]["finish_reason"];
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(finish, "stop");
  EXPECT_TRUE(usage) << streamed.text;

  auto with = [&](json extra) {
    json b = ask;
    b.update(extra);
    return post("/v1/completions", b);
  };
  expect_error(with({{"prompt", {"a", "b"}}}), 400, "prompt", "an array of one string");
  expect_error(with({{"suffix", "x"}}), 400, "suffix", "not supported");
  expect_error(with({{"echo", true}}), 400, "echo", "not supported");
  expect_error(with({{"messages", json::array()}}), 400, "messages", "unknown field 'messages'");
  expect_error(with({{"model", "nope"}}), 404, "model", "does not exist");
}

TEST_F(ServerTest, TextCompletionsOnAnLlmPipelineSendThePromptRaw) {
  testing::LoopbackServer<std::string> llm([](const httplib::Request& req) { return req.path + " " + req.body; },
                                           [](int, const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"id": "x", "object": "text_completion", "choices": [{"index": 0, "text": " blue.",
        "finish_reason": "stop"}], "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}})",
                    "application/json");
  });
  start_with_pipelines("pipelines: {faq: {type: rag_qa}, raw: {type: llm}}\n",
                       fmt::format("generator: {{type: openai, base_url: \"http://127.0.0.1:{}/v1\", api_key_env: \"\", "
                                   "stream: false}}\n",
                                   llm.port()));
  const Response r = post("/v1/completions", json{{"model", "raw"}, {"prompt", "The sky is"}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["choices"][0]["text"], " blue.");
  EXPECT_EQ(r.body["usage"]["total_tokens"], 6);
  ASSERT_EQ(llm.requests().size(), 1u);
  EXPECT_THAT(llm.requests()[0], ::testing::StartsWith("/v1/completions "));
  EXPECT_EQ(json::parse(llm.requests()[0].substr(16))["prompt"], "The sky is");
}

// With no language model, an llm pipeline cannot answer: a 400 says what to configure.
TEST_F(ServerTest, AnLlmPipelineNeedsAModel) {
  start_with_pipelines("pipelines: {faq: {type: rag_qa}, chat: {type: llm}}\n", "");
  expect_error(post("/v1/chat/completions", chat("hi", "chat")), 400, "", "needs a language model");
}

TEST_F(ServerTest, StopDrainsARunningRequest) {
  start();
  Response r;
  std::thread running([&] { r = post("/v1/chat/completions", chat("x", "hold")); });
  ASSERT_TRUE(hold().wait_entered(1));
  std::thread stopping([&] { server_->stop(); });
  // While draining, new requests are refused and the running one is not cut off.
  ASSERT_TRUE(eventually([&] {
    auto res = httplib::Client("127.0.0.1", port_).Get("/healthz");
    return !res;  // no longer accepting
  }));
  hold().release();
  running.join();
  stopping.join();
  EXPECT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["choices"][0]["message"]["content"], "released");
}

TEST_F(ServerTest, ADrainThatRunsOutOfTimeCancelsWhatIsLeft) {
  start("server: {drain_timeout_s: 0.2}\n");
  Response r;
  std::thread running([&] { r = post("/v1/chat/completions", chat("x", "hold")); });
  ASSERT_TRUE(hold().wait_entered(1));
  server_->stop();  // the held request is never released: the drain cancels it
  running.join();
  EXPECT_EQ(hold().cancelled, 1);
  expect_error(r, 503, "", "shutting down");
}

// The `server:` section is read with file:line:column messages.
class ServerParamsTest : public ::testing::Test {
 protected:
  static std::string error_of(const std::string& server_section) {
    const fs::path dir = fs::path(RAGRT_TEST_WORK_DIR) / "server_params";
    fs::create_directories(dir);
    std::ofstream(dir / "ragrt.yaml") << "collection: index\n" << server_section;
    return ragrt::testing::error_of([&] { ServerParams::from_config(RagConfig::load(dir / "ragrt.yaml")); },
                                    ErrorKind::kInvalidArgument);
  }
};

TEST_F(ServerParamsTest, ReadsEveryKey) {
  const fs::path dir = fs::path(RAGRT_TEST_WORK_DIR) / "server_params";
  fs::create_directories(dir);
  std::ofstream(dir / "ragrt.yaml") << "collection: index\nserver:\n  host: 0.0.0.0\n  port: 9000\n"
                                    << "  api_keys: [{name: a, sha256: " << sha256_hex("k") << ", requests_per_minute: 5}]\n"
                                    << "  max_body_bytes: 10\n  max_messages: 3\n  max_prompt_tokens: 7\n  max_concurrent: 2\n  max_queue: 0\n"
                                    << "  request_timeout_s: 1.5\n  drain_timeout_s: 2\n";
  const ServerParams p = ServerParams::from_config(RagConfig::load(dir / "ragrt.yaml"));
  EXPECT_EQ(p.host, "0.0.0.0");
  EXPECT_EQ(p.port, 9000);
  ASSERT_EQ(p.api_keys.size(), 1u);
  EXPECT_EQ(p.api_keys[0].requests_per_minute, 5u);
  EXPECT_FALSE(p.api_keys[0].max_concurrent_streams);
  EXPECT_EQ(p.max_body_bytes, 10u);
  EXPECT_EQ(p.max_messages, 3u);
  EXPECT_EQ(p.max_prompt_tokens, 7u);
  EXPECT_EQ(p.max_concurrent, 2u);
  EXPECT_EQ(p.max_queue, 0u);
  EXPECT_EQ(p.request_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(p.drain_timeout, std::chrono::milliseconds(2000));
}

TEST_F(ServerParamsTest, MistakesNameTheLine) {
  EXPECT_THAT(error_of("server: {prot: 80}\n"), HasSubstr("ragrt.yaml:2:10: server.prot: unknown key"));
  EXPECT_THAT(error_of("server:\n  api_keys: [{name: a, sha256: my-secret}]\n"),
              HasSubstr("ragrt.yaml:3:32: server.api_keys[0].sha256: expected the 64 hex digits"));
  EXPECT_THAT(error_of("server:\n  api_keys: [{sha256: " + sha256_hex("x") + "}]\n"),
              HasSubstr("server.api_keys[0].name: missing"));
  EXPECT_THAT(error_of("server: {port: 70000}\n"), HasSubstr("server.port: must be at most 65535"));
  EXPECT_THAT(error_of("server: {request_timeout_s: 0}\n"), HasSubstr("server.request_timeout_s: must be more than 0"));
  EXPECT_THAT(error_of("server: {max_concurrent: 0}\n"), HasSubstr("server.max_concurrent: must be at least 1"));
}

TEST(ServerHashKey, IsTheSha256OfTheKey) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const auto r = ragrt::testing::run_cli("serve --hash-key abc");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
}

}  // namespace
}  // namespace ragrt
