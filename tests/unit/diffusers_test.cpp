// Profile diffusers (engine_diffusers.cpp) on a hand-built pipeline small enough to work every term by hand,
// and the pipeline shape read from component configs (pipeline.cpp).
#include <catch2/catch.hpp>

#include <string>

#include "estimator/estimate.hpp"
#include "estimator/pipeline.hpp"
#include "option_helpers.hpp"

using namespace vram;

namespace {

constexpr uint64_t kCudaContext = 51ull * (1ull << 30) / 100;  // engine_diffusers.cpp kCudaContextBytes

void add_component(Model& m, const std::string& name, uint64_t bytes) {
    m.components.push_back(Component{name, {}, 1, bytes, bytes / 2, ""});
    TensorRecord t;
    t.component = static_cast<uint32_t>(m.components.size() - 1);
    t.dtype = DType::BF16;
    t.flags = kFloating;
    t.bytes = bytes;
    t.params = bytes / 2;
    m.tensors.push_back(t);
    ++m.n_tensors;
    m.bytes += bytes;
    m.params += bytes / 2;
}

// A FLUX-like pipeline: CLIP (hidden 8, FFN 16, 2 heads, 4 positions), T5 (hidden 16, FFN 32, 4 heads), a joint-
// attention transformer (2 heads × 4 = hidden 8), a VAE with block_out_channels [2, 4] (scale factor 2).
Model pipeline(const std::string& cls = "FluxPipeline", bool joint = true, uint64_t patch = 1) {
    Model m;
    m.repo_id = "test/pipeline";
    m.layout = "diffusers";
    add_component(m, "text_encoder", 1000);
    add_component(m, "text_encoder_2", 3000);
    add_component(m, "transformer", 10000);
    add_component(m, "vae", 500);
    PipelineShape& p = m.pipeline;
    p.present = true;
    p.pipeline_class = cls;
    p.denoiser = "transformer";
    p.denoiser_class = "FluxTransformer2DModel";
    p.heads = 2;
    p.head_dim = 4;
    p.patch_size = patch;
    p.joint_attention = joint;
    p.vae_channels = {2, 4};
    p.latent_channels = 4;
    p.text_encoders = {{"text_encoder", "CLIPTextModel", 8, 16, 2, 4},
                       {"text_encoder_2", "T5EncoderModel", 16, 32, 4, 0}};
    return m;
}

Estimate run(const Model& m, uint32_t height, uint32_t width, uint32_t text, uint32_t batch = 1, bool offload = false) {
    EstimateOptions o;
    o.profile = profile_id("diffusers");
    o.height = height;
    o.width = width;
    o.text_tokens = text;
    o.batch = batch;
    o.model_cpu_offload = offload;
    return estimate(m, o);
}

}  // namespace

TEST_CASE("diffusers: every component resident plus the largest phase, worked by hand", "[diffusers]") {
    // 16×8 px, scale factor 2^(2−1) = 2, FLUX packs 2×2: (16/4)·(8/4) = 8 image tokens; 6 prompt tokens.
    // Denoiser: 8 + 6 = 14 tokens × 14 × hidden 8 × 2 bytes = 3136.
    // VAE decode: latent 8×4; stage 0 holds 4 channels at 8×4 (128) and upsamples them to 16×8 (512); stage 1 holds
    // 2 channels at 16×8 (256): the largest map is 512 elements → 9 × 512 × 2 bytes = 9216.
    // Text: CLIP 4 tokens × (2·8 + 16) + 2 heads × 4² = 160 → 320 bytes; T5 6 × (2·16 + 32) + 4 × 6² = 528 → 1056.
    const Estimate e = run(pipeline(), 16, 8, 6);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.weights_bytes == 14500);
    CHECK(e.per_gpu.activation_bytes == 9216);
    CHECK(e.per_gpu.overhead_bytes == kCudaContext);
    CHECK(e.per_gpu.total_bytes == 14500 + 9216 + kCudaContext);
    CHECK_FALSE(e.has_kv);
    // Two images: every phase doubles.
    CHECK(run(pipeline(), 16, 8, 6, 2).per_gpu.activation_bytes == 2 * 9216);
}

TEST_CASE("diffusers: the denoiser phase wins when the image is large in tokens and the VAE small", "[diffusers]") {
    Model m = pipeline();
    m.pipeline.vae_channels = {1};  // scale factor 1, one stage without upsampling
    // 8×8 px → (8/2)·(8/2) = 16 tokens + 6 prompt tokens = 22 × 14 × 8 × 2 = 4928; the decoder map 1 × 8 × 8 = 64
    // → 9 × 64 × 2 = 1152; the T5 pass 1056.
    const Estimate e = run(m, 8, 8, 6);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.activation_bytes == 4928);
}

TEST_CASE("diffusers: enable_model_cpu_offload keeps the largest component plus its own phase", "[diffusers]") {
    // Candidates: transformer 10000 + 3136, VAE 500 + 9216, CLIP 1000 + 1056, T5 3000 + 1056 → the transformer's.
    const Estimate e = run(pipeline(), 16, 8, 6, 1, true);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.weights_bytes == 10000);
    CHECK(e.per_gpu.activation_bytes == 3136);
    // A VAE that outweighs the rest wins with its decode.
    Model big = pipeline();
    big.components[3].bytes = 20000;
    big.tensors[3].bytes = 20000;
    const Estimate v = run(big, 16, 8, 6, 1, true);
    CHECK(v.per_gpu.weights_bytes == 20000);
    CHECK(v.per_gpu.activation_bytes == 9216);
}

TEST_CASE("diffusers: classifier-free guidance doubles the denoiser batch, cross-attention leaves text out",
          "[diffusers]") {
    // PixArt-Σ: patch 2 from the config, guidance doubles the batch, text only in cross-attention:
    // (16/4)·(8/4) = 8 tokens × 2 × 14 × 8 × 2 = 3584; a VAE with one stage keeps the decode below it.
    Model m = pipeline("PixArtSigmaPipeline", false, 2);
    m.pipeline.vae_channels = {1, 1};
    const Estimate e = run(m, 16, 8, 6);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.activation_bytes == 3584);
    // Its default prompt length is 300 tokens (max_sequence_length=300): the T5 pass becomes the largest phase,
    // 300 × (2·16 + 32) + 4 × 300² = 379200 elements → 758400 bytes.
    CHECK(run(m, 16, 8, 0).per_gpu.activation_bytes == 758400);
}

TEST_CASE("diffusers: FLUX's default size is 128 latent pixels × the scale factor", "[diffusers]") {
    // No height or width: 128 × 2 = 256 px → (256/4)² = 4096 tokens + 512 default prompt tokens.
    const Estimate e = run(pipeline(), 0, 0, 0);
    REQUIRE_FALSE(e.error);
    bool found = false;
    for (const auto& a : e.assumptions)
        found |= a.find("256×256 px") != std::string::npos && a.find("512 prompt tokens") != std::string::npos &&
                 a.find("4096 image tokens") != std::string::npos;
    CHECK(found);
}

TEST_CASE("diffusers: refused for a repo without a pipeline, its options refused for other profiles", "[diffusers]") {
    Model llm = pipeline();
    llm.layout = "transformers";
    const Estimate e = run(llm, 0, 0, 0);
    REQUIRE(e.error);
    CHECK(e.error.message.find("estimates diffusers pipelines") != std::string::npos);
    EstimateOptions o;
    o.profile = profile_id("transformers");
    o.height = 512;
    const Error bad = validate_options(o);
    REQUIRE(bad);
    CHECK(bad.message.find("diffusers profile only") != std::string::npos);
    EstimateOptions t;
    t.profile = profile_id("diffusers");
    t.tp = 2;
    CHECK(validate_options(t));
}

TEST_CASE("pipeline shape: the component configs' fields, by component name", "[diffusers][pipeline]") {
    const std::string index = R"({"_class_name": "FluxPipeline"})";
    const PipelineShape p = read_pipeline_shape(
        index, {{"transformer", R"({"_class_name": "FluxTransformer2DModel", "num_attention_heads": 24,
                                    "attention_head_dim": 128, "patch_size": 1, "joint_attention_dim": 4096})"},
                {"vae", R"({"block_out_channels": [128, 256, 512, 512], "latent_channels": 16})"},
                {"text_encoder", R"({"architectures": ["CLIPTextModel"], "hidden_size": 768,
                                     "intermediate_size": 3072, "num_attention_heads": 12,
                                     "max_position_embeddings": 77})"},
                {"text_encoder_2", R"({"architectures": ["T5EncoderModel"], "d_model": 4096, "d_ff": 10240,
                                       "num_heads": 64})"},
                {"scheduler", "not json"}});
    CHECK(p.present);
    CHECK(p.pipeline_class == "FluxPipeline");
    CHECK(p.denoiser == "transformer");
    CHECK(p.heads * p.head_dim == 3072);
    CHECK(p.joint_attention);
    CHECK(p.vae_channels == std::vector<uint64_t>{128, 256, 512, 512});
    REQUIRE(p.text_encoders.size() == 2);
    CHECK(p.text_encoders[0].class_name == "CLIPTextModel");
    CHECK(p.text_encoders[0].max_positions == 77);
    CHECK(p.text_encoders[1].ffn == 10240);
    CHECK(p.text_encoders[1].max_positions == 0);
    CHECK_FALSE(read_pipeline_shape("[]", {}).present);
}

TEST_CASE("diffusers: an SDXL pipeline in float16 decodes in fp32 (force_upcast), allocated has no reserve",
          "[diffusers]") {
    // A UNet denoiser (no activations modelled), the FLUX-like VAE {2, 4} with force_upcast, 16×8 px, 6 tokens.
    Model m = pipeline("StableDiffusionXLPipeline");
    m.pipeline.denoiser = "unet";
    m.pipeline.denoiser_class = "UNet2DConditionModel";
    m.pipeline.heads = 0;
    m.pipeline.vae_force_upcast = true;
    EstimateOptions o;
    o.profile = profile_id("diffusers");
    o.height = 16;
    o.width = 8;
    o.text_tokens = 6;
    o.precision = Precision::float16;
    // Largest decoder map 512 elements (as above) in fp32: live 3 × 512 × 4 = 6144 + the VAE's fp32 copy (its 500
    // fp16 bytes again) = 6644. The reserve stays the 9 fitted maps in the pipeline's dtype, 9 × 512 × 2 = 9216, as
    // that is above the live figure (it never goes below it).
    const Estimate e = estimate(m, o);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.weights_bytes == 14500);
    CHECK(e.per_gpu.activation_bytes == 9216);
    CHECK(e.pipeline.vae_upcast);
    CHECK(e.pipeline.reserved_bytes == 14500 + 9216);
    CHECK(e.pipeline.allocated_bytes == 14500 + 6644);
    // bfloat16 never upcasts: 9 × 512 × 2 = 9216 reserved, 3 × 512 × 2 = 3072 live (above the T5 pass, 1056).
    o.precision = Precision::bfloat16;
    const Estimate b = estimate(m, o);
    CHECK_FALSE(b.pipeline.vae_upcast);
    CHECK(b.per_gpu.activation_bytes == 9216);
    CHECK(b.pipeline.allocated_bytes == 14500 + 3072);
    // Nor a float16 VAE without force_upcast, nor a pipeline other than the StableDiffusionXL ones (FLUX).
    o.precision = Precision::float16;
    m.pipeline.vae_force_upcast = false;
    CHECK(estimate(m, o).per_gpu.activation_bytes == 9216);
    Model flux = pipeline();
    flux.pipeline.vae_force_upcast = true;
    CHECK_FALSE(estimate(flux, o).pipeline.vae_upcast);
}

TEST_CASE("pipeline shape: the VAE's force_upcast", "[diffusers][pipeline]") {
    const std::string index = R"({"_class_name": "StableDiffusionXLPipeline"})";
    CHECK(read_pipeline_shape(index, {{"vae", R"({"block_out_channels": [128], "force_upcast": true})"}})
              .vae_force_upcast);
    CHECK_FALSE(read_pipeline_shape(index, {{"vae", R"({"block_out_channels": [128], "force_upcast": false})"}})
                    .vae_force_upcast);
    CHECK_FALSE(read_pipeline_shape(index, {{"vae", R"({"block_out_channels": [128]})"}}).vae_force_upcast);
}
