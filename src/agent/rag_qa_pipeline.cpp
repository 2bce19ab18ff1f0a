// rag_qa: retrieve -> (rerank, inside the retriever) -> numbered passages -> generate -> answer
// with citations.
#include "agent/pipelines.h"
#include "agent/rag_turn.h"
#include "ragrt/error.h"

namespace ragrt::agent {
namespace {

class RagQaPipeline final : public Pipeline {
 public:
  RagQaPipeline(std::string name, RagQaParams params) : name_(std::move(name)), params_(std::move(params)) {}
  std::string type() const override { return "rag_qa"; }
  const std::string& name() const override { return name_; }

  PipelineResult run(const PipelineRequest& request, const ComponentGraph& graph) const override {
    PipelineResult result;
    result.pipeline = name_;
    RAGRT_THROW_IF_NOT_KIND(!request.tools || request.tools->empty(), ErrorKind::kInvalidArgument,
                            "tools: pipeline '{}' (rag_qa) calls no tools; ask an agent pipeline", name_);
    const Turn turn = read_turn(request, graph);
    const size_t k = request.passages.value_or(params_.passages.value_or(graph.config().generator.context_passages));
    auto passages = retrieve(graph, turn.question, request.retriever.empty() ? params_.retriever : request.retriever,
                             k, 1, request.span.get(), result);
    answer(graph, request, turn, std::move(passages), request.span.get(), result);
    return result;
  }

 private:
  std::string name_;
  RagQaParams params_;
};

}  // namespace

std::shared_ptr<Pipeline> make_rag_qa_pipeline(std::string name, RagQaParams params) {
  return std::make_shared<RagQaPipeline>(std::move(name), std::move(params));
}

}  // namespace ragrt::agent
