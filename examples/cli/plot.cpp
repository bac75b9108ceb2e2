#include "plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

}  // namespace

std::string attachment_plot_svg(const plot_input& in, double max_points) {
    const double W = 800, H = 640, left = 80, right = 240, top = 50, bottom = 70;
    const double pw = W - left - right, ph = H - top - bottom;
    const double span = in.hi - in.lo;
    auto X = [&](double avo) { return left + (avo - in.lo) / span * pw; };
    auto Y = [&](double anx) { return top + ph - (anx - in.lo) / span * ph; };
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) + "\" viewBox=\"0 0 " +
         num(W) + " " + num(H) + "\" font-family=\"sans-serif\" font-size=\"13\">\n";
    s += "<title>" + escape(in.title) + "</title>\n";
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    s += "<defs><clipPath id=\"plot-area\"><rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
         "\" height=\"" + num(ph) + "\"/></clipPath></defs>\n";

    // The rule's regions: a light grid of cells coloured by the category at their centre.
    const int cells = 120;
    const double cw = pw / cells, ch = ph / cells;
    std::vector<std::array<double, 3>> label_sum(4, {0, 0, 0});
    s += "<g id=\"regions\" opacity=\"0.13\" shape-rendering=\"crispEdges\">\n";
    // One rectangle per run of equal cells along a row.
    for (int j = 0; j < cells; ++j) {
        int run_start = 0, run_cat = -1;
        for (int i = 0; i <= cells; ++i) {
            int c = -1;
            if (i < cells) {
                const double avo = in.lo + (i + 0.5) / cells * span, anx = in.lo + (j + 0.5) / cells * span;
                c = static_cast<int>(in.classify(anx, avo));
                if (c < 4) {
                    label_sum[static_cast<std::size_t>(c)][0] += avo;
                    label_sum[static_cast<std::size_t>(c)][1] += anx;
                    label_sum[static_cast<std::size_t>(c)][2] += 1;
                }
            }
            if (c != run_cat) {
                if (run_cat >= 0)
                    s += "<rect x=\"" + num(left + run_start * cw) + "\" y=\"" + num(top + ph - (j + 1) * ch) +
                         "\" width=\"" + num((i - run_start) * cw + 0.05) + "\" height=\"" + num(ch + 0.05) +
                         "\" fill=\"" + colour[run_cat] + "\"/>\n";
                run_start = i;
                run_cat = c;
            }
        }
    }
    s += "</g>\n";

    // Respondents.
    double n = 0;
    for (const auto& p : in.points) n += p.second;
    s += "<g id=\"respondents\" clip-path=\"url(#plot-area)\">\n";
    if (n <= max_points) {
        for (const auto& [pt, count] : in.points) {
            const auto c = static_cast<int>(in.classify(pt.first, pt.second));
            s += "<circle cx=\"" + num(X(pt.second)) + "\" cy=\"" + num(Y(pt.first)) + "\" r=\"" +
                 num(2.5 * std::sqrt(count)) + "\" fill=\"" + colour[c] + "\" fill-opacity=\"0.6\" stroke=\"none\"/>\n";
        }
    } else {
        // Hexagonal bins (pointy-top), shaded by log count.
        const double r = pw / 60;
        const double hx = std::sqrt(3.0) * r, hy = 1.5 * r;
        std::map<std::pair<int, int>, double> bins;
        for (const auto& [pt, count] : in.points) {
            const double px = X(pt.second) - left, py = Y(pt.first) - top;
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
        for (const auto& [at, count] : bins) {
            const double cx = left + at.second * hx + ((at.first & 1) ? hx / 2 : 0), cy = top + at.first * hy;
            const double shade = std::log1p(count) / std::log1p(most);
            std::string pts;
            for (int k = 0; k < 6; ++k) {
                const double a = 3.14159265358979 / 180 * (60 * k - 30);
                pts += num(cx + r * std::cos(a)) + "," + num(cy + r * std::sin(a)) + " ";
            }
            s += "<polygon points=\"" + pts + "\" fill=\"#08306b\" fill-opacity=\"" + num(0.03 + 0.8 * shade * shade) +
                 "\"><title>" + num(count) + " respondents</title></polygon>\n";
        }
    }
    s += "</g>\n";

    // Boundaries of rules made of functions: the edges between grid cells of different categories.
    if (!in.cuts) {
        const int fine = 240;
        std::vector<int> cat(static_cast<std::size_t>(fine * fine));
        for (int i = 0; i < fine; ++i)
            for (int j = 0; j < fine; ++j)
                cat[static_cast<std::size_t>(i * fine + j)] =
                    static_cast<int>(in.classify(in.lo + (j + 0.5) / fine * span, in.lo + (i + 0.5) / fine * span));
        const double fw = pw / fine, fh = ph / fine;
        std::string d;
        for (int i = 0; i < fine; ++i)
            for (int j = 0; j < fine; ++j) {
                const int here = cat[static_cast<std::size_t>(i * fine + j)];
                const double x0 = left + i * fw, y0 = top + ph - j * fh;
                if (i + 1 < fine && cat[static_cast<std::size_t>((i + 1) * fine + j)] != here)
                    d += "M" + num(x0 + fw) + " " + num(y0) + "v" + num(-fh);
                if (j + 1 < fine && cat[static_cast<std::size_t>(i * fine + j + 1)] != here)
                    d += "M" + num(x0) + " " + num(y0 - fh) + "h" + num(fw);
            }
        s += "<path id=\"boundaries\" d=\"" + d + "\" stroke=\"#222\" stroke-width=\"1.6\" fill=\"none\"/>\n";
    }
    // Cut lines.
    if (in.cuts) {
        s += "<g id=\"boundaries\" stroke=\"#333\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\">\n";
        s += "<line x1=\"" + num(X(in.cuts->second)) + "\" y1=\"" + num(top) + "\" x2=\"" + num(X(in.cuts->second)) +
             "\" y2=\"" + num(top + ph) + "\"/>\n";
        s += "<line x1=\"" + num(left) + "\" y1=\"" + num(Y(in.cuts->first)) + "\" x2=\"" + num(left + pw) +
             "\" y2=\"" + num(Y(in.cuts->first)) + "\"/>\n";
        s += "</g>\n";
    }

    // Region labels at the centre of each region.
    const char* names[4] = {"secure", "preoccupied", "dismissing", "fearful"};
    s += "<g id=\"labels\" font-size=\"17\" font-weight=\"bold\" text-anchor=\"middle\" stroke=\"white\" "
         "stroke-width=\"4\" paint-order=\"stroke\">\n";
    for (int c = 0; c < 4; ++c) {
        const auto& l = label_sum[static_cast<std::size_t>(c)];
        if (l[2] == 0) continue;
        s += "<text x=\"" + num(X(l[0] / l[2])) + "\" y=\"" + num(Y(l[1] / l[2])) + "\" fill=\"" + colour[c] + "\">" +
             names[c] + "</text>\n";
    }
    s += "</g>\n";

    // Axes.
    s += "<g id=\"axes\" stroke=\"black\">\n<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(pw) +
         "\" height=\"" + num(ph) + "\" fill=\"none\"/>\n";
    const int ticks = static_cast<int>(std::floor(span));
    for (int t = 0; t <= ticks; ++t) {
        const double v = in.lo + t;
        s += "<line x1=\"" + num(X(v)) + "\" y1=\"" + num(top + ph) + "\" x2=\"" + num(X(v)) + "\" y2=\"" +
             num(top + ph + 5) + "\"/>\n";
        s += "<line x1=\"" + num(left - 5) + "\" y1=\"" + num(Y(v)) + "\" x2=\"" + num(left) + "\" y2=\"" + num(Y(v)) +
             "\"/>\n";
    }
    s += "</g>\n<g id=\"tick-labels\">\n";
    for (int t = 0; t <= ticks; ++t) {
        const double v = in.lo + t;
        s += "<text x=\"" + num(X(v)) + "\" y=\"" + num(top + ph + 20) + "\" text-anchor=\"middle\">" +
             num(v).substr(0, num(v).size() - 3) + "</text>\n";
        s += "<text x=\"" + num(left - 9) + "\" y=\"" + num(Y(v) + 4) + "\" text-anchor=\"end\">" +
             num(v).substr(0, num(v).size() - 3) + "</text>\n";
    }
    s += "</g>\n";
    s += "<text x=\"" + num(left + pw / 2) + "\" y=\"" + num(H - 22) + "\" text-anchor=\"middle\" font-size=\"15\">" +
         escape(in.x_title) + "</text>\n";
    s += "<text transform=\"translate(24 " + num(top + ph / 2) +
         ") rotate(-90)\" text-anchor=\"middle\" font-size=\"15\">" + escape(in.y_title) + "</text>\n";
    s += "<text x=\"" + num(left) + "\" y=\"30\" font-size=\"16\" font-weight=\"bold\">" + escape(in.title) +
         "</text>\n";

    // Legend.
    const double lx = left + pw + 20;
    s += "<g id=\"legend\">\n<text x=\"" + num(lx) + "\" y=\"" + num(top + 10) + "\" font-weight=\"bold\">" +
         escape(in.method) + "</text>\n";
    const char* all[5] = {"secure", "preoccupied", "dismissing", "fearful", "unclassified"};
    double total = 0;
    for (std::size_t c : in.counts) total += static_cast<double>(c);
    for (int c = 0; c < 5; ++c) {
        const double y = top + 35 + 24 * c;
        char pct[32];
        std::snprintf(pct, sizeof pct, " (%.1f%%)",
                      total > 0 ? 100.0 * static_cast<double>(in.counts[static_cast<std::size_t>(c)]) / total : 0.0);
        s += "<rect x=\"" + num(lx) + "\" y=\"" + num(y - 11) + "\" width=\"14\" height=\"14\" fill=\"" + colour[c] +
             "\"/>\n";
        s += "<text x=\"" + num(lx + 20) + "\" y=\"" + num(y) + "\">" + all[c] + ": " +
             std::to_string(in.counts[static_cast<std::size_t>(c)]) + pct + "</text>\n";
    }
    s += "<text x=\"" + num(lx) + "\" y=\"" + num(top + 35 + 24 * 5 + 10) +
         "\">n = " + std::to_string(static_cast<long long>(total)) + (n > max_points ? ", density" : ", points") +
         "</text>\n</g>\n";
    s += "</svg>\n";
    return s;
}

}  // namespace bowlby_cli
