// The crafted Llama-shaped model of the training tests ("tiny", training_test.cpp's header comment counts it):
// hidden 64, 4 heads, 2 KV heads, MLP 128, 2 layers, vocab 100, BF16; 86,848 parameters.
#pragma once
#include <catch2/catch.hpp>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "estimator/training.hpp"

namespace vram::test {

inline const char* kTinyConfig = R"({"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":128,
  "max_position_embeddings":4096,"model_type":"llama","num_attention_heads":4,"num_hidden_layers":2,
  "num_key_value_heads":2,"tie_word_embeddings":false,"torch_dtype":"bfloat16","vocab_size":100})";

// without_head: a checkpoint that ties the head to the embedding stores no lm_head (Gemma's does not).
// fused_gate_up: gate and up as one [256, 64] gate_up_proj, as Phi-3's checkpoint stores them.
// post_norms: Gemma 2's two more norms per layer (pre_feedforward_layernorm, post_feedforward_layernorm).
inline RepoSnapshot tiny_snapshot(bool with_int_buffer = false, bool without_head = false, bool fused_gate_up = false,
                                  bool post_norms = false) {
    const std::string config = kTinyConfig;
    nlohmann::ordered_json header;
    uint64_t offset = 0;
    auto add = [&](const std::string& name, std::vector<uint64_t> shape, const char* dtype = "BF16",
                   uint64_t width = 2) {
        uint64_t n = 1;
        for (uint64_t d : shape) n *= d;
        header[name] = {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {offset, offset + width * n}}};
        offset += width * n;
    };
    if (with_int_buffer) add("model.position_ids", {1, 4096}, "I64", 8);
    add("model.embed_tokens.weight", {100, 64});
    for (int i = 0; i < 2; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        add(p + "input_layernorm.weight", {64});
        add(p + "self_attn.q_proj.weight", {64, 64});
        add(p + "self_attn.k_proj.weight", {32, 64});
        add(p + "self_attn.v_proj.weight", {32, 64});
        add(p + "self_attn.o_proj.weight", {64, 64});
        add(p + "post_attention_layernorm.weight", {64});
        if (fused_gate_up) {
            add(p + "mlp.gate_up_proj.weight", {256, 64});
        } else {
            add(p + "mlp.gate_proj.weight", {128, 64});
            add(p + "mlp.up_proj.weight", {128, 64});
        }
        add(p + "mlp.down_proj.weight", {64, 128});
        if (post_norms) {
            add(p + "pre_feedforward_layernorm.weight", {64});
            add(p + "post_feedforward_layernorm.weight", {64});
        }
    }
    add("model.norm.weight", {64});
    if (!without_head) add("lm_head.weight", {100, 64});
    const std::string text = header.dump();
    RepoSnapshot s;
    s.repo_id = "test/tiny-llama";
    s.revision = "main";
    s.files = {{"config.json", config.size()}, {"model.safetensors", 8 + text.size() + offset}};
    s.texts["config.json"] = config;
    s.headers["model.safetensors"] = text;
    return s;
}

struct Loaded {
    Model model;
    TrainTensors tensors;
};

inline Loaded load(const RepoSnapshot& s) {
    Loaded l;
    l.model = analyze(s);
    REQUIRE_FALSE(l.model.error);
    l.tensors = training_tensors(s, l.model);
    REQUIRE_FALSE(l.tensors.error);
    return l;
}

inline const Loaded& tiny() {
    static const Loaded l = load(tiny_snapshot());
    return l;
}

}  // namespace vram::test
