// validate_training: prints every measured fine-tuning run of tests/validation/training/runs.jsonl beside the
// training estimate for the same settings, read from the run's fixture in tests/fixtures/hub. Nothing is fitted:
// the constants of core/estimator/training* are what they are, and this prints how far each run is from them,
// held-out ("judge") rows apart from calibration rows.
//
//   validate_training [--check] [--write FILE] [RUNS_JSONL]
//     RUNS_JSONL  tests/validation/training/runs.jsonl (default: in the source tree); the written reasons for held-out
//                 rows outside 10 % are read from reasons.jsonl beside it
//     --write     write the tables to FILE (tests/validation/training/RESULTS.md) instead of printing them
//     --check     exit 1 unless every measured held-out row is within 10 % or has a written reason, every reason
//                 names such a row, and RESULTS.md is what this run gives (ctest runs this: issue 15's "within
//                 target or explained")
//
// Nothing is fitted: a reason says why a row misses (a sourced term not modelled, a figure that contradicts its own
// settings, or "not explained"); it never changes the estimate. A run's free-text settings (precision, optimizer, distribution)
// are mapped to the estimator's table rows by the rules in options_of(); the row's quantity says whether the
// figure counts the CUDA context (nvidia-smi, reserved, unstated) or not (max allocated, peak active).
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "estimator/training.hpp"

using namespace vram;
using nlohmann::json;

namespace {

// Target of issue 15 point 4: the peak within 10 % of every held-out run.
constexpr double kTolerance = 0.10;
constexpr double kGB = 1e9;

bool has(const std::string& text, const char* what) { return text.find(what) != std::string::npos; }

std::string str(const json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

RepoSnapshot fixture(const std::filesystem::path& dir, const std::string& repo) {
    RepoSnapshot s;
    s.repo_id = repo;
    s.revision = "main";
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name == "SOURCE.md" || name[0] == '.' || !entry.is_regular_file()) continue;
        std::ifstream f(entry.path(), std::ios::binary);
        std::stringstream buf;
        buf << f.rdbuf();
        const std::string bytes = buf.str();
        s.files.push_back({name, 0});
        if (name.size() > 12 && name.substr(name.size() - 12) == ".safetensors" && bytes.size() >= 8) {
            uint64_t n = 0;
            for (int k = 7; k >= 0; --k) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(k)]);
            s.headers[name] = bytes.substr(8, n);
        } else if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
            s.texts[name] = bytes;
        }
    }
    return s;
}

// Framework module names (litgpt, torchtune) → the transformers names of the fixtures.
void add_targets(const json& targets, std::vector<std::string>& out) {
    for (const auto& t : targets) {
        if (!t.is_string()) continue;
        const std::string n = t.get<std::string>();
        if (n == "all-linear") {  // the default: every projection
            out.clear();
            return;
        }
        // litgpt's q/k/v are slices of one fused Linear; where the checkpoint fuses them too (Phi-3 qkv_proj,
        // Falcon query_key_value) the adapter sits on the fused matrix (litgpt lora.py LoRAQKVLinear).
        if (n == "q" || n == "q_proj") out.push_back("q_proj");
        if (n == "k" || n == "k_proj") out.push_back("k_proj");
        if (n == "v" || n == "v_proj") out.push_back("v_proj");
        if (n == "q" || n == "k" || n == "v")
            for (const char* m : {"qkv_proj", "query_key_value"}) out.push_back(m);
        // attention output: o_proj (Llama, Gemma, Phi-3), dense (Phi-2 self_attn.dense, Falcon self_attention.dense)
        if (n == "attn.proj" || n == "output_proj" || n == "o_proj")
            for (const char* m : {"o_proj", "self_attn.dense", "self_attention.dense"}) out.push_back(m);
        if (n == "mlp" || has(n, "w1,w2,w3"))
            for (const char* m : {"gate_proj", "up_proj", "down_proj", "w1", "w2", "w3", "gate_up_proj", "fc1", "fc2",
                                  "dense_h_to_4h", "dense_4h_to_h"})
                out.push_back(m);
        if (n == "lm_head" || n == "output") out.push_back("lm_head");
    }
}

TrainingOptions options_of(const json& r, std::string& note) {
    TrainingOptions o;
    const std::string method = str(r, "method"), precision = str(r, "precision"), optimizer = str(r, "optimizer"),
                      framework = str(r, "framework"), dist = str(r, "distribution");
    parse_train_method(method, o.method);
    if (r.contains("lora") && r["lora"].is_object()) {
        o.lora_rank = r["lora"].value("rank", 8u);
        if (r["lora"].contains("targets")) add_targets(r["lora"]["targets"], o.lora_targets);
        // The value the run's settings set (runs.jsonl lora.dropout, quoted in lora.dropout_source by extract.py).
        if (r["lora"].contains("dropout") && r["lora"]["dropout"].is_number())
            o.lora_dropout = r["lora"]["dropout"].get<double>();
    }
    const json q = r.contains("quantization") && r["quantization"].is_object() ? r["quantization"] : json::object();
    o.double_quant = q.contains("double_quant") && q["double_quant"].is_boolean() ? q["double_quant"].get<bool>()
                                                                                  : has(framework, "torchtune");
    o.precision = has(precision, "mixed") && !has(precision, "mixed_precision: 'no'") ? TrainPrecision::bf16_mixed
                                                                                      : TrainPrecision::bf16;
    o.adapters_fp32 = !(has(framework, "litgpt") || has(framework, "torchtune"));
    // litgpt quantizes through Lightning's BitsandbytesPrecision: every Linear, the head too (FORMULAS.md §2.1).
    o.nf4_every_linear = has(str(q, "library"), "BitsandbytesPrecision");
    // litgpt's module layout (FORMULAS.md §2.4): q, k, v as one Linear (model.py "self.attn = nn.Linear(...)",
    // lora.py LoRAQKVLinear), gate_up_proj as fc_1 and fc_2, and a head of its own even where the checkpoint ties
    // it (convert_hf_checkpoint.py).
    o.litgpt_modules = has(framework, "litgpt");
    o.untie_head = has(framework, "litgpt");
    // litgpt repeats K and V to every query head in training (model.py CausalSelfAttention, FORMULAS.md §2.5) and
    // its LoRA loop keeps the chunked head's logits and log-softmax (finetune/lora.py, utils.py).
    o.repeat_kv = has(framework, "litgpt");
    o.litgpt_loss = has(framework, "litgpt") && has(str(r, "loss"), "lm_head chunked");
    if (has(optimizer, "8bit") || has(optimizer, "8-bit"))
        o.optimizer = has(optimizer, "aged") ? Optimizer::paged_adamw_8bit : Optimizer::adamw_8bit;
    else if (has(optimizer, "PagedAdamW") || has(optimizer, "bitsandbytes"))
        o.optimizer = Optimizer::paged_adamw;
    o.gradient_checkpointing = r.value("gradient_checkpointing", false);
    o.attention = has(str(r, "attention"), "eager") ? TrainAttention::eager : TrainAttention::sdpa;
    o.chunked_loss = has(str(r, "loss"), "chunk");
    o.micro_batch = r.value("micro_batch", 1u);
    o.seq_tokens = r.value("seq_len", 512ull);
    o.n_gpus = r.value("n_gpus", 1u);
    // fms's baseline-peft-bnb on one GPU leaves PEFT preparation to TRL 0.13's SFTTrainer, which keeps the norms in
    // fp32 (framework_plugin_bnb.py warning, trl sft_trainer.py is_sharded_qlora; FORMULAS.md §2.6).
    o.fp32_norms = has(framework, "fms-acceleration") && o.method == TrainMethod::qlora && o.n_gpus == 1;
    // litgpt's full fine-tuning accumulates under fabric.no_backward_sync (finetune/full.py): every litgpt full row's
    // yaml sets global_batch_size above micro_batch_size × devices (16/(1×4), 64/(4×4), 64/(4×1), 32/(4×1),
    // 8/(4×1)).
    o.no_sync_accumulation = has(framework, "litgpt") && o.method == TrainMethod::full;
    o.distribution = has(dist, "zero3") || has(dist, "zero-3") ? Distribution::zero3
                     : has(dist, "fsdp")                       ? Distribution::fsdp
                                                               : Distribution::ddp;
    const std::string off = r.contains("offload") && r["offload"].is_string() ? r["offload"].get<std::string>() : "";
    if (!off.empty() && off != "none") o.offload = has(off, "param") ? Offload::parameters : Offload::optimizer;
    if (r.value("optimizer_in_backward", false)) note += "optimizer in backward (not modelled); ";
    if (r.value("compile", false)) note += "torch.compile (not modelled); ";
    if (r.value("activation_offloading", false)) note += "activation offloading (not modelled); ";
    return o;
}

}  // namespace

// printf into a string (the tables are assembled, then printed or written).
std::string fmt(const char* f, ...) {
    char buf[8192];
    va_list args;
    va_start(args, f);
    std::vsnprintf(buf, sizeof buf, f, args);
    va_end(args);
    return buf;
}

// reasons.jsonl: {id, kind, reason, sources} per held-out row that misses 10 %.
struct Reason {
    std::string kind, text;
};

bool read_reasons(const std::filesystem::path& file, std::map<std::string, Reason>& out) {
    std::ifstream in(file);
    if (!in) return true;  // no reasons written yet
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        try {
            const json r = json::parse(line);
            out[str(r, "id")] = Reason{str(r, "kind"), str(r, "reason")};
        } catch (const json::exception& e) {
            std::cerr << "validate_training: a line of " << file << " is not JSON: " << e.what() << "\n";
            return false;
        }
    }
    return true;
}

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    const fs::path root = VRAM_SOURCE_DIR;
    bool check = false;
    fs::path runs = root / "tests/validation/training/runs.jsonl", write_to;
    for (int k = 1; k < argc; ++k) {
        const std::string a = argv[k];
        if (a == "--check")
            check = true;
        else if (a == "--write" && k + 1 < argc)
            write_to = argv[++k];
        else
            runs = a;
    }
    std::ifstream in(runs);
    if (!in) {
        std::cerr << "validate_training: cannot read " << runs << "\n";
        return 1;
    }
    std::map<std::string, Reason> reasons;
    if (!read_reasons(runs.parent_path() / "reasons.jsonl", reasons)) return 1;
    std::map<std::string, bool> reason_used;
    const std::string head =
        "| run | family | measured GB | estimate GB | estimate / measured | verdict | note |\n"
        "|---|---|---:|---:|---:|---|---|\n";
    std::map<std::string, std::string> table;  // split → rows
    int n_judge = 0, n_judge_ok = 0, n_rows = 0, n_unexplained = 0;
    std::map<std::string, int> by_kind;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        json r;
        try {
            r = json::parse(line);
        } catch (const json::exception& e) {
            std::cerr << "validate_training: a line is not JSON: " << e.what() << "\n";
            return 1;
        }
        const std::string repo = str(r, "fixture_repo");
        if (repo.empty()) continue;
        std::string note;
        const TrainingOptions o = options_of(r, note);
        const RepoSnapshot s = fixture(root / "tests/fixtures/hub" / repo, repo);
        const Model m = analyze(s);
        const TrainTensors tt = training_tensors(s, m);
        const TrainingEstimate e = train_estimate(m, tt, o, nullptr);
        const std::string id = str(r, "id"), split = str(r, "split"), quantity = str(r, "quantity");
        if (e.error) {
            table[split] +=
                fmt("| %s | %s | | | | error | %s |\n", id.c_str(), str(r, "family").c_str(), e.error.message.c_str());
            if (split == "judge" && str(r, "outcome") == "ok") ++n_unexplained;
            continue;
        }
        ++n_rows;
        // max allocated and peak active do not see the CUDA context; nvidia-smi, reserved and unstated may.
        const bool allocated = has(quantity, "allocat") || has(quantity, "active");
        const uint64_t est = e.per_gpu.total_bytes - (allocated ? e.cuda_context_bytes : 0);
        if (str(r, "outcome") == "oom") {
            // An OOM run is consistent with an estimate (CUDA context included: the process ran out) above the
            // card's memory as the row names it ("... 24 GB"); informational, not part of --check.
            const std::string gpu = str(r, "gpu");
            const size_t gb = gpu.rfind(" GB");
            size_t from = gb == std::string::npos ? gb : gpu.rfind(' ', gb - 1);
            const double card =
                from == std::string::npos ? 0 : std::atof(gpu.substr(from + 1, gb - from - 1).c_str()) * kGB;
            const double total = static_cast<double>(e.per_gpu.total_bytes);
            const std::string oom = card <= 0      ? ""
                                    : total > card ? "estimate above the card"
                                                   : "**estimate fits the card: OOM not predicted**";
            table[split] +=
                fmt("| %s | %s | OOM on %s | %.2f | | %s | %s%s |\n", id.c_str(), str(r, "family").c_str(), gpu.c_str(),
                    est / kGB, oom.c_str(), note.c_str(), allocated ? "estimate without the CUDA context" : "");
            continue;
        }
        const double measured = r.value("measured_bytes", 0.0);
        const double ratio = measured > 0 ? est / measured : 0;
        const bool ok = ratio >= 1 - kTolerance && ratio <= 1 + kTolerance;
        std::string verdict = ok ? "within 10 %" : "**outside**";
        const auto why = reasons.find(id);
        if (split == "judge") {
            ++n_judge;
            n_judge_ok += ok;
            if (!ok && why != reasons.end()) {
                ++by_kind[why->second.kind];
                reason_used[id] = true;
                verdict += " — " + why->second.kind;
                note = why->second.text + " " + note;
            } else if (!ok) {
                ++n_unexplained;
                verdict += " — no reason written";
            }
        }
        table[split] +=
            fmt("| %s | %s | %.2f | %.2f | %.3f | %s | %s%s |\n", id.c_str(), str(r, "family").c_str(), measured / kGB,
                est / kGB, ratio, verdict.c_str(), note.c_str(), allocated ? "estimate without the CUDA context" : "");
    }
    std::string summary = fmt("%d runs with a fixture estimated. Held-out (judge) measured runs: %d; within 10 %%: %d",
                              n_rows, n_judge, n_judge_ok);
    for (const auto& [kind, count] : by_kind) summary += fmt("; outside, %s: %d", kind.c_str(), count);
    summary += fmt("; outside without a written reason: %d.", n_unexplained);
    const std::string doc =
        "# Training estimate vs measured fine-tuning runs\n\n"
        "Generated by `build/native/validate_training --write tests/validation/training/RESULTS.md` from `runs.jsonl`, "
        "`reasons.jsonl` and the fixture tree; do not edit by hand. Nothing is fitted: a reason says why a held-out "
        "row "
        "misses 10 %, it does not change the estimate. Estimates of runs measured as `max_memory_allocated` or peak "
        "active memory leave out the CUDA context. A run that ran out of memory is consistent with the estimate when "
        "the "
        "estimate with the CUDA context exceeds the card's memory as the row names it (informational). Split: "
        "`SPLIT.md`.\n\n" +
        summary + "\n\n## Held-out (judge) rows\n\n" + head + table["judge"] + "\n## Calibration rows\n\n" + head +
        table["calibrate"];
    if (write_to.empty())
        std::fputs(doc.c_str(), stdout);
    else {
        std::ofstream out(write_to, std::ios::binary);
        out << doc;
        std::printf("%s\n", summary.c_str());
    }
    const fs::path results = runs.parent_path() / "RESULTS.md";
    std::ifstream committed(results, std::ios::binary);
    std::stringstream was;
    was << committed.rdbuf();
    const bool stale_results = was.str() != doc;
    int stale = 0;
    for (const auto& [id, reason] : reasons)
        if (!reason_used.count(id)) {
            std::fprintf(stderr,
                         "validate_training: reasons.jsonl explains %s, which is not a measured held-out row "
                         "outside 10 %% (stale reason)\n",
                         id.c_str());
            ++stale;
        }
    if (check && stale_results)
        std::fprintf(stderr,
                     "validate_training --check: %s is not what the runs and the estimator give now "
                     "(regenerate with --write)\n",
                     results.string().c_str());
    if (check && (n_unexplained || stale || stale_results)) {
        std::fprintf(stderr,
                     "validate_training --check: %d held-out rows outside 10 %% without a reason, %d stale "
                     "reasons\n",
                     n_unexplained, stale);
        return 1;
    }
    return 0;
}
