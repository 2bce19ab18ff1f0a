// Hot reload: the config file edited while requests run. Every request must succeed (each runs on
// the graph it started with), valid edits are swapped in, invalid ones leave the old graph serving
// with the error reported, and models whose settings did not change are shared, not reloaded.
#include "ragrt/live_graph.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"
#include "ragrt/indexer.h"
#include "ragrt/knowledge_base.h"
#include "runtime/test_models.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ragrt::testing::test_model_dir;

class LiveGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "live_graph" /
           (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "docs" / "shipping.txt")
        << "Standard delivery takes three to five business days. Express delivery takes one to two business days.";
    std::ofstream(dir_ / "docs" / "refunds.txt") << "Refunds are paid within five working days after the return arrives.";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes the config the way editors do: a temporary file renamed over the old one.
  void write_config(const std::string& yaml) {
    std::ofstream(dir_ / "ragrt.yaml.tmp") << yaml;
    fs::rename(dir_ / "ragrt.yaml.tmp", dir_ / "ragrt.yaml");
  }

  void index(const std::string& yaml) {
    write_config(yaml);
    auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), /*writer=*/true);
    ASSERT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
  }

  static PipelineRequest question(const std::string& text) {
    PipelineRequest r;
    r.messages = {{{"role", "user"}, {"content", text}}};
    return r;
  }

  fs::path dir_;
};

const std::string kBase = "collection: index\nretrievers: {bm25: {type: bm25}}\n";

TEST_F(LiveGraphTest, EditsUnderLoadNeverFailARequest) {
  index(kBase);
  LiveGraph live({.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(5)});
  const std::string first_version = live.status().version;

  std::atomic<bool> stop{false};
  std::atomic<size_t> ok{0}, failed{0};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        try {
          auto graph = live.current();
          PipelineResult r = graph->run("", question("How long does standard delivery take?"));
          if (r.answer.find("three to five") != std::string::npos) {
            ++ok;
          } else {
            ++failed;
            std::lock_guard lock(errors_mutex);
            errors.push_back("answer: " + r.answer);
          }
        } catch (const std::exception& e) {
          ++failed;
          std::lock_guard lock(errors_mutex);
          errors.push_back(e.what());
        }
      }
    });
  }
  auto wait_for = [&](auto done) {
    for (int i = 0; i < 2000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return done();
  };
  auto served = [&](size_t at_least) { return wait_for([&] { return ok.load() >= at_least; }); };

  ASSERT_TRUE(served(20));
  // 1. A valid edit: a second pipeline and fewer passages.
  write_config(kBase + "generator: {context_passages: 2}\npipelines: {faq: {type: rag_qa}, other: {type: rag_qa}}\n");
  ASSERT_TRUE(wait_for([&] { return live.status().reloads == 1; }));
  EXPECT_NE(live.status().version, first_version);
  EXPECT_EQ(live.current()->pipeline_names(), (std::vector<std::string>{"faq", "other"}));
  ASSERT_TRUE(served(ok + 20));

  // 2. An invalid edit (unknown key on line 3): the previous graph keeps serving.
  const std::string serving = live.status().version;
  write_config(kBase + "generator: {context_pasages: 2}\n");
  ASSERT_TRUE(wait_for([&] { return live.status().failures == 1; }));
  EXPECT_THAT(live.status().last_error, HasSubstr("ragrt.yaml:3:"));
  EXPECT_THAT(live.status().last_error, HasSubstr("context_pasages"));
  EXPECT_EQ(live.status().version, serving);
  EXPECT_EQ(live.current()->pipeline_names(), (std::vector<std::string>{"faq", "other"}));
  ASSERT_TRUE(served(ok + 20));

  // 3. A file that is not YAML at all, then a fix.
  write_config("collection: [unclosed\n");
  ASSERT_TRUE(wait_for([&] { return live.status().failures == 2; }));
  EXPECT_THAT(live.status().last_error, HasSubstr("invalid YAML"));
  write_config(kBase + "generator: {max_sentences: 2}\n");
  ASSERT_TRUE(wait_for([&] { return live.status().reloads == 2; }));
  EXPECT_EQ(live.status().last_error, "");
  EXPECT_EQ(live.current()->pipeline_names(), (std::vector<std::string>{"default"}));
  ASSERT_TRUE(served(ok + 20));

  stop = true;
  for (auto& c : clients) c.join();
  EXPECT_EQ(failed.load(), 0u) << (errors.empty() ? "" : errors.front());
  EXPECT_GT(ok.load(), 80u);
}

TEST_F(LiveGraphTest, ARequestKeepsTheGraphItStartedOn) {
  index(kBase);
  LiveGraph live({.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(0)});
  auto old_graph = live.current();
  write_config(kBase + "pipelines: {faq: {type: rag_qa}}\n");
  ASSERT_TRUE(live.reload());
  EXPECT_FALSE(live.reload());  // unchanged bytes: nothing to do
  EXPECT_EQ(old_graph->pipeline_names(), (std::vector<std::string>{"default"}));
  EXPECT_EQ(live.current()->pipeline_names(), (std::vector<std::string>{"faq"}));
  // The swapped-out graph still answers (a request that started before the swap).
  EXPECT_THAT(old_graph->run("", question("How long do refunds take?")).answer, HasSubstr("five working days"));
}

TEST_F(LiveGraphTest, UndoingARejectedEditClearsTheError) {
  index(kBase);
  LiveGraph live({.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(0)});
  write_config(kBase + "default_pipeline: nope\n");
  EXPECT_FALSE(live.reload());
  EXPECT_THAT(live.status().last_error, HasSubstr("ragrt.yaml:3:19: default_pipeline: no pipeline 'nope'"));
  fs::remove(dir_ / "ragrt.yaml");  // mid-save in some editors
  EXPECT_FALSE(live.reload());
  EXPECT_THAT(live.status().last_error, HasSubstr("cannot read"));
  write_config(kBase);
  EXPECT_FALSE(live.reload());  // the serving graph already is this file
  EXPECT_EQ(live.status().last_error, "");
  EXPECT_EQ(live.status().failures, 2u);
  EXPECT_EQ(live.status().reloads, 0u);
}

TEST_F(LiveGraphTest, InvalidAtStartIsAnError) {
  write_config("collection: index\nretrievers: {bm25: {type: bm25}}\nbogus: 1\n");
  try {
    LiveGraph live({.file = dir_ / "ragrt.yaml"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("ragrt.yaml:3:"));
  }
}

TEST_F(LiveGraphTest, UnchangedModelSettingsShareTheLoadedModels) {
  const std::string models = "embedder: {model: " + test_model_dir("bert-mean").string() + "}\n" +
                             "reranker: {model: " + test_model_dir("cross-encoder").string() + "}\n" +
                             "retrievers: {bm25: {type: bm25}, dense: {type: dense}}\n";
  const std::string generator = "generator: {type: onnx, model: " + test_model_dir("llama-tiny").string() +
                                ", max_batch: 2";
  index("collection: index\n" + models + generator + "}\n");
  LiveGraph live({.file = dir_ / "ragrt.yaml", .poll_interval = std::chrono::milliseconds(0)});
  auto g1 = live.current();
  const Embedder* embedder = g1->knowledge_base().embedder();
  const Reranker* reranker = g1->knowledge_base().reranker();
  const Generator* llm = &g1->generator();

  // Sampling, prompt and pipelines are read per request: nothing reloads.
  write_config("collection: index\n" + models + generator +
               ", sampling: {temperature: 0.2}, system_prompt: Be brief.}\npipelines: {faq: {type: rag_qa}}\n");
  ASSERT_TRUE(live.reload());
  auto g2 = live.current();
  EXPECT_EQ(g2->knowledge_base().embedder(), embedder);
  EXPECT_EQ(g2->knowledge_base().reranker(), reranker);
  EXPECT_EQ(&g2->generator(), llm);
  EXPECT_EQ(g2->config().generator.system_prompt, "Be brief.");

  // A changed model setting loads that model again, and only that one.
  write_config("collection: index\n" + models + "generator: {type: onnx, model: " +
               test_model_dir("llama-tiny").string() + ", max_batch: 4}\n");
  ASSERT_TRUE(live.reload());
  auto g3 = live.current();
  EXPECT_EQ(g3->knowledge_base().embedder(), embedder);
  EXPECT_NE(&g3->generator(), llm);
  // The old graphs still hold their generator and can finish what they were doing.
  GenerationRequest req;
  req.messages = {{{"role", "user"}, {"content", "hi"}}};
  req.sampling.max_new_tokens = 2;
  EXPECT_EQ(g1->generator().generate(req).completion_tokens, 2u);
}

}  // namespace
}  // namespace ragrt
