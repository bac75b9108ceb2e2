// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The shape of an item accumulator: its columns, the shift subtracted from every answer, and
// the groups (subscales) the columns belong to.
#pragma once

#include "bowlby/error.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace bowlby::detail {

struct item_layout {
    Eigen::Index k = 0;                              // columns
    double shift = 0;                                // subtracted from every answer
    std::vector<int> group;                          // group[i]: column i's group, 0-based
    int n_groups = 0;                                //
    std::vector<std::vector<Eigen::Index>> members;  // members[g]: the columns of group g

    item_layout() = default;
    item_layout(Eigen::Index items, double shift_by, std::vector<int> groups)
        : k(items), shift(shift_by), group(std::move(groups)) {
        if (k < 1) throw option_error("an item accumulator needs at least one column");
        if (group.empty()) group.assign(static_cast<std::size_t>(k), 0);
        if (static_cast<Eigen::Index>(group.size()) != k)
            throw option_error("the group list needs one entry per column");
        for (int g : group) {
            if (g < 0 || static_cast<Eigen::Index>(g) >= k) throw option_error("group numbers run from 0 to items - 1");
            n_groups = std::max(n_groups, g + 1);
        }
        members.assign(static_cast<std::size_t>(n_groups), {});
        for (Eigen::Index i = 0; i < k; ++i)
            members[static_cast<std::size_t>(group[static_cast<std::size_t>(i)])].push_back(i);
        for (const auto& m : members)
            if (m.empty()) throw option_error("every group number from 0 to the largest needs at least one column");
    }
    const std::vector<Eigen::Index>& columns_of(int g) const { return members[static_cast<std::size_t>(g)]; }
};

}  // namespace bowlby::detail
