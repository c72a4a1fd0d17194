// Every list a user chooses from, and every default and limit that goes with it, as one JSON document: what the
// wasm binding hands to the page and the embed (`vocabularies()`), so that their controls and attribute checks are
// built from the core's tables, never from a second copy.
#pragma once
#include <nlohmann/json.hpp>

namespace vram {

// {"profiles":[…], "precisions":[…], "kv_dtypes":[…], "gpus":[…], "options":[…], "units":{…}}
nlohmann::json vocabularies_json();
// The GPU catalog rows alone: [{"id","name","segment","backend","memory_bytes","usable_bytes","multi_gpu"}].
nlohmann::json gpus_json();

}  // namespace vram
