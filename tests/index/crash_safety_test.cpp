// kill -9 at any moment during `ragrt index` must leave the last committed state readable (store,
// keyword index and vector index agreeing with each other) and the next run must complete the work.
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "ragrt/knowledge_base.h"
#include "runtime/test_models.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class CrashSafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "crash_safety";
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs");
    std::mt19937 rng(7);
    const char* words[] = {"refund", "parcel", "warranty", "invoice", "delivery", "account", "password", "coupon",
                           "order", "return", "exchange", "shipping", "payment", "receipt", "support", "store"};
    for (int f = 0; f < 120; ++f) {
      std::ofstream out(dir_ / "docs" / fmt::format("doc{:03}.txt", f));
      for (int p = 0; p < 3; ++p) {
        out << "Paragraph " << p << " of document " << f << ":";
        for (int w = 0; w < 40; ++w) out << " " << words[rng() % 16];
        out << ".\n\n";
      }
    }
    write_config("crash.yaml", "crash");
    write_config("clean.yaml", "clean");
  }

  void write_config(const std::string& name, const std::string& collection) {
    std::ofstream(dir_ / name) << "collection: " << collection << "\n"
                               << "splitter: {chunk_tokens: 48, overlap_tokens: 8}\n"
                               << "embedder: {model: " << ragrt::testing::test_model_dir("bert-mean").string()
                               << "}\n";
  }

  // Starts `ragrt index` and returns its pid.
  pid_t start_index(const std::string& config) const {
    pid_t pid = fork();
    if (pid == 0) {
      const std::string docs = (dir_ / "docs").string(), cfg = (dir_ / config).string();
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(RAGRT_CLI_BINARY, RAGRT_CLI_BINARY, "index", docs.c_str(), "--config", cfg.c_str(), "--batch-chunks",
            "8", "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  int wait_for(pid_t pid) const {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
  }

  // Chunks per document; checks that store, keyword index and vector index agree.
  std::map<std::string, size_t> check_consistent(const std::string& config) const {
    auto kb = KnowledgeBase::open(RagConfig::load(dir_ / config), false);
    std::map<std::string, size_t> chunks;
    size_t total = 0;
    for (const auto& d : kb->collection().store().documents()) {
      chunks[d.id] = d.chunks;
      total += d.chunks;
    }
    EXPECT_EQ(kb->collection().store().chunk_count(), total);
    if (total > 0) {
      const std::shared_ptr<const VectorIndex> v = kb->collection().vectors();
      EXPECT_NE(v, nullptr);
      if (v) EXPECT_EQ(v->size(), total);
      EXPECT_FALSE(kb->search({"refund parcel", 3, {}}, "bm25").empty());
      EXPECT_FALSE(kb->search({"refund parcel", 3, {}}, "dense").empty());
    }
    return chunks;
  }

  fs::path dir_;
};

TEST_F(CrashSafetyTest, KillNineAtAnyMomentKeepsTheCommittedStateAndTheNextRunCompletes) {
  const auto t0 = Clock::now();
  ASSERT_EQ(wait_for(start_index("clean.yaml")), 0);
  const double full_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const auto reference = check_consistent("clean.yaml");
  ASSERT_EQ(reference.size(), 120u);

  std::mt19937 rng(11);
  size_t partial_states = 0;
  for (int round = 0; round < 6; ++round) {
    // Kill points spread over the whole run, including startup and the final vector save.
    const int delay = static_cast<int>(full_ms * (0.05 + 0.9 * (rng() % 1000) / 1000.0));
    const pid_t pid = start_index("crash.yaml");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    kill(pid, SIGKILL);
    wait_for(pid);
    if (!fs::exists(dir_ / "crash" / "collection.sqlite")) continue;  // killed before anything was created
    const auto state = check_consistent("crash.yaml");
    if (state.size() < reference.size()) ++partial_states;
    // Whatever was committed is whole: every document it holds has all of its chunks.
    for (const auto& [doc, n] : state) EXPECT_EQ(n, reference.at(doc)) << doc << " after a kill at " << delay << " ms";
  }
  EXPECT_GT(partial_states, 0u) << "no kill landed mid-run; the test did not test anything";
  ASSERT_EQ(wait_for(start_index("crash.yaml")), 0);
  EXPECT_EQ(check_consistent("crash.yaml"), reference);
}

}  // namespace
}  // namespace ragrt
