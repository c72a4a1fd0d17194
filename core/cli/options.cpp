#include "cli/options.hpp"

#include <cerrno>
#include <cstdlib>

namespace vram {
namespace {

// --timeout: an hour per request is past any sane Hub answer.
constexpr uint64_t kMaxTimeoutSeconds = 3600;

bool parse_seconds(const std::string& text, uint64_t& out) {
    if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
    if (errno != 0 || v == 0 || v > kMaxTimeoutSeconds) return false;
    out = v;
    return true;
}

// The CLI's own options (what to load, how to print); the estimate's options come from the core's table.
struct CliFlag {
    const char* flags;  // spellings, space-separated
    const char* value;  // value name, "" for a switch
    const char* help;
};
const CliFlag kCliFlags[] = {
    {"--json", "", "print the report as JSON (the original schema + new fields)"},
    {"--markdown", "", "print a compact Markdown table for a model card"},
    {"--revision", "REV", "branch, tag or commit (default: main)"},
    {"--variant", "V", "weight variant such as fp16 (default: the default files)"},
    {"--gguf-file --gguf_file", "F",
     "GGUF repos: the quantization to estimate, as a file name or path or a type such as Q5_K_M (default: the "
     "smallest Q4_K_M, else the first file); every file is listed in the GGUF table either way"},
    {"--list-gpus", "", "print the GPU catalog and exit"},
    {"--endpoint", "URL", "Hub endpoint (default: $HF_ENDPOINT, else https://huggingface.co)"},
    {"--timeout", "S", "seconds per HTTP request (default: 30)"},
    {"--deadline", "S", "seconds for the whole load, every request and retry (default: 300)"},
    {"--version", "", "print the version and exit"},
    {"-h --help", "", "this help"},
};

bool is(const std::string& name, const char* flags) {
    std::string_view f = flags;
    size_t start = 0;
    while (start <= f.size()) {
        size_t end = f.find(' ', start);
        if (end == std::string_view::npos) end = f.size();
        if (f.substr(start, end - start) == name) return true;
        start = end + 1;
    }
    return false;
}

std::string cli_flags_help() {
    std::string out;
    for (const auto& f : kCliFlags) {
        std::string_view fl = f.flags;
        std::string first(fl.substr(0, fl.find(' ')));
        if (first == "-h") first = "-h, --help";
        out += help_line(std::string(first[1] == '-' ? "    " : "") + first + (*f.value ? " " : "") + f.value, f.help);
    }
    return out;
}

}  // namespace

std::string cli_usage() {
    return "usage: vram-estimate MODEL [options]\n\n"
           "Estimate the GPU memory a Hugging Face model needs for inference, from its metadata only\n"
           "(safetensors headers read with HTTP Range requests, config.json, shard indexes).\n\n"
           "  MODEL                          model id, org/name (a legacy id such as gpt2 works too)\n"
           "Estimate options:\n" +
           options_help() +
           "Fine-tuning options (with --train; figures per GPU for one training step, docs/training.md):\n" +
           options_help(true) + "Output and loading:\n" + cli_flags_help() +
           "\nEnvironment: HF_TOKEN (or HUGGING_FACE_HUB_TOKEN, or the file $HF_HOME/token) for gated and\n"
           "private models; it is sent to the endpoint only, never to the CDN it redirects to.\n"
           "HF_ENDPOINT selects the Hub (a mirror, or the local imitation in tests).\n\n"
           "Exit codes: 0 ok, 2 usage (or a fine-tuning estimate the model refuses), 3 repo/revision/file not found,\n"
           "4 gated or private (access denied), 5 network or timeout, 6 no safetensors (or GGUF) weights,\n"
           "7 malformed metadata.\n";
}

CliOptions parse_cli(const std::vector<std::string>& args) {
    CliOptions o;
    GivenOptions given;
    auto fail = [&](std::string message) {
        if (o.error.empty()) o.error = std::move(message);
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        std::string name = a, value;
        const bool has_inline = a.rfind("--", 0) == 0 && a.find('=') != std::string::npos;
        if (has_inline) {
            name = a.substr(0, a.find('='));
            value = a.substr(a.find('=') + 1);
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
        if (is(name, "-h --help")) {
            o.help = true;
        } else if (name == "--version") {
            o.version = true;
        } else if (name == "--json") {
            o.format = OutputFormat::json;
        } else if (name == "--markdown") {
            o.format = OutputFormat::markdown;
        } else if (name == "--list-gpus") {
            o.list_gpus = true;
        } else if (name == "--revision") {
            if (take()) o.revision = value;
            if (o.revision.empty()) fail("--revision needs a non-empty value");
        } else if (name == "--variant") {
            if (take()) o.variant = value;
        } else if (is(name, "--gguf-file --gguf_file")) {
            if (take()) o.gguf_file = value;
            if (o.gguf_file.empty()) fail("--gguf-file needs a non-empty value");
        } else if (name == "--endpoint") {
            if (take()) o.endpoint = value;
        } else if (name == "--timeout") {
            uint64_t v = 0;
            if (take() && !parse_seconds(value, v))
                fail("timeout must be a whole number of seconds from 1 to 3600, got \"" + value + "\"");
            o.timeout_s = static_cast<uint32_t>(v);
        } else if (const OptionSpec* spec = find_option(name); spec && name[0] == '-') {
            // An on|off option given alone ("--grad-checkpointing") means on.
            const bool bare_switch = spec->kind == OptionKind::flag && !has_inline &&
                                     (i + 1 >= args.size() || !is(args[i + 1], "on off true false 1 0"));
            if (bare_switch)
                given.emplace_back(spec->key, "on");
            else if (take())
                given.emplace_back(spec->key, value);
        } else if (!a.empty() && a[0] == '-') {
            fail("unknown option " + a);
        } else if (o.model.empty()) {
            o.model = a;
        } else {
            fail("unexpected argument \"" + a + "\" (one model at a time)");
        }
    }
    if (!o.help && !o.version && !o.list_gpus && o.model.empty()) fail("missing MODEL");
    if (o.error.empty()) {
        OptionsResult r = resolve_options(given);
        o.estimate = r.options;
        if (r.error) {
            o.error = r.error.message;
            o.option_error = true;
        }
    }
    return o;
}

}  // namespace vram
