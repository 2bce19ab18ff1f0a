#include "ragrt/rag_config.h"

#include <algorithm>
#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ragrt/error.h"

namespace ragrt {
namespace {

using ::testing::HasSubstr;

RagConfig parse(const std::string& yaml) { return RagConfig::parse(yaml, "ragrt.yaml", "/base"); }

std::string error_of(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RagConfig, ReadsEverySection) {
  RagConfig c = parse(R"(
collection: index/faq
ingest: {text_fields: [question, answer], id_field: qid, metadata_fields: [lang]}
splitter: {chunk_tokens: 128, overlap_tokens: 16}
embedder:
  model: models/minilm
  query_prefix: "query: "
  batch_size: 8
  session: {providers: [cpu], intra_op_threads: 1}
vector_index: {factory: HNSW32}
reranker: {model: /abs/ce, sigmoid: true}
retrievers:
  keyword: {type: bm25}
  semantic: {type: dense, mmr: {lambda: 0.5, candidates: 20}}
  both:
    type: hybrid
    sources: [keyword, semantic]
    fusion: weighted
    weights: [0.3, 0.7]
    candidates: 40
    rerank: {top_n: 10}
default_retriever: semantic
)");
  EXPECT_EQ(c.collection, "/base/index/faq");
  EXPECT_EQ(c.ingest.text_fields, (std::vector<std::string>{"question", "answer"}));
  EXPECT_EQ(c.ingest.id_field, "qid");
  EXPECT_EQ(c.splitter.chunk_tokens, 128u);
  EXPECT_EQ(c.splitter.overlap_tokens, 16u);
  ASSERT_TRUE(c.embedder);
  EXPECT_EQ(c.embedder->model, "/base/models/minilm");
  EXPECT_EQ(c.embedder->query_prefix, "query: ");
  EXPECT_EQ(c.embedder->options.batch_size, 8u);
  EXPECT_EQ(c.embedder->options.session.intra_op_threads, 1);
  EXPECT_EQ(c.vector_store->fingerprint(), "HNSW32");
  ASSERT_TRUE(c.reranker);
  EXPECT_EQ(c.reranker->model, "/abs/ce");
  EXPECT_TRUE(c.reranker->options.sigmoid);
  ASSERT_EQ(c.retrievers.size(), 3u);
  const RetrieverConfig* both = c.retriever("both");
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->fusion, Fusion::kWeighted);
  EXPECT_EQ(both->weights, (std::vector<double>{0.3, 0.7}));
  EXPECT_EQ(both->candidates, 40u);
  ASSERT_TRUE(both->rerank);
  EXPECT_EQ(both->rerank->top_n, 10u);
  ASSERT_TRUE(c.retriever("semantic")->mmr);
  EXPECT_DOUBLE_EQ(c.retriever("semantic")->mmr->lambda, 0.5);
  EXPECT_EQ(c.default_retriever, "semantic");
}

TEST(RagConfig, ReadsRemoteEmbedderAndRerankerSections) {
  ::setenv("RAGRT_TEST_TEI_HOST", "tei.internal", 1);
  RagConfig c = parse(R"(
collection: index
embedder: {type: openai, base_url: "http://${RAGRT_TEST_TEI_HOST}:8080/v1", model: bge-m3, api_key_env: TEI_KEY,
           batch_size: 16, timeout_s: 5, max_retries: 1, normalize: false, query_prefix: "query: "}
reranker: {type: tei, base_url: "http://tei.internal:8081", batch_size: 8}
document_store: {type: sqlite}
)");
  ASSERT_TRUE(c.embedder);
  EXPECT_EQ(c.embedder->type, "openai");
  EXPECT_EQ(c.embedder->openai.endpoint.base_url, "http://tei.internal:8080/v1");
  EXPECT_EQ(c.embedder->openai.endpoint.api_key_env, "TEI_KEY");  // the name; the key is read when the client is made
  EXPECT_EQ(c.embedder->openai.model, "bge-m3");
  EXPECT_EQ(c.embedder->openai.batch_size, 16u);
  EXPECT_DOUBLE_EQ(c.embedder->openai.endpoint.timeout_s, 5);
  EXPECT_EQ(c.embedder->openai.endpoint.max_retries, 1);
  EXPECT_FALSE(c.embedder->openai.normalize);
  EXPECT_EQ(c.embedder->query_prefix, "query: ");
  ASSERT_TRUE(c.reranker);
  EXPECT_EQ(c.reranker->type, "tei");
  EXPECT_EQ(c.reranker->remote.api, RerankApi::kTei);
  EXPECT_EQ(c.reranker->remote.batch_size, 8u);
  EXPECT_EQ(c.document_store->type(), "sqlite");

  EXPECT_THAT(error_of("collection: x\nembedder: {type: openai, model: m}\n"),
              HasSubstr("ragrt.yaml:2:11: embedder.base_url: missing"));
  EXPECT_THAT(error_of("collection: x\nembedder: {type: openai, base_url: http://h/v1, pooling: mean}\n"),
              HasSubstr("embedder.pooling: unknown key"));
  EXPECT_THAT(error_of("collection: x\nreranker: {type: cohere, base_url: 'ftp://h'}\n"),
              HasSubstr("reranker.base_url: base_url uses the scheme 'ftp'"));
  EXPECT_THAT(error_of("collection: x\nreranker: {type: jina, base_url: 'http://h'}\n"),
              HasSubstr("reranker.type: unknown type 'jina' (registered: cohere, onnx, tei)"));
}

TEST(RagConfig, WithoutRetrieversEveryUsableOneIsDeclared) {
  RagConfig bm25_only = parse("collection: idx\n");
  ASSERT_EQ(bm25_only.retrievers.size(), 1u);
  EXPECT_EQ(bm25_only.default_retriever, "bm25");
  RagConfig full = parse("collection: idx\nembedder: {model: m}\nreranker: {model: r}\n");
  ASSERT_EQ(full.retrievers.size(), 3u);
  EXPECT_EQ(full.default_retriever, "hybrid");
  EXPECT_TRUE(full.retriever("hybrid")->rerank);
  EXPECT_EQ(full.retriever("hybrid")->fusion, Fusion::kRrf);
  EXPECT_DOUBLE_EQ(full.retriever("hybrid")->rrf_k, 60);
}

TEST(RagConfig, ErrorsNameTheFileLineAndKey) {
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  a: {type: bm25, rrf_kk: 3}\n"),
              HasSubstr("ragrt.yaml:3:19: retrievers.a.rrf_kk: unknown key"));
  EXPECT_THAT(error_of("collection: idx\nsplitter:\n  chunk_tokens: many\n"),
              HasSubstr("ragrt.yaml:3:17: splitter.chunk_tokens: expected a whole number, got 'many'"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  d: {type: dense}\n"), HasSubstr("needs an `embedder:`"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  h: {type: hybrid, sources: [bm25, nope]}\n"),
              HasSubstr("'nope' is not a retriever"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  b: {type: bm25, rerank: {top_n: 5}}\n"),
              HasSubstr("needs a `reranker:`"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  x: {type: sparse}\n"), HasSubstr("retrievers.x.type: unknown type 'sparse' (registered: bm25, dense, hybrid"));
  EXPECT_THAT(error_of("collection: idx\nsplitter: {chunk_tokens: 10, overlap_tokens: 10}\n"),
              HasSubstr("must be smaller than chunk_tokens"));
  EXPECT_THAT(error_of("collection: [unclosed\n"), HasSubstr("ragrt.yaml:"));
  EXPECT_THAT(error_of("collection: idx\nembedder: {model: m, session: {providers: [gpu9]}}\n"),
              HasSubstr("embedder.session"));
  EXPECT_THAT(error_of("splitter: {chunk_tokens: 10}\n"), HasSubstr("collection: missing"));
  EXPECT_THAT(error_of("collection: idx\ndefault_retriever: dense\n"), HasSubstr("'dense' is not one of"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  h: {type: hybrid, weights: [1]}\nembedder: {model: m}\n"),
              HasSubstr("1 weights for 2 sources"));
}

// One run names every mistake, in the file's order; and an unclosed bracket is reported where it
// was opened, not where the parser noticed.
TEST(RagConfig, EveryMistakeIsReportedAtOnce) {
  const std::string e = error_of(
      "collection: idx\nsplitter: {chunk_tokens: many}\nretrievers:\n  a: {type: bm25, rrf_kk: 3}\n  b: {type: sparse}\n"
      "generator: {type: extractive, max_sentences: 0.5}\nmystery: 1\n");
  const std::vector<std::string> in_order = {"ragrt.yaml:2:", "ragrt.yaml:4:19: retrievers.a.rrf_kk", "ragrt.yaml:5:",
                                             "ragrt.yaml:6:", "ragrt.yaml:7:1: mystery: unknown key"};
  size_t at = 0;
  for (const auto& part : in_order) {
    const size_t found = e.find(part, at);
    ASSERT_NE(found, std::string::npos) << part << " in\n" << e;
    at = found;
  }
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 4) << e;  // five lines
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  bm25: {type: bm25\ngenerator: {type: extractive}\n"),
              HasSubstr("ragrt.yaml:3:9: invalid YAML: this '{' is not closed: add '}'"));
  EXPECT_THAT(error_of("collection: idx\nretrievers:\n  bm25: {type: bm25, note: \"a { in a string\"}\nx: [1, 2\n"),
              HasSubstr("ragrt.yaml:4:4: invalid YAML: this '[' is not closed: add ']'"));
}

TEST(RagConfig, LoadNamesAMissingFile) {
  try {
    RagConfig::load("/nonexistent/ragrt.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/ragrt.yaml"));
  }
}

}  // namespace
}  // namespace ragrt

namespace ragrt {
namespace {

TEST(RagConfigGenerator, DefaultsToExtractive) {
  RagConfig c = RagConfig::parse("collection: idx\n", "ragrt.yaml", "/base");
  EXPECT_EQ(c.generator.type, "extractive");
  EXPECT_EQ(c.generator.context_passages, 5u);
  EXPECT_TRUE(c.generator.onnx.lm_head_in_ragrt);
}

TEST(RagConfigGenerator, ReadsOnnxSettingsSamplingAndTemplateVariables) {
  RagConfig c = RagConfig::parse(R"(
collection: idx
generator:
  type: onnx
  model: models/qwen
  max_batch: 4
  prefix_cache_mb: 64
  speculative_tokens: 0
  lm_head: graph
  template_variables: {enable_thinking: false, date_string: "26 Jul 2024", depth: 2}
  session: {intra_op_threads: 2}
  sampling: {temperature: 0.3, top_p: 0.9, max_new_tokens: 200, stop: ["User:"], seed: 7}
  context_passages: 3
)",
                                 "ragrt.yaml", "/base");
  const auto& g = c.generator;
  EXPECT_EQ(g.type, "onnx");
  EXPECT_EQ(g.onnx.model_dir, "/base/models/qwen");
  EXPECT_EQ(g.onnx.max_batch, 4u);
  EXPECT_EQ(g.onnx.prefix_cache_mb, 64u);
  EXPECT_EQ(g.onnx.speculative_tokens, 0u);
  EXPECT_FALSE(g.onnx.lm_head_in_ragrt);
  EXPECT_EQ(g.onnx.session.intra_op_threads, 2);
  EXPECT_EQ(g.onnx.template_variables.dump(), R"({"enable_thinking":false,"date_string":"26 Jul 2024","depth":2})");
  EXPECT_FLOAT_EQ(*g.sampling.temperature, 0.3f);
  EXPECT_EQ(*g.sampling.max_new_tokens, 200u);
  EXPECT_EQ(g.sampling.stop, (std::vector<std::string>{"User:"}));
  EXPECT_EQ(*g.sampling.seed, 7u);
  EXPECT_FALSE(g.sampling.top_k.has_value());
  EXPECT_EQ(g.context_passages, 3u);
}

TEST(RagConfigGenerator, ReadsOpenAISettings) {
  RagConfig c = RagConfig::parse(R"(
collection: idx
generator: {type: openai, base_url: "http://gpu-box:8000/v1", model: qwen3-32b, api_key_env: VLLM_KEY,
            timeout_s: 60, max_retries: 4, headers: {X-Team: support}}
)",
                                 "ragrt.yaml", "/base");
  const auto& o = c.generator.openai;
  EXPECT_EQ(o.base_url, "http://gpu-box:8000/v1");
  EXPECT_EQ(o.model, "qwen3-32b");
  EXPECT_EQ(o.api_key_env, "VLLM_KEY");
  EXPECT_EQ(o.timeout_s, 60);
  EXPECT_EQ(o.max_retries, 4);
  EXPECT_EQ(o.headers.at("X-Team"), "support");
}

std::string generator_error(const std::string& yaml) {
  try {
    RagConfig::parse(yaml, "ragrt.yaml", "/base");
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(RagConfigGenerator, AKeyWrittenTwiceIsAMistake) {
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  type: extractive\n  max_sentences: 2\n  max_sentences: 5\n"),
              HasSubstr("ragrt.yaml:5:3: generator.max_sentences: written twice (first at line 4): keep one"));
  EXPECT_THAT(generator_error("collection: idx\ntools:\n  a: {type: http}\n  a: {type: sql}\n"),
              HasSubstr("ragrt.yaml:4:3: tools.a: written twice (first at line 3)"));
  EXPECT_THAT(generator_error("collection: a\ncollection: b\n"), HasSubstr("ragrt.yaml:2:1: collection: written twice"));
}

TEST(RagConfigGenerator, MistakesNameLineAndKey) {
  EXPECT_THAT(generator_error("collection: idx\ngenerator: {type: llama}\n"),
              HasSubstr("ragrt.yaml:2:19: generator.type: unknown type 'llama' (registered: "));
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  type: onnx\n"),
              HasSubstr("generator.model: missing"));
  // A key of another generator type is a mistake, not silently ignored.
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  type: extractive\n  base_url: http://x\n"),
              HasSubstr("ragrt.yaml:4:3: generator.base_url: unknown key"));
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  sampling: {temprature: 0.2}\n"),
              HasSubstr("generator.sampling.temprature: unknown key"));
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  type: onnx\n  model: m\n  lm_head: cpu\n"),
              HasSubstr("ragrt.yaml:5:12: generator.lm_head: 'cpu' is not one of: auto, graph"));
  EXPECT_THAT(generator_error("collection: idx\ngenerator:\n  sampling: {max_new_tokens: 0}\n"),
              HasSubstr("generator.sampling.max_new_tokens: must be at least 1"));
}

}  // namespace
}  // namespace ragrt
