// Shared by the fuzz targets: the "bundle" input format (records separated by the ASCII record
// separator 0x1E) and its parsing into a repo listing + small files + safetensors headers.
// Text-friendly on purpose: seeds are built from tests/fixtures/hub by make-seeds.mjs and the
// mutators work on JSON and paths directly. Format (tests/fuzz/README.md):
//   record = TAG ' ' rest
//   F      listing, one "SIZE PATH" per line
//   T PATH '\n' CONTENT        a small file (config.json, an index, model_index.json …)
//   H PATH '\n' JSON           a safetensors header (the N bytes after the length prefix)
//   V VARIANT                  the weight variant ("" = default files)
//   O key=value …              one set of estimate options (pipeline only)
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "estimator/repo_layout.hpp"
#include "estimator/snapshot.hpp"

namespace fuzz {

constexpr char kRecordSeparator = '\x1e';

// Code of the harness itself (checkers, hashes, the bundle's reader) that libFuzzer should not count as coverage: it is not
// under test, and its per-byte loops would cost comparison hooks and fill the compare tables with noise.
#ifndef VRAM_FUZZ_NO_COVERAGE  // defined empty to fuzz the harness itself
#if defined(__clang__)
#define VRAM_FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else  // the unit tests (GCC) include this file too; GCC has no such sanitizer name
#define VRAM_FUZZ_NO_COVERAGE
#endif
#endif

// The pieces of s between separators, one per next() (an empty s is one empty piece). No vector: the bundle's
// reader runs on every input, and under ASan each allocation costs more than the loop. (No lambdas either: they
// would not inherit VRAM_FUZZ_NO_COVERAGE.)
struct Pieces {
    std::string_view s;
    char sep;
    size_t start = 0;
    bool done = false;
    VRAM_FUZZ_NO_COVERAGE bool next(std::string_view& piece) {
        if (done) return false;
        const size_t p = s.find(sep, start);
        if (p == std::string_view::npos) {
            piece = s.substr(start);
            done = true;
        } else {
            piece = s.substr(start, p - start);
            start = p + 1;
        }
        return true;
    }
};

// First line and the rest (without the newline).
VRAM_FUZZ_NO_COVERAGE inline std::pair<std::string_view, std::string_view> head_rest(std::string_view s) {
    size_t nl = s.find('\n');
    if (nl == std::string_view::npos) return {s, {}};
    return {s.substr(0, nl), s.substr(nl + 1)};
}

VRAM_FUZZ_NO_COVERAGE inline uint64_t to_u64(std::string_view s) {
    // strtoull on a bounded copy: the digits only (fuzz bytes are not NUL-terminated).
    std::string digits;
    for (char c : s) {
        if (c < '0' || c > '9') break;
        if (digits.size() >= 20) break;
        digits += c;
    }
    return digits.empty() ? 0 : std::strtoull(digits.c_str(), nullptr, 10);
}

// FNV-1a of the input: the targets that cannot afford every check on every input pick some by it,
// so one input always takes the same path (libFuzzer's coverage stays reproducible) and mutations
// of it reach the others.
VRAM_FUZZ_NO_COVERAGE inline uint64_t input_hash(std::string_view s) {
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

struct Bundle {
    vram::RepoSnapshot snapshot;
    std::vector<std::vector<std::pair<std::string, std::string>>> options;  // one per O record: key=value in order
};

VRAM_FUZZ_NO_COVERAGE inline Bundle parse_bundle(std::string_view input) {
    Bundle b;
    vram::RepoSnapshot& s = b.snapshot;
    s.repo_id = "fuzz/model";
    s.revision = "main";
    s.sha = "0123456789abcdef0123456789abcdef01234567";
    s.gated = "false";
    Pieces records{input, kRecordSeparator};
    for (std::string_view rec; records.next(rec);) {
        if (rec.size() < 1) continue;
        const char tag = rec[0];
        std::string_view body = rec.substr(1);
        if (!body.empty() && body[0] == ' ') body.remove_prefix(1);
        switch (tag) {
            case 'F': {
                s.files.reserve(s.files.size() + static_cast<size_t>(std::count(body.begin(), body.end(), '\n')) + 1);
                Pieces lines{body, '\n'};
                for (std::string_view line; lines.next(line);) {
                    if (line.empty()) continue;
                    size_t sp = line.find(' ');
                    if (sp == std::string_view::npos) {
                        s.files.push_back({std::string(line), 0});
                    } else {
                        s.files.push_back({std::string(line.substr(sp + 1)), to_u64(line.substr(0, sp))});
                    }
                }
                break;
            }
            case 'T': {
                auto [path, content] = head_rest(body);
                s.texts[std::string(path)] = std::string(content);
                break;
            }
            case 'H': {
                auto [path, content] = head_rest(body);
                s.headers[std::string(path)] = std::string(content);
                break;
            }
            case 'V':
                s.variant = std::string(head_rest(body).first);
                break;
            case 'O': {
                b.options.emplace_back();
                Pieces lines{body, '\n'};
                for (std::string_view line; lines.next(line);) {
                    Pieces words{line, ' '};
                    for (std::string_view kv; words.next(kv);) {
                        size_t eq = kv.find('=');
                        if (eq == std::string_view::npos) continue;
                        b.options.back().emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
                    }
                }
                break;
            }
            default:
                break;
        }
    }
    return b;
}

}  // namespace fuzz
