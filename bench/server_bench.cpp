// A loopback load client for `ragrt serve` (bench/server.sh): N clients ask the chat endpoint in
// a loop (closed loop, --concurrency) or requests start at a fixed rate whatever the answers do
// (open loop, --rate, for overload tests); prints one JSON object: requests, statuses, requests/s,
// latency p50/p95, time to first token p50/p95 (streaming), and with --pid the server's resident
// memory sampled every second.
//   server_bench --url http://127.0.0.1:8080 --concurrency 4 --duration 20 --stream --question "…" …
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

struct Sample {
  int status = 0;  // 0: no answer (connection failed)
  double ms = 0, ttft_ms = -1;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

long rss_kb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"load client for ragrt serve"};
  std::string url = "http://127.0.0.1:8080", model = "default", key;
  std::vector<std::string> questions;
  int concurrency = 1, pid = 0;
  double duration = 10, rate = 0, timeout_s = 60;
  bool stream = false;
  app.add_option("--url", url);
  app.add_option("--model", model);
  app.add_option("--key", key, "API key (Bearer)");
  app.add_option("--question", questions, "asked in turn")->required();
  app.add_option("--concurrency", concurrency, "clients in a closed loop; with --rate the most requests in flight");
  app.add_option("--rate", rate, "requests per second, open loop (0: closed loop)");
  app.add_option("--duration", duration, "seconds");
  app.add_option("--timeout", timeout_s, "seconds per request");
  app.add_option("--pid", pid, "server process whose memory is sampled");
  app.add_flag("--stream", stream, "stream answers (server-sent events) and measure time to first token");
  CLI11_PARSE(app, argc, argv);

  std::mutex mutex;
  std::vector<Sample> samples;
  std::atomic<size_t> next{0};
  std::atomic<int> dropped{0};  // open loop: starts skipped because `concurrency` were in flight

  auto one = [&](httplib::Client& client) {
    const std::string& q = questions[next++ % questions.size()];
    json body = {{"model", model}, {"messages", {{{"role", "user"}, {"content", q}}}}, {"stream", stream}};
    httplib::Headers headers;
    if (!key.empty()) headers.emplace("Authorization", "Bearer " + key);
    Sample s;
    const auto start = Clock::now();
    bool first = true;
    std::string buffer;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.headers = headers;
    req.body = body.dump();
    req.set_header("Content-Type", "application/json");
    if (stream) {
      req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
        if (!first) return true;
        buffer.append(data, n);
        // The first event with text: "content":"x…" (the role chunk before it has "content":"").
        static const std::string kKey = "\"content\":\"";
        for (size_t p = buffer.find(kKey); p != std::string::npos; p = buffer.find(kKey, p + 1)) {
          if (p + kKey.size() < buffer.size() && buffer[p + kKey.size()] != '"') {
            s.ttft_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            first = false;
            break;
          }
        }
        return true;
      };
    }
    auto res = client.send(req);
    s.ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (res) s.status = res->status;
    if (s.status == 200 && stream && s.ttft_ms < 0) s.ttft_ms = s.ms;
    std::lock_guard lock(mutex);
    samples.push_back(s);
  };
  auto make_client = [&] {
    auto c = std::make_unique<httplib::Client>(url);
    c->set_read_timeout(static_cast<time_t>(timeout_s), 0);
    c->set_connection_timeout(5, 0);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);  // the request goes out as headers then body: no Nagle wait between them
    return c;
  };

  std::vector<long> rss;
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    while (pid > 0 && !done) {
      rss.push_back(rss_kb(pid));
      for (int i = 0; i < 10 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration));
  std::vector<std::thread> threads;
  if (rate <= 0) {
    for (int i = 0; i < concurrency; ++i)
      threads.emplace_back([&] {
        auto client = make_client();
        while (Clock::now() < end) one(*client);
      });
  } else {
    // Open loop: starts on a fixed schedule, taken by `concurrency` workers; a start that finds
    // `concurrency` others still waiting is skipped and counted, so the offered load stays fixed.
    std::mutex qm;
    std::condition_variable qcv;
    int pending = 0;
    bool stop = false;
    for (int i = 0; i < concurrency; ++i)
      threads.emplace_back([&] {
        auto client = make_client();
        for (;;) {
          {
            std::unique_lock lock(qm);
            qcv.wait(lock, [&] { return pending > 0 || stop; });
            if (stop) return;
            --pending;
          }
          one(*client);
        }
      });
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    for (auto t = start; t < end; t += period) {
      std::this_thread::sleep_until(t);
      std::lock_guard lock(qm);
      if (pending >= concurrency) {
        ++dropped;
      } else {
        ++pending;
        qcv.notify_one();
      }
    }
    {
      std::lock_guard lock(qm);
      stop = true;
    }
    qcv.notify_all();
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  done = true;
  sampler.join();

  std::map<std::string, int> statuses;
  std::vector<double> ok_ms, ttft;
  for (const Sample& s : samples) {
    statuses[s.status == 0 ? "no_answer" : std::to_string(s.status)]++;
    if (s.status == 200) {
      ok_ms.push_back(s.ms);
      if (s.ttft_ms >= 0) ttft.push_back(s.ttft_ms);
    }
  }
  json out = {{"requests", samples.size()},
              {"ok", ok_ms.size()},
              {"statuses", statuses},
              {"seconds", elapsed},
              {"rps", static_cast<double>(ok_ms.size()) / elapsed},
              {"p50_ms", percentile(ok_ms, 0.5)},
              {"p95_ms", percentile(ok_ms, 0.95)},
              {"ttft_p50_ms", percentile(ttft, 0.5)},
              {"ttft_p95_ms", percentile(ttft, 0.95)}};
  if (rate > 0) out["skipped_starts"] = dropped.load();
  if (!rss.empty()) {
    out["rss_first_mb"] = rss.front() / 1024.0;
    out["rss_last_mb"] = rss.back() / 1024.0;
    out["rss_max_mb"] = *std::max_element(rss.begin(), rss.end()) / 1024.0;
    // Memory in the last fifth of the run against the second fifth (after warm-up).
    const size_t n = rss.size();
    if (n >= 10) {
      double a = 0, b = 0;
      for (size_t i = n / 5; i < 2 * n / 5; ++i) a += rss[i];
      for (size_t i = 4 * n / 5; i < n; ++i) b += rss[i];
      out["rss_growth_mb"] = (b / static_cast<double>(n - 4 * n / 5) - a / static_cast<double>(2 * n / 5 - n / 5)) / 1024.0;
    }
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
