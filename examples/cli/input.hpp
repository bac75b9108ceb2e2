// Reading the answers of a CSV file in chunks (the `bowlby` tool's commands share it).
#pragma once

#include "cli.hpp"

#include <bowlby/csv.hpp>
#include <bowlby/score.hpp>

#include <Eigen/Core>

#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace bowlby_cli {

using chunk_matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

class answer_reader {
public:
    /// Opens `path` ("-": standard input) and reads its header. `items_spec` names the item
    /// columns (see resolve_columns); when empty, a file of exactly `n_items` columns is taken
    /// as items. `what` names the instrument in messages.
    answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items, const std::string& what);

    const std::vector<std::string>& header() const { return header_; }
    const std::vector<std::size_t>& item_columns() const { return item_cols_; }
    std::vector<std::string> item_names() const;
    /// Columns to copy to the output alongside each row.
    void keep(const std::string& spec) { keep_cols_ = resolve_columns(spec, header_, "--keep"); }
    const std::vector<std::size_t>& keep_columns() const { return keep_cols_; }

    /// Reads up to chunk.rows() data rows: answers into `chunk` (NaN for empty, NA and .; text
    /// is an error, or NaN counted in text_invalid() under invalid_policy::missing), their
    /// line numbers and kept cells. Returns the number of rows read (0 at the end).
    Eigen::Index read(chunk_matrix& chunk, bowlby::invalid_policy policy);
    std::size_t line(Eigen::Index r) const { return lines_[static_cast<std::size_t>(r)]; }
    const std::string& kept(Eigen::Index r, std::size_t c) const {
        return kept_[static_cast<std::size_t>(r) * keep_cols_.size() + c];
    }
    std::size_t text_invalid() const { return text_invalid_; }
    /// A data error for an invalid_response thrown while scoring row r of the last chunk.
    data_error describe(const bowlby::invalid_response& e) const;

private:
    std::string path_;
    std::ifstream file_;
    std::unique_ptr<bowlby::csv::reader> csv_;
    std::vector<std::string> header_, fields_;
    std::vector<std::size_t> item_cols_, keep_cols_;
    std::vector<std::size_t> lines_;
    std::vector<std::string> kept_;
    std::size_t text_invalid_ = 0;
};

}  // namespace bowlby_cli
