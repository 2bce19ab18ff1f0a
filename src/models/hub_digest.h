#pragma once
// The digests the Hub publishes for a file, and computing them over a local file. LFS files are
// identified by the sha256 of their content (X-Linked-Etag); small files kept in git by their git
// blob id, sha1("blob <size>\0" + content) (ETag).
#include <filesystem>
#include <string>
#include <string_view>

namespace ragrt::models {

enum class DigestAlgorithm { kNone, kSha256, kGitBlobSha1 };

struct Digest {
  DigestAlgorithm algorithm = DigestAlgorithm::kNone;
  std::string hex;  // lowercase

  bool known() const { return algorithm != DigestAlgorithm::kNone; }
};

// "sha256", "git-sha1", "" (the names used in the pull manifest).
std::string algorithm_name(DigestAlgorithm algorithm);
DigestAlgorithm algorithm_from_name(std::string_view name);

// Reads an ETag value (quoted, maybe weak W/"..."): 64 hex digits → sha256, 40 → git blob sha1,
// anything else (a CDN's own tag, for instance) → kNone.
Digest digest_from_etag(std::string_view etag);

// Digest of the file's content with `algorithm`; throws ragrt::Error (kIo) when it cannot be read.
std::string file_digest(const std::filesystem::path& file, DigestAlgorithm algorithm);

}  // namespace ragrt::models
