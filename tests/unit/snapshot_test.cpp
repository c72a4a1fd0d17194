// Unit tests of core/estimator/snapshot.* — base64, and the stored snapshot written and read back.
#include <catch2/catch.hpp>

#include "estimator/snapshot.hpp"

using namespace vram;

TEST_CASE("base64 follows RFC 4648 with padding and refuses other alphabets", "[snapshot]") {
    // RFC 4648 §10 test vectors.
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    std::string out;
    CHECK(base64_decode("Zm9vYg==", out));
    CHECK(out == "foob");
    CHECK_FALSE(base64_decode("Zm9vYg=", out));   // not a multiple of 4
    CHECK_FALSE(base64_decode("Zm9v_g==", out));  // base64url's alphabet
    CHECK(base64_decode(base64_encode(std::string("\0\xff\x80GGUF", 7)), out));
    CHECK(out == std::string("\0\xff\x80GGUF", 7));
}

TEST_CASE("a snapshot written and read back is the same snapshot", "[snapshot]") {
    RepoSnapshot s;
    s.repo_id = "org/model";
    s.revision = "main";
    s.sha = "0123456789abcdef0123456789abcdef01234567";
    s.gated = "manual";
    s.variant = "fp16";
    s.files = {{"config.json", 612}, {"model.safetensors", 548105171}};
    s.texts["config.json"] = R"({"model_type":"gpt2"})";
    s.headers["model.safetensors"] = "{\"a\":\"quote \\\" and \\u0001\"}";
    s.gguf_prefixes["m.gguf"] = std::string("GGUF\3\0\0\0", 8);
    const std::string text = snapshot_to_json(s);
    SnapshotResult back = snapshot_from_json(text);
    REQUIRE_FALSE(back.error);
    CHECK(back.snapshot.repo_id == s.repo_id);
    CHECK(back.snapshot.gated == "manual");
    CHECK(back.snapshot.variant == "fp16");
    REQUIRE(back.snapshot.files.size() == 2);
    CHECK(back.snapshot.files[1].size_bytes == 548105171);
    CHECK(back.snapshot.texts == s.texts);
    CHECK(back.snapshot.headers == s.headers);
    CHECK(back.snapshot.gguf_prefixes == s.gguf_prefixes);
}

TEST_CASE("invalid UTF-8 in a stored string becomes U+FFFD instead of breaking the JSON", "[snapshot]") {
    RepoSnapshot s;
    s.repo_id = "org/model";
    s.texts["config.json"] = "bad \xff byte";
    SnapshotResult back = snapshot_from_json(snapshot_to_json(s));
    REQUIRE_FALSE(back.error);
    CHECK(back.snapshot.texts["config.json"] == "bad \xEF\xBF\xBD byte");
}

TEST_CASE("unreadable stored metadata is bad_response, never a crash", "[snapshot][malformed]") {
    CHECK(snapshot_from_json("").error.code == ErrorCode::bad_response);
    CHECK(snapshot_from_json("{\"files\":[]}").error.code == ErrorCode::bad_response);  // no repo_id
    CHECK(snapshot_from_json(R"({"repo_id":"a","files":[],"texts":{},"headers":{},"gguf_prefixes":{"x":"!!"}})")
              .error.code == ErrorCode::bad_response);
}
