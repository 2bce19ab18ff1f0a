#include "ragrt/chat_template.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <new>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "ragrt/error.h"
#include "template/jinja_filters.h"
#include "template/jinja_interpreter.h"
#include "template/jinja_lexer.h"
#include "template/jinja_parser.h"
#include "text/utf8.h"

namespace ragrt {

using jinja::Value;

struct detail::ChatTemplateImpl {
  std::string source;
  std::string source_name;
  std::vector<std::pair<std::string, std::string>> special_tokens;
  jinja::Program program;

  int line_of(size_t offset) const {
    offset = std::min(offset, source.size());
    return 1 + static_cast<int>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  }
  int column_of(size_t offset) const {
    offset = std::min(offset, source.size());
    size_t line_start = source.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_start = line_start == std::string::npos || line_start >= offset ? 0 : line_start + 1;
    return 1 + static_cast<int>(text::count_chars(std::string_view(source).substr(line_start, offset - line_start)));
  }
};

namespace {

// The special tokens transformers.js exposes to templates (SPECIAL_TOKEN_ATTRIBUTES).
constexpr const char* kSpecialTokenNames[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                              "pad_token", "cls_token", "mask_token"};

// A token given as a string or an AddedToken object; nullopt when unset. `what` names it in errors.
std::optional<std::string> token_content(const nlohmann::json& v, const std::string& what, ErrorKind kind) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  RAGRT_THROW_KIND(kind, "{} must be a string or an AddedToken object with a string \"content\"", what);
}

// "2024-07-26T10:05:00", "2024-07-26 10:05" or a bare date.
std::tm parse_fixed_time(const std::string& s) {
  std::tm t{};
  int sec = 0;
  int n = std::sscanf(s.c_str(), "%d-%d-%d%*[T ]%d:%d:%d", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &sec);
  if (n != 3 && n < 5) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "extra.strftime_now must look like YYYY-MM-DDTHH:MM[:SS], got \"{}\"", s);
  }
  if (t.tm_mon < 1 || t.tm_mon > 12) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "extra.strftime_now has no month {} (\"{}\")", t.tm_mon, s);
  }
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  t.tm_sec = sec;
  return t;
}

void put(std::vector<std::pair<std::string, Value>>& vars, const std::string& name, Value value) {
  for (auto& [k, v] : vars) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars.emplace_back(name, std::move(value));
}

template <class Json>
std::string render_with(const detail::ChatTemplateImpl& impl, const std::vector<Json>& messages, const Json& tools,
                        bool add_generation_prompt, const Json& extra) {
  if (!extra.is_null() && !extra.is_object()) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "extra must be a JSON object");

  // The variables transformers.js passes: {messages, add_generation_prompt, tools, documents,
  // ...special tokens, ...kwargs}; later ones replace earlier ones of the same name.
  std::vector<std::pair<std::string, Value>> vars;
  std::vector<Value> message_values;
  message_values.reserve(messages.size());
  for (const auto& m : messages) message_values.push_back(jinja::from_json(m));
  put(vars, "messages", Value::list(std::move(message_values)));
  put(vars, "add_generation_prompt", Value::boolean(add_generation_prompt));
  bool no_tools = tools.is_null() || (tools.is_array() && tools.empty());
  put(vars, "tools", no_tools ? Value::null() : jinja::from_json(tools));
  put(vars, "documents", Value::null());
  for (const auto& [name, content] : impl.special_tokens) put(vars, name, Value::string(content));
  std::optional<std::tm> fixed_now;
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) {
      if (it.key() == "strftime_now" && it.value().is_string()) {
        fixed_now = parse_fixed_time(it.value().template get<std::string>());
      } else {
        put(vars, it.key(), jinja::from_json(it.value()));
      }
    }
  }

  try {
    auto globals = std::make_shared<jinja::Environment>();
    for (auto& [name, value] : jinja::global_values(fixed_now)) globals->declare(name, std::move(value));
    for (auto& [name, value] : vars) globals->declare(name, std::move(value));
    jinja::Interpreter interpreter([&impl](size_t offset) { return impl.line_of(offset); });
    return interpreter.render(impl.program, globals);
  } catch (const jinja::RenderError& e) {
    if (e.line > 0) RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}:{}: {}", impl.source_name, e.line, e.what());
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {}", impl.source_name, e.what());
  } catch (const std::bad_alloc&) {  // e.g. indent(width=10**12): the oracle fails there too
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: rendering needs more memory than there is", impl.source_name);
  } catch (const std::length_error& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: {}", impl.source_name, e.what());
  }
}

}  // namespace

ChatTemplate::ChatTemplate(std::string source, nlohmann::json special_tokens, std::string source_name) {
  auto impl = std::make_shared<detail::ChatTemplateImpl>();
  impl->source = text::find_invalid_utf8(source) == text::kValidUtf8 ? std::move(source) : text::from_utf8_lossy(source);
  impl->source_name = std::move(source_name);
  if (!special_tokens.is_null() && !special_tokens.is_object()) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidArgument, "{}: special tokens must be a JSON object", impl->source_name);
  }
  if (special_tokens.is_object()) {
    for (auto it = special_tokens.begin(); it != special_tokens.end(); ++it) {
      auto content = token_content(it.value(), impl->source_name + ": special token " + it.key(), ErrorKind::kInvalidArgument);
      if (content && !content->empty()) impl->special_tokens.emplace_back(it.key(), *content);
    }
  }
  try {
    impl->program = jinja::parse(jinja::tokenize(impl->source), impl->source.size());
  } catch (const jinja::SyntaxError& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}:{}:{}: {}", impl->source_name, impl->line_of(e.offset),
                     impl->column_of(e.offset), e.what());
  }
  impl_ = std::move(impl);
}

ChatTemplate ChatTemplate::from_tokenizer_config(const std::filesystem::path& file, const std::string& name) {
  const std::string where = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(file)) RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: no such file", where);
    RAGRT_THROW_KIND(ErrorKind::kIo, "{}: cannot be read", where);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(buf.str());
  } catch (const nlohmann::json::exception& e) {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: not valid JSON: {}", where, e.what());
  }
  if (!config.is_object()) RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: not a JSON object", where);

  auto field = config.find("chat_template");
  if (field == config.end() || field->is_null()) {
    RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: chat_template is missing", where);
  }
  std::string source, source_name = where + ": chat_template";
  if (field->is_string()) {
    if (!name.empty() && name != "default") {
      RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: chat_template is a single template, there is none named \"{}\"", where, name);
    }
    source = field->get<std::string>();
  } else if (field->is_array()) {
    const std::string wanted = name.empty() ? "default" : name;
    std::vector<std::string> available;
    for (size_t i = 0; i < field->size(); ++i) {
      const auto& entry = (*field)[i];
      if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("template") ||
          !entry["template"].is_string()) {
        RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: chat_template[{}] must be an object with string \"name\" and \"template\"",
                         where, i);
      }
      available.push_back(entry["name"].get<std::string>());
      if (available.back() == wanted && source.empty()) {
        source = entry["template"].get<std::string>();
        source_name = where + ": chat_template[" + wanted + "]";
      }
    }
    if (std::find(available.begin(), available.end(), wanted) == available.end()) {
      std::string names;
      for (const auto& n : available) names += (names.empty() ? "" : ", ") + n;
      RAGRT_THROW_KIND(ErrorKind::kNotFound, "{}: chat_template has no template named \"{}\" (available: {})", where, wanted, names);
    }
  } else {
    RAGRT_THROW_KIND(ErrorKind::kInvalidModel, "{}: chat_template must be a string or a list of {{name, template}}", where);
  }

  nlohmann::json special = nlohmann::json::object();
  for (const char* key : kSpecialTokenNames) {
    auto it = config.find(key);
    if (it == config.end()) continue;
    auto content = token_content(*it, where + ": " + key, ErrorKind::kInvalidModel);
    if (content) special[key] = *content;
  }
  return ChatTemplate(std::move(source), std::move(special), std::move(source_name));
}

std::string ChatTemplate::render(const std::vector<nlohmann::json>& messages, const nlohmann::json& tools,
                                 bool add_generation_prompt, const nlohmann::json& extra) const {
  return render_with(*impl_, messages, tools, add_generation_prompt, extra);
}

std::string ChatTemplate::render(const std::vector<nlohmann::ordered_json>& messages, const nlohmann::ordered_json& tools,
                                 bool add_generation_prompt, const nlohmann::ordered_json& extra) const {
  return render_with(*impl_, messages, tools, add_generation_prompt, extra);
}

const std::string& ChatTemplate::source() const { return impl_->source; }

}  // namespace ragrt
