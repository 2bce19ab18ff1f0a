// Trace span trees: shape, timing, concurrency, finish() idempotence, and format_trace's text.
#include <algorithm>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "ragrt/trace.h"

namespace {

using Json = nlohmann::ordered_json;

// Every span starts no earlier than its parent and ends no later.
void expect_nested(const Json& span) {
  const double start = span.at("start_ms"), end = start + span.at("duration_ms").get<double>();
  EXPECT_GE(span.at("duration_ms").get<double>(), 0.0) << span.at("name");
  double prev_start = start;
  for (const Json& c : span.at("children")) {
    const double cs = c.at("start_ms"), ce = cs + c.at("duration_ms").get<double>();
    EXPECT_GE(cs, start) << c.at("name");
    EXPECT_LE(ce, end + 1e-9) << c.at("name");
    EXPECT_GE(cs, prev_start) << "children in creation order";
    prev_start = cs;
    expect_nested(c);
  }
}

TEST(Trace, IdIsThirtyTwoRandomHexCharacters) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    ragrt::Trace t("rag_qa", "cfg");
    ASSERT_EQ(t.id().size(), 32u);
    EXPECT_EQ(t.id().find_first_not_of("0123456789abcdef"), std::string::npos) << t.id();
    ids.insert(t.id());
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST(Trace, FinishReturnsTheDocumentedTree) {
  ragrt::Trace t("rag_qa", "9c1e4b7a55");
  auto root = t.root();
  root->set("question", "Where is my order?");
  auto retrieve = root->child("retrieve");
  retrieve->set("hits", 5);
  retrieve->set("hits", 7);  // set() overwrites
  retrieve->set("top_score", 7.31);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  retrieve->end();
  auto tool = root->child("tool:order_status");
  auto http = tool->child("http");
  http->fail("connection refused");
  tool->end();
  auto gen = root->child("generate");  // left open: finish() ends it

  const Json j = t.finish();
  EXPECT_EQ(j.at("trace_id"), t.id());
  EXPECT_EQ(j.at("kind"), "rag_qa");
  EXPECT_EQ(j.at("config_version"), "9c1e4b7a55");
  const std::string started = j.at("started_at");
  ASSERT_EQ(started.size(), 24u) << started;  // 2026-11-25T09:12:03.123Z
  EXPECT_EQ(started[10], 'T');
  EXPECT_EQ(started.back(), 'Z');
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"trace_id", "kind", "config_version", "started_at", "duration_ms", "root"}));

  const Json& r = j.at("root");
  EXPECT_EQ(r.at("name"), "rag_qa");
  EXPECT_EQ(r.at("start_ms"), 0.0);
  EXPECT_EQ(r.at("duration_ms"), j.at("duration_ms"));
  EXPECT_EQ(r.at("status"), "ok");
  EXPECT_FALSE(r.contains("error"));
  EXPECT_EQ(r.at("attributes").at("question"), "Where is my order?");
  ASSERT_EQ(r.at("children").size(), 3u);
  const Json& rc = r.at("children")[0];
  EXPECT_EQ(rc.at("name"), "retrieve");
  EXPECT_EQ(rc.at("attributes").dump(), R"({"hits":7,"top_score":7.31})");
  EXPECT_GE(rc.at("duration_ms").get<double>(), 2.0);
  EXPECT_EQ(r.at("children")[1].at("name"), "tool:order_status");
  const Json& h = r.at("children")[1].at("children").at(0);
  EXPECT_EQ(h.at("status"), "error");
  EXPECT_EQ(h.at("error"), "connection refused");
  EXPECT_EQ(r.at("children")[2].at("name"), "generate");
  expect_nested(r);
}

TEST(Trace, EndingAParentEndsItsOpenChildren) {
  ragrt::Trace t("agent", "");
  auto a = t.root()->child("a");
  auto b = a->child("b");
  a->end();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  b->end();  // already ended with its parent
  const Json j = t.finish();
  const Json& ja = j.at("root").at("children")[0];
  // The same end, up to floating-point sums of times stored in milliseconds.
  EXPECT_NEAR(ja.at("children")[0].at("start_ms").get<double>() + ja.at("children")[0].at("duration_ms").get<double>(),
              ja.at("start_ms").get<double>() + ja.at("duration_ms").get<double>(), 0.0021);
  expect_nested(j.at("root"));
}

TEST(Trace, FinishTwiceReturnsTheSameTree) {
  ragrt::Trace t("agent", "c");
  auto s = t.root()->child("step");
  const Json first = t.finish();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  s->set("late", true);
  t.root()->child("late_child");
  EXPECT_EQ(t.finish(), first);
}

TEST(Trace, ChildrenAndAttributesFromFourThreads) {
  ragrt::Trace t("agent", "c");
  auto root = t.root();
  constexpr int kThreads = 4, kPerThread = 200;
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      auto mine = root->child("worker" + std::to_string(th));
      for (int i = 0; i < kPerThread; ++i) {
        auto c = (i % 2 ? root : mine)->child("call");
        c->set("thread", th);
        c->set("i", i);
        c->end();
        mine->set("done", i + 1);
      }
      mine->end();
    });
  }
  for (auto& th : threads) th.join();
  const Json j = t.finish();
  const Json& children = j.at("root").at("children");
  EXPECT_EQ(children.size(), kThreads + kThreads * kPerThread / 2);
  size_t total_calls = 0;
  for (const Json& c : children) {
    if (c.at("name") == "call") {
      ++total_calls;
      continue;
    }
    EXPECT_EQ(c.at("attributes").at("done"), kPerThread);
    EXPECT_EQ(c.at("children").size(), kPerThread / 2);
    total_calls += c.at("children").size();
  }
  EXPECT_EQ(total_calls, static_cast<size_t>(kThreads * kPerThread));
  expect_nested(j.at("root"));
}

TEST(TraceFormat, ShowsTheTreeWithDurationsStatusAndAttributes) {
  const Json trace = Json::parse(R"({
    "trace_id": "3f2a91c0d4e5f60718293a4b5c6d7e8f", "kind": "rag_qa", "config_version": "9c1e4b7a0011",
    "started_at": "2026-11-25T09:12:03.456Z", "duration_ms": 184.2,
    "root": {"name": "rag_qa", "start_ms": 0, "duration_ms": 184.2, "status": "ok", "attributes": {},
      "children": [
        {"name": "retrieve", "start_ms": 0.1, "duration_ms": 12.1, "status": "ok",
         "attributes": {"query": "Where is my order #12345?", "hits": 5, "top_score": 7.3123, "ids": [1, 2, 3]},
         "children": [{"name": "bm25", "start_ms": 0.2, "duration_ms": 3.0, "status": "ok", "attributes": {}, "children": []}]},
        {"name": "tool:order_status", "start_ms": 12.3, "duration_ms": 35.0, "status": "error", "error": "HTTP 503",
         "attributes": {"http_status": 503, "long": "0123456789012345678901234567890123456789012345678901234567890123456789xyz"},
         "children": []},
        {"name": "generate", "start_ms": 47.4, "duration_ms": 130.8, "status": "ok",
         "attributes": {"ttft_ms": 40.2, "tokens": 64, "finish": "stop", "stream": true, "usage": {"a": 1}}, "children": []}
      ]}})");
  const std::string text = ragrt::format_trace(trace);
  EXPECT_NE(text.find("trace 3f2a91c0…  rag_qa  2026-11-25T09:12:03Z  184.2 ms  config 9c1e4b7a\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("└─ rag_qa"), std::string::npos) << text;
  EXPECT_NE(text.find("   ├─ retrieve"), std::string::npos) << text;
  EXPECT_NE(text.find("   │  └─ bm25"), std::string::npos) << text;
  EXPECT_NE(text.find("   └─ generate"), std::string::npos) << text;
  EXPECT_NE(text.find("12.1 ms  query=\"Where is my order #12345?\"  hits=5  top_score=7.31  ids=[3 items]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("35.0 ms  error: HTTP 503  http_status=503"), std::string::npos) << text;
  EXPECT_NE(text.find("long=\"012345678901234567890123456789012345678901234567890123456789…\""), std::string::npos)
      << text;
  EXPECT_EQ(text.find("xyz"), std::string::npos) << text;
  EXPECT_NE(text.find("130.8 ms  ttft_ms=40.2  tokens=64  finish=stop  stream=true  usage={1 key}"),
            std::string::npos)
      << text;
  // One line per span plus the header; durations line up in one column.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6);
}

TEST(TraceFormat, FormatsAFinishedTrace) {
  ragrt::Trace t("agent", "abc");
  t.root()->child("plan")->set("steps", 2);
  const std::string text = ragrt::format_trace(t.finish());
  EXPECT_NE(text.find("└─ agent"), std::string::npos) << text;
  EXPECT_NE(text.find("└─ plan"), std::string::npos) << text;
  EXPECT_NE(text.find("steps=2"), std::string::npos) << text;
}

}  // namespace
