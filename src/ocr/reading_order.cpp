#include "ocr/reading_order.h"

#include <algorithm>

namespace ragrt::ocr {
namespace {

// A column gutter is at least this many line heights wide, and a column at least this many.
constexpr float kMinGutter = 1.0f;
constexpr float kMinColumnWidth = 8.0f;

class Orderer {
 public:
  explicit Orderer(const std::vector<cv::Rect2f>& boxes) : boxes_(boxes) {
    std::vector<float> heights;
    for (const auto& b : boxes) heights.push_back(b.height);
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    line_height_ = std::max(1.0f, heights[heights.size() / 2]);
  }

  std::vector<LinePlace> run() {
    std::vector<size_t> all(boxes_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    read(all);
    return std::move(out_);
  }

 private:
  // Groups lines into rows: lines whose vertical middle falls within the row's extent so far.
  std::vector<std::vector<size_t>> rows_of(std::vector<size_t> lines) const {
    std::sort(lines.begin(), lines.end(), [&](size_t a, size_t b) { return boxes_[a].y < boxes_[b].y; });
    std::vector<std::vector<size_t>> rows;
    float bottom = 0;
    for (size_t i : lines) {
      const cv::Rect2f& b = boxes_[i];
      if (rows.empty() || b.y + b.height / 2 > bottom) {
        rows.push_back({i});
        bottom = b.y + b.height;
      } else {
        rows.back().push_back(i);
        bottom = std::max(bottom, b.y + b.height);
      }
    }
    return rows;
  }

  // The lines split at vertical gutters into columns, left to right; one group when there is none.
  std::vector<std::vector<size_t>> columns_of(std::vector<size_t> lines) const {
    std::sort(lines.begin(), lines.end(), [&](size_t a, size_t b) { return boxes_[a].x < boxes_[b].x; });
    std::vector<std::vector<size_t>> cols;
    float right = 0;
    for (size_t i : lines) {
      const cv::Rect2f& b = boxes_[i];
      if (!cols.empty() && b.x - right < kMinGutter * line_height_) {
        cols.back().push_back(i);
        right = std::max(right, b.x + b.width);
      } else {
        cols.push_back({i});
        right = b.x + b.width;
      }
    }
    for (const auto& c : cols) {
      float l = boxes_[c.front()].x, r = l;
      for (size_t i : c) r = std::max(r, boxes_[i].x + boxes_[i].width);
      if (r - l < kMinColumnWidth * line_height_) return {std::move(lines)};
    }
    return cols;
  }

  void read(const std::vector<size_t>& lines) {
    auto cols = columns_of(lines);
    if (cols.size() > 1) {
      for (const auto& c : cols) {
        new_block();
        read(c);
      }
      new_block();
      return;
    }
    const auto rows = rows_of(lines);
    if (rows.size() == 1) {
      emit_row(rows[0]);
      return;
    }
    // Take the longest run of rows starting here that splits into columns (at least two rows:
    // one row with a wide gap is still one row), else this row alone. Adding rows only fills
    // gutters, so the run grows until it stops splitting.
    for (size_t i = 0; i < rows.size();) {
      std::vector<size_t> run = rows[i];
      size_t end = i + 1;
      for (size_t j = i + 1; j < rows.size(); ++j) {
        std::vector<size_t> longer = run;
        longer.insert(longer.end(), rows[j].begin(), rows[j].end());
        if (columns_of(longer).size() < 2) break;
        run = std::move(longer);
        end = j + 1;
      }
      if (end == i + 1) {
        emit_row(rows[i]);
      } else {
        new_block();
        read(run);
      }
      i = end;
    }
  }

  void emit_row(std::vector<size_t> row) {
    std::sort(row.begin(), row.end(), [&](size_t a, size_t b) { return boxes_[a].x < boxes_[b].x; });
    for (size_t i : row) out_.push_back({i, block_, row_});
    ++row_;
    block_used_ = true;
  }

  void new_block() {
    if (block_used_) ++block_;
    block_used_ = false;
  }

  const std::vector<cv::Rect2f>& boxes_;
  float line_height_ = 1;
  std::vector<LinePlace> out_;
  int block_ = 0, row_ = 0;
  bool block_used_ = false;
};

}  // namespace

std::vector<LinePlace> reading_order(const std::vector<cv::Rect2f>& boxes) {
  if (boxes.empty()) return {};
  return Orderer(boxes).run();
}

}  // namespace ragrt::ocr
