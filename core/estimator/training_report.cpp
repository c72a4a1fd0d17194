// JSON, text and Markdown rendering of the training estimate, and its option tables as JSON (training_report.hpp).
#include "estimator/training_report.hpp"

#include <cstdio>

#include "estimator/report.hpp"

namespace vram {
namespace {

using nlohmann::ordered_json;

ordered_json parts_json(const TrainingParts& p) {
    return ordered_json{{"weights_bytes", p.weights_bytes},       {"adapter_bytes", p.adapter_bytes},
                        {"gradient_bytes", p.gradient_bytes},     {"optimizer_bytes", p.optimizer_bytes},
                        {"activation_bytes", p.activation_bytes}, {"logits_bytes", p.logits_bytes},
                        {"overhead_bytes", p.overhead_bytes},     {"total_bytes", p.total_bytes}};
}

ordered_json options_json(const TrainingOptions& o) {
    return ordered_json{{"method", train_method_info(o.method).name},
                        {"double_quant", o.double_quant},
                        {"lora_rank", o.lora_rank},
                        {"lora_targets", o.lora_targets},
                        {"trainable_modules", o.trainable_modules},
                        {"adapters_fp32", o.adapters_fp32},
                        {"kbit_fp32_upcast", o.kbit_fp32_upcast},
                        {"nf4_every_linear", o.nf4_every_linear},
                        {"lora_dropout", o.lora_dropout},
                        {"litgpt_modules", o.litgpt_modules},
                        {"untie_head", o.untie_head},
                        {"repeat_kv", o.repeat_kv},
                        {"litgpt_loss", o.litgpt_loss},
                        {"fp32_norms", o.fp32_norms},
                        {"no_sync_accumulation", o.no_sync_accumulation},
                        {"precision", train_precision_info(o.precision).name},
                        {"optimizer", optimizer_info(o.optimizer).name},
                        {"gradient_checkpointing", o.gradient_checkpointing},
                        {"micro_batch", o.micro_batch},
                        {"seq_tokens", o.seq_tokens},
                        {"attention", train_attention_info(o.attention).name},
                        {"chunked_loss", o.chunked_loss},
                        {"n_gpus", o.n_gpus},
                        {"distribution", distribution_info(o.distribution).name},
                        {"offload", offload_info(o.offload).name}};
}

std::string gib(uint64_t bytes) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
    return buf;
}

std::string padded(const std::string& label, uint64_t bytes) {
    std::string v = gib(bytes);
    std::string out = "  " + label;
    out += std::string(label.size() < 20 ? 20 - label.size() : 1, ' ');
    out += std::string(v.size() < 12 ? 12 - v.size() : 0, ' ') + v + "\n";
    return out;
}

// The fit table's heading and one GPU's verdict, for the text report (the page's table, ui/training.js
// TrainingFitView, says "more than 64" and the replicated case in these words).
std::string fit_counts_text() {
    std::string out;
    for (uint32_t n : kTrainFitCounts) out += (out.empty() ? "" : ", ") + std::to_string(n);
    return out;
}

std::string fit_row_text(const TrainGpuFitRow& r, bool shards) {
    std::string needed = std::to_string(r.gpus_needed) + " (" + gib(r.per_gpu_total_bytes) + " per GPU)";
    if (!r.gpus_needed)
        needed = shards ? "more than " + std::to_string(std::end(kTrainFitCounts)[-1])
                        : "does not fit (replicated: more GPUs do not lower it)";
    return "  - " + pad_right(r.gpu->id, 24) + pad_left(gib(r.gpu->usable_bytes), 12) + "  " + needed + "\n";
}

// "qlora · rank 16 · bf16-mixed · adamw · micro-batch 1 × 2,048 tokens · 1 GPU"
std::string settings_line(const TrainingEstimate& e) {
    const TrainingOptions& o = e.options;
    const TrainMethodInfo& method = train_method_info(o.method);
    std::string s = method.name;
    if (method.adapters) s += " · rank " + std::to_string(o.lora_rank);
    s += std::string(" · ") + train_precision_info(o.precision).name + " · " + optimizer_info(o.optimizer).name;
    s += " · micro-batch " + std::to_string(o.micro_batch) + " × " + format_count(o.seq_tokens) + " tokens";
    if (o.gradient_checkpointing) s += " · checkpointing";
    s += " · " + std::to_string(o.n_gpus) + " GPU" + (o.n_gpus > 1 ? "s" : "");
    if (o.n_gpus > 1 || o.distribution != Distribution::ddp)
        s += std::string(" ") + distribution_info(o.distribution).name;
    if (o.offload != Offload::none) s += std::string(" · offload ") + offload_info(o.offload).name;
    return s;
}

struct PartRow {
    const char* key;  // in parts_json()
    const char* label;
    uint64_t TrainingParts::*field;
};
constexpr PartRow kPartRows[] = {
    {"weights_bytes", "Weights", &TrainingParts::weights_bytes},
    {"adapter_bytes", "Adapters", &TrainingParts::adapter_bytes},
    {"gradient_bytes", "Gradients", &TrainingParts::gradient_bytes},
    {"optimizer_bytes", "Optimizer states", &TrainingParts::optimizer_bytes},
    {"activation_bytes", "Activations", &TrainingParts::activation_bytes},
    {"logits_bytes", "Logits", &TrainingParts::logits_bytes},
    {"overhead_bytes", "Overhead", &TrainingParts::overhead_bytes},
};

// The peak's phase in words (training_activations.cpp names it), for the text report and the page alike.
std::string peak_phase_words(const std::string& phase) {
    if (phase == "backward") return "the start of backward";
    if (phase == "forward_end") return "the end of forward (the previous step's inputs held)";
    if (phase == "backward_end") return "the end of backward (FSDP: the head's and embedding's gradients joined)";
    return "the optimizer step";
}

}  // namespace

std::string render_training_text(const Model& m, const TrainingEstimate& e) {
    std::string s = "Fine-tuning " + m.repo_id + ": " + settings_line(e) + "\n";
    s += "Parameters: " + format_count(e.params) + " total, " + format_count(e.trainable_params) + " trainable";
    if (e.params) {
        char pct[32];
        std::snprintf(pct, sizeof pct, " (%.2f %%)", 100.0 * static_cast<double>(e.trainable_params) / e.params);
        s += pct;
    }
    s += "\n";
    if (e.n_matched_tensors) {
        std::string names;
        for (const auto& n : e.matched_names) names += (names.empty() ? "" : ", ") + n;
        s += (train_method_info(e.options.method).adapters ? "LoRA targets: " : "Trained modules: ") +
             format_count(e.n_matched_tensors) + " tensors matched (" + names +
             (e.n_matched_tensors > e.matched_names.size() ? ", …" : "") + ")\n";
    }
    if (e.n_quantized_tensors) s += "NF4 base: " + format_count(e.n_quantized_tensors) + " tensors quantized\n";
    s += "Per GPU, peak at " + peak_phase_words(e.peak_phase) + ":\n";
    for (const auto& r : kPartRows) s += padded(r.label, e.per_gpu.*r.field);
    s += padded("Total", e.per_gpu.total_bytes);
    if (e.host.total_bytes) s += "Host memory (CPU offload), all ranks:\n" + padded("Total", e.host.total_bytes);
    if (e.gpu) {
        s += std::string("Fits ") + e.gpu->name + " (" + gib(e.gpu->usable_bytes) +
             " usable): " + (e.fits ? "yes" : "no") + "\n";
        s += "  Largest micro-batch at " + format_count(e.options.seq_tokens) +
             " tokens: " + format_count(e.max_micro_batch_fit) + "\n";
        s += "  Longest sequence at micro-batch " + std::to_string(e.options.micro_batch) + ": " +
             format_count(e.max_seq_tokens_fit) + " tokens\n";
    }
    if (!e.gpu_fit.empty()) {
        const DistributionInfo& d = distribution_info(e.options.distribution);
        s += std::string("GPUs needed, ") + d.label + ": the smallest count of " + fit_counts_text() + " that fits\n";
        for (const auto& r : e.gpu_fit) s += fit_row_text(r, d.shards_optimizer);
    }
    for (const auto& w : e.warnings) s += "Warning: " + w + "\n";
    s += "Assumptions:\n";
    for (const auto& a : e.assumptions) s += "  - " + a + "\n";
    return s;
}

std::string render_training_markdown(const Model& m, const TrainingEstimate& e) {
    std::string s = "| " + m.repo_id + " fine-tuning | " + settings_line(e) + " |\n|---|---:|\n";
    for (const auto& r : kPartRows)
        if (e.per_gpu.*r.field) s += std::string("| ") + r.label + " | " + gib(e.per_gpu.*r.field) + " |\n";
    s += "| **Total per GPU** | **" + gib(e.per_gpu.total_bytes) + "** |\n";
    if (e.host.total_bytes) s += "| Host memory (offload) | " + gib(e.host.total_bytes) + " |\n";
    if (e.gpu) {
        s += std::string("| Fits ") + e.gpu->name + " | " + (e.fits ? "yes" : "no") + " |\n";
        s += "| Max micro-batch | " + format_count(e.max_micro_batch_fit) + " |\n";
    }
    s += "\n" + format_count(e.trainable_params) + " of " + format_count(e.params) +
         " parameters trained. GiB = 2^30 bytes.\n";
    for (const auto& w : e.warnings) s += "\nWarning: " + w + "\n";
    return s;
}

nlohmann::json training_json(const TrainingEstimate& e) {
    if (e.error) return {{"error", {{"code", error_code_name(e.error.code)}, {"message", e.error.message}}}};
    ordered_json j;
    j["options"] = options_json(e.options);
    j["lora_targets_used"] = e.lora_targets;
    j["params"] = {{"total_params", e.params},
                   {"trainable_params", e.trainable_params},
                   {"frozen_params", e.frozen_params},
                   {"adapter_params", e.adapter_params}};
    j["matched_tensors"] = {{"count", e.n_matched_tensors}, {"names", e.matched_names}};
    j["quantized_tensors"] = e.n_quantized_tensors;
    j["model"] = {{"weights_bytes", e.weights_bytes},
                  {"step_temp_bytes", e.step_temp_bytes},
                  {"backward_gradient_bytes", e.backward_gradient_bytes},
                  {"quant_constants_bytes", e.quant_constants_bytes},
                  {"adapter_bytes", e.adapter_bytes},
                  {"gradient_bytes", e.gradient_bytes},
                  {"master_weights_bytes", e.master_bytes},
                  {"optimizer_bytes", e.optimizer_bytes}};
    j["tokens"] = e.tokens;
    j["peak_phase"] = e.peak_phase;
    j["peak_phase_text"] = peak_phase_words(e.peak_phase);  // what the page and the text report say
    j["per_gpu"] = parts_json(e.per_gpu);
    j["per_gpu_details"] = {{"backward_peak_bytes", e.backward_peak_bytes},
                            {"step_peak_bytes", e.step_peak_bytes},
                            {"activation_bytes", e.activation_bytes},
                            {"logits_bytes", e.logits_bytes},
                            {"checkpoint_bytes", e.checkpoint_bytes},
                            {"recompute_bytes", e.recompute_bytes},
                            {"ddp_bucket_bytes", e.ddp_bucket_bytes},
                            {"gathered_layer_bytes", e.gathered_layer_bytes},
                            {"dequant_buffer_bytes", e.dequant_buffer_bytes},
                            {"cuda_context_bytes", e.cuda_context_bytes},
                            {"forward_end_peak_bytes", e.forward_end_peak_bytes},
                            {"prior_step_input_bytes", e.prior_step_input_bytes},
                            {"backward_end_peak_bytes", e.backward_end_peak_bytes},
                            {"root_gradient_bytes", e.root_gradient_bytes}};
    j["host"] = parts_json(e.host);
    ordered_json layers = ordered_json::array();
    for (const auto& l : e.layers)
        layers.push_back(
            {{"layer", l.layer}, {"moe", l.moe}, {"saved_bytes", l.saved_bytes}, {"scores_bytes", l.scores_bytes}});
    j["layers"] = layers;
    // Rows stay lean, as the inference report's gpu_fit (the catalog's full entry: vram-estimate --list-gpus).
    ordered_json fit = ordered_json::array();
    for (const auto& r : e.gpu_fit) {
        ordered_json row = ordered_json::object();
        row["id"] = r.gpu->id;
        row["name"] = r.gpu->name;
        row["usable_bytes"] = r.gpu->usable_bytes;
        row["fits"] = r.fits;
        row["gpus_needed"] = r.gpus_needed;
        row["per_gpu_total_bytes"] = r.per_gpu_total_bytes;
        fit.push_back(std::move(row));
    }
    j["gpu_fit"] = std::move(fit);
    j["gpu_fit_counts"] = kTrainFitCounts;
    if (e.gpu) {
        j["gpu"] = {{"id", e.gpu->id},
                    {"name", e.gpu->name},
                    {"usable_bytes", e.gpu->usable_bytes},
                    {"fits", e.fits},
                    {"max_micro_batch_fit", e.max_micro_batch_fit},
                    {"max_seq_tokens_fit", e.max_seq_tokens_fit}};
    }
    j["assumptions"] = e.assumptions;
    j["warnings"] = e.warnings;
    return j;
}

std::string render_training_json(const TrainingEstimate& e, int indent) { return training_json(e).dump(indent); }

nlohmann::json training_tables_json() {
    ordered_json t;
    for (const auto& r : train_methods())
        t["methods"].push_back({{"id", static_cast<int>(r.id)},
                                {"name", r.name},
                                {"label", r.label},
                                {"adapters", r.adapters},
                                {"base_nf4", r.base_nf4},
                                {"train_named_only", r.train_named_only},
                                {"description", r.description},
                                {"source", r.source}});
    for (const auto& r : train_precisions())
        t["precisions"].push_back({{"id", static_cast<int>(r.id)},
                                   {"name", r.name},
                                   {"label", r.label},
                                   {"frozen_bytes_per_param", r.frozen_bytes},
                                   {"weight_bytes_per_param", r.weight_bytes},
                                   {"master_bytes_per_param", r.master_bytes},
                                   {"grad_bytes_per_param", r.grad_bytes},
                                   {"adapter_bytes_per_param", r.adapter_bytes},
                                   {"state_bytes_per_element", r.state_bytes},
                                   {"activation_bytes_per_element", r.activation_bytes},
                                   {"autocast", r.autocast},
                                   {"cast_copies", r.cast_copies},
                                   {"description", r.description},
                                   {"source", r.source}});
    static const char* kRules[] = {"per_param", "blockwise_8bit", "factored"};
    for (const auto& r : optimizers())
        t["optimizers"].push_back({{"id", static_cast<int>(r.id)},
                                   {"name", r.name},
                                   {"label", r.label},
                                   {"rule", kRules[static_cast<int>(r.rule)]},
                                   {"n_states", r.n_states},
                                   {"block_elements", r.block_elements},
                                   {"min_8bit_elements", r.min_8bit_elements},
                                   {"paged", r.paged},
                                   {"fp32_states", r.fp32_states},
                                   {"step_temp_states", r.step_temp_states},
                                   {"description", r.description},
                                   {"source", r.source}});
    for (const auto& r : train_attentions())
        t["attentions"].push_back({{"id", static_cast<int>(r.id)},
                                   {"name", r.name},
                                   {"label", r.label},
                                   {"saves_scores", r.saves_scores},
                                   {"description", r.description},
                                   {"source", r.source}});
    for (const auto& r : distributions())
        t["distributions"].push_back({{"id", static_cast<int>(r.id)},
                                      {"name", r.name},
                                      {"label", r.label},
                                      {"shards_optimizer", r.shards_optimizer},
                                      {"shards_gradients", r.shards_gradients},
                                      {"shards_parameters", r.shards_parameters},
                                      {"bucket_copy", r.bucket_copy},
                                      {"flat_param_views", r.flat_param_views},
                                      {"description", r.description},
                                      {"source", r.source}});
    for (const auto& r : offloads())
        t["offloads"].push_back({{"id", static_cast<int>(r.id)},
                                 {"name", r.name},
                                 {"label", r.label},
                                 {"optimizer_to_host", r.optimizer_to_host},
                                 {"parameters_to_host", r.parameters_to_host},
                                 {"description", r.description},
                                 {"source", r.source}});
    // The parts of a per-GPU figure, in the order the reports list them (keys of "per_gpu"): the page and the embed
    // label them from here.
    for (const auto& r : kPartRows) t["parts"].push_back({{"key", r.key}, {"label", r.label}});
    t["default_lora_targets"] = default_lora_targets();
    t["bounds"] = {{"max_lora_rank", kMaxLoraRank},
                   {"max_micro_batch", kMaxMicroBatch},
                   {"max_seq_tokens", kMaxSeqTokens},
                   {"max_gpus", kMaxTrainGpus},
                   {"max_target_patterns", kMaxTargetPatterns}};
    return t;
}

}  // namespace vram
