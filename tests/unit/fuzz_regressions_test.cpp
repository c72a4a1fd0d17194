// Regression tests for inputs the fuzzers (tests/fuzz) found: each reads the minimised reproducer
// from tests/fuzz/regressions/<target>/ and asserts the parser answers with an Error (or a sane
// value) instead of crashing or hitting undefined behaviour. The fuzz build (scripts/fuzz) also
// replays these files under ASan + UBSan before every run.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "../fuzz/fuzz_common.hpp"  // the bundle format of the fuzz inputs (parse_bundle)
#include "estimator/model.hpp"
#include "estimator/quantization.hpp"
#include "estimator/repo_layout.hpp"

using namespace vram;

namespace {

std::string reproducer(const std::string& target, const std::string& name) {
    const std::string path = std::string(VRAM_SOURCE_DIR) + "/tests/fuzz/regressions/" + target + "/" + name;
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("fuzz: a shard index total_size beyond 2^64 is an error or absent, never a double→uint64 overflow",
          "[fuzz][repo_layout]") {
    // Found by fuzz_shard_index: {"metadata":{"total_size":40860842949672950217 (21 digits, parsed as a
    // double) was cast to uint64_t in IndexSax::on_number — undefined behaviour (UBSan float-cast-overflow).
    const std::string bytes = reproducer("shard_index", "total-size-above-2p64.json");
    ShardList s = parse_shard_index(bytes, "model.safetensors.index.json");
    CHECK(s.error.code == ErrorCode::index_invalid);  // the reproducer is cut off after the number

    // The same number in a complete index: the index is read, the nonsense total is taken as absent.
    ShardList whole = parse_shard_index(R"({"metadata":{"total_size":40860842949672950217,"total_parameters":1e300},)"
                                        R"("weight_map":{"a":"model.safetensors"}})",
                                        "model.safetensors.index.json");
    REQUIRE_FALSE(whole.error);
    CHECK(whole.total_size_bytes == 0);
    CHECK(whole.total_parameters == 0);
    CHECK(whole.shards == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("fuzz: a modules_to_not_convert glob with many '*' is matched in polynomial time", "[fuzz][quantization]") {
    // Found while writing fuzz_pipeline, confirmed there as a libFuzzer timeout: glob_match in
    // quantization.cpp recursed on every '*', exponential in their number — "a*a*…*b" (14 stars)
    // against a 70-character tensor name ran for minutes. The reproducer is a pipeline bundle.
    fuzz::Bundle b = fuzz::parse_bundle(reproducer("pipeline", "quant-glob-exponential"));
    Model m = analyze(b.snapshot);  // hung here before the fix
    REQUIRE_FALSE(m.error);
    REQUIRE(m.tensors.size() == 1);
    CHECK((m.tensors[0].flags & kQuantized) != 0);  // the pattern does not match: the qweight stays quantized
    CHECK(m.params == 8);                           // I32 container / 4 bits = 8 parameters

    // The iterative matcher keeps the old semantics ('*' only, anchored, substring for plain globs).
    QuantRules r = parse_quant_rules(
        R"({"quant_method":"gptq","bits":4,"modules_to_not_convert":["re:.*mlp.*","lm_*head","a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"]})");
    TensorInfo t;
    t.dtype = DType::I32;
    t.name = "model.layers.0.mlp.down_proj.qweight";
    CHECK_FALSE(classify_tensor(r, t).quantized);  // excluded by re:.*mlp.*
    t.name = "model.layers.0.self_attn.q_proj.qweight";
    CHECK(classify_tensor(r, t).quantized);
    t.name = "lm_x_head.qweight";
    CHECK_FALSE(classify_tensor(r, t).quantized);  // excluded by *lm_*head*
    t.name = "model." + std::string(200, 'a') + "b.qweight";
    CHECK_FALSE(classify_tensor(r, t).quantized);  // the many-star pattern matches here, quickly
}
