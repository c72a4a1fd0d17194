// Unit tests of core/estimator/options.* — the one parser and validator of the CLI, the wasm API and the embed.
#include <catch2/catch.hpp>

#include "estimator/options.hpp"

using namespace vram;

TEST_CASE("options are found by key and by every command-line spelling", "[options]") {
    for (const char* name : {"context_tokens", "-c", "--context_length", "--context-length"})
        CHECK(std::string(find_option(name)->key) == "context_tokens");
    CHECK(std::string(find_option("-ngl")->key) == "n_gpu_layers");
    CHECK(std::string(find_option("--kv_dtype")->key) == "kv_dtype");
    CHECK(find_option("--bogus") == nullptr);
    CHECK(find_option("") == nullptr);
}

TEST_CASE("resolution gives enums and table rows, not strings", "[options]") {
    OptionsResult r = resolve_options({{"profile", "vllm"},
                                       {"precision", "int4"},
                                       {"kv_dtype", "fp8"},
                                       {"gpu", "h100-80gb"},
                                       {"context_tokens", "8192"},
                                       {"batch", "4"},
                                       {"tp", "2"}});
    REQUIRE_FALSE(r.error);
    CHECK(r.options.profile == ProfileId::vllm);
    CHECK(r.options.precision == Precision::int4);
    CHECK(std::string(kv_dtype_info(r.options.kv_dtype).name) == "fp8");
    CHECK(r.options.gpu == find_gpu("h100-80gb"));
    CHECK(r.options.context_tokens == 8192);
    CHECK(r.options.batch == 4);
    CHECK(r.options.tp == 2);
    // vLLM's default utilization is a profile-default row (vllm/config/cache.py 0.9).
    CHECK(r.options.gpu_memory_utilization == 0.9);
}

TEST_CASE("special words: context max, -ngl all, flags on and off, no GPU", "[options]") {
    OptionsResult r = resolve_options({{"context_tokens", "max"}, {"gpu", ""}});
    REQUIRE_FALSE(r.error);
    CHECK(r.options.context_tokens == 0);
    CHECK(r.options.gpu == nullptr);
    r = resolve_options({{"profile", "llama.cpp"}, {"n_gpu_layers", "all"}, {"flash_attention", "off"}});
    REQUIRE_FALSE(r.error);
    CHECK(r.options.n_gpu_layers == -1);
    CHECK_FALSE(r.options.flash_attention);
    r = resolve_options({{"profile", "llama.cpp"}, {"n_gpu_layers", "0"}});
    REQUIRE_FALSE(r.error);
    CHECK(r.options.n_gpu_layers == 0);  // zero layers, not "all"
}

TEST_CASE("an unknown or out-of-range value is invalid_option naming the option and what it accepts", "[options]") {
    auto message = [](GivenOptions g) {
        OptionsResult r = resolve_options(g);
        CHECK(r.error.code == ErrorCode::invalid_option);
        return r.error.message;
    };
    CHECK(message({{"precision", "int3"}}) ==
          "precision (--quantization): \"int3\" is not one of: auto, float32, float16, bfloat16, int8, int4, fp8");
    CHECK(message({{"context_tokens", "0"}}) ==
          "context_tokens (--context_length): must be a whole number from 1 to 4294967296 or max, got \"0\"");
    CHECK(message({{"batch", "1000001"}}) ==
          "batch (--batch_size): must be a whole number from 1 to 1000000, got \"1000001\"");
    CHECK(message({{"batch", "-1"}}).find("got \"-1\"") != std::string::npos);
    CHECK(message({{"tp", "2.5"}}).find("tp (--tp)") == 0);
    CHECK(message({{"gpu_memory_utilization", "1.5"}}) ==
          "gpu_memory_utilization (--gpu-memory-utilization): must be a number in (0, 1], got \"1.5\"");
    CHECK(message({{"flash_attention", "maybe"}}) ==
          "flash_attention (--flash-attn): must be on or off, got \"maybe\"");
    CHECK(message({{"gpu", "rtx-9090"}}).find("not in the GPU catalog") != std::string::npos);
    CHECK(message({{"nonsense", "1"}}) == "unknown option \"nonsense\"");
}

TEST_CASE("combinations an engine refuses are invalid_argument with the engine's reason", "[options]") {
    OptionsResult r = resolve_options({{"profile", "classic"}, {"kv_dtype", "fp8"}});
    CHECK(r.error.code == ErrorCode::invalid_argument);
    CHECK(r.error.message ==
          "kv_dtype fp8 is not offered by hf-vram-estimator (original) (profile classic accepts: "
          "auto, fp16)");
    CHECK(resolve_options({{"profile", "classic"}, {"tp", "2"}}).error.message ==
          "profile classic has no tensor parallelism (tp 2); use transformers, vllm or sglang");
    CHECK(resolve_options({{"profile", "vllm"}, {"gpu", "apple-m3-max-128gb"}}).error.message ==
          "vLLM does not run on Apple M3 Max (128 GB) (metal)");
    CHECK(resolve_options({{"profile", "llama.cpp"}, {"kv_dtype", "q4_0"}, {"flash_attention", "off"}}).error.code ==
          ErrorCode::invalid_argument);
}

TEST_CASE("the help text comes from the table, with each option's values and defaults", "[options]") {
    // Compared with the wrapping undone.
    std::string help;
    for (char c : options_help() + options_help(true)) {
        if (c == '\n') c = ' ';
        if (c == ' ' && !help.empty() && help.back() == ' ') continue;
        help += c;
    }
    for (const auto& s : option_specs()) CHECK(help.find(s.help) != std::string::npos);
    CHECK(help.find("classic, transformers, vllm, sglang, llama.cpp") != std::string::npos);
    CHECK(help.find("default vllm 0.9") != std::string::npos);
    CHECK(help.find("-c, --context_length N") != std::string::npos);
}
