// A streaming JSON writer for the reports: the text nlohmann's dump() gives for the same values, keys
// in the order written (as ordered_json keeps them), without building a DOM first. render_json
// (report.cpp) writes ~100 values and 30–200 fit rows on every control change of the page and on
// every input of the pipeline fuzzers; building nlohmann's ordered_json and dumping it was the largest
// part of both (issue #16 item 8, #17 item 4).
//
// Byte-identical to nlohmann::json::dump(indent, ' ', false, error_handler_t::replace) by construction:
// - layout: "{}" / "[]" when empty; with indent ≥ 0 a newline and indent × depth spaces before each
//   member, "\"key\": " after a key; with indent < 0 no whitespace at all;
// - strings: '"', '\\' and the control characters escaped as nlohmann does (\b \t \n \f \r, else
//   \u00xx), valid UTF-8 copied; a string that is not valid UTF-8 goes to nlohmann's own serializer,
//   which replaces the bad bytes with U+FFFD;
// - doubles through nlohmann's serializer (its shortest round-trip digits, "null" for NaN and ±inf);
// - integers in decimal.
// tests/unit/json_writer_test.cpp compares it with nlohmann on the same values.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vram {

class JsonWriter {
  public:
    explicit JsonWriter(int indent) : indent_(indent) {}

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }

    // The next value is this member's; a key is only valid inside an object.
    JsonWriter& key(std::string_view k) {
        separate();
        put_string(k);
        out_ += indent_ >= 0 ? "\": " : "\":";
        after_key_ = true;
        return *this;
    }

    JsonWriter& null() {
        separate();
        out_ += "null";
        return *this;
    }
    JsonWriter& value(bool b) {
        separate();
        out_ += b ? "true" : "false";
        return *this;
    }
    JsonWriter& value(std::string_view s) {
        separate();
        put_string(s);
        out_ += '"';
        return *this;
    }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(double d);
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    JsonWriter& value(T n) {
        separate();
        if constexpr (std::is_signed_v<T>) {
            put_integer(static_cast<int64_t>(n));
        } else {
            put_unsigned(static_cast<uint64_t>(n));
        }
        return *this;
    }
    JsonWriter& value(const std::vector<std::string>& list) {
        begin_array();
        for (const auto& s : list) value(std::string_view(s));
        return end_array();
    }

    // key(k).value(v) in one call.
    template <class T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    JsonWriter& null_field(std::string_view k) { return key(k).null(); }
    // field(k, v) when `has`, else null_field(k): the report's optional values.
    template <class T>
    JsonWriter& field_or_null(std::string_view k, bool has, const T& v) {
        key(k);
        return has ? value(v) : null();
    }

    // A value already serialised by nlohmann's dump() with this writer's indent at depth 0: placed at the
    // current depth (each newline gains the current depth's indentation; JSON strings never hold a raw newline).
    JsonWriter& raw_dump(std::string_view dumped);

    // The text so far (complete once every container is closed).
    std::string take() { return std::move(out_); }
    void reserve(size_t n) { out_.reserve(n); }

  private:
    JsonWriter& open(char c) {
        separate();
        out_ += c;
        first_.push_back(true);
        return *this;
    }
    JsonWriter& close(char c) {
        const bool empty = first_.back();
        first_.pop_back();
        if (!empty) newline();
        out_ += c;
        return *this;
    }
    // Before a value or a key: nothing after a key; else a comma unless first in its container, then the
    // pretty-printer's newline and indentation.
    void separate() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        if (first_.empty()) return;
        if (!first_.back()) out_ += ',';
        first_.back() = false;
        newline();
    }
    void newline() {
        if (indent_ < 0) return;
        out_ += '\n';
        out_.append(static_cast<size_t>(indent_) * first_.size(), ' ');
    }
    // Writes the opening quote and the escaped text, not the closing quote.
    void put_string(std::string_view s);
    void put_unsigned(uint64_t n);
    void put_integer(int64_t n);

    int indent_;
    std::string out_;
    std::vector<bool> first_;  // per open container: nothing written in it yet
    bool after_key_ = false;
};

}  // namespace vram
