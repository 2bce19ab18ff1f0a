#pragma once
// Reports the progress of a pull: a redrawn bar per file on a terminal, plain lines in logs.
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "ragrt/hub.h"

namespace ragrt::models {

class PullProgress {
 public:
  // kAuto must be resolved by the caller (see resolve_progress_style).
  PullProgress(std::ostream& out, hub::ProgressStyle style, bool verbose);

  void start_file(const std::string& path, std::optional<uint64_t> total, uint64_t resumed_from);
  void advance(uint64_t bytes_done);  // bytes of the file present so far, resumed part included
  void finish_file(bool ok);
  void note(const std::string& line);     // shown unless quiet
  void detail(const std::string& line);   // shown with --verbose only

 private:
  void draw_bar(bool final);
  double speed_bytes_per_s() const;

  std::ostream& out_;
  hub::ProgressStyle style_;
  bool verbose_;
  std::string path_;
  std::optional<uint64_t> total_;
  uint64_t resumed_from_ = 0;
  uint64_t done_ = 0;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

// kAuto → kBar when `out` is std::cerr on a terminal, else kLines.
hub::ProgressStyle resolve_progress_style(hub::ProgressStyle style, const std::ostream& out);

// "12.3 MiB", "512 B".
std::string human_bytes(double bytes);

}  // namespace ragrt::models
