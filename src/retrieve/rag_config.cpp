#include "ragrt/rag_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "ragrt/error.h"
#include "ragrt/registry.h"
#include "ragrt/retriever.h"
#include "ragrt/yaml_reader.h"

namespace ragrt {
namespace {

namespace fs = std::filesystem;

using Reader = config::YamlReader;
using config::yaml_to_json;

// The keys of the built-in types: hybrid fusion (sources, fusion, rrf_k, weights) and candidates.
void read_fusion(const Reader& r, const YAML::Node& n, const std::string& key, RetrieverConfig& c) {
  if (n["sources"]) c.sources = r.strings(n["sources"], key + ".sources");
  if (c.type == "hybrid" && c.sources.empty()) c.sources = {"bm25", "dense"};
  if (c.type != "hybrid" && (n["sources"] || n["fusion"] || n["weights"]))
    r.fail(n, key, "sources, fusion and weights apply to type hybrid only");
  if (n["fusion"]) {
    const std::string f = r.string(n["fusion"], key + ".fusion");
    if (f == "rrf") c.fusion = Fusion::kRrf;
    else if (f == "weighted") c.fusion = Fusion::kWeighted;
    else r.fail(n["fusion"], key + ".fusion", fmt::format("unknown fusion '{}' (expected rrf or weighted)", f));
  }
  if (n["rrf_k"]) {
    c.rrf_k = r.number(n["rrf_k"], key + ".rrf_k");
    if (c.rrf_k < 0) r.fail(n["rrf_k"], key + ".rrf_k", "must not be negative");
  }
  if (n["weights"]) {
    if (!n["weights"].IsSequence()) r.fail(n["weights"], key + ".weights", "expected a list of numbers");
    for (const auto& w : n["weights"]) c.weights.push_back(r.number(w, key + ".weights"));
    if (c.weights.size() != c.sources.size())
      r.fail(n["weights"], key + ".weights",
             fmt::format("{} weights for {} sources: give one weight per source", c.weights.size(), c.sources.size()));
  }
  if (n["candidates"]) c.candidates = r.count(n["candidates"], key + ".candidates", 1);
}

RetrieverConfig read_retriever(const Reader& r, const std::string& name, const YAML::Node& n) {
  const std::string key = "retrievers." + name;
  r.require_map(n, key);
  RetrieverConfig c;
  c.name = name;
  if (!n["type"]) r.fail(n, key, "needs a type: bm25, dense or hybrid");
  c.type = r.string(n["type"], key + ".type");
  const bool registered = c.type != "bm25" && c.type != "dense" && c.type != "hybrid";
  if (registered) {
    // An application's type: its factory reads its own keys when the knowledge base opens; the
    // mmr and rerank stages below apply to it as to the built-in ones.
    if (!Registry<Retriever>::instance().has(c.type)) {
      std::vector<std::string> types = {"bm25", "dense", "hybrid"};
      for (const auto& t : Registry<Retriever>::instance().types()) types.push_back(t);
      r.fail(n["type"], key + ".type", fmt::format("unknown type '{}' (registered: {})", c.type, fmt::join(types, ", ")));
    }
    c.section = n;
  } else {
    r.only_keys(n, key, {"type", "sources", "fusion", "rrf_k", "weights", "candidates", "mmr", "rerank"});
    read_fusion(r, n, key, c);
  }
  if (const auto& m = n["mmr"]) {
    MmrParams p;
    if (!m.IsScalar() || r.boolean(m, key + ".mmr")) {
      if (!m.IsScalar()) {
        r.only_keys(m, key + ".mmr", {"lambda", "candidates"});
        if (m["lambda"]) p.lambda = r.number(m["lambda"], key + ".mmr.lambda");
        if (p.lambda < 0 || p.lambda > 1) r.fail(m["lambda"], key + ".mmr.lambda", "must lie in [0, 1]");
        if (m["candidates"]) p.candidates = r.count(m["candidates"], key + ".mmr.candidates", 1);
      }
      c.mmr = p;
    }
  }
  if (const auto& m = n["rerank"]) {
    RerankParams p;
    if (!m.IsScalar() || r.boolean(m, key + ".rerank")) {
      if (!m.IsScalar()) {
        r.only_keys(m, key + ".rerank", {"top_n"});
        if (m["top_n"]) p.top_n = r.count(m["top_n"], key + ".rerank.top_n", 1);
      }
      c.rerank = p;
    }
  }
  return c;
}

}  // namespace

const RetrieverConfig* RagConfig::retriever(const std::string& name) const {
  for (const auto& r : retrievers)
    if (r.name == name) return &r;
  return nullptr;
}

RagConfig RagConfig::defaults(const fs::path& collection) {
  RagConfig c;
  c.collection = collection;
  c.document_store = make_sqlite_document_store();
  c.vector_store = make_faiss_vector_store();
  RetrieverConfig bm25;
  bm25.name = bm25.type = "bm25";
  c.retrievers.push_back(bm25);
  c.default_retriever = "bm25";
  return c;
}

namespace {

struct OpenBracket {
  char bracket;
  int line, column;  // 1-based
};

// The innermost flow bracket ({ or [) still open at byte `until`, skipping quoted strings and
// comments; nullopt when none is.
std::optional<OpenBracket> unclosed_flow_bracket(const std::string& yaml, int until) {
  std::vector<OpenBracket> open;
  int line = 1, column = 0;
  char quote = 0;
  const size_t end = std::min(yaml.size(), static_cast<size_t>(std::max(until, 0)));
  for (size_t i = 0; i < end; ++i) {
    const char c = yaml[i];
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
      if (quote == '\'') quote = 0;  // flow scalars may span lines, but a stray quote should not hide the rest
      continue;
    }
    if (quote) {
      if (c == '\\' && quote == '"') ++i, ++column;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#' && (i == 0 || yaml[i - 1] == ' ' || yaml[i - 1] == '\t')) {
      while (i + 1 < end && yaml[i + 1] != '\n') ++i;
    } else if (c == '{' || c == '[') open.push_back({c, line, column});
    else if ((c == '}' || c == ']') && !open.empty()) open.pop_back();
  }
  if (open.empty()) return std::nullopt;
  return open.back();
}

}  // namespace

RagConfig RagConfig::load(const fs::path& file, config::ConfigErrors* collected) {
  std::ifstream in(file, std::ios::binary);
  if (!in) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot read the config file", file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  fs::path base = file.parent_path();
  if (base.empty()) base = ".";
  return parse(ss.str(), file, base, collected);
}

RagConfig RagConfig::parse(const std::string& yaml, const fs::path& source, const fs::path& base_dir,
                           config::ConfigErrors* collected) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    // yaml-cpp notices an unclosed { or [ where the next line starts; the place to fix is the
    // bracket that was opened.
    if (e.msg.find("flow not found") != std::string::npos) {
      if (auto open = unclosed_flow_bracket(yaml, e.mark.pos)) {
        RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}:{}:{}: invalid YAML: this '{}' is not closed: add '{}'",
                         source.string(), open->line, open->column, open->bracket, open->bracket == '{' ? '}' : ']');
      }
    }
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}:{}:{}: invalid YAML: {}", source.string(), e.mark.line + 1,
                     e.mark.column + 1, e.msg);
  }
  Reader r(source, base_dir);
  if (root.IsNull()) r.fail(root, "(file)", "is empty: it needs at least `collection: FOLDER`");
  r.reject_duplicate_keys(root);
  config::ConfigErrors errors;
  errors.collect([&] {
    r.only_keys(root, "", {"collection", "ingest", "splitter", "embedder", "document_store", "vector_store", "vector_index",
                           "reranker", "retrievers", "default_retriever", "generator", "tools", "memory", "traces",
                           "pipelines", "default_pipeline", "server", "ocr"});
  });
  RagConfig c;
  c.file = source;
  c.base_dir = base_dir;
  // Each section is read on its own: a mistake in one is reported with those of the others.
  errors.collect([&] {
    if (!root["collection"]) r.fail(root, "collection", "missing: name the index folder, e.g. `collection: index/faq`");
    c.collection = r.path(root["collection"], "collection");
  });
  errors.collect([&] {
  if (const auto& n = root["ingest"]) {
    r.only_keys(n, "ingest", {"text_fields", "id_field", "title_field", "metadata_fields", "max_file_bytes"});
    if (n["text_fields"]) c.ingest.text_fields = r.strings(n["text_fields"], "ingest.text_fields");
    if (c.ingest.text_fields.empty()) r.fail(n["text_fields"], "ingest.text_fields", "needs at least one field");
    if (n["id_field"]) c.ingest.id_field = r.string(n["id_field"], "ingest.id_field");
    if (n["title_field"]) c.ingest.title_field = r.string(n["title_field"], "ingest.title_field");
    if (n["metadata_fields"]) c.ingest.metadata_fields = r.strings(n["metadata_fields"], "ingest.metadata_fields");
    if (n["max_file_bytes"]) c.ingest.max_file_bytes = r.count(n["max_file_bytes"], "ingest.max_file_bytes", 1);
  }
  });
  errors.collect([&] { c.ocr = read_ocr_config(r, root["ocr"]); });
  errors.collect([&] {
  if (const auto& n = root["splitter"]) {
    r.only_keys(n, "splitter", {"chunk_tokens", "overlap_tokens", "tokenizer"});
    if (n["tokenizer"]) c.splitter_tokenizer = r.path(n["tokenizer"], "splitter.tokenizer");
    if (n["chunk_tokens"]) c.splitter.chunk_tokens = r.count(n["chunk_tokens"], "splitter.chunk_tokens", 1);
    if (n["overlap_tokens"]) c.splitter.overlap_tokens = r.count(n["overlap_tokens"], "splitter.overlap_tokens");
    if (c.splitter.overlap_tokens >= c.splitter.chunk_tokens)
      r.fail(n, "splitter.overlap_tokens", fmt::format("({}) must be smaller than chunk_tokens ({})",
                                                       c.splitter.overlap_tokens, c.splitter.chunk_tokens));
  }
  });
  register_builtin_components();
  errors.collect([&] {
    if (const auto& n = root["embedder"]) c.embedder = read_embedder_config(r, n);
  });
  errors.collect([&] {
  if (root["vector_store"] && root["vector_index"])
    r.fail(root["vector_index"], "vector_index", "give either vector_store or vector_index (its older faiss-only form), not both");
  if (const auto& n = root["vector_store"]) {
    c.vector_store = Registry<VectorStore>::instance().create({"vector_store", "vector_store", n, &r});
  } else if (const auto& n = root["vector_index"]) {
    r.only_keys(n, "vector_index", {"factory"});
    if (n["factory"]) c.vector_store = make_faiss_vector_store(r.string(n["factory"], "vector_index.factory"));
  }
  });
  if (!c.vector_store) c.vector_store = make_faiss_vector_store();
  errors.collect([&] {
    if (const auto& n = root["reranker"]) c.reranker = read_reranker_config(r, n);
  });
  errors.collect([&] {
    c.document_store = root["document_store"] ? Registry<DocumentStore>::instance().create(
                                                    {"document_store", "document_store", root["document_store"], &r})
                                              : make_sqlite_document_store();
  });
  if (const auto& n = root["retrievers"]) {
    errors.collect([&] { r.require_map(n, "retrievers"); });
    if (n.IsMap()) {
      for (const auto& kv : n)
        errors.collect([&] { c.retrievers.push_back(read_retriever(r, kv.first.as<std::string>(), kv.second)); });
    }
  } else {
    // Without a list: every retriever the configured models allow.
    c.retrievers = defaults(c.collection).retrievers;
    if (c.embedder) {
      RetrieverConfig dense;
      dense.name = dense.type = "dense";
      RetrieverConfig hybrid;
      hybrid.name = hybrid.type = "hybrid";
      hybrid.sources = {"bm25", "dense"};
      if (c.reranker) hybrid.rerank = RerankParams{};
      c.retrievers.push_back(dense);
      c.retrievers.push_back(hybrid);
    }
  }
  // Cross-checks that need the whole file; after a section failed they would only repeat it.
  const bool sections_read = errors.empty();
  errors.collect([&] {
  if (!sections_read) return;
  std::set<std::string> names;
  for (const auto& rc : c.retrievers) names.insert(rc.name);
  const YAML::Node retrievers_node = root["retrievers"];
  for (const auto& rc : c.retrievers) {
    const YAML::Node at = retrievers_node ? retrievers_node[rc.name] : root;
    const std::string key = "retrievers." + rc.name;
    if (rc.type == "dense" && !c.embedder) r.fail(at, key, "type dense needs an `embedder:` section with a model");
    if (rc.mmr && !c.embedder) r.fail(at, key + ".mmr", "MMR compares chunk embeddings: it needs an `embedder:` section");
    if (rc.rerank && !c.reranker) r.fail(at, key + ".rerank", "needs a `reranker:` section with a model");
    for (const auto& s : rc.sources) {
      if (s == rc.name) r.fail(at, key + ".sources", "a hybrid retriever cannot fuse itself");
      if (!names.count(s) && s != "bm25" && s != "dense")
        r.fail(at, key + ".sources", fmt::format("'{}' is not a retriever in this file (nor bm25 / dense)", s));
      if (s == "dense" && !names.count(s) && !c.embedder)
        r.fail(at, key + ".sources", "source dense needs an `embedder:` section");
      if (const RetrieverConfig* inner = c.retriever(s); inner && inner->type == "hybrid")
        r.fail(at, key + ".sources", fmt::format("'{}' is itself hybrid: fuse bm25 and dense retrievers only", s));
    }
  }
  if (root["default_retriever"]) {
    c.default_retriever = r.string(root["default_retriever"], "default_retriever");
    if (!names.count(c.default_retriever))
      r.fail(root["default_retriever"], "default_retriever",
             fmt::format("'{}' is not one of the retrievers ({})", c.default_retriever, fmt::join(names, ", ")));
  } else if (!c.retrievers.empty()) {
    c.default_retriever = c.retriever("hybrid") ? "hybrid" : c.retrievers.back().name;
  }
  if (c.retrievers.empty()) r.fail(root["retrievers"], "retrievers", "is empty: declare at least one retriever");
  });
  errors.collect([&] {
    if (root["generator"]) {
      c.generator = read_generator_section(r, root["generator"]);
      c.generator_section = root["generator"];
    }
  });
  c.text = yaml;
  c.tools = root["tools"];
  c.memory = root["memory"];
  c.traces = root["traces"];
  errors.collect([&] {
  if (const YAML::Node& t = c.traces) {
    r.require_map(t, "traces");
    r.only_keys(t, "traces", {"dir", "enabled"});
    if (t["enabled"]) c.store_traces = r.boolean(t["enabled"], "traces.enabled");
    if (t["dir"]) c.traces_dir = r.path(t["dir"], "traces.dir");
  }
  });
  c.pipelines = root["pipelines"];
  c.server = root["server"];
  errors.collect([&] {
    if (root["default_pipeline"]) c.default_pipeline = r.string(root["default_pipeline"], "default_pipeline");
  });
  if (collected) {
    *collected = std::move(errors);
  } else {
    errors.throw_if_any();
  }
  return c;
}

}  // namespace ragrt
