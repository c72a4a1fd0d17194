// Facts read from JSON texts with nlohmann's SAX parser, without building a DOM: a pipeline component's config.json
// (its class), model_index.json (which members name a component) and the Hub's model info. The Hub client plans after every round of
// answers, and a DOM of each text every time was a fifth of the fuzz targets' work (tests/fuzz/README.md, "Ninth
// pass"). The parser is json::parse's own, so the same texts are accepted and refused, with the same messages; a
// key given twice counts as its last value, as in the DOM.
#pragma once
#include <map>
#include <string>

namespace vram {

struct ConfigClass {
    bool object = false;              // valid JSON whose root is an object (else nothing below is set)
    std::string class_name;           // "_class_name" when a string, else the first of "architectures" if a string
    std::string quantization_config;  // the object's JSON text (from a DOM: rare); empty when absent or no object
};
ConfigClass read_config_class(const std::string& text);

struct ManifestMembers {
    bool valid = false;                 // valid JSON
    std::string error;                  // the parser's message when not
    bool object = false;                // the root is an object
    std::map<std::string, bool> pairs;  // root member (sorted) → its value is an array of two, the first not null
};
ManifestMembers read_manifest_members(const std::string& text);

// The Hub's model info (GET /api/models/{id}/revision/{rev}, core/hub): the members the Hub client reads. A string
// member that is absent or not a string reads as "".
struct ModelInfoFacts {
    bool valid = false;   // valid JSON
    bool object = false;  // the root is an object
    std::string sha, id, library_name, pipeline_tag;
    bool has_gated = false;  // "gated" is present: a string is kept as written, true reads "true", else "false"
    std::string gated;
};
ModelInfoFacts read_model_info(const std::string& text);

}  // namespace vram
