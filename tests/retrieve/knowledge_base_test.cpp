// The whole pipeline on small hand-made folders with the synthetic (random-weight) embedder and
// cross-encoder: scores mean nothing, but identical texts embed identically, so exact-match
// queries and filters can be checked, and the stage bookkeeping is real.
#include "ragrt/knowledge_base.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include <nlohmann/json.hpp>

#include "loopback_server.h"
#include "models/pooling.h"
#include "ragrt/error.h"
#include "ragrt/indexer.h"
#include "ragrt/registry.h"
#include "runtime/test_models.h"
#include "test_helpers.h"
#include "word_vectors.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ragrt::testing::read_file;
using ragrt::testing::test_model_dir;

class KnowledgeBaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(RAGRT_TEST_WORK_DIR) / "knowledge_base" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "docs" / "policies");
    write("docs/policies/refunds.md",
          "# Refunds\n\nRefunds are paid within five working days after the returned item has arrived at our warehouse and has been checked by our team.\n\n## Exceptions\n\nGift cards cannot be refunded.\n");
    write("docs/shipping.txt", "Parcels ship from Berlin. Delivery takes two days.");
    write("docs/faq.jsonl",
          "{\"id\": \"q1\", \"title\": \"Opening hours\", \"text\": \"The shop opens at nine.\", \"lang\": \"en\"}\n"
          "{\"id\": \"q2\", \"title\": \"Öffnungszeiten\", \"text\": \"Der Laden öffnet um neun.\", \"lang\": \"de\"}\n");
  }

  void write(const std::string& rel, const std::string& text) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  RagConfig config(bool models = true) {
    std::string yaml = "collection: index\ningest: {metadata_fields: [lang]}\nsplitter: {chunk_tokens: 32, overlap_tokens: 4}\n";
    if (models) {
      yaml += "embedder: {model: " + test_model_dir("bert-mean").string() + "}\n";
      yaml += "reranker: {model: " + test_model_dir("cross-encoder").string() + "}\n";
      yaml += R"(retrievers:
  bm25: {type: bm25}
  dense: {type: dense}
  hybrid: {type: hybrid, sources: [bm25, dense], rrf_k: 60}
  weighted: {type: hybrid, fusion: weighted, weights: [1, 2]}
  diverse: {type: dense, mmr: {lambda: 0.5, candidates: 10}}
  reranked: {type: hybrid, rerank: {top_n: 5}}
)";
    }
    std::ofstream(dir_ / "ragrt.yaml") << yaml;
    return RagConfig::load(dir_ / "ragrt.yaml");
  }

  std::unique_ptr<KnowledgeBase> indexed(bool models = true) {
    auto kb = KnowledgeBase::open(config(models), true);
    IndexReport r = index_paths(*kb, {dir_ / "docs"});
    EXPECT_TRUE(r.failures.empty());
    return kb;
  }

  fs::path dir_;
};

std::vector<std::string> docs_of(const std::vector<SearchResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.chunk.chunk.doc_id);
  return out;
}

TEST_F(KnowledgeBaseTest, IndexesAFolderWithSectionsRecordsAndMetadata) {
  auto kb = indexed();
  std::vector<std::string> ids;
  for (const auto& d : kb->collection().store().documents()) ids.push_back(d.id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("policies/refunds.md", "shipping.txt", "faq.jsonl#q1", "faq.jsonl#q2"));
  auto hits = kb->search({"gift cards", 3, {}}, "bm25");
  ASSERT_FALSE(hits.empty());
  const Chunk& c = hits[0].chunk.chunk;
  EXPECT_EQ(c.doc_id, "policies/refunds.md");
  EXPECT_EQ(c.section, "Refunds > Exceptions");
  // Offsets cite the source exactly (.md text is the file's bytes).
  std::ifstream in(dir_ / "docs/policies/refunds.md", std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(file.substr(c.begin, c.end - c.begin), c.text);
  EXPECT_THAT(c.text, HasSubstr("Gift cards"));
  EXPECT_EQ(kb->collection().vectors()->size(), kb->collection().store().chunk_count());
}

TEST_F(KnowledgeBaseTest, DenseFindsTheChunkWhoseTextIsTheQuery) {
  auto kb = indexed();
  auto hits = kb->search({"Parcels ship from Berlin. Delivery takes two days.", 3, {}}, "dense");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].chunk.chunk.doc_id, "shipping.txt");
  EXPECT_NEAR(hits[0].hit.stages.at("dense"), 1.0, 1e-4);
  EXPECT_EQ(hits[0].hit.ranks.at("dense"), 1u);
}

TEST_F(KnowledgeBaseTest, SwappingTheVectorStoreIsOneLineAndGivesTheSameHits) {
  std::vector<std::pair<int64_t, double>> flat;
  {
    auto kb = indexed();
    for (const auto& r : kb->search({"Delivery takes two days.", 5, {}}, "dense")) flat.emplace_back(r.hit.chunk_id, r.hit.score);
    kb->collection().save_vectors();
  }
  ASSERT_FALSE(flat.empty());
  // The same collection with `vector_store: {type: exact}`: rebuilt from the stored embeddings.
  std::string yaml = read_file(dir_ / "ragrt.yaml");
  yaml += "vector_store: {type: exact}\n";
  std::ofstream(dir_ / "ragrt.yaml") << yaml;
  auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), false);
  auto hits = kb->search({"Delivery takes two days.", 5, {}}, "dense");
  ASSERT_EQ(hits.size(), flat.size());
  for (size_t i = 0; i < hits.size(); ++i) {
    EXPECT_EQ(hits[i].hit.chunk_id, flat[i].first) << i;
    EXPECT_NEAR(hits[i].hit.score, flat[i].second, 1e-5) << i;
  }
  EXPECT_THAT(kb->collection().vectors()->description(), HasSubstr("exact scan"));

  std::ofstream(dir_ / "ragrt.yaml") << yaml + "vector_index: {factory: Flat}\n";
  EXPECT_THROW(RagConfig::load(dir_ / "ragrt.yaml"), Error);
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nvector_store: {type: annoy}\n";
  try {
    RagConfig::load(dir_ / "ragrt.yaml");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("ragrt.yaml:2:"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("unknown type 'annoy' (registered: exact, faiss)"));
  }
}

TEST_F(KnowledgeBaseTest, AReaderSeesWhatAnotherWriterCommitted) {
  { indexed(); }
  // A server's knowledge base stays open while `ragrt index` (or an upload job) adds documents.
  auto reader = KnowledgeBase::open(config(), false);
  const std::shared_ptr<const VectorIndex> before = reader->collection().vectors();
  ASSERT_NE(before, nullptr);
  const size_t chunks_before = before->size();
  write("docs/returns.txt", "Returns are free within thirty days of delivery.");
  {
    auto writer = KnowledgeBase::open(config(), true);
    EXPECT_TRUE(index_paths(*writer, {dir_ / "docs"}).failures.empty());
  }
  auto hits = reader->search({"Returns are free within thirty days of delivery.", 1, {}}, "dense");
  EXPECT_THAT(docs_of(hits), ElementsAre("returns.txt"));
  EXPECT_THAT(docs_of(reader->search({"thirty days", 1, {}}, "bm25")), ElementsAre("returns.txt"));
  EXPECT_EQ(reader->collection().vectors()->size(), chunks_before + 1);
  EXPECT_EQ(before->size(), chunks_before);  // the index a search was holding is still intact
}

TEST_F(KnowledgeBaseTest, FiltersApplyToEveryRetriever) {
  auto kb = indexed();
  for (const std::string name : {"bm25", "dense", "hybrid", "weighted", "diverse", "reranked"}) {
    SearchRequest by_meta{"The shop opens at nine.", 10, {}};
    by_meta.filter.metadata = {{"lang", "de"}};
    EXPECT_THAT(docs_of(kb->search(by_meta, name)), ::testing::Each("faq.jsonl#q2")) << name;
    SearchRequest by_doc{"refunds days parcels", 10, {}};
    by_doc.filter.doc_ids = {"shipping.txt"};
    EXPECT_THAT(docs_of(kb->search(by_doc, name)), ::testing::Each("shipping.txt")) << name;
    SearchRequest by_section{"gift cards refunds", 10, {}};
    by_section.filter.section_prefix = "Refunds > Exc";
    auto hits = kb->search(by_section, name);
    ASSERT_FALSE(hits.empty()) << name;
    for (const auto& h : hits) EXPECT_EQ(h.chunk.chunk.section, "Refunds > Exceptions") << name;
  }
}

TEST_F(KnowledgeBaseTest, StagesAreRecordedAndRerankOrderFollowsTheCrossEncoder) {
  auto kb = indexed();
  const std::string query = "When are refunds paid?";
  auto hybrid = kb->search({query, 5, {}}, "hybrid");
  ASSERT_FALSE(hybrid.empty());
  EXPECT_TRUE(hybrid[0].hit.stages.count("fused"));
  auto reranked = kb->search({query, 5, {}}, "reranked");
  ASSERT_GE(reranked.size(), 2u);
  std::vector<std::string> passages;
  for (const auto& r : reranked) passages.push_back(r.chunk.chunk.text);
  const std::vector<float> direct = kb->reranker()->score(query, passages);
  for (size_t i = 0; i < reranked.size(); ++i) {
    EXPECT_NEAR(reranked[i].hit.stages.at("rerank"), direct[i], 1e-5);
    EXPECT_TRUE(reranked[i].hit.stages.count("fused"));
    if (i) EXPECT_GE(direct[i - 1], direct[i]);
  }
  auto diverse = kb->search({query, 3, {}}, "diverse");
  ASSERT_FALSE(diverse.empty());
  EXPECT_TRUE(diverse[0].hit.stages.count("mmr"));
  EXPECT_THROW(kb->retriever("nope"), Error);
}

TEST_F(KnowledgeBaseTest, ReindexingIsIncremental) {
  {
    auto kb = indexed();
    IndexReport again = index_paths(*kb, {dir_ / "docs"});
    EXPECT_EQ(again.totals.files_unchanged, 3u);
    EXPECT_EQ(again.totals.files_indexed, 0u);
    EXPECT_EQ(again.totals.embeddings, 0u);

    // A changed file replaces its chunks; a record gone from a changed jsonl goes with it.
    write("docs/shipping.txt", "Parcels ship from Hamburg now.");
    write("docs/faq.jsonl", "{\"id\": \"q1\", \"text\": \"The shop opens at ten.\", \"lang\": \"en\"}\n");
    IndexReport changed = index_paths(*kb, {dir_ / "docs"});
    EXPECT_EQ(changed.totals.files_indexed, 2u);
    EXPECT_EQ(changed.totals.files_unchanged, 1u);
    EXPECT_EQ(changed.totals.removed, 1u);  // faq.jsonl#q2
    EXPECT_TRUE(kb->search({"Berlin", 5, {}}, "bm25").empty());
    EXPECT_THAT(docs_of(kb->search({"Hamburg", 5, {}}, "bm25")), ElementsAre("shipping.txt"));
    EXPECT_EQ(kb->collection().vectors()->size(), kb->collection().store().chunk_count());
  }
  // Deleted files leave only with --prune; a reopened collection sees the same state.
  fs::remove(dir_ / "docs/shipping.txt");
  auto kb = KnowledgeBase::open(config(), true);
  EXPECT_EQ(index_paths(*kb, {dir_ / "docs"}).totals.removed, 0u);
  EXPECT_FALSE(kb->search({"Hamburg", 5, {}}, "bm25").empty());
  IndexOptions prune;
  prune.prune = true;
  EXPECT_EQ(index_paths(*kb, {dir_ / "docs"}, prune).totals.removed, 1u);
  EXPECT_TRUE(kb->search({"Hamburg", 5, {}}, "bm25").empty());
  EXPECT_EQ(kb->collection().vectors()->size(), kb->collection().store().chunk_count());
}

TEST_F(KnowledgeBaseTest, BadFilesAreReportedAndSkippedWithoutLosingWhatWasIndexed) {
  auto kb = indexed();
  write("docs/notes.xyz", "unknown format");
  write("docs/faq.jsonl", "{\"id\": \"q1\", \"text\": \"ok\"}\nthis line is not json\n");
  write("docs/bad.txt", std::string("caf\xe9 latin-1"));
  std::vector<std::string> reported;
  IndexOptions o;
  o.on_failure = [&](const IndexFailure& f) { reported.push_back(f.file.filename().string() + ": " + f.reason); };
  IndexReport r = index_paths(*kb, {dir_ / "docs"}, o);
  EXPECT_EQ(r.totals.files_failed, 3u);
  ASSERT_EQ(reported.size(), 3u);
  EXPECT_THAT(reported, ::testing::Contains(HasSubstr("notes.xyz: unknown file type")));
  EXPECT_THAT(reported, ::testing::Contains(HasSubstr("line 2")));
  EXPECT_THAT(reported, ::testing::Contains(HasSubstr("bad.txt")));
  // The broken edit of faq.jsonl kept both of its previously indexed records.
  EXPECT_FALSE(kb->search({"neun", 5, {}}, "bm25").empty());
  EXPECT_EQ(r.totals.files_unchanged, 2u);
}

TEST_F(KnowledgeBaseTest, KeywordOnlyCollectionNeedsNoModels) {
  auto kb = indexed(/*models=*/false);
  EXPECT_EQ(kb->embedder(), nullptr);
  EXPECT_EQ(kb->collection().vectors(), nullptr);
  EXPECT_THAT(docs_of(kb->search({"gift cards", 1, {}})), ElementsAre("policies/refunds.md"));
}

TEST_F(KnowledgeBaseTest, OneWriterAtATime) {
  auto kb = KnowledgeBase::open(config(false), true);
  try {
    auto second = KnowledgeBase::open(config(false), true);
    FAIL() << "two writers opened one collection";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("another ragrt process is writing"));
  }
  EXPECT_NO_THROW(KnowledgeBase::open(config(false), false));  // readers are welcome
}

// An application's retriever type: every chunk of one document, in id order, as a knowledge-base
// plug-in would be written (it searches through the KnowledgeBase it is given).
class DocumentRetriever : public Retriever {
 public:
  DocumentRetriever(std::string name, std::string doc, const KnowledgeBase* kb)
      : name_(std::move(name)), doc_(std::move(doc)), kb_(kb) {}
  std::string name() const override { return name_; }
  std::vector<Hit> search(const SearchRequest& request) const override {
    SearchFilter filter = request.filter;
    filter.doc_ids = {doc_};
    std::vector<Hit> hits;
    for (int64_t id : kb_->collection().store().matching_ids(filter, request.k)) {
      Hit h;
      h.chunk_id = id;
      h.score = 1.0 / (1 + hits.size());
      h.stages[name_] = h.score;
      hits.push_back(h);
    }
    return hits;
  }

 private:
  std::string name_, doc_;
  const KnowledgeBase* kb_;
};

TEST_F(KnowledgeBaseTest, ARegisteredRetrieverTypeIsPickedByName) {
  Registry<Retriever>::instance().add("document", [](const ComponentSpec& s) {
    s.reader->only_keys(s.node, s.key, {"type", "doc", "rerank"});
    return std::make_shared<DocumentRetriever>(s.name, s.reader->string(s.node["doc"], s.key + ".doc"), s.knowledge_base);
  });
  indexed(/*models=*/false);
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nreranker: {model: " + test_model_dir("cross-encoder").string() +
                                            "}\nretrievers:\n  bm25: {type: bm25}\n"
                                            "  shipping: {type: document, doc: shipping.txt}\n"
                                            "  checked: {type: document, doc: policies/refunds.md, rerank: {top_n: 5}}\n"
                                            "  both: {type: hybrid, sources: [bm25, shipping]}\n";
  auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), false);
  EXPECT_THAT(docs_of(kb->search({"anything at all", 5, {}}, "shipping")), ElementsAre("shipping.txt"));
  // The built-in stages and fusion work on it as on the built-in types.
  auto reranked = kb->search({"gift cards", 5, {}}, "checked");
  ASSERT_FALSE(reranked.empty());
  EXPECT_TRUE(reranked[0].hit.stages.count("rerank"));
  auto fused = docs_of(kb->search({"gift cards", 10, {}}, "both"));
  EXPECT_THAT(fused, ::testing::Contains("shipping.txt"));
  EXPECT_THAT(fused, ::testing::Contains("policies/refunds.md"));
  // Its factory checks its own keys; an unknown type lists the registered ones.
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nretrievers:\n  s: {type: document, doc: a, limit: 3}\n";
  EXPECT_THAT(testing::error_of([&] { KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), false); },
                                ErrorKind::kInvalidArgument),
              HasSubstr("ragrt.yaml:3:"));
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nretrievers:\n  s: {type: splade}\n";
  EXPECT_THAT(testing::error_of([&] { RagConfig::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument),
              HasSubstr("unknown type 'splade' (registered: bm25, dense, hybrid, document)"));
}

std::vector<float> unit_word_vector(const std::string& text, size_t dims = 64) {
  std::vector<float> v = testing::word_vector(text, dims);
  models::l2_normalize(v);
  return v;
}

// An application's embedder type, made by its factory from its own keys.
class WordEmbedder final : public Embedder {
 public:
  explicit WordEmbedder(size_t dims) : dims_(dims) {}
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts) const override {
    std::vector<std::vector<float>> out;
    for (const auto& t : texts) out.push_back(unit_word_vector(t, dims_));
    return out;
  }
  size_t dimension() const override { return dims_; }
  std::string description() const override { return "words"; }

 private:
  size_t dims_;
};

TEST_F(KnowledgeBaseTest, ARegisteredEmbedderTypeIsPickedByName) {
  Registry<Embedder>::instance().add("words", [](const ComponentSpec& s) {
    s.reader->only_keys(s.node, s.key, {"type", "dims"});  // the prefixes are ragrt's, not its
    return std::make_shared<WordEmbedder>(s.reader->count(s.node["dims"], s.key + ".dims", 1));
  });
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nembedder: {type: words, dims: 128, query_prefix: 'q: '}\n";
  {
    auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), true);
    EXPECT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
    EXPECT_EQ(kb->embedder()->description(), "words");
    EXPECT_EQ(kb->collection().vector_dim(), 128u);
    EXPECT_THAT(docs_of(kb->search({"when do parcels ship from Berlin", 1, {}}, "dense")), ElementsAre("shipping.txt"));
    EXPECT_THAT(docs_of(kb->search({"gift cards refunded", 1, {}}, "hybrid")), ElementsAre("policies/refunds.md"));
  }
  // Its factory runs when the knowledge base opens: a mistake in its keys fails there, with the line.
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nembedder: {type: words, size: 3}\n";
  const RagConfig bad = RagConfig::load(dir_ / "ragrt.yaml");
  EXPECT_THAT(testing::error_of([&] { KnowledgeBase::open(bad, false); }, ErrorKind::kInvalidArgument),
              HasSubstr("ragrt.yaml:2:"));
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nembedder: {type: glove}\n";
  EXPECT_THAT(testing::error_of([&] { RagConfig::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument),
              HasSubstr("embedder.type: unknown type 'glove' (registered: onnx, openai, words)"));
}

TEST_F(KnowledgeBaseTest, EmbeddingAndRerankServersAreOneLineAway) {
  using json = nlohmann::json;
  // One server for both APIs: word vectors, and a rerank score that counts the query's words in
  // the passage.
  testing::LoopbackServer<std::string> server(
      [](const httplib::Request& req) { return req.path; },
      [](int, const httplib::Request& req, httplib::Response& res) {
        json in = json::parse(req.body);
        if (req.path == "/v1/embeddings") {
          json data = json::array();
          for (size_t i = 0; i < in["input"].size(); ++i)
            data.push_back({{"index", i}, {"embedding", testing::word_vector(in["input"][i].get<std::string>())}});
          res.set_content(json{{"data", data}}.dump(), "application/json");
        } else {
          json results = json::array();
          const std::vector<float> q = testing::word_vector(in["query"].get<std::string>());
          for (size_t i = 0; i < in["documents"].size(); ++i) {
            const std::vector<float> d = testing::word_vector(in["documents"][i].get<std::string>());
            double shared = 0;
            for (size_t k = 0; k + 1 < q.size(); ++k) shared += std::min(q[k], d[k]);
            results.push_back({{"index", i}, {"relevance_score", shared}});
          }
          res.set_content(json{{"results", results}}.dump(), "application/json");
        }
      });
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/v1";
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\n"
                                        "embedder: {type: openai, base_url: " + url + ", model: words}\n"
                                        "reranker: {type: cohere, base_url: " + url + "}\n"
                                        "retrievers:\n  dense: {type: dense}\n  checked: {type: hybrid, rerank: {top_n: 5}}\n";
  auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), true);
  EXPECT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
  EXPECT_THAT(docs_of(kb->search({"when do parcels ship from Berlin", 1, {}}, "dense")), ElementsAre("shipping.txt"));
  auto checked = kb->search({"can gift cards be refunded", 3, {}}, "checked");
  ASSERT_FALSE(checked.empty());
  EXPECT_EQ(checked[0].chunk.chunk.doc_id, "policies/refunds.md");
  EXPECT_TRUE(checked[0].hit.stages.count("rerank"));
  auto paths = server.requests();
  EXPECT_THAT(paths, ::testing::Contains("/v1/embeddings"));
  EXPECT_THAT(paths, ::testing::Contains("/v1/rerank"));
  // A bad base_url is a config error with its line, before anything is sent.
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\nembedder: {type: openai, base_url: 'tei:8080'}\n";
  EXPECT_THAT(testing::error_of([&] { RagConfig::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument),
              HasSubstr("ragrt.yaml:2:"));
}

TEST_F(KnowledgeBaseTest, TheDocumentStoreIsPickedByName) {
  static std::atomic<int> opened{0};
  // An application's store: here the SQLite one, counting how often it is opened.
  class CountedStore final : public DocumentStore {
   public:
    std::string type() const override { return "counted"; }
    std::unique_ptr<DocumentDatabase> open(const fs::path& folder, bool create) const override {
      ++opened;
      return make_sqlite_document_store()->open(folder, create);
    }
  };
  Registry<DocumentStore>::instance().add("counted", [](const ComponentSpec&) { return std::make_shared<CountedStore>(); });
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\ndocument_store: {type: counted}\n";
  auto kb = KnowledgeBase::open(RagConfig::load(dir_ / "ragrt.yaml"), true);
  EXPECT_TRUE(index_paths(*kb, {dir_ / "docs"}).failures.empty());
  EXPECT_THAT(docs_of(kb->search({"gift cards", 1, {}}, "bm25")), ElementsAre("policies/refunds.md"));
  EXPECT_EQ(opened.load(), 1);
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\ndocument_store: {type: mongodb}\n";
  EXPECT_THAT(testing::error_of([&] { RagConfig::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument),
              HasSubstr("document_store.type: unknown type 'mongodb' (registered: counted, sqlite)"));
  std::ofstream(dir_ / "ragrt.yaml") << "collection: index\ndocument_store: {type: sqlite, file: x.db}\n";
  EXPECT_THAT(testing::error_of([&] { RagConfig::load(dir_ / "ragrt.yaml"); }, ErrorKind::kInvalidArgument),
              HasSubstr("ragrt.yaml:2:"));
}

}  // namespace
}  // namespace ragrt
