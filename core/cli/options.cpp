#include "cli/options.hpp"

#include <cerrno>
#include <cstdlib>

namespace vram {
namespace {

// Largest context accepted on the command line: 2^32 tokens is 4,000× today's longest windows.
constexpr uint64_t kMaxContextTokens = 1ull << 32;
// Largest batch accepted: a million concurrent sequences.
constexpr uint64_t kMaxBatch = 1'000'000;

bool parse_uint(const std::string& text, uint64_t max, uint64_t& out) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno != 0 || v == 0 || v > max) return false;
    out = v;
    return true;
}

}  // namespace

std::string cli_usage() {
    return R"(usage: vram-estimate MODEL [options]

Estimate the GPU memory a Hugging Face model needs for inference, from its metadata only
(safetensors headers read with HTTP Range requests, config.json, shard indexes).

  MODEL                          model id, org/name (a legacy id such as gpt2 works too)
  -c, --context_length N         context length in tokens (default: the config's max context)
  -b, --batch_size N             concurrent sequences (default: 1)
  -q, --quantization P           auto|float32|float16|bfloat16|int8|int4 (default: auto =
                                 every tensor keeps its stored dtype)
      --json                     print the report as JSON (the original schema + new fields)
      --markdown                 print a compact Markdown table for a model card
      --revision REV             branch, tag or commit (default: main)
      --variant V                weight variant such as fp16 (default: the default files)
      --profile P                classic (the original tool), transformers, vllm, sglang,
                                 llama.cpp (GGUF repos) (default: classic); docs/estimates.md has
                                 each one's rules
      --kv-dtype T               KV cache element type: auto|fp16|bf16|fp8|int8|q8_0|q4_0, as the
                                 profile's engine offers them (default: auto)
      --tp N                     tensor-parallel GPUs per replica (default: 1)
      --gpu ID                   check the fit on this GPU (see --list-gpus); adds the largest
                                 context and batch that fit
      --gpu-memory-utilization F vLLM gpu_memory_utilization / SGLang mem_fraction_static
                                 (default: the engine's)
      --max-num-batched-tokens N vLLM max_num_batched_tokens / SGLang chunked prefill (default: the engine's)
      --gguf-file F              GGUF repos: the quantization to estimate, as a file name or path or
                                 a type such as Q5_K_M (default: the smallest Q4_K_M, else the
                                 first file); every file is listed in the GGUF table either way
      --flash-attn on|off        llama.cpp: flash attention (default: on)
      -ngl, --n-gpu-layers N     llama.cpp: layers offloaded to the GPU, the output layer counting
                                 as one (default: all); the rest is reported as system memory
      --ubatch N                 llama.cpp: tokens per compute graph, -ub (default: 512)
      --list-gpus                print the GPU catalog and exit
      --endpoint URL             Hub endpoint (default: $HF_ENDPOINT, else https://huggingface.co)
      --timeout S                seconds per HTTP request (default: 30)
      --deadline S               seconds for the whole load, every request and retry (default: 300)
  -h, --help                     this help

Environment: HF_TOKEN (or HUGGING_FACE_HUB_TOKEN, or the file $HF_HOME/token) for gated and
private models; it is sent to the endpoint only, never to the CDN it redirects to.
HF_ENDPOINT selects the Hub (a mirror, or the local imitation in tests).

Exit codes: 0 ok, 2 usage, 3 repo/revision/file not found, 4 gated or private (access denied),
5 network or timeout, 6 no safetensors (or GGUF) weights, 7 malformed metadata.
)";
}

CliOptions parse_cli(const std::vector<std::string>& args) {
    CliOptions o;
    auto fail = [&](std::string message) {
        if (o.error.empty()) o.error = std::move(message);
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string value;
        std::string name = a;
        bool has_inline = false;
        if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
            name = a.substr(0, a.find('='));
            value = a.substr(a.find('=') + 1);
            has_inline = true;
        }
        auto take = [&]() -> bool {
            if (has_inline) return true;
            if (i + 1 >= args.size()) {
                fail("option " + name + " needs a value");
                return false;
            }
            value = args[++i];
            return true;
        };
        if (name == "-h" || name == "--help") {
            o.help = true;
        } else if (name == "--json") {
            o.format = OutputFormat::json;
        } else if (name == "--markdown") {
            o.format = OutputFormat::markdown;
        } else if (name == "-c" || name == "--context_length" || name == "--context-length") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, kMaxContextTokens, v))
                fail("context length must be a whole number from 1 to 4294967296, got \"" + value + "\"");
            o.estimate.context_tokens = v;
        } else if (name == "-b" || name == "--batch_size" || name == "--batch-size") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, kMaxBatch, v))
                fail("batch size must be a whole number from 1 to 1000000, got \"" + value + "\"");
            o.estimate.batch = static_cast<uint32_t>(v);
        } else if (name == "-q" || name == "--quantization") {
            if (take() && !parse_precision(value, o.estimate.precision))
                fail("quantization must be one of auto, float32, float16, bfloat16, int8, int4; got \"" + value + "\"");
        } else if (name == "--revision") {
            if (take()) o.revision = value;
            if (o.revision.empty()) fail("--revision needs a non-empty value");
        } else if (name == "--variant") {
            if (take()) o.variant = value;
        } else if (name == "--profile") {
            if (take()) o.estimate.profile = value;
        } else if (name == "--kv-dtype" || name == "--kv_dtype") {
            if (take()) o.estimate.kv_dtype = value;
        } else if (name == "--tp") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, 64, v))
                fail("--tp must be a whole number from 1 to 64, got \"" + value + "\"");
            o.estimate.tp = static_cast<uint32_t>(v);
        } else if (name == "--gpu") {
            if (take()) o.estimate.gpu = value;
        } else if (name == "--gpu-memory-utilization") {
            if (take()) {
                char* end = nullptr;
                double v = std::strtod(value.c_str(), &end);
                if (value.empty() || *end != '\0' || !(v > 0 && v <= 1))
                    fail("--gpu-memory-utilization must be a number in (0, 1], got \"" + value + "\"");
                o.estimate.gpu_memory_utilization = v;
            }
        } else if (name == "--max-num-batched-tokens") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, 1ull << 24, v))
                fail("--max-num-batched-tokens must be a whole number from 1 to 16777216, got \"" + value + "\"");
            o.estimate.max_num_batched_tokens = v;
        } else if (name == "--gguf-file" || name == "--gguf_file") {
            if (take()) o.gguf_file = value;
            if (o.gguf_file.empty()) fail("--gguf-file needs a non-empty value");
        } else if (name == "--flash-attn" || name == "-fa") {
            if (take()) {
                if (value == "on" || value == "1")
                    o.estimate.flash_attention = true;
                else if (value == "off" || value == "0")
                    o.estimate.flash_attention = false;
                else
                    fail("--flash-attn must be on or off, got \"" + value + "\"");
            }
        } else if (name == "-ngl" || name == "--n-gpu-layers" || name == "--gpu-layers") {
            if (take()) {
                uint64_t v = 0;
                if (value == "all" || value == "-1")
                    o.estimate.n_gpu_layers = -1;
                else if (value == "0")
                    o.estimate.n_gpu_layers = 0;
                else if (parse_uint(value, 100'000, v))
                    o.estimate.n_gpu_layers = static_cast<int32_t>(v);
                else
                    fail("--n-gpu-layers must be a whole number from 0 to 100000 or all, got \"" + value + "\"");
            }
        } else if (name == "--ubatch" || name == "-ub" || name == "--ubatch-size") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, 1u << 20, v))
                fail("--ubatch must be a whole number from 1 to 1048576, got \"" + value + "\"");
            o.estimate.ubatch_tokens = static_cast<uint32_t>(v ? v : 512);
        } else if (name == "--list-gpus") {
            o.list_gpus = true;
        } else if (name == "--endpoint") {
            if (take()) o.endpoint = value;
        } else if (name == "--timeout") {
            uint64_t v = 0;
            if (take() && !parse_uint(value, 3600, v))
                fail("timeout must be a whole number of seconds from 1 to 3600, got \"" + value + "\"");
            o.timeout_s = static_cast<uint32_t>(v);
        } else if (!a.empty() && a[0] == '-') {
            fail("unknown option " + a);
        } else if (o.model.empty()) {
            o.model = a;
        } else {
            fail("unexpected argument \"" + a + "\" (one model at a time)");
        }
    }
    if (!o.help && !o.list_gpus && o.model.empty()) fail("missing MODEL");
    return o;
}

}  // namespace vram
