#pragma once
// One streamed answer: the pipeline runs on its own thread and hands text to the connection's
// thread, which writes it as server-sent events. Generation never waits on a slow client (the
// local engine batches requests on one thread), and a write that fails (the client left) cancels
// the generation. The events' shapes (chat.completion.chunk, text_completion) come in a StreamWire.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/chat_json.h"
#include "server/server_context.h"

namespace ragrt::server {

struct StreamWire {
  std::vector<json> opening;                                  // before any text (chat: the role)
  std::function<json(const std::string&)> piece;              // one piece of the answer
  std::function<std::vector<json>(const PipelineResult&)> closing;  // finish reason, usage, citations
};

class AnswerStream {
 public:
  // `key`: the key's index in `keys`, whose stream count the stream holds until it ends.
  AnswerStream(ServerContext& ctx, std::shared_ptr<const ComponentGraph> graph, ChatCall call, AdmissionGate::Slot slot,
               std::shared_ptr<KeyRing> keys, std::optional<size_t> key, StreamWire wire);
  ~AnswerStream();

  // httplib's chunked content provider: called on the connection's thread until done.
  bool pump(httplib::DataSink& sink);
  // Whatever happened: the generation stops, the thread is joined and the limits are released.
  void finish();

 private:
  void release_limits();
  void run();
  static bool send(httplib::DataSink& sink, const json& event);
  bool abandon();

  ServerContext& ctx_;
  std::shared_ptr<const ComponentGraph> graph_;
  ChatCall call_;
  AdmissionGate::Slot slot_;
  std::shared_ptr<KeyRing> keys_;
  std::optional<size_t> key_;
  StreamWire wire_;
  bool stream_released_ = false;
  Clock::time_point start_;
  DeadlineGuard deadline_;
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> pieces_;
  bool done_ = false;
  PipelineResult result_;
  std::exception_ptr error_;
};

// How a route writes its answers: the id prefix ("chatcmpl-", "cmpl-"), the events of a stream
// and the whole answer.
struct AnswerShapes {
  std::string id_prefix;
  std::function<StreamWire(const CompletionHeader&)> stream;
  std::function<json(const CompletionHeader&, const PipelineResult&)> whole;
};

// Runs `call` through `graph` for one HTTP request: the key's model limits, the admission queue,
// the deadline, cancellation when the client leaves, metrics; streamed when call.stream.
void serve_answer(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                  std::shared_ptr<const ComponentGraph> graph, ChatCall call, const AnswerShapes& shapes);

double seconds_since(Clock::time_point t);
// A request cancelled by its deadline, by a drain or by its client leaving: the HttpError to
// answer with (nothing when it was not).
void check_not_cancelled(const Deadlines::Entry& d, ServerContext& ctx);
// An answered run: its figures (model tokens only: an estimate, from the extractive generator,
// would skew the counters and rates), its tools' health, and what the access log names.
void record_turn(ServerContext& ctx, const ComponentGraph& graph, const PipelineResult& r);

}  // namespace ragrt::server
