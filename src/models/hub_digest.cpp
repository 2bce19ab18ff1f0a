#include "models/hub_digest.h"

#include <cctype>
#include <fstream>
#include <memory>
#include <vector>

#include <openssl/evp.h>

#include "ragrt/error.h"

namespace ragrt::models {
namespace {

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string to_lower_hex(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string algorithm_name(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha256: return "sha256";
    case DigestAlgorithm::kGitBlobSha1: return "git-sha1";
    case DigestAlgorithm::kNone: break;
  }
  return "";
}

DigestAlgorithm algorithm_from_name(std::string_view name) {
  if (name == "sha256") return DigestAlgorithm::kSha256;
  if (name == "git-sha1") return DigestAlgorithm::kGitBlobSha1;
  return DigestAlgorithm::kNone;
}

Digest digest_from_etag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  if (!all_hex(etag)) return {};
  if (etag.size() == 64) return {DigestAlgorithm::kSha256, to_lower_hex(etag)};
  if (etag.size() == 40) return {DigestAlgorithm::kGitBlobSha1, to_lower_hex(etag)};
  return {};
}

std::string file_digest(const std::filesystem::path& file, DigestAlgorithm algorithm) {
  RAGRT_THROW_IF_NOT_KIND(algorithm != DigestAlgorithm::kNone, ErrorKind::kInvalidArgument,
                          "no digest algorithm given for {}", file.string());
  std::ifstream in(file, std::ios::binary);
  RAGRT_THROW_IF_NOT_KIND(in.good(), ErrorKind::kIo, "cannot read {} to verify it", file.string());
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  const EVP_MD* md = algorithm == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_sha1();
  RAGRT_THROW_IF_NOT(ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1, "OpenSSL digest init failed");
  if (algorithm == DigestAlgorithm::kGitBlobSha1) {
    // git hashes the object header, including its terminating NUL, before the content.
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    RAGRT_THROW_IF_NOT_KIND(!ec, ErrorKind::kIo, "cannot stat {}: {}", file.string(), ec.message());
    const std::string header = "blob " + std::to_string(size);
    EVP_DigestUpdate(ctx.get(), header.data(), header.size() + 1);  // + the '\0'
  }
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
  }
  RAGRT_THROW_IF_NOT_KIND(in.eof(), ErrorKind::kIo, "reading {} failed while verifying it", file.string());
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex.push_back(kHex[out[i] >> 4]);
    hex.push_back(kHex[out[i] & 15]);
  }
  return hex;
}

}  // namespace ragrt::models
