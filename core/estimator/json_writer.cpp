#include "estimator/json_writer.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "estimator/utf8.hpp"

namespace vram {

JsonWriter& JsonWriter::value(double d) {
    separate();
    // nlohmann's number formatting (grisu2 shortest digits, ".0" on integral values, "null" when not finite).
    out_ += nlohmann::json(d).dump();
    return *this;
}

namespace {

// True when none of the 8 bytes at p needs a look: each is in 0x20..0x7f and is neither '"' nor '\\'. Tests whole
// words ("has a byte less than n" and "has a zero byte", exact for whether such a byte exists): the report's strings
// are mostly plain ASCII, and a per-byte loop costs the page and the fuzz targets' sanitizers more.
bool plain8(const char* p) {
    uint64_t x;
    std::memcpy(&x, p, sizeof x);
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    const uint64_t quote = x ^ (kOnes * '"'), backslash = x ^ (kOnes * '\\');
    const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
    const uint64_t zero_in_quote = (quote - kOnes) & ~quote & kHighs;
    const uint64_t zero_in_backslash = (backslash - kOnes) & ~backslash & kHighs;
    return ((x & kHighs) | below_space | zero_in_quote | zero_in_backslash) == 0;
}

}  // namespace

void JsonWriter::put_string(std::string_view s) {
    const size_t start = out_.size();
    out_ += '"';
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < s.size();) {
        if (s.size() - i >= 8 && plain8(s.data() + i)) {
            i += 8;
            continue;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(s.data()) + i, s.size() - i);
            if (n == 0) {
                // Not UTF-8: nlohmann's serializer, which replaces each bad sequence with U+FFFD. Rare (a
                // stranger's file name or dtype), so the string is copied for it.
                out_.resize(start);
                out_ += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                out_.pop_back();  // the closing quote: the caller writes it
                return;
            }
            i += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        out_.append(s.data() + run, i - run);
        switch (c) {
            case '"':
                out_ += "\\\"";
                break;
            case '\\':
                out_ += "\\\\";
                break;
            case '\b':
                out_ += "\\b";
                break;
            case '\t':
                out_ += "\\t";
                break;
            case '\n':
                out_ += "\\n";
                break;
            case '\f':
                out_ += "\\f";
                break;
            case '\r':
                out_ += "\\r";
                break;
            default: {
                static const char hex[] = "0123456789abcdef";
                const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out_.append(esc, sizeof esc);
            }
        }
        run = ++i;
    }
    out_.append(s.data() + run, s.size() - run);
}

void JsonWriter::put_unsigned(uint64_t n) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_.append(buf, static_cast<size_t>(r.ptr - buf));
}

void JsonWriter::put_integer(int64_t n) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    out_.append(buf, static_cast<size_t>(r.ptr - buf));
}

JsonWriter& JsonWriter::raw_dump(std::string_view dumped) {
    separate();
    if (indent_ < 0) {
        out_.append(dumped);
        return *this;
    }
    const size_t pad = static_cast<size_t>(indent_) * first_.size();
    size_t from = 0;
    for (size_t nl = dumped.find('\n'); nl != std::string_view::npos; nl = dumped.find('\n', from)) {
        out_.append(dumped, from, nl + 1 - from);
        out_.append(pad, ' ');
        from = nl + 1;
    }
    out_.append(dumped, from);
    return *this;
}

}  // namespace vram
