// ragrt init DOCS [--config FILE] [--force]: a starter config for a folder of documents (bm25 and
// the extractive generator: nothing to download), with the sections a user adds next written
// out as comments, and the two commands to run after it.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "ragrt/error.h"
#include "ragrt/rag_config.h"

namespace ragrt::cli {
namespace {

namespace fs = std::filesystem;

struct InitArgs {
  std::string docs;
  std::string config = "ragrt.yaml";
  bool force = false;
};

std::string starter_config(const std::string& docs) {
  return fmt::format(R"(# ragrt config for the documents in {docs} (written by `ragrt init`).
# Check it with `ragrt config check FILE`; every key is in the README.
collection: .ragrt/index            # the index folder, next to this file (ragrt index fills it)
retrievers:
  bm25: {{type: bm25}}               # keyword search (English stemming, Chinese bigrams)
generator:
  type: extractive                  # answers with the documents' own sentences, cited; no model
server:
  host: 127.0.0.1                   # 0.0.0.0 to accept other machines (add api_keys first)
  port: 8080

# Semantic search: `ragrt models pull Xenova/all-MiniLM-L6-v2` prints a folder; then
# embedder: {{model: FOLDER}}
# retrievers: {{bm25: {{type: bm25}}, dense: {{type: dense}}, hybrid: {{type: hybrid, sources: [bm25, dense]}}}}
# default_retriever: hybrid
#
# A local LLM (a decoder in the Optimum / transformers.js ONNX layout, pulled the same way):
# generator: {{type: onnx, model: FOLDER}}
#
# A vLLM, TGI, llama.cpp or OpenAI server:
# generator: {{type: openai, base_url: "http://127.0.0.1:8000/v1", model: NAME, api_key_env: OPENAI_API_KEY}}
)",
                     fmt::arg("docs", docs));
}

int run_init(const InitArgs& args) {
  std::error_code ec;
  if (!fs::is_directory(args.docs, ec))
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: not a folder: give the folder of documents to answer from", args.docs);
  const fs::path config(args.config);
  if (fs::exists(config, ec) && !args.force)
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{} exists: give another --config FILE, or --force to replace it",
                     config.string());
  if (config.has_parent_path()) fs::create_directories(config.parent_path());
  {
    std::ofstream out(config, std::ios::binary | std::ios::trunc);
    out << starter_config(args.docs);
    if (!out) RAGRT_THROW_KIND(ErrorKind::kIo, "cannot write {}", config.string());
  }
  RagConfig::load(config);  // what was written must load: a mistake here is ragrt's, not the user's
  const std::string quoted = config.string().find(' ') == std::string::npos ? config.string() : "'" + config.string() + "'";
  const std::string docs = args.docs.find(' ') == std::string::npos ? args.docs : "'" + args.docs + "'";
  std::cout << fmt::format("wrote {} for the documents in {}. Next:\n", config.string(), args.docs)
            << fmt::format("  ragrt index {} --config {}\n", docs, quoted)
            << fmt::format("  ragrt ask \"your question\" --config {}   (or ragrt serve --config {} and open "
                           "http://127.0.0.1:8080/)\n",
                           quoted, quoted);
  return 0;
}

CommandRegistrar reg{{"init", "Write a starter config for a folder of documents, and say what to run next",
                      [](CLI::App& sub) {
                        auto args = std::make_shared<InitArgs>();
                        sub.add_option("docs", args->docs, "the folder of documents")->required();
                        sub.add_option("--config,-c", args->config, "the config file to write")->capture_default_str();
                        sub.add_flag("--force", args->force, "replace the config file if it exists");
                        return [args] { return run_init(*args); };
                      },
                      {"ragrt init docs/", "ragrt init ~/policies --config support.yaml"}}};

}  // namespace
}  // namespace ragrt::cli
