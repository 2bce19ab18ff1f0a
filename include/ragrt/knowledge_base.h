#pragma once
// A collection together with the models and retrievers its config names: what `ragrt index`,
// `ragrt search`, `ragrt eval` and the server work with.
#include <memory>
#include <string>
#include <vector>

#include "ragrt/collection.h"
#include "ragrt/embedder.h"
#include "ragrt/model_cache.h"
#include "ragrt/rag_config.h"
#include "ragrt/reranker.h"
#include "ragrt/retriever.h"

namespace ragrt {

struct SearchResult {
  Hit hit;
  StoredChunk chunk;
};

class KnowledgeBase {
 public:
  // Opens (writer: creating) the config's collection. Models load on first use, so a bm25-only
  // search never pays for the embedder; with `models` they are shared with other knowledge bases
  // of the same cache whose model settings are the same (a config reload). Throws ragrt::Error
  // naming what is wrong.
  static std::unique_ptr<KnowledgeBase> open(const RagConfig& config, bool writer, ModelCache::Build* models = nullptr);
  ~KnowledgeBase();

  const RagConfig& config() const;
  Collection& collection();
  const Collection& collection() const;
  // nullptr when the config has no embedder / reranker.
  const Embedder* embedder() const;
  const Reranker* reranker() const;
  // Embeddings for chunk texts (with the document prefix) / a query (with the query prefix).
  std::vector<std::vector<float>> embed_documents(const std::vector<std::string>& texts) const;
  std::vector<float> embed_query(std::string_view query) const;

  std::vector<std::string> retriever_names() const;
  // "" is the default retriever. Throws ragrt::Error listing the names when there is no such one.
  const Retriever& retriever(const std::string& name = "") const;
  // The retriever's hits with their chunks, best first.
  std::vector<SearchResult> search(const SearchRequest& request, const std::string& retriever = "") const;

 private:
  struct Impl;
  explicit KnowledgeBase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ragrt
