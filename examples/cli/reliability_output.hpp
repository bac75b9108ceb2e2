// Reliability results as JSON and as a readable table (the `bowlby` tool).
#pragma once

#include <bowlby/reliability.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace bowlby_cli {

using json = nlohmann::ordered_json;

/// A number, or null where it is not defined (NaN, infinite).
json number(double x);
/// A count held as a double (psych's n): an integer in JSON when it is a whole number.
json count(double x);
/// The fields of one scale (issue #3, point 7), plus n_complete, ci_level and warnings.
json to_json(const bowlby::reliability_result& r);
json to_json(const bowlby::scale_correlations& c);
/// psych-like printout of one scale.
std::string to_table(const bowlby::reliability_result& r, const std::string& method);
std::string to_table(const bowlby::scale_correlations& c);

}  // namespace bowlby_cli
