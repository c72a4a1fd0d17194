// The shape of a diffusers pipeline, read once from its component configs (model.cpp analyze): what the
// diffusers profile (engine_diffusers.cpp) needs to size the denoiser's tokens, the VAE decode and the text pass.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vram {

struct TextEncoderShape {
    std::string name;            // text_encoder, text_encoder_2 …
    std::string class_name;      // CLIPTextModel, T5EncoderModel …
    uint64_t hidden = 0;         // hidden_size / d_model
    uint64_t ffn = 0;            // intermediate_size / d_ff
    uint64_t heads = 0;          // num_attention_heads / num_heads
    uint64_t max_positions = 0;  // max_position_embeddings (0 = none: T5's relative positions)
};

struct PipelineShape {
    bool present = false;        // model_index.json was read
    std::string pipeline_class;  // model_index.json _class_name ("FluxPipeline")
    // The denoiser (component "transformer" or "unet").
    std::string denoiser;        // its component name, "" when the pipeline has none
    std::string denoiser_class;  // FluxTransformer2DModel, UNet2DConditionModel …
    uint64_t heads = 0, head_dim = 0;
    uint64_t patch_size = 1;
    uint64_t sample_size = 0;      // the denoiser config's sample_size (latent pixels), 0 when absent
    bool joint_attention = false;  // joint_attention_dim set: text tokens join the image tokens (MMDiT)
    // The VAE (component "vae").
    std::vector<uint64_t> vae_channels;  // block_out_channels
    uint64_t latent_channels = 0;
    bool vae_force_upcast = false;  // config force_upcast: the SDXL pipelines decode an fp16 VAE in fp32
    std::vector<TextEncoderShape> text_encoders;
};

// `configs`: component name → that component's config.json text; `model_index`: the model_index.json text.
PipelineShape read_pipeline_shape(const std::string& model_index, const std::map<std::string, std::string>& configs);

}  // namespace vram
