// The C++ side of the R package bowlby: R's answers handed to the library (score, instrument
// accumulator, reliability, screening) and the `bowlby` tool's own pieces (examples/cli: the
// item-span parser of --items, the classification method dispatch), their results handed back
// as R vectors. Nothing here decides how an answer is keyed or checked or computes a statistic
// of its own (alpha()'s person scores sum, in the same pass as the accumulation, what the
// scoring rule's functions give for each byte). The library's errors come back
// as a list of class "bowlby_failure", which R/errors.R signals as a bowlby_error condition
// naming the row and column; no C++ exception crosses into R.
//
// One translation unit on purpose: each one that includes Eigen takes minutes to compile.

// The tool's sources, compiled here as bindings/python compiles them: cli.cpp for the parsers
// (resolve_columns) and their messages, classify_setup.cpp for the method dispatch,
// key_file.cpp for the key files of read_key() (docs/key-files.md). Not its
// output files or fault handlers (output_file.cpp, faults.cpp), which write to stdout and call
// _exit, as R CMD check forbids.
#include "classify_setup.cpp"
#include "cli.cpp"
#include "input.hpp"
#include "key_file.cpp"

#include <bowlby/change.hpp>
#include <bowlby/classify.hpp>
#include <bowlby/detail/format.hpp>
#include <bowlby/dyads.hpp>
#include <bowlby/instrument_accumulator.hpp>
#include <bowlby/instruments.hpp>
#include <bowlby/key.hpp>
#include <bowlby/reliability.hpp>
#include <bowlby/rule.hpp>
#include <bowlby/score.hpp>
#include <bowlby/screen.hpp>

#include <Rcpp.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using Rcpp::_;

/// A key: a built-in's, or one built from R's questionnaire() and owned here for the call.
struct key_handle {
    std::shared_ptr<bowlby::questionnaire> owned;
    bowlby::key_view view;
};

/// An argument R passed that the C++ side cannot read (R checks types first, so rare).
struct argument_error : bowlby::error {
    using bowlby::error::error;
};

Rcpp::List failure(const char* kind, const std::string& message) {
    Rcpp::List out = Rcpp::List::create(_["kind"] = kind, _["message"] = message);
    out.attr("class") = "bowlby_failure";
    return out;
}

/// Runs f and returns its value, or the library's error as a "bowlby_failure" list.
SEXP guarded(const std::function<SEXP()>& f) {
    try {
        return f();
    } catch (const bowlby::invalid_response& e) {
        Rcpp::List out = Rcpp::List::create(_["kind"] = "invalid_response", _["message"] = std::string(e.what()),
                                            _["row"] = double(e.row()) + 1, _["item"] = double(e.item()) + 1,
                                            _["value"] = e.value(), _["reason"] = e.reason());
        out.attr("class") = "bowlby_failure";
        return out;
    } catch (const bowlby::unknown_instrument& e) {
        return failure("unknown_instrument", e.what());
    } catch (const bowlby::shape_error& e) {
        return failure("shape_error", e.what());
    } catch (const bowlby::key_error& e) {
        return failure("key_error", e.what());
    } catch (const bowlby::option_error& e) {
        return failure("option_error", e.what());
    } catch (const bowlby_cli::usage_error& e) {
        return failure("option_error", e.what());
    } catch (const bowlby_cli::rule_error& e) {
        return failure("option_error", e.what());
    } catch (const bowlby::error& e) {
        return failure("error", e.what());
    } catch (const std::runtime_error& e) {  // a sample that cannot give a rule (too few respondents)
        return failure("option_error", e.what());
    }
}

bowlby::aggregation aggregation_of(const std::string& how) {
    if (how == "mean") return bowlby::aggregation::mean;
    if (how == "sum") return bowlby::aggregation::sum;
    throw bowlby::option_error("a subscale is a 'mean' or a 'sum', not '" + how + "'");
}

std::vector<bowlby::term> terms_of(const Rcpp::List& d) {
    const Rcpp::CharacterVector kind = d["kind"];
    const Rcpp::IntegerVector index = d["index"];
    const Rcpp::NumericVector weight = d["weight"];
    std::vector<bowlby::term> terms;
    for (R_xlen_t t = 0; t < kind.size(); ++t)
        terms.push_back({Rcpp::as<std::string>(kind[t]) == "item" ? bowlby::term::item : bowlby::term::subscale,
                         index[t], weight[t]});
    return terms;
}

/// A built-in id (a string), or questionnaire()'s list: id, n_items, scale, integral,
/// subscales (name, items, reversed, aggregation), derived (name, kind, index, weight), name,
/// citation, item_names.
key_handle key_of(SEXP spec) {
    key_handle k;
    if (TYPEOF(spec) == STRSXP) {
        k.view = bowlby::instrument(Rcpp::as<std::string>(spec));  // unknown_instrument otherwise
        return k;
    }
    const Rcpp::List s(spec);
    const Rcpp::NumericVector scale = s["scale"];
    auto q = std::make_shared<bowlby::questionnaire>(
        Rcpp::as<std::string>(s["id"]), Rcpp::as<int>(s["n_items"]),
        bowlby::response_scale{scale[0], scale[1], Rcpp::as<bool>(s["integral"])});
    const Rcpp::List subscales = s["subscales"], derived = s["derived"];
    for (R_xlen_t i = 0; i < subscales.size(); ++i) {
        const Rcpp::List sub = subscales[i];
        q->add_subscale(Rcpp::as<std::string>(sub["name"]), Rcpp::as<std::vector<int>>(sub["items"]),
                        Rcpp::as<std::vector<int>>(sub["reversed"]),
                        aggregation_of(Rcpp::as<std::string>(sub["aggregation"])));
    }
    for (R_xlen_t i = 0; i < derived.size(); ++i) {
        const Rcpp::List d = derived[i];
        q->add_derived(Rcpp::as<std::string>(d["name"]), terms_of(d));
    }
    q->set_name(Rcpp::as<std::string>(s["name"]));
    q->set_citation(Rcpp::as<std::string>(s["citation"]));
    q->set_item_names(Rcpp::as<std::vector<std::string>>(s["item_names"]));
    k.view = q->view();  // key_error with check_key's sentence when unsound
    k.owned = std::move(q);
    return k;
}

/// The options of a scoring or accumulating run; `scale` NULL or c(min, max).
bowlby::score_options options_of(const key_handle& key, SEXP scale, const Rcpp::NumericVector& missing,
                                 double min_answered, const std::string& on_invalid, int threads) {
    bowlby::score_options o;
    if (!Rf_isNull(scale)) {
        const Rcpp::NumericVector s(scale);
        if (s.size() != 2 || !std::isfinite(s[0]) || !std::isfinite(s[1]) || !(s[0] < s[1]))
            throw bowlby::option_error("scale takes c(min, max) with finite min < max");
        o.data_scale = bowlby::response_scale{s[0], s[1], key.view.scale.integral};
    }
    o.missing_codes.assign(missing.begin(), missing.end());
    if (!(min_answered >= 0 && min_answered <= 1))
        throw bowlby::option_error("min_answered must be a fraction in [0, 1]");
    o.min_answered = min_answered;
    if (on_invalid == "error")
        o.on_invalid = bowlby::invalid_policy::error;
    else if (on_invalid == "missing")
        o.on_invalid = bowlby::invalid_policy::missing;
    else
        throw bowlby::option_error("on_invalid takes \"error\" or \"missing\", not \"" + on_invalid + "\"");
    if (threads < 0 || threads > 1024) throw bowlby::option_error("threads takes a whole number from 0 (0: all cores)");
    o.threads = static_cast<unsigned>(threads);
    return o;
}

/// The answers' columns as R holds them: a matrix's (side by side in one vector) or a
/// data.frame's; doubles, or integers and logicals (NA_INTEGER for NA).
struct answer_columns {
    std::vector<SEXPTYPE> type;
    std::vector<const void*> data;
    R_xlen_t rows = 0;
    bool double_matrix = false;  ///< one double matrix, which the library can read in place
};

const void* data_of(SEXP v) {
    if (TYPEOF(v) == REALSXP) return REAL(v);
    return TYPEOF(v) == INTSXP ? INTEGER(v) : LOGICAL(v);
}

answer_columns columns_of(SEXP x) {
    answer_columns a;
    const auto numeric = [](SEXP v) {
        if (TYPEOF(v) != REALSXP && TYPEOF(v) != INTSXP && TYPEOF(v) != LGLSXP)
            throw argument_error("the answers must be numbers (double, integer or logical NA)");
    };
    if (Rf_isMatrix(x)) {
        numeric(x);
        a.rows = Rf_nrows(x);
        a.double_matrix = TYPEOF(x) == REALSXP;
        const std::size_t size = TYPEOF(x) == REALSXP ? sizeof(double) : sizeof(int);
        for (int c = 0; c < Rf_ncols(x); ++c) {
            a.type.push_back(TYPEOF(x));
            a.data.push_back(static_cast<const char*>(data_of(x)) + size * static_cast<std::size_t>(a.rows) * c);
        }
        return a;
    }
    a.rows = Rf_length(x) ? Rf_xlength(VECTOR_ELT(x, 0)) : 0;
    for (R_xlen_t c = 0; c < Rf_xlength(x); ++c) {
        SEXP col = VECTOR_ELT(x, c);
        numeric(col);
        if (Rf_xlength(col) != a.rows) throw bowlby::shape_error("the answer columns differ in length");
        a.type.push_back(TYPEOF(col));
        a.data.push_back(data_of(col));
    }
    return a;
}

using column_major = Eigen::Map<const Eigen::MatrixXd>;
using byte_rows = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using byte_map = Eigen::Map<const byte_rows>;
constexpr std::uint8_t missing_byte = bowlby_cli::parsed_rows::missing_byte;

/// Rows r0..r1 of one column into bytes `out` (rows `stride` apart), with Count each byte
/// counted in `per_byte` (256 counts); false at the first answer that is not a whole number
/// from 0 to 254 or NA.
template <bool Count>
bool column_bytes(SEXPTYPE type, const void* data, R_xlen_t r0, R_xlen_t r1, std::uint8_t* out, std::size_t stride,
                  std::uint64_t* per_byte) {
    if (type == REALSXP) {
        const auto* in = static_cast<const double*>(data);
        for (R_xlen_t r = r0; r < r1; ++r, out += stride) {
            const double v = in[r];
            std::uint8_t b = missing_byte;
            if (!std::isnan(v)) {
                if (!(v >= 0 && v < missing_byte && v == std::floor(v))) return false;
                b = static_cast<std::uint8_t>(v);
            }
            *out = b;
            if constexpr (Count) ++per_byte[b];
        }
        return true;
    }
    const auto* in = static_cast<const int*>(data);
    for (R_xlen_t r = r0; r < r1; ++r, out += stride) {
        const int v = in[r];
        std::uint8_t b = missing_byte;
        if (v != NA_INTEGER) {
            if (!(v >= 0 && v < missing_byte)) return false;
            b = static_cast<std::uint8_t>(v);
        }
        *out = b;
        if constexpr (Count) ++per_byte[b];
    }
    return true;
}

/// The answers as bytes, as the `bowlby` tool reads small whole numbers (NA as its missing
/// byte), when every one is a whole number from 0 to 254 or NA; false otherwise. Filled a
/// block of rows at a time, so that the rows being written stay in the cache across columns.
bool fill_bytes(const answer_columns& a, byte_rows& out) {
    const std::size_t k = a.data.size();
    out.resize(a.rows, static_cast<Eigen::Index>(k));
    constexpr R_xlen_t block = 4096;
    for (R_xlen_t r0 = 0; r0 < a.rows; r0 += block) {
        const R_xlen_t r1 = std::min(a.rows, r0 + block);
        for (std::size_t c = 0; c < k; ++c)
            if (!column_bytes<false>(a.type[c], a.data[c], r0, r1, out.data() + static_cast<std::size_t>(r0) * k + c, k,
                                     nullptr))
                return false;
    }
    return true;
}

/// The answers as doubles (NA as NaN), column by column.
void fill_doubles(const answer_columns& a, Eigen::MatrixXd& out) {
    out.resize(a.rows, static_cast<Eigen::Index>(a.data.size()));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t c = 0; c < a.data.size(); ++c) {
        double* to = out.col(static_cast<Eigen::Index>(c)).data();
        if (a.type[c] == REALSXP) {
            std::copy_n(static_cast<const double*>(a.data[c]), a.rows, to);
        } else {
            const auto* in = static_cast<const int*>(a.data[c]);
            for (R_xlen_t r = 0; r < a.rows; ++r) to[r] = in[r] == NA_INTEGER ? nan : static_cast<double>(in[r]);
        }
    }
}

/// Calls f with the answers as an N x items matrix: as bytes when they are small whole numbers
/// (the library's fast exact path, as the tool does), except a double matrix when
/// `copy_for_bytes` is false (read in place); otherwise as doubles, a double matrix read in
/// place and other input copied once. The options of a call on bytes come from options_for().
template <class F>
void with_answers(SEXP x, bool copy_for_bytes, F&& f) {
    const answer_columns a = columns_of(x);
    if (copy_for_bytes || !a.double_matrix) {
        // Kept from call to call: a fresh buffer of this size comes from mmap, and its first
        // touch of every page costs more than filling it (0.1 s for 1M x 36 on a VM).
        static byte_rows bytes;
        if (fill_bytes(a, bytes)) {
            f(byte_map(bytes.data(), bytes.rows(), bytes.cols()));
            return;
        }
    }
    if (a.double_matrix) {
        f(column_major(REAL(x), Rf_nrows(x), Rf_ncols(x)));
        return;
    }
    Eigen::MatrixXd m;
    fill_doubles(a, m);
    f(column_major(m.data(), m.rows(), m.cols()));
}

/// Rows accumulated at a time, as the tool reads blocks: each block's answers stay in the
/// cache from their copy out of R's columns to the sums.
constexpr Eigen::Index block_rows = 16384;

/// Calls f(block, first_row) for successive blocks of rows of the answers, each a copy small
/// enough to stay in the cache: bytes (byte_map) when every answer is a whole number from 0 to
/// 254 or NA, as the tool reads them, each column's bytes counted into `per_byte` (256 counts
/// per column) as they are copied; otherwise doubles (column_major, NaN for NA). When an answer
/// turns out not to fit a byte, restart() is called and the blocks begin again as doubles.
template <class Restart, class F>
void in_blocks(const answer_columns& a, std::vector<std::uint64_t>& per_byte, Restart&& restart, F&& f) {
    const std::size_t k = a.data.size();
    per_byte.assign(256 * k, 0);
    bool bytes = true;
    {
        byte_rows block;
        for (R_xlen_t r0 = 0; r0 < a.rows && bytes; r0 += block_rows) {
            const R_xlen_t r1 = std::min<R_xlen_t>(a.rows, r0 + block_rows);
            block.resize(r1 - r0, static_cast<Eigen::Index>(k));
            for (std::size_t c = 0; c < k && bytes; ++c)
                bytes =
                    column_bytes<true>(a.type[c], a.data[c], r0, r1, block.data() + c, k, per_byte.data() + 256 * c);
            if (bytes) f(byte_map(block.data(), block.rows(), block.cols()), r0);
        }
    }
    if (bytes) return;
    restart();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd block;
    for (R_xlen_t r0 = 0; r0 < a.rows; r0 += block_rows) {
        const R_xlen_t r1 = std::min<R_xlen_t>(a.rows, r0 + block_rows);
        block.resize(r1 - r0, static_cast<Eigen::Index>(k));
        for (std::size_t c = 0; c < k; ++c) {
            double* to = block.col(static_cast<Eigen::Index>(c)).data();
            if (a.type[c] == REALSXP) {
                std::copy(static_cast<const double*>(a.data[c]) + r0, static_cast<const double*>(a.data[c]) + r1, to);
            } else {
                const auto* in = static_cast<const int*>(a.data[c]);
                for (R_xlen_t r = r0; r < r1; ++r) *to++ = in[r] == NA_INTEGER ? nan : static_cast<double>(in[r]);
            }
        }
        f(column_major(block.data(), block.rows(), block.cols()), r0);
    }
}

/// The options for answers of this kind: for bytes, the tool's missing byte is a missing code.
template <class Map>
bowlby::score_options options_for(const Map&, const bowlby::score_options& o) {
    if constexpr (std::is_same_v<typename Map::Scalar, std::uint8_t>)
        return bowlby_cli::byte_options(o);
    else
        return o;
}

void check_items(const bowlby::key_view& key, Eigen::Index cols) {
    if (cols != key.n_items)
        throw bowlby::shape_error(std::string(key.id) + " has " + std::to_string(key.n_items) +
                                  " items; the answers have " + std::to_string(cols) + " columns");
}

Rcpp::CharacterVector strings(const std::vector<std::string>& v) { return Rcpp::wrap(v); }

// A key's definition as R's questionnaire() holds it, with its score names.
Rcpp::List described(const bowlby::key_view& v) {
    Rcpp::List subscales, derived;
    for (const auto& s : v.subscales)
        subscales.push_back(Rcpp::List::create(_["name"] = std::string(s.name),
                                               _["items"] = std::vector<int>(s.items.begin(), s.items.end()),
                                               _["reversed"] = std::vector<int>(s.reversed.begin(), s.reversed.end()),
                                               _["aggregation"] = s.agg == bowlby::aggregation::sum ? "sum" : "mean"));
    for (const auto& d : v.derived) {
        std::vector<std::string> kind;
        std::vector<int> index;
        std::vector<double> weight;
        for (const auto& t : d.terms) {
            kind.emplace_back(t.kind == bowlby::term::subscale ? "subscale" : "item");
            index.push_back(t.index);
            weight.push_back(t.weight);
        }
        derived.push_back(Rcpp::List::create(_["name"] = std::string(d.name), _["kind"] = kind, _["index"] = index,
                                             _["weight"] = weight));
    }
    std::vector<std::string> item_names, score_names;
    for (const auto& n : v.item_names) item_names.emplace_back(n);
    for (std::size_t s = 0; s < v.n_scores(); ++s) score_names.emplace_back(v.score_name(s));
    return Rcpp::List::create(_["id"] = std::string(v.id), _["n_items"] = v.n_items,
                              _["scale"] = Rcpp::NumericVector::create(v.scale.min, v.scale.max),
                              _["integral"] = v.scale.integral, _["subscales"] = subscales, _["derived"] = derived,
                              _["name"] = std::string(v.name), _["citation"] = std::string(v.citation),
                              _["item_names"] = item_names, _["scores"] = score_names);
}

}  // namespace

// [[Rcpp::export(.bw_instruments)]]
SEXP bw_instruments() {
    return guarded([] {
        std::vector<std::string> id, name, citation, scores, item_names;
        std::vector<int> items;
        std::vector<double> lo, hi;
        for (const bowlby::key_view& k : bowlby::builtin_instruments()) {
            id.emplace_back(k.id);
            name.emplace_back(k.name);
            items.push_back(k.n_items);
            lo.push_back(k.scale.min);
            hi.push_back(k.scale.max);
            std::string s;
            for (std::size_t i = 0; i < k.n_scores(); ++i) s += (i ? ", " : "") + std::string(k.score_name(i));
            scores.push_back(s);
            citation.emplace_back(k.citation);
        }
        return SEXP(Rcpp::List::create(_["id"] = id, _["name"] = name, _["items"] = items, _["scale_min"] = lo,
                                       _["scale_max"] = hi, _["scores"] = scores, _["citation"] = citation));
    });
}

// The key's definition, as R's questionnaire() holds it (a built-in's, to copy and change).
// [[Rcpp::export(.bw_describe)]]
SEXP bw_describe(SEXP spec) {
    return guarded([&] { return SEXP(described(key_of(spec).view)); });
}

// A key file read by the tool's parser (bowlby score --key): the key as .bw_describe gives it,
// with the file's missing_codes and min_answered; a malformed file is a key_error naming the
// file, the JSON path and the problem.
// [[Rcpp::export(.bw_read_key)]]
SEXP bw_read_key(std::string path) {
    return guarded([&] {
        const bowlby_cli::key_file f = bowlby_cli::read_key_file(path);
        Rcpp::List out = described(f.key.view());
        out.push_back(f.missing_codes, "missing_codes");
        out.push_back(f.min_answered, "min_answered");
        return SEXP(out);
    });
}

// c(min, max) of the finite answers of every column (NA, NaN and infinities left out;
// c(Inf, -Inf) when there is none): the range psych reverses on when alpha() has no scale.
// [[Rcpp::export(.bw_answer_range)]]
SEXP bw_answer_range(SEXP data) {
    return guarded([&] {
        const answer_columns a = columns_of(data);
        double lo = R_PosInf, hi = R_NegInf;
        for (std::size_t c = 0; c < a.data.size(); ++c) {
            if (a.type[c] == REALSXP) {
                const auto* in = static_cast<const double*>(a.data[c]);
                for (R_xlen_t r = 0; r < a.rows; ++r)
                    if (std::isfinite(in[r])) {
                        lo = std::min(lo, in[r]);
                        hi = std::max(hi, in[r]);
                    }
            } else {
                const auto* in = static_cast<const int*>(a.data[c]);
                int ilo = INT_MAX, ihi = INT_MIN;  // NA_INTEGER is INT_MIN: never a maximum
                bool any = false;
                for (R_xlen_t r = 0; r < a.rows; ++r)
                    if (in[r] != NA_INTEGER) {
                        ilo = std::min(ilo, in[r]);
                        ihi = std::max(ihi, in[r]);
                        any = true;
                    }
                if (any) {
                    lo = std::min(lo, static_cast<double>(ilo));
                    hi = std::max(hi, static_cast<double>(ihi));
                }
            }
        }
        return SEXP(Rcpp::NumericVector::create(lo, hi));
    });
}

// Positions (1-based) of the columns a spec of names and FIRST:LAST spans names, as the
// tool's --items reads it.
// [[Rcpp::export(.bw_resolve_columns)]]
SEXP bw_resolve_columns(std::string spec, std::vector<std::string> header, std::string argument) {
    return guarded([&] {
        const std::vector<std::size_t> cols = bowlby_cli::resolve_columns(spec, header, argument);
        Rcpp::IntegerVector out(cols.size());
        for (std::size_t i = 0; i < cols.size(); ++i) out[static_cast<R_xlen_t>(i)] = static_cast<int>(cols[i]) + 1;
        return SEXP(out);
    });
}

// The library's score table: values and answered counts (rows x scores), each row's status
// (1-based codes of the factor levels complete, prorated, insufficient: the least complete of
// its scores, as the tool writes it) and the invalid cells read as missing.
// [[Rcpp::export(.bw_score)]]
SEXP bw_score(SEXP key, SEXP data, SEXP scale, Rcpp::NumericVector missing, double min_answered, std::string on_invalid,
              int threads) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options o = options_of(k, scale, missing, min_answered, on_invalid, threads);
        bowlby::score_table<double> t;
        with_answers(data, false, [&](const auto& x) {
            check_items(k.view, x.cols());
            t = bowlby::score<double>(k.view, x, options_for(x, o));
        });
        const auto n = static_cast<int>(t.rows()), s = static_cast<int>(t.values.cols());
        Rcpp::NumericMatrix values(Rcpp::no_init(n, s));
        Rcpp::IntegerMatrix answered(Rcpp::no_init(n, s));
        std::copy(t.values.data(), t.values.data() + t.values.size(), values.begin());
        std::copy(t.answered.data(), t.answered.data() + t.answered.size(), answered.begin());
        std::vector<bowlby::score_status> worst(static_cast<std::size_t>(n), bowlby::score_status::complete);
        for (Eigen::Index c = 0; c < t.status_codes.cols(); ++c)
            for (int r = 0; r < n; ++r)
                worst[static_cast<std::size_t>(r)] = bowlby::rule::combine(
                    worst[static_cast<std::size_t>(r)], static_cast<bowlby::score_status>(t.status_codes(r, c)));
        Rcpp::IntegerVector status(Rcpp::no_init(n));
        for (int r = 0; r < n; ++r) status[r] = static_cast<int>(worst[static_cast<std::size_t>(r)]) + 1;
        status.attr("levels") = Rcpp::CharacterVector::create(bowlby::to_string(bowlby::score_status::complete),
                                                              bowlby::to_string(bowlby::score_status::prorated),
                                                              bowlby::to_string(bowlby::score_status::insufficient));
        status.attr("class") = "factor";
        return SEXP(Rcpp::List::create(_["names"] = strings(t.names), _["values"] = values, _["answered"] = answered,
                                       _["status"] = status, _["invalid_cells"] = double(t.invalid_cells)));
    });
}

namespace {

Rcpp::NumericVector alpha_fields(const bowlby::alpha_statistics& a) {
    return Rcpp::NumericVector::create(_["raw_alpha"] = a.raw_alpha, _["std_alpha"] = a.std_alpha,
                                       _["g6_smc"] = a.g6_smc, _["average_r"] = a.average_r,
                                       _["signal_noise"] = a.signal_noise, _["ase"] = a.ase, _["var_r"] = a.var_r,
                                       _["median_r"] = a.median_r);
}

Rcpp::List item_fields(const std::vector<bowlby::item_reliability>& items) {
    const auto k = static_cast<R_xlen_t>(items.size());
    Rcpp::CharacterVector name(k);
    Rcpp::NumericVector n(k), mean(k), sd(k), raw_r(k), std_r(k), r_cor(k), r_drop(k);
    Rcpp::NumericMatrix drop(k, 8);
    for (R_xlen_t i = 0; i < k; ++i) {
        const auto& it = items[static_cast<std::size_t>(i)];
        name[i] = it.name;
        n[i] = it.n;
        mean[i] = it.mean;
        sd[i] = it.sd;
        raw_r[i] = it.raw_r;
        std_r[i] = it.std_r;
        r_cor[i] = it.r_cor;
        r_drop[i] = it.r_drop;
        const Rcpp::NumericVector a = alpha_fields(it.alpha_if_dropped);
        for (int c = 0; c < 8; ++c) drop(i, c) = a[c];
    }
    Rcpp::colnames(drop) = Rcpp::CharacterVector::create("raw_alpha", "std_alpha", "g6_smc", "average_r",
                                                         "signal_noise", "ase", "var_r", "median_r");
    return Rcpp::List::create(_["name"] = name, _["n"] = n, _["mean"] = mean, _["sd"] = sd, _["raw_r"] = raw_r,
                              _["std_r"] = std_r, _["r_cor"] = r_cor, _["r_drop"] = r_drop,
                              _["alpha_if_dropped"] = drop);
}

Rcpp::NumericMatrix matrix_of(const Eigen::MatrixXd& m) {
    Rcpp::NumericMatrix out(static_cast<int>(m.rows()), static_cast<int>(m.cols()));
    std::copy(m.data(), m.data() + m.size(), out.begin());
    return out;
}

Rcpp::NumericVector pair(const bowlby::interval& i) {
    return Rcpp::NumericVector::create(_["lower"] = i.lower, _["upper"] = i.upper);
}

/// Every field of a reliability_result, under the library's names.
Rcpp::List result_fields(const bowlby::reliability_result& r) {
    const auto& h = r.split_half;
    return Rcpp::List::create(
        _["name"] = r.name, _["n_items"] = r.n_items, _["n"] = r.n, _["n_complete"] = r.n_complete,
        _["alpha"] = alpha_fields(r.alpha), _["mean"] = r.mean, _["sd"] = r.sd, _["sem"] = r.sem,
        _["omega_total"] = r.omega_total, _["lambda2"] = r.lambda2,
        _["split_half"] = Rcpp::List::create(_["max"] = h.max, _["min"] = h.min, _["mean"] = h.mean,
                                             _["splits"] = double(h.splits), _["exhaustive"] = h.exhaustive),
        _["ci_level"] = r.ci_level, _["feldt"] = pair(r.feldt), _["duhachek"] = pair(r.duhachek),
        _["bootstrap"] = r.bootstrap ? SEXP(pair(*r.bootstrap)) : R_NilValue,
        _["bootstrap_repetitions"] = double(r.bootstrap_repetitions), _["items"] = item_fields(r.items),
        _["warnings"] = strings(r.warnings));
}

/// Counts of each distinct answer per column, block by block, for psych::alpha's
/// response.freq: none (NULL) once the data hold more than `max` distinct answers.
class value_counts {
public:
    value_counts(std::size_t columns, int max) : k_(columns), max_(max), missing_(columns, 0) {}

    /// Bytes counted as the block was copied (bowlby_cli's missing byte is missing): a count
    /// per byte of each column, 256 per column.
    void add_bytes(const std::vector<std::uint64_t>& per_byte) {
        for (std::size_t b = 0; b < 256; ++b) {
            for (std::size_t c = 0; c < k_; ++c) {
                const auto n = static_cast<double>(per_byte[256 * c + b]);
                if (n == 0) continue;
                if (b == missing_byte)
                    missing_[c] += n;
                else
                    count(static_cast<double>(b), c, n);
            }
        }
    }

    /// A column-major block of doubles (NaN missing). The few distinct values are searched in
    /// a flat list, the last one found first.
    void add(const column_major& x) {
        for (Eigen::Index c = 0; c < x.cols() && !too_many_; ++c) {
            const double* col = x.col(c).data();
            std::size_t last = 0;
            for (Eigen::Index r = 0; r < x.rows(); ++r) {
                const double v = col[r];
                if (std::isnan(v)) {
                    missing_[static_cast<std::size_t>(c)] += 1;
                    continue;
                }
                if (last >= seen_.size() || seen_[last] != v) last = find(v);
                if (too_many_) return;
                counts_[last][static_cast<std::size_t>(c)] += 1;
            }
        }
    }

    /// The values ascending, counts (columns x values) and missing answers per column; NULL
    /// when there were more than `max` distinct answers.
    SEXP table() const {
        if (too_many_) return R_NilValue;
        std::vector<std::size_t> order(seen_.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return seen_[a] < seen_[b]; });
        Rcpp::NumericVector values(static_cast<R_xlen_t>(seen_.size()));
        Rcpp::NumericMatrix n(static_cast<int>(k_), static_cast<int>(seen_.size()));
        for (std::size_t j = 0; j < order.size(); ++j) {
            values[static_cast<R_xlen_t>(j)] = seen_[order[j]];
            for (std::size_t c = 0; c < k_; ++c) n(static_cast<int>(c), static_cast<int>(j)) = counts_[order[j]][c];
        }
        return Rcpp::List::create(_["values"] = values, _["counts"] = n, _["missing"] = missing_);
    }

private:
    std::size_t find(double v) {
        const auto at = static_cast<std::size_t>(std::find(seen_.begin(), seen_.end(), v) - seen_.begin());
        if (at == seen_.size()) {
            if (static_cast<int>(seen_.size()) >= max_) {
                too_many_ = true;
                return 0;
            }
            seen_.push_back(v);
            counts_.emplace_back(k_, 0.0);
        }
        return at;
    }
    void count(double v, std::size_t c, double n) {
        const std::size_t at = find(v);
        if (!too_many_) counts_[at][c] += n;
    }

    std::size_t k_;
    int max_;
    bool too_many_ = false;
    std::vector<double> seen_;                 // distinct values, in order of appearance
    std::vector<std::vector<double>> counts_;  // per value, per column
    std::vector<double> missing_;
};

/// Each row of a block's score on the key's first subscale with any item answered
/// (min_answered 0), into `out`: the person scores psych::alpha returns, by the library's rule.
/// `options` are those of the accumulation, with one thread.
template <class Map>
void person_scores(const key_handle& k, const bowlby::score_options& options, const Map& x, double* out) {
    bowlby::score_options o = options_for(x, options);
    o.min_answered = 0;
    o.threads = 1;
    const bowlby::score_table<double> t = bowlby::score<double>(k.view, x, o);
    std::copy(t.values.col(0).data(), t.values.col(0).data() + t.rows(), out);
}

/// The same from blocks of bytes, summed while each block is in the cache: the scoring rule
/// (rule::classify, rule::keyed, rule::subscale_value) applied once to each of the 256 bytes of
/// each item, then looked up. `options` are the byte options (options_for) of the accumulation.
class byte_person_scores {
public:
    byte_person_scores(const bowlby::key_view& key, const bowlby::score_options& options) {
        const bowlby::subscale_def& s = key.subscales[0];
        const bowlby::response_scale scale = options.data_scale ? *options.data_scale : key.scale;
        for (int item : s.items) {
            columns_.push_back(static_cast<std::size_t>(item - 1));
            const bool rev = std::find(s.reversed.begin(), s.reversed.end(), item) != s.reversed.end();
            for (int b = 0; b < 256; ++b) {
                const bool answered = bowlby::rule::classify(static_cast<std::uint8_t>(b), scale,
                                                             options.missing_codes) == bowlby::rule::cell::answered;
                value_.push_back(answered ? bowlby::rule::keyed(static_cast<double>(b), rev, scale) : 0.0);
                answered_.push_back(answered ? 1.0 : 0.0);
            }
        }
        size_ = static_cast<double>(s.items.size());
        sum_ = s.agg == bowlby::aggregation::sum;
    }

    void add(const byte_map& x, double* out) const {
        const std::size_t m = columns_.size();
        const double need = bowlby::rule::needed(0, static_cast<int>(m));
        for (Eigen::Index r = 0; r < x.rows(); ++r) {
            const std::uint8_t* row = x.data() + r * x.cols();
            double sum = 0, answered = 0;
            for (std::size_t i = 0; i < m; ++i) {
                const std::size_t at = 256 * i + row[columns_[i]];
                sum += value_[at];
                answered += answered_[at];
            }
            out[r] = bowlby::rule::subscale_value(sum, answered, need, size_, sum_);
        }
    }

private:
    std::vector<std::size_t> columns_;
    std::vector<double> value_, answered_;  // per item, per byte
    double size_ = 0;
    bool sum_ = false;
};

using keyed_rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Adds one block of answers whose first row is row `first` of the data; `kept` gets their
/// keyed answers when not null (the bootstrap resamples them). An invalid answer's row counts
/// from the start of the data.
template <class Map>
void add_block(bowlby::instrument_accumulator& acc, const Map& x, Eigen::Index first, std::vector<double>* kept) {
    try {
        acc.add(x);
    } catch (const bowlby::invalid_response& e) {
        throw bowlby::invalid_response(e.row() + static_cast<std::size_t>(first), e.item(), e.value(),
                                       bowlby::detail::format_number(e.value()), e.reason());
    }
    if (kept) {
        const keyed_rows block = acc.last_keyed();
        kept->insert(kept->end(), block.data(), block.data() + block.size());
    }
}

/// Adds the answers block by block (as add_block).
template <class Map>
void accumulate(bowlby::instrument_accumulator& acc, const Map& x, std::vector<double>* kept) {
    for (Eigen::Index r0 = 0; r0 < x.rows(); r0 += block_rows)
        add_block(acc, x.middleRows(r0, std::min(block_rows, x.rows() - r0)), r0, kept);
}

/// The bootstrap interval of each subscale's alpha from the kept keyed answers (as the tool
/// adds it).
void add_bootstrap(const bowlby::instrument_accumulator& acc, const std::vector<double>& kept,
                   const bowlby::reliability_options& o, std::vector<bowlby::reliability_result>& results) {
    const Eigen::Index m = acc.items().items();
    const Eigen::Map<const keyed_rows> keyed(kept.data(), m ? static_cast<Eigen::Index>(kept.size()) / m : 0, m);
    Eigen::Index first = 0;
    for (std::size_t s = 0; s < results.size(); ++s) {
        const auto k = static_cast<Eigen::Index>(acc.key().subscales[s].items.size());
        if (results[s].n >= 3 && k >= 2) {
            results[s].bootstrap = bowlby::bootstrap_alpha(keyed.middleCols(first, k), o, &results[s].warnings);
            results[s].bootstrap_repetitions = o.bootstrap;
        }
        first += k;
    }
}

}  // namespace

// The reliability of every subscale of a key over raw answers, keyed and checked as in
// scoring; with the intercorrelations of the subscales when there are two or more. For
// alpha(), from the same copy of the answers: the response frequencies when `freq_max` > 0
// and the person scores when `person` is true.
// [[Rcpp::export(.bw_reliability)]]
SEXP bw_reliability(SEXP key, SEXP data, SEXP scale, Rcpp::NumericVector missing, std::string on_invalid, bool listwise,
                    double ci_level, double seed, int bootstrap, int threads, std::vector<std::string> column_names,
                    int freq_max, bool person) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options so = options_of(k, scale, missing, 0.5, on_invalid, threads);
        bowlby::reliability_options o;
        o.missing = listwise ? bowlby::missing_method::listwise : bowlby::missing_method::pairwise;
        if (!(ci_level > 0 && ci_level < 1)) throw bowlby::option_error("ci_level takes a level between 0 and 1");
        o.ci_level = ci_level;
        if (!(seed >= 0 && seed <= 9007199254740992.0 && seed == std::floor(seed)))
            throw bowlby::option_error("seed takes a whole number from 0 to 2^53");
        o.seed = static_cast<std::uint64_t>(seed);
        if (bootstrap < 0) throw bowlby::option_error("n.iter takes a whole number of resamples");
        o.bootstrap = static_cast<std::size_t>(bootstrap);
        o.threads = so.threads;
        // One pass over R's columns: each block is copied, its values counted, accumulated and
        // its rows scored while it is in the cache.
        const answer_columns a = columns_of(data);
        check_items(k.view, static_cast<Eigen::Index>(a.data.size()));
        std::optional<bowlby::instrument_accumulator> acc;
        std::vector<double> kept;
        std::vector<std::uint64_t> per_byte;
        value_counts freq(a.data.size(), freq_max);
        Rcpp::NumericVector scores(person ? a.rows : 0);
        std::optional<byte_person_scores> person_bytes;
        bool in_bytes = true;
        in_blocks(
            a, per_byte,
            [&] {
                acc.reset();
                kept.clear();
                in_bytes = false;
            },
            [&](const auto& x, R_xlen_t first) {
                if (!acc) acc.emplace(k.view, options_for(x, so));
                add_block(*acc, x, first, o.bootstrap > 0 ? &kept : nullptr);
                if (person) {
                    if constexpr (std::is_same_v<std::decay_t<decltype(x)>, byte_map>) {
                        if (!person_bytes) person_bytes.emplace(k.view, options_for(x, so));
                        person_bytes->add(x, scores.begin() + first);
                    } else {
                        person_scores(k, so, x, scores.begin() + first);
                    }
                }
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, column_major>)
                    if (freq_max > 0) freq.add(x);
            });
        if (!acc) acc.emplace(k.view, bowlby_cli::byte_options(so));  // no rows
        if (freq_max > 0 && in_bytes) freq.add_bytes(per_byte);
        std::vector<bowlby::reliability_result> results = bowlby::reliability(*acc, o, column_names);
        if (o.bootstrap > 0) add_bootstrap(*acc, kept, o, results);
        Rcpp::List scales;
        for (const auto& r : results) scales.push_back(result_fields(r));
        SEXP cors = R_NilValue;
        if (k.view.subscales.size() >= 2) {
            const bowlby::scale_correlations c = bowlby::intercorrelations(*acc, results, o.missing);
            cors = Rcpp::List::create(_["names"] = strings(c.names), _["r"] = matrix_of(c.r),
                                      _["corrected"] = matrix_of(c.corrected));
        }
        return SEXP(Rcpp::List::create(_["scales"] = scales, _["intercorrelations"] = cors,
                                       _["rows"] = acc->items().rows(),
                                       _["frequencies"] = freq_max > 0 ? freq.table() : R_NilValue,
                                       _["scores"] = person ? SEXP(scores) : R_NilValue));
    });
}

namespace {

bowlby::at_cut at_cut_of(const std::string& mode) {
    if (mode == "low") return bowlby::at_cut::low;
    if (mode == "high") return bowlby::at_cut::high;
    if (mode == "unclassified") return bowlby::at_cut::unclassified;
    throw bowlby::option_error("at_cut takes \"low\", \"high\" or \"unclassified\", not \"" + mode + "\"");
}

// A rule_error in the words of classify()'s arguments.
bowlby::option_error in_r_words(const bowlby_cli::rule_error& e, const bowlby::key_view& key,
                                const std::string& method) {
    const std::string id(key.id);
    switch (e.problem) {
        case bowlby_cli::rule_problem::unknown_method:
            return bowlby::option_error("method takes midpoint, median, brennan1998, kmeans, rq or aas, not \"" +
                                        method + "\"");
        case bowlby_cli::rule_problem::rq_only:
            return bowlby::option_error("method \"rq\" is the RQ's own rule; for " + id +
                                        " use midpoint, median, brennan1998 or kmeans");
        case bowlby_cli::rule_problem::not_for_rq:
            return bowlby::option_error("the RQ has no anxiety and avoidance scores: use method = \"rq\"");
        case bowlby_cli::rule_problem::aas_only:
            return bowlby::option_error("method \"aas\" is Collins' rule for the AAS only");
        case bowlby_cli::rule_problem::no_axes:
            break;
    }
    return bowlby::option_error(e.what());
}

/// Category codes (1-based, the levels of bowlby::category) and firmness of each row. A rule
/// fitted to a sample (median, kmeans) is fitted to `fit`'s rows (the same columns as
/// `scores`), the rows of `scores` themselves when it is null.
Rcpp::List classified(const Rcpp::NumericMatrix& scores, const bowlby_cli::rule_request& req,
                      const bowlby::key_view& key, const bowlby::response_scale& sc,
                      const bowlby::measurement_error& sem, const std::vector<bowlby::category>& forced,
                      const Rcpp::NumericMatrix* fit) {
    const int n = scores.nrow();
    Rcpp::IntegerVector category(n);
    Rcpp::NumericVector p(n);
    const bowlby_cli::dimensions d = bowlby_cli::find_dimensions(key, sc, req.method);
    std::optional<bowlby_cli::classifier> rule;
    if (req.method != "rq") {
        const Rcpp::NumericMatrix& sample = fit ? *fit : scores;
        bowlby_cli::point_counts points;
        for (int r = 0; r < sample.nrow(); ++r) {
            const double anx = sample(r, static_cast<int>(d.anxiety)),
                         avo = d.avo(sample(r, static_cast<int>(d.avoidance)));
            if (std::isfinite(anx) && std::isfinite(avo)) points[{anx, avo}] += 1;
        }
        rule = bowlby_cli::make_classifier(req, key, sc, points, sem);
    }
    std::map<std::pair<double, double>, bowlby::classification> seen;  // each distinct pair classified once
    for (int r = 0; r < n; ++r) {
        bowlby::classification c;
        if (!rule) {
            c = bowlby::rq_classify(
                scores(r, 0), scores(r, 1), scores(r, 2), scores(r, 3),
                forced.empty() ? bowlby::category::unclassified : forced[static_cast<std::size_t>(r)]);
        } else {
            const std::pair<double, double> pt{scores(r, static_cast<int>(d.anxiety)),
                                               d.avo(scores(r, static_cast<int>(d.avoidance)))};
            if (std::isnan(pt.first) || std::isnan(pt.second)) {
                c = rule->classify(pt.first, pt.second);  // NaN keys break the map's ordering
            } else {
                auto it = seen.find(pt);
                if (it == seen.end()) it = seen.emplace(pt, rule->classify(pt.first, pt.second)).first;
                c = it->second;
            }
        }
        category[r] = static_cast<int>(c.cat) + 1;
        p[r] = c.probability;
    }
    return Rcpp::List::create(_["category"] = category, _["p"] = p);
}

}  // namespace

// The names of the categories, in the order of the codes classify returns.
// [[Rcpp::export(.bw_categories)]]
Rcpp::CharacterVector bw_categories() {
    Rcpp::CharacterVector out;
    for (int c = 0; c <= static_cast<int>(bowlby::category::unclassified); ++c)
        out.push_back(bowlby::to_string(static_cast<bowlby::category>(c)));
    return out;
}

// Four-category classification of a score matrix (rows x the key's scores) by the tool's
// method dispatch. `cut` NULL or c(anxiety, avoidance); `sem` c(anxiety, avoidance) or NA;
// `forced` NULL or the RQ's forced choice cells; `fit` NULL or another score matrix that a
// rule fitted to a sample (median, kmeans) is fitted to.
// [[Rcpp::export(.bw_classify)]]
SEXP bw_classify(SEXP key, SEXP scale, Rcpp::NumericMatrix scores, std::string method, SEXP cut, std::string cut_source,
                 std::string at_cut, bool rescale, bool allow_other_instrument, double seed, Rcpp::NumericVector sem,
                 SEXP forced, SEXP fit) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options o = options_of(k, scale, {}, 0.5, "error", 1);
        const bowlby::response_scale sc = o.data_scale ? *o.data_scale : k.view.scale;
        if (scores.ncol() != static_cast<int>(k.view.n_scores()))
            throw bowlby::shape_error("the scores need one column per score of " + std::string(k.view.id));
        std::optional<Rcpp::NumericMatrix> fit_scores;
        if (!Rf_isNull(fit)) {
            fit_scores.emplace(fit);
            if (fit_scores->ncol() != scores.ncol())
                throw bowlby::shape_error("fit_on's scores need one column per score of " + std::string(k.view.id));
        }
        bowlby_cli::rule_request req;
        req.method = method;
        if (!Rf_isNull(cut)) {
            const Rcpp::NumericVector c(cut);
            req.cut = std::make_pair(c[0], c[1]);
            req.cut_source = cut_source;
        }
        req.on_cut = at_cut_of(at_cut);
        req.rescale = rescale;
        req.allow_other_instrument = allow_other_instrument;
        req.seed = static_cast<std::uint64_t>(seed);
        std::vector<bowlby::category> fc;
        if (!Rf_isNull(forced)) {
            for (const auto& cell : Rcpp::as<std::vector<std::string>>(forced))
                fc.push_back(bowlby_cli::parse_forced_choice(cell));
            if (static_cast<int>(fc.size()) != scores.nrow())
                throw bowlby::shape_error("forced_choice needs one entry per row");
        }
        try {
            return SEXP(classified(scores, req, k.view, sc, {sem[0], sem[1]}, fc, fit_scores ? &*fit_scores : nullptr));
        } catch (const bowlby_cli::rule_error& e) {
            throw in_r_words(e, k.view, method);
        }
    });
}

// The SEMs c(anxiety, avoidance) of the two dimensions `method` reads, in these answers, as
// the tool computes them for --classify: sd sqrt(1 - alpha) of the anxiety and avoidance
// subscales; for the AAS's close_depend (the mean of the close and depend items), of those
// twelve items, keyed, as one scale. NA for a dimension without a subscale.
// [[Rcpp::export(.bw_classify_sem)]]
SEXP bw_classify_sem(SEXP key, SEXP data, SEXP scale, Rcpp::NumericVector missing, std::string on_invalid,
                     std::string method) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options so = options_of(k, scale, missing, 0.5, on_invalid, 1);
        const bowlby::response_scale sc = so.data_scale ? *so.data_scale : k.view.scale;
        bowlby_cli::dimensions d;
        try {
            d = bowlby_cli::find_dimensions(k.view, sc, method);
        } catch (const bowlby_cli::rule_error& e) {
            throw in_r_words(e, k.view, method);
        }
        std::optional<bowlby::questionnaire> close_depend;
        if (d.avoidance_subscale == "close_depend") {
            std::vector<int> all, rev;
            for (std::size_t s = 0; s < 2; ++s) {
                for (int i : k.view.subscales[s].items) all.push_back(i);
                for (int i : k.view.subscales[s].reversed) rev.push_back(i);
            }
            close_depend.emplace("aas-close-depend", k.view.n_items, k.view.scale);
            close_depend->add_subscale("close_depend", all, rev);
        }
        std::optional<bowlby::instrument_accumulator> items, cd;
        with_answers(data, true, [&](const auto& x) {
            check_items(k.view, x.cols());
            items.emplace(k.view, options_for(x, so));
            accumulate(*items, x, nullptr);
            if (close_depend) {
                cd.emplace(close_depend->view(), options_for(x, so));
                accumulate(*cd, x, nullptr);
            }
        });
        const std::vector<bowlby::reliability_result> rel = bowlby::reliability(*items);
        const auto sem_of = [&](const std::string& name) {
            if (name == "close_depend" && cd) return bowlby::reliability(*cd)[0].sem;
            for (const auto& r : rel)
                if (r.name == name) return r.sem;
            return NA_REAL;
        };
        return SEXP(Rcpp::NumericVector::create(sem_of(d.anxiety_subscale), sem_of(d.avoidance_subscale)));
    });
}

namespace {

/// A score table of the key's scores from R's matrix (rows x scores, NA as NaN).
bowlby::score_table<double> table_of(const bowlby::key_view& key, const Rcpp::NumericMatrix& scores) {
    if (scores.ncol() != static_cast<int>(key.n_scores()))
        throw bowlby::shape_error("the scores need one column per score of " + std::string(key.id));
    bowlby::score_table<double> t;
    for (std::size_t s = 0; s < key.n_scores(); ++s) t.names.emplace_back(key.score_name(s));
    t.values = Eigen::Map<const Eigen::MatrixXd>(scores.begin(), scores.nrow(), scores.ncol());
    return t;
}

/// 1-based rows, for R.
Rcpp::IntegerVector rows_of(const std::vector<std::size_t>& rows) {
    Rcpp::IntegerVector out(static_cast<R_xlen_t>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<R_xlen_t>(i)] = static_cast<int>(rows[i]) + 1;
    return out;
}

Rcpp::List correlations_of(const std::vector<bowlby::dyad_correlation>& cs) {
    std::vector<std::string> x, y;
    std::vector<double> r, z, n;
    for (const bowlby::dyad_correlation& c : cs) {
        x.push_back(c.x);
        y.push_back(c.y);
        r.push_back(c.r);
        z.push_back(c.z);
        n.push_back(static_cast<double>(c.n));
    }
    return Rcpp::List::create(_["x"] = x, _["y"] = y, _["r"] = r, _["z"] = z, _["n"] = n);
}

}  // namespace

// Dyads paired by id (bowlby::pair_dyads), the similarity of partners (dyad_statistics) and,
// when `categories` (1-based codes of each row's category) is given, each pair's pairing name
// and the counts of the ten pairings and the unclassified.
// [[Rcpp::export(.bw_dyads)]]
SEXP bw_dyads(SEXP key, Rcpp::NumericMatrix scores, std::vector<std::string> dyad, SEXP distinguish, SEXP categories) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_table<double> t = table_of(k.view, scores);
        if (dyad.size() != static_cast<std::size_t>(t.rows())) throw bowlby::shape_error("dyad needs one id per row");
        const std::vector<std::string> d =
            Rf_isNull(distinguish) ? std::vector<std::string>{} : Rcpp::as<std::vector<std::string>>(distinguish);
        const bowlby::dyad_pairing p = bowlby::pair_dyads(dyad, d);
        std::vector<std::string> ids;
        std::vector<int> row1, row2;
        for (const bowlby::dyad_pair& x : p.pairs) {
            ids.push_back(x.dyad);
            row1.push_back(static_cast<int>(x.row1) + 1);
            row2.push_back(static_cast<int>(x.row2) + 1);
        }
        std::vector<std::string> un_ids, reasons;
        Rcpp::List un_rows;
        for (const bowlby::unpaired_dyad& u : p.unpaired) {
            un_ids.push_back(u.dyad);
            un_rows.push_back(rows_of(u.rows));
            reasons.emplace_back(bowlby::to_string(u.reason));
        }
        SEXP pairing = R_NilValue, counts = R_NilValue;
        if (!Rf_isNull(categories)) {
            const Rcpp::IntegerVector c(categories);
            if (c.size() != t.rows()) throw bowlby::shape_error("one category per row is needed");
            const auto cat = [&](std::size_t row) {
                const int code = c[static_cast<R_xlen_t>(row)];
                if (code == NA_INTEGER || code < 1 || code > static_cast<int>(bowlby::category::unclassified) + 1)
                    return bowlby::category::unclassified;
                return static_cast<bowlby::category>(code - 1);
            };
            const std::vector<std::string> names = bowlby::all_pairings();
            std::vector<double> n(names.size() + 1, 0);
            std::vector<std::string> each;
            for (const bowlby::dyad_pair& x : p.pairs) {
                each.push_back(bowlby::pairing_name(cat(x.row1), cat(x.row2)));
                const auto at = std::find(names.begin(), names.end(), each.back()) - names.begin();
                n[static_cast<std::size_t>(at)] += 1;  // names.size(): unclassified
            }
            Rcpp::NumericVector nv(n.begin(), n.end());
            std::vector<std::string> labels = names;
            labels.emplace_back("unclassified");
            nv.attr("names") = labels;
            pairing = Rcpp::wrap(each);
            counts = nv;
        }
        const bowlby::dyad_similarity sim = bowlby::dyad_statistics(t, p);
        return SEXP(Rcpp::List::create(
            _["dyad"] = ids, _["row1"] = row1, _["row2"] = row2,
            _["unpaired"] = Rcpp::List::create(_["dyad"] = un_ids, _["rows"] = un_rows, _["reason"] = reasons),
            _["distinguishable"] = sim.distinguishable, _["intraclass"] = correlations_of(sim.intraclass),
            _["cross_intraclass"] = correlations_of(sim.cross_intraclass), _["partner"] = correlations_of(sim.partner),
            _["cross_partner"] = correlations_of(sim.cross_partner), _["pairing"] = pairing,
            _["pairing_counts"] = counts));
    });
}

// Each score's reliability for the RCI: raw alpha (pairwise, as reliability()) over all rows
// of `data` (the pre wave's answers) of the score's scale from
// bowlby::reliability_scales_for_change, NaN for a score without one.
// [[Rcpp::export(.bw_change_alpha)]]
SEXP bw_change_alpha(SEXP key, SEXP data, SEXP scale, Rcpp::NumericVector missing, std::string on_invalid) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options so = options_of(k, scale, missing, 0.5, on_invalid, 1);
        const bowlby::change_reliability_scales scales = bowlby::reliability_scales_for_change(k.view);
        const bowlby::key_view view = scales.scales.view();
        std::optional<bowlby::instrument_accumulator> acc;
        with_answers(data, true, [&](const auto& x) {
            check_items(k.view, x.cols());
            acc.emplace(view, options_for(x, so));
            accumulate(*acc, x, nullptr);
        });
        const std::vector<bowlby::reliability_result> rel = bowlby::reliability(*acc);
        Rcpp::NumericVector out(static_cast<R_xlen_t>(scales.scale_of.size()));
        for (std::size_t s = 0; s < scales.scale_of.size(); ++s)
            out[static_cast<R_xlen_t>(s)] = scales.scale_of[s] < 0
                                                ? std::numeric_limits<double>::quiet_NaN()
                                                : rel[static_cast<std::size_t>(scales.scale_of[s])].alpha.raw_alpha;
        return SEXP(out);
    });
}

// The change between two waves (bowlby::pair_waves, pre_wave_basis, reliable_change) with
// the joint test on the key's classification axes when it has them. `reliability` one value
// per score; `sd` one per score, NA keeping the pre wave's; `functional` NULL or a scores x 2
// matrix of (mean, sd), NA rows for none.
// [[Rcpp::export(.bw_change)]]
SEXP bw_change(SEXP key, Rcpp::NumericMatrix pre_scores, Rcpp::NumericMatrix post_scores,
               std::vector<std::string> pre_ids, std::vector<std::string> post_ids, std::vector<double> reliability,
               Rcpp::NumericVector sd, double rci_z, SEXP functional, bool lower_is_better) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_table<double> pre = table_of(k.view, pre_scores), post = table_of(k.view, post_scores);
        if (pre_ids.size() != static_cast<std::size_t>(pre.rows()) ||
            post_ids.size() != static_cast<std::size_t>(post.rows()))
            throw bowlby::shape_error("one id per row of each wave is needed");
        const std::size_t n = k.view.n_scores();
        if (reliability.size() != n || static_cast<std::size_t>(sd.size()) != n)
            throw bowlby::option_error("reliability and sd need one value per score");
        const bowlby::wave_pairing p = bowlby::pair_waves(pre_ids, post_ids);
        std::vector<bowlby::change_basis> basis = bowlby::pre_wave_basis(pre, reliability);
        for (std::size_t s = 0; s < n; ++s)
            if (!Rcpp::NumericVector::is_na(sd[static_cast<R_xlen_t>(s)])) basis[s].sd = sd[static_cast<R_xlen_t>(s)];
        bowlby::change_options o;
        o.rci_z = rci_z;
        o.lower_is_better = lower_is_better;
        if (!Rf_isNull(functional)) {
            const Rcpp::NumericMatrix f(functional);
            if (f.nrow() != static_cast<int>(n) || f.ncol() != 2)
                throw bowlby::option_error("functional needs a (mean, sd) pair per score");
            for (int s = 0; s < f.nrow(); ++s)
                o.functional.push_back(std::isnan(f(s, 0)) || std::isnan(f(s, 1))
                                           ? std::nullopt
                                           : std::optional<bowlby::functional_norm>({f(s, 0), f(s, 1)}));
        }
        if (const auto axes = bowlby::find_classification_axes(k.view))
            o.plane =
                std::make_pair(static_cast<Eigen::Index>(axes->anxiety), static_cast<Eigen::Index>(axes->avoidance));
        const bowlby::change_result c = bowlby::reliable_change(pre, post, p, basis, o);

        std::vector<std::string> ids;
        std::vector<int> pre_row, post_row;
        for (const bowlby::wave_pair& x : p.pairs) {
            ids.push_back(x.id);
            pre_row.push_back(static_cast<int>(x.pre_row) + 1);
            post_row.push_back(static_cast<int>(x.post_row) + 1);
        }
        std::vector<std::string> un_ids, reasons;
        Rcpp::List un_pre, un_post;
        for (const bowlby::unmatched_id& u : p.unmatched) {
            un_ids.push_back(u.id);
            un_pre.push_back(rows_of(u.pre_rows));
            un_post.push_back(rows_of(u.post_rows));
            reasons.emplace_back(bowlby::to_string(u.reason));
        }
        std::vector<double> b_n, b_mean, b_sd, b_rel, b_sdiff;
        for (const bowlby::change_basis& b : c.basis) {
            b_n.push_back(static_cast<double>(b.n));
            b_mean.push_back(b.mean);
            b_sd.push_back(b.sd);
            b_rel.push_back(b.reliability);
            b_sdiff.push_back(b.s_diff());
        }
        const auto np = static_cast<int>(p.pairs.size()), ns = static_cast<int>(n);
        Rcpp::CharacterMatrix reliable(np, ns);
        Rcpp::CharacterMatrix clinical(c.clinical.empty() ? 0 : np, ns);
        for (int i = 0; i < np; ++i)
            for (int s = 0; s < ns; ++s) {
                const auto dir = c.reliable[static_cast<std::size_t>(i)][static_cast<std::size_t>(s)];
                reliable(i, s) = dir == bowlby::reliable_direction::unknown
                                     ? Rcpp::String(NA_STRING)
                                     : Rcpp::String(std::string(bowlby::to_string(dir)));
                if (!c.clinical.empty()) {
                    const auto cl = c.clinical[static_cast<std::size_t>(i)][static_cast<std::size_t>(s)];
                    clinical(i, s) = cl == bowlby::clinical_status::unknown
                                         ? Rcpp::String(NA_STRING)
                                         : Rcpp::String(std::string(bowlby::to_string(cl)));
                }
            }
        SEXP joint = R_NilValue;
        if (c.joint) {
            Rcpp::LogicalVector yes(np);
            for (int i = 0; i < np; ++i) {
                const auto& j = c.joint_reliable[static_cast<std::size_t>(i)];
                yes[i] = j ? static_cast<int>(*j) : NA_LOGICAL;
            }
            const auto axes = bowlby::find_classification_axes(k.view);
            joint = Rcpp::List::create(
                _["anxiety"] = c.names[static_cast<std::size_t>(axes->anxiety)],
                _["avoidance"] = c.names[static_cast<std::size_t>(axes->avoidance)], _["level"] = o.joint_level,
                _["d2"] = std::vector<double>(c.joint_d2.data(), c.joint_d2.data() + c.joint_d2.size()),
                _["p"] = std::vector<double>(c.joint_p.data(), c.joint_p.data() + c.joint_p.size()),
                _["reliable"] = yes);
        }
        return SEXP(Rcpp::List::create(
            _["names"] = c.names, _["id"] = ids, _["pre_row"] = pre_row, _["post_row"] = post_row,
            _["unmatched"] = Rcpp::List::create(_["id"] = un_ids, _["pre_rows"] = un_pre, _["post_rows"] = un_post,
                                                _["reason"] = reasons),
            _["basis"] = Rcpp::List::create(_["n"] = b_n, _["mean"] = b_mean, _["sd"] = b_sd, _["reliability"] = b_rel,
                                            _["s_diff"] = b_sdiff, _["criterion_c"] = c.criterion_c),
            _["pre"] = matrix_of(c.pre), _["post"] = matrix_of(c.post), _["change"] = matrix_of(c.change),
            _["rci"] = matrix_of(c.rci), _["reliable"] = reliable,
            _["clinical"] = c.clinical.empty() ? R_NilValue : SEXP(clinical), _["joint"] = joint));
    });
}

// Careless-responding indices of each row (bowlby/screen.hpp) in the columns `bowlby screen`
// writes, the flags each row raised (names joined by ';') and their number, the flags in force
// (bowlby::flags_in_force: the defaults with `flag_names` set to `flag_thresholds`, NA turning
// a flag off) and why mahad is empty, if it is. `order`: 0-based item indices as presented
// (empty: the key's order); `durations` NULL or one total of seconds per row (NA: none).
// [[Rcpp::export(.bw_screen)]]
SEXP bw_screen(SEXP key, SEXP data, SEXP scale, Rcpp::NumericVector missing, std::string on_invalid,
               std::vector<int> order, SEXP durations, bool one_pass, double syn_r, double ant_r,
               std::vector<std::string> flag_names, std::vector<double> flag_thresholds) {
    return guarded([&] {
        const key_handle k = key_of(key);
        const bowlby::score_options scoring = options_of(k, scale, missing, 0.5, on_invalid, 1);
        bowlby::screen_options so;
        so.syn_r = syn_r;
        so.ant_r = ant_r;
        so.presented_order = order;
        std::vector<bowlby::flag_setting> settings;
        for (std::size_t f = 0; f < flag_names.size(); ++f)
            settings.push_back({flag_names[f], std::isnan(flag_thresholds[f])
                                                   ? std::nullopt
                                                   : std::optional<double>(flag_thresholds[f])});
        const bool timed = !Rf_isNull(durations);
        const Rcpp::NumericVector seconds = timed ? Rcpp::NumericVector(durations) : Rcpp::NumericVector();
        std::vector<std::string> names;
        std::vector<Rcpp::NumericVector> values;
        Rcpp::CharacterVector raised_names;
        Rcpp::IntegerVector n_flags;
        std::vector<bowlby::screen_flag> flags;
        std::string covariance_problem;
        with_answers(data, false, [&](const auto& x) {
            check_items(k.view, x.cols());
            if (timed && seconds.size() != x.rows()) throw bowlby::shape_error("duration needs one value per row");
            const bowlby::screen_layout layout(k.view, options_for(x, scoring), so);
            flags = bowlby::flags_in_force(layout, settings, !one_pass, timed, "given with flags =");
            std::optional<bowlby::screen_statistics> stats;
            if (!one_pass) {
                bowlby::screen_sample sample(layout);
                sample.add(x);
                stats = sample.finish();
                covariance_problem = stats->covariance_problem;
            }
            bowlby::screener s(layout, stats ? &*stats : nullptr);
            const bowlby::screen_columns_of which{!one_pass, timed};
            names = bowlby::screen_columns(layout, which);
            const auto n = static_cast<R_xlen_t>(x.rows());
            for (std::size_t c = 0; c < names.size(); ++c) values.emplace_back(Rcpp::no_init(n));
            raised_names = Rcpp::CharacterVector(n);
            n_flags = Rcpp::IntegerVector(n);
            bowlby::screen_indices ix;
            std::string raised;
            for (Eigen::Index r = 0; r < x.rows(); ++r) {
                const double d = timed ? seconds[r] : std::numeric_limits<double>::quiet_NaN();
                s.screen_into(ix, x.data() + r * x.rowStride(), x.colStride(), static_cast<std::size_t>(r), d);
                std::size_t c = 0;
                bowlby::for_each_index(ix, which, [&](double v) { values[c++][r] = v; });
                const auto count = static_cast<int>(bowlby::raised_flags(flags, ix, raised));
                raised_names[r] = raised;
                n_flags[r] = count;
            }
        });
        Rcpp::List columns(names.size());
        for (std::size_t c = 0; c < names.size(); ++c) columns[static_cast<R_xlen_t>(c)] = values[c];
        columns.attr("names") = names;
        std::vector<std::string> f_name, f_rule, f_source;
        std::vector<double> f_threshold;
        for (const bowlby::screen_flag& f : flags) {
            f_name.push_back(f.name);
            f_rule.emplace_back(bowlby::to_string(f.compare));
            f_threshold.push_back(f.threshold);
            f_source.push_back(f.source);
        }
        return SEXP(Rcpp::List::create(
            _["columns"] = columns, _["flags"] = raised_names, _["n_flags"] = n_flags,
            _["flags_in_force"] = Rcpp::List::create(_["name"] = f_name, _["rule"] = f_rule,
                                                     _["threshold"] = f_threshold, _["source"] = f_source),
            _["covariance_problem"] = covariance_problem));
    });
}
