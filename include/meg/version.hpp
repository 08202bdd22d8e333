#pragma once
namespace meg {
inline constexpr const char* kVersion = "0.1.0";
}
