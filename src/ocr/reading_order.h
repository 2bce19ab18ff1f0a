#pragma once
// Puts a page's text lines in the order a person reads them: top to bottom, left to right, and a
// column to its end before the next one starts. A recursive XY-cut: where a vertical gap runs
// through a run of rows (the gutter between columns), the run is cut into columns, each read on
// its own; other rows are read across. A cut needs a gap at least one line high and columns wide
// enough to hold prose, so the gaps inside a key/value form or a single row do not split it.
#include <vector>

#include <opencv2/core.hpp>

namespace ragrt::ocr {

struct LinePlace {
  size_t index = 0;  // into the boxes given
  int block = 0;     // column or text block, numbered in reading order
  int row = 0;       // row number on the page; lines read across one row share it
};

// `boxes` are the lines' axis-aligned bounds. Returns every index once, in reading order.
std::vector<LinePlace> reading_order(const std::vector<cv::Rect2f>& boxes);

}  // namespace ragrt::ocr
