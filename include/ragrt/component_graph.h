#pragma once
// Everything one config file builds: the knowledge base (collection, embedder, reranker,
// retrievers), the generator, tools, conversation memory, trace store and pipelines. Immutable
// once built and shared by every request that started on it, so a reload can build a new graph
// next to it and swap while running requests finish on the old one.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ragrt/conversation_memory.h"
#include "ragrt/generator.h"
#include "ragrt/knowledge_base.h"
#include "ragrt/model_cache.h"
#include "ragrt/pipeline.h"
#include "ragrt/rag_config.h"
#include "ragrt/tool.h"
#include "ragrt/trace.h"

namespace ragrt {

namespace tools {
class ToolSet;
}

class ComponentGraph {
 public:
  // Reads and validates `file`, then builds every component (the generator loads now, embedder
  // and reranker on first use). With `check_only` (`ragrt config check`) it stops before opening
  // the collection and the generator. With `models`, models whose settings match ones of the
  // previous build of the same cache are shared (see LiveGraph). Throws ragrt::Error naming file,
  // line, column and key: every mistake of the file in one message, a line each. `earlier`: the
  // mistakes already found in the file's sections (RagConfig::load's `collected`), reported with
  // the graph's own.
  static std::shared_ptr<const ComponentGraph> load(const std::filesystem::path& file, bool check_only = false);
  static std::shared_ptr<const ComponentGraph> build(RagConfig config, bool check_only = false,
                                                     ModelCache::Build* models = nullptr,
                                                     config::ConfigErrors* earlier = nullptr);
  // Without a file: a keyword-only collection, the extractive generator, one rag_qa pipeline.
  static std::shared_ptr<const ComponentGraph> defaults(const std::filesystem::path& collection);

  const RagConfig& config() const { return config_; }
  // sha256 of the file's bytes, first 12 hex digits: which config a trace ran on.
  const std::string& version() const { return version_; }
  KnowledgeBase& knowledge_base() const { return *kb_; }  // not after check_only
  Generator& generator() const { return *generator_; }     // not after check_only
  const tools::ToolSet& tools() const { return *tools_; }
  ConversationMemory* memory() const { return memory_.get(); }  // nullptr without `memory:`
  TraceStore* traces() const { return traces_.get(); }         // nullptr without `traces:`
  // "" = the default pipeline. Throws ragrt::Error listing the names when there is no such one.
  const Pipeline& pipeline(const std::string& name = "") const;
  std::vector<std::string> pipeline_names() const;
  const std::string& default_pipeline() const { return default_pipeline_; }
  // Tokens of a message with the generator's tokenizer when it has one, else an estimate.
  size_t count_tokens(const ChatMessage& message) const;

  // Runs a pipeline with a trace: the trace is stored when the config has `traces:`.
  PipelineResult run(const std::string& pipeline, const PipelineRequest& request) const;

 private:
  ComponentGraph() = default;
  RagConfig config_;
  std::string version_;
  std::shared_ptr<KnowledgeBase> kb_;
  std::shared_ptr<Generator> generator_;
  std::shared_ptr<tools::ToolSet> tools_;
  std::shared_ptr<ConversationMemory> memory_;
  std::shared_ptr<TraceStore> traces_;
  std::map<std::string, std::shared_ptr<Pipeline>> pipelines_;
  std::string default_pipeline_;
};

}  // namespace ragrt
