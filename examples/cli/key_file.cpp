#include "key_file.hpp"

#include "faults.hpp"

#include <bowlby/error.hpp>
#include <bowlby/instruments.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>

namespace bowlby_cli {
namespace {

using json = nlohmann::json;

// Reads one key file, naming the file and the JSON path of whatever is wrong.
class key_reader {
public:
    explicit key_reader(const std::string& where) : where_(where) {}

    [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
        throw bowlby::key_error(where_ + ": " + (path.empty() ? "" : path + ": ") + problem);
    }

    static std::string shown(const json& v) {
        std::string s = v.dump();
        return faults::shown(s);
    }

    // Fields other than `known` are an error (a misspelt field would otherwise be ignored).
    void only(const json& obj, const std::string& path, std::initializer_list<const char*> known,
              const char* what) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            const std::string& name = it.key();
            if (std::none_of(known.begin(), known.end(), [&](const char* k) { return name == k; })) {
                std::string list;
                for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
                fail(path.empty() ? name : path + "." + name,
                     std::string("unknown field; ") + what + " has the fields " + list);
            }
        }
    }

    const json* find(const json& obj, const char* name) const {
        const auto it = obj.find(name);
        return it == obj.end() ? nullptr : &*it;
    }

    std::string text(const json& obj, const std::string& path, const char* name, bool required) const {
        const json* v = find(obj, name);
        const std::string p = path.empty() ? name : path + "." + name;
        if (!v) {
            if (required) fail(p, "missing; a text is needed");
            return {};
        }
        if (!v->is_string()) fail(p, "a text (in quotes) is needed, got " + shown(*v));
        return v->get<std::string>();
    }

    double number(const json& v, const std::string& path) const {
        if (!v.is_number()) fail(path, "a number is needed, got " + shown(v));
        const double x = v.get<double>();
        if (!std::isfinite(x)) fail(path, "a finite number is needed");
        return x;
    }

    const json& array(const json& obj, const std::string& path, const char* name) const {
        static const json empty = json::array();
        const json* v = find(obj, name);
        if (!v) return empty;
        if (!v->is_array()) fail(path.empty() ? name : path + "." + name, "a list [...] is needed, got " + shown(*v));
        return *v;
    }

    void read_top(const json& j, key_file& out);
    bowlby::response_scale read_scale(const json& j) const;
    int read_items(const json& j, std::vector<std::string>& names) const;
    int item(const json& v, const std::string& path) const;
    void read_subscales(const json& j, bowlby::questionnaire& q) const;
    void read_derived(const json& j, bowlby::questionnaire& q) const;
    void read_defaults(const json& j, key_file& out) const;

private:
    std::string where_;
    int n_items_ = 0;
    std::vector<std::string> item_names_;
};

bowlby::response_scale key_reader::read_scale(const json& j) const {
    const json* s = find(j, "scale");
    if (!s) fail("scale", "missing; give the response scale, for example {\"min\": 1, \"max\": 7}");
    if (!s->is_object()) fail("scale", "an object {\"min\": ..., \"max\": ...} is needed, got " + shown(*s));
    only(*s, "scale", {"min", "max", "integral"}, "the scale");
    bowlby::response_scale rs;
    for (const char* bound : {"min", "max"})
        if (!find(*s, bound)) fail(std::string("scale.") + bound, "missing");
    rs.min = number(s->at("min"), "scale.min");
    rs.max = number(s->at("max"), "scale.max");
    if (!(rs.min < rs.max)) fail("scale", "min must be below max");
    if (const json* i = find(*s, "integral")) {
        if (!i->is_boolean()) fail("scale.integral", "true or false is needed, got " + shown(*i));
        rs.integral = i->get<bool>();
    }
    return rs;
}

// "n_items" and "items" (the item names, which are the data's column names); returns the count.
int key_reader::read_items(const json& j, std::vector<std::string>& names) const {
    const json& items = array(j, "", "items");
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string p = "items[" + std::to_string(i) + "]";
        if (!items[i].is_string() || items[i].get<std::string>().empty())
            fail(p, "an item name (a column name in quotes) is needed, got " + shown(items[i]));
        const std::string name = items[i].get<std::string>();
        const auto seen = std::find(names.begin(), names.end(), name);
        if (seen != names.end())
            fail(p, "\"" + faults::shown(name) + "\" is also items[" + std::to_string(seen - names.begin()) + "]");
        names.push_back(name);
    }
    const json* n = find(j, "n_items");
    if (!n) {
        if (names.empty()) fail("n_items", "missing; give the number of items, or their names as \"items\"");
        return static_cast<int>(names.size());
    }
    const double x = number(*n, "n_items");
    if (!(x >= 1 && x <= 100000 && x == std::floor(x))) fail("n_items", "a whole number from 1 is needed");
    if (!names.empty() && static_cast<std::size_t>(x) != names.size())
        fail("n_items", "says " + shown(*n) + " but \"items\" names " + std::to_string(names.size()));
    return static_cast<int>(x);
}

// An item reference: a 1-based number or one of the key's item names.
int key_reader::item(const json& v, const std::string& path) const {
    const std::string count = std::to_string(n_items_);
    if (v.is_string()) {
        const std::string name = v.get<std::string>();
        const auto it = std::find(item_names_.begin(), item_names_.end(), name);
        if (it == item_names_.end())
            fail(path, "\"" + faults::shown(name) + "\" is not one of the key's item names (\"items\")");
        return static_cast<int>(it - item_names_.begin()) + 1;
    }
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() != std::floor(v.get<double>()))
        fail(path, shown(v) + " is not an item: give its number (1 to " + count + ") or its name");
    const double x = v.get<double>();
    if (x < 1 || x > n_items_) fail(path, "item " + shown(v) + " is not one of the key's " + count + " items");
    return static_cast<int>(x);
}

void key_reader::read_subscales(const json& j, bowlby::questionnaire& q) const {
    const json& subs = array(j, "", "subscales");
    if (subs.empty()) fail("subscales", "missing or empty; a key needs at least one subscale");
    std::vector<std::string> names;
    for (std::size_t s = 0; s < subs.size(); ++s) {
        const std::string p = "subscales[" + std::to_string(s) + "]";
        if (!subs[s].is_object()) fail(p, "an object {\"name\": ..., \"items\": [...]} is needed");
        only(subs[s], p, {"name", "items", "reversed", "aggregation", "label", "about"}, "a subscale");
        const std::string name = text(subs[s], p, "name", true);
        if (name.empty()) fail(p + ".name", "a subscale needs a name");
        const auto seen = std::find(names.begin(), names.end(), name);
        if (seen != names.end())
            fail(p + ".name",
                 "\"" + faults::shown(name) + "\" is also subscales[" + std::to_string(seen - names.begin()) + "]");
        names.push_back(name);
        std::vector<int> items, reversed;
        const json& listed = array(subs[s], p, "items");
        if (listed.empty()) fail(p + ".items", "missing or empty; a subscale needs at least one item");
        for (std::size_t i = 0; i < listed.size(); ++i) {
            const std::string ip = p + ".items[" + std::to_string(i) + "]";
            const int n = item(listed[i], ip);
            if (std::find(items.begin(), items.end(), n) != items.end())
                fail(ip, "item " + std::to_string(n) + " is listed twice");
            items.push_back(n);
        }
        const json& rev = array(subs[s], p, "reversed");
        for (std::size_t i = 0; i < rev.size(); ++i) {
            const std::string rp = p + ".reversed[" + std::to_string(i) + "]";
            const int n = item(rev[i], rp);
            if (std::find(items.begin(), items.end(), n) == items.end())
                fail(rp, "item " + std::to_string(n) + " is not one of this subscale's items");
            if (std::find(reversed.begin(), reversed.end(), n) != reversed.end())
                fail(rp, "item " + std::to_string(n) + " is listed twice");
            reversed.push_back(n);
        }
        const std::string agg = find(subs[s], "aggregation") ? text(subs[s], p, "aggregation", true) : "mean";
        if (agg != "mean" && agg != "sum")
            fail(p + ".aggregation", "\"" + faults::shown(agg) + "\" is not mean or sum");
        q.add_subscale(name, items, reversed, agg == "sum" ? bowlby::aggregation::sum : bowlby::aggregation::mean);
        q.describe(name, text(subs[s], p, "label", false), text(subs[s], p, "about", false));
    }
}

void key_reader::read_derived(const json& j, bowlby::questionnaire& q) const {
    const json& ders = array(j, "", "derived");
    const bowlby::key_view& k = q.view_unchecked();
    for (std::size_t d = 0; d < ders.size(); ++d) {
        const std::string p = "derived[" + std::to_string(d) + "]";
        if (!ders[d].is_object()) fail(p, "an object {\"name\": ..., \"terms\": [...]} is needed");
        only(ders[d], p, {"name", "terms", "label", "about"}, "a derived score");
        const std::string name = text(ders[d], p, "name", true);
        for (std::size_t s = 0; s < q.view_unchecked().n_scores(); ++s)
            if (q.view_unchecked().score_name(s) == name)
                fail(p + ".name", "\"" + faults::shown(name) + "\" is already the name of a score");
        const json& terms = array(ders[d], p, "terms");
        if (terms.empty()) fail(p + ".terms", "missing or empty; a derived score needs at least one term");
        std::vector<bowlby::term> out;
        for (std::size_t t = 0; t < terms.size(); ++t) {
            const std::string tp = p + ".terms[" + std::to_string(t) + "]";
            if (!terms[t].is_object()) fail(tp, "an object {\"subscale\": NAME, \"weight\": W} is needed");
            only(terms[t], tp, {"subscale", "item", "weight"}, "a term");
            const json* sub = find(terms[t], "subscale");
            const json* itm = find(terms[t], "item");
            if ((sub != nullptr) == (itm != nullptr)) fail(tp, "a term names either a \"subscale\" or an \"item\"");
            bowlby::term term;
            term.weight = find(terms[t], "weight") ? number(terms[t].at("weight"), tp + ".weight") : 1.0;
            if (itm) {
                term.kind = bowlby::term::item;
                term.index = item(*itm, tp + ".item");
            } else {
                const std::string sname = sub->is_string() ? sub->get<std::string>() : std::string();
                std::size_t s = 0;
                while (s < k.subscales.size() && k.subscales[s].name != sname) ++s;
                if (!sub->is_string() || s == k.subscales.size())
                    fail(tp + ".subscale", shown(*sub) + " is not the name of one of the key's subscales");
                term.kind = bowlby::term::subscale;
                term.index = static_cast<int>(s);
            }
            out.push_back(term);
        }
        q.add_derived(name, out);
        q.describe(name, text(ders[d], p, "label", false), text(ders[d], p, "about", false));
    }
}

void key_reader::read_defaults(const json& j, key_file& out) const {
    const json& codes = array(j, "", "missing_codes");
    for (std::size_t i = 0; i < codes.size(); ++i)
        out.missing_codes.push_back(number(codes[i], "missing_codes[" + std::to_string(i) + "]"));
    if (const json* m = find(j, "min_answered")) {
        out.min_answered = number(*m, "min_answered");
        if (!(out.min_answered >= 0 && out.min_answered <= 1))
            fail("min_answered",
                 "a fraction from 0 to 1 is needed (0.5: half of a subscale's items), got " + shown(*m));
    }
}

void key_reader::read_top(const json& j, key_file& out) {
    if (!j.is_object()) fail("", "a key file is a JSON object {\"bowlby_key\": 1, ...}");
    only(j, "",
         {"$schema", "bowlby_key", "id", "name", "citation", "source", "scale", "n_items", "items", "subscales",
          "derived", "missing_codes", "min_answered"},
         "a key");
    const json* version = find(j, "bowlby_key");
    if (!version) fail("bowlby_key", "missing; a key file starts with \"bowlby_key\": 1 (docs/key-files.md)");
    if (!version->is_number_integer() || version->get<long long>() < 1)
        fail("bowlby_key", "the format's version (a whole number) is needed, got " + shown(*version));
    if (version->get<long long>() > key_file_version)
        fail("bowlby_key", "version " + shown(*version) + " is newer than this bowlby reads (" +
                               std::to_string(key_file_version) + ")");
    const std::string id = text(j, "", "id", true);
    if (id.empty()) fail("id", "a key needs an id");
    n_items_ = read_items(j, item_names_);
    bowlby::questionnaire q(id, n_items_, read_scale(j));
    q.set_name(text(j, "", "name", false)).set_citation(text(j, "", "citation", false));
    q.set_source(text(j, "", "source", false)).set_item_names(item_names_);
    read_subscales(j, q);
    read_derived(j, q);
    read_defaults(j, out);
    if (const char* problem = bowlby::check_key(q.view_unchecked())) fail("", problem);
    out.key = std::move(q);
}

// Line and column (1-based) of a byte offset.
std::string line_column(std::string_view text, std::size_t byte) {
    byte = std::min(byte, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < byte; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// A number as JSON: a whole number without a decimal point ("min": 1, not 1.0).
nlohmann::ordered_json whole_or_double(double x) {
    if (std::abs(x) < 9e15 && x == std::floor(x)) return static_cast<long long>(x);
    return x;
}

// JSON laid out two spaces per level, with each list of numbers on one line ("items": [1, 2, 3])
// so that a key reads as its source does.
std::string laid_out(const nlohmann::ordered_json& j) {
    const std::string text = j.dump(2);
    std::string out;
    out.reserve(text.size());
    bool in_text = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_text) {
            if (c == '\\')
                out += text[i++];  // an escaped character: both bytes as they are
            else if (c == '"')
                in_text = false;
        } else if (c == '"') {
            in_text = true;
        } else if (c == '[') {
            const std::size_t close = text.find_first_of("[]{}\"", i + 1);
            if (close != std::string::npos && text[close] == ']') {  // a list of numbers only
                std::string list;
                for (std::size_t k = i + 1; k < close; ++k)
                    if (text[k] == ',')
                        list += ", ";
                    else if (text[k] != ' ' && text[k] != '\n')
                        list += text[k];
                out += "[" + list + "]";
                i = close;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

}  // namespace

key_file parse_key_file(std::string_view text, const std::string& where) {
    json j;
    try {
        j = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        // nlohmann's reason follows its own position ("... at line 3, column 1: <reason>").
        const std::string what = e.what();
        const std::size_t at = what.find(": ", what.find("column"));
        const std::string reason = at == std::string::npos ? what : what.substr(at + 2);
        throw bowlby::key_error(where + ": " + line_column(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON (" +
                                faults::shown(reason, 200) + ")");
    } catch (const json::exception& e) {  // a number beyond a double's range, say
        const std::string what = e.what();
        const std::size_t at = what.find("] ");
        throw bowlby::key_error(where + ": not valid JSON (" +
                                faults::shown(at == std::string::npos ? what : what.substr(at + 2), 200) + ")");
    }
    key_file out{bowlby::questionnaire("", 1, {}), {}, 0.5};
    key_reader(where).read_top(j, out);
    return out;
}

key_file read_key_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw bowlby::key_error("cannot open the key file '" + faults::shown(path) + "'");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw bowlby::key_error("cannot read the key file '" + faults::shown(path) + "'");
    return parse_key_file(text.str(), path);
}

std::string key_file_json(const bowlby::key_view& k, const std::vector<double>& missing_codes, double min_answered) {
    using ordered = nlohmann::ordered_json;
    ordered j;
    j["bowlby_key"] = key_file_version;
    j["id"] = k.id;
    j["name"] = k.name;
    j["citation"] = k.citation;
    j["source"] = k.source;
    j["scale"] = {
        {"min", whole_or_double(k.scale.min)}, {"max", whole_or_double(k.scale.max)}, {"integral", k.scale.integral}};
    j["n_items"] = k.n_items;
    j["items"] = ordered::array();
    for (std::string_view n : k.item_names) j["items"].push_back(n);
    j["subscales"] = ordered::array();
    for (const bowlby::subscale_def& s : k.subscales)
        j["subscales"].push_back({{"name", s.name},
                                  {"items", std::vector<int>(s.items.begin(), s.items.end())},
                                  {"reversed", std::vector<int>(s.reversed.begin(), s.reversed.end())},
                                  {"aggregation", s.agg == bowlby::aggregation::sum ? "sum" : "mean"},
                                  {"label", s.label},
                                  {"about", s.about}});
    j["derived"] = ordered::array();
    for (const bowlby::derived_def& d : k.derived) {
        ordered terms = ordered::array();
        for (const bowlby::term& t : d.terms) {
            ordered term;
            if (t.kind == bowlby::term::subscale)
                term["subscale"] = k.subscales[static_cast<std::size_t>(t.index)].name;
            else
                term["item"] = t.index;
            term["weight"] = whole_or_double(t.weight);
            terms.push_back(term);
        }
        j["derived"].push_back({{"name", d.name}, {"terms", terms}, {"label", d.label}, {"about", d.about}});
    }
    j["missing_codes"] = ordered::array();
    for (double c : missing_codes) j["missing_codes"].push_back(whole_or_double(c));
    j["min_answered"] = whole_or_double(min_answered);
    return laid_out(j) + "\n";
}

void add_key_missing_codes(const key_file& file, bowlby::score_options& options) {
    std::vector<double>& codes = options.missing_codes;
    for (double c : file.missing_codes)
        if (std::find(codes.begin(), codes.end(), c) == codes.end()) codes.push_back(c);
}

std::vector<std::string> key_item_names(const bowlby::key_view& key) {
    return std::vector<std::string>(key.item_names.begin(), key.item_names.end());
}

}  // namespace bowlby_cli
