// Redactor: registered secret values and credential-named keys never survive; counts do.
#include <gtest/gtest.h>

#include "ragrt/trace.h"

namespace {

using Json = nlohmann::ordered_json;

TEST(Redactor, ReplacesEveryOccurrenceLongestFirst) {
  ragrt::Redactor r;
  r.add_secret("sk-live-abcdef");
  r.add_secret("sk-live-abcdef-123456");  // contains the first: must go whole
  r.add_secret("abc");                    // under 4 bytes: ignored
  EXPECT_EQ(r.redact(std::string("Bearer sk-live-abcdef-123456 and sk-live-abcdef, abc")),
            "Bearer [redacted] and [redacted], abc");
  EXPECT_EQ(r.redact(std::string("nothing here")), "nothing here");
  EXPECT_EQ(r.redact(std::string("sk-live-abcdefsk-live-abcdef")), "[redacted][redacted]");
}

TEST(Redactor, ASecretInsideTheMarkerDoesNotMangleIt) {
  ragrt::Redactor r;
  r.add_secret("hunter2!");
  r.add_secret("dact");
  EXPECT_EQ(r.redact(std::string("pw hunter2! x")), "pw [redacted] x");
  EXPECT_EQ(r.redact(std::string("redacted")), "re[redacted]ed");
}

TEST(Redactor, WalksNestedJsonStringsAndKeys) {
  ragrt::Redactor r;
  r.add_secret("s3cr3t-value");
  const Json in = {{"root",
                    {{"attributes", {{"url", "https://api.example.com/?k=s3cr3t-value&x=1"}, {"n", 3}}},
                     {"children", Json::array({{{"args", Json::array({"a", "s3cr3t-value"})}}})},
                     {"s3cr3t-value", 1}}}};
  const Json out = r.redact(in);
  EXPECT_EQ(out.at("root").at("attributes").at("url"), "https://api.example.com/?k=[redacted]&x=1");
  EXPECT_EQ(out.at("root").at("attributes").at("n"), 3);
  EXPECT_EQ(out.at("root").at("children")[0].at("args")[1], "[redacted]");
  EXPECT_TRUE(out.at("root").contains("[redacted]"));
  EXPECT_EQ(out.dump().find("s3cr3t"), std::string::npos) << out.dump();
}

TEST(Redactor, CredentialNamedKeysAreReplacedWhateverTheValue) {
  ragrt::Redactor r;
  const Json in = {{"headers", {{"Authorization", "Bearer xyz"}, {"Cookie", "sid=1"}, {"Accept", "json"}}},
                   {"api_key", "k1"},
                   {"apiKey", "k2"},
                   {"X-Api-Key", "k3"},
                   {"OPENAI_API_KEY", "k4"},
                   {"password", 1234},
                   {"db_passwd", "p"},
                   {"client_secret", {{"nested", "object"}}},
                   {"accessToken", "t1"},
                   {"refresh-token", "t2"},
                   {"token", "t3"},
                   {"key", "k5"},
                   {"secrets", Json::array({"a"})}};
  const Json out = r.redact(in);
  for (const char* k : {"api_key", "apiKey", "X-Api-Key", "OPENAI_API_KEY", "password", "db_passwd", "client_secret",
                        "accessToken", "refresh-token", "token", "key", "secrets"})
    EXPECT_EQ(out.at(k), "[redacted]") << k;
  EXPECT_EQ(out.at("headers").at("Authorization"), "[redacted]");
  EXPECT_EQ(out.at("headers").at("Cookie"), "[redacted]");
  EXPECT_EQ(out.at("headers").at("Accept"), "json");
}

TEST(Redactor, TokenCountsAndHarmlessKeysSurvive) {
  ragrt::Redactor r;
  const Json in = {{"prompt_tokens", 120},  {"completion_tokens", 64}, {"tokens", 64},
                   {"tokens_per_s", 41.5},  {"max_new_tokens", 256},    {"maxNewTokens", 256},
                   {"total-tokens", 184},   {"keyword", "order"},       {"monkey", "banana"},
                   {"primary_key", "id"},   {"keys", Json::array({"a"})}, {"tokenizer", "bpe"},
                   {"time_to_first_token_ms", 12.5}, {"token_count", 3}};
  EXPECT_EQ(r.redact(in), in);
  for (const char* k : {"prompt_tokens", "tokens", "tokens_per_s", "max_new_tokens", "keyword", "tokenizer",
                        "time_to_first_token_ms", "token_count"})
    EXPECT_FALSE(ragrt::Redactor::is_credential_key(k)) << k;
}

TEST(Redactor, GlobalIsOneInstance) {
  EXPECT_EQ(&ragrt::Redactor::global(), &ragrt::Redactor::global());
  ragrt::Redactor::global().add_secret("global-redactor-test-secret");
  EXPECT_EQ(ragrt::Redactor::global().redact(std::string("x global-redactor-test-secret")), "x [redacted]");
}

}  // namespace
