// Command-line options of `vram-estimate` — the original tool's interface
// (MODEL [-c N] [-b N] [-q float32|float16|bfloat16|int8|int4] [--json]) plus the new ones.
#pragma once
#include <string>
#include <vector>

#include "estimator/options.hpp"

namespace vram {

enum class OutputFormat { text, json, markdown };

struct CliOptions {
    std::string model;
    std::string revision = "main";
    std::string endpoint;  // --endpoint, else HF_ENDPOINT, else https://huggingface.co
    std::string variant;
    std::string gguf_file;  // --gguf-file: which quantization of a GGUF repo (file, path or type such as Q5_K_M)
    uint32_t timeout_s = 30;
    EstimateOptions estimate;
    OutputFormat format = OutputFormat::text;
    bool help = false;
    bool list_gpus = false;
    bool version = false;       // --version: print the version and exit
    std::string error;          // usage error, empty when the arguments are fine
    bool option_error = false;  // the error is an option's value (the core's message; no usage text after it)
};

CliOptions parse_cli(const std::vector<std::string>& args);
std::string cli_usage();

}  // namespace vram
