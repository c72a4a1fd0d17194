// vLLM 0.19's TRITON MXFP4 MoE layout for gpt-oss on Hopper (core/estimator/engine_vllm_mxfp4.cpp names the
// sources of every term).
#include <catch2/catch.hpp>

#include "estimator/engine_vllm_mxfp4.hpp"
#include "estimator/estimate.hpp"
#include "option_helpers.hpp"

using namespace vram;

namespace {

// openai__gpt-oss-20b/config.json (tests/validation/vllm): the shapes and the quantization_config the layout reads.
const char* kGptOss20b = R"({"architectures":["GptOssForCausalLM"],"head_dim":64,"hidden_size":2880,
  "intermediate_size":2880,"max_position_embeddings":131072,"model_type":"gpt_oss","num_attention_heads":64,
  "num_experts_per_tok":4,"num_hidden_layers":24,"num_key_value_heads":8,"num_local_experts":32,
  "sliding_window":128,"vocab_size":201088,"quantization_config":{"modules_to_not_convert":["model.layers.*.self_attn",
  "model.layers.*.mlp.router","model.embed_tokens","lm_head"],"quant_method":"mxfp4"}})";
// The checkpoint's index total_size (MXFP4 experts + BF16 rest), as tools/validate uses it.
constexpr uint64_t kGptOss20bBytes = 13'761'264'768;

Model gpt_oss(bool quantized) {
    Model m;
    m.repo_id = "openai/gpt-oss-20b";
    ArchitectureResult a = parse_architecture(kGptOss20b);
    REQUIRE_FALSE(a.error);
    m.arch = a.arch;
    m.has_llm = true;
    if (quantized) m.quant = parse_quant_rules(m.arch.quantization_config);
    m.components.push_back(Component{"root", {}, 1, kGptOss20bBytes, 0, ""});
    TensorRecord t;  // one byte total of mixed dtypes, not resized by a precision target
    t.dtype = DType::BF16;
    t.bytes = kGptOss20bBytes;
    m.tensors.push_back(t);
    m.n_tensors = 1;
    m.bytes = t.bytes;
    return m;
}

Estimate vllm(const Model& m, const char* gpu, uint32_t tp) {
    EstimateOptions o;
    o.profile = profile_id("vllm");
    o.context_tokens = 8192;
    o.gpu = gpu_row(gpu);
    o.tp = tp;
    Estimate e = estimate(m, o);
    REQUIRE_FALSE(e.error);
    return e;
}

uint64_t extra_on(const char* gpu, uint32_t tp) {
    return vllm(gpt_oss(true), gpu, tp).per_gpu.weights_bytes - vllm(gpt_oss(false), gpu, tp).per_gpu.weights_bytes;
}

}  // namespace

// Worked by hand, E = 32 experts, H = 2880, L = 24 layers, expert width I = 2880 (per expert, then × E × L = × 768):
// tp 1: width 2880 = 45 × 64, no padding.
//   float32 biases: w13 2·2880 × (4 − 2) = 11,520 + w2 2880 × 4 − 2880 × 2 / 1 = 5,760 → 17,280 → 13,271,040
//   kept scales: 5760 × 90 + 2880 × 90 = 777,600 → 597,196,800
//   scale swizzle: (5888 − 5760) × 90 + (3072 − 2880) × 90 = 28,800 → 22,118,400
//   value tiles: 5760 = 360 × 16 rows of 1440 = 45 × 32 bytes, 2880 rows of 1440 bytes: 0
//   total 632,586,240 B (0.59 GiB)
// tp 2: width 1440 → 1472 (23 × 64), d = 32.
//   padding: 2·32 × (1440 + 90 + 2) + 2880 × (16 + 1) = 98,048 + 48,960 = 147,008 → 112,902,144
//   float32 biases: 2·1472 × 2 = 5,888 + 2880 × 4 − 2880 × 2 / 2 = 8,640 → 14,528 → 11,157,504
//   kept scales: 2944 × 90 + 2880 × 46 = 397,440 → 305,233,920
//   scale swizzle: (3072 − 2944) × 90 + (3072 − 2880) × 46 = 11,520 + 8,832 = 20,352 → 15,630,336
//   value tiles: 2944 = 184 × 16 rows of 1440 bytes, 2880 rows of 736 = 23 × 32 bytes: 0
//   total 444,923,904 B (0.41 GiB). The rank's base keeps the norms ((2 × 24 + 1) × 2880 × 2 B = 282,240) and the
//   router gates (24 × 32 × 2880 × 2 B = 4,423,680) whole: (13,761,264,768 − 4,705,920) / 2 + 4,705,920 =
//   6,882,985,344, + 444,923,904 = 7,327,909,248 B = 6.82 GiB per rank, where vLLM 0.19 logged "Model loading took
//   7.01 GiB" (tests/validation/vllm, the tp 2 run).
TEST_CASE("gpt-oss MXFP4 on an H100 holds the TRITON backend's padding, float32 biases and kept scales",
          "[estimate][vllm][mxfp4]") {
    const Architecture a = gpt_oss(true).arch;
    const Mxfp4TritonExtra tp1 = vllm_mxfp4_triton_extra(a, 1);
    CHECK(tp1.width_padded == 2880);
    CHECK(tp1.pad == 0);
    CHECK(tp1.bias32 == 13'271'040);
    CHECK(tp1.kept_scales == 597'196'800);
    CHECK(tp1.scale_swizzle == 22'118'400);
    CHECK(tp1.value_tile == 0);
    CHECK(tp1.total() == 632'586'240);
    const Mxfp4TritonExtra tp2 = vllm_mxfp4_triton_extra(a, 2);
    CHECK(tp2.width == 1440);
    CHECK(tp2.width_padded == 1472);
    CHECK(tp2.pad == 112'902'144);
    CHECK(tp2.bias32 == 11'157'504);
    CHECK(tp2.kept_scales == 305'233'920);
    CHECK(tp2.scale_swizzle == 15'630'336);
    CHECK(tp2.value_tile == 0);
    CHECK(tp2.total() == 444'923'904);

    // The vLLM profile adds it to each rank's weights, and so to what it subtracts before the KV pool.
    CHECK(extra_on("h100-80gb", 1) == 632'586'240);
    CHECK(extra_on("h100-80gb", 2) == 444'923'904);
    CHECK(extra_on("h200-141gb", 2) == 444'923'904);
    const Estimate e = vllm(gpt_oss(true), "h100-80gb", 2);
    CHECK(e.per_gpu.weights_bytes == 7'327'909'248);
    CHECK(e.reservation.kv_pool_bytes < vllm(gpt_oss(false), "h100-80gb", 2).reservation.kv_pool_bytes);
    bool stated = false;
    for (const auto& line : e.assumptions)
        if (line.find("MXFP4 experts (TRITON backend, sm_90): + 0.41 GiB per rank") != std::string::npos) stated = true;
    CHECK(stated);
}

TEST_CASE("the TRITON MXFP4 layout is not applied where vLLM 0.19 picks another backend", "[estimate][vllm][mxfp4]") {
    // sm_80 and sm_89 (Marlin), sm_100 (FlashInfer TRT-LLM first), no GPU chosen: checkpoint / tp, said so.
    for (const char* gpu : {"a100-80gb", "rtx-4090", "b200-192gb"}) {
        INFO(gpu);
        CHECK(extra_on(gpu, 2) == 0);
    }
    CHECK(extra_on("", 1) == 0);
    const Estimate e = vllm(gpt_oss(true), "a100-80gb", 1);
    bool stated = false;
    for (const auto& line : e.assumptions)
        if (line.find("MXFP4 experts: weights = the checkpoint's bytes split over tp") != std::string::npos)
            stated = true;
    CHECK(stated);
    // Another profile never adds it.
    EstimateOptions o;
    o.profile = profile_id("sglang");
    o.context_tokens = 8192;
    o.gpu = gpu_row("h100-80gb");
    o.tp = 2;
    const Estimate sg = estimate(gpt_oss(true), o), plain = estimate(gpt_oss(false), o);
    REQUIRE_FALSE(sg.error);
    CHECK(sg.per_gpu.weights_bytes == 6'882'985'344);
    CHECK(plain.per_gpu.weights_bytes == sg.per_gpu.weights_bytes);
}

TEST_CASE("every CUDA row of the GPU catalog names its compute capability, the others none", "[gpu]") {
    for (const auto& g : gpu_catalog()) {
        INFO(g.id);
        if (g.backend == GpuBackend::cuda)
            CHECK(g.cuda_sm >= 75);
        else
            CHECK(g.cuda_sm == 0);
    }
    CHECK(find_gpu("h100-80gb")->cuda_sm == 90);
    CHECK(find_gpu("b200-192gb")->cuda_sm == 100);
}
