// The `onnx` generator through the public interface: chat template, tokenization, validation and
// concurrent requests on the synthetic decoder (its folder carries Qwen3's tokenizer and template).
#include "ragrt/onnx_generator.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "ragrt/chat_template.h"
#include "ragrt/error.h"
#include "ragrt/model_folder.h"
#include "runtime/test_models.h"
#include "test_helpers.h"

namespace ragrt {
namespace {

OnnxGeneratorParams params_for(const std::filesystem::path& dir) {
  OnnxGeneratorParams p;
  p.model_dir = dir;
  p.session.intra_op_threads = 1;
  return p;
}

Generator& tiny() {
  static auto generator = make_onnx_generator(params_for(testing::test_model_dir("llama-tiny")));
  return *generator;
}

GenerationRequest chat(const std::string& question, size_t max_new_tokens = 8) {
  GenerationRequest r;
  r.messages = {{{"role", "system"}, {"content", "You answer from the documents."}},
                {{"role", "user"}, {"content", question}}};
  r.sampling.max_new_tokens = max_new_tokens;
  r.sampling.do_sample = false;
  return r;
}

using testing::error_of;

TEST(OnnxGeneratorTest, ChatRequestsGoThroughTheModelsTemplate) {
  auto dir = testing::test_model_dir("llama-tiny");
  auto tmpl = ChatTemplate::from_tokenizer_config(dir / "tokenizer_config.json");
  auto request = chat("退货政策是什么？");
  std::string prompt = tmpl.render(request.messages, request.tools, true);
  auto tokens = ModelFolder::open(dir).load_tokenizer()->encode(prompt, false).ids.size();
  auto result = tiny().generate(request);
  EXPECT_EQ(result.prompt_tokens, tokens);
  EXPECT_EQ(result.completion_tokens, 8u);
  EXPECT_EQ(result.finish_reason, FinishReason::kLength);
  EXPECT_NE(tiny().description().find("2 layers"), std::string::npos) << tiny().description();
}

TEST(OnnxGeneratorTest, RawPromptSkipsTheTemplate) {
  GenerationRequest r;
  r.prompt = "Hello, world!";
  r.sampling.max_new_tokens = 3;
  EXPECT_EQ(tiny().generate(r).prompt_tokens, 4u);  // Qwen3 adds no special tokens to raw text
}

TEST(OnnxGeneratorTest, ConcurrentRequestsGetTheirOwnAnswers) {
  std::vector<std::string> questions{"How do refunds work?", "订单什么时候发货？", "Can I change my address?",
                                     "What is the warranty?"};
  std::vector<std::string> alone;
  for (const auto& q : questions) alone.push_back(tiny().generate(chat(q, 12)).text);
  std::vector<std::string> together(questions.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < questions.size(); ++i) {
    threads.emplace_back([&, i] { together[i] = tiny().generate(chat(questions[i], 12)).text; });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(together, alone);
}

TEST(OnnxGeneratorTest, MalformedRequestsAreRefusedClearly) {
  std::string message;
  GenerationRequest no_role;
  no_role.messages = {{{"content", "hi"}}};
  message = error_of([&] { tiny().generate(no_role); }, ErrorKind::kInvalidArgument);
  EXPECT_NE(message.find("messages[0]"), std::string::npos) << message;

  error_of([&] { tiny().generate(GenerationRequest{}); }, ErrorKind::kInvalidArgument);

  auto bad_utf8 = chat(std::string("price\xff\xfe"));
  message = error_of([&] { tiny().generate(bad_utf8); }, ErrorKind::kInvalidArgument);
  EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;

  auto bad_sampling = chat("hi");
  bad_sampling.sampling.top_p = 2.0f;
  message = error_of([&] { tiny().generate(bad_sampling); }, ErrorKind::kInvalidArgument);
  EXPECT_NE(message.find("top_p"), std::string::npos) << message;
}

TEST(OnnxGeneratorTest, FolderWithoutChatTemplateTakesRawPromptsOnly) {
  auto dir = std::filesystem::path(RAGRT_TEST_WORK_DIR) / "generate" / "no-template";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  std::filesystem::copy(testing::test_model_dir("llama-tiny"), dir, std::filesystem::copy_options::recursive);
  auto config = nlohmann::json::parse(std::ifstream(dir / "tokenizer_config.json"));
  config.erase("chat_template");
  std::ofstream(dir / "tokenizer_config.json") << config.dump();
  auto generator = make_onnx_generator(params_for(dir));
  std::string message;
  message = error_of([&] { generator->generate(chat("hi")); }, ErrorKind::kInvalidArgument);
  EXPECT_NE(message.find("chat_template"), std::string::npos) << message;
  GenerationRequest raw;
  raw.prompt = "hi";
  raw.sampling.max_new_tokens = 2;
  EXPECT_EQ(generator->generate(raw).completion_tokens, 2u);
}

TEST(OnnxGeneratorTest, MissingFolderNamesIt) {
  std::string message;
  message = error_of([&] { make_onnx_generator(params_for("/nonexistent/model")); }, ErrorKind::kNotFound);
  EXPECT_NE(message.find("/nonexistent/model"), std::string::npos) << message;
}

}  // namespace
}  // namespace ragrt
