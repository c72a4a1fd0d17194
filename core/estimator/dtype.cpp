#include "estimator/dtype.hpp"

#include <array>
#include <string_view>
#include <utility>
#include <vector>

namespace vram {
namespace {

constexpr std::array<DTypeInfo, 23> kDTypes = {{
    {DType::BOOL, "BOOL", 8, DTypeKind::boolean},
    {DType::U8, "U8", 8, DTypeKind::integer},
    {DType::I8, "I8", 8, DTypeKind::integer},
    {DType::I16, "I16", 16, DTypeKind::integer},
    {DType::U16, "U16", 16, DTypeKind::integer},
    {DType::I32, "I32", 32, DTypeKind::integer},
    {DType::U32, "U32", 32, DTypeKind::integer},
    {DType::I64, "I64", 64, DTypeKind::integer},
    {DType::U64, "U64", 64, DTypeKind::integer},
    {DType::F16, "F16", 16, DTypeKind::floating},
    {DType::BF16, "BF16", 16, DTypeKind::floating},
    {DType::F32, "F32", 32, DTypeKind::floating},
    {DType::F64, "F64", 64, DTypeKind::floating},
    {DType::F8_E4M3, "F8_E4M3", 8, DTypeKind::floating},
    {DType::F8_E5M2, "F8_E5M2", 8, DTypeKind::floating},
    {DType::F8_E4M3FNUZ, "F8_E4M3FNUZ", 8, DTypeKind::floating},
    {DType::F8_E5M2FNUZ, "F8_E5M2FNUZ", 8, DTypeKind::floating},
    {DType::F8_E8M0, "F8_E8M0", 8, DTypeKind::scale},
    {DType::F6_E2M3, "F6_E2M3", 6, DTypeKind::floating},
    {DType::F6_E3M2, "F6_E3M2", 6, DTypeKind::floating},
    {DType::F4, "F4", 4, DTypeKind::floating},
    {DType::C64, "C64", 64, DTypeKind::complex},
    {DType::unknown, "unknown", 0, DTypeKind::unknown},
}};

struct Alias {
    std::string_view name;
    DType dtype;
};
// Non-canonical spellings accepted by huggingface.js parse-safetensors-metadata.ts.
constexpr std::array<Alias, 3> kAliases = {{{"E8M0", DType::F8_E8M0}, {"UE8", DType::F8_E8M0}, {"FP4", DType::F4}}};

}  // namespace

DType dtype_from_name(std::string_view name) {
    // The table's names and then the aliases as views, measured once: every tensor entry of every header is looked
    // up here (92k on a 163-shard repo), and comparing with a C string measures it each time.
    static const std::vector<std::pair<std::string_view, DType>> names = [] {
        std::vector<std::pair<std::string_view, DType>> v;
        for (const auto& info : kDTypes)
            if (info.dtype != DType::unknown) v.emplace_back(info.name, info.dtype);
        for (const auto& alias : kAliases) v.emplace_back(alias.name, alias.dtype);
        return v;
    }();
    for (const auto& [text, dtype] : names)
        if (text == name) return dtype;
    return DType::unknown;
}

const DTypeInfo& dtype_info(DType dtype) { return kDTypes[static_cast<size_t>(dtype)]; }

bool dtype_is_floating(DType d) { return dtype_info(d).kind == DTypeKind::floating; }

}  // namespace vram
