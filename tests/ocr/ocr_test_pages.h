#pragma once
// Test pages rendered from known text with Debian's ImageMagick and fonts (DejaVu for Latin,
// Noto CJK for Chinese), so every OCR test knows exactly what the page says.
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_helpers.h"

namespace ragrt::ocr::test {

inline const char* kLatinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
inline const char* kCjkFont = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

struct PageLine {
  std::string text;
  int x = 40;  // left edge in pixels
  int y = 0;   // baseline in pixels
  bool cjk = false;
};

// Renders `lines` black on a white width x height page into `out` (its extension picks the
// format); `extra` are ImageMagick options applied after drawing (e.g. "-rotate 2").
inline void render_page(const std::filesystem::path& out, int width, int height, int pointsize,
                        const std::vector<PageLine>& lines, const std::string& extra = "") {
  using ragrt::testing::shell_quote;
  std::string cmd = "convert -size " + std::to_string(width) + "x" + std::to_string(height) +
                    " xc:white -fill black -pointsize " + std::to_string(pointsize);
  for (const PageLine& l : lines) {
    cmd += std::string(" -font ") + (l.cjk ? kCjkFont : kLatinFont) + " -annotate +" + std::to_string(l.x) + "+" +
           std::to_string(l.y) + " " + shell_quote(l.text);
  }
  cmd += " " + extra + " " + shell_quote(out.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// Lines stacked one under the other, `spacing` pixels apart, starting at `top`.
inline std::vector<PageLine> stacked(const std::vector<std::pair<std::string, bool>>& texts, int top, int spacing,
                                     int x = 40) {
  std::vector<PageLine> out;
  for (size_t i = 0; i < texts.size(); ++i)
    out.push_back({texts[i].first, x, top + static_cast<int>(i) * spacing, texts[i].second});
  return out;
}

inline std::string joined(const std::vector<PageLine>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l.text;
  return s;
}

// A PDF with `image` as every one of `pages` pages and no text layer: what a scanner produces.
inline void scanned_pdf(const std::filesystem::path& out, const std::filesystem::path& image, int pages = 1) {
  using ragrt::testing::shell_quote;
  std::string cmd = "img2pdf --output " + shell_quote(out.string());
  for (int i = 0; i < pages; ++i) cmd += " " + shell_quote(image.string());
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace ragrt::ocr::test
