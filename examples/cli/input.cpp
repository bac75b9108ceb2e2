#include "input.hpp"

#include <bowlby/detail/format.hpp>

#include <iostream>
#include <limits>

namespace bowlby_cli {

answer_reader::answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items,
                             const std::string& what)
    : path_(path) {
    std::istream* in = &std::cin;
    if (path != "-") {
        file_.open(path, std::ios::binary);
        if (!file_) throw data_error("cannot open '" + path + "'");
        in = &file_;
    }
    csv_ = std::make_unique<bowlby::csv::reader>(*in);
    try {
        if (!csv_->next(header_)) throw data_error(path + ": the file is empty; a header row is needed");
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path + ", " + e.what());
    }
    if (!items_spec.empty()) {
        item_cols_ = resolve_columns(items_spec, header_, "--items");
        if (n_items != 0 && item_cols_.size() != n_items)
            throw usage_error("--items names " + std::to_string(item_cols_.size()) + " columns, but " + what + " has " +
                              std::to_string(n_items) + " items");
    } else if (header_.size() == n_items) {
        for (std::size_t i = 0; i < n_items; ++i) item_cols_.push_back(i);
    } else {
        throw usage_error(path + " has " + std::to_string(header_.size()) + " columns and " + what + " has " +
                          std::to_string(n_items) + " items: name the item columns with --items (for example --items " +
                          header_.front() + ":...); the columns are: " + join_header(header_));
    }
}

std::vector<std::string> answer_reader::item_names() const {
    std::vector<std::string> names;
    for (std::size_t c : item_cols_) names.push_back(header_[c]);
    return names;
}

Eigen::Index answer_reader::read(chunk_matrix& chunk, bowlby::invalid_policy policy) {
    const std::size_t rows = static_cast<std::size_t>(chunk.rows());
    lines_.resize(rows);
    kept_.resize(rows * keep_cols_.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Eigen::Index filled = 0;
    try {
        while (filled < chunk.rows() && csv_->next(fields_)) {
            if (fields_.size() != header_.size())
                throw data_error(path_ + ", line " + std::to_string(csv_->line()) + ": " +
                                 std::to_string(fields_.size()) + " fields, but the header has " +
                                 std::to_string(header_.size()));
            lines_[static_cast<std::size_t>(filled)] = csv_->line();
            for (std::size_t j = 0; j < item_cols_.size(); ++j) {
                double v = nan;
                const std::string& cell = fields_[item_cols_[j]];
                if (bowlby::csv::parse_answer(cell, v) == bowlby::csv::cell_kind::text) {
                    if (policy == bowlby::invalid_policy::error)
                        throw data_error(path_ + ", line " + std::to_string(csv_->line()) + ", column " +
                                         header_[item_cols_[j]] + ": value '" + cell + "' is not a number");
                    ++text_invalid_;
                    v = nan;
                }
                chunk(filled, static_cast<Eigen::Index>(j)) = v;
            }
            for (std::size_t c = 0; c < keep_cols_.size(); ++c)
                kept_[static_cast<std::size_t>(filled) * keep_cols_.size() + c] = fields_[keep_cols_[c]];
            ++filled;
        }
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path_ + ", " + e.what());
    }
    return filled;
}

data_error answer_reader::describe(const bowlby::invalid_response& e) const {
    return data_error(path_ + ", line " + std::to_string(lines_[e.row()]) + ", column " +
                      header_[item_cols_[e.item()]] + ": value " + bowlby::detail::format_number(e.value()) + " " +
                      e.reason());
}

}  // namespace bowlby_cli
