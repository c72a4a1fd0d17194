#include "estimator/json_sax.hpp"

#include <nlohmann/json.hpp>

namespace vram {
namespace {

using nlohmann::json;

struct ConfigSax {
    size_t depth = 0;     // containers open around the next value
    bool object = false;  // the root is an object
    std::string member;   // the root member whose value comes next
    bool in_architectures = false, architectures_first = false;
    std::string class_name, architecture;
    bool class_name_is_string = false, architecture_is_string = false, quantization_is_object = false;

    // A value starts (a scalar, or a container before it opens): depth 1 is a root member's value, depth 2
    // the first element of "architectures".
    void value(bool is_string, bool is_object, const std::string* text) {
        if (depth == 1) {
            if (member == "_class_name") {
                class_name_is_string = is_string;
                if (is_string) class_name = *text;
            } else if (member == "architectures") {
                architecture_is_string = false;  // an array whose first element is a string sets it below
            } else if (member == "quantization_config") {
                quantization_is_object = is_object;
            }
        } else if (depth == 2 && in_architectures && architectures_first) {
            architectures_first = false;
            architecture_is_string = is_string;
            if (is_string) architecture = *text;
        }
    }
    bool null() { return value(false, false, nullptr), true; }
    bool boolean(bool) { return null(); }
    bool number_integer(json::number_integer_t) { return null(); }
    bool number_unsigned(json::number_unsigned_t) { return null(); }
    bool number_float(json::number_float_t, const json::string_t&) { return null(); }
    bool binary(json::binary_t&) { return null(); }
    bool string(json::string_t& v) { return value(true, false, &v), true; }
    bool start_object(std::size_t) {
        if (depth == 0) object = true;
        value(false, true, nullptr);
        ++depth;
        return true;
    }
    bool key(json::string_t& k) {
        if (depth == 1) member = k;
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) {
        value(false, false, nullptr);
        if (depth == 1 && member == "architectures") in_architectures = architectures_first = true;
        ++depth;
        return true;
    }
    bool end_array() { return close(); }
    bool close() {
        if (--depth == 1) in_architectures = false;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }
};

struct ManifestSax {
    size_t depth = 0;
    bool object = false;
    std::string member;
    std::map<std::string, bool> pairs;  // root member → its value is a [library, class] pair
    bool* current = nullptr;            // the pair flag of the root member whose array is open
    size_t elements = 0;
    bool first_null = false;
    std::string error;

    void value(bool is_null) {
        if (depth == 1) {
            pairs[member] = false;
        } else if (depth == 2 && current) {
            if (elements++ == 0) first_null = is_null;
        }
    }
    bool null() { return value(true), true; }
    bool boolean(bool) { return value(false), true; }
    bool number_integer(json::number_integer_t) { return value(false), true; }
    bool number_unsigned(json::number_unsigned_t) { return value(false), true; }
    bool number_float(json::number_float_t, const json::string_t&) { return value(false), true; }
    bool string(json::string_t&) { return value(false), true; }
    bool binary(json::binary_t&) { return value(false), true; }
    bool start_object(std::size_t) {
        if (depth == 0) object = true;
        value(false);
        ++depth;
        return true;
    }
    bool start_array(std::size_t) {
        value(false);
        if (depth == 1) {
            current = &pairs[member];
            elements = 0;
            first_null = false;
        }
        ++depth;
        return true;
    }
    bool key(json::string_t& k) {
        if (depth == 1) member = k;
        return true;
    }
    bool end_object() { return --depth, true; }
    bool end_array() {
        if (--depth == 1 && current) {
            *current = elements == 2 && !first_null;
            current = nullptr;
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        error = e.what();
        return false;
    }
};

}  // namespace

ConfigClass read_config_class(const std::string& text) {
    ConfigClass c;
    ConfigSax sax;
    try {
        if (!json::sax_parse(text, &sax) || !sax.object) return c;
    } catch (const json::exception&) {
        return c;
    }
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
    try {
        m.valid = json::sax_parse(text, &sax);
    } catch (const json::exception& e) {
        m.valid = false;
        sax.error = e.what();
    }
    if (!m.valid) {
        m.error = std::move(sax.error);
        return m;
    }
    m.object = sax.object;
    m.pairs = std::move(sax.pairs);
    return m;
}

}  // namespace vram
