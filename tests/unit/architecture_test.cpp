// Unit tests of core/estimator/architecture.* — config.json to per-layer attention facts.
// Configs are typed in from the models' public config.json (the Hub repo is named above each), keeping the keys read.
#include <catch2/catch.hpp>

#include "estimator/architecture.hpp"

using namespace vram;

TEST_CASE("a Llama config gives 32 full-attention layers of 8 KV heads of width 128", "[architecture]") {
    // meta-llama__Llama-3.1-8B/config.copy.json
    ArchitectureResult r =
        parse_architecture(R"({"hidden_size":4096,"intermediate_size":14336,"max_position_embeddings":131072,
      "model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,"num_key_value_heads":8,"vocab_size":128256})");
    REQUIRE_FALSE(r.error);
    const Architecture& a = r.arch;
    CHECK(a.known_family);
    CHECK(a.has_kv_cache);
    CHECK(a.head_dim == 128);
    REQUIRE(a.layers.size() == 32);
    for (const auto& l : a.layers) {
        CHECK(l.kind == AttentionKind::full);
        CHECK(l.n_head_kv == 8);
        CHECK(l.head_dim_k == 128);
        CHECK(l.head_dim_v == 128);
    }
    CHECK(a.moe_intermediate_size == 0);
    CHECK(a.encoder_tokens == 0);
}

TEST_CASE("a DeepSeek-V3 config gives MLA layers of one 576-wide latent and keeps the per-head widths",
          "[architecture][mla]") {
    // deepseek-ai__DeepSeek-R1/config.json (DeepSeek-V3 dimensions)
    ArchitectureResult r = parse_architecture(R"({"hidden_size":7168,"kv_lora_rank":512,"model_type":"deepseek_v3",
      "moe_intermediate_size":2048,"n_routed_experts":256,"num_attention_heads":128,"num_experts_per_tok":8,
      "num_hidden_layers":61,"num_key_value_heads":128,"qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,
      "max_position_embeddings":163840})");
    REQUIRE_FALSE(r.error);
    const Architecture& a = r.arch;
    REQUIRE(a.layers.size() == 61);
    CHECK(a.layers[0].kind == AttentionKind::mla);
    CHECK(a.layers[0].n_head_kv == 1);
    CHECK(a.layers[0].head_dim_k == 576);
    CHECK(a.layers[0].head_dim_v == 0);
    CHECK(a.qk_nope_head_dim == 128);
    CHECK(a.v_head_dim == 128);
    CHECK(a.moe_intermediate_size == 2048);
    CHECK(a.n_experts == 256);
    CHECK(a.n_experts_active == 8);
}

TEST_CASE("gpt-oss layer_types alternate sliding (window 128) and full layers", "[architecture][sliding]") {
    // openai__gpt-oss-20b/config.json
    std::string types;
    for (int i = 0; i < 24; ++i)
        types += std::string(i ? "," : "") + (i % 2 ? "\"full_attention\"" : "\"sliding_attention\"");
    ArchitectureResult r =
        parse_architecture(R"({"head_dim":64,"hidden_size":2880,"layer_types":[)" + types +
                           R"(],"max_position_embeddings":131072,"model_type":"gpt_oss","num_attention_heads":64,
      "num_hidden_layers":24,"num_key_value_heads":8,"sliding_window":128})");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.arch.layers.size() == 24);
    CHECK(r.arch.layers[0].kind == AttentionKind::sliding);
    CHECK(r.arch.layers[0].window_tokens == 128);
    CHECK(r.arch.layers[1].kind == AttentionKind::full);
    CHECK(r.arch.layers[1].window_tokens == 0);
}

TEST_CASE("Qwen3-Next makes every fourth layer full attention and the rest Gated DeltaNet state",
          "[architecture][linear]") {
    // Qwen__Qwen3-Next-80B-A3B-Instruct/config.json
    ArchitectureResult r = parse_architecture(R"({"full_attention_interval":4,"head_dim":256,"hidden_size":2048,
      "linear_conv_kernel_dim":4,"linear_key_head_dim":128,"linear_num_key_heads":16,"linear_num_value_heads":32,
      "linear_value_head_dim":128,"model_type":"qwen3_next","num_attention_heads":16,"num_hidden_layers":48,
      "num_key_value_heads":2,"moe_intermediate_size":512,"num_experts":512,"num_experts_per_tok":10})");
    REQUIRE_FALSE(r.error);
    const Architecture& a = r.arch;
    REQUIRE(a.layers.size() == 48);
    CHECK(a.layers[0].kind == AttentionKind::linear_state);
    CHECK(a.layers[0].n_head_kv == 0);
    // (4 - 1) × (2 × 16 × 128 + 32 × 128) + 32 × 128 × 128
    CHECK(a.layers[0].state_elements == 548'864);
    CHECK(a.layers[3].kind == AttentionKind::full);
    CHECK(a.layers[3].n_head_kv == 2);
    CHECK(a.moe_intermediate_size == 512);
}

TEST_CASE("flan-t5-base is an encoder-decoder whose decoder cross-attends to 512 encoder positions",
          "[architecture][encoder_decoder]") {
    // google__flan-t5-base/config.json
    ArchitectureResult r =
        parse_architecture(R"({"d_ff":2048,"d_kv":64,"d_model":768,"is_encoder_decoder":true,"model_type":"t5",
      "n_positions":512,"num_decoder_layers":12,"num_heads":12,"num_layers":12,"vocab_size":32128})");
    REQUIRE_FALSE(r.error);
    CHECK(r.arch.encoder_decoder);
    CHECK(r.arch.n_layers == 12);
    CHECK(r.arch.n_encoder_layers == 12);
    CHECK(r.arch.n_kv_heads == 12);
    CHECK(r.arch.head_dim == 64);
    CHECK(r.arch.encoder_tokens == 512);
}

TEST_CASE("an encoder-decoder with max_source_positions cross-attends to that many positions",
          "[architecture][encoder_decoder]") {
    // Synthetic: the Whisper keys (max_source_positions = encoder frames); no Whisper config is in the fixture data.
    ArchitectureResult r =
        parse_architecture(R"({"model_type":"whisper","d_model":1280,"decoder_layers":32,"encoder_layers":32,
      "decoder_attention_heads":20,"max_source_positions":1500,"max_target_positions":448})");
    REQUIRE_FALSE(r.error);
    CHECK(r.arch.encoder_decoder);
    CHECK(r.arch.encoder_tokens == 1500);
    CHECK(r.arch.max_context_tokens == 448);
}

TEST_CASE("a config that is not JSON or not an object is config_invalid", "[architecture][malformed]") {
    CHECK(parse_architecture("{\"model_type\":").error.code == ErrorCode::config_invalid);
    ArchitectureResult r = parse_architecture("[1,2]");
    CHECK(r.error.code == ErrorCode::config_invalid);
    CHECK(r.error.message == "config.json is array, not an object");
}

TEST_CASE("a config with absurd dimensions is config_invalid and names each value", "[architecture][malformed]") {
    ArchitectureResult r =
        parse_architecture(R"({"model_type":"llama","num_hidden_layers":1000000000000,"hidden_size":64,
        "num_attention_heads":-8,"max_position_embeddings":1099511627776})");
    CHECK(r.error.code == ErrorCode::config_invalid);
    CHECK(r.error.message.find("num_hidden_layers = 1000000000000") != std::string::npos);
    CHECK(r.error.message.find("num_attention_heads = -8") != std::string::npos);
    CHECK(r.error.message.find("max_position_embeddings") != std::string::npos);
    CHECK(parse_architecture(R"({"model_type":"llama","num_hidden_layers":2.5})").error.code ==
          ErrorCode::config_invalid);
}

TEST_CASE("a decoder config without a layer count is marked for the tensor names, then read from the hints",
          "[architecture]") {
    const std::string config =
        R"({"model_type":"mistral","hidden_size":4096,"num_attention_heads":32,"num_key_value_heads":8})";
    ArchitectureResult first = parse_architecture(config);
    REQUIRE_FALSE(first.error);
    CHECK(first.arch.missing_counts == "num_hidden_layers is missing");
    CHECK_FALSE(first.arch.has_kv_cache);
    LayerHints hints;
    hints.n_layers = 32;
    ArchitectureResult second = parse_architecture(config, &hints);
    REQUIRE_FALSE(second.error);
    CHECK(second.arch.n_layers == 32);
    CHECK(second.arch.has_kv_cache);
    CHECK(second.arch.missing_counts.empty());
    LayerHints none;
    ArchitectureResult third = parse_architecture(config, &none);
    CHECK(third.error.code == ErrorCode::config_invalid);
    CHECK_THAT(third.error.message, Catch::Contains("num_hidden_layers is missing"));
}

TEST_CASE("a nested text_config without a layer count takes the top-level one", "[architecture]") {
    ArchitectureResult r = parse_architecture(
        R"({"model_type":"qwen2_5_vl","num_hidden_layers":28,"text_config":{"model_type":"qwen2","hidden_size":3584,)"
        R"("num_attention_heads":28,"num_key_value_heads":4}})");
    REQUIRE_FALSE(r.error);
    CHECK(r.arch.n_layers == 28);
    CHECK(r.arch.has_kv_cache);
    CHECK(r.arch.missing_counts.empty());
}

TEST_CASE("a model type outside the family table without counts is not an error", "[architecture]") {
    ArchitectureResult r = parse_architecture(R"({"model_type":"timm_wrapper","num_classes":1000})");
    REQUIRE_FALSE(r.error);
    CHECK(r.arch.missing_counts.empty());
    CHECK_FALSE(r.arch.has_kv_cache);
}
