// Unit tests of core/estimator/quantization.* — logical parameters of packed checkpoints.
// The rules follow huggingface.js parse-safetensors-metadata.ts (hub-protocol.md §B4).
#include <catch2/catch.hpp>

#include "estimator/quantization.hpp"

using namespace vram;

namespace {
TensorInfo tensor(const char* name, DType d, uint64_t n) {
    TensorInfo t;
    t.name = name;
    t.dtype = d;
    t.n_elements = n;
    return t;
}
}  // namespace

TEST_CASE("GPTQ 4-bit qweight holds 8 parameters per I32 and its bookkeeping holds none", "[quantization]") {
    QuantRules r = parse_quant_rules(R"({"quant_method":"gptq","bits":4,"group_size":128})");
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.qweight", DType::I32, 10)).multiplier == 8.0);
    for (const char* b :
         {"model.layers.0.mlp.up_proj.qzeros", "model.layers.0.mlp.up_proj.scales", "model.layers.0.mlp.up_proj.g_idx"})
        CHECK(classify_tensor(r, tensor(b, DType::I32, 10)).bookkeeping);
    CHECK(r.summary == "gptq 4-bit, group 128");
}

TEST_CASE("GPTQ 3-bit qweight holds floor(32/3) = 10 parameters per I32", "[quantization]") {
    QuantRules r = parse_quant_rules(R"({"quant_method":"gptq","bits":3})");
    CHECK(classify_tensor(r, tensor("x.qweight", DType::I32, 1)).multiplier == 10.0);
}

TEST_CASE("bitsandbytes 4-bit U8 weights hold 2 parameters per byte, absmax and quant_state hold none",
          "[quantization]") {
    QuantRules r = parse_quant_rules(R"({"quant_method":"bitsandbytes","load_in_4bit":true})");
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight", DType::U8, 10)).multiplier == 2.0);
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight.absmax", DType::F32, 10)).bookkeeping);
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight.quant_state.bitsandbytes__nf4", DType::U8, 10))
              .bookkeeping);
}

TEST_CASE("MXFP4 blocks hold 2 parameters per byte and their U8 scales hold none", "[quantization]") {
    QuantRules r = parse_quant_rules(
        R"({"quant_method":"mxfp4","modules_to_not_convert":["model.layers.*.self_attn","model.embed_tokens","lm_head"]})");
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.experts.gate_up_proj_blocks", DType::U8, 10)).multiplier ==
          2.0);
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.experts.gate_up_proj_scales", DType::U8, 10)).bookkeeping);
}

TEST_CASE("compressed-tensors pack-quantized I32 holds 32/num_bits parameters and honours ignore", "[quantization]") {
    QuantRules r = parse_quant_rules(R"({"quant_method":"compressed-tensors","format":"pack-quantized",
        "config_groups":{"group_0":{"targets":["Linear"],"weights":{"num_bits":4}}},"ignore":["lm_head"]})");
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight_packed", DType::I32, 10)).multiplier == 8.0);
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight_scale", DType::F16, 10)).bookkeeping);
    CHECK(classify_tensor(r, tensor("model.layers.0.mlp.up_proj.weight_shape", DType::I64, 2)).bookkeeping);
    CHECK(classify_tensor(r, tensor("lm_head.weight", DType::I32, 10)).multiplier == 1.0);
}

TEST_CASE("FP8 block-scaled weights count once and weight_scale_inv is bookkeeping", "[quantization]") {
    QuantRules r = parse_quant_rules(R"({"quant_method":"fp8","fmt":"e4m3","weight_block_size":[128,128]})");
    TensorRole w = classify_tensor(r, tensor("model.layers.3.mlp.experts.0.up_proj.weight", DType::F8_E4M3, 10));
    CHECK(w.quantized);
    CHECK(w.multiplier == 1.0);
    CHECK(classify_tensor(r, tensor("model.layers.3.mlp.experts.0.up_proj.weight_scale_inv", DType::F32, 10))
              .bookkeeping);
}

TEST_CASE("an E8M0 tensor is a scale in any scheme, even unquantized", "[quantization]") {
    CHECK(classify_tensor(QuantRules{}, tensor("x.scales", DType::F8_E8M0, 4)).bookkeeping);
}

TEST_CASE("a quantization_config of the wrong shape is read as not quantized, never a crash",
          "[quantization][malformed]") {
    CHECK(parse_quant_rules(R"({"quant_method":7,"bits":"four"})").method.empty());
    CHECK(parse_quant_rules("not json").method.empty());
    CHECK(parse_quant_rules("[]").method.empty());
}

TEST_CASE("ModelOpt's hf_quant_config.json makes FP8 weights quantized and its scalar scales bookkeeping",
          "[quantization]") {
    QuantRules r = parse_quant_rules(
        R"({"producer":{"name":"modelopt"},"quantization":{"quant_algo":"FP8","kv_cache_quant_algo":"FP8"}})");
    CHECK(r.method == "modelopt");
    CHECK(r.summary == "modelopt FP8");
    CHECK(classify_tensor(r, tensor("model.layers.0.self_attn.k_proj.weight", DType::F8_E4M3, 10)).quantized);
    for (const char* s : {"model.layers.0.self_attn.k_proj.k_scale", "model.layers.0.self_attn.v_proj.v_scale",
                          "model.layers.0.mlp.up_proj.input_scale"})
        CHECK(classify_tensor(r, tensor(s, DType::F32, 1)).bookkeeping);
}

TEST_CASE("modules_to_not_convert entries match as written: re: from the start, '*' globs anywhere, else substrings",
          "[quantization]") {
    // Each entry is compiled once by parse_quant_rules; a GPTQ qweight that an entry exempts keeps multiplier 1.
    auto exempt = [](const std::string& entry, const std::string& name) {
        QuantRules r =
            parse_quant_rules(R"({"quant_method":"gptq","bits":4,"modules_to_not_convert":[")" + entry + R"("]})");
        return classify_tensor(r, tensor(name.c_str(), DType::I32, 10)).multiplier == 1.0;
    };
    const std::string q = "model.layers.0.mlp.up_proj.qweight";
    CHECK(exempt("re:.*mlp.*", q));
    CHECK(exempt("re:model", q));                       // a re: entry may match the start of the name…
    CHECK_FALSE(exempt("re:mlp", q));                   // …but is anchored there
    CHECK(exempt("re:^model\\\\.layers\\\\.0.*$", q));  // ^ and $ dropped, \. read as .
    CHECK(exempt("layers.*.mlp", q));                   // a '*' entry matches anywhere in the name
    CHECK_FALSE(exempt("layers.*.attn", q));
    CHECK(exempt("mlp.up", q));  // a plain entry is a substring
    CHECK_FALSE(exempt("mlp.down", q));
    CHECK_FALSE(exempt("", q));  // an empty entry exempts nothing
    CHECK(exempt("re:", q));     // "re:" alone is "anything"
}
