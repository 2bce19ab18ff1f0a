#pragma once
// The one YAML file that chooses a collection's components: where the index lives, how files are
// loaded and split, which embedding and rerank models run, the FAISS index type, and the named
// retrievers. Every path in it is relative to the file's own folder. Example:
//
//   collection: index/customer-service      # index folder: collection.sqlite + vectors-N.faiss
//   ingest: {text_fields: [text], id_field: id, title_field: title, metadata_fields: [lang]}
//   splitter: {chunk_tokens: 256, overlap_tokens: 32}   # tokenizer: DIR (default: the embedder's)
//   embedder: {model: models/all-MiniLM-L6-v2, query_prefix: "", document_prefix: "",
//              batch_size: 32, session: {providers: [cpu], intra_op_threads: 2}}
//             # type onnx (default); or {type: openai, base_url: …, model: …} (see embedder.h)
//   document_store: {type: sqlite}               # the default (see document_store.h)
//   vector_store: {type: faiss, factory: Flat}   # faiss factory string: Flat, HNSW32, IVF256,PQ16;
//                                                # or {type: exact} (see vector_store.h)
//   reranker: {model: models/ms-marco-MiniLM-L6-v2}   # type onnx; or cohere / tei (see reranker.h)
//   retrievers:
//     bm25: {type: bm25}
//     dense: {type: dense}
//     hybrid: {type: hybrid, sources: [bm25, dense], fusion: rrf, rrf_k: 60, candidates: 100,
//              mmr: {lambda: 0.7}, rerank: {top_n: 30}}
//   default_retriever: hybrid
//   (other retriever types: registered by the application in Registry<Retriever>, see registry.h)
//   generator: {type: onnx, model: models/qwen3-0.6b, sampling: {temperature: 0.3}}   # see generator_config.h
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "ragrt/document_store.h"
#include "ragrt/embedder.h"
#include "ragrt/generator_config.h"
#include "ragrt/loader.h"
#include "ragrt/ocr.h"
#include "ragrt/onnx_embedder.h"
#include "ragrt/onnx_reranker.h"
#include "ragrt/openai_embedder.h"
#include "ragrt/remote_reranker.h"
#include "ragrt/reranker.h"
#include "ragrt/splitter.h"
#include "ragrt/vector_store.h"
#include "ragrt/yaml_reader.h"

namespace ragrt {

// The `embedder:` section (see embedder.h for the types).
struct EmbedderConfig {
  std::string type = "onnx";    // onnx, openai, or a type registered in Registry<Embedder>
  std::filesystem::path model;  // onnx: the model folder
  EmbedderOptions options;      // onnx
  OpenAIEmbedderParams openai;  // openai
  // Prepended to queries / to chunks before embedding (E5: "query: " / "passage: "); any type.
  std::string query_prefix;
  std::string document_prefix;
  // Another type's section as written, without the prefixes (its factory reads it). Null for the
  // built-in types.
  YAML::Node section;
};

// The `reranker:` section (see reranker.h for the types).
struct RerankerConfig {
  std::string type = "onnx";    // onnx, cohere, tei, or a type registered in Registry<Reranker>
  std::filesystem::path model;  // onnx: the model folder
  RerankerOptions options;      // onnx
  RemoteRerankerParams remote;  // cohere, tei
  YAML::Node section;           // another type's section as written; null for the built-in types
};

enum class Fusion { kRrf, kWeighted };

struct MmrParams {
  double lambda = 0.7;      // 1: relevance only, 0: diversity only
  size_t candidates = 50;   // how many of the inner retriever's hits MMR chooses from
};

struct RerankParams {
  size_t top_n = 50;  // how many of the inner retriever's hits the cross-encoder scores
};

struct RetrieverConfig {
  std::string name;
  std::string type;  // bm25, dense, hybrid
  // hybrid: the retrievers fused (names of other entries, or the types bm25 / dense).
  std::vector<std::string> sources;
  Fusion fusion = Fusion::kRrf;
  double rrf_k = 60;            // RRF: score = sum over sources of weight / (rrf_k + rank)
  std::vector<double> weights;  // one per source; empty: all 1
  size_t candidates = 100;      // hits taken from each source before fusing
  std::optional<MmrParams> mmr;
  std::optional<RerankParams> rerank;
  // A type an application registered in Registry<Retriever>: its section as written (its factory
  // reads it; the mmr and rerank stages above still apply). Null for bm25, dense and hybrid.
  YAML::Node section;
};

struct RagConfig {
  std::filesystem::path file;        // where it was read from ("" when built in code)
  std::filesystem::path base_dir;    // what relative paths in it are relative to (its folder)
  std::filesystem::path collection;  // index folder
  LoaderOptions ingest;
  // `ocr:` (see read_ocr_config): how images and PDF pages without a text layer are read. Set by
  // default; nullopt when the section says `enabled: false` (or `ocr: false`).
  std::optional<OcrParams> ocr = OcrParams{};
  SplitterParams splitter;
  // Tokenizer that measures chunks: default the embedder's; without an embedder, words (runs of
  // letters or digits, each CJK character, each punctuation mark) are counted.
  std::filesystem::path splitter_tokenizer;
  std::optional<EmbedderConfig> embedder;
  std::shared_ptr<const DocumentStore> document_store;  // `document_store:`; default sqlite
  std::shared_ptr<const VectorStore> vector_store;      // `vector_store:`; default faiss Flat
  std::optional<RerankerConfig> reranker;
  std::vector<RetrieverConfig> retrievers;  // in file order
  std::string default_retriever;
  // How `ragrt ask` and the server answer: see include/ragrt/generator_config.h. Without the
  // section: the extractive generator, which needs no model.
  GeneratorConfig generator;
  YAML::Node generator_section;  // the `generator:` section as written (null without one)
  // Sections that ComponentGraph builds through the registries, kept as parsed YAML so that their
  // errors point at the file's lines: `tools:` (name -> {type: http|sql, …}), `memory:`,
  // `pipelines:` (name -> {type: rag_qa|agent, …}), `default_pipeline`.
  YAML::Node tools, memory, pipelines;
  std::string default_pipeline;
  // Audit traces of `ask` and the server: `traces: {dir: DIR}` or `traces: {enabled: false}`. Stored
  // by default, in <collection>/traces, because an assistant in front of customers must be auditable.
  bool store_traces = true;
  std::filesystem::path traces_dir;  // "" = <collection>/traces
  YAML::Node traces;                 // the section, for messages
  std::filesystem::path traces_folder() const { return traces_dir.empty() ? collection / "traces" : traces_dir; }
  // `server:` (API keys, limits, listen address) as written: `ragrt serve` reads and checks it (see
  // include/ragrt/server.h), so that other commands do not depend on the server's keys.
  YAML::Node server;
  std::string text;  // the file's bytes, for its version hash

  const RetrieverConfig* retriever(const std::string& name) const;
  // Reads the file's sections (the registries' factories get it): messages name this file, paths
  // resolve against base_dir.
  config::YamlReader reader() const { return {file, base_dir.empty() ? std::filesystem::path(".") : base_dir}; }

  // Reads and checks the file: unknown keys, wrong types, retrievers that need a missing embedder
  // or reranker, and hybrid sources that do not exist are errors naming the file, line and key;
  // every section is checked, and the error lists all of them. With `collected`, the mistakes in
  // the file go there instead of being thrown (the caller adds its own and throws them together).
  static RagConfig load(const std::filesystem::path& file, config::ConfigErrors* collected = nullptr);
  static RagConfig parse(const std::string& yaml, const std::filesystem::path& source,
                         const std::filesystem::path& base_dir, config::ConfigErrors* collected = nullptr);
  // No file: bm25 only, over `collection`.
  static RagConfig defaults(const std::filesystem::path& collection);
};

// The `embedder:` / `reranker:` sections: built-in types read in full (errors name file, line and
// key), other types checked to be registered and kept as their section.
// `ocr:` — absent: OCR on with the defaults of include/ragrt/ocr.h; `false` or `enabled: false`:
// off (images are refused, PDF pages without text stay empty). Keys: enabled, model_dir,
// detection_model, classifier_model, recognition_model, dictionary, classify_direction,
// detection_max_side, binary_threshold, box_threshold, unclip_ratio, max_boxes,
// direction_threshold, space_threshold, batch_size, low_confidence, max_image_side, dpi, session.
std::optional<OcrParams> read_ocr_config(const config::YamlReader& r, const YAML::Node& n);
EmbedderConfig read_embedder_config(const config::YamlReader& r, const YAML::Node& n, const std::string& key = "embedder");
RerankerConfig read_reranker_config(const config::YamlReader& r, const YAML::Node& n, const std::string& key = "reranker");
// Builds what the section describes (loading the onnx model): the built-in types from their
// fields, the others through their registry with `r` for messages.
std::shared_ptr<Embedder> make_embedder(const EmbedderConfig& c, const config::YamlReader& r);
std::shared_ptr<Reranker> make_reranker(const RerankerConfig& c, const config::YamlReader& r);
// Registry factories of the built-in types (onnx, openai / onnx, cohere, tei).
std::shared_ptr<Embedder> make_builtin_embedder(const ComponentSpec& spec);
std::shared_ptr<Reranker> make_builtin_reranker(const ComponentSpec& spec);

}  // namespace ragrt
