#include "plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace bowlby_cli {
namespace {

const char* const colour[5] = {"#4daf4a", "#377eb8", "#ff7f00", "#e41a1c", "#999999"};

std::string num(double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", x);
    return b;
}

std::string escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '&')
            o += "&amp;";
        else if (c == '<')
            o += "&lt;";
        else if (c == '>')
            o += "&gt;";
        else if (c == '"')
            o += "&quot;";
        else
            o += c;
    }
    return o;
}

// The plot's geometry: an 800 x 640 canvas, the plane in a box with margins for the axes
// and, on the right, the legend; both axes span the response scale.
struct frame {
    const double W = 800, H = 640, left = 80, right = 240, top = 50, bottom = 70;
    const double pw = W - left - right, ph = H - top - bottom;
    double lo = 1, span = 6;
    double X(double avo) const { return left + (avo - lo) / span * pw; }
    double Y(double anx) const { return top + ph - (anx - lo) / span * ph; }
};

std::string svg_start(const plot_input& in, const frame& f) {
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(f.W) + "\" height=\"" + num(f.H) +
         "\" viewBox=\"0 0 " + num(f.W) + " " + num(f.H) + "\" font-family=\"sans-serif\" font-size=\"13\">\n";
    s += "<title>" + escape(in.title) + "</title>\n";
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += "<defs><clipPath id=\"plot-area\"><rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) + "\" width=\"" +
         num(f.pw) + "\" height=\"" + num(f.ph) + "\"/></clipPath></defs>\n";
    return s;
}

// Per category: the sums of avoidance and anxiety over its grid cells, and their count.
using label_sums = std::vector<std::array<double, 3>>;

// The rule's regions: a light grid of cells coloured by the category at their centre, one
// rectangle per run of equal cells along a row. Adds each category's cells to `sums`.
std::string regions(const plot_input& in, const frame& f, label_sums& sums) {
    const int cells = 120;
    const double cw = f.pw / cells, ch = f.ph / cells;
    std::string s = "<g id=\"regions\" opacity=\"0.13\" shape-rendering=\"crispEdges\">\n";
    for (int j = 0; j < cells; ++j) {
        int run_start = 0, run_cat = -1;
        for (int i = 0; i <= cells; ++i) {
            int c = -1;
            if (i < cells) {
                const double avo = in.lo + (i + 0.5) / cells * f.span, anx = in.lo + (j + 0.5) / cells * f.span;
                c = static_cast<int>(in.classify(anx, avo));
                if (c < 4) {
                    sums[static_cast<std::size_t>(c)][0] += avo;
                    sums[static_cast<std::size_t>(c)][1] += anx;
                    sums[static_cast<std::size_t>(c)][2] += 1;
                }
            }
            if (c != run_cat) {
                if (run_cat >= 0)
                    s += "<rect x=\"" + num(f.left + run_start * cw) + "\" y=\"" + num(f.top + f.ph - (j + 1) * ch) +
                         "\" width=\"" + num((i - run_start) * cw + 0.05) + "\" height=\"" + num(ch + 0.05) +
                         "\" fill=\"" + colour[run_cat] + "\"/>\n";
                run_start = i;
                run_cat = c;
            }
        }
    }
    return s + "</g>\n";
}

// Hexagonal bins (pointy-top) of the respondents, shaded by log count.
std::string hex_bins(const plot_input& in, const frame& f) {
    const double r = f.pw / 60;
    const double hx = std::sqrt(3.0) * r, hy = 1.5 * r;
    std::map<std::pair<int, int>, double> bins;
    for (const auto& [pt, count] : in.points) {
        const double px = f.X(pt.second) - f.left, py = f.Y(pt.first) - f.top;
        int row = static_cast<int>(std::lround(py / hy));
        double best = 1e300;
        std::pair<int, int> at{0, 0};
        for (int rr = row - 1; rr <= row + 1; ++rr) {
            const double off = (rr & 1) ? hx / 2 : 0;
            const int col = static_cast<int>(std::lround((px - off) / hx));
            for (int cc = col - 1; cc <= col + 1; ++cc) {
                const double dx = px - (cc * hx + off), dy = py - rr * hy;
                if (dx * dx + dy * dy < best) best = dx * dx + dy * dy, at = {rr, cc};
            }
        }
        bins[at] += count;
    }
    double most = 1;
    for (const auto& b : bins) most = std::max(most, b.second);
    std::string s;
    for (const auto& [at, count] : bins) {
        const double cx = f.left + at.second * hx + ((at.first & 1) ? hx / 2 : 0), cy = f.top + at.first * hy;
        const double shade = std::log1p(count) / std::log1p(most);
        std::string pts;
        for (int k = 0; k < 6; ++k) {
            const double a = 3.14159265358979 / 180 * (60 * k - 30);
            pts += num(cx + r * std::cos(a)) + "," + num(cy + r * std::sin(a)) + " ";
        }
        s += "<polygon points=\"" + pts + "\" fill=\"#08306b\" fill-opacity=\"" + num(0.03 + 0.8 * shade * shade) +
             "\"><title>" + num(count) + " respondents</title></polygon>\n";
    }
    return s;
}

// The respondents: a circle per distinct point when there are at most `max_points`, else
// hexagonal bins.
std::string respondents(const plot_input& in, const frame& f, double n, double max_points) {
    std::string s = "<g id=\"respondents\" clip-path=\"url(#plot-area)\">\n";
    if (n <= max_points) {
        for (const auto& [pt, count] : in.points) {
            const auto c = static_cast<int>(in.classify(pt.first, pt.second));
            s += "<circle cx=\"" + num(f.X(pt.second)) + "\" cy=\"" + num(f.Y(pt.first)) + "\" r=\"" +
                 num(2.5 * std::sqrt(count)) + "\" fill=\"" + colour[c] + "\" fill-opacity=\"0.6\" stroke=\"none\"/>\n";
        }
    } else {
        s += hex_bins(in, f);
    }
    return s + "</g>\n";
}

// The boundaries of a rule made of functions: the edges between cells of a fine grid that
// fall in different categories.
std::string function_boundaries(const plot_input& in, const frame& f) {
    const int fine = 240;
    std::vector<int> cat(static_cast<std::size_t>(fine * fine));
    for (int i = 0; i < fine; ++i)
        for (int j = 0; j < fine; ++j)
            cat[static_cast<std::size_t>(i * fine + j)] =
                static_cast<int>(in.classify(in.lo + (j + 0.5) / fine * f.span, in.lo + (i + 0.5) / fine * f.span));
    const double fw = f.pw / fine, fh = f.ph / fine;
    std::string d;
    for (int i = 0; i < fine; ++i)
        for (int j = 0; j < fine; ++j) {
            const int here = cat[static_cast<std::size_t>(i * fine + j)];
            const double x0 = f.left + i * fw, y0 = f.top + f.ph - j * fh;
            if (i + 1 < fine && cat[static_cast<std::size_t>((i + 1) * fine + j)] != here)
                d += "M" + num(x0 + fw) + " " + num(y0) + "v" + num(-fh);
            if (j + 1 < fine && cat[static_cast<std::size_t>(i * fine + j + 1)] != here)
                d += "M" + num(x0) + " " + num(y0 - fh) + "h" + num(fw);
        }
    return "<path id=\"boundaries\" d=\"" + d + "\" stroke=\"#222\" stroke-width=\"1.6\" fill=\"none\"/>\n";
}

// The cut lines of a cut rule, dashed.
std::string cut_lines(const std::pair<double, double>& cuts, const frame& f) {
    std::string s = "<g id=\"boundaries\" stroke=\"#333\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">\n";
    s += "<line x1=\"" + num(f.X(cuts.second)) + "\" y1=\"" + num(f.top) + "\" x2=\"" + num(f.X(cuts.second)) +
         "\" y2=\"" + num(f.top + f.ph) + "\"/>\n";
    s += "<line x1=\"" + num(f.left) + "\" y1=\"" + num(f.Y(cuts.first)) + "\" x2=\"" + num(f.left + f.pw) +
         "\" y2=\"" + num(f.Y(cuts.first)) + "\"/>\n";
    return s + "</g>\n";
}

// Region labels at the centre of each region.
std::string region_labels(const label_sums& sums, const frame& f) {
    const char* names[4] = {"secure", "preoccupied", "dismissing", "fearful"};
    std::string s =
        "<g id=\"labels\" font-size=\"17\" font-weight=\"bold\" text-anchor=\"middle\" stroke=\"white\" "
        "stroke-width=\"4\" paint-order=\"stroke\">\n";
    for (int c = 0; c < 4; ++c) {
        const auto& l = sums[static_cast<std::size_t>(c)];
        if (l[2] == 0) continue;
        s += "<text x=\"" + num(f.X(l[0] / l[2])) + "\" y=\"" + num(f.Y(l[1] / l[2])) + "\" fill=\"" + colour[c] +
             "\">" + names[c] + "</text>\n";
    }
    return s + "</g>\n";
}

// The box, ticks at every whole number of the scale, their labels and the titles.
std::string axes(const plot_input& in, const frame& f) {
    std::string s = "<g id=\"axes\" stroke=\"black\">\n<rect x=\"" + num(f.left) + "\" y=\"" + num(f.top) +
                    "\" width=\"" + num(f.pw) + "\" height=\"" + num(f.ph) + "\" fill=\"none\"/>\n";
    const int ticks = static_cast<int>(std::floor(f.span));
    for (int t = 0; t <= ticks; ++t) {
        const double v = in.lo + t;
        s += "<line x1=\"" + num(f.X(v)) + "\" y1=\"" + num(f.top + f.ph) + "\" x2=\"" + num(f.X(v)) + "\" y2=\"" +
             num(f.top + f.ph + 5) + "\"/>\n";
        s += "<line x1=\"" + num(f.left - 5) + "\" y1=\"" + num(f.Y(v)) + "\" x2=\"" + num(f.left) + "\" y2=\"" +
             num(f.Y(v)) + "\"/>\n";
    }
    s += "</g>\n<g id=\"tick-labels\">\n";
    for (int t = 0; t <= ticks; ++t) {
        const double v = in.lo + t;
        s += "<text x=\"" + num(f.X(v)) + "\" y=\"" + num(f.top + f.ph + 20) + "\" text-anchor=\"middle\">" +
             num(v).substr(0, num(v).size() - 3) + "</text>\n";
        s += "<text x=\"" + num(f.left - 9) + "\" y=\"" + num(f.Y(v) + 4) + "\" text-anchor=\"end\">" +
             num(v).substr(0, num(v).size() - 3) + "</text>\n";
    }
    s += "</g>\n";
    s += "<text x=\"" + num(f.left + f.pw / 2) + "\" y=\"" + num(f.H - 22) +
         "\" text-anchor=\"middle\" font-size=\"15\">" + escape(in.x_title) + "</text>\n";
    s += "<text transform=\"translate(24 " + num(f.top + f.ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">" + escape(in.y_title) + "</text>\n";
    s += "<text x=\"" + num(f.left) + "\" y=\"30\" font-size=\"16\" font-weight=\"bold\">" + escape(in.title) +
         "</text>\n";
    return s;
}

// The rule's name, each category's colour, count and share, and how respondents are drawn.
std::string legend(const plot_input& in, const frame& f, bool density) {
    const double lx = f.left + f.pw + 20;
    std::string s = "<g id=\"legend\">\n<text x=\"" + num(lx) + "\" y=\"" + num(f.top + 10) +
                    "\" font-weight=\"bold\">" + escape(in.method) + "</text>\n";
    const char* all[5] = {"secure", "preoccupied", "dismissing", "fearful", "unclassified"};
    double total = 0;
    for (std::size_t c : in.counts) total += static_cast<double>(c);
    for (int c = 0; c < 5; ++c) {
        const double y = f.top + 35 + 24 * c;
        char pct[32];
        std::snprintf(pct, sizeof pct, " (%.1f%%)",
                      total > 0 ? 100.0 * static_cast<double>(in.counts[static_cast<std::size_t>(c)]) / total : 0.0);
        s += "<rect x=\"" + num(lx) + "\" y=\"" + num(y - 11) + "\" width=\"14\" height=\"14\" fill=\"" + colour[c] +
             "\"/>\n";
        s += "<text x=\"" + num(lx + 20) + "\" y=\"" + num(y) + "\">" + all[c] + ": " +
             std::to_string(in.counts[static_cast<std::size_t>(c)]) + pct + "</text>\n";
    }
    s += "<text x=\"" + num(lx) + "\" y=\"" + num(f.top + 35 + 24 * 5 + 10) +
         "\">n = " + std::to_string(static_cast<long long>(total)) +
         (in.change ? (density ? ", transitions" : ", arrows pre -> post") : (density ? ", density" : ", points")) +
         "</text>\n";
    if (in.change && !density)
        s += "<line x1=\"" + num(lx) + "\" y1=\"" + num(f.top + 190) + "\" x2=\"" + num(lx + 24) + "\" y2=\"" +
             num(f.top + 190) + "\" stroke=\"#b2182b\" stroke-width=\"1.8\"/><text x=\"" + num(lx + 30) + "\" y=\"" +
             num(f.top + 194) + "\">reliable change</text>\n<line x1=\"" + num(lx) + "\" y1=\"" + num(f.top + 212) +
             "\" x2=\"" + num(lx + 24) + "\" y2=\"" + num(f.top + 212) +
             "\" stroke=\"#777\" stroke-width=\"0.8\"/><text x=\"" + num(lx + 30) + "\" y=\"" + num(f.top + 216) +
             "\">within error</text>\n";
    s += "</g>\n";
    return s;
}

// An arrow head in the colour of its line: `size` times the line's width, or, with `fixed`,
// `size` pixels (for lines whose width is a count).
std::string arrow_head(const std::string& id, double size, bool fixed) {
    return "<defs><marker id=\"" + id + "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"" + num(size) +
           "\" markerHeight=\"" + num(size) + "\"" + (fixed ? " markerUnits=\"userSpaceOnUse\"" : "") +
           " orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"context-stroke\"/></marker></defs>\n";
}

// A change plot's people: an arrow from each pre point to its post point, those that changed
// reliably drawn dark and thick over the rest, which are light and thin.
std::string arrows(const plot_input& in, const frame& f) {
    std::string s = arrow_head("head", 5, false);
    for (int reliable = 0; reliable < 2; ++reliable) {
        s += reliable
                 ? "<g id=\"reliable-changes\" stroke=\"#b2182b\" stroke-width=\"1.8\" clip-path=\"url(#plot-area)\">\n"
                 : "<g id=\"other-changes\" stroke=\"#777\" stroke-width=\"0.8\" stroke-opacity=\"0.6\" "
                   "clip-path=\"url(#plot-area)\">\n";
        for (const plot_arrow& a : in.arrows) {
            if (a.reliable != (reliable == 1)) continue;
            s += "<circle cx=\"" + num(f.X(a.avo0)) + "\" cy=\"" + num(f.Y(a.anx0)) + "\" r=\"1.8\" fill=\"" +
                 (reliable ? "#b2182b" : "#777") + "\" stroke=\"none\"/>";
            s += "<line x1=\"" + num(f.X(a.avo0)) + "\" y1=\"" + num(f.Y(a.anx0)) + "\" x2=\"" + num(f.X(a.avo1)) +
                 "\" y2=\"" + num(f.Y(a.anx1)) + "\" marker-end=\"url(#head)\"/>\n";
        }
        s += "</g>\n";
    }
    return s;
}

// A change plot of many people: per pair of categories, an arrow from the pre region's label
// position to the post region's, as wide as its share, with its count; staying is a ring.
std::string transitions(const plot_input& in, const frame& f, const label_sums& sums) {
    double total = 0;
    for (const auto& row : in.transitions)
        for (std::size_t n : row) total += static_cast<double>(n);
    std::string s = arrow_head("head-fixed", 16, true) + "<g id=\"transitions\" fill=\"none\">\n";
    for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
            const double n =
                static_cast<double>(in.transitions[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)]);
            const auto& p = sums[static_cast<std::size_t>(a)];
            const auto& q = sums[static_cast<std::size_t>(b)];
            if (n == 0 || p[2] == 0 || q[2] == 0) continue;
            const double x0 = f.X(p[0] / p[2]), y0 = f.Y(p[1] / p[2]) + 18, x1 = f.X(q[0] / q[2]),
                         y1 = f.Y(q[1] / q[2]) + 18;
            const double w = 1 + 14 * n / total;
            const std::string count = std::to_string(static_cast<long long>(n));
            if (a == b) {
                s += "<circle cx=\"" + num(x0) + "\" cy=\"" + num(y0 + 14) + "\" r=\"12\" stroke=\"" + colour[a] +
                     "\" stroke-width=\"" + num(w) + "\"><title>" + count + " stayed</title></circle>\n";
                s += "<text x=\"" + num(x0) + "\" y=\"" + num(y0 + 45) + "\" text-anchor=\"middle\" fill=\"#222\">" +
                     count + " stayed</text>\n";
                continue;
            }
            // Bent to the right of its direction, so that a -> b and b -> a do not overlap.
            const double mx = (x0 + x1) / 2 + (y1 - y0) * 0.15, my = (y0 + y1) / 2 - (x1 - x0) * 0.15;
            s += "<path d=\"M" + num(x0) + " " + num(y0) + "Q" + num(mx) + " " + num(my) + " " + num(x1) + " " +
                 num(y1) + "\" stroke=\"" + colour[a] + "\" stroke-width=\"" + num(w) +
                 "\" stroke-opacity=\"0.7\" marker-end=\"url(#head-fixed)\"><title>" + count +
                 " moved</title></path>\n";
            s += "<text x=\"" + num(mx) + "\" y=\"" + num(my) +
                 "\" text-anchor=\"middle\" fill=\"#222\" stroke=\"white\" "
                 "stroke-width=\"3\" paint-order=\"stroke\">" +
                 count + "</text>\n";
        }
    return s + "</g>\n";
}

}  // namespace

std::string attachment_plot_svg(const plot_input& in, double max_points) {
    frame f;
    f.lo = in.lo;
    f.span = in.hi - in.lo;
    label_sums sums(4, {0, 0, 0});
    double n = 0;
    for (const auto& p : in.points) n += p.second;
    std::string s = svg_start(in, f);
    s += regions(in, f, sums);
    const bool dense = in.change ? static_cast<double>(in.arrows.size()) > max_points : n > max_points;
    if (!in.change) s += respondents(in, f, n, max_points);
    if (in.change && !dense) s += arrows(in, f);
    s += in.cuts ? cut_lines(*in.cuts, f) : function_boundaries(in, f);
    s += region_labels(sums, f);
    if (in.change && dense) s += transitions(in, f, sums);
    s += axes(in, f);
    s += legend(in, f, dense);
    return s + "</svg>\n";
}

}  // namespace bowlby_cli
