// Profile "diffusers": a diffusers pipeline called once (profiles.cpp names the files and version). The pipeline
// runs three phases one after another — the text encoders, the denoiser's steps, the VAE decode — so the peak is
// the resident weights plus the largest phase's activations. With enable_model_cpu_offload only the running
// component is on the GPU: the peak is the largest (component + its phase). Every rule below cites its source.
#include <algorithm>
#include <string_view>

#include "estimator/engine.hpp"

namespace vram {
namespace {

// Per pipeline family: how latents become tokens, whether classifier-free guidance doubles the denoiser's batch,
// and the default prompt length. Matched by the model_index.json _class_name prefix; the last row is the default.
struct PipelineRule {
    const char* prefix;
    uint32_t pack;          // latent pixels per token side (0 = the denoiser config's patch_size)
    uint32_t cfg_batch;     // 2: the uncond and cond latents go through the denoiser as one batch
    uint32_t text_tokens;   // default max_sequence_length of the long text encoder (0 = its max positions)
    uint32_t extra_tokens;  // text tokens joined to the long encoder's (SD3: the 77 CLIP tokens)
    const char* source;
};
constexpr PipelineRule kRules[] = {
    // pipeline_flux.py: _pack_latents packs 2×2 latents into one token ((h/2)·(w/2) tokens); guidance-distilled,
    // true_cfg_scale 1.0 so no uncond batch; __call__ max_sequence_length=512.
    {"Flux", 2, 1, 512, 0, "pipelines/flux/pipeline_flux.py (_pack_latents, __call__ defaults)"},
    // pipeline_qwenimage.py (read at 06d92baf): tokens (h/vae_scale/2)·(w/vae_scale/2); true CFG, when a negative
    // prompt is given, is a second transformer call after the first (one image batch per call);
    // max_sequence_length=512 is a cap: the prompt is not padded to it, so 512 is an upper bound.
    {"QwenImage", 2, 1, 512, 0, "pipelines/qwenimage/pipeline_qwenimage.py (__call__ at 06d92baf)"},
    // pipeline_stable_diffusion_3.py: guidance_scale 7.0 > 1 doubles the latents (torch.cat([latents] * 2));
    // max_sequence_length=256 T5 tokens joined to 77 CLIP tokens (torch.cat in encode_prompt).
    {"StableDiffusion3", 0, 2, 256, 77, "pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py (__call__)"},
    // pipeline_pixart_sigma.py: guidance_scale 4.5 > 1 doubles the latents; max_sequence_length=300.
    {"PixArtSigma", 0, 2, 300, 0, "pipelines/pixart_alpha/pipeline_pixart_sigma.py (__call__)"},
    // Any other pipeline: classifier-free guidance on (the common default), the encoder's own max positions.
    {"", 0, 2, 0, 0, "diffusers pipelines' usual __call__ defaults (guidance_scale > 1)"},
};

const PipelineRule& rule_for(const PipelineShape& p) {
    for (const auto& r : kRules)
        if (std::string_view(p.pipeline_class).rfind(r.prefix, 0) == 0) return r;
    return kRules[std::size(kRules) - 1];
}

// Live tensors of one denoiser block per token, in units of the hidden size D. transformer_flux.py
// FluxSingleTransformerBlock.forward at torch.cat((attn_output, mlp_hidden_states)) → proj_out: the block's input
// (D), residual = cat(encoder, hidden) (D), norm_hidden_states (D), act_mlp(proj_mlp(·)) (4D), attn_output (D),
// the concatenation (5D) and proj_out's output (D) = 14 D. Attention through SDPA (AttnProcessor2_0 /
// FluxAttnProcessor2_0): flash / memory-efficient kernels, no tokens² score matrix.
constexpr uint64_t kBlockLiveHidden = 14;

// VAE decode: feature maps of the decoder's largest stage. resnet.py ResnetBlock2D.forward keeps its input for the
// residual while norm1 and the SiLU produce two more maps of the same size: 3 live maps. The measured increment
// after load of the 13 FLUX.1-dev runs with every component resident (tests/validation/diffusers, role
// "calibrate": median 4.488 GiB at 1024², any quantization backend) is 8.98 such maps (0.5 GiB each); the 6
// beyond the 3 counted (cuDNN convolution workspace, the allocator's reserved blocks) are fitted there, rounded.
constexpr uint64_t kVaeDecodeMaps = 9;
// The 3 live maps alone: what torch.cuda.max_memory_allocated holds at the decode's peak (the report's
// pipeline.allocated); the 6 fitted maps are the reserve max_memory_reserved adds (and any workspace).
constexpr uint64_t kVaeLiveMaps = 3;

// CUDA context and library handles, as the transformers profile states it (measured at vLLM start-up on an H100,
// tests/validation/vllm); torch.cuda.max_memory_reserved does not include it.
constexpr uint64_t kCudaContextBytes = gib_hundredths(51);

constexpr uint64_t kDefaultSampleSize = 128;  // pipeline_flux.py default_sample_size = 128 (latent pixels)
constexpr uint64_t kClipTokens = 77;          // CLIPTokenizer model_max_length, the pipelines' padding length

struct Phases {
    uint64_t height = 0, width = 0, vae_scale = 8, image_tokens = 0, text_tokens = 0, sequence = 0;
    uint32_t cfg = 1;
    uint64_t text = 0, denoise = 0, decode = 0;  // activation peak of each phase
    uint64_t largest_map = 0;                    // elements of the decoder's largest feature map (one image)
    uint64_t decode_live = 0;                    // the decode's live maps only (allocated, no fitted reserve)
    bool upcast = false;                         // force_upcast: the decode runs in fp32
    std::string text_encoder;                    // the encoder with the largest pass
};

// The decoder's largest feature map: vae.py Decoder runs the up blocks on reversed block_out_channels, each but
// the last ending in Upsample2D (×2 each side), so stage i holds channels[n−1−i] at latent·2^i and its upsample
// writes them at latent·2^(i+1).
uint64_t largest_decoder_map(const std::vector<uint64_t>& channels, uint64_t lh, uint64_t lw) {
    uint64_t best = 0;
    const size_t n = channels.size();
    for (size_t i = 0; i < n; ++i) {
        const uint64_t c = channels[n - 1 - i];
        best = std::max(best, mul_sat(c, mul_sat(lh << i, lw << i)));
        if (i + 1 < n) best = std::max(best, mul_sat(c, mul_sat(lh << (i + 1), lw << (i + 1))));
    }
    return best;
}

// pipeline_stable_diffusion_xl.py __call__ (and the other StableDiffusionXL* pipelines, read at 91d42924):
// needs_upcasting = self.vae.dtype == torch.float16 and self.vae.config.force_upcast → self.upcast_vae() (the VAE
// to float32), the latents to float32, vae.decode, then the VAE back to float16. SDXL's vae/config.json sets
// force_upcast true; FLUX's pipeline has no such step (and bfloat16 never triggers it).
bool vae_upcast(const PipelineShape& p, const Setup& s) {
    return s.fp16_weights && p.vae_force_upcast &&
           std::string_view(p.pipeline_class).rfind("StableDiffusionXL", 0) == 0;
}

// `vae_bytes`: the VAE's weights at the precision target (its fp32 copy adds as much again when it is upcast).
Phases phases(const Model& m, const Setup& s, uint32_t batch, uint64_t vae_bytes) {
    const PipelineShape& p = m.pipeline;
    const PipelineRule& r = rule_for(p);
    Phases ph;
    ph.cfg = r.cfg_batch;
    // pipeline_flux.py (and the others): vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1).
    if (!p.vae_channels.empty()) ph.vae_scale = 1ull << std::min<size_t>(p.vae_channels.size() - 1, 16);
    const uint64_t sample = p.sample_size ? p.sample_size : kDefaultSampleSize;
    ph.height = s.height ? s.height : sample * ph.vae_scale;
    ph.width = s.width ? s.width : sample * ph.vae_scale;
    const uint64_t pack = r.pack ? r.pack : std::max<uint64_t>(1, p.patch_size);
    // height = 2 * (int(height) // (vae_scale_factor * 2)) (pipeline_flux.py prepare_latents): whole tokens.
    const uint64_t th = ph.height / (ph.vae_scale * pack), tw = ph.width / (ph.vae_scale * pack);
    ph.image_tokens = th * tw;
    // The long encoder's tokens: the option, else the pipeline's max_sequence_length, else its max positions.
    uint64_t long_max = 0;
    for (const auto& t : p.text_encoders) long_max = std::max(long_max, t.max_positions);
    ph.text_tokens =
        s.text_tokens ? s.text_tokens : (r.text_tokens ? r.text_tokens : (long_max ? long_max : kClipTokens));
    const uint64_t joined = ph.text_tokens + r.extra_tokens;
    ph.sequence = ph.image_tokens + (p.joint_attention ? joined : 0);
    const uint64_t dt = s.act_bytes;
    if (p.denoiser == "transformer" && p.heads && p.head_dim)
        ph.denoise =
            mul_sat(mul_sat(mul_sat(batch, ph.cfg), ph.sequence), mul_sat(kBlockLiveHidden * p.heads * p.head_dim, dt));
    ph.largest_map = largest_decoder_map(p.vae_channels, th * pack, tw * pack);
    ph.upcast = vae_upcast(p, s);
    const uint64_t ddt = ph.upcast ? 4 : dt, copy = ph.upcast ? vae_bytes : 0;
    ph.decode_live = add_sat(mul_sat(mul_sat(batch, ph.largest_map), kVaeLiveMaps * ddt), copy);
    // The reserved figure keeps the 9 maps fitted on FLUX's bf16 reserved peaks in the pipeline's own dtype: no run
    // measures reserved memory for an upcast decode, and scaling that fitted reserve by 4 / 2 doubled an unmeasured
    // figure (SDXL fp16, four 1024² images: 42.6 GiB reserved against 21.7 GiB measured allocated). It is never below
    // the allocated figure, whose upcast live maps and fp32 VAE copy the held-out SDXL rows check.
    ph.decode = std::max(mul_sat(mul_sat(batch, ph.largest_map), kVaeDecodeMaps * dt), ph.decode_live);
    // Text encoders: CLIP pads to its 77 positions, T5 (no max positions) to max_sequence_length. Per token the
    // hidden state, its residual and the FFN's inner activation; for T5 and CLIP one tokens² score matrix per head
    // (T5Attention computes its scores eagerly, position bias added; CLIPAttention as loaded by the pipelines).
    for (const auto& t : p.text_encoders) {
        const uint64_t T = t.max_positions ? std::min<uint64_t>(t.max_positions, ph.text_tokens) : ph.text_tokens;
        const bool eager = t.class_name.rfind("T5", 0) == 0 || t.class_name.rfind("CLIP", 0) == 0;
        const uint64_t scores = eager ? mul_sat(t.heads, mul_sat(T, T)) : 0;  // others: transformers' SDPA default
        const uint64_t per = add_sat(mul_sat(T, 2 * t.hidden + t.ffn), scores);
        const uint64_t bytes = mul_sat(mul_sat(batch, per), dt);
        if (bytes > ph.text) {
            ph.text = bytes;
            ph.text_encoder = t.name;
        }
    }
    return ph;
}

uint64_t component_bytes(const Model& m, const Weights& w, std::string_view name) {
    for (size_t i = 0; i < m.components.size() && i < w.component.size(); ++i)
        if (m.components[i].name == name) return w.component[i];
    return 0;
}

void resolve(Setup& s, const EstimateOptions& o) {
    s.height = o.height;
    s.width = o.width;
    s.text_tokens = o.text_tokens;
    s.model_cpu_offload = o.model_cpu_offload;
    s.fp16_weights = o.precision == Precision::float16;
}

struct Resident {
    uint64_t weights = 0, activations = 0;
};

// What is on the GPU at the peak, with `decode` as the VAE phase's activations (the reserved or the live figure).
Resident resident(const Model& m, const Weights& w, const Setup& s, const Phases& ph, uint64_t decode) {
    Resident r;
    if (!s.model_cpu_offload) return {w.total, std::max({ph.text, ph.denoise, decode})};
    // pipeline_utils.py enable_model_cpu_offload: accelerate.cpu_offload_with_hook(model, device,
    // prev_module_hook=hook) along model_cpu_offload_seq — a component moves to the GPU when its forward runs and
    // the previous one goes back: one component resident per phase.
    std::vector<std::pair<uint64_t, uint64_t>> candidates = {{component_bytes(m, w, m.pipeline.denoiser), ph.denoise},
                                                             {component_bytes(m, w, "vae"), decode}};
    for (const auto& t : m.pipeline.text_encoders)  // each encoder charged the largest pass (an upper bound)
        candidates.emplace_back(component_bytes(m, w, t.name), ph.text);
    for (const auto& [weights, act] : candidates)
        if (add_sat(weights, act) > add_sat(r.weights, r.activations)) r = {weights, act};
    // The largest component alone may be larger than its phase's sum with a smaller component.
    for (size_t i = 0; i < m.components.size() && i < w.component.size(); ++i)
        if (w.component[i] > add_sat(r.weights, r.activations)) r = {w.component[i], 0};
    return r;
}

Eval evaluate(const Model& m, const Weights& w, const Setup& s, uint64_t, uint32_t batch) {
    Eval ev;
    const Phases ph = phases(m, s, batch, component_bytes(m, w, "vae"));
    const Resident reserved = resident(m, w, s, ph, ph.decode), live = resident(m, w, s, ph, ph.decode_live);
    ev.share.weights_bytes = reserved.weights;
    ev.share.activation_bytes = reserved.activations;
    ev.pipeline.reserved_bytes = add_sat(reserved.weights, reserved.activations);
    ev.pipeline.allocated_bytes = add_sat(live.weights, live.activations);
    ev.pipeline.vae_upcast = ph.upcast;
    ev.parts.cuda_context_bytes = kCudaContextBytes;
    ev.share.overhead_bytes = kCudaContextBytes;
    total_share(ev.share);
    return ev;
}

void assumptions(Estimate& e, const Model& m, const Setup& s, const Weights& w, const Eval& ev) {
    const std::string src = " [" + std::string(s.profile->engine) + " " + s.profile->version + "]";
    const PipelineShape& p = m.pipeline;
    const PipelineRule& r = rule_for(p);
    const Phases ph = phases(m, s, e.options.batch, component_bytes(m, w, "vae"));
    const std::string b = std::to_string(e.options.batch);
    e.assumptions.push_back(
        "pipeline " + (p.pipeline_class.empty() ? std::string("(no _class_name)") : p.pipeline_class) + ": " +
        std::to_string(ph.height) + "×" + std::to_string(ph.width) + " px, batch " + b + " images, " +
        std::to_string(ph.text_tokens) + " prompt tokens; VAE scale factor " + std::to_string(ph.vae_scale) +
        " (2^(len(block_out_channels) − 1)) → " + std::to_string(ph.image_tokens) + " image tokens" +
        (r.cfg_batch == 2 ? ", classifier-free guidance doubles the denoiser's batch" : "") + " (" + r.source + ")" +
        src);
    e.assumptions.push_back(
        s.model_cpu_offload
            ? "placement: enable_model_cpu_offload — one component on the GPU at a time (pipeline_utils.py "
              "enable_model_cpu_offload: cpu_offload_with_hook along model_cpu_offload_seq); the peak is the largest "
              "component plus its own phase; bitsandbytes 8-bit components, which diffusers leaves on the GPU, are "
              "not modelled" +
                  src
            : "placement: every component resident (pipe.to(\"cuda\")); the phases run one after another, so the "
              "peak adds only the largest phase" +
                  src);
    if (p.denoiser == "transformer" && p.heads && p.head_dim)
        e.assumptions.push_back("denoiser " + p.denoiser_class + ": " + gib_text(ph.denoise) + " = batch × " +
                                std::to_string(ph.cfg) + " × " + std::to_string(ph.sequence) + " tokens" +
                                (p.joint_attention ? " (image + text, joint attention)" : " (image)") +
                                " × 14 × hidden " + std::to_string(p.heads * p.head_dim) +
                                " × dtype: the live tensors of one FluxSingleTransformerBlock (transformer_flux.py); "
                                "SDPA, no tokens² scores" +
                                src);
    else
        e.assumptions.push_back("denoiser " + (p.denoiser_class.empty() ? std::string("(none)") : p.denoiser_class) +
                                ": activations not modelled (only transformer denoisers are)" + src);
    if (p.vae_channels.empty())
        e.assumptions.push_back("VAE decode: not modelled (the VAE config has no block_out_channels: " +
                                std::string("a decoder this profile does not size)") + src);
    else
        e.assumptions.push_back(
            "VAE decode: " + gib_text(ph.decode) + " = batch × 9 × the decoder's largest map (" +
            std::to_string(ph.largest_map) + " elements) × " +
            (ph.upcast ? std::string("4 bytes + the VAE's fp32 copy: fp16 weights with force_upcast decode in fp32 "
                                     "(pipeline_stable_diffusion_xl.py upcast_vae)")
                       : std::string("dtype")) +
            ": 3 maps live in ResnetBlock2D (resnet.py), 6 more fitted on the "
            "FLUX.1-dev calibration runs (cuDNN workspace, allocator blocks); no tiling or slicing" +
            src);
    e.assumptions.push_back("text encoders: the largest pass " + gib_text(ph.text) +
                            (ph.text_encoder.empty() ? std::string() : " (" + ph.text_encoder + ")") +
                            ": tokens × (2 × hidden + FFN) + heads × tokens² per prompt, one encoder at a time" + src);
    e.assumptions.push_back("per GPU: weights " + gib_text(ev.share.weights_bytes) +
                            " (with every component resident: torch.cuda.max_memory_reserved after loading) + "
                            "activations " +
                            gib_text(ev.share.activation_bytes) +
                            " (weights + activations: max_memory_reserved at the peak) + CUDA context 0.51 GiB "
                            "(outside torch's allocator; measured at vLLM start-up on an H100, tests/validation/vllm)" +
                            src);
    e.assumptions.push_back("torch.cuda.max_memory_allocated at the peak: " + gib_text(ev.pipeline.allocated_bytes) +
                            " (the same phases with the VAE decode's 3 live maps only, without the 6 fitted "
                            "reserve maps; JSON pipeline.allocated_bytes)" +
                            src);
}

}  // namespace

const Engine kDiffusersEngine = {ProfileId::diffusers, 4, false, resolve, evaluate, nullptr, assumptions};

}  // namespace vram
