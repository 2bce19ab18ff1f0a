#include "ragrt/openai_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "generate/chat_messages.h"
#include "models/remote_api.h"
#include "ragrt/error.h"
#include "ragrt/trace.h"
#include "ragrt/version.h"
#include "text/utf8.h"

namespace ragrt {
namespace {

using json = nlohmann::ordered_json;  // keeps the key order of tool schemas and arguments
using models::check_base_url;
using models::quote;
using models::server_message;
using Clock = std::chrono::steady_clock;

constexpr size_t kErrorBodyCap = 64 * 1024;  // of a non-2xx body; only its message is used

constexpr double kMaxRetryAfterS = 60;       // a longer Retry-After is a quota reset, not a blip
constexpr int kPollMs = 20;                  // how often cancel and the idle timeout are checked

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Floats set by the caller, sent as the shortest decimal that reads back as the same float
// (0.7f goes out as 0.7, not 0.699999988079071).
double wire_float(float f) { return std::strtod(fmt::format("{}", f).c_str(), nullptr); }

FinishReason map_finish_reason(std::string_view r) {
  if (r == "length") return FinishReason::kLength;
  if (r == "tool_calls") return FinishReason::kToolCalls;
  return FinishReason::kStop;
}

// Server-sent events as chat completion streams use them: lines end in CRLF, LF or CR; "data:"
// lines accumulate; a blank line dispatches the event; lines starting with ':' are comments
// (keep-alives). Bytes may arrive split anywhere, even between the CR and LF of one line end.
class SseParser {
 public:
  template <typename OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event) {
    size_t i = 0;
    if (pending_lf_ && !bytes.empty()) {
      if (bytes[0] == '\n') i = 1;
      pending_lf_ = false;
    }
    while (i < bytes.size()) {
      size_t eol = bytes.find_first_of("\r\n", i);
      if (eol == std::string_view::npos) {
        line_.append(bytes.substr(i));
        return;
      }
      line_.append(bytes.substr(i, eol - i));
      if (bytes[eol] == '\r') {
        if (eol + 1 == bytes.size()) {
          pending_lf_ = true;
        } else if (bytes[eol + 1] == '\n') {
          ++eol;
        }
      }
      i = eol + 1;
      take_line(on_event);
    }
  }

  // End of the body: a last event without its blank line still counts.
  template <typename OnEvent>
  void finish(OnEvent&& on_event) {
    if (!line_.empty()) take_line(on_event);
    if (has_data_) {
      has_data_ = false;
      on_event(std::string_view(data_));
    }
  }

 private:
  template <typename OnEvent>
  void take_line(OnEvent&& on_event) {
    std::string_view line(line_);
    if (line.empty()) {
      if (has_data_) {
        has_data_ = false;
        on_event(std::string_view(data_));
      }
      data_.clear();
    } else if (line[0] != ':') {
      size_t colon = line.find(':');
      std::string_view field = line.substr(0, colon);
      std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
      // event:, id: and retry: carry nothing a completion stream needs.
      if (field == "data") {
        if (has_data_) data_ += '\n';
        data_.append(value);
        has_data_ = true;
      }
    }
    line_.clear();
  }

  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool pending_lf_ = false;
};

struct Settings {
  OpenAIGeneratorParams params;
  std::string chat_url;
  std::string completions_url;
  std::string api_key;
};

// Why an attempt stopped early, decided inside libcurl's callbacks (which must not throw).
enum class Abort { kNone, kCancelled, kIdle, kTooLarge, kFailed };

// One HTTP exchange and what it produced.
class Attempt {
 public:
  Attempt(const Settings& s, const GenerationRequest& request, const std::string& url, Clock::time_point start)
      : s_(s), request_(request), url_(url), start_(start), last_byte_(Clock::now()) {}

  Abort abort = Abort::kNone;
  std::exception_ptr failure;  // with kFailed: from on_text, or a malformed event
  CURLcode code = CURLE_OK;
  long status = 0;
  bool got_response = false;  // any byte of a response (status line included)
  bool sse = false;
  bool done = false;  // [DONE] seen
  std::string error_body;
  std::string body;  // a 2xx answer that is one JSON document
  double retry_after_s = 0;

  // The output so far.
  GenerationResult result;
  size_t delivered = 0;  // bytes handed to on_text
  std::optional<FinishReason> finish;
  std::map<size_t, json> tool_calls;

  void run(CURL* curl);
  void finish_body();

 private:
  static size_t on_header(char* data, size_t size, size_t count, void* user);
  static size_t on_body(char* data, size_t size, size_t count, void* user);
  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  bool should_abort();
  size_t take_body(std::string_view bytes);
  void take_event(std::string_view data);
  void take_choice(const json& choice, bool streamed);
  void take_usage(const json& usage);
  void deliver(const std::string& text);

  const Settings& s_;
  const GenerationRequest& request_;
  const std::string& url_;
  Clock::time_point start_;
  Clock::time_point last_byte_;
  CURL* curl_ = nullptr;
  size_t body_bytes_ = 0;
  bool body_started_ = false;
  SseParser parser_;
};

size_t Attempt::on_header(char* data, size_t size, size_t count, void* user) {
  auto& a = *static_cast<Attempt*>(user);
  a.got_response = true;
  a.last_byte_ = Clock::now();
  return size * count;
}

size_t Attempt::on_body(char* data, size_t size, size_t count, void* user) {
  return static_cast<Attempt*>(user)->take_body(std::string_view(data, size * count));
}

int Attempt::on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Attempt*>(user)->should_abort() ? 1 : 0;
}

bool Attempt::should_abort() {
  if (abort != Abort::kNone) return true;
  if (request_.cancel && request_.cancel->load()) {
    abort = Abort::kCancelled;
  } else if (s_.params.stream && got_response && s_.params.idle_timeout_s > 0 &&
             ms_between(last_byte_, Clock::now()) > s_.params.idle_timeout_s * 1000) {
    abort = Abort::kIdle;
  }
  return abort != Abort::kNone;
}

size_t Attempt::take_body(std::string_view bytes) {
  last_byte_ = Clock::now();
  got_response = true;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    error_body.append(bytes.substr(0, kErrorBodyCap - std::min(kErrorBodyCap, error_body.size())));
    return bytes.size();
  }
  body_bytes_ += bytes.size();
  if (body_bytes_ > s_.params.max_response_bytes) {
    abort = Abort::kTooLarge;
    return 0;  // CURLE_WRITE_ERROR ends the transfer
  }
  if (!body_started_) {
    body_started_ = true;
    // Some servers answer a streaming request with one JSON document (they ignore "stream").
    const char* type = nullptr;
    curl_easy_getinfo(curl_, CURLINFO_CONTENT_TYPE, &type);
    std::string_view content_type = type ? type : "";
    sse = content_type.starts_with("text/event-stream") ||
          (s_.params.stream && !content_type.starts_with("application/json"));
  }
  if (!sse) {
    body.append(bytes);
    return bytes.size();
  }
  try {
    parser_.feed(bytes, [this](std::string_view event) { take_event(event); });
  } catch (...) {
    failure = std::current_exception();
    abort = Abort::kFailed;
    return 0;
  }
  return bytes.size();
}

void Attempt::take_event(std::string_view data) {
  if (done) return;
  if (data == "[DONE]") {
    done = true;
    return;
  }
  json event = json::parse(data, nullptr, false);
  if (event.is_discarded() || !event.is_object())
    RAGRT_THROW("{} sent an event that is not a JSON object: {}", url_, quote(data, s_.api_key));
  if (event.contains("error"))
    RAGRT_THROW("{} reported an error mid-stream: {}", url_, server_message(data, s_.api_key));
  if (event.contains("usage")) take_usage(event["usage"]);
  if (event.contains("choices") && event["choices"].is_array()) {
    for (const json& choice : event["choices"])
      if (choice.is_object() && choice.value("index", 0) == 0) take_choice(choice, true);
  }
}

void Attempt::take_choice(const json& choice, bool streamed) {
  // Chat completions carry text in delta / message; legacy completions (raw prompts) in "text".
  const char* part = streamed ? "delta" : "message";
  if (choice.contains("text") && choice["text"].is_string()) {
    deliver(choice["text"].get<std::string>());
  } else if (choice.contains(part) && choice[part].is_object()) {
    const json& msg = choice[part];
    if (msg.contains("content")) deliver(generate::content_text(msg["content"]));
    if (msg.contains("tool_calls") && msg["tool_calls"].is_array()) {
      size_t position = 0;
      for (const json& piece : msg["tool_calls"]) {
        if (!piece.is_object()) continue;
        // Streams number the calls ("index") and send each call's pieces in order.
        size_t index = streamed ? position : tool_calls.size();
        if (piece.contains("index") && piece["index"].is_number_unsigned()) index = piece["index"].get<size_t>();
        ++position;
        json& call = tool_calls[index];
        if (call.is_null()) call = {{"id", ""}, {"type", "function"}, {"function", {{"name", ""}, {"arguments", ""}}}};
        if (result.time_to_first_token_ms == 0) result.time_to_first_token_ms = ms_between(start_, Clock::now());
        // Ids come whole (some servers repeat them in every piece); names and arguments in pieces.
        if (piece.contains("id") && piece["id"].is_string() && call["id"].get<std::string>().empty())
          call["id"] = piece["id"];
        if (piece.contains("type") && piece["type"].is_string()) call["type"] = piece["type"];
        if (piece.contains("function") && piece["function"].is_object()) {
          const json& f = piece["function"];
          for (const char* key : {"name", "arguments"}) {
            if (!f.contains(key)) continue;
            const json& v = f[key];
            // A non-streamed call may carry its arguments as an object rather than a string.
            std::string add = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
            call["function"][key] = call["function"][key].get<std::string>() + add;
          }
        }
      }
    }
  }
  if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
    finish = map_finish_reason(choice["finish_reason"].get<std::string>());
}

void Attempt::take_usage(const json& usage) {
  if (!usage.is_object()) return;  // vLLM sends "usage": null in every event but the last
  auto count = [&](const json& j, const char* key) -> size_t {
    return j.contains(key) && j[key].is_number_unsigned() ? j[key].get<size_t>() : 0;
  };
  result.prompt_tokens = count(usage, "prompt_tokens");
  result.completion_tokens = count(usage, "completion_tokens");
  if (usage.contains("prompt_tokens_details") && usage["prompt_tokens_details"].is_object())
    result.cached_prompt_tokens = count(usage["prompt_tokens_details"], "cached_tokens");
}

void Attempt::deliver(const std::string& text) {
  if (text.empty()) return;
  if (result.time_to_first_token_ms == 0) result.time_to_first_token_ms = ms_between(start_, Clock::now());
  result.text += text;
  delivered += text.size();
  if (request_.on_text) request_.on_text(text);
}

void Attempt::finish_body() {
  if (sse) {
    parser_.finish([this](std::string_view event) { take_event(event); });
    return;
  }
  json answer = json::parse(body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object())
    RAGRT_THROW("{} answered HTTP {} with something that is not a JSON object: {}", url_, status,
                quote(body, s_.api_key));
  if (answer.contains("error")) RAGRT_THROW("{} reported an error: {}", url_, server_message(body, s_.api_key));
  if (!answer.contains("choices") || !answer["choices"].is_array() || answer["choices"].empty())
    RAGRT_THROW("{} answered without \"choices\": {}", url_, quote(body, s_.api_key));
  take_choice(answer["choices"][0], false);
  if (answer.contains("usage")) take_usage(answer["usage"]);
  done = true;
}

void Attempt::run(CURL* curl) {
  curl_ = curl;
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Attempt::on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Attempt::on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Attempt::on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);

  // The multi interface, so that this thread wakes every kPollMs: curl_easy_perform may sleep up
  // to a second between progress callbacks, too coarse for cancel and the idle timeout.
  CURLM* multi = curl_multi_init();
  RAGRT_THROW_IF_NOT(multi != nullptr, "libcurl could not create a multi handle");
  curl_multi_add_handle(multi, curl);
  int running = 1;
  while (running) {
    if (curl_multi_perform(multi, &running) != CURLM_OK || !running) break;
    // libcurl calls XFERINFO only in some states (not while resolving or connecting).
    if (should_abort()) break;
    curl_multi_poll(multi, nullptr, 0, kPollMs, nullptr);
  }
  code = abort != Abort::kNone ? CURLE_ABORTED_BY_CALLBACK : CURLE_OK;
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == curl) code = msg->data.result;
  curl_multi_remove_handle(multi, curl);
  curl_multi_cleanup(multi);

  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    retry_after_s = static_cast<double>(retry_after);
}

class OpenAIGenerator final : public Generator {
 public:
  explicit OpenAIGenerator(Settings s) : s_(std::move(s)) {}

  bool native_tool_calls() const override { return true; }
  std::string description() const override {
    return fmt::format("openai {} ({}{})", s_.params.model.empty() ? "(server's model)" : s_.params.model,
                       s_.params.base_url, s_.params.stream ? "" : ", not streaming");
  }

  GenerationResult generate(const GenerationRequest& request) override;

 private:
  std::string request_body(const GenerationRequest& request) const;
  [[noreturn]] void throw_http_error(const Attempt& a, const std::string& url) const;

  Settings s_;
};

std::string OpenAIGenerator::request_body(const GenerationRequest& request) const {
  json body = json::object();
  if (!s_.params.model.empty()) body["model"] = s_.params.model;
  if (request.prompt) {
    body["prompt"] = *request.prompt;
  } else {
    RAGRT_THROW_IF_NOT_KIND(!request.messages.empty(), ErrorKind::kInvalidArgument,
                            "the request has no messages (and no raw prompt)");
    generate::require_roles(request.messages);
    body["messages"] = request.messages;
    if (!request.tools.is_null()) {
      RAGRT_THROW_IF_NOT_KIND(request.tools.is_array(), ErrorKind::kInvalidArgument,
                              "tools must be an array of OpenAI function definitions");
      if (!request.tools.empty()) body["tools"] = request.tools;
    }
  }
  const SamplingParams& sp = request.sampling;
  if (sp.temperature) body["temperature"] = wire_float(*sp.temperature);
  if (sp.do_sample && !*sp.do_sample) body["temperature"] = 0;  // OpenAI's way of asking for greedy
  if (sp.top_p) body["top_p"] = wire_float(*sp.top_p);
  if (sp.max_new_tokens) body["max_tokens"] = *sp.max_new_tokens;
  if (sp.seed) body["seed"] = *sp.seed;
  if (sp.frequency_penalty) body["frequency_penalty"] = wire_float(*sp.frequency_penalty);
  if (sp.presence_penalty) body["presence_penalty"] = wire_float(*sp.presence_penalty);
  if (!sp.logit_bias.empty()) {
    json bias = json::object();
    for (const auto& [id, b] : sp.logit_bias) bias[std::to_string(id)] = wire_float(b);
    body["logit_bias"] = bias;
  }
  if (!sp.stop.empty()) body["stop"] = sp.stop;
  // Not OpenAI's, but vLLM, SGLang and llama.cpp read them; others ignore unknown fields.
  if (sp.top_k) body["top_k"] = *sp.top_k;
  if (sp.min_p) body["min_p"] = wire_float(*sp.min_p);
  if (sp.repetition_penalty) body["repetition_penalty"] = wire_float(*sp.repetition_penalty);
  if (s_.params.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  try {
    return body.dump(-1, ' ', false, json::error_handler_t::strict);
  } catch (const json::type_error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "the request is not valid UTF-8: {}", e.what());
  }
}

void OpenAIGenerator::throw_http_error(const Attempt& a, const std::string& url) const {
  const std::string what = server_message(a.error_body, s_.api_key);
  const std::string detail = what.empty() ? "" : ": " + what;
  if (a.status == 401 || a.status == 403) {
    const std::string hint =
        s_.params.api_key_env.empty()
            ? "the server wants an API key: put it in an environment variable and name that variable in api_key_env"
            : fmt::format("check the API key in the environment variable {} (and that it may use model '{}')",
                          s_.params.api_key_env, s_.params.model);
    RAGRT_THROW_KIND(ErrorKind::kIo, "{} refused the request with HTTP {}{}; {}", url, a.status, detail, hint);
  }
  if (a.status >= 400 && a.status < 500 && a.status != 408 && a.status != 429)
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{} rejected the request with HTTP {}{}", url, a.status, detail);
  RAGRT_THROW_KIND(ErrorKind::kIo, "{} answered HTTP {}{}", url, a.status, detail);
}

// A transport failure worth another attempt: the request most likely never reached a working
// server, or the answer broke off before anything was shown.
bool transient_transport(const Attempt& a) {
  switch (a.code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    case CURLE_OPERATION_TIMEDOUT:
      // A server that has started answering is slow, not gone; asking again would only repeat it.
      return !a.got_response;
    default:
      return false;
  }
}

GenerationResult OpenAIGenerator::generate(const GenerationRequest& request) {
  const auto start = Clock::now();
  const std::string payload = request_body(request);
  const std::string& url = request.prompt ? s_.completions_url : s_.chat_url;
  auto cancelled = [&] { return request.cancel && request.cancel->load(); };
  auto finish_cancelled = [&](GenerationResult r) {
    r.finish_reason = FinishReason::kCancelled;
    r.tool_calls = json::array();
    r.total_ms = ms_between(start, Clock::now());
    return r;
  };

  const std::string user_agent = "ragrt/" + version();
  std::string auth = s_.api_key.empty() ? "" : "Authorization: Bearer " + s_.api_key;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, s_.params.stream ? "Accept: text/event-stream" : "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for long prompts
  if (!auth.empty()) headers = curl_slist_append(headers, auth.c_str());
  for (const auto& [name, value] : s_.params.headers)
    headers = curl_slist_append(headers, (value.empty() ? name + ";" : name + ": " + value).c_str());
  std::fill(auth.begin(), auth.end(), '\0');
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, [](curl_slist* list) {
    for (curl_slist* p = list; p; p = p->next) std::memset(p->data, 0, std::strlen(p->data));
    curl_slist_free_all(list);
  });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), &curl_easy_cleanup);
  RAGRT_THROW_IF_NOT(curl != nullptr, "libcurl could not create a handle");

  const int attempts = s_.params.max_retries + 1;
  for (int attempt = 1;; ++attempt) {
    if (cancelled()) return finish_cancelled({});
    // Reset keeps the live connection for the next attempt but drops the previous options.
    curl_easy_reset(curl.get());
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.params.connect_timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.params.timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));

    Attempt a(s_, request, url, start);
    a.run(c);
    if (a.abort == Abort::kFailed) std::rethrow_exception(a.failure);
    if (a.abort == Abort::kCancelled) return finish_cancelled(std::move(a.result));
    if (a.abort == Abort::kTooLarge)
      RAGRT_THROW_KIND(
          ErrorKind::kIo,
          "{} sent more than max_response_bytes ({} bytes); raise it if the answer is legitimately that long", url,
          s_.params.max_response_bytes);
    if (a.abort == Abort::kIdle) {
      RAGRT_THROW_KIND(ErrorKind::kIo,
                       "the stream from {} stalled: no data for idle_timeout_s ({} s) after {} bytes of text", url,
                       s_.params.idle_timeout_s, a.delivered);
    }

    std::string failure;  // non-empty: this attempt failed transiently
    if (a.code != CURLE_OK) {
      const std::string curl_error = quote(error_buffer[0] ? error_buffer : curl_easy_strerror(a.code), s_.api_key);
      if (a.delivered > 0)
        RAGRT_THROW_KIND(
            ErrorKind::kIo,
            "the stream from {} broke after {} bytes of text ({}); not retried, the text was already delivered", url,
            a.delivered, curl_error);
      if (!transient_transport(a) || attempt == attempts) {
        RAGRT_THROW_KIND(ErrorKind::kIo,
                         "cannot get an answer from {} after {} attempt{}: {} (curl error {}); check base_url and that "
                         "the server is running",
                         url, attempt, attempt == 1 ? "" : "s", curl_error, static_cast<int>(a.code));
      }
      failure = curl_error;
    } else if (a.status < 200 || a.status >= 300) {
      if (!(a.status == 429 || a.status >= 500) || attempt == attempts) throw_http_error(a, url);
      failure = fmt::format("HTTP {}", a.status);
    } else {
      a.finish_body();
      if (!a.done && !a.finish) {
        if (a.delivered > 0)
          RAGRT_THROW_KIND(ErrorKind::kIo,
                           "the stream from {} ended after {} bytes of text without finishing; not retried, the text "
                           "was already delivered",
                           url, a.delivered);
        if (attempt == attempts)
          RAGRT_THROW_KIND(ErrorKind::kIo, "the stream from {} ended before the answer finished, {} attempt{}", url,
                           attempt, attempt == 1 ? "" : "s");
        failure = "a stream that ended early";
      } else {
        GenerationResult r = std::move(a.result);
        r.finish_reason = a.finish.value_or(FinishReason::kStop);
        for (auto& [index, call] : a.tool_calls) r.tool_calls.push_back(std::move(call));
        r.total_ms = ms_between(start, Clock::now());
        return r;
      }
    }

    double wait = s_.params.retry_backoff_s * std::pow(2.0, attempt - 1);
    if (a.retry_after_s > 0 && a.retry_after_s <= kMaxRetryAfterS) wait = std::max(wait, a.retry_after_s);
    spdlog::warn("openai generator: {} from {}; retry {} of {} in {:.2f} s", failure, url, attempt,
                 s_.params.max_retries, wait);
    const Clock::time_point resume =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait));
    while (Clock::now() < resume) {
      if (cancelled()) return finish_cancelled({});
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(kPollMs), resume - Clock::now()));
    }
  }
}

bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > 32 && c < 127 && c != ':' && c != '(' && c != ')' && c != ',' && c != ';' && c != '"';
  });
}

}  // namespace

std::unique_ptr<Generator> make_openai_generator(const OpenAIGeneratorParams& params) {
  global_init_once();
  Settings s{params, "", "", ""};
  check_base_url(params.base_url);
  std::string root = params.base_url;
  while (!root.empty() && root.back() == '/') root.pop_back();
  s.params.base_url = root;
  s.chat_url = root + "/chat/completions";
  s.completions_url = root + "/completions";

  auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  RAGRT_THROW_IF_NOT_KIND(positive(params.connect_timeout_s), ErrorKind::kInvalidArgument,
                          "connect_timeout_s must be a positive number of seconds (got {})", params.connect_timeout_s);
  RAGRT_THROW_IF_NOT_KIND(positive(params.timeout_s), ErrorKind::kInvalidArgument,
                          "timeout_s must be a positive number of seconds (got {})", params.timeout_s);
  RAGRT_THROW_IF_NOT_KIND(
      std::isfinite(params.idle_timeout_s) && params.idle_timeout_s >= 0, ErrorKind::kInvalidArgument,
      "idle_timeout_s must be a number of seconds, 0 to turn it off (got {})", params.idle_timeout_s);
  RAGRT_THROW_IF_NOT_KIND(params.max_retries >= 0, ErrorKind::kInvalidArgument,
                          "max_retries must be 0 or more (got {})", params.max_retries);
  RAGRT_THROW_IF_NOT_KIND(std::isfinite(params.retry_backoff_s) && params.retry_backoff_s >= 0,
                          ErrorKind::kInvalidArgument, "retry_backoff_s must be 0 or more seconds (got {})",
                          params.retry_backoff_s);
  RAGRT_THROW_IF_NOT_KIND(params.max_response_bytes > 0, ErrorKind::kInvalidArgument,
                          "max_response_bytes must be more than 0");
  for (const auto& [name, value] : params.headers) {
    RAGRT_THROW_IF_NOT_KIND(is_header_name(name), ErrorKind::kInvalidArgument,
                            "headers: '{}' is not a valid HTTP header name", quote(name, ""));
    RAGRT_THROW_IF_NOT_KIND(value.find_first_of("\r\n") == std::string::npos, ErrorKind::kInvalidArgument,
                            "headers: the value of '{}' contains a line break", name);
  }

  if (!params.api_key_env.empty()) {
    const char* key = std::getenv(params.api_key_env.c_str());
    RAGRT_THROW_IF_NOT_KIND(key != nullptr, ErrorKind::kInvalidArgument,
                            "api_key_env names the environment variable {0}, which is not set: export {0}=<your key>, "
                            "or set api_key_env to \"\" for a server without authentication",
                            params.api_key_env);
    s.api_key = key;
    Redactor::global().add_secret(s.api_key);
    RAGRT_THROW_IF_NOT_KIND(
        !s.api_key.empty() && s.api_key.find_first_of("\r\n") == std::string::npos, ErrorKind::kInvalidArgument,
        "the environment variable {} (api_key_env) is empty or holds a line break: set it to the API key",
        params.api_key_env);
  }
  return std::make_unique<OpenAIGenerator>(std::move(s));
}

}  // namespace ragrt
