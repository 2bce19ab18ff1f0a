#pragma once
// ragrt-order-service (the customer-service example's order API) as a child process of a test.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_helpers.h"

extern char** environ;

namespace ragrt::testing {

// One run of the service; stdout and stderr go to files in `dir`.
class OrderServiceProcess {
 public:
  // `env`: NAME=VALUE entries added to this process's environment.
  OrderServiceProcess(const std::filesystem::path& dir, const std::vector<std::string>& args, const std::vector<std::string>& env = {})
      : out_(dir / "stdout.txt"), err_(dir / "stderr.txt") {
    std::vector<std::string> argv_s = {RAGRT_ORDER_SERVICE_BINARY};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s(env);
    for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&files, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(posix_spawn(&pid_, argv[0], &files, nullptr, argv.data(), envp.data()), 0);
    posix_spawn_file_actions_destroy(&files);
  }
  ~OrderServiceProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }

  // The port from `port_file` once the service wrote it; 0 when it exited or 20 s passed.
  int wait_for_port(const std::filesystem::path& port_file) {
    for (int i = 0; i < 2000; ++i) {
      if (std::filesystem::exists(port_file)) return std::stoi(read_file(port_file));
      if (exited()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  // Sends `signal` and returns the exit status (128 + N when killed by signal N).
  int stop(int signal = SIGTERM) {
    if (pid_ > 0) ::kill(pid_, signal);
    return wait();
  }
  int wait() {
    if (pid_ > 0) {
      int status = 0;
      ::waitpid(pid_, &status, 0);
      reap(status);
    }
    return status_;
  }

  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }

 private:
  bool exited() {
    int status = 0;
    if (pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) != pid_) return pid_ <= 0;
    reap(status);
    return true;
  }
  void reap(int status) {
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

}  // namespace ragrt::testing
