// Unit tests of core/estimator/training.* — every option with a figure worked by hand in the comment beside it.
// Most tests use a crafted Llama-shaped model small enough to count on paper ("tiny" below); the end-to-end counts
// use the real headers of tests/fixtures/hub (meta-llama/Llama-3.1-8B, TheBloke/Genz-70b-GPTQ, Qwen/Qwen3-30B-A3B).
//
// tiny: hidden 64, 4 heads of 16, 2 KV heads, MLP 128 (SwiGLU), 2 layers, vocab 100, all BF16:
//   embed_tokens [100,64] 6,400 · per layer: 2 norms [64] · q [64,64] 4,096 · k, v [32,64] 2,048 each ·
//   o [64,64] 4,096 · gate, up [128,64] 8,192 each · down [64,128] 8,192 → 36,992 per layer ·
//   norm [64] · lm_head [100,64] 6,400.  Total 6,400 + 2 × 36,992 + 64 + 6,400 = 86,848 parameters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "estimator/training.hpp"
#include "estimator/training_report.hpp"
#include "training_fixture.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// A fixture repo of tests/fixtures/hub as the Hub client would snapshot it: the listing, config.json and shard
// index, and each weight file's header (the fixtures hold only the 8-byte length and the header).
RepoSnapshot fixture(const std::string& repo) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(VRAM_SOURCE_DIR) / "tests/fixtures/hub" / repo;
    RepoSnapshot s;
    s.repo_id = repo;
    s.revision = "main";
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name == "SOURCE.md" || name[0] == '.') continue;
        std::ifstream f(entry.path(), std::ios::binary);
        std::stringstream buf;
        buf << f.rdbuf();
        const std::string bytes = buf.str();
        s.files.push_back({name, 0});  // real sizes are not in the fixture: 0 skips the end-of-file checks
        if (name.size() > 12 && name.substr(name.size() - 12) == ".safetensors") {
            uint64_t n = 0;
            for (int k = 7; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(k)]);
            s.headers[name] = bytes.substr(8, n);
        } else if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
            s.texts[name] = bytes;
        }
    }
    return s;
}

TrainingEstimate run(const Loaded& l, const TrainingOptions& o, const GpuInfo* gpu = nullptr) {
    return train_estimate(l.model, l.tensors, o, gpu);
}

TrainingOptions full(TrainPrecision p = TrainPrecision::bf16_mixed, Optimizer opt = Optimizer::adamw) {
    TrainingOptions o;
    o.method = TrainMethod::full;
    o.precision = p;
    o.optimizer = opt;
    return o;
}

}  // namespace

// ---- tables ------------------------------------------------------------------------------------------------------

TEST_CASE("every option table row sits at its id and parses back from its name", "[training]") {
    for (const auto& r : train_methods()) {
        TrainMethod m{};
        CHECK(parse_train_method(r.name, m));
        CHECK(&train_method_info(m) == &r);
    }
    for (const auto& r : train_precisions()) {
        TrainPrecision p{};
        CHECK(parse_train_precision(r.name, p));
        CHECK(&train_precision_info(p) == &r);
    }
    for (const auto& r : optimizers()) {
        Optimizer o{};
        CHECK(parse_optimizer(r.name, o));
        CHECK(&optimizer_info(o) == &r);
        CHECK(std::string(r.source).size() > 10);
    }
    for (const auto& r : distributions()) {
        Distribution d{};
        CHECK(parse_distribution(r.name, d));
        CHECK(&distribution_info(d) == &r);
    }
    for (const auto& r : offloads()) {
        Offload o{};
        CHECK(parse_offload(r.name, o));
        CHECK(&offload_info(o) == &r);
    }
    for (const auto& r : train_attentions()) {
        TrainAttention a{};
        CHECK(parse_train_attention(r.name, a));
        CHECK(&train_attention_info(a) == &r);
    }
    TrainMethod m{};
    CHECK_FALSE(parse_train_method("dora", m));
    const auto tables = training_tables_json();
    CHECK(tables["optimizers"].size() == 8);
    CHECK(tables["bounds"]["max_lora_rank"] == kMaxLoraRank);
}

TEST_CASE("target patterns match module names as PEFT does, and globs over the whole name", "[training]") {
    const char* name = "model.layers.0.self_attn.q_proj.weight";
    CHECK(target_matches("q_proj", name));
    CHECK(target_matches("self_attn.*", name));
    CHECK(target_matches("*.layers.0.*", name));
    CHECK(target_matches("model.layers.?.self_attn.q_proj.weight", name));
    CHECK_FALSE(target_matches("proj", name));
    CHECK_FALSE(target_matches("k_proj", name));
    CHECK_FALSE(target_matches("layers.1.*", name));
    CHECK(glob_match("*", ""));
    CHECK_FALSE(glob_match("a*b", "acbd"));
}

// ---- precision × full fine-tuning ----------------------------------------------------------------------------

TEST_CASE("full fine-tune in bf16 mixed precision: 2 + 2 + 12 bytes per parameter with AdamW", "[training]") {
    // weights 86,848 × 2 = 173,696; gradients × 2 = 173,696; master × 4 = 347,392;
    // AdamW 2 states × 4 B × 86,848 = 694,784 → optimizer 347,392 + 694,784 = 1,042,176.
    const TrainingEstimate e = run(tiny(), full());
    REQUIRE_FALSE(e.error);
    CHECK(e.params == 86'848);
    CHECK(e.trainable_params == 86'848);
    CHECK(e.frozen_params == 0);
    CHECK(e.weights_bytes == 173'696);
    CHECK(e.gradient_bytes == 173'696);
    CHECK(e.master_bytes == 347'392);
    CHECK(e.optimizer_bytes == 1'042'176);
    CHECK(e.per_gpu.weights_bytes == 173'696);
    CHECK(e.per_gpu.total_bytes == e.per_gpu.weights_bytes + e.per_gpu.gradient_bytes + e.per_gpu.optimizer_bytes +
                                       e.per_gpu.activation_bytes + e.per_gpu.logits_bytes + e.per_gpu.overhead_bytes);
}

TEST_CASE("full fine-tune in fp32: 4 + 4 + 8 bytes per parameter, no master copy", "[training]") {
    // 86,848 × 4 = 347,392 weights and gradients; AdamW 86,848 × 8 = 694,784.
    const TrainingEstimate e = run(tiny(), full(TrainPrecision::fp32));
    CHECK(e.weights_bytes == 347'392);
    CHECK(e.gradient_bytes == 347'392);
    CHECK(e.master_bytes == 0);
    CHECK(e.optimizer_bytes == 694'784);
}

TEST_CASE("pure bf16 keeps the optimizer states in bf16, fp16-mixed costs what bf16-mixed does", "[training]") {
    // pure bf16: 173,696 weights, 173,696 gradients, AdamW 2 × 2 B × 86,848 = 347,392.
    const TrainingEstimate e = run(tiny(), full(TrainPrecision::bf16));
    CHECK(e.weights_bytes == 173'696);
    CHECK(e.gradient_bytes == 173'696);
    CHECK(e.optimizer_bytes == 347'392);
    const TrainingEstimate f16 = run(tiny(), full(TrainPrecision::fp16));
    CHECK(f16.optimizer_bytes == 347'392);
    CHECK(run(tiny(), full(TrainPrecision::fp16_mixed)).optimizer_bytes == 1'042'176);
}

// ---- optimizers (fp32, so that states are 4 B and the master copy is absent) -----------------------------------

TEST_CASE("SGD keeps no state, SGD with momentum and Lion one per parameter", "[training]") {
    // 0; 86,848 × 4 = 347,392; 347,392.
    CHECK(run(tiny(), full(TrainPrecision::fp32, Optimizer::sgd)).optimizer_bytes == 0);
    CHECK(run(tiny(), full(TrainPrecision::fp32, Optimizer::sgd_momentum)).optimizer_bytes == 347'392);
    CHECK(run(tiny(), full(TrainPrecision::fp32, Optimizer::lion)).optimizer_bytes == 347'392);
}

TEST_CASE("8-bit AdamW: uint8 states with an fp32 absmax per 256, fp32 states under 4,096 elements", "[training]") {
    // 8-bit tensors (≥ 4,096 elements): embed + lm_head 12,800, per layer q 4,096 + o 4,096 + 3 × 8,192 = 32,768
    //   → 12,800 + 2 × 32,768 = 78,336 elements in 306 blocks of 256 → 2 × (78,336 + 4 × 306) = 159,120.
    // 32-bit tensors: k, v 2,048 each in 2 layers = 8,192, and 5 norms of 64 = 320 → 8,512 × 2 × 4 B = 68,096.
    // Total 227,216; the paged variant costs the same on the GPU.
    CHECK(run(tiny(), full(TrainPrecision::fp32, Optimizer::adamw_8bit)).optimizer_bytes == 227'216);
    const TrainingEstimate paged = run(tiny(), full(TrainPrecision::fp32, Optimizer::paged_adamw_8bit));
    CHECK(paged.optimizer_bytes == 227'216);
}

TEST_CASE("bitsandbytes' 32-bit paged AdamW keeps fp32 states over bf16 parameters", "[training]") {
    // pure bf16 full fine-tune: torch AdamW 2 × 2 B × 86,848 = 347,392; paged_adamw 2 × 4 B × 86,848 = 694,784.
    CHECK(run(tiny(), full(TrainPrecision::bf16, Optimizer::adamw)).optimizer_bytes == 347'392);
    CHECK(run(tiny(), full(TrainPrecision::bf16, Optimizer::paged_adamw)).optimizer_bytes == 694'784);
}

TEST_CASE("Adafactor factors each matrix's second moment into a row and a column from the real shape", "[training]") {
    // rows + cols: embed 100 + 64, lm_head 164; per layer q 128, k 96, v 96, o 128, gate 192, up 192, down 192
    //   = 1,024 → 2 × 1,024 + 328 = 2,376; norms are 1-D: 5 × 64 = 320 in full. (2,376 + 320) × 4 B = 10,784.
    CHECK(run(tiny(), full(TrainPrecision::fp32, Optimizer::adafactor)).optimizer_bytes == 10'784);
}

// ---- methods -----------------------------------------------------------------------------------------------------

TEST_CASE("LoRA trains r × (in + out) per matched projection, the base stays frozen", "[training]") {
    // r = 8, per layer: q 8 × (64 + 64) = 1,024; k, v 8 × (64 + 32) = 768; o 1,024; gate, up, down 8 × (64 + 128)
    //   = 1,536 → 8,192 per layer, 16,384 in all, over 14 matched tensors.
    // Adapters fp32 under bf16-mixed: 65,536 B, gradients 65,536 B, AdamW 2 × 4 × 16,384 = 131,072.
    // Frozen base at bf16: 86,848 × 2 = 173,696.
    TrainingOptions o;
    o.lora_rank = 8;
    const TrainingEstimate e = run(tiny(), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.n_matched_tensors == 14);
    CHECK(e.matched_names.front() == "model.layers.0.self_attn.q_proj.weight");
    CHECK(e.adapter_params == 16'384);
    CHECK(e.trainable_params == 16'384);
    CHECK(e.frozen_params == 86'848);
    CHECK(e.adapter_bytes == 65'536);
    CHECK(e.gradient_bytes == 65'536);
    CHECK(e.optimizer_bytes == 131'072);
    CHECK(e.weights_bytes == 173'696);
    // Targets narrowed to q_proj and v_proj: 2 × (1,024 + 768) = 3,584 over 4 tensors.
    o.lora_targets = {"q_proj", "v_proj"};
    const TrainingEstimate qv = run(tiny(), o);
    CHECK(qv.n_matched_tensors == 4);
    CHECK(qv.adapter_params == 3'584);
}

TEST_CASE("adapters in fp32 (PEFT) or in the model's bf16 (torchtune, litgpt)", "[training]") {
    // pure bf16, r = 8, 16,384 adapter parameters. PEFT: 16,384 × 4 = 65,536 weights, 65,536 gradients, AdamW
    // 2 × 4 × 16,384 = 131,072. In bf16: 32,768, 32,768 and 2 × 2 × 16,384 = 65,536.
    TrainingOptions o;
    o.lora_rank = 8;
    o.precision = TrainPrecision::bf16;
    const TrainingEstimate peft = run(tiny(), o);
    CHECK(peft.adapter_bytes == 65'536);
    CHECK(peft.gradient_bytes == 65'536);
    CHECK(peft.optimizer_bytes == 131'072);
    o.adapters_fp32 = false;
    const TrainingEstimate bf16 = run(tiny(), o);
    CHECK(bf16.adapter_bytes == 32'768);
    CHECK(bf16.gradient_bytes == 32'768);
    CHECK(bf16.optimizer_bytes == 65'536);
}

TEST_CASE("QLoRA stores the projections in NF4 with absmax per 64, double quantization or not", "[training]") {
    // NF4 tensors: the 7 projections of 2 layers, 73,728 parameters (36,864 per layer); embeddings, lm_head and
    // norms stay bf16: (6,400 × 2 + 320) × 2 B = 26,240.
    // Without double quantization: 73,728 / 2 + 4 × 73,728 / 64 = 36,864 + 4,608 = 41,472 → weights 67,712.
    // With: absmax 1 B per block (1,152 blocks) + fp32 per 256 blocks (each tensor has ≤ 256 blocks: 14 × 4 = 56)
    //   = 1,208 constants → 36,864 + 1,208 + 26,240 = 64,312.
    // Dequantization buffer: the largest NF4 tensor (8,192) at bf16 = 16,384 B.
    TrainingOptions o;
    o.method = TrainMethod::qlora;
    o.lora_rank = 8;
    o.double_quant = false;
    const TrainingEstimate single = run(tiny(), o);
    REQUIRE_FALSE(single.error);
    CHECK(single.n_quantized_tensors == 14);
    CHECK(single.quant_constants_bytes == 4'608);
    CHECK(single.weights_bytes == 67'712);
    CHECK(single.adapter_params == 16'384);
    CHECK(single.dequant_buffer_bytes == 16'384);
    o.double_quant = true;
    const TrainingEstimate dq = run(tiny(), o);
    CHECK(dq.quant_constants_bytes == 1'208);
    CHECK(dq.weights_bytes == 64'312);
}

TEST_CASE("freeze trains only the named modules", "[training]") {
    // lm_head 6,400 trainable: gradients 12,800, master 25,600, AdamW 51,200 → optimizer 76,800;
    // weights unchanged at 173,696 (everything bf16), 80,448 frozen.
    TrainingOptions o;
    o.method = TrainMethod::freeze;
    o.trainable_modules = {"lm_head"};
    const TrainingEstimate e = run(tiny(), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.trainable_params == 6'400);
    CHECK(e.frozen_params == 80'448);
    CHECK(e.n_matched_tensors == 1);
    CHECK(e.gradient_bytes == 12'800);
    CHECK(e.optimizer_bytes == 76'800);
    CHECK(e.weights_bytes == 173'696);
}

TEST_CASE("integer buffers in a checkpoint are not trained", "[training]") {
    // tiny + an I64 position_ids buffer [1, 4096] (32,768 B): full training still trains 86,848 parameters; the
    // buffer stays as stored: weights 173,696 + 32,768 = 206,464.
    const Loaded l = load(tiny_snapshot(true));
    const TrainingEstimate e = run(l, full());
    REQUIRE_FALSE(e.error);
    CHECK(e.trainable_params == 86'848);
    CHECK(e.weights_bytes == 206'464);
}

// ---- activations and logits --------------------------------------------------------------------------------------

TEST_CASE("the MLP width comes from the MLP's first Linear where the config names none (Falcon)", "[training]") {
    // tiny without "intermediate_size" (Falcon's config has none; transformers' FalconConfig takes 4 × hidden):
    // up_proj [128, 64] gives 128, so the activations are the 43,264 B of the case below. Without it the SwiGLU
    // terms 4 × 128 × 2 = 1,024 per layer and token would be missing: 43,264 − 2 × 8 × 1,024 = 26,880.
    RepoSnapshot s = tiny_snapshot();
    std::string& config = s.texts["config.json"];
    const std::string key = "\"intermediate_size\":128,";
    REQUIRE(config.find(key) != std::string::npos);
    config.erase(config.find(key), key.size());
    const Loaded l = load(s);
    REQUIRE(l.model.arch.intermediate_size == 0);
    TrainingOptions o = full();
    o.seq_tokens = 8;
    CHECK(run(l, o).activation_bytes == 43'264);
}

TEST_CASE("activations per layer with SDPA, eager attention and gradient checkpointing", "[training]") {
    // bf16 (b = 2), micro-batch 1 × 8 tokens. Per token and layer:
    //   attention norm 64 × (4 + 2 × 2) = 512; Q 64 + K 32 + V 32 = 128 × 2 = 256; output 64 × 2 = 128;
    //   log-sum-exp 4 heads × 4 B = 16; MLP norm 512; SwiGLU 4 × 128 × 2 = 1,024 → 2,448 B.
    //   × 8 tokens = 19,584 per layer; 2 layers 39,168 + final norm 8 × 64 × 8 = 4,096 → 43,264.
    TrainingOptions o = full();
    o.seq_tokens = 8;
    const TrainingEstimate sdpa = run(tiny(), o);
    REQUIRE(sdpa.layers.size() == 2);
    CHECK(sdpa.layers[0].saved_bytes == 19'584);
    CHECK(sdpa.activation_bytes == 43'264);
    // eager: K and V repeated to 4 heads (64 + 64 + 64) × 2 = 384, no log-sum-exp → 2,560 × 8 = 20,480,
    //   plus probabilities 1 × 4 heads × 8² × (4 + 2) = 1,536 → 22,016 per layer; 44,032 + 4,096 = 48,128.
    o.attention = TrainAttention::eager;
    const TrainingEstimate eager = run(tiny(), o);
    CHECK(eager.layers[0].scores_bytes == 1'536);
    CHECK(eager.layers[0].saved_bytes == 22'016);
    CHECK(eager.activation_bytes == 48'128);
    // Gemma 2's attn_logit_softcapping: tanh's bf16 output per score too, 1 × 4 × 8² × (4 + 2 + 2) = 2,048.
    {
        RepoSnapshot capped = tiny_snapshot();
        std::string& config = capped.texts["config.json"];
        config.insert(config.find('{') + 1, "\"attn_logit_softcapping\":50.0,");
        const Loaded l = load(capped);
        REQUIRE(l.model.arch.attention_softcapping);
        CHECK(run(l, o).layers[0].scores_bytes == 2'048);
    }
    // checkpointing (SDPA): layer inputs 2 × 8 × 64 × 2 = 2,048 + one layer recomputed 19,584 + final norm 4,096.
    o.attention = TrainAttention::sdpa;
    o.gradient_checkpointing = true;
    const TrainingEstimate ckpt = run(tiny(), o);
    CHECK(ckpt.checkpoint_bytes == 2'048);
    CHECK(ckpt.recompute_bytes == 19'584);
    CHECK(ckpt.activation_bytes == 25'728);
    // micro-batch 3 triples the tokens: 3 × 43,264 = 129,792.
    o.gradient_checkpointing = false;
    o.micro_batch = 3;
    CHECK(run(tiny(), o).activation_bytes == 129'792);
}

TEST_CASE("the logits buffer: compute width + fp32 upcast + log-softmax, or chunked", "[training]") {
    // 8 tokens × 100 vocab = 800 elements × (2 + 4 + 4) = 8,000; chunked: 800 × 2 + 800 × 8 / 8 = 2,400.
    // fp32: no upcast copy, 800 × (4 + 4) = 6,400.
    TrainingOptions o = full();
    o.seq_tokens = 8;
    CHECK(run(tiny(), o).logits_bytes == 8'000);
    o.chunked_loss = true;
    CHECK(run(tiny(), o).logits_bytes == 2'400);
    TrainingOptions f = full(TrainPrecision::fp32);
    f.seq_tokens = 8;
    CHECK(run(tiny(), f).logits_bytes == 6'400);
}

// ---- distribution and offload ------------------------------------------------------------------------------------

TEST_CASE("DDP replicates and adds its bucket copy, ZeRO-1/2/3 shard states, gradients, parameters", "[training]") {
    // bf16-mixed full, 4 GPUs; the optimizer step peaks (see the phases test), so the per-GPU figures hold every
    // gradient and the step's temporary (86,848 × 4 = 347,392). DDP: gradients 173,696 + bucket 173,696 = 347,392;
    // optimizer 1,042,176 + 347,392 = 1,389,568. (8 tokens, so that activations stay small.)
    TrainingOptions o = full();
    o.seq_tokens = 8;
    o.n_gpus = 4;
    const TrainingEstimate ddp = run(tiny(), o);
    CHECK(ddp.peak_phase == "optimizer_step");
    CHECK(ddp.per_gpu.gradient_bytes == 347'392);
    CHECK(ddp.per_gpu.optimizer_bytes == 1'389'568);
    // ZeRO-1: optimizer and temporary / 4 = 260,544 + 86,848 = 347,392, gradients whole, no bucket copy.
    o.distribution = Distribution::zero1;
    const TrainingEstimate z1 = run(tiny(), o);
    CHECK(z1.per_gpu.optimizer_bytes == 347'392);
    CHECK(z1.per_gpu.gradient_bytes == 173'696);
    // ZeRO-2: gradients 173,696 / 4 = 43,424.
    o.distribution = Distribution::zero2;
    CHECK(run(tiny(), o).per_gpu.gradient_bytes == 43'424);
    // ZeRO-3: weights 43,424 per GPU; gathered: outside the layers (6,400 + 6,400 + 64) × 2 = 25,728, plus two
    //   layers of 36,992 × 2 = 73,984 → 25,728 + 147,968 = 173,696. FSDP is the same.
    o.distribution = Distribution::zero3;
    const TrainingEstimate z3 = run(tiny(), o);
    CHECK(z3.per_gpu.weights_bytes == 43'424);
    CHECK(z3.gathered_layer_bytes == 173'696);
    o.distribution = Distribution::fsdp;
    CHECK(run(tiny(), o).per_gpu.total_bytes == z3.per_gpu.total_bytes);
}

TEST_CASE("CPU offload moves optimizer states (and parameters) to host memory, reported apart", "[training]") {
    // ZeRO-2 + offload optimizer, 1 GPU: optimizer 0 on the GPU, 1,042,176 on the host.
    TrainingOptions o = full();
    o.distribution = Distribution::zero2;
    o.offload = Offload::optimizer;
    const TrainingEstimate e = run(tiny(), o);
    REQUIRE_FALSE(e.error);
    CHECK(e.per_gpu.optimizer_bytes == 0);
    CHECK(e.host.optimizer_bytes == 1'042'176);
    CHECK(e.warnings.empty());
    // ZeRO-3 + offload parameters: weights 0 on the GPU, 173,696 on the host, the gathered layers on the GPU.
    o.distribution = Distribution::zero3;
    o.offload = Offload::parameters;
    const TrainingEstimate p = run(tiny(), o);
    CHECK(p.per_gpu.weights_bytes == 0);
    CHECK(p.host.weights_bytes == 173'696);
    CHECK(p.host.total_bytes == 173'696 + 1'042'176);
    CHECK(p.gathered_layer_bytes == 173'696);
}

TEST_CASE("ZeRO-3 on one GPU is a no-op: a warning, the one-GPU figures", "[training]") {
    TrainingOptions o = full();
    const TrainingEstimate one = run(tiny(), o);
    o.distribution = Distribution::zero3;
    const TrainingEstimate z3 = run(tiny(), o);
    REQUIRE_FALSE(z3.error);
    REQUIRE(z3.warnings.size() == 1);
    CHECK(z3.warnings[0].find("no-op") != std::string::npos);
    CHECK(z3.per_gpu.total_bytes == one.per_gpu.total_bytes);
}

TEST_CASE("the peak is the larger of the start of backward and the optimizer step", "[training]") {
    // Full bf16-mixed, 8 tokens. Step: every gradient 173,696 + the foreach AdamW temporary 86,848 × 4 = 347,392
    //   → 521,088 over the fixed part. Backward: the head's and final norm's gradients (6,400 + 64) × 2 = 12,928
    //   + activations 43,264 + logits 8,000 → 64,192. The step peaks, 456,896 above the backward.
    TrainingOptions o = full();
    o.seq_tokens = 8;
    const TrainingEstimate e = run(tiny(), o);
    CHECK(e.step_temp_bytes == 347'392);
    CHECK(e.backward_gradient_bytes == 12'928);
    CHECK(e.peak_phase == "optimizer_step");
    CHECK(e.step_peak_bytes - e.backward_peak_bytes == 456'896);
    CHECK(e.per_gpu.total_bytes == e.step_peak_bytes);
    CHECK(e.per_gpu.activation_bytes == 0);
    // 8-bit AdamW has no foreach temporary (fused kernel).
    CHECK(run(tiny(), full(TrainPrecision::bf16_mixed, Optimizer::adamw_8bit)).step_temp_bytes == 0);
}

// ---- fit -------------------------------------------------------------------------------------------------------

TEST_CASE("fit: largest micro-batch and sequence on a GPU whose memory is set by hand", "[training]") {
    // LoRA r = 8 at 8 tokens: activations 50,432 (PEFT's fp32 adapters: each adapter keeps its own bf16 copy of its
    // input, training_options_test.cpp works it) + logits 8,000 = 58,432 per sequence (linear with SDPA).
    // Step: adapter gradients 65,536 + AdamW temporary 16,384 × 4 = 65,536 → fixed + 131,072.
    // Backward: adapter gradients 65,536 + 58,432 per sequence → fixed + 123,968 at micro-batch 1 (the step peaks),
    // fixed + 240,832 at 3. A GPU of exactly that fits micro-batch 3 and not 4; at micro-batch 1, 24 tokens
    // (65,536 + 24 × 7,304 = 240,832).
    TrainingOptions o;
    o.lora_rank = 8;
    o.seq_tokens = 8;
    const TrainingEstimate base = run(tiny(), o);
    const uint64_t fixed = base.step_peak_bytes - 131'072;
    CHECK(base.backward_peak_bytes == fixed + 123'968);
    CHECK(base.peak_phase == "optimizer_step");
    const uint64_t usable = fixed + 240'832;
    const GpuInfo gpu{"test", "Test GPU", GpuBackend::cuda, "test", usable, usable, true, "hand-set"};
    const TrainingEstimate e = run(tiny(), o, &gpu);
    CHECK(e.fits);
    CHECK(e.max_micro_batch_fit == 3);
    CHECK(e.max_seq_tokens_fit == 24);
    const GpuInfo small{"small", "Small", GpuBackend::cuda, "test", fixed, fixed, true, "hand-set"};
    const TrainingEstimate none = run(tiny(), o, &small);
    CHECK_FALSE(none.fits);
    CHECK(none.max_micro_batch_fit == 0);
    CHECK(none.max_seq_tokens_fit == 0);
}

// ---- bad input ---------------------------------------------------------------------------------------------------

TEST_CASE("bad training input ends in its own error code, never a total", "[training]") {
    TrainingOptions o;
    o.micro_batch = 0;
    TrainingEstimate e = run(tiny(), o);
    CHECK(e.error.code == ErrorCode::training_option_invalid);
    CHECK(e.error.message.find("micro-batch 0") != std::string::npos);
    CHECK(e.per_gpu.total_bytes == 0);

    o = TrainingOptions{};
    o.lora_rank = 0;
    CHECK(run(tiny(), o).error.code == ErrorCode::training_option_invalid);
    o = TrainingOptions{};
    o.seq_tokens = kMaxSeqTokens + 1;
    CHECK(run(tiny(), o).error.code == ErrorCode::training_option_invalid);
    o = TrainingOptions{};
    o.offload = Offload::optimizer;  // with DDP
    CHECK(run(tiny(), o).error.code == ErrorCode::training_option_invalid);
    o.distribution = Distribution::zero2;
    o.offload = Offload::parameters;  // without parameter sharding
    CHECK(run(tiny(), o).error.code == ErrorCode::training_option_invalid);
    o = TrainingOptions{};
    o.method = TrainMethod::freeze;  // with nothing named
    CHECK(run(tiny(), o).error.code == ErrorCode::training_option_invalid);

    o = TrainingOptions{};
    o.lora_targets = {"query", "value"};
    e = run(tiny(), o);
    CHECK(e.error.code == ErrorCode::lora_target_unmatched);
    // The message lists real module names of the checkpoint.
    CHECK(e.error.message.find("q_proj") != std::string::npos);
    CHECK(e.error.message.find("model.layers.0.self_attn.q_proj.weight") != std::string::npos);
    o.lora_targets = {"input_layernorm"};  // 1-D: not a matrix
    CHECK(run(tiny(), o).error.code == ErrorCode::lora_target_unmatched);
    o = TrainingOptions{};
    o.method = TrainMethod::freeze;
    o.trainable_modules = {"nothing_here"};
    CHECK(run(tiny(), o).error.code == ErrorCode::lora_target_unmatched);
}

TEST_CASE("a GPTQ checkpoint: QLoRA cannot re-quantize it, full training cannot train it, LoRA sits on it",
          "[training]") {
    const Loaded l = load(fixture("TheBloke/Genz-70b-GPTQ"));
    TrainingOptions o;
    o.method = TrainMethod::qlora;
    TrainingEstimate e = run(l, o);
    CHECK(e.error.code == ErrorCode::quantized_base);
    CHECK(e.error.message.find("gptq") != std::string::npos);
    o.method = TrainMethod::full;
    CHECK(run(l, o).error.code == ErrorCode::quantized_base);
    o.method = TrainMethod::lora;
    e = run(l, o);
    REQUIRE_FALSE(e.error);
    // Llama-2-70B shapes: 80 layers × 7 projections; the packed qweight holds no shape, so in + out comes from
    // hidden 8,192 and parameters / 8,192: per layer 16 × (2 × (8,192 + 8,192) + 2 × (8,192 + 1,024)
    //   + 3 × (8,192 + 28,672)) = 16 × 161,792 = 2,588,672; × 80 = 207,093,760.
    CHECK(e.n_matched_tensors == 560);
    CHECK(e.adapter_params == 207'093'760);
    CHECK(e.weights_bytes == l.model.bytes);  // the quantized base stays as stored (all of it integer or fp16)
}

TEST_CASE("a model without a decoder architecture is not estimated for training", "[training]") {
    Model m;
    m.repo_id = "test/none";
    TrainTensors t;
    const TrainingEstimate e = train_estimate(m, t, TrainingOptions{}, nullptr);
    CHECK(e.error.code == ErrorCode::training_unsupported);
}

// ---- real headers, end to end --------------------------------------------------------------------------------------

TEST_CASE("Llama-3.1-8B QLoRA r16 from the real header: 41,943,040 adapter parameters, NF4 base", "[training]") {
    // Adapters per layer, r = 16: q, o 16 × 8,192 = 131,072; k, v 16 × 5,120 = 81,920; gate, up, down
    //   16 × 18,432 = 294,912 → 1,310,720; × 32 layers = 41,943,040 (PEFT prints the same for r=16 all-linear).
    // NF4: 32 × (2 × 4,096² + 2 × 1,024 × 4,096 + 3 × 14,336 × 4,096) = 6,979,321,856 parameters
    //   → packed 3,489,660,928 + absmax 109,051,904 blocks × 1 B + second level per tensor (q, o 1,024; k, v 256;
    //   gate, up, down 3,584 → 13,312 per layer × 32 × 4 B = 1,703,936) = 3,600,416,768.
    // bf16 rest: embed + lm_head 2 × 525,336,576 + 65 norms × 4,096 = 1,050,939,392 × 2 = 2,101,878,784.
    // Weights 5,702,295,552.
    const Loaded l = load(fixture("meta-llama/Llama-3.1-8B"));
    CHECK(l.model.params == 8'030'261'248);
    TrainingOptions o;
    o.method = TrainMethod::qlora;
    o.lora_rank = 16;
    o.seq_tokens = 2048;
    const TrainingEstimate e = run(l, o, find_gpu("rtx-4090"));
    REQUIRE_FALSE(e.error);
    CHECK(e.n_matched_tensors == 224);
    CHECK(e.adapter_params == 41'943'040);
    CHECK(e.n_quantized_tensors == 224);
    CHECK(e.quant_constants_bytes == 110'755'840);
    CHECK(e.weights_bytes == 5'702'295'552);
    // Logits: 2,048 × 128,256 × (2 + 4 + 4) = 2,626,682,880.
    CHECK(e.per_gpu.logits_bytes == 2'626'682'880);
    CHECK(e.gpu != nullptr);
    const auto j = training_json(e);
    CHECK(j["per_gpu"]["total_bytes"] == e.per_gpu.total_bytes);
    CHECK(j["matched_tensors"]["count"] == 224);
    CHECK(j["gpu"]["id"] == "rtx-4090");
}

TEST_CASE("Qwen3-30B-A3B: every expert's projections are LoRA targets and MoE layers route", "[training]") {
    const Loaded l = load(fixture("Qwen/Qwen3-30B-A3B"));
    TrainingOptions o;
    const TrainingEstimate e = run(l, o);
    REQUIRE_FALSE(e.error);
    // 48 layers × (4 attention projections + 128 experts × 3) = 18,624 matched tensors.
    CHECK(e.n_matched_tensors == 18'624);
    REQUIRE_FALSE(e.layers.empty());
    CHECK(e.layers[0].moe);
}

TEST_CASE("the JSON of an error carries its code", "[training]") {
    TrainingOptions o;
    o.micro_batch = 0;
    const auto j = training_json(run(tiny(), o));
    CHECK(j["error"]["code"] == "training_option_invalid");
}

TEST_CASE("the training fit table: each catalog GPU, whether the step fits, and the smallest GPU count that does",
          "[training]") {
    // Llama-3.1-8B, full fine-tune in bf16-mixed (2 + 2 + 12 B per parameter: 128.5 GB before activations), ZeRO-3 at
    // 1,024 tokens. A row's verdict must be what an estimate at that count says: its per-GPU figure is the total of
    // the estimate run with n_gpus = gpus_needed, and the count before it does not fit.
    const Loaded l = load(fixture("meta-llama/Llama-3.1-8B"));
    TrainingOptions o;
    o.method = TrainMethod::full;
    o.seq_tokens = 1024;
    o.distribution = Distribution::zero3;
    o.n_gpus = 8;
    const TrainingEstimate e = run(l, o, nullptr);
    REQUIRE_FALSE(e.error);
    REQUIRE(e.gpu_fit.size() == gpu_catalog().size());
    std::map<uint32_t, uint64_t> total_at;
    for (uint32_t n : kTrainFitCounts) {
        TrainingOptions on = o;
        on.n_gpus = n;
        total_at[n] = run(l, on, nullptr).per_gpu.total_bytes;
    }
    // Sharding states, gradients and weights: more GPUs, less per GPU (ZeRO §5.3).
    CHECK(total_at[1] > total_at[2]);
    CHECK(total_at[32] > total_at[64]);
    CHECK(total_at[8] == e.per_gpu.total_bytes);
    for (const auto& r : e.gpu_fit) {
        CAPTURE(r.gpu->id, r.gpus_needed);
        CHECK(r.fits == (e.per_gpu.total_bytes <= r.gpu->usable_bytes));
        if (r.gpus_needed) {
            CHECK(r.per_gpu_total_bytes == total_at[r.gpus_needed]);
            CHECK(r.per_gpu_total_bytes <= r.gpu->usable_bytes);
            if (r.gpus_needed > 1) CHECK(total_at[r.gpus_needed / 2] > r.gpu->usable_bytes);
        } else {
            CHECK(total_at[64] > r.gpu->usable_bytes);
        }
    }
    // The H100 (79.19 GiB usable): 128.5 GB of states do not fit on one; on two each holds half, 64.2 GB, plus the
    // activations — the table says 2. An 8 GB RTX 3070 never holds the unsharded activations and logits.
    const auto row = [&](const char* id) {
        return *std::find_if(e.gpu_fit.begin(), e.gpu_fit.end(),
                             [&](const TrainGpuFitRow& r) { return r.gpu->id == id; });
    };
    CHECK(row("h100-80gb").gpus_needed == 2);
    CHECK(row("rtx-3070").gpus_needed == 0);
    // DDP replicates: a GPU that does not hold one copy is "none", whatever the count (the bucket copy only adds).
    o.distribution = Distribution::ddp;
    o.n_gpus = 1;
    const TrainingEstimate ddp = run(l, o, nullptr);
    for (const auto& r : ddp.gpu_fit) CHECK(r.gpus_needed == (r.fits ? 1u : 0u));
    // The JSON carries the rows and the counts tried, as the page reads them.
    const auto j = training_json(e);
    CHECK(j["gpu_fit"].size() == e.gpu_fit.size());
    CHECK(j["gpu_fit_counts"].size() == std::size(kTrainFitCounts));
    CHECK(j["gpu_fit"][0]["per_gpu_total_bytes"] == e.gpu_fit[0].per_gpu_total_bytes);
}
