#include <mutex>

#include "agent/components.h"
#include "agent/pipelines.h"
#include "ragrt/conversation_memory.h"
#include "ragrt/document_store.h"
#include "ragrt/generator_config.h"
#include "ragrt/pipeline.h"
#include "ragrt/rag_config.h"
#include "ragrt/registry.h"
#include "ragrt/tool.h"
#include "ragrt/vector_store.h"
#include "tools/http_tool.h"
#include "tools/sql_tool.h"

namespace ragrt {

void register_builtin_components() {
  static std::once_flag once;
  std::call_once(once, [] {
    Registry<Tool>::instance().add("http", tools::make_http_tool);
    Registry<Tool>::instance().add("sql", tools::make_sql_tool);
    Registry<ConversationMemory>::instance().add("sqlite", agent::make_sqlite_memory);
    for (const char* type : {"onnx", "openai"}) Registry<Embedder>::instance().add(type, make_builtin_embedder);
    for (const char* type : {"onnx", "cohere", "tei"}) Registry<Reranker>::instance().add(type, make_builtin_reranker);
    Registry<DocumentStore>::instance().add("sqlite", read_sqlite_document_store);
    Registry<VectorStore>::instance().add("faiss", read_faiss_vector_store);
    Registry<VectorStore>::instance().add("exact", read_exact_vector_store);
    for (const char* type : {"extractive", "onnx", "openai"}) Registry<Generator>::instance().add(type, make_builtin_generator);
    Registry<Pipeline>::instance().add("rag_qa", agent::make_rag_qa_pipeline_from);
    Registry<Pipeline>::instance().add("agent", agent::make_agent_pipeline_from);
    Registry<Pipeline>::instance().add("llm", agent::make_llm_pipeline_from);
  });
}

}  // namespace ragrt
