// Decoding pictures for OCR with OpenCV, with a bound on memory: the header says how large the
// picture is before anything is decoded, JPEGs too large are decoded at 1/2, 1/4 or 1/8 scale by
// libjpeg itself, and other formats too large are refused rather than filling memory.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <optional>

#include <opencv2/imgcodecs.hpp>

#include "ocr/image_ops.h"
#include "ragrt/error.h"
#include "ragrt/ocr.h"

namespace ragrt {
namespace {

// A page is decoded whole only up to this many pixels (about 190 MB as BGR): an A0 scan at 300 DPI.
constexpr uint64_t kMaxDecodedPixels = 64ull << 20;
constexpr uint64_t kMaxFileBytes = 512ull << 20;

uint32_t be16(std::string_view b, size_t i) { return (uint8_t(b[i]) << 8) | uint8_t(b[i + 1]); }
uint32_t be32(std::string_view b, size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
uint32_t le16(std::string_view b, size_t i) { return uint8_t(b[i]) | (uint8_t(b[i + 1]) << 8); }
uint32_t le32(std::string_view b, size_t i) { return le16(b, i) | (le16(b, i + 2) << 16); }

struct Header {
  bool jpeg = false;
  uint64_t width = 0, height = 0;
};

// Width and height from the header of a PNG, JPEG, BMP or TIFF (its first frame); nullopt when
// the format is none of those or the header is cut short (OpenCV then gives the verdict).
std::optional<Header> read_header(std::string_view b) {
  if (b.size() >= 24 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") return Header{false, be32(b, 16), be32(b, 20)};
  if (b.size() >= 26 && b.substr(0, 2) == "BM") {
    return Header{false, le32(b, 18), static_cast<uint64_t>(std::abs(static_cast<int32_t>(le32(b, 22))))};
  }
  if (b.size() >= 4 && uint8_t(b[0]) == 0xFF && uint8_t(b[1]) == 0xD8) {
    for (size_t i = 2; i + 9 < b.size();) {
      if (uint8_t(b[i]) != 0xFF) return std::nullopt;
      const uint8_t marker = uint8_t(b[i + 1]);
      if (marker == 0xFF) { ++i; continue; }
      const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) return Header{true, be16(b, i + 7), be16(b, i + 5)};
      i += 2 + be16(b, i + 2);
    }
    return std::nullopt;
  }
  const bool le = b.size() >= 8 && b.substr(0, 4) == std::string_view("II*\0", 4);
  const bool be = b.size() >= 8 && b.substr(0, 4) == std::string_view("MM\0*", 4);
  if (le || be) {
    auto u16 = [&](size_t i) { return le ? le16(b, i) : be16(b, i); };
    auto u32 = [&](size_t i) { return le ? le32(b, i) : be32(b, i); };
    const size_t ifd = u32(4);
    if (ifd + 2 > b.size()) return std::nullopt;
    Header h;
    const size_t n = u16(ifd);
    for (size_t k = 0; k < n && ifd + 2 + k * 12 + 12 <= b.size(); ++k) {
      const size_t e = ifd + 2 + k * 12;
      const uint32_t tag = u16(e), type = u16(e + 2);
      const uint64_t value = type == 3 ? u16(e + 8) : u32(e + 8);
      if (tag == 256) h.width = value;
      if (tag == 257) h.height = value;
    }
    if (h.width && h.height) return h;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& ocr_image_extensions() {
  static const std::vector<std::string> exts = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"};
  return exts;
}

std::vector<OcrImage> read_images(const std::filesystem::path& file, int max_side) {
  const std::string name = file.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: cannot read the image: {}", name, ec.message());
  if (size > kMaxFileBytes) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: the image file is {} bytes, more than the {} MB ragrt reads",
                     name, size, kMaxFileBytes >> 20);
  }
  std::string bytes(size, '\0');
  {
    std::ifstream in(file, std::ios::binary);
    if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) {
      RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot read the image file", name);
    }
  }
  if (bytes.empty()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: the file is empty, not an image", name);
  int flags = cv::IMREAD_COLOR;
  if (const auto h = read_header(bytes)) {
    if (h->width == 0 || h->height == 0) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: the image is {}x{} pixels, it has nothing to read", name,
                       h->width, h->height);
    }
    uint64_t pixels = h->width * h->height;
    if (pixels > kMaxDecodedPixels && h->jpeg) {
      flags = cv::IMREAD_REDUCED_COLOR_2;
      if (pixels / 4 > kMaxDecodedPixels) flags = cv::IMREAD_REDUCED_COLOR_4;
      if (pixels / 16 > kMaxDecodedPixels) flags = cv::IMREAD_REDUCED_COLOR_8;
      pixels /= flags == cv::IMREAD_REDUCED_COLOR_2 ? 4 : flags == cv::IMREAD_REDUCED_COLOR_4 ? 16 : 64;
    }
    if (pixels > kMaxDecodedPixels) {
      RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                       "{}: the image is {}x{} pixels, more than the {} million ragrt decodes; scale it down first "
                       "(for example: convert IN -resize 8000x8000 OUT)",
                       name, h->width, h->height, kMaxDecodedPixels >> 20);
    }
  }
  const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
  std::vector<cv::Mat> frames;
  try {
    const bool tiff = bytes.size() >= 4 && (bytes.substr(0, 2) == "II" || bytes.substr(0, 2) == "MM");
    if (tiff) {
      // imdecode reads a TIFF's first frame only; a scanned document's other pages are frames too.
      cv::imreadmulti(name, frames, cv::IMREAD_COLOR);
    } else {
      cv::Mat m = cv::imdecode(buffer, flags);
      if (!m.empty()) frames.push_back(std::move(m));
    }
  } catch (const cv::Exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: the image cannot be decoded: {}", name, e.err);
  }
  if (frames.empty()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument,
                     "{}: not a readable image (PNG, JPEG, TIFF and BMP are read; the file may be damaged)", name);
  }
  std::vector<OcrImage> out;
  for (const cv::Mat& f : frames) {
    if (f.empty()) continue;
    out.push_back(ocr::to_image(ocr::scale_down(f, max_side)));
  }
  return out;
}

}  // namespace ragrt
