// Unit tests of core/estimator/profiles.* — the profile, KV dtype, default and batch-default tables.
#include <catch2/catch.hpp>

#include "estimator/gguf.hpp"
#include "estimator/profiles.hpp"

using namespace vram;

TEST_CASE("each profile row is found by its name and its id indexes the table", "[profiles]") {
    for (size_t i = 0; i < profiles().size(); ++i) {
        ProfileId id{};
        REQUIRE(parse_profile(profiles()[i].name, id));
        CHECK(static_cast<size_t>(id) == i);
        CHECK(&profile_info(id) == &profiles()[i]);
    }
    ProfileId id{};
    CHECK_FALSE(parse_profile("tgi", id));
    CHECK(profile_names() == "classic, transformers, vllm, sglang, llama.cpp, diffusers");
}

TEST_CASE("quantized KV dtypes take their block layout from the ggml type table", "[profiles][kv_dtype]") {
    // ggml-common.h: block_q8_0 = fp16 scale + 32 int8 = 34 bytes per 32; block_q4_0 = 2 + 16 = 18 bytes per 32.
    KvDtype d{};
    REQUIRE(parse_kv_dtype("q8_0", d));
    CHECK(kv_dtype_info(d).block_bytes == 34);
    CHECK(kv_dtype_info(d).block_elements == 32);
    REQUIRE(parse_kv_dtype("q4_0", d));
    CHECK(kv_dtype_info(d).block_bytes == 18);
    for (const auto& row : kv_dtypes())
        if (*row.ggml_type) {
            const GgmlTypeInfo* g = ggml_type_by_name(row.ggml_type);
            REQUIRE(g);
            CHECK(row.block_bytes == g->block_bytes);
            CHECK(row.block_elements == g->block_elements);
        }
}

TEST_CASE("which engine offers which KV dtype", "[profiles][kv_dtype]") {
    CHECK(kv_dtype_names(profile_info(ProfileId::classic)) == "auto, fp16");
    CHECK(kv_dtype_names(profile_info(ProfileId::vllm)) == "auto, fp16, bf16, fp8, fp8_ds_mla");
    CHECK(kv_dtype_names(profile_info(ProfileId::transformers)) == "auto, fp16, bf16, int8");
    CHECK(kv_dtype_names(profile_info(ProfileId::llama_cpp)) ==
          "auto, fp16, bf16, q8_0, q4_0, fp32, q4_1, q5_0, q5_1, iq4_nl");
}

TEST_CASE("vLLM's batch defaults follow the GPU: 70 GiB and not an A100", "[profiles][defaults]") {
    // vllm/engine/arg_utils.py get_batch_defaults: H100 8192 / 1024; A100 80 GB and L4 2048 / 256; no GPU: the first.
    CHECK(batch_default(ProfileId::vllm, find_gpu("h100-80gb")).batched_tokens == 8192);
    CHECK(batch_default(ProfileId::vllm, find_gpu("a100-80gb")).batched_tokens == 2048);
    CHECK(batch_default(ProfileId::vllm, find_gpu("l4")).max_num_seqs == 256);
    CHECK(batch_default(ProfileId::vllm, nullptr).batched_tokens == 8192);
    // SGLang: 2048 below 25,000 MiB (an RTX 4090's 24 GiB is 24,576 MiB), else 8192.
    CHECK(batch_default(ProfileId::sglang, find_gpu("rtx-4090")).batched_tokens == 2048);
    CHECK(batch_default(ProfileId::sglang, find_gpu("h100-80gb")).batched_tokens == 8192);
}

TEST_CASE("profile defaults are rows: vLLM's utilization, llama-server's -ub", "[profiles][defaults]") {
    REQUIRE(profile_default(ProfileId::vllm, "gpu_memory_utilization"));
    CHECK(std::string(profile_default(ProfileId::vllm, "gpu_memory_utilization")) == "0.9");
    CHECK(std::string(profile_default(ProfileId::llama_cpp, "ubatch_tokens")) == "512");
    CHECK(profile_default(ProfileId::classic, "gpu_memory_utilization") == nullptr);
}

TEST_CASE("SGLang's mem_fraction_static by tensor-parallel size", "[profiles][defaults]") {
    // server_args.py 0.4.x: tp 1 0.88, 2 0.87, 4 0.85, 8 0.81, 16 0.79.
    CHECK(sglang_fraction(1) == 0.88);
    CHECK(sglang_fraction(2) == 0.87);
    CHECK(sglang_fraction(3) == 0.87);
    CHECK(sglang_fraction(8) == 0.81);
    CHECK(sglang_fraction(64) == 0.79);
}
