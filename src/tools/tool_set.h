#pragma once
// The tools a pipeline offers the model, built from the config's `tools:` mapping (name → entry
// with a `type:`). call() is the one entry point for the model's tool calls: it takes the
// arguments as the model sent them (usually a JSON string) and turns every mistake (unparsable
// JSON, unknown tool) into a ToolResult the model can read, never an exception.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "ragrt/tool.h"
#include "ragrt/yaml_reader.h"

namespace ragrt::tools {

class ToolSet {
 public:
  ToolSet() = default;
  // Each entry through Registry<Tool> (built-in types registered first). Names must match
  // [a-zA-Z0-9_-]{1,64}, as OpenAI function names. Throws ragrt::Error naming file:line:column.
  static ToolSet from_yaml(const YAML::Node& tools, const config::YamlReader& reader, const std::string& key = "tools");

  // Throws ragrt::Error for an invalid or duplicate name.
  void add(std::shared_ptr<const Tool> tool);
  std::shared_ptr<const Tool> find(const std::string& name) const;
  std::vector<std::string> names() const;
  bool empty() const { return tools_.empty(); }
  size_t size() const { return tools_.size(); }

  // [to_openai() of each tool], in name order.
  nlohmann::ordered_json specs_openai() const;

  // `arguments`: an object, or a string holding one (as in OpenAI tool calls; "" means {}). The
  // result is classified (see classify).
  ToolResult call(const std::string& name, const nlohmann::json& arguments, const ToolCallOptions& options = {}) const;

  static bool valid_name(const std::string& name);
  // Sets the outcome of a result its tool left kOk (a failure's ToolStatus, an empty SQL result:
  // not found), moves a failure's message to `detail` and puts in `content` what the model can act
  // on: the outcome and what to tell the customer, with no host, status code or upstream body.
  static void classify(ToolResult& result, const nlohmann::json& arguments);

 private:
  ToolResult call_unclassified(const std::string& name, const nlohmann::json& arguments, const ToolCallOptions& options) const;
  std::map<std::string, std::shared_ptr<const Tool>> tools_;
};

}  // namespace ragrt::tools
