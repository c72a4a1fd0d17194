// The fine-tuning options as the CLI and the page give them: text through the one option table
// (core/estimator/options.cpp, resolve_options) into TrainingOptions, then train_estimate() on "tiny"
// (training_fixture.hpp: 86,848 parameters, 2 layers, vocab 100, BF16). Each option has a figure worked by hand
// in the comment; the rules behind the figures are training_test.cpp's.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "cli/options.hpp"
#include "estimator/options.hpp"
#include "estimator/training.hpp"
#include "estimator/training_report.hpp"
#include "estimator/vocabulary.hpp"
#include "training_fixture.hpp"

using namespace vram;
using namespace vram::test;

namespace {

EstimateOptions given(const GivenOptions& g) {
    const OptionsResult r = resolve_options(g);
    INFO(r.error.message);
    REQUIRE_FALSE(r.error);
    return r.options;
}

TrainingEstimate run_text(const GivenOptions& g) {
    const EstimateOptions o = given(g);
    REQUIRE(o.train);
    return train_estimate(tiny().model, tiny().tensors, o.training, o.gpu);
}

Error refused(const GivenOptions& g) {
    const OptionsResult r = resolve_options(g);
    REQUIRE(r.error);
    return r.error;
}

}  // namespace

TEST_CASE("without --train the options are the inference ones and training is off", "[training][options]") {
    CHECK_FALSE(given({}).train);
    CHECK_FALSE(given({{"train", "none"}}).train);
    CHECK_FALSE(given({{"-c", "4096"}}).train);
}

TEST_CASE("option --train full: 2 + 2 + 12 bytes per parameter under the default bf16-mixed AdamW",
          "[training][options]") {
    // weights 86,848 × 2 = 173,696; optimizer master 347,392 + AdamW 2 × 4 × 86,848 = 694,784 → 1,042,176.
    const TrainingEstimate e = run_text({{"--train", "full"}});
    REQUIRE_FALSE(e.error);
    CHECK(e.trainable_params == 86'848);
    CHECK(e.weights_bytes == 173'696);
    CHECK(e.optimizer_bytes == 1'042'176);
}

TEST_CASE("option --train lora is rank 16 over the default targets, --lora-rank 8 halves it", "[training][options]") {
    // r = 16: per layer 16 × (128 + 96 + 96 + 128 + 192 + 192 + 192) = 16,384, 2 layers 32,768 over 14 tensors.
    // r = 8: 16,384.
    const TrainingEstimate r16 = run_text({{"--train", "lora"}});
    CHECK(r16.adapter_params == 32'768);
    CHECK(r16.n_matched_tensors == 14);
    CHECK(run_text({{"--train", "lora"}, {"--lora-rank", "8"}}).adapter_params == 16'384);
}

TEST_CASE("option --lora-targets takes comma-separated patterns", "[training][options]") {
    // q_proj, v_proj at r 8: 2 layers × (8 × 128 + 8 × 96) = 3,584 over 4 tensors.
    const EstimateOptions o = given({{"--train", "lora"}, {"--lora-targets", "q_proj, v_proj"}});
    CHECK(o.training.lora_targets == std::vector<std::string>{"q_proj", "v_proj"});
    const TrainingEstimate e =
        run_text({{"--train", "lora"}, {"--lora-rank", "8"}, {"--lora-targets", "q_proj,v_proj"}});
    CHECK(e.n_matched_tensors == 4);
    CHECK(e.adapter_params == 3'584);
    CHECK(refused({{"--train", "lora"}, {"--lora-targets", "q_proj,,v_proj"}}).code == ErrorCode::invalid_option);
}

TEST_CASE("option --lora-targets matching no tensor names a few real ones", "[training][options]") {
    const TrainingEstimate e = run_text({{"--train", "lora"}, {"--lora-targets", "query"}});
    REQUIRE(e.error);
    CHECK(e.error.code == ErrorCode::lora_target_unmatched);
    CHECK(e.error.message.find("query") != std::string::npos);
    CHECK(e.error.message.find("q_proj") != std::string::npos);
}

TEST_CASE("option --train freeze --trainable-modules lm_head trains 6,400 parameters", "[training][options]") {
    // lm_head [100, 64]: gradients 12,800, master 25,600 + AdamW 51,200 = 76,800.
    const TrainingEstimate e = run_text({{"--train", "freeze"}, {"--trainable-modules", "lm_head"}});
    CHECK(e.trainable_params == 6'400);
    CHECK(e.optimizer_bytes == 76'800);
    CHECK(refused({{"--train", "freeze"}}).code == ErrorCode::training_option_invalid);
}

TEST_CASE("option --train qlora with --double-quant on and off", "[training][options]") {
    // r 8. NF4 73,728 params / 2 = 36,864 + bf16 rest 26,240; absmax fp32 per 64: 4,608 → 67,712;
    // double quantization 1 B per block + fp32 per 256 blocks = 1,208 → 64,312.
    CHECK(run_text({{"--train", "qlora"}, {"--lora-rank", "8"}, {"--double-quant", "off"}}).weights_bytes == 67'712);
    CHECK(run_text({{"--train", "qlora"}, {"--lora-rank", "8"}}).weights_bytes == 64'312);
}

TEST_CASE("option --kbit-fp32-upcast: PEFT's prepare_model_for_kbit_training keeps the unquantized rest in fp32",
          "[training][options]") {
    // r 8, double quantization: 64,312 with the rest (embeddings 6,400 + lm_head 6,400 + norms 5 × 64 = 13,120
    // params) at bf16 26,240. Upcast: 13,120 × 4 = 52,480 → 64,312 − 26,240 + 52,480 = 90,552.
    CHECK(run_text({{"--train", "qlora"}, {"--lora-rank", "8"}, {"--kbit-fp32-upcast", "on"}}).weights_bytes == 90'552);
    // LoRA (no k-bit base): nothing to prepare, 173,696 either way.
    CHECK(run_text({{"--train", "lora"}, {"--kbit-fp32-upcast", "on"}}).weights_bytes == 173'696);
}

TEST_CASE("option --nf4-every-linear: litgpt's QLoRA quantizes the head too and dequantizes through fp16",
          "[training][options]") {
    // r 8, double quantization: 64,312 with lm_head [100, 64] at bf16 (12,800 B). In NF4: 6,400 / 2 = 3,200 B
    // + 100 blocks of 64 × 1 B + fp32 per 256 blocks (1 × 4 B) = 3,304 → 64,312 − 12,800 + 3,304 = 54,816.
    // The largest NF4 tensor is still an MLP matrix (8,192 > 6,400): its dequantized fp16 copy and bf16 cast,
    // 8,192 × (2 + 2) = 32,768 B instead of 8,192 × 2 = 16,384.
    const TrainingEstimate on = run_text({{"--train", "qlora"}, {"--lora-rank", "8"}, {"--nf4-every-linear", "on"}});
    CHECK(on.weights_bytes == 54'816);
    CHECK(on.n_quantized_tensors == 15);
    CHECK(on.dequant_buffer_bytes == 32'768);
    const TrainingEstimate off = run_text({{"--train", "qlora"}, {"--lora-rank", "8"}});
    CHECK(off.weights_bytes == 64'312);
    CHECK(off.n_quantized_tensors == 14);
    CHECK(off.dequant_buffer_bytes == 16'384);
    // fp16 compute: the cast of an fp16 dequantization is the same tensor, one copy: 8,192 × 2 = 16,384.
    CHECK(run_text({{"--train", "qlora"}, {"--nf4-every-linear", "on"}, {"--train-precision", "fp16"}})
              .dequant_buffer_bytes == 16'384);
    // LoRA has no NF4 base: the flag changes nothing (173,696 B of weights either way).
    CHECK(run_text({{"--train", "lora"}, {"--nf4-every-linear", "on"}}).weights_bytes == 173'696);
}

TEST_CASE("option --nf4-every-linear: the previous step's 4-bit inputs are held at the end of forward",
          "[training][options]") {
    // bitsandbytes 0.42.0 keeps MatMul4Bit's input on ctx, which backward does not free, and litgpt rebinds the
    // previous step's logits only when the next forward returns. tiny at 512 tokens (enough for the activations to
    // outweigh the adapters' optimizer step), b = 2 B: per layer and token the inputs of q/k/v (64), o_proj (4 heads
    // × 16 = 64), gate/up (64) and down_proj (128): 2 × 320 = 640; 2 layers 1,280 + the head's input 2 × 64 = 128
    // → 1,408 × 512 = 720,896 B.
    const TrainingEstimate on = run_text({{"--train", "qlora"}, {"--seq-len", "512"}, {"--nf4-every-linear", "on"}});
    CHECK(on.prior_step_input_bytes == 720'896);
    // The end of forward against the start of backward, per token: the output logits 100 × 2 = 200 instead of the
    // unchunked logits, upcast and log-softmax 100 × (2 + 4 + 4) = 1,000, no gradient yet, and the 1,408:
    // 200 + 1,408 − 1,000 = 608 × 512 = 311,296 more than backward without its gradients.
    CHECK(on.forward_end_peak_bytes + on.backward_gradient_bytes == on.backward_peak_bytes + 311'296);
    CHECK(on.peak_phase == "forward_end");
    CHECK(on.per_gpu.total_bytes == on.forward_end_peak_bytes);
    // Every x kept (training_test.cpp's 43,264 at 8 tokens: 5,408 per token × 512 = 2,768,896) + the 720,896.
    CHECK(on.per_gpu.activation_bytes == 2'768'896 + 720'896);
    CHECK(on.per_gpu.logits_bytes == 102'400);
    // Without the flag (transformers, PEFT/TRL, fms: bitsandbytes 0.43.2+ or a loop that drops its outputs), and
    // for LoRA (no 4-bit Linear), nothing is held and there is no third phase.
    const TrainingEstimate off = run_text({{"--train", "qlora"}, {"--seq-len", "512"}});
    CHECK(off.prior_step_input_bytes == 0);
    CHECK(off.forward_end_peak_bytes == 0);
    CHECK(off.peak_phase == "backward");
    const TrainingEstimate lora = run_text({{"--train", "lora"}, {"--seq-len", "512"}, {"--nf4-every-linear", "on"}});
    CHECK(lora.prior_step_input_bytes == 0);
    CHECK(lora.peak_phase == "backward");
}

TEST_CASE("option --train-precision fp32 and --optimizer sgd_momentum", "[training][options]") {
    // fp32: weights 86,848 × 4 = 347,392, AdamW 8 × 86,848 = 694,784; SGD momentum 4 × 86,848 = 347,392.
    const TrainingEstimate fp32 = run_text({{"--train", "full"}, {"--train-precision", "fp32"}});
    CHECK(fp32.weights_bytes == 347'392);
    CHECK(fp32.optimizer_bytes == 694'784);
    CHECK(run_text({{"--train", "full"}, {"--train-precision", "fp32"}, {"--optimizer", "sgd_momentum"}})
              .optimizer_bytes == 347'392);
    CHECK(refused({{"--train", "full"}, {"--optimizer", "adam"}}).message.find("adamw_8bit") != std::string::npos);
}

TEST_CASE("option --adapters-fp32 off keeps adapters at the compute width", "[training][options]") {
    // pure bf16, r 8: 16,384 adapter params × 2 B = 32,768 (fp32: 65,536).
    CHECK(run_text({{"--train", "lora"}, {"--lora-rank", "8"}, {"--train-precision", "bf16"}}).adapter_bytes == 65'536);
    CHECK(
        run_text({{"--train", "lora"}, {"--lora-rank", "8"}, {"--train-precision", "bf16"}, {"--adapters-fp32", "off"}})
            .adapter_bytes == 32'768);
}

TEST_CASE("option --seq-len, --micro-batch, --grad-checkpointing, --attention and --chunked-loss",
          "[training][options]") {
    // 8 tokens, SDPA: 2,448 B per token and layer × 8 = 19,584; 2 layers + final norm 4,096 = 43,264;
    // logits 800 × (2 + 4 + 4) = 8,000. Micro-batch 3: 129,792. Checkpointing: 2,048 + 19,584 + 4,096 = 25,728.
    // Eager: 48,128. Chunked loss: 800 × 2 + 800 × 8 / 8 = 2,400.
    const GivenOptions base = {{"--train", "full"}, {"--seq-len", "8"}};
    auto with = [&](const char* k, const char* v) {
        GivenOptions g = base;
        g.emplace_back(k, v);
        return run_text(g);
    };
    const TrainingEstimate e = run_text(base);
    CHECK(e.activation_bytes == 43'264);
    CHECK(e.logits_bytes == 8'000);
    CHECK(with("--micro-batch", "3").activation_bytes == 129'792);
    CHECK(with("--grad-checkpointing", "on").activation_bytes == 25'728);
    CHECK(with("--attention", "eager").activation_bytes == 48'128);
    CHECK(with("--chunked-loss", "on").logits_bytes == 2'400);
}

TEST_CASE("a micro-batch of 0 is refused with the option's name and range", "[training][options]") {
    const Error e = refused({{"--train", "lora"}, {"--micro-batch", "0"}});
    CHECK(e.code == ErrorCode::invalid_option);
    CHECK(e.message == "micro_batch (--micro-batch): must be a whole number from 1 to 65536, got \"0\"");
}

TEST_CASE("option --gpus, --zero and --distribution shard per GPU", "[training][options]") {
    // full, 8 tokens, 4 GPUs. DDP: gradients 173,696 + bucket copy = 347,392. ZeRO-2: 173,696 / 4 = 43,424.
    // ZeRO-3: weights 173,696 / 4 = 43,424. --distribution zero3 is --zero 3.
    const GivenOptions base = {{"--train", "full"}, {"--seq-len", "8"}, {"--gpus", "4"}};
    auto with = [&](const char* k, const char* v) {
        GivenOptions g = base;
        g.emplace_back(k, v);
        return run_text(g);
    };
    CHECK(run_text(base).per_gpu.gradient_bytes == 347'392);
    CHECK(with("--zero", "2").per_gpu.gradient_bytes == 43'424);
    CHECK(with("--zero", "3").per_gpu.weights_bytes == 43'424);
    CHECK(with("--distribution", "zero3").per_gpu.total_bytes == with("--zero", "3").per_gpu.total_bytes);
    CHECK(refused({{"--train", "full"}, {"--zero", "4"}}).code == ErrorCode::invalid_option);
}

TEST_CASE("option --zero 3 on one GPU is a no-op, said in a warning", "[training][options]") {
    const TrainingEstimate z3 = run_text({{"--train", "full"}, {"--zero", "3"}});
    const TrainingEstimate one = run_text({{"--train", "full"}});
    REQUIRE(z3.warnings.size() == 1);
    CHECK(z3.warnings[0].find("no-op") != std::string::npos);
    CHECK(z3.per_gpu.total_bytes == one.per_gpu.total_bytes);
}

TEST_CASE("option --offload optimizer moves the optimizer states to host memory, and needs ZeRO",
          "[training][options]") {
    // ZeRO-2 + offload optimizer: 0 on the GPU, 1,042,176 on the host.
    const TrainingEstimate e = run_text({{"--train", "full"}, {"--zero", "2"}, {"--offload", "optimizer"}});
    CHECK(e.per_gpu.optimizer_bytes == 0);
    CHECK(e.host.optimizer_bytes == 1'042'176);
    CHECK(refused({{"--train", "full"}, {"--offload", "optimizer"}}).code == ErrorCode::training_option_invalid);
}

TEST_CASE("option --gpu gives the training fit", "[training][options]") {
    // tiny's peak is a few MB over the 0.51 GiB CUDA context: it fits a 24 GiB card.
    const TrainingEstimate e = run_text({{"--train", "lora"}, {"--gpu", "rtx-4090"}});
    REQUIRE(e.gpu);
    CHECK(e.fits);
    CHECK(e.max_micro_batch_fit > 1);
}

TEST_CASE("a fine-tuning option without --train is refused, not ignored", "[training][options]") {
    const Error e = refused({{"--optimizer", "sgd"}});
    CHECK(e.code == ErrorCode::invalid_option);
    CHECK(e.message.find("--train") != std::string::npos);
    CHECK(refused({{"--train", "dpo"}}).message.find("full, lora, qlora, freeze, none") != std::string::npos);
}

TEST_CASE("the CLI reads every fine-tuning flag, an on|off flag alone meaning on", "[training][options]") {
    const CliOptions c = parse_cli({"meta-llama/Llama-3.1-8B", "--train", "qlora", "--lora-rank", "16", "--seq-len",
                                    "2048", "--micro-batch", "1", "--gpu", "rtx-4090", "--grad-checkpointing"});
    INFO(c.error);
    REQUIRE(c.error.empty());
    CHECK(c.model == "meta-llama/Llama-3.1-8B");
    CHECK(c.estimate.train);
    CHECK(c.estimate.training.method == TrainMethod::qlora);
    CHECK(c.estimate.training.gradient_checkpointing);
    CHECK(c.estimate.training.seq_tokens == 2048);
    CHECK(std::string(c.estimate.gpu->id) == "rtx-4090");
    // `--grad-checkpointing off` still reads its value.
    CHECK_FALSE(
        parse_cli({"m", "--train", "lora", "--grad-checkpointing", "off"}).estimate.training.gradient_checkpointing);
}

TEST_CASE("option --help has a fine-tuning section from the table with each default", "[training][options]") {
    // Compared with the wrapping undone.
    auto unwrap = [](const std::string& text) {
        std::string out;
        for (char c : text) {
            if (c == '\n') c = ' ';
            if (c == ' ' && !out.empty() && out.back() == ' ') continue;
            out += c;
        }
        return out;
    };
    const std::string inference = unwrap(options_help()), training = unwrap(options_help(true));
    for (const auto& s : option_specs()) {
        const std::string first = std::string(s.flags).substr(0, std::string(s.flags).find(' '));
        CHECK((s.training ? training : inference).find(s.help) != std::string::npos);
        if (s.training) CHECK(inference.find(first + " ") == std::string::npos);
    }
    CHECK(training.find("default lora") == std::string::npos);  // --train has no default method: absent = inference
    CHECK(training.find("default adamw") != std::string::npos);
    CHECK(training.find("full, lora, qlora, freeze, none") != std::string::npos);
    CHECK(cli_usage().find("--grad-checkpointing") != std::string::npos);
}

TEST_CASE("the training report renders as text and Markdown with every part", "[training][options]") {
    const TrainingEstimate e = run_text({{"--train", "lora"}, {"--gpu", "rtx-4090"}});
    const std::string text = render_training_text(tiny().model, e), md = render_training_markdown(tiny().model, e);
    for (const char* part : {"Weights", "Adapters", "Gradients", "Optimizer states", "Activations", "Logits",
                             "Overhead", "Total", "Fits NVIDIA GeForce RTX 4090"})
        CHECK(text.find(part) != std::string::npos);
    CHECK(text.find("lora · rank 16 · bf16-mixed · adamw") != std::string::npos);
    CHECK(md.find("| **Total per GPU** |") != std::string::npos);
}

// Activations of "tiny" per token and layer, bf16 (b = 2 B), SDPA (training_test.cpp's 2,448 B for a trained layer):
// norms 2 × 64 × (4 + 2) = 768; x of q/k/v 64 × 2 = 128; q, k, v 128 × 2 = 256; attention output (SDPA keeps it)
// 64 × 2 = 128; LSE 4 × 4 = 16; x of the MLP 128; gate, up, act 3 × 128 × 2 = 768; down_proj's input 128 × 2 = 256.
// A frozen Linear keeps no input, so a LoRA run keeps x of q/k/v (128), of the MLP (128) and down's (256) only for
// adapters that read it as it is. The final norm: 64 × (4 + 2) = 384 per token, + 128 for the head's x when kept.
TEST_CASE("option --lora-dropout: each adapted Linear saves a dropped copy and a 1-byte mask", "[training][options]") {
    const GivenOptions base = {{"--train", "lora"}, {"--seq-len", "8"}, {"--adapters-fp32", "off"}};
    auto with = [&](GivenOptions more) {
        GivenOptions g = base;
        g.insert(g.end(), more.begin(), more.end());
        return run_text(g);
    };
    // Dropout 0, every projection adapted: x shared with the adapters, 2,448 per layer as a trained one; the head is
    // frozen: 384. 8 × (2 × 2,448 + 384) = 42,240.
    const TrainingEstimate off = with({});
    CHECK(off.activation_bytes == 42'240);
    CHECK(off.layers[0].adapter_input_bytes == 0);
    // Dropout 0.1: copies of q, k, v (3 × 64), o (64), gate, up (2 × 64), down (128) = 512 elements × (2 + 1) B =
    // 1,536 per token and layer; no x kept (− 512): 2,448 − 512 + 1,536 = 3,472. 8 × (2 × 3,472 + 384) = 58,624.
    const TrainingEstimate on = with({{"--lora-dropout", "0.1"}});
    CHECK(on.activation_bytes == 58'624);
    CHECK(on.layers[0].adapter_input_bytes == 8 * 1'536);
    CHECK(on.options.lora_dropout == Approx(0.1));  // a probability, compared as one
    // q_proj and v_proj only, dropout 0: the MLP's x (128) and down's input (256) go: 2,064; 8 × (2 × 2,064 + 384)
    // = 36,096. Dropout 0.05: q's and v's copies 2 × 64 × 3 = 384 instead of x (128): 2,320 → 40,192.
    CHECK(with({{"--lora-targets", "q_proj,v_proj"}}).activation_bytes == 36'096);
    CHECK(with({{"--lora-targets", "q_proj,v_proj"}, {"--lora-dropout", "0.05"}}).activation_bytes == 40'192);
    // PEFT's cast of x to the fp32 adapter (adapters_fp32 on, the default): a copy per adapter, at the compute width
    // under autocast (bf16-mixed): 512 × 2 = 1,024 instead of 512 of x: 2,960 → 8 × (5,920 + 384) = 50,432; in
    // pure bf16 the fp32 copy stays: 512 × 4 = 2,048: 3,984 → 8 × (7,968 + 384) = 66,816.
    CHECK(run_text({{"--train", "lora"}, {"--seq-len", "8"}}).activation_bytes == 50'432);
    CHECK(run_text({{"--train", "lora"}, {"--seq-len", "8"}, {"--train-precision", "bf16"}}).activation_bytes ==
          66'816);
    // litgpt's QLoRA (bitsandbytes 0.42.0 keeps every 4-bit Linear's input, the head's too) with dropout 0.1: every
    // x stays and the copies come on top: 2,448 + 1,536 = 3,984; head 512: 8 × (7,968 + 512) = 67,840.
    CHECK(run_text({{"--train", "qlora"}, {"--seq-len", "8"}, {"--nf4-every-linear", "on"}, {"--lora-dropout", "0.1"}})
              .activation_bytes == 67'840);
    // Full fine-tuning has no adapter: the rate changes nothing (43,264 as training_test.cpp's).
    CHECK(run_text({{"--train", "full"}, {"--seq-len", "8"}, {"--lora-dropout", "0.1"}}).activation_bytes == 43'264);
}

TEST_CASE("option --lora-dropout outside 0 <= p < 1 is refused with the option's name and range",
          "[training][options]") {
    for (const char* bad : {"1", "1.5", "-0.1", "abc", "", "nan", "0.1x"}) {
        const Error e = refused({{"--train", "lora"}, {"--lora-dropout", bad}});
        INFO(bad);
        CHECK(e.code == ErrorCode::invalid_option);
        CHECK(e.message.find("lora_dropout (--lora-dropout): must be a number in [0, 1)") != std::string::npos);
    }
    // Options built by hand meet the same bound in train_estimate().
    TrainingOptions o;
    o.lora_dropout = 1.0;
    const TrainingEstimate e = train_estimate(tiny().model, tiny().tensors, o, nullptr);
    CHECK(e.error.code == ErrorCode::training_option_invalid);
    CHECK(e.error.message.find("outside [0, 1)") != std::string::npos);
    CHECK(given({{"--train", "lora"}, {"--lora-dropout", "0"}}).training.lora_dropout == 0);
}

TEST_CASE("option --litgpt-modules: one adapter input for q, k and v, as litgpt's fused attention Linear",
          "[training][options]") {
    // q_proj, v_proj with dropout 0.05 (40,192 above): fused, one copy of x (64 × 3 = 192) instead of two (384):
    // 2,128 per layer → 8 × (2 × 2,128 + 384) = 37,120.
    const TrainingEstimate e = run_text({{"--train", "lora"},
                                         {"--seq-len", "8"},
                                         {"--adapters-fp32", "off"},
                                         {"--lora-targets", "q_proj,v_proj"},
                                         {"--lora-dropout", "0.05"},
                                         {"--litgpt-modules", "on"}});
    CHECK(e.activation_bytes == 37'120);
    // A checkpoint's fused gate_up_proj [256, 64] is two Linears in litgpt (fc_1, fc_2), each with its own dropped
    // copy. Adapter on gate_up_proj only, dropout 0.1: x of q/k/v (128), of the MLP (128) and down's input (256) go;
    // one copy 64 × 3 = 192 → 2,448 − 512 + 192 = 2,128 per layer, 8 × (2 × 2,128 + 384) = 37,120; litgpt's two:
    // 384 → 2,320, 8 × (2 × 2,320 + 384) = 40,192.
    static const Loaded fused = load(tiny_snapshot(false, false, true));
    auto run_fused = [&](const char* litgpt) {
        const EstimateOptions o = given({{"--train", "lora"},
                                         {"--seq-len", "8"},
                                         {"--adapters-fp32", "off"},
                                         {"--lora-targets", "gate_up_proj"},
                                         {"--lora-dropout", "0.1"},
                                         {"--litgpt-modules", litgpt}});
        return train_estimate(fused.model, fused.tensors, o.training, o.gpu);
    };
    CHECK(run_fused("off").activation_bytes == 37'120);
    CHECK(run_fused("on").activation_bytes == 40'192);
}

TEST_CASE("option --untie-head: litgpt's separate head over a checkpoint that ties it", "[training][options]") {
    static const Loaded tied = load(tiny_snapshot(false, true));
    auto run_tied = [&](const GivenOptions& g) {
        const EstimateOptions o = given(g);
        return train_estimate(tied.model, tied.tensors, o.training, o.gpu);
    };
    // Tied: 80,448 parameters × 2 B = 160,896 of weights; untied, the head [100, 64] at bf16 comes back: + 12,800 =
    // 173,696, the untied tiny's.
    CHECK(run_tied({{"--train", "lora"}}).weights_bytes == 160'896);
    const TrainingEstimate lora = run_tied({{"--train", "lora"}, {"--untie-head", "on"}});
    CHECK(lora.weights_bytes == 173'696);
    CHECK(lora.params == 86'848);
    // Full fine-tuning trains it: 6,400 more trainable parameters, 80,448 → 86,848.
    CHECK(run_tied({{"--train", "full"}, {"--untie-head", "on"}}).trainable_params == 86'848);
    // A LoRA target on the head matches it (litgpt lora_head): r 16 × (64 + 100) = 2,624 adapter parameters.
    const TrainingEstimate head =
        run_tied({{"--train", "lora"}, {"--untie-head", "on"}, {"--lora-targets", "lm_head"}});
    CHECK(head.n_matched_tensors == 1);
    CHECK(head.adapter_params == 2'624);
    // A checkpoint with its own head: nothing changes, and a warning says so.
    const TrainingEstimate own = run_text({{"--train", "lora"}, {"--untie-head", "on"}});
    CHECK(own.weights_bytes == 173'696);
    REQUIRE(own.warnings.size() == 1);
    CHECK(own.warnings[0].find("untie_head") != std::string::npos);
}

TEST_CASE("option --repeat-kv: SDPA saves K and V repeated to every query head, as litgpt trains",
          "[training][options]") {
    // tiny: 4 heads, 2 KV heads of 16. q, k, v per token and layer 2 × (64 + 32 + 32) = 256 B; repeated, K and V are
    // 4 heads wide: 2 × (64 + 64 + 64) = 384, + 128: 2,448 → 2,576 per layer (LoRA, dropout 0, every projection
    // adapted: x shared), 8 tokens × (2 × 2,576 + 384 final norm) = 44,288 (42,240 without).
    const GivenOptions base = {{"--train", "lora"}, {"--seq-len", "8"}, {"--adapters-fp32", "off"}};
    GivenOptions on = base;
    on.push_back({"--repeat-kv", "on"});
    CHECK(run_text(base).activation_bytes == 42'240);
    CHECK(run_text(on).activation_bytes == 44'288);
    // Eager attention repeats them already (2 × 4 heads × 8² × 6 B of scores apart): the option changes nothing.
    GivenOptions eager = base, eager_on = on;
    eager.push_back({"--attention", "eager"});
    eager_on.push_back({"--attention", "eager"});
    CHECK(run_text(eager).activation_bytes == run_text(eager_on).activation_bytes);
}

TEST_CASE("option --litgpt-loss: the chunked head's logits and every chunk's log-softmax at the compute width",
          "[training][options]") {
    // 8 tokens × vocab 100 = 800 logits. transformers' loss: 800 × (2 + 4 + 4) = 8,000; torchtune's chunked: 800 × 2
    // + 800 × 8 / 8 = 2,400. litgpt's: 800 × (2 + 2) + two chunks of min(8, 128) tokens × 100 × 2 B = 3,200 +
    // 3,200 = 6,400.
    const GivenOptions base = {{"--train", "lora"}, {"--seq-len", "8"}, {"--adapters-fp32", "off"}};
    auto with = [&](GivenOptions more) {
        GivenOptions g = base;
        g.insert(g.end(), more.begin(), more.end());
        return run_text(g);
    };
    CHECK(with({}).logits_bytes == 8'000);
    CHECK(with({{"--chunked-loss", "on"}}).logits_bytes == 2'400);
    const TrainingEstimate e = with({{"--litgpt-loss", "on"}, {"--chunked-loss", "on"}});
    CHECK(e.logits_bytes == 6'400);
    // The end of forward is a candidate peak now (the optimizer step peaks at 8 tokens); it holds the new logits and the previous step's (800 × 2 each = 3,200) beside the same
    // activations: 3,200 below backward's 6,400, less the gradients backward already has.
    CHECK(e.forward_end_peak_bytes == e.backward_peak_bytes - 3'200 - e.backward_gradient_bytes);
    // Micro-batch 2 × 256 tokens: 51,200 logits × 4 = 204,800 + 2 chunks × (2 × 128 tokens) × 100 × 2 B = 102,400
    // → 307,200 (a chunk is 128 tokens of every sequence).
    CHECK(with({{"--litgpt-loss", "on"}, {"--seq-len", "256"}, {"--micro-batch", "2"}}).logits_bytes == 307'200);
}

TEST_CASE("norms beyond a layer's two (Gemma 2's post norms) keep their fp32 upcast and normalized tensor",
          "[training]") {
    // tiny with pre_feedforward_layernorm and post_feedforward_layernorm in each layer: two more norms of 64 ×
    // (4 + 2) = 384 B per token: 2,448 + 768 = 3,216 per layer; LoRA, dropout 0, 8 tokens: 8 × (2 × 3,216 + 384)
    // = 54,528 (42,240 with two norms).
    static const Loaded four = load(tiny_snapshot(false, false, false, true));
    const EstimateOptions o = given({{"--train", "lora"}, {"--seq-len", "8"}, {"--adapters-fp32", "off"}});
    const TrainingEstimate e = train_estimate(four.model, four.tensors, o.training, o.gpu);
    REQUIRE_FALSE(e.error);
    CHECK(e.activation_bytes == 54'528);
    bool said = false;
    for (const auto& a : e.assumptions) said = said || a.find("post_feedforward_layernorm") != std::string::npos;
    CHECK(said);
}

TEST_CASE("option --fp32-norms: QLoRA's checkpointed layer inputs in fp32 after the first layer, as TRL leaves them",
          "[training][options]") {
    // tiny, 8 tokens, checkpointing: the layer inputs 2 layers × 8 × 64 × 2 B = 2,048. With the norms in fp32 the
    // residual stream is fp32 from layer 0's MLP on, so layer 1's input is 4 B wide: + 1 × 8 × 64 × (4 − 2) = 1,024.
    const GivenOptions base = {{"--train", "qlora"}, {"--seq-len", "8"}, {"--grad-checkpointing", "on"}};
    auto with = [&](GivenOptions more) {
        GivenOptions g = base;
        g.insert(g.end(), more.begin(), more.end());
        return run_text(g);
    };
    const TrainingEstimate off = with({});
    const TrainingEstimate on = with({{"--fp32-norms", "on"}});
    CHECK(off.checkpoint_bytes == 2'048);
    CHECK(on.checkpoint_bytes == 3'072);
    CHECK(on.activation_bytes == off.activation_bytes + 1'024);
    // Without checkpointing nothing changes (the norms' fp32 upcast of their input is counted already), nor for LoRA
    // on 16-bit Linears, which return the compute width under autocast whatever their input.
    CHECK(with({{"--grad-checkpointing", "off"}, {"--fp32-norms", "on"}}).activation_bytes ==
          with({{"--grad-checkpointing", "off"}}).activation_bytes);
    CHECK(run_text({{"--train", "lora"}, {"--seq-len", "8"}, {"--grad-checkpointing", "on"}, {"--fp32-norms", "on"}})
              .checkpoint_bytes == 2'048);
}

TEST_CASE("option --no-sync-accumulation: backward beside the whole accumulated gradient, unsharded under FSDP",
          "[training][options]") {
    // tiny, full fine-tune, bf16-mixed: gradients 86,848 × 2 B = 173,696. Backward starts with the head's and the
    // final norm's (6,400 + 64) × 2 B = 12,928, sharded over 2 GPUs by FSDP: 6,464. Accumulating under no_sync, the
    // whole gradient is there, unsharded: 173,696, so backward's figure grows by 173,696 − 6,464 = 167,232.
    const GivenOptions base = {{"--train", "full"}, {"--seq-len", "8"}, {"--gpus", "2"}, {"--distribution", "fsdp"}};
    GivenOptions on = base;
    on.push_back({"--no-sync-accumulation", "on"});
    const TrainingEstimate off_e = run_text(base), on_e = run_text(on);
    CHECK(off_e.gradient_bytes == 173'696);
    CHECK(off_e.backward_gradient_bytes == 12'928);
    CHECK(on_e.backward_peak_bytes == off_e.backward_peak_bytes + 167'232);
    // The step's gradients are sharded again: that phase does not move.
    CHECK(on_e.step_peak_bytes == off_e.step_peak_bytes);
}

TEST_CASE("a fine-tuning row's method_needs names a field of the methods table, and without it the row changes nothing",
          "[vocabulary][training]") {
    // The page hides a row for the methods whose field it names is false (training.js sync()); the estimate must then
    // not read it: under full fine-tuning the adapters' rank, under LoRA the NF4 rows and the trained modules change
    // no figure (the tiny model of training_fixture.hpp; the values are the rows' non-defaults).
    const nlohmann::json v = vocabularies_json();
    const std::set<std::string> fields = {"adapters", "base_nf4", "train_named_only"};
    std::map<std::string, std::string> needs;
    for (const auto& o : v["options"])
        if (o.contains("method_needs")) {
            CHECK(o["training"].get<bool>());
            CHECK(fields.count(o["method_needs"].get<std::string>()) == 1);
            needs[o["key"].get<std::string>()] = o["method_needs"].get<std::string>();
        }
    CHECK(needs == std::map<std::string, std::string>{{"lora_rank", "adapters"},
                                                      {"lora_targets", "adapters"},
                                                      {"adapters_fp32", "adapters"},
                                                      {"double_quant", "base_nf4"},
                                                      {"kbit_fp32_upcast", "base_nf4"},
                                                      {"nf4_every_linear", "base_nf4"},
                                                      {"fp32_norms", "base_nf4"},
                                                      {"trainable_modules", "train_named_only"}});
    const std::map<std::string, std::pair<std::string, std::string>> changed = {
        {"lora_rank", {"full", "64"}},        {"lora_targets", {"full", "q_proj"}},
        {"adapters_fp32", {"full", "off"}},   {"double_quant", {"lora", "off"}},
        {"kbit_fp32_upcast", {"lora", "on"}}, {"nf4_every_linear", {"lora", "on"}},
        {"fp32_norms", {"lora", "on"}},       {"trainable_modules", {"lora", "model.layers.0.*"}}};
    for (const auto& [key, c] : changed) {
        const auto& [method, value] = c;
        const TrainingEstimate plain = run_text({{"--train", method}});
        const TrainingEstimate with = run_text({{"--train", method}, {key, value}});
        REQUIRE_FALSE(plain.error);
        REQUIRE_FALSE(with.error);
        CHECK(with.per_gpu.total_bytes == plain.per_gpu.total_bytes);
        // ... and the estimate says so instead of a silent no-op (the CLI and a link can still set a hidden row).
        CAPTURE(key, with.warnings);
        CHECK(plain.warnings.empty());
        REQUIRE(with.warnings.size() == 1);
        CHECK(with.warnings[0].find(" changes nothing here: method " + method + " does not read it (only ") !=
              std::string::npos);
    }
    // The flag and value lead, and the methods that read the row follow (train_methods(): qlora alone has base_nf4).
    const TrainingEstimate lora_norms = run_text({{"--train", "lora"}, {"fp32_norms", "on"}});
    REQUIRE(lora_norms.warnings.size() == 1);
    CHECK(lora_norms.warnings[0] == "--fp32-norms on changes nothing here: method lora does not read it (only qlora)");
    // Set to its default, a row the method does not read is no warning (the same figures as leaving it out).
    CHECK(run_text({{"--train", "full"}, {"lora_rank", "16"}}).warnings.empty());
}

TEST_CASE("torch FSDP's flat parameters: at the end of backward the outer unit's gradients and their concatenation",
          "[training][options]") {
    // tiny, full fine-tune in pure bf16 (gradients and AdamW states 2 B), 2 GPUs, 8 tokens. The outer unit (FSDP
    // wraps each decoder layer; the rest is the root's) trains the embedding 100 × 64 = 6,400, the final norm 64 and
    // the head 6,400: 12,864 parameters, whose gradients are 12,864 × 2 B = 25,728. torch.split views join them in
    // one split node, run after the embedding's gradient, the last: the pieces (25,728) and their concatenation
    // (25,728) beside the gradients so far. Under no_sync that is the whole gradient, 86,848 × 2 B = 173,696:
    // 173,696 + 2 × 25,728 = 225,152 over the fixed part. The optimizer step holds the gradient shard 86,848 and
    // the foreach temporary over the parameter shard, 43,424 × 2 B = 86,848: 173,696 over the same fixed part, so
    // the end of backward is 225,152 − 173,696 = 51,456 above it and peaks, with no activation and no logits.
    const GivenOptions base = {{"--train", "full"}, {"--train-precision", "bf16"}, {"--seq-len", "8"},
                               {"--gpus", "2"},     {"--distribution", "fsdp"},    {"--no-sync-accumulation", "on"}};
    const TrainingEstimate e = run_text(base);
    CHECK(e.root_gradient_bytes == 25'728);
    CHECK(e.backward_end_peak_bytes == e.step_peak_bytes + 51'456);
    CHECK(e.peak_phase == "backward_end");
    CHECK(e.per_gpu.total_bytes == e.backward_end_peak_bytes);
    CHECK(e.per_gpu.activation_bytes == 0);
    CHECK(e.per_gpu.logits_bytes == 0);
    // Without no_sync the gradients so far are the shards, 86,848: 86,848 + 51,456 = 138,304 over the fixed part,
    // 35,392 below the step's 173,696, which peaks.
    GivenOptions synced = base;
    synced.pop_back();
    const TrainingEstimate s = run_text(synced);
    CHECK(s.backward_end_peak_bytes + 35'392 == s.step_peak_bytes);
    CHECK(s.peak_phase == "optimizer_step");
    // DeepSpeed ZeRO-3 gathers parameters in place, no views of a flat tensor: no such moment. Nor under LoRA, where
    // nothing outside the layers trains.
    GivenOptions zero3 = base;
    zero3[4] = {"--distribution", "zero3"};
    CHECK(run_text(zero3).backward_end_peak_bytes == 0);
    CHECK(run_text({{"--train", "lora"}, {"--seq-len", "8"}, {"--gpus", "2"}, {"--distribution", "fsdp"}})
              .backward_end_peak_bytes == 0);
}

TEST_CASE("option --train-precision bf16-amp: fp32 weights under autocast, no master, each Linear's bf16 copy saved",
          "[training][options]") {
    // tiny, full fine-tune, 8 tokens. bf16-amp keeps the weights themselves in fp32 (86,848 × 4 B = 347,392), fp32
    // gradients (347,392) and two fp32 AdamW states (86,848 × 8 B = 694,784), no master: 16 B per parameter as
    // bf16-mixed's 2 + 2 + 12, split otherwise. The matmuls run in bf16, each saving its weight's bf16 copy: per
    // layer q 4,096 + k 2,048 + v 2,048 + o 4,096 + gate, up, down 3 × 8,192 = 36,864 parameters × 2 B = 73,728; the
    // head 100 × 64 × 2 B = 12,800. The activations are bf16 as under bf16-mixed, so the difference is those copies:
    // 2 × 73,728 + 12,800 = 160,256 without checkpointing, 73,728 + 12,800 = 86,528 with it (one layer recomputed).
    auto with = [](const char* precision, const char* ckpt) {
        return run_text({{"--train", "full"},
                         {"--seq-len", "8"},
                         {"--train-precision", precision},
                         {"--grad-checkpointing", ckpt}});
    };
    const TrainingEstimate amp = with("bf16-amp", "off"), mixed = with("bf16-mixed", "off");
    CHECK(amp.weights_bytes == 347'392);
    CHECK(amp.gradient_bytes == 347'392);
    CHECK(amp.master_bytes == 0);
    CHECK(amp.optimizer_bytes == 694'784);
    CHECK(mixed.weights_bytes + mixed.gradient_bytes + mixed.optimizer_bytes ==
          amp.weights_bytes + amp.gradient_bytes + amp.optimizer_bytes);
    CHECK(amp.activation_bytes == mixed.activation_bytes + 160'256);
    CHECK(with("bf16-amp", "on").activation_bytes == with("bf16-mixed", "on").activation_bytes + 86'528);
    // LoRA over an fp32 base: frozen weights at 4 B, and the frozen Linears' copies saved too (their input needs a
    // gradient): the same 160,256 more than bf16-mixed's activations.
    const TrainingEstimate lora_amp =
        run_text({{"--train", "lora"}, {"--seq-len", "8"}, {"--train-precision", "bf16-amp"}});
    const TrainingEstimate lora_mixed =
        run_text({{"--train", "lora"}, {"--seq-len", "8"}, {"--train-precision", "bf16-mixed"}});
    CHECK(lora_amp.activation_bytes == lora_mixed.activation_bytes + 160'256);
    CHECK(lora_amp.weights_bytes == 347'392);
}
