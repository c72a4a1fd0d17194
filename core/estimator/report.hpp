// Reports rendered from one structure (Model + Estimate): the original tool's text layout, its
// JSON schema (every original key unchanged, plus schema_version and new fields), and a compact
// Markdown table for model cards. The engine profiles (and classic with a GPU) add lines after the
// original layout: per-layer KV, per-GPU breakdown, the engine's reservation, fit and the GPU table
// (fields listed in docs/estimates.md). New lines print GiB (2^30) and GB (10^9) by name.
#pragma once
#include <string>

#include "estimator/estimate.hpp"
#include "estimator/training.hpp"

namespace vram {

// Version of the JSON report schema; bumped on any incompatible change (keys are only added).
constexpr int kReportSchemaVersion = 1;

// "13.49 GB", "500.00 MB" — the original tool's units (GB = 2^30 bytes, MB = 2^20).
std::string format_bytes(uint64_t bytes);
// The same powers of 1024 named GiB / MiB / KiB (Markdown and the page's unit policy).
std::string format_binary(uint64_t bytes);
// "32,768"
std::string format_count(uint64_t n);
// A text report's columns: `s` padded with spaces to `width` on the right / on the left (unchanged when longer).
std::string pad_right(const std::string& s, size_t width);
std::string pad_left(const std::string& s, size_t width);

std::string render_text(const Model& m, const Estimate& e);
// indent 2 for people (the CLI), -1 for programs (the page: smaller and faster).
// With a training estimate, the report gains a "training" object (training_report.hpp); the rest is unchanged.
std::string render_json(const Model& m, const Estimate& e, int indent = 2, const TrainingEstimate* training = nullptr);
std::string render_markdown(const Model& m, const Estimate& e);
// The "Found N safetensors file(s)" preamble the CLI prints before the report.
std::string render_preamble(const Model& m);

}  // namespace vram
