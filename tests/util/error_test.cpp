#include <gtest/gtest.h>

#include "ragrt/error.h"

TEST(Error, CarriesKindMessageAndLocation) {
  try {
    RAGRT_THROW_KIND(ragrt::ErrorKind::kNotFound, "model {} missing", "x.onnx");
    FAIL() << "expected a throw";
  } catch (const ragrt::Error& e) {
    EXPECT_EQ(e.kind(), ragrt::ErrorKind::kNotFound);
    EXPECT_STREQ(e.what(), "model x.onnx missing");
    EXPECT_NE(std::string(e.file()).find("error_test.cpp"), std::string::npos);
    EXPECT_GT(e.line(), 0);
  }
}
