// Unit tests of core/estimator/safetensors.* — the header parser and every validation rule.
#include <catch2/catch.hpp>

#include "estimator/safetensors.hpp"

using namespace vram;

namespace {

std::string le64(uint64_t n) {
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i) s[static_cast<size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
    return s;
}

}  // namespace

TEST_CASE("a header's length prefix is read little-endian", "[safetensors]") {
    HeaderLength h = read_header_length(le64(14283) + "{", "model.safetensors", 548105171);
    REQUIRE_FALSE(h.error);
    CHECK(h.header_bytes == 14283);
}

TEST_CASE("a length prefix shorter than 8 bytes is header_too_short", "[safetensors][malformed]") {
    CHECK(read_header_length("abc", "x.safetensors", 0).error.code == ErrorCode::header_too_short);
}

TEST_CASE("a zero length prefix is header_length_zero", "[safetensors][malformed]") {
    CHECK(read_header_length(le64(0), "x.safetensors", 0).error.code == ErrorCode::header_length_zero);
}

TEST_CASE("a header length of 2^63 is refused over the 100 MB limit and named with its file",
          "[safetensors][malformed]") {
    HeaderLength h = read_header_length(le64(1ull << 63), "model-00003-of-00004.safetensors", 0);
    CHECK(h.error.code == ErrorCode::header_too_large);
    CHECK(h.error.message ==
          "header length 9223372036854775808 exceeds the 100 MB limit in model-00003-of-00004.safetensors");
}

TEST_CASE("a header longer than the file is header_truncated", "[safetensors][malformed]") {
    CHECK(read_header_length(le64(1000), "x.safetensors", 500).error.code == ErrorCode::header_truncated);
}

TEST_CASE("a valid header gives its tensors in offset order with exact bytes", "[safetensors]") {
    const std::string json =
        R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}})";
    SafetensorsHeader h = parse_safetensors_header(json, "m.safetensors", 8 + json.size() + 28);
    REQUIRE_FALSE(h.error);
    REQUIRE(h.tensors.size() == 2);
    CHECK(h.tensors[0].name == "a");
    CHECK(h.tensors[1].n_elements == 6);
    CHECK(h.data_bytes == 28);
    CHECK(h.metadata.at("format") == "pt");
}

TEST_CASE("sub-byte dtypes are sized by their bit width", "[safetensors]") {
    // F4: 10 elements × 4 bits = 5 bytes; F6_E2M3: 4 × 6 bits = 3 bytes.
    const std::string json =
        R"({"f4":{"dtype":"F4","shape":[10],"data_offsets":[0,5]},"f6":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[5,8]}})";
    SafetensorsHeader h = parse_safetensors_header(json, "m.safetensors", 0);
    REQUIRE_FALSE(h.error);
    CHECK(h.data_bytes == 8);
}

TEST_CASE("an unknown dtype takes its bytes from data_offsets and warns", "[safetensors]") {
    const std::string json = R"({"x":{"dtype":"F3_NEW","shape":[7],"data_offsets":[0,11]}})";
    SafetensorsHeader h = parse_safetensors_header(json, "m.safetensors", 0);
    REQUIRE_FALSE(h.error);
    CHECK(h.data_bytes == 11);
    REQUIRE(h.warnings.size() == 1);
    CHECK(h.warnings[0].find("F3_NEW") != std::string::npos);
}

TEST_CASE("every malformed header gets its own error code", "[safetensors][malformed]") {
    struct Case {
        const char* json;
        ErrorCode code;
    };
    const Case cases[] = {
        {R"({"a":)", ErrorCode::header_not_json},
        {R"([1,2])", ErrorCode::header_not_object},
        {R"({"a":{"shape":[1],"data_offsets":[0,2]}})", ErrorCode::tensor_entry_invalid},
        {R"({"a":{"dtype":"F16","shape":[-1],"data_offsets":[0,2]}})", ErrorCode::tensor_entry_invalid},
        {R"({"a":{"dtype":"F16","shape":[4294967296,4294967296,16],"data_offsets":[0,2]}})", ErrorCode::shape_overflow},
        {R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[4,2]}})", ErrorCode::offsets_invalid},
        {R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[2,6]}})",
         ErrorCode::offsets_overlap},
        {R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"F16","shape":[1],"data_offsets":[4,6]}})",
         ErrorCode::offsets_hole},
        {R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}})", ErrorCode::shape_size_mismatch},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        CHECK(parse_safetensors_header(c.json, "m.safetensors", 0).error.code == c.code);
    }
}

TEST_CASE("tensors that end past the file are offsets_past_file", "[safetensors][malformed]") {
    const std::string json = R"({"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    CHECK(parse_safetensors_header(json, "m.safetensors", 8 + json.size() + 4).error.code ==
          ErrorCode::offsets_past_file);
}

TEST_CASE("bytes after the last tensor are a hole", "[safetensors][malformed]") {
    const std::string json = R"({"a":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}})";
    CHECK(parse_safetensors_header(json, "m.safetensors", 8 + json.size() + 100).error.code == ErrorCode::offsets_hole);
}

TEST_CASE("messages name the file and the tensor", "[safetensors][malformed]") {
    Error e = parse_safetensors_header(R"({"lm_head.weight":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}})",
                                       "model-00002.safetensors", 0)
                  .error;
    CHECK(e.message.find("lm_head.weight") != std::string::npos);
    CHECK(e.message.find("model-00002.safetensors") != std::string::npos);
}

TEST_CASE("the header scanner reads escaped names, any key order and whitespace like a JSON parser", "[safetensors]") {
    const std::string json =
        "\n { \"a\\u00e9\\\"b\\\\\" : { \"data_offsets\" : [ 0 , 4 ] , \"extra\": {\"x\": [1, {\"y\": null}]}, "
        "\"shape\":[2], \"dtype\":\"F16\" } ,"
        " \"__metadata__\": {\"format\": \"pt\", \"n\": 3} }   ";
    SafetensorsHeader h = parse_safetensors_header(json, "m.safetensors", 0);
    REQUIRE_FALSE(h.error);
    REQUIRE(h.tensors.size() == 1);
    CHECK(h.tensors[0].name == "a\xc3\xa9\"b\\");
    CHECK(h.metadata.at("format") == "pt");
    CHECK(h.warnings.size() == 1);  // the non-string metadata value
}

TEST_CASE("invalid JSON anywhere wins over an earlier bad entry, as with a DOM parse", "[safetensors][malformed]") {
    CHECK(parse_safetensors_header(R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}, "b": tru})", "m", 0)
              .error.code == ErrorCode::header_not_json);
    CHECK(parse_safetensors_header(R"({"a":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}})", "m", 0).error.code ==
          ErrorCode::shape_size_mismatch);
}

TEST_CASE(
    "the scanner refuses what JSON refuses: bad UTF-8, lone surrogates, control characters, trailing content, deep "
    "nesting",
    "[safetensors][malformed]") {
    for (const std::string& bad :
         {std::string("{\"a\xff\":1}"), std::string(R"({"\ud800":1})"), std::string("{\"a\x01\":1}"),
          std::string(R"({} {})"), std::string(R"({"a": 01})"), std::string(R"({"a": 1.})"),
          std::string("{\"a\":") + std::string(600, '[') + std::string(600, ']') + "}"}) {
        INFO(bad.substr(0, 40));
        CHECK(parse_safetensors_header(bad, "m", 0).error.code == ErrorCode::header_not_json);
    }
    CHECK(parse_safetensors_header("[]", "m", 0).error.message.find("is array, not an object") != std::string::npos);
}

TEST_CASE("offsets and dimensions past 2^64 or negative are entry errors, not wrapped numbers",
          "[safetensors][malformed]") {
    CHECK(
        parse_safetensors_header(R"({"a":{"dtype":"F16","shape":[1],"data_offsets":[0,18446744073709551616]}})", "m", 0)
            .error.code == ErrorCode::tensor_entry_invalid);
    CHECK(parse_safetensors_header(R"({"a":{"dtype":"F16","shape":[-1],"data_offsets":[0,2]}})", "m", 0).error.code ==
          ErrorCode::tensor_entry_invalid);
    CHECK(parse_safetensors_header(R"({"a":{"dtype":"F16","shape":[1.5],"data_offsets":[0,2]}})", "m", 0).error.code ==
          ErrorCode::tensor_entry_invalid);
}

TEST_CASE("a tensor name given twice in one header is tensor_duplicate, named in the message",
          "[safetensors][malformed]") {
    const std::string h = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                          R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
    SafetensorsHeader r = parse_safetensors_header(h, "model.safetensors", 8 + h.size() + 8);
    CHECK(r.error.code == ErrorCode::tensor_duplicate);
    CHECK_THAT(r.error.message, Catch::Contains("\"w\"") && Catch::Contains("model.safetensors"));
    CHECK(r.tensors.empty());
}

// Many entries, written in reverse offset order (as a header sorted by name may be): the tensors come out in offset
// order, each name checked once; one name repeated among them is found wherever it falls.
TEST_CASE("thousands of entries in reverse offset order come out sorted, a repeated name among them is found",
          "[safetensors]") {
    const int n = 3000;
    auto header = [&](int repeat_of) {
        std::string h = "{";
        for (int i = n - 1; i >= 0; --i) {
            const std::string name = "model.layers." + std::to_string(i == repeat_of + 1 ? repeat_of : i) + ".w";
            h += "\"" + name + "\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + std::to_string(4 * i) + "," +
                 std::to_string(4 * i + 4) + "]}" + (i ? "," : "");
        }
        return h + "}";
    };
    const std::string ok = header(-2);
    SafetensorsHeader h = parse_safetensors_header(ok, "m.safetensors", 8 + ok.size() + 4 * n);
    REQUIRE_FALSE(h.error);
    REQUIRE(h.tensors.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        CHECK(h.tensors[static_cast<size_t>(i)].begin_bytes == 4u * static_cast<unsigned>(i));
        CHECK(h.tensors[static_cast<size_t>(i)].name == "model.layers." + std::to_string(i) + ".w");
    }
    const std::string twice = header(1234);  // entry 1235 is named model.layers.1234.w as well
    SafetensorsHeader d = parse_safetensors_header(twice, "m.safetensors", 8 + twice.size() + 4 * n);
    CHECK(d.error.code == ErrorCode::tensor_duplicate);
    CHECK_THAT(d.error.message, Catch::Contains("model.layers.1234.w"));
}
