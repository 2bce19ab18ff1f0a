#include "ragrt/knowledge_base.h"

#include <map>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ragrt/error.h"
#include "ragrt/registry.h"
#include "retrieve/bm25_retriever.h"
#include "retrieve/dense_retriever.h"
#include "retrieve/fusion.h"
#include "retrieve/mmr.h"
#include "retrieve/rerank_retriever.h"

namespace ragrt {

struct KnowledgeBase::Impl {
  RagConfig config;
  std::unique_ptr<Collection> collection;

  // Possibly shared with the knowledge base of another graph over the same settings (reload).
  std::shared_ptr<Lazy<Embedder>> embedder;
  std::shared_ptr<Lazy<Reranker>> reranker;

  // Base retrievers by name (the implicit "bm25" / "dense" too), then the stage decorators; the
  // public name maps to the outermost one.
  std::vector<std::shared_ptr<Retriever>> owned;
  std::map<std::string, const Retriever*> base;
  std::map<std::string, const Retriever*> by_name;

  const Embedder& need_embedder() const {
    RAGRT_THROW_IF_NOT_KIND(config.embedder, ErrorKind::kInvalidArgument,
                            "{}: no `embedder:` section, so dense retrieval is not available", config.file.string());
    return embedder->get([&] { return make_embedder(*config.embedder, config.reader()); });
  }
  const Reranker& need_reranker() const {
    RAGRT_THROW_IF_NOT_KIND(config.reranker, ErrorKind::kInvalidArgument,
                            "{}: no `reranker:` section, so reranking is not available", config.file.string());
    return reranker->get([&] { return make_reranker(*config.reranker, config.reader()); });
  }

  std::vector<float> embed_query(std::string_view q) const {
    const Embedder& e = need_embedder();
    return e.embed(config.embedder->query_prefix + std::string(q));
  }

  const KnowledgeBase* self = nullptr;

  const Retriever* keep(std::shared_ptr<Retriever> r) {
    owned.push_back(std::move(r));
    return owned.back().get();
  }

  const Retriever* make_base(const RetrieverConfig& rc) {
    if (auto it = base.find(rc.name); it != base.end()) return it->second;
    const Retriever* r = nullptr;
    if (rc.type == "bm25") {
      r = keep(std::make_unique<retrieve::Bm25Retriever>(rc.name, collection->keywords()));
    } else if (rc.type == "dense") {
      r = keep(std::make_unique<retrieve::DenseRetriever>(
          rc.name, [this](std::string_view q) { return embed_query(q); },
          [this] { return collection->vectors(); }, collection->store()));
    } else if (rc.section.IsMap()) {
      const config::YamlReader reader = config.reader();
      ComponentSpec spec{rc.name, "retrievers." + rc.name, rc.section, &reader};
      spec.knowledge_base = self;
      r = keep(Registry<Retriever>::instance().create(spec));
    } else {
      std::vector<const Retriever*> sources;
      for (const std::string& s : rc.sources) {
        const RetrieverConfig* named = config.retriever(s);
        RetrieverConfig implicit;
        if (!named) {
          implicit.name = implicit.type = s;
          named = &implicit;
        }
        // A source is fused on its base form: its own MMR / rerank stages belong to its own results.
        sources.push_back(make_base(*named));
      }
      r = keep(std::make_unique<retrieve::HybridRetriever>(rc.name, sources, rc.weights, rc.fusion, rc.rrf_k,
                                                            rc.candidates));
    }
    base[rc.name] = r;
    return r;
  }

  void build() {
    for (const RetrieverConfig& rc : config.retrievers) {
      const Retriever* r = make_base(rc);
      if (rc.mmr) {
        r = keep(std::make_unique<retrieve::MmrRetriever>(
            rc.name, *r, [this](std::string_view q) { return embed_query(q); }, collection->store(), *rc.mmr));
      }
      if (rc.rerank) {
        r = keep(std::make_unique<retrieve::RerankRetriever>(
            rc.name, *r,
            [this](std::string_view q, const std::vector<std::string>& passages) {
              return need_reranker().score(q, passages);
            },
            collection->store(), *rc.rerank));
      }
      by_name[rc.name] = r;
    }
  }
};

KnowledgeBase::KnowledgeBase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KnowledgeBase::~KnowledgeBase() = default;

std::unique_ptr<KnowledgeBase> KnowledgeBase::open(const RagConfig& config, bool writer, ModelCache::Build* models) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  ModelCache::Build unshared = ModelCache::no_cache();
  if (!models) models = &unshared;
  // The prefixes are applied here, not by the model: changing them must not reload it.
  impl->embedder = models->entry<Embedder>(section_fingerprint(config, "embedder", {"query_prefix", "document_prefix"}));
  impl->reranker = models->entry<Reranker>(section_fingerprint(config, "reranker"));
  CollectionParams p;
  p.folder = config.collection;
  p.vector_store = config.vector_store;
  p.create = writer;
  p.writer = writer;
  p.document_store = config.document_store;
  impl->collection = Collection::open(p);
  // Remote and application types are cheap to make (a client, a lazily loading model): made now,
  // a mistake in their section fails this build (and a reload keeps the old graph) rather than
  // the first query. Local ONNX models load on first use.
  if (config.embedder && config.embedder->type != "onnx") impl->need_embedder();
  if (config.reranker && config.reranker->type != "onnx") impl->need_reranker();
  std::unique_ptr<KnowledgeBase> kb(new KnowledgeBase(std::move(impl)));
  kb->impl_->self = kb.get();
  kb->impl_->build();
  return kb;
}

const RagConfig& KnowledgeBase::config() const { return impl_->config; }
Collection& KnowledgeBase::collection() { return *impl_->collection; }
const Collection& KnowledgeBase::collection() const { return *impl_->collection; }
const Embedder* KnowledgeBase::embedder() const {
  return impl_->config.embedder ? &impl_->need_embedder() : nullptr;
}
const Reranker* KnowledgeBase::reranker() const {
  return impl_->config.reranker ? &impl_->need_reranker() : nullptr;
}

std::vector<std::vector<float>> KnowledgeBase::embed_documents(const std::vector<std::string>& texts) const {
  const Embedder& e = impl_->need_embedder();
  const std::string& prefix = impl_->config.embedder->document_prefix;
  if (prefix.empty()) return e.embed(texts);
  std::vector<std::string> prefixed;
  prefixed.reserve(texts.size());
  for (const auto& t : texts) prefixed.push_back(prefix + t);
  return e.embed(prefixed);
}

std::vector<float> KnowledgeBase::embed_query(std::string_view query) const { return impl_->embed_query(query); }

std::vector<std::string> KnowledgeBase::retriever_names() const {
  std::vector<std::string> names;
  for (const auto& rc : impl_->config.retrievers) names.push_back(rc.name);
  return names;
}

const Retriever& KnowledgeBase::retriever(const std::string& name) const {
  const std::string& n = name.empty() ? impl_->config.default_retriever : name;
  auto it = impl_->by_name.find(n);
  if (it == impl_->by_name.end())
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "no retriever named '{}' (configured: {})", n,
                     fmt::join(retriever_names(), ", "));
  return *it->second;
}

std::vector<SearchResult> KnowledgeBase::search(const SearchRequest& request, const std::string& name) const {
  std::vector<Hit> hits = retriever(name).search(request);
  std::vector<int64_t> ids;
  for (const Hit& h : hits) ids.push_back(h.chunk_id);
  std::unordered_map<int64_t, StoredChunk> chunks;
  for (auto& c : impl_->collection->store().chunks(ids)) chunks.emplace(c.id, std::move(c));
  std::vector<SearchResult> out;
  for (Hit& h : hits) {
    auto it = chunks.find(h.chunk_id);
    if (it == chunks.end()) continue;  // removed by a concurrent writer since the search
    out.push_back({std::move(h), std::move(it->second)});
  }
  return out;
}

}  // namespace ragrt
