// The training estimate as JSON: its own object (the "training" key of a report, or a document of its own), every
// field snake_case with its unit in the name. render_training_json() gives the text the CLI and the page print.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "estimator/training.hpp"

namespace vram {

nlohmann::json training_json(const TrainingEstimate& e);
// indent 2 for people, -1 for programs. An estimate with an error renders {"error": {"code", "message"}}.
std::string render_training_json(const TrainingEstimate& e, int indent = 2);

// The training estimate for people: the CLI's text report (after the "Found N files" preamble) and the compact
// Markdown table for a model card. Sizes in GiB (2^30 bytes), named as such.
std::string render_training_text(const Model& m, const TrainingEstimate& e);
std::string render_training_markdown(const Model& m, const TrainingEstimate& e);

// Every option table (rows with id, name, label, costs, description, source) for the page's controls and --help.
nlohmann::json training_tables_json();

}  // namespace vram
