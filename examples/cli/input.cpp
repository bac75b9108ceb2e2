#include "input.hpp"

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <type_traits>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define BOWLBY_CLI_MAP_FILES 1
#else
#define BOWLBY_CLI_MAP_FILES 0
#endif

namespace bowlby_cli {

namespace {

char parse_delimiter(const std::string& text, const std::string& flag) {
    if (text == "tab" || text == "\\t" || text == "\t") return '\t';
    if (text == "comma") return ',';
    if (text == "semicolon") return ';';
    if (text.size() != 1 || text[0] == '"' || text[0] == '\n' || text[0] == '\r' || text[0] == '.' ||
        (text[0] >= '0' && text[0] <= '9') || text[0] == '-' || text[0] == '+')
        throw usage_error(flag + " takes one character such as ',' ';' '|' or the word tab, got '" +
                          faults::shown(text) + "'");
    return text[0];
}

// --recode FROM=TO,...: pairs of numbers, each FROM once.
void parse_recode(const std::string& text, std::vector<std::pair<double, double>>& recode) {
    auto number = [&](const std::string& part, const std::string& side, double& v) {
        const char* end = side.data() + side.size();
        const auto res = std::from_chars(side.data(), end, v);
        if (side.empty() || res.ec != std::errc() || res.ptr != end || !std::isfinite(v))
            throw usage_error("--recode takes FROM=TO pairs of numbers separated by commas (--recode 8=1,9=2), got '" +
                              faults::shown(part) + "' in '" + faults::shown(text) + "'");
    };
    for (const std::string& part : split(text, ',')) {
        const std::size_t eq = part.find('=');
        double from = 0, to = 0;
        number(part, eq == std::string::npos ? part : part.substr(0, eq), from);
        number(part, eq == std::string::npos ? std::string() : part.substr(eq + 1), to);
        for (const auto& [f, t] : recode)
            if (f == from)
                throw usage_error("--recode gives the answer " + format_number(from) + " twice (" + format_number(t) +
                                  " and " + format_number(to) + ")");
        recode.emplace_back(from, to);
    }
}

}  // namespace

bool parse_format_flag(const std::string& flag, args& a, text_format& format) {
    if (flag == "--recode") {
        parse_recode(a.value(flag), format.recode);
        return true;
    }
    if (flag == "--delimiter") {
        format.delimiter = parse_delimiter(a.value(flag), flag);
        return true;
    }
    if (flag == "--decimal-comma") {
        format.decimal_comma = true;
        return true;
    }
    return false;
}

namespace {

// Two columns of one name would make --items, --keep and a key's item names ambiguous. (Columns
// without a name, as a trailing comma makes, can only be read by position: they may repeat.)
void refuse_duplicate_names(const std::string& path, const std::vector<std::string>& header) {
    std::vector<std::size_t> order(header.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return header[a] < header[b]; });
    for (std::size_t i = 1; i < order.size(); ++i)
        if (!header[order[i]].empty() && header[order[i]] == header[order[i - 1]])
            throw data_error(path + ": columns " + std::to_string(order[i - 1] + 1) + " and " +
                             std::to_string(order[i] + 1) + " are both named " + faults::shown(header[order[i]]) +
                             "; give each column its own name");
}

// The delimiter of a file whose reader was not told: tab for .tsv and .tab files; otherwise
// whichever of ',' ';' and tab splits the header line into the most fields outside quotes
// (',' when they tie).
char detect_delimiter(const std::string& path, std::string_view text) {
    auto ends_with = [&](const char* ext) {
        const std::size_t n = std::char_traits<char>::length(ext);
        if (path.size() < n) return false;
        for (std::size_t i = 0; i < n; ++i)
            if (std::tolower(static_cast<unsigned char>(path[path.size() - n + i])) != ext[i]) return false;
        return true;
    };
    if (ends_with(".tsv") || ends_with(".tab")) return '\t';
    std::size_t counts[3] = {0, 0, 0};
    const char candidates[3] = {',', ';', '\t'};
    bool quoted = false;
    for (char c : text) {
        if (c == '"') quoted = !quoted;
        if (!quoted && (c == '\n' || c == '\r')) break;
        for (int k = 0; k < 3; ++k) counts[k] += !quoted && c == candidates[k];
    }
    int best = 0;
    for (int k = 1; k < 3; ++k)
        if (counts[k] > counts[best]) best = k;
    return candidates[best];
}

}  // namespace

qualtrics_export detect_qualtrics(const std::vector<std::string>& header, const std::vector<std::string>* row2,
                                  const std::vector<std::string>* row3, const std::vector<std::size_t>& item_cols) {
    if (!row2 || row2->size() != header.size()) return qualtrics_export::none;
    if (row3 && row3->size() == header.size()) {
        static constexpr std::string_view import_id = "{\"ImportId\":";
        bool any = false, all = true;
        for (const std::string& cell : *row3) {
            if (cell.empty()) continue;
            any = true;
            all = all && cell.size() > import_id.size() && cell.compare(0, import_id.size(), import_id) == 0 &&
                  cell.back() == '}';
        }
        if (any && all) return qualtrics_export::current;
    }
    const bool fixed_columns =
        header.size() >= 2 &&
        (((header[0] == "ResponseID" || header[0] == "ResponseId") && header[1] == "ResponseSet") ||
         (header[0] == "V1" && header[1] == "V2"));
    if (!fixed_columns || item_cols.empty()) return qualtrics_export::none;
    for (std::size_t c : item_cols) {
        if (c >= row2->size()) return qualtrics_export::none;
        double v = 0;
        const std::string& cell = (*row2)[c];
        if (cell.empty() || bowlby::csv::parse_answer(cell, v) != bowlby::csv::cell_kind::text)
            return qualtrics_export::none;
    }
    return qualtrics_export::legacy;
}

answer_reader::answer_reader(const std::string& path, const std::string& items_spec, std::size_t n_items,
                             const std::string& what, std::size_t max_record,
                             const std::vector<std::string>& item_names, text_format format)
    : path_(path), max_record_(max_record), format_(format) {
    if (format_.decimal_comma && format_.delimiter == ',')
        throw usage_error("--decimal-comma needs another delimiter than ',' (--delimiter ';')");
    if (!format_.recode.empty()) {
        // Bytes hold whole answers from 0 to 254: a block is read as bytes only when every
        // recoded answer stays such a byte.
        byte_recode_.resize(256);
        for (std::size_t b = 0; b < 256; ++b) byte_recode_[b] = static_cast<std::uint8_t>(b);
        for (const auto& [from, to] : format_.recode) {
            if (!(from >= 0 && from < parsed_rows::missing_byte && from == std::floor(from))) continue;
            if (to >= 0 && to < parsed_rows::missing_byte && to == std::floor(to))
                byte_recode_[static_cast<std::size_t>(from)] = static_cast<std::uint8_t>(to);
            else
                try_bytes_.store(false);
        }
    }
    kind_ = format_.kind != file_kind::by_name ? format_.kind : path == "-" ? file_kind::csv : kind_of(path);
    if (kind_ != file_kind::csv) {
        if (format_.delimiter != 0 || format_.decimal_comma)
            throw usage_error("--delimiter and --decimal-comma are for CSV files; " + path + " is read as " +
                              (kind_ == file_kind::dta ? "a Stata" : "an SPSS") + " file");
        stat_ = std::make_unique<stat_table>(read_stat_file(path, kind_));
        format_.delimiter = ',';
        max_record_ = 0;  // a respondent's record is as long as the file's variables make it
        map_ = stat_->csv.data();
        map_size_ = stat_->csv.size();
    }
#if BOWLBY_CLI_MAP_FILES
    if (path != "-" && !stat_) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw data_error("cannot open '" + path + "' (" + std::strerror(errno) + ")");
        struct stat st {};
        if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            ::close(fd);
            throw data_error("'" + path + "' is a directory, not a CSV file");
        }
        if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
            const auto size = static_cast<std::size_t>(st.st_size);
            void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p != MAP_FAILED) {
                map_ = static_cast<const char*>(p);
                map_size_ = size;
                map_fd_ = fd;
                watch_ = std::make_unique<faults::tracked_map>(map_, map_size_);
                if (size >= 3 && std::memcmp(map_, "\xEF\xBB\xBF", 3) == 0) map_pos_ = 3;  // a byte-order mark
            }
        }
        if (map_fd_ < 0) ::close(fd);
    }
#endif
    try {  // the destructor does not run when the constructor throws: let go of the map here
        read_header(items_spec, n_items, what, item_names);
    } catch (...) {
        release_map();
        throw;
    }
}

void answer_reader::read_header(const std::string& items_spec, std::size_t n_items, const std::string& what,
                                const std::vector<std::string>& item_names) {
    const std::string& path = path_;
    if (!map_) {
        std::istream* in = &std::cin;
        if (path != "-") {
            file_.open(path, std::ios::binary);
            if (!file_) throw data_error("cannot open '" + path + "'");
            in = &file_;
        }
        blocks_ = std::make_unique<bowlby::csv::block_reader>(*in, block_size, max_record_);
    }
    try {
        std::string storage;
        text_block block;
        if (!next_block(storage, block)) throw data_error(path + ": the file is empty; a header row is needed");
        if (format_.delimiter == 0) format_.delimiter = detect_delimiter(path, block.text);
        if (format_.decimal_comma && format_.delimiter == ',')
            throw data_error(path +
                             ": the header is separated by commas, so --decimal-comma cannot be read; give "
                             "the delimiter with --delimiter");
        bowlby::csv::splitter split(block.text, 1, format_.delimiter);
        std::vector<std::string_view> fields;
        if (!split.next(fields)) throw data_error(path + ": the file is empty; a header row is needed");
        header_.assign(fields.begin(), fields.end());
        refuse_duplicate_names(path, header_);
        // After each of the first three records of the block: where the next one starts, and
        // its line. A Qualtrics export's data start after the third (current) or second (legacy).
        std::size_t after[3] = {split.position(), 0, 0}, line_after[3] = {split.next_line(), 0, 0};
        std::vector<std::string> rows[2];
        std::size_t more = 0;
        try {  // rows 2 and 3, to recognise a Qualtrics export; an error in them is left to the data
            for (; more < 2 && split.next(fields); ++more) {
                rows[more].assign(fields.begin(), fields.end());
                after[more + 1] = split.position();
                line_after[more + 1] = split.next_line();
            }
        } catch (const bowlby::csv::csv_error&) {
        }
        find_items(items_spec, n_items, what, item_names);
        if (stat_) {
            for (std::size_t c : item_cols_)
                if (stat_->text[c])
                    throw data_error(path + ": the item column " + faults::shown(header_[c]) +
                                     " is a string variable of this " + kind_name(kind_) +
                                     " file; the items must be numeric variables (make it numeric in " +
                                     kind_name(kind_) + ", or name other columns with --items)");
        } else {
            qualtrics_ =
                detect_qualtrics(header_, more > 0 ? &rows[0] : nullptr, more > 1 ? &rows[1] : nullptr, item_cols_);
        }
        const std::size_t skip = qualtrics_header_records(qualtrics_) - 1;
        // An SPSS or Stata file's rows are numbered as respondents: its first record is 1.
        first_data_line_ = stat_ ? 1 : line_after[skip];
        if (map_) {  // the data start after the header
            map_first_end_ = map_pos_;
            map_pos_ = static_cast<std::size_t>(block.text.data() - map_) + after[skip];
        } else {
            first_ = std::string(block.text.substr(after[skip]));
            first_pending_ = true;
        }
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path + ", " + e.what());
    }
}

void answer_reader::find_items(const std::string& items_spec, std::size_t n_items, const std::string& what,
                               const std::vector<std::string>& item_names) {
    if (!items_spec.empty()) {
        item_cols_ = resolve_columns(items_spec, header_, "--items");
        if (n_items != 0 && item_cols_.size() != n_items)
            throw usage_error("--items names " + std::to_string(item_cols_.size()) + " columns, but " + what + " has " +
                              std::to_string(n_items) + " items");
        return;
    }
    std::vector<std::string> absent;
    for (const std::string& name : item_names) {
        const auto it = std::find(header_.begin(), header_.end(), name);
        if (it == header_.end()) absent.push_back(name);
        item_cols_.push_back(static_cast<std::size_t>(it - header_.begin()));
    }
    if (!item_names.empty() && absent.empty()) return;  // every item found by its name
    item_cols_.clear();
    if (header_.size() == n_items) {
        for (std::size_t i = 0; i < n_items; ++i) item_cols_.push_back(i);
        return;
    }
    std::string names_absent;
    if (!absent.empty())
        names_absent = "; of the key's item names, " + std::to_string(absent.size()) + " are not in the header (" +
                       faults::shown(absent.front()) + (absent.size() > 1 ? ", ..." : "") + ")";
    throw usage_error(path_ + " has " + std::to_string(header_.size()) + " columns and " + what + " has " +
                      std::to_string(n_items) + " items" + names_absent +
                      ": name the item columns with --items (for example --items " + faults::shown(header_.front()) +
                      ":...); the columns are: " + join_header(header_));
}

std::string answer_reader::row_at(std::size_t line) const { return row_word() + (" " + std::to_string(line)); }

std::vector<std::string> answer_reader::item_names() const {
    std::vector<std::string> names;
    for (std::size_t c : item_cols_) names.push_back(header_[c]);
    return names;
}

namespace {
// Line breaks in [p, p + n), how many of them end an empty line (a break right after another,
// or at p, which starts a line), and whether a double quote or a carriage return occurs: one
// pass, sixteen bytes at a time where SSE2 is available.
struct text_counts {
    std::size_t breaks = 0, empty_lines = 0;
    bool quote_or_cr = false;
};
text_counts count_lines(const char* p, std::size_t n) {
    text_counts c;
    if (n == 0) return c;
    auto one = [&](std::size_t i, bool after_break) {
        const bool nl = p[i] == '\n';
        c.breaks += nl;
        c.empty_lines += nl && after_break;
        c.quote_or_cr |= p[i] == '"' || p[i] == '\r';
    };
    one(0, true);
    std::size_t i = 1;
#if defined(__SSE2__) || defined(_M_X64)
    const __m128i nl = _mm_set1_epi8('\n'), quote = _mm_set1_epi8('"'), cr = _mm_set1_epi8('\r');
    __m128i special = _mm_setzero_si128();
    while (n - i >= 16) {
        // Up to 255 vectors counted in byte lanes, then summed.
        const std::size_t vectors = std::min<std::size_t>((n - i) / 16, 255);
        __m128i breaks = _mm_setzero_si128(), empty = _mm_setzero_si128();
        for (std::size_t k = 0; k < vectors; ++k, i += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i - 1));
            const __m128i is_break = _mm_cmpeq_epi8(v, nl);
            breaks = _mm_sub_epi8(breaks, is_break);
            empty = _mm_sub_epi8(empty, _mm_and_si128(is_break, _mm_cmpeq_epi8(before, nl)));
            special = _mm_or_si128(special, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, cr)));
        }
        const __m128i b = _mm_sad_epu8(breaks, _mm_setzero_si128()), e = _mm_sad_epu8(empty, _mm_setzero_si128());
        c.breaks += static_cast<std::size_t>(_mm_cvtsi128_si32(b)) + static_cast<std::size_t>(_mm_extract_epi16(b, 4));
        c.empty_lines +=
            static_cast<std::size_t>(_mm_cvtsi128_si32(e)) + static_cast<std::size_t>(_mm_extract_epi16(e, 4));
    }
    c.quote_or_cr |= _mm_movemask_epi8(special) != 0;
#endif
    for (; i < n; ++i) one(i, p[i - 1] == '\n');
    return c;
}

// The records of a block with no quote and no carriage return: its lines that are not empty.
std::size_t plain_records(const char* p, std::size_t n, const text_counts& c) {
    return c.breaks - c.empty_lines + (n > 0 && p[n - 1] != '\n' ? 1 : 0);
}
}  // namespace

answer_reader::~answer_reader() { release_map(); }

void answer_reader::release_map() noexcept {
#if BOWLBY_CLI_MAP_FILES
    watch_.reset();
    if (map_ && !stat_) ::munmap(const_cast<char*>(map_), map_size_);
    if (map_fd_ >= 0) ::close(map_fd_);
    map_ = nullptr;
    map_fd_ = -1;
#endif
}

void answer_reader::check_unchanged() const {
#if BOWLBY_CLI_MAP_FILES
    if (map_fd_ < 0) return;
    struct stat st {};
    const bool sized = ::fstat(map_fd_, &st) == 0;
    const auto now = sized ? static_cast<std::size_t>(st.st_size) : map_size_;
    if (now == map_size_ && !(watch_ && watch_->faulted())) return;
    throw data_error(path_ + " changed while it was being read (it was " + std::to_string(map_size_) + " bytes, now " +
                     std::to_string(now) + "); run it again on a copy that does not change");
#endif
}

std::size_t answer_reader::line_at(std::size_t offset) const {
    return 1 + bowlby::csv::detail::count_byte(map_, offset, '\n');
}

bool answer_reader::next_block(std::string& storage, text_block& block) {
    if (map_) return next_mapped(block);
    if (first_pending_) {
        first_pending_ = false;
        storage.swap(first_);
    } else {
        storage.clear();
    }
    try {
        if (storage.empty() && !blocks_->next(storage)) return false;
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path_ + ", " + e.what() + " (--max-record-bytes sets the limit)");
    }
    block.text = storage;
    return true;
}

void answer_reader::measure(text_block& block) {
    const text_counts c = count_lines(block.text.data(), block.text.size());
    block.breaks = c.breaks;
    block.plain = !c.quote_or_cr;
    block.records = plain_records(block.text.data(), block.text.size(), c);
}

void answer_reader::show_progress(progress_mode mode) {
    if (map_ && mode != progress_mode::never) progress_ = std::make_unique<progress_meter>(path_, map_size_, mode);
}

void answer_reader::progressed(const char* end, std::size_t rows) {
    rows_done_ += rows;
    if (progress_ && map_ && end) progress_->update(static_cast<std::size_t>(end - map_), rows_done_);
}

void answer_reader::release([[maybe_unused]] const char* end) {
#if BOWLBY_CLI_MAP_FILES
    constexpr std::size_t step = std::size_t{8} << 20;
    if (!map_ || !end || stat_) return;
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t upto = static_cast<std::size_t>(end - map_) / page * page;
    if (upto < released_ + step) return;
    ::madvise(const_cast<char*>(map_ + released_), upto - released_, MADV_DONTNEED);
    released_ = upto;
#endif
}

// The blocks bowlby::csv::block_reader would cut from a stream of the file, so that results
// summed block by block are the same to the last bit whether the file is mapped or piped in:
// the file is read block_size bytes at a time (read_end_), and once a block holds at least
// block_size bytes it ends at the last line break outside quotes read so far; at the end of
// the file, the rest is the last block. Only quotes are looked for here (with memchr, the
// fastest pass there is): this is the part of reading that one thread does at a time.
bool answer_reader::next_mapped(text_block& block) {
    constexpr std::size_t none = std::string::npos;
    check_unchanged();
    std::size_t end = none;
    if (map_first_end_ > map_pos_) {  // the records read with the header
        end = map_first_end_;
    } else {
        std::size_t scanned = map_pos_;
        bool in_quotes = false;
        while (read_end_ < map_size_) {
            read_end_ = std::min(read_end_ + block_size, map_size_);
            const char* const p = map_ + scanned;
            const std::size_t n = read_end_ - scanned;
            if (!in_quotes && std::memchr(p, '"', n) == nullptr) {
                const std::size_t nl = std::string_view(p, n).rfind('\n');
                if (nl != std::string_view::npos) end = scanned + nl + 1;
            } else {
                for (std::size_t i = 0; i < n; ++i) {
                    if (p[i] == '"')
                        in_quotes = !in_quotes;
                    else if (p[i] == '\n' && !in_quotes)
                        end = scanned + i + 1;
                }
            }
            scanned = read_end_;
            if (end != none && read_end_ - map_pos_ >= block_size) break;
            if (end == none && max_record_ != 0 && read_end_ - map_pos_ > max_record_)
                throw data_error(path_ + ", line " + std::to_string(line_at(map_pos_)) + ": a record longer than " +
                                 std::to_string(max_record_) +
                                 " bytes (no line break ends it; --max-record-bytes sets the limit)");
            if (read_end_ == map_size_) end = none;  // the end of the file: the rest is the last block
        }
        if (end == none) {
            if (map_pos_ >= map_size_) return false;
            end = map_size_;
        }
    }
    map_first_end_ = 0;
    block.text = std::string_view(map_ + map_pos_, end - map_pos_);
    map_pos_ = end;
    return true;
}

#if defined(__SSE2__) || defined(_M_X64)
namespace {
// The index of the lowest bit set in m (which is not 0).
int lowest_bit(unsigned m) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctz(m);
#else
    int n = 0;
    for (; !(m & 1u); m >>= 1) ++n;
    return n;
#endif
}

// Up to n (8 or 4) one-digit answers, each followed by a comma (the last by a line break when
// `ends_line`), at p: returns how many of the n cells from p are such answers before the
// first that is not, and writes n values to out (doubles or bytes; those from that cell on
// are meaningless, for the caller to overwrite). Reads 2n bytes.
template <int n, class T>
int digit_run(const char* p, bool ends_line, T* out) {
    static_assert(n == 8 || n == 4);
    const __m128i v = n == 8 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))
                             : _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
    const __m128i nine = _mm_set1_epi8(9);
    const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    const __m128i digit = _mm_cmpeq_epi8(_mm_max_epu8(t, nine), nine);  // '0'..'9'
    // Odd bytes: commas, and a line break at the end when the run ends the record.
    const __m128i sep = ends_line
                            ? (n == 8 ? _mm_set_epi8('\n', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0, ',', 0)
                                      : _mm_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, '\n', 0, ',', 0, ',', 0, ',', 0))
                            : _mm_set1_epi8(',');
    const __m128i odd = _mm_set1_epi16(static_cast<short>(0xFF00));
    const __m128i good = _mm_or_si128(_mm_andnot_si128(odd, digit), _mm_and_si128(odd, _mm_cmpeq_epi8(v, sep)));
    // Cells answered up to the first bad byte (a bit per byte, two bytes a cell).
    const unsigned bad = ~static_cast<unsigned>(_mm_movemask_epi8(good)) | (n == 8 ? 0x10000u : 0x100u);
    const int cells = lowest_bit(bad) / 2;
    if (cells == 0) return 0;
    const __m128i w = _mm_andnot_si128(odd, t);  // the digits, as 16-bit numbers
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        const __m128i packed = _mm_packus_epi16(w, w);
        if constexpr (n == 8) {
            _mm_storel_epi64(reinterpret_cast<__m128i*>(out), packed);
        } else {
            const int four = _mm_cvtsi128_si32(packed);
            std::memcpy(out, &four, 4);
        }
    } else {
        const __m128i zero = _mm_setzero_si128();
        const __m128i lo = _mm_unpacklo_epi16(w, zero);
        _mm_storeu_pd(out, _mm_cvtepi32_pd(lo));
        _mm_storeu_pd(out + 2, _mm_cvtepi32_pd(_mm_shuffle_epi32(lo, 0x0E)));
        if constexpr (n == 8) {
            const __m128i hi = _mm_unpackhi_epi16(w, zero);
            _mm_storeu_pd(out + 4, _mm_cvtepi32_pd(hi));
            _mm_storeu_pd(out + 6, _mm_cvtepi32_pd(_mm_shuffle_epi32(hi, 0x0E)));
        }
    }
    return cells;
}
}  // namespace
#endif

namespace {

// Where the fields of a plain record go: the item each holds (-1: none), whether a kept
// column is in it, and how many fields from it on hold consecutive items and are not kept, so
// that a run of one-digit answers can be checked and converted a vector at a time.
struct field_layout {
    std::vector<int> item_of;
    std::vector<char> kept;
    std::vector<std::size_t> run;
    std::size_t size() const { return item_of.size(); }
};

field_layout layout_fields(std::size_t n_fields, const std::vector<std::size_t>& item_cols,
                           const std::vector<std::size_t>& keep_cols) {
    field_layout l{std::vector<int>(n_fields, -1), std::vector<char>(n_fields, 0),
                   std::vector<std::size_t>(n_fields + 1, 0)};
    for (std::size_t j = 0; j < item_cols.size(); ++j) l.item_of[item_cols[j]] = static_cast<int>(j);
    for (std::size_t c : keep_cols) l.kept[c] = 1;
    for (std::size_t f = n_fields; f-- > 0;)
        if (l.item_of[f] >= 0 && !l.kept[f])
            l.run[f] = f + 1 < n_fields && l.item_of[f + 1] == l.item_of[f] + 1 ? l.run[f + 1] + 1 : 1;
    return l;
}

enum class cell_status { stored, text, not_byte };

// The answer in [start, stop) into `to` (a double, or a byte: T = std::uint8_t). An empty cell
// is missing; a one-digit answer is converted without a call.
template <class T>
cell_status store_answer(const char* start, const char* stop, T& to) {
    const bool one_digit = stop == start + 1 && *start >= '0' && *start <= '9';
    double v = std::numeric_limits<double>::quiet_NaN();
    if (one_digit)
        v = *start - '0';
    else if (stop != start && bowlby::csv::parse_answer(std::string_view(start, static_cast<std::size_t>(stop - start)),
                                                        v) == bowlby::csv::cell_kind::text)
        return cell_status::text;
    if constexpr (std::is_same_v<T, std::uint8_t>) {
        if (one_digit)
            to = static_cast<std::uint8_t>(*start - '0');
        else if (std::isnan(v))
            to = parsed_rows::missing_byte;
        else if (v >= 0 && v < parsed_rows::missing_byte && v == std::floor(v) && !std::signbit(v))
            to = static_cast<std::uint8_t>(v);
        else
            return cell_status::not_byte;
    } else {
        to = v;
    }
    return cell_status::stored;
}

#if defined(__SSE2__) || defined(_M_X64)
enum class run_step { none, more, record_end };

// A run of one-digit answers from field f at p, eight or four cells at a time, when the fields
// from f on allow one: advances p and f past the cells read. `record_end` when the run ended
// the record (its line break left at p); `more` when all its cells were answers (another run
// may follow); `none` when it stopped short (at an empty cell, say) or was not tried, leaving
// the cell at p to the general code.
template <class T>
run_step digit_step(const char*& p, const char* end, std::size_t& f, const field_layout& l, T* row) {
    if (f >= l.size() || l.run[f] < 4) return run_step::none;
    const bool eight = l.run[f] >= 8 && end - p >= 16;
    if (!eight && end - p < 8) return run_step::none;
    const std::size_t n = eight ? 8 : 4;
    const bool ends = f + n == l.size();
    const auto k = static_cast<std::size_t>(eight ? digit_run<8>(p, ends, row + l.item_of[f])
                                                  : digit_run<4>(p, ends, row + l.item_of[f]));
    f += k;
    if (k == n && ends) {
        p += 2 * n - 1;
        return run_step::record_end;
    }
    p += 2 * k;
    return k == n ? run_step::more : run_step::none;
}
#endif

// One record of a plain block from p (not at an empty line) into `row`: advances p to the
// record's line break (or the end of the text), keeping views of its kept cells.
template <class T>
detail::plain_result parse_record(const char*& p, const char* end, const field_layout& l, T* row,
                                  std::vector<std::string_view>& kept_views) {
    std::size_t f = 0;
    for (;;) {
#if defined(__SSE2__) || defined(_M_X64)
        const run_step step = digit_step(p, end, f, l, row);
        if (step == run_step::record_end) break;
        if (step == run_step::more) continue;
#endif
        const char* start = p;
        // One digit and the field's end: the usual answer.
        const char* stop = p + 1 < end && *p >= '0' && *p <= '9' && (p[1] == ',' || p[1] == '\n') ? p + 1 : nullptr;
        if (!stop) {
            stop = p;
            while (stop < end && *stop != ',' && *stop != '\n') ++stop;
        }
        if (f >= l.size()) return detail::plain_result::general;
        if (const int j = l.item_of[f]; j >= 0) {
            const cell_status s = store_answer(start, stop, row[j]);
            if (s == cell_status::text) return detail::plain_result::general;
            if (s == cell_status::not_byte) return detail::plain_result::not_bytes;
        }
        if (l.kept[f]) kept_views[f] = std::string_view(start, static_cast<std::size_t>(stop - start));
        ++f;
        p = stop;
        if (p >= end || *p == '\n') break;
        ++p;  // the comma
    }
    return f == l.size() ? detail::plain_result::done : detail::plain_result::general;
}

}  // namespace

// The usual block: no quotes and no carriage returns, so that a record is a line and a field
// ends at the next comma. Cells go straight from the text into the matrix (doubles, or bytes:
// T = std::uint8_t), one-digit answers without a call. Anything unusual (a field count that
// differs from the header's, text where a number belongs) returns `general` before anything
// is reported, and the block is parsed again by the general code, which says what is wrong;
// so both give the same rows, lines and errors. Into bytes, an answer that is no whole number
// from 0 to 254 returns `not_bytes`.
template <class T>
detail::plain_result answer_reader::parse_plain(std::string_view text, std::size_t first_line, T* answers,
                                                Eigen::Index stride, parsed_rows& out) const {
    const field_layout l = layout_fields(header_.size(), item_cols_, keep_cols_);
    std::vector<std::string_view> kept_views(l.size());
    const char* p = text.data();
    const char* const end = p + text.size();
    std::size_t line = first_line;
    Eigen::Index r = 0;
    while (p < end) {
        if (*p == '\n') {  // an empty line
            ++line;
            ++p;
            continue;
        }
        const detail::plain_result record = parse_record(p, end, l, answers + r * stride, kept_views);
        if (record != detail::plain_result::done) return record;
        out.lines.push_back(line);
        for (std::size_t c : keep_cols_) out.kept.emplace_back(kept_views[c]);
        ++r;
        if (p < end) {  // the line break
            ++p;
            ++line;
        }
    }
    out.n_rows = r;
    return detail::plain_result::done;
}

void answer_reader::parse(const text_block& block, bowlby::invalid_policy policy, parsed_rows& out) const {
    parse_text(block, policy, out);
    if (!format_.recode.empty()) recode(out);
}

void answer_reader::recode(parsed_rows& out) const {
    const Eigen::Index n = out.n_rows * static_cast<Eigen::Index>(item_cols_.size());
    if (out.in_bytes) {
        std::uint8_t* const b = out.byte_store.data();
        for (Eigen::Index i = 0; i < n; ++i) b[i] = byte_recode_[b[i]];
        return;
    }
    double* const a = out.answer_store.data();
    for (Eigen::Index i = 0; i < n; ++i)
        for (const auto& [from, to] : format_.recode)
            if (a[i] == from) {
                a[i] = to;
                break;
            }
}

void answer_reader::parse_text(const text_block& block, bowlby::invalid_policy policy, parsed_rows& out) const {
    const std::string_view text = block.text;
    const std::size_t first_line = block.first_line;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto n_items = static_cast<Eigen::Index>(item_cols_.size());
    out.keep = keep_cols_.size();
    out.text_invalid = 0;
    out.n_rows = 0;
    // A record of the header's n fields takes at least n bytes (n - 1 commas and its end), the
    // last one n - 1: so there are at most size / n + 1 records. The matrices keep their room
    // from block to block (rows never written are not touched).
    const auto max_rows = static_cast<Eigen::Index>(text.size() / std::max<std::size_t>(header_.size(), 1) + 1);
    auto room = [&](auto& store) {
        if (store.rows() < max_rows || store.cols() != n_items) store.resize(max_rows + max_rows / 8, n_items);
        return store.data();
    };
    out.in_bytes = false;
    out.lines.clear();
    out.kept.clear();
    out.lines.reserve(static_cast<std::size_t>(max_rows));
    out.kept.reserve(static_cast<std::size_t>(max_rows) * keep_cols_.size());
    // The plain parsers read commas and decimal points only; other layouts take the general one.
    const bool plain_text = block.plain && format_.delimiter == ',' && !format_.decimal_comma;
    detail::plain_result plain = plain_text ? detail::plain_result::not_bytes : detail::plain_result::general;
    if (plain_text && allow_bytes_ && try_bytes_.load(std::memory_order_relaxed)) {
        plain = parse_plain(text, first_line, room(out.byte_store), n_items, out);
        if (plain == detail::plain_result::done) {
            out.in_bytes = true;
            return;
        }
        out.lines.clear();
        out.kept.clear();
        if (plain == detail::plain_result::not_bytes) try_bytes_.store(false, std::memory_order_relaxed);
    }
    double* const answers = room(out.answer_store);
    if (plain == detail::plain_result::not_bytes &&
        parse_plain(text, first_line, answers, n_items, out) == detail::plain_result::done)
        return;
    out.lines.clear();
    out.kept.clear();
    bowlby::csv::splitter split(text, first_line, format_.delimiter);
    std::vector<std::string_view> fields;
    std::string decimal;  // a cell with its decimal comma made a point
    Eigen::Index r = 0;
    try {
        while (split.next(fields)) {
            if (fields.size() != header_.size())
                throw data_error(path_ + ", " + row_at(split.line()) + ": " + std::to_string(fields.size()) +
                                 " fields, but the header has " + std::to_string(header_.size()));
            out.lines.push_back(split.line());
            double* row = answers + r * n_items;
            for (std::size_t j = 0; j < item_cols_.size(); ++j) {
                const std::string_view cell = fields[item_cols_[j]];
                double v = nan;
                std::string_view number = cell;
                if (format_.decimal_comma && cell.find(',') != std::string_view::npos) {
                    decimal.assign(cell);
                    std::replace(decimal.begin(), decimal.end(), ',', '.');
                    number = decimal;
                }
                if (bowlby::csv::parse_answer(number, v) == bowlby::csv::cell_kind::text) {
                    if (policy == bowlby::invalid_policy::error)
                        throw data_error(path_ + ", " + row_at(split.line()) + ", column " +
                                         faults::shown(header_[item_cols_[j]]) + ": value '" + faults::shown(cell) +
                                         "' is not a number");
                    ++out.text_invalid;
                    v = nan;
                }
                row[j] = v;
            }
            for (std::size_t c : keep_cols_) out.kept.emplace_back(fields[c]);
            ++r;
        }
    } catch (const bowlby::csv::csv_error& e) {
        throw data_error(path_ + ", " + e.what());
    }
    out.n_rows = r;
}

data_error answer_reader::describe(const bowlby::invalid_response& e, const parsed_rows& rows) const {
    return data_error(path_ + ", " + row_at(rows.lines[e.row()]) + ", column " +
                      faults::shown(header_[item_cols_[e.item()]]) + ": value " + format_number(e.value()) + " " +
                      e.reason());
}

}  // namespace bowlby_cli
