#pragma once
// Numbers in messages.
#include <string>

namespace hetspike {

/// The shortest decimal text that reads back as exactly `value` ("0.1", "1e+20", "-inf"), so that messages
/// show numbers as a user would write them, and equal doubles always print equal.
std::string format_number(double value);

}  // namespace hetspike
