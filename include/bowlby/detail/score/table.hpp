// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Score tables as the scorer makes and writes them.
#pragma once

#include "bowlby/detail/score/huge_pages.hpp"
#include "bowlby/key.hpp"
#include "bowlby/score_table.hpp"

#include <Eigen/Core>

#include <cstddef>

namespace bowlby::detail {

/// A table of `rows` rows for the scores of `key`, not written yet: large tables get huge
/// pages where the system has them.
template <class Scalar>
score_table<Scalar> make_table(const key_view& key, Eigen::Index rows) {
    score_table<Scalar> t;
    for (std::size_t s = 0; s < key.n_scores(); ++s) t.names.emplace_back(key.score_name(s));
    const auto cols = static_cast<Eigen::Index>(key.n_scores());
    t.values.resize(rows, cols);
    t.answered.resize(rows, cols);
    t.status_codes.resize(rows, cols);
    advise_huge_pages(t.values.data(), static_cast<std::size_t>(t.values.size()) * sizeof(Scalar));
    advise_huge_pages(t.answered.data(), static_cast<std::size_t>(t.answered.size()) * sizeof(int));
    advise_huge_pages(t.status_codes.data(), static_cast<std::size_t>(t.status_codes.size()));
    return t;
}

/// Whether the scorer writes the scores of `t` around the cache (see streamable; the counts
/// and statuses go through it): tables larger than 8 MiB, which would only push the answers
/// out of it.
template <class Scalar>
bool written_around_cache(const score_table<Scalar>& t) {
    return static_cast<std::size_t>(t.values.size()) * (sizeof(Scalar) + sizeof(int) + 1) > (std::size_t{8} << 20);
}

}  // namespace bowlby::detail
