#pragma once
// A cpp-httplib server on 127.0.0.1 with an ephemeral port for tests of HTTP clients: every
// method and path goes to one handler, which learns how many requests came before it (to script
// "fail twice, then answer"); each request is recorded as the test chooses. Nothing leaves the
// machine.
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace ragrt::testing {

template <class Recorded>
class LoopbackServer {
 public:
  // hit: 0 for the first request, 1 for the second, …
  using Handler = std::function<void(int hit, const httplib::Request&, httplib::Response&)>;
  using Recorder = std::function<Recorded(const httplib::Request&)>;

  LoopbackServer(Recorder record, Handler handler) : record_(std::move(record)), handler_(std::move(handler)) {
    server_.set_tcp_nodelay(true);  // so that each write leaves at once, as a separate read for the client
    auto route = [this](const httplib::Request& req, httplib::Response& res) {
      int hit;
      {
        std::lock_guard lock(mutex_);
        hit = static_cast<int>(requests_.size());
        requests_.push_back(record_(req));
      }
      handler_(hit, req, res);
    };
    server_.Get(".*", route);
    server_.Post(".*", route);
    server_.Put(".*", route);
    server_.Patch(".*", route);
    server_.Delete(".*", route);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  ~LoopbackServer() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::vector<Recorded> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  Recorder record_;
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Recorded> requests_;
};

}  // namespace ragrt::testing
