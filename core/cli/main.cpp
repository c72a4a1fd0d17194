// vram-estimate: the native command line over the same core as the page.
// stdout carries the report only, and only on success, so `--json` output is always valid JSON;
// every failure goes to stderr with its own exit code.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>

#include "cli/curl_transport.hpp"
#include "cli/options.hpp"
#include "cli/terminal.hpp"
#include "estimator/report.hpp"
#include "estimator/training_report.hpp"
#include "estimator/version.hpp"
#include "hub/hub_client.hpp"

using namespace vram;

namespace {

enum Exit { kOk = 0, kUsage = 2, kNotFound = 3, kDenied = 4, kNetwork = 5, kNoWeights = 6, kMalformed = 7 };

int exit_code(ErrorCode c) {
    switch (c) {
        case ErrorCode::none:
            return kOk;
        case ErrorCode::invalid_argument:
        case ErrorCode::invalid_option:
        case ErrorCode::training_option_invalid:
        case ErrorCode::lora_target_unmatched:
        case ErrorCode::quantized_base:
        case ErrorCode::training_unsupported:
            return kUsage;
        case ErrorCode::repo_not_found:
        case ErrorCode::revision_not_found:
        case ErrorCode::entry_not_found:
            return kNotFound;
        case ErrorCode::gated:
        case ErrorCode::invalid_token:
            return kDenied;
        case ErrorCode::network:
        case ErrorCode::transfer_failed:
        case ErrorCode::timeout:
        case ErrorCode::rate_limited:
        case ErrorCode::http_error:
        case ErrorCode::cancelled:
            return kNetwork;
        case ErrorCode::no_weights:
            return kNoWeights;
        default:
            return kMalformed;
    }
}

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

// HF_TOKEN as huggingface_hub reads it: the variable, the legacy variable, then $HF_HOME/token.
std::string read_token() {
    for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"})
        if (std::string t = env(name); !t.empty()) return t;
    std::string home = env("HF_HOME");
    if (home.empty() && !env("HOME").empty()) home = env("HOME") + "/.cache/huggingface";
    if (home.empty()) return {};
    std::ifstream f(home + "/token");
    std::string t;
    std::getline(f, t);
    while (!t.empty() && (t.back() == '\r' || t.back() == ' ')) t.pop_back();
    return t;
}

// `--deadline S` / `--deadline=S`: seconds for the whole load (every request and retry), 1 to 86,400;
// default 300. Taken out of the arguments before parse_cli sees them; "" or the problem.
std::string take_deadline(std::vector<std::string>& args, uint32_t& deadline_s) {
    for (size_t i = 0; i < args.size(); ++i) {
        std::string value;
        size_t n = 0;
        if (args[i] == "--deadline") {
            if (i + 1 >= args.size()) return "--deadline needs a number of seconds";
            value = args[i + 1];
            n = 2;
        } else if (args[i].rfind("--deadline=", 0) == 0) {
            value = args[i].substr(11);
            n = 1;
        } else {
            continue;
        }
        char* end = nullptr;
        const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
        if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])) || *end != '\0' || v < 1 || v > 86'400)
            return "deadline must be a whole number of seconds from 1 to 86400, got \"" + value + "\"";
        deadline_s = static_cast<uint32_t>(v);
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i + n));
        --i;
    }
    return {};
}

// Every line to stderr goes through here: its text may come from the repo or the server.
void print_error(const std::string& message) {
    std::cerr << "error: " << terminal_safe(message, Newlines::escape) << "\n";
}

// --train: the training estimate from the tensors of the same snapshot (no other request). JSON keeps the inference
// report's fields and adds "training"; text and Markdown show the training estimate.
int print_training(const CliOptions& o, const RepoSnapshot& snapshot, const Model& model, const Estimate& e) {
    const TrainTensors tensors = training_tensors(snapshot, model);
    if (tensors.error) {
        print_error(tensors.error.message);
        return exit_code(tensors.error.code);
    }
    const TrainingEstimate t = train_estimate(model, tensors, o.estimate.training, o.estimate.gpu);
    if (t.error) {
        print_error(t.error.message);
        return exit_code(t.error.code);
    }
    switch (o.format) {
        case OutputFormat::json:
            std::cout << terminal_safe(render_json(model, e, 2, &t));
            break;
        case OutputFormat::markdown:
            std::cout << terminal_safe(render_training_markdown(model, t));
            break;
        case OutputFormat::text:
            std::cout << terminal_safe(render_preamble(model) + render_training_text(model, t));
            break;
    }
    return kOk;
}

}  // namespace

static int run(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    uint32_t deadline_s = 300;
    const std::string deadline_problem = take_deadline(args, deadline_s);
    CliOptions o = parse_cli(args);
    if (o.error.empty() && !deadline_problem.empty()) o.error = deadline_problem;
    if (o.help) {
        std::cout << cli_usage();
        return kOk;
    }
    if (o.version) {
        std::cout << "vram-estimate (hf-vram-estimator) " << kToolVersion << "\n";
        return kOk;
    }
    if (o.list_gpus && o.error.empty()) {
        std::printf("%-22s %-36s %-12s %12s %12s\n", "id", "name", "segment", "memory GiB", "usable GiB");
        for (const auto& g : gpu_catalog())
            std::printf("%-22s %-36s %-12s %12.2f %12.2f\n", g.id, g.name, g.segment, g.memory_bytes / 1073741824.0,
                        g.usable_bytes / 1073741824.0);
        return kOk;
    }
    if (!o.error.empty()) {
        print_error(o.error);
        if (o.option_error)
            std::cerr << "(vram-estimate --help lists every option and its values)\n";
        else
            std::cerr << "\n" << cli_usage();
        return kUsage;
    }
    HubOptions hub;
    hub.endpoint = !o.endpoint.empty() ? o.endpoint
                                       : (!env("HF_ENDPOINT").empty() ? env("HF_ENDPOINT") : "https://huggingface.co");
    hub.token = read_token();
    hub.revision = o.revision;
    hub.variant = o.variant;
    hub.timeout_ms = o.timeout_s * 1000;
    hub.deadline_ms = deadline_s * 1000;

    CurlTransport transport;
    HubClient client(transport, hub);
    LoadResult loaded;
    const bool tty = isatty(STDERR_FILENO);
    bool progress_shown = false;
    client.load(
        o.model,
        [&](const HubProgress& p) {
            if (!tty || p.files_total < 8) return;
            std::fprintf(stderr, "\rreading headers: %u/%u files, %.1f MB", p.files_done, p.files_total,
                         p.bytes / 1048576.0);
            progress_shown = true;
        },
        [&](LoadResult r) { loaded = std::move(r); });
    transport.run();
    if (progress_shown) std::fprintf(stderr, "\r\033[K");

    if (loaded.error) {
        print_error(loaded.error.message);
        if (loaded.error.code == ErrorCode::gated || loaded.error.code == ErrorCode::invalid_token ||
            (loaded.error.code == ErrorCode::repo_not_found && hub.token.empty()))
            std::cerr
                << "hint: for gated models, accept the terms on the model page and export HF_TOKEN=hf_your_token_here\n"
                   "      (tokens: https://huggingface.co/settings/tokens)\n";
        return exit_code(loaded.error.code);
    }
    Model model = analyze(loaded.snapshot, o.gguf_file, &loaded.parsed);
    if (model.error) {
        print_error(model.error.message);
        return exit_code(model.error.code);
    }
    Estimate e = estimate(model, o.estimate);
    if (e.error) {
        print_error(e.error.message);
        return exit_code(e.error.code);
    }
    if (o.estimate.train) return print_training(o, loaded.snapshot, model, e);
    switch (o.format) {
        case OutputFormat::json:
            std::cout << terminal_safe(render_json(model, e));
            break;
        case OutputFormat::markdown:
            std::cout << terminal_safe(render_markdown(model, e));
            break;
        case OutputFormat::text:
            std::cout << terminal_safe(render_preamble(model) + render_text(model, e));
            break;
    }
    return kOk;
}

// Whatever escapes the core (an allocation past the machine's memory, say) ends in a message and an
// exit code, never in std::terminate's abort.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::bad_alloc&) {
        print_error("out of memory while reading the metadata");
        return kMalformed;
    } catch (const std::exception& e) {
        print_error(std::string("internal error: ") + e.what());
        return kMalformed;
    }
}
