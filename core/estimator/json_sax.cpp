#include "estimator/json_sax.hpp"

#include <nlohmann/json.hpp>

namespace vram {
namespace {

using nlohmann::json;

enum class Kind { null, string, object, array, true_value, other };

// The events both readers share: nlohmann's SAX calls, turned into one hook in the derived reader,
// `void value(Kind kind, const std::string* text)`, called as a value starts (a scalar, or a container before it
// opens), with `depth` the containers open around it (1: a root member's value, named by `member`), and
// `void closed()` after a container closes.
template <class Reader>
struct RootSax {
    size_t depth = 0;
    bool object = false;  // the root is an object
    std::string member;   // the root member whose value comes next
    std::string error;    // the parser's message

    Reader& self() { return static_cast<Reader&>(*this); }
    bool scalar(Kind kind, const std::string* text = nullptr) { return self().value(kind, text), true; }
    bool null() { return scalar(Kind::null); }
    bool boolean(bool b) { return scalar(b ? Kind::true_value : Kind::other); }
    bool number_integer(json::number_integer_t) { return scalar(Kind::other); }
    bool number_unsigned(json::number_unsigned_t) { return scalar(Kind::other); }
    bool number_float(json::number_float_t, const json::string_t&) { return scalar(Kind::other); }
    bool binary(json::binary_t&) { return scalar(Kind::other); }
    bool string(json::string_t& v) { return scalar(Kind::string, &v); }
    bool start_object(std::size_t) {
        if (depth == 0) object = true;
        return open(Kind::object);
    }
    bool start_array(std::size_t) { return open(Kind::array); }
    bool open(Kind kind) {
        self().value(kind, nullptr);
        ++depth;
        return true;
    }
    bool key(json::string_t& k) {
        if (depth == 1) member = k;
        return true;
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool close() {
        --depth;
        self().closed();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        error = e.what();
        return false;
    }
};

// config.json: "_class_name", the first element of "architectures", whether "quantization_config" is an object.
struct ConfigSax : RootSax<ConfigSax> {
    bool in_architectures = false, architectures_first = false;
    std::string class_name, architecture;
    bool class_name_is_string = false, architecture_is_string = false, quantization_is_object = false;

    void value(Kind kind, const std::string* text) {
        if (depth == 1) {
            if (member == "_class_name") {
                class_name_is_string = kind == Kind::string;
                if (text) class_name = *text;
            } else if (member == "architectures") {
                architecture_is_string = false;  // an array whose first element is a string sets it below
                in_architectures = architectures_first = kind == Kind::array;
            } else if (member == "quantization_config") {
                quantization_is_object = kind == Kind::object;
            }
        } else if (depth == 2 && in_architectures && architectures_first) {
            architectures_first = false;
            architecture_is_string = kind == Kind::string;
            if (text) architecture = *text;
        }
    }
    void closed() {
        if (depth == 1) in_architectures = false;
    }
};

// model_index.json: for each root member, whether its value is an array of two whose first element is not null.
struct ManifestSax : RootSax<ManifestSax> {
    std::map<std::string, bool> pairs;
    bool* current = nullptr;  // the pair flag of the root member whose array is open
    size_t elements = 0;
    bool first_null = false;

    void value(Kind kind, const std::string*) {
        if (depth == 1) {
            bool& pair = pairs[member] = false;
            if (kind == Kind::array) {
                current = &pair;
                elements = 0;
                first_null = false;
            }
        } else if (depth == 2 && current) {
            if (elements++ == 0) first_null = kind == Kind::null;
        }
    }
    void closed() {
        if (depth == 1 && current) {
            *current = elements == 2 && !first_null;
            current = nullptr;
        }
    }
};

// json::sax_parse, with what the parser throws (an input it cannot read) taken as a failure: false, and sax.error
// holds the message.
template <class Sax>
bool parse_text(const std::string& text, Sax& sax) {
    try {
        return json::sax_parse(text, &sax);
    } catch (const json::exception& e) {
        sax.error = e.what();
        return false;
    }
}

// The model info: each occurrence of a member sets it again (a key given twice counts as its last value).
struct ModelInfoSax : RootSax<ModelInfoSax> {
    ModelInfoFacts facts;

    void value(Kind kind, const std::string* text) {
        if (depth != 1) return;
        std::string* out = member == "sha"            ? &facts.sha
                           : member == "id"           ? &facts.id
                           : member == "library_name" ? &facts.library_name
                           : member == "pipeline_tag" ? &facts.pipeline_tag
                                                      : nullptr;
        if (out) {
            *out = kind == Kind::string ? *text : std::string();
        } else if (member == "gated") {
            facts.has_gated = true;
            facts.gated = kind == Kind::string ? *text : kind == Kind::true_value ? "true" : "false";
        }
    }
    void closed() {}
};

}  // namespace

ModelInfoFacts read_model_info(const std::string& text) {
    ModelInfoSax sax;
    if (!parse_text(text, sax)) return ModelInfoFacts{};
    sax.facts.valid = true;
    sax.facts.object = sax.object;
    return std::move(sax.facts);
}

ConfigClass read_config_class(const std::string& text) {
    ConfigClass c;
    ConfigSax sax;
    if (!parse_text(text, sax) || !sax.object) return c;
    c.object = true;
    if (sax.class_name_is_string)
        c.class_name = std::move(sax.class_name);
    else if (sax.architecture_is_string)
        c.class_name = std::move(sax.architecture);
    // A quantized component (rare): the object's text, from a DOM of the config.
    if (sax.quantization_is_object) try {
            c.quantization_config = json::parse(text)["quantization_config"].dump();
        } catch (const json::exception&) {}
    return c;
}

ManifestMembers read_manifest_members(const std::string& text) {
    ManifestMembers m;
    ManifestSax sax;
    m.valid = parse_text(text, sax);
    if (!m.valid) {
        m.error = std::move(sax.error);
        return m;
    }
    m.object = sax.object;
    m.pairs = std::move(sax.pairs);
    return m;
}

}  // namespace vram
