// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// The exceptions bowlby throws. Everything derives from bowlby::error (itself a
// std::runtime_error), so one catch handles them all; the subclasses carry the
// details a caller needs to point a user at the bad cell.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace bowlby {

/// Base class of every exception bowlby throws.
class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A questionnaire key is malformed (item index out of range, duplicate item in a
/// subscale, a reversed item that is not in its subscale, an empty scale, ...).
class key_error : public error {
public:
    using error::error;
};

/// An option is out of its range (a minimum answered fraction outside [0, 1], say).
class option_error : public error {
public:
    using error::error;
};

/// No built-in instrument has the requested id.
class unknown_instrument : public error {
public:
    /// `known`: the ids of the built-in instruments, for the message.
    unknown_instrument(std::string id, const std::string& known)
        : error("unknown instrument '" + id + "'; the built-in instruments are: " + known), id_(std::move(id)) {}
    const std::string& id() const noexcept { return id_; }

private:
    std::string id_;
};

/// The input has the wrong shape: a column count that differs from the key's item count.
class shape_error : public error {
public:
    using error::error;
};

/// An answer that the key's response scale cannot hold: outside [min, max], not a whole
/// number on an integral scale, or infinite. row() and item() are 0-based positions in
/// the matrix that was scored (what() counts from 1: "row 3, item 5: value 9 is outside the
/// response scale 1..7"); value() is the offending answer and reason() the part of the
/// message after it ("is outside the response scale 1..7").
class invalid_response : public error {
public:
    invalid_response(std::size_t row, std::size_t item, double value, const std::string& value_text, std::string reason)
        : error("row " + std::to_string(row + 1) + ", item " + std::to_string(item + 1) + ": value " + value_text +
                " " + reason),
          row_(row),
          item_(item),
          value_(value),
          reason_(std::move(reason)) {}
    std::size_t row() const noexcept { return row_; }
    std::size_t item() const noexcept { return item_; }
    double value() const noexcept { return value_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::size_t row_;
    std::size_t item_;
    double value_;
    std::string reason_;
};

}  // namespace bowlby
