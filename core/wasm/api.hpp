// The page's API over the core, in JSON strings (field names as in C++ and in the CLI's --json):
// a load session per model id, and the parsed Models kept by handle so that changing a control
// recomputes without any request.
#pragma once
#include <emscripten/val.h>

#include <cstdint>
#include <string>

namespace vram::wasm {

// Starts loading; calls on_progress(json) while it runs and on_done(json) once:
//   {"ok":true,"handle":N,"repo_id":…,"sha":…} or {"ok":false,"error":{"code":…,"message":…}}.
// Returns a session id for cancel().
int load_model(std::string endpoint, std::string repo_id, std::string revision, std::string token, std::string variant,
               emscripten::val on_progress, emscripten::val on_done);
void cancel(int session);
// Re-creates a Model from a stored snapshot (offline use); same JSON as on_done.
std::string load_snapshot(std::string snapshot_json);
// The snapshot as a JS object with snapshot_to_json's keys (JSON.stringify it to store it).
emscripten::val snapshot(int handle);
// options: {"precision":"auto","context_tokens":0,"batch":1,"profile":"classic", …} with the keys of the core's
// option table (estimator/options.hpp), values as numbers, booleans or text; format: json|text|markdown.
// Every adapter answers {"ok":false,"error":{"code","message"}} on any failure, never throws.
// GGUF repos and the llama.cpp profile add "gguf_file" (a file or a type such as "Q5_K_M"; the stored snapshot is
// re-analyzed, no request), "flash_attention" (true), "n_gpu_layers" (-1 = all) and "ubatch_tokens" (512).
// Fine-tuning: "train":"lora" (any method of the training tables) and the training keys of the option table
// ("optimizer", "lora_rank", "micro_batch", "seq_tokens", …); json adds a "training" object to the report, text and
// markdown are the training report. Without "train" (or with null / "none") the report is the inference one.
std::string report(int handle, std::string options_json, std::string format);
void release(int handle);
// The page's one call per control change: {"ok":true,"report":{…as report()},"series":[point…],"matrix":[row…]}.
// request_json: {"contexts":[N…]} — the chart's points, each the per-GPU parts at that context
// ({"context_tokens","model_weights","kv_cache","activation_overhead","cuda_overhead","total","fits"}; fits is null
// without a GPU) — and {"matrix":{"rows":[{overrides}…],"contexts":[N…]}}: each row the options with its overrides
// ({"precision":"int4"}), as {"cells":[point…]} or {"error":{code,message}} when the core refuses that combination.
std::string view(int handle, std::string options_json, std::string request_json);
// Which engines (profiles) refuse the model, and why, with the report of the first that takes it (fit table off):
// {"ok":true,"refused":{"llama.cpp":"profile llama.cpp needs a GGUF repo: …"},"first":{…as report()}|null}.
std::string engines(int handle);
// The GPU catalog: [{"id","name","segment","backend","memory_bytes","usable_bytes","multi_gpu"}].
std::string gpus();
// Every list and default the page's controls and the embed's attributes are built from (estimator/vocabulary.hpp).
std::string vocabularies();
// The version of hf-vram-estimator this core was built as (package.json "version").
std::string version();
// Bench only (scripts/bench, the parse-throughput figure): parses one safetensors JSON header with the
// core's parser, keeps nothing, and returns its tensor count (-1 when the header is malformed).
int parse_header_stats(std::string header_json);
int parse_header_stats_at(uintptr_t address, uint32_t length);  // bytes already in the heap

}  // namespace vram::wasm
