#pragma once
// URL and query templates of the `http` tool: "{name}" stands for the argument `name`,
// percent-encoded as one URL component (everything but A-Z a-z 0-9 - . _ ~), so an argument can
// never add a path segment ("a/../b" becomes a%2F..%2Fb), a query parameter or a fragment. An
// argument that is exactly "." or ".." has its dots encoded too, so it cannot be a dot segment.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ragrt::tools {

class UrlTemplate {
 public:
  // Throws ragrt::Error (kInvalidArgument): an unclosed '{', a name that is not
  // [A-Za-z0-9_-]+, or (with `url`) a placeholder before the path, where it could pick the host.
  static UrlTemplate parse(const std::string& text, bool url);

  // The referenced argument names, in order of appearance.
  std::vector<std::string> names() const;
  // The text with every placeholder replaced; nullopt when one refers to an absent (or null) argument.
  std::optional<std::string> expand(const nlohmann::json& arguments) const;
  // The text with each placeholder as "x", for syntax checks at load.
  std::string sample() const;

  static std::string encode(const std::string& value);

 private:
  struct Part {
    std::string text;  // literal text, or the argument name when `placeholder`
    bool placeholder = false;
  };
  std::vector<Part> parts_;
};

}  // namespace ragrt::tools
