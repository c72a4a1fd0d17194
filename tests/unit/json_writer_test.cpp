// Unit tests of JsonWriter (core/estimator/json_writer.hpp), the reports' DOM-free JSON writer: the same values
// written through it and through an nlohmann::ordered_json dumped as render_json used to
// (dump(indent, ' ', false, error_handler_t::replace)) must give the same bytes, at every indent.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "estimator/json_writer.hpp"

using namespace vram;
using nlohmann::ordered_json;

namespace {

std::string dom_dump(const ordered_json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes an ordered_json value through the writer, value by value (never through nlohmann's dump).
void write(JsonWriter& w, const ordered_json& j) {
    switch (j.type()) {
        case ordered_json::value_t::object:
            w.begin_object();
            for (const auto& [k, v] : j.items()) {
                w.key(k);
                write(w, v);
            }
            w.end_object();
            break;
        case ordered_json::value_t::array:
            w.begin_array();
            for (const auto& v : j) write(w, v);
            w.end_array();
            break;
        case ordered_json::value_t::string:
            w.value(j.get_ref<const std::string&>());
            break;
        case ordered_json::value_t::boolean:
            w.value(j.get<bool>());
            break;
        case ordered_json::value_t::number_unsigned:
            w.value(j.get<uint64_t>());
            break;
        case ordered_json::value_t::number_integer:
            w.value(j.get<int64_t>());
            break;
        case ordered_json::value_t::number_float:
            w.value(j.get<double>());
            break;
        default:
            w.null();
            break;
    }
}

std::string writer_dump(const ordered_json& j, int indent) {
    JsonWriter w(indent);
    write(w, j);
    return w.take();
}

// Strings that exercise every branch of the escaper: ASCII, each control byte, quotes and backslashes,
// valid 2/3/4-byte UTF-8 at the edges of each range, and the ill-formed sequences nlohmann replaces.
std::vector<std::string> edge_strings() {
    std::vector<std::string> s = {"",
                                  "plain",
                                  "q\"uote",
                                  "back\\slash",
                                  "\x7f del",
                                  "/solidus",
                                  "\xc2\x80",
                                  "\xdf\xbf",
                                  "\xe0\xa0\x80",
                                  "\xef\xbf\xbf",
                                  "\xed\x9f\xbf",
                                  "\xee\x80\x80",
                                  "\xf0\x90\x80\x80",
                                  "\xf4\x8f\xbf\xbf",
                                  "\xc2\xb7 middle dot, \xc3\x97 times, \xe2\x89\x88 approx",
                                  "\xc0\xaf",          // overlong '/'
                                  "\xc1\xbf",          // overlong
                                  "\xe0\x9f\xbf",      // overlong 3-byte
                                  "\xed\xa0\x80",      // surrogate
                                  "\xf0\x8f\xbf\xbf",  // overlong 4-byte
                                  "\xf4\x90\x80\x80",  // above U+10FFFF
                                  "\xf5\x80\x80\x80",  // invalid lead
                                  "\xff",              // invalid byte
                                  "\x80 lone continuation",
                                  "cut \xe2\x89",  // truncated at the end
                                  "cut \xe2 mid",  // truncated in the middle
                                  "\xc3\x28",      // bad continuation
                                  "a\xf0\x9f\x98"
                                  "b"};  // 4-byte cut short
    for (int c = 0; c < 0x20; ++c) s.push_back("ctl" + std::string(1, static_cast<char>(c)) + "end");
    s.push_back(std::string("nul\0inside", 10));
    return s;
}

ordered_json random_value(std::mt19937_64& rng, int depth, const std::vector<std::string>& strings) {
    const int kind = static_cast<int>(rng() % (depth >= 4 ? 7 : 9));
    const auto pick = [&] { return strings[rng() % strings.size()]; };
    switch (kind) {
        case 0:
            return nullptr;
        case 1:
            return rng() % 2 == 0;
        case 2:
            return static_cast<uint64_t>(rng() >> (rng() % 64));
        case 3:
            return -static_cast<int64_t>(rng() >> (1 + rng() % 63));
        case 4: {
            const double ds[] = {0.0,
                                 -0.0,
                                 0.1,
                                 1.0,
                                 0.9,
                                 2.5e-9,
                                 1e300,
                                 -123.456,
                                 1e21,
                                 1e22,
                                 0.30000000000000004,
                                 17.98,
                                 79.11,
                                 3.0,
                                 std::nan(""),
                                 std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity()};
            if (rng() % 2) return ds[rng() % (sizeof ds / sizeof ds[0])];
            return std::round(static_cast<double>(rng() % 1000000) / 7.0) / 100.0;
        }
        case 5:
        case 6:
            return pick();
        case 7: {
            ordered_json a = ordered_json::array();
            const size_t n = rng() % 4;
            for (size_t i = 0; i < n; ++i) a.push_back(random_value(rng, depth + 1, strings));
            return a;
        }
        default: {
            ordered_json o = ordered_json::object();
            const size_t n = rng() % 4;
            for (size_t i = 0; i < n; ++i) o[pick() + std::to_string(i)] = random_value(rng, depth + 1, strings);
            return o;
        }
    }
}

}  // namespace

TEST_CASE("JsonWriter writes each edge string as nlohmann dumps it") {
    for (const auto& s : edge_strings()) {
        const ordered_json j = {{s, s}, {"list", {s, 1, s}}};
        for (int indent : {-1, 0, 2}) {
            INFO("string bytes " << s.size() << ", indent " << indent);
            CHECK(writer_dump(j, indent) == dom_dump(j, indent));
        }
    }
}

TEST_CASE("JsonWriter writes numbers as nlohmann dumps them") {
    const ordered_json j = {{"u64max", std::numeric_limits<uint64_t>::max()},
                            {"i64min", std::numeric_limits<int64_t>::min()},
                            {"zero", 0},
                            {"neg", -1},
                            {"half", 0.5},
                            {"round", 79.11},
                            {"whole", 2.0},
                            {"tiny", 5e-324},
                            {"big", 1.7976931348623157e308},
                            {"nan", std::nan("")},
                            {"inf", std::numeric_limits<double>::infinity()}};
    CHECK(writer_dump(j, -1) == dom_dump(j, -1));
    CHECK(writer_dump(j, 2) == dom_dump(j, 2));
    // Integer types narrower than 64 bits, as the report's fields are.
    JsonWriter w(-1);
    w.begin_array().value(uint32_t{4294967295u}).value(int32_t{-7}).value(uint8_t{200}).value(true).end_array();
    CHECK(w.take() == "[4294967295,-7,200,true]");
}

TEST_CASE("JsonWriter lays out empty and nested containers as nlohmann does") {
    const ordered_json j = {{"empty_object", ordered_json::object()},
                            {"empty_array", ordered_json::array()},
                            {"nested", {{"a", ordered_json::array({ordered_json::object(), ordered_json::array()})}}},
                            {"rows", {{{"id", "h100"}, {"fits", true}}, {{"id", "l4"}, {"fits", nullptr}}}}};
    for (int indent : {-1, 0, 1, 2, 4}) {
        INFO("indent " << indent);
        CHECK(writer_dump(j, indent) == dom_dump(j, indent));
    }
    CHECK(writer_dump(ordered_json::object(), 2) == "{}");
    CHECK(writer_dump(ordered_json::array(), 2) == "[]");
}

TEST_CASE("JsonWriter matches nlohmann on 3000 random documents") {
    const auto strings = edge_strings();
    std::mt19937_64 rng(20261207);
    for (int i = 0; i < 3000; ++i) {
        ordered_json doc = ordered_json::object();
        const size_t n = 1 + rng() % 6;
        for (size_t k = 0; k < n; ++k) doc["k" + std::to_string(k)] = random_value(rng, 0, strings);
        const int indent = static_cast<int>(rng() % 4) - 1;
        INFO("document " << i << ", indent " << indent);
        REQUIRE(writer_dump(doc, indent) == dom_dump(doc, indent));
    }
}

TEST_CASE("JsonWriter places an nlohmann dump at its depth") {
    // render_json embeds the training estimate (an nlohmann::json) this way.
    const nlohmann::json inner = {
        {"method", "lora"}, {"rows", {1, 2, {{"x", "a\nb"}}}}, {"empty", nlohmann::json::object()}};
    for (int indent : {-1, 0, 2}) {
        INFO("indent " << indent);
        ordered_json whole = ordered_json::object();
        whole["before"] = 1;
        whole["training"] = ordered_json(inner);
        whole["list"] = {ordered_json(inner)};
        JsonWriter w(indent);
        const std::string dumped = inner.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
        w.begin_object().field("before", 1).key("training").raw_dump(dumped);
        w.key("list").begin_array().raw_dump(dumped).end_array().end_object();
        CHECK(w.take() == dom_dump(whole, indent));
    }
}

// put_string tests eight bytes at a time (plain8): every byte that needs a look (a control byte, '"', '\\', 0x7f, a
// UTF-8 lead byte, a bad byte) at every position of strings of 0-40 bytes, so that each lands in every lane of a word
// and in the byte-wise tail.
TEST_CASE("JsonWriter escapes a byte at any position of a plain string as nlohmann does") {
    const std::vector<std::string> specials = {
        std::string(1, '\0'), "\x01", "\x1f", "\"", "\\", "\x7f", " ", "\xc3\xa9",
        "\xe2\x82\xac",       "\xff", "\x80", "!",  "#",  "[",    "]"};
    for (size_t len = 0; len <= 40; ++len)
        for (size_t at = 0; at <= len; ++at)
            for (const auto& sp : specials) {
                std::string s(len, 'a');
                s.insert(at, sp);
                const ordered_json j = {{"k", s}};
                INFO("length " << len << ", byte at " << at << ", special " << static_cast<int>(sp[0]));
                REQUIRE(writer_dump(j, -1) == dom_dump(j, -1));
            }
}
