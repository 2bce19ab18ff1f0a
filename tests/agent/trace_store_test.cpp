// TraceStore: SQLite + JSON lines, redacted on the way in, found by id or unique prefix; and the
// `ragrt trace` commands that read it.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "ragrt/trace.h"
#include "index/sqlite_db.h"
#include "test_helpers.h"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using ragrt::testing::read_file;

// A stored trace with a chosen id and start time, so prefixes and order are under the test's control.
Json make_trace(const std::string& id, const std::string& started_at, const std::string& status = "ok") {
  Json root = {{"name", "rag_qa"}, {"start_ms", 0.0}, {"duration_ms", 10.5}, {"status", status}};
  if (status != "ok") root["error"] = "boom";
  root["attributes"] = {{"prompt_tokens", 12}};
  root["children"] = Json::array(
      {{{"name", "retrieve"}, {"start_ms", 0.5}, {"duration_ms", 2.0}, {"status", "ok"},
        {"attributes", {{"query", "where is my order"}, {"hits", 3}}}, {"children", Json::array()}}});
  return {{"trace_id", id},         {"kind", "rag_qa"},      {"config_version", "cfg1"},
          {"started_at", started_at}, {"duration_ms", 10.5}, {"root", root}};
}

std::string id_of(char c, char last = '0') { return std::string(31, c) + last; }

class TraceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("ragrt_trace_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  size_t jsonl_lines() const {
    std::ifstream in(dir_ / "traces.jsonl");
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
      EXPECT_TRUE(Json::accept(line)) << line;
      ++n;
    }
    return n;
  }

  fs::path dir_;
};

TEST_F(TraceStoreTest, SavesAndLoadsByIdAndUniquePrefix) {
  auto store = ragrt::TraceStore::open(dir_);
  EXPECT_TRUE(fs::exists(dir_ / "traces.sqlite"));
  const Json t = make_trace(id_of('a'), "2026-11-25T09:00:00.000Z");
  store->save(t);
  EXPECT_EQ(store->load(id_of('a')), t);
  EXPECT_EQ(store->load("aaaaaaaa"), t);
  EXPECT_EQ(store->load("AAAAAAAAAA"), t);  // ids are hex: case does not matter
  EXPECT_FALSE(store->load(id_of('b')).has_value());
  EXPECT_FALSE(store->load("aaaaaaaa*").has_value());  // not an id: no GLOB wildcards
  EXPECT_FALSE(store->load("nope").has_value());
  const std::string short_msg =
      ragrt::testing::error_of([&] { (void)store->load("aaaa"); }, ragrt::ErrorKind::kInvalidArgument);
  EXPECT_NE(short_msg.find("at least 8"), std::string::npos) << short_msg;
}

TEST_F(TraceStoreTest, InvalidUtf8IsStoredAsReplacementCharacters) {
  auto store = ragrt::TraceStore::open(dir_);
  Json t = make_trace(id_of('c'), "2026-11-25T09:00:00.000Z");
  t["root"]["attributes"]["question"] = std::string("caf\xe9?");
  store->save(t);
  auto loaded = store->load(id_of('c'));
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ((*loaded)["root"]["attributes"]["question"], "caf\xef\xbf\xbd?");
  EXPECT_EQ(jsonl_lines(), 1u);
}

TEST_F(TraceStoreTest, AmbiguousPrefixIsAnErrorNamingIt) {
  auto store = ragrt::TraceStore::open(dir_);
  store->save(make_trace(std::string(8, 'c') + std::string(24, '1'), "2026-11-25T09:00:00.000Z"));
  store->save(make_trace(std::string(8, 'c') + std::string(24, '2'), "2026-11-25T09:00:01.000Z"));
  const std::string msg = ragrt::testing::error_of([&] { (void)store->load("cccccccc"); }, ragrt::ErrorKind::kInvalidArgument);
  EXPECT_NE(msg.find("'cccccccc' is ambiguous"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::string(8, 'c') + std::string(24, '1')), std::string::npos) << msg;
  EXPECT_TRUE(store->load("cccccccc2").has_value());  // one more character settles it
}

TEST_F(TraceStoreTest, RecentIsNewestFirstWithSummaries) {
  auto store = ragrt::TraceStore::open(dir_);
  store->save(make_trace(id_of('1'), "2026-11-25T09:00:02.000Z"));
  store->save(make_trace(id_of('2'), "2026-11-25T09:00:01.000Z", "error"));
  store->save(make_trace(id_of('3'), "2026-11-25T09:00:03.000Z"));
  const auto rows = store->recent(10);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("trace_id"), id_of('3'));
  EXPECT_EQ(rows[1].at("trace_id"), id_of('1'));
  EXPECT_EQ(rows[2].at("trace_id"), id_of('2'));
  EXPECT_EQ(rows[2].at("status"), "error");
  EXPECT_EQ(rows[0].at("kind"), "rag_qa");
  EXPECT_EQ(rows[0].at("duration_ms"), 10.5);
  EXPECT_EQ(rows[0].at("started_at"), "2026-11-25T09:00:03.000Z");
  EXPECT_EQ(store->recent(2).size(), 2u);
}

// A trace as ComponentGraph::run stores it: pipeline, session, question and answer on the root.
Json answered_trace(const std::string& id, const std::string& started_at, const std::string& pipeline,
                    const std::string& session, const std::string& question, const std::string& answer,
                    const std::string& status = "ok") {
  Json t = make_trace(id, started_at, status);
  t["root"]["attributes"] = {{"pipeline", pipeline}, {"session", session}, {"question", question}, {"answer", answer}};
  return t;
}

TEST_F(TraceStoreTest, ListFiltersByTimePipelineStatusSessionAndText) {
  auto store = ragrt::TraceStore::open(dir_);
  store->save(answered_trace(id_of('a'), "2026-12-01T10:00:00.000Z", "support", "s1", "Where is my order 12345?",
                             "Order 12345: In transit."));
  store->save(answered_trace(id_of('b'), "2026-12-02T10:00:00.000Z", "support", "s2", "Where is my order 99999?",
                             "I cannot look up your order right now.", "degraded"));
  store->save(answered_trace(id_of('c'), "2026-12-03T10:00:00.000Z", "faq", "s1", "退款多久到账？", "退款在五个工作日内到账。"));
  auto ids = [&](ragrt::TraceQuery q) {
    std::string out;
    for (const auto& t : store->list(q).traces) out += t["trace_id"].get<std::string>()[0];
    return out;
  };
  EXPECT_EQ(ids({}), "cba");
  EXPECT_EQ(ids({.since = "2026-12-02T00:00:00.000Z"}), "cb");
  EXPECT_EQ(ids({.since = "2026-12-02T00:00:00.000Z", .until = "2026-12-03T00:00:00.000Z"}), "b");
  EXPECT_EQ(ids({.pipeline = "support"}), "ba");
  EXPECT_EQ(ids({.status = "degraded"}), "b");
  EXPECT_EQ(ids({.session = "s1"}), "ca");
  EXPECT_EQ(ids({.text = "ORDER 99999"}), "b");     // the question, any case
  EXPECT_EQ(ids({.text = "in transit"}), "a");      // the answer
  EXPECT_EQ(ids({.text = "五个工作日"}), "c");
  EXPECT_EQ(ids({.text = "100%"}), "");             // LIKE's wildcards are literal
  const ragrt::TracePage first = store->list({.limit = 2});
  ASSERT_EQ(first.traces.size(), 2u);
  EXPECT_EQ(first.traces[0]["pipeline"], "faq");
  EXPECT_EQ(first.traces[0]["session"], "s1");
  EXPECT_EQ(first.traces[0]["question"], "退款多久到账？");
  EXPECT_EQ(first.traces[1]["answer"], "I cannot look up your order right now.");
  ASSERT_FALSE(first.next_cursor.empty());
  const ragrt::TracePage second = store->list({.limit = 2, .cursor = first.next_cursor});
  ASSERT_EQ(second.traces.size(), 1u);
  EXPECT_EQ(second.traces[0]["trace_id"], id_of('a'));
  EXPECT_TRUE(second.next_cursor.empty());
  EXPECT_THROW(store->list({.cursor = "not-a-cursor"}), ragrt::Error);
}

TEST_F(TraceStoreTest, AStoreFromBeforeTheNewColumnsGainsThem) {
  fs::create_directories(dir_);
  {
    ragrt::index::SqliteDb old(dir_ / "traces.sqlite", /*create=*/true);
    old.exec("CREATE TABLE traces (trace_id TEXT PRIMARY KEY, kind TEXT, started_at TEXT, duration_ms REAL, "
             "status TEXT, json TEXT NOT NULL)");
    old.exec("INSERT INTO traces VALUES ('" + id_of('d') + "', 'rag_qa', '2026-11-01T00:00:00.000Z', 1, 'ok', '{}')");
  }
  auto store = ragrt::TraceStore::open(dir_);
  store->save(answered_trace(id_of('e'), "2026-12-01T10:00:00.000Z", "support", "", "q", "a"));
  const auto rows = store->recent(10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1]["trace_id"], id_of('d'));
  EXPECT_EQ(rows[1]["pipeline"], "");
  EXPECT_EQ(store->list({.pipeline = "support"}).traces.size(), 1u);
}

TEST(TraceTime, AcceptedFormsAreNormalizedAndOthersNamed) {
  using ragrt::normalize_trace_time;
  EXPECT_EQ(normalize_trace_time("2026-12-07", "since"), "2026-12-07T00:00:00.000Z");
  EXPECT_EQ(normalize_trace_time("2026-12-07T10:05", "since"), "2026-12-07T10:05:00.000Z");
  EXPECT_EQ(normalize_trace_time("2026-12-07T10:05:09Z", "since"), "2026-12-07T10:05:09.000Z");
  EXPECT_EQ(normalize_trace_time("2026-12-07 10:05:09.5", "since"), "2026-12-07T10:05:09.500Z");
  const auto now = std::chrono::sys_days{std::chrono::year{2026} / 12 / 7} + std::chrono::hours(12);
  EXPECT_EQ(normalize_trace_time("2h", "since", now), "2026-12-07T10:00:00.000Z");
  EXPECT_EQ(normalize_trace_time("7d", "since", now), "2026-11-30T12:00:00.000Z");
  for (const char* bad : {"yesterday", "2026-13-01", "2026-12-07T25:00", "5w", "", "2026-12-07'; DROP"}) {
    try {
      normalize_trace_time(bad, "until");
      ADD_FAILURE() << bad;
    } catch (const ragrt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("until: '"), std::string::npos) << e.what();
    }
  }
}

TEST_F(TraceStoreTest, WritesOneJsonLinePerTraceAndSecretsReachNeitherFile) {
  const std::string secret = "sk-trace-store-test-0123456789";
  ragrt::Redactor::global().add_secret(secret);
  {
    auto store = ragrt::TraceStore::open(dir_);
    for (int i = 0; i < 3; ++i) {
      ragrt::Trace t("agent", "cfg");
      auto call = t.root()->child("tool:http");
      call->set("url", "https://api.example.com/v1?key=" + secret);
      call->set("headers", {{"Authorization", "Bearer abcdefgh-not-registered"}});
      call->set("completion_tokens", 42);
      store->save(t.finish());
      if (i == 0) {
        const auto back = store->load(t.id());
        ASSERT_TRUE(back.has_value());
        const Json& attrs = back->at("root").at("children")[0].at("attributes");
        EXPECT_EQ(attrs.at("url"), "https://api.example.com/v1?key=[redacted]");
        EXPECT_EQ(attrs.at("headers").at("Authorization"), "[redacted]");
        EXPECT_EQ(attrs.at("completion_tokens"), 42);
      }
    }
  }
  EXPECT_EQ(jsonl_lines(), 3u);
  for (const char* file : {"traces.sqlite", "traces.sqlite-wal", "traces.jsonl"}) {
    if (!fs::exists(dir_ / file)) continue;
    const std::string bytes = read_file(dir_ / file);
    EXPECT_EQ(bytes.find(secret), std::string::npos) << file;
    EXPECT_EQ(bytes.find("abcdefgh-not-registered"), std::string::npos) << file;
  }
  EXPECT_NE(read_file(dir_ / "traces.jsonl").find("[redacted]"), std::string::npos);
}

TEST_F(TraceStoreTest, ReopenKeepsTracesAndAppends) {
  {
    auto store = ragrt::TraceStore::open(dir_);
    store->save(make_trace(id_of('d'), "2026-11-25T09:00:00.000Z"));
  }
  auto store = ragrt::TraceStore::open(dir_);
  EXPECT_TRUE(store->load(id_of('d')).has_value());
  store->save(make_trace(id_of('e'), "2026-11-25T09:00:01.000Z"));
  EXPECT_EQ(store->recent(10).size(), 2u);
  EXPECT_EQ(jsonl_lines(), 2u);
}

TEST_F(TraceStoreTest, SavesFromSeveralThreads) {
  auto store = ragrt::TraceStore::open(dir_);
  std::vector<std::thread> threads;
  for (int th = 0; th < 4; ++th)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        ragrt::Trace t("agent", "cfg");
        t.root()->child("step");
        store->save(t.finish());
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store->recent(100).size(), 40u);
  EXPECT_EQ(jsonl_lines(), 40u);
}

TEST_F(TraceStoreTest, CorruptDatabaseIsAnErrorNamingTheFile) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "traces.sqlite", std::ios::binary) << std::string(8192, 'x');
  try {
    (void)ragrt::TraceStore::open(dir_);
    ADD_FAILURE() << "no error for a corrupt store";
  } catch (const ragrt::Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir_ / "traces.sqlite").string()), std::string::npos) << e.what();
  }
}

TEST_F(TraceStoreTest, UnusableDirectoryOrLogIsAnErrorNamingIt) {
  std::ofstream(dir_, std::ios::binary) << "a file, not a directory";
  const std::string msg = ragrt::testing::error_of([&] { (void)ragrt::TraceStore::open(dir_); }, ragrt::ErrorKind::kIo);
  EXPECT_NE(msg.find(dir_.string()), std::string::npos) << msg;
  fs::remove(dir_);

  fs::create_directories(dir_ / "traces.jsonl");  // the log cannot be opened as a file
  auto store = ragrt::TraceStore::open(dir_);
  const std::string log_msg = ragrt::testing::error_of(
      [&] { store->save(make_trace(id_of('f'), "2026-11-25T09:00:00.000Z")); }, ragrt::ErrorKind::kIo);
  EXPECT_NE(log_msg.find((dir_ / "traces.jsonl").string()), std::string::npos) << log_msg;
}

// `ragrt trace` reads what TraceStore wrote.
class CliTrace : public TraceStoreTest {
 protected:
  void SetUp() override {
    TraceStoreTest::SetUp();
    auto store = ragrt::TraceStore::open(dir_);
    store->save(make_trace(id_of('7'), "2026-11-25T09:12:03.000Z"));
    store->save(make_trace(id_of('8'), "2026-11-25T09:12:04.000Z", "error"));
  }
  std::string dir_arg() const { return " --dir " + ragrt::testing::shell_quote(dir_.string()); }
};

TEST_F(CliTrace, ShowPrintsTheTree) {
  const auto r = ragrt::testing::run_cli("trace show 77777777" + dir_arg());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("trace 77777777…  rag_qa  2026-11-25T09:12:03Z  10.5 ms  config cfg1"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("└─ retrieve"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2.0 ms  query=\"where is my order\"  hits=3"), std::string::npos) << r.out;
}

TEST_F(CliTrace, ShowJsonPrintsTheStoredTrace) {
  const auto r = ragrt::testing::run_cli("trace show " + id_of('8') + " --json" + dir_arg());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(Json::parse(r.out), make_trace(id_of('8'), "2026-11-25T09:12:04.000Z", "error"));
}

TEST_F(CliTrace, ListIsNewestFirst) {
  const auto r = ragrt::testing::run_cli("trace list" + dir_arg());
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t newer = r.out.find(id_of('8')), older = r.out.find(id_of('7'));
  ASSERT_NE(newer, std::string::npos) << r.out;
  ASSERT_NE(older, std::string::npos) << r.out;
  EXPECT_LT(newer, older);
  EXPECT_NE(r.out.find("error"), std::string::npos) << r.out;
  // One trace, and how to get the next page.
  const auto one = ragrt::testing::run_cli("trace list --limit 1" + dir_arg());
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 2) << one.out;
  EXPECT_NE(one.out.find("more: --cursor '2026-11-25T09:12:04.000Z|" + id_of('8') + "'"), std::string::npos) << one.out;
  const auto next = ragrt::testing::run_cli("trace list --limit 1 --cursor '2026-11-25T09:12:04.000Z|" + id_of('8') + "'" + dir_arg());
  EXPECT_NE(next.out.find(id_of('7')), std::string::npos) << next.out;
  EXPECT_EQ(next.out.find("more:"), std::string::npos) << next.out;
}

TEST_F(CliTrace, ListFilters) {
  auto status = ragrt::testing::run_cli("trace list --status error --json" + dir_arg());
  ASSERT_EQ(status.status, 0) << status.out;
  EXPECT_EQ(std::count(status.out.begin(), status.out.end(), '\n'), 1) << status.out;
  EXPECT_EQ(Json::parse(status.out)["trace_id"], id_of('8'));
  auto since = ragrt::testing::run_cli("trace list --since 2026-11-25T09:12:04Z --json" + dir_arg());
  EXPECT_EQ(std::count(since.out.begin(), since.out.end(), '\n'), 1) << since.out;
  auto none = ragrt::testing::run_cli("trace list --since 1h" + dir_arg());
  EXPECT_NE(none.out.find("no traces in"), std::string::npos) << none.out;
  auto bad = ragrt::testing::run_cli("trace list --since yesterday" + dir_arg(), /*with_stderr=*/true);
  EXPECT_EQ(WEXITSTATUS(bad.status), 1) << bad.out;
  EXPECT_NE(bad.out.find("--since: 'yesterday' is not a time"), std::string::npos) << bad.out;
}

TEST_F(CliTrace, UnknownIdExitsOneNamingTheStore) {
  const auto r = ragrt::testing::run_cli("trace show " + id_of('9') + dir_arg(), /*with_stderr=*/true);
  EXPECT_EQ(WEXITSTATUS(r.status), 1) << r.out;
  EXPECT_NE(r.out.find("ragrt: error: no trace '" + id_of('9') + "' in " + (dir_ / "traces.sqlite").string()),
            std::string::npos)
      << r.out;
  const auto missing = ragrt::testing::run_cli("trace list --dir " + ragrt::testing::shell_quote((dir_ / "nowhere").string()),
                                               /*with_stderr=*/true);
  EXPECT_EQ(WEXITSTATUS(missing.status), 1) << missing.out;
  EXPECT_FALSE(fs::exists(dir_ / "nowhere")) << "reading must not create a store";
}

}  // namespace
