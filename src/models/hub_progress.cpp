#include "models/hub_progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <fmt/format.h>

namespace ragrt::models {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBarRedraw = std::chrono::milliseconds(100);
constexpr auto kLineInterval = std::chrono::seconds(10);
constexpr int kBarWidth = 24;

std::string fit_name(const std::string& path, size_t width) {
  if (path.size() <= width) return path + std::string(width - path.size(), ' ');
  return "..." + path.substr(path.size() - (width - 3));
}

}  // namespace

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

hub::ProgressStyle resolve_progress_style(hub::ProgressStyle style, const std::ostream& out) {
  if (style != hub::ProgressStyle::kAuto) return style;
  const bool tty = &out == &std::cerr && isatty(fileno(stderr));
  return tty ? hub::ProgressStyle::kBar : hub::ProgressStyle::kLines;
}

PullProgress::PullProgress(std::ostream& out, hub::ProgressStyle style, bool verbose)
    : out_(out), style_(resolve_progress_style(style, out)), verbose_(verbose) {}

void PullProgress::start_file(const std::string& path, std::optional<uint64_t> total,
                              uint64_t resumed_from) {
  path_ = path;
  total_ = total;
  resumed_from_ = resumed_from;
  done_ = resumed_from;
  started_ = last_draw_ = Clock::now();
  if (style_ == hub::ProgressStyle::kLines) {
    std::string line = "downloading " + path;
    if (total) line += " (" + human_bytes(static_cast<double>(*total)) + ")";
    if (resumed_from > 0) line += ", resuming at " + human_bytes(static_cast<double>(resumed_from));
    out_ << line << "\n" << std::flush;
  } else if (style_ == hub::ProgressStyle::kBar) {
    bar_open_ = true;
    draw_bar(false);
  }
}

double PullProgress::speed_bytes_per_s() const {
  const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  return seconds > 0 ? static_cast<double>(done_ - resumed_from_) / seconds : 0.0;
}

void PullProgress::draw_bar(bool final) {
  std::string bar, numbers;
  if (total_ && *total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(*total_));
    const int filled = static_cast<int>(fraction * kBarWidth);
    bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
    numbers = fmt::format("{:3.0f}% {}/{}", fraction * 100, human_bytes(static_cast<double>(done_)),
                          human_bytes(static_cast<double>(*total_)));
  } else {
    bar = std::string(kBarWidth, '?');
    numbers = human_bytes(static_cast<double>(done_));
  }
  out_ << "\r" << fit_name(path_, 32) << " [" << bar << "] " << numbers << "  "
       << human_bytes(speed_bytes_per_s()) << "/s\x1b[K";
  if (final) out_ << "\n";
  out_ << std::flush;
}

void PullProgress::advance(uint64_t bytes_done) {
  done_ = bytes_done;
  const auto now = Clock::now();
  if (style_ == hub::ProgressStyle::kBar && now - last_draw_ >= kBarRedraw) {
    last_draw_ = now;
    draw_bar(false);
  } else if (style_ == hub::ProgressStyle::kLines && now - last_draw_ >= kLineInterval) {
    last_draw_ = now;
    std::string where = human_bytes(static_cast<double>(done_));
    if (total_ && *total_ > 0)
      where = fmt::format("{:.0f}% ({}/{})", 100.0 * static_cast<double>(done_) / static_cast<double>(*total_),
                          where, human_bytes(static_cast<double>(*total_)));
    out_ << "  " << path_ << ": " << where << ", " << human_bytes(speed_bytes_per_s()) << "/s\n"
         << std::flush;
  }
}

void PullProgress::finish_file(bool ok) {
  if (style_ == hub::ProgressStyle::kBar && bar_open_) {
    bar_open_ = false;
    draw_bar(true);
  } else if (style_ == hub::ProgressStyle::kLines && ok) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    out_ << "done " << path_ << ": " << human_bytes(static_cast<double>(done_)) << " in "
         << fmt::format("{:.1f}", seconds) << " s (" << human_bytes(speed_bytes_per_s()) << "/s)\n"
         << std::flush;
  }
}

void PullProgress::note(const std::string& line) {
  if (style_ == hub::ProgressStyle::kNone) return;
  if (bar_open_) draw_bar(/*final=*/true);  // keep the bar's last state above the note
  bar_open_ = false;
  out_ << line << "\n" << std::flush;
}

void PullProgress::detail(const std::string& line) {
  if (verbose_) note(line);
}

}  // namespace ragrt::models
