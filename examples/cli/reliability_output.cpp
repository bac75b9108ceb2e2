#include "reliability_output.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace bowlby_cli {

json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

json count(double x) {
    if (std::isfinite(x) && x >= 0 && x == std::floor(x) && x < 9007199254740992.0)
        return json(static_cast<std::uint64_t>(x));
    return number(x);
}

namespace {
json pair(const bowlby::interval& i) { return json::array({number(i.lower), number(i.upper)}); }

json alpha_fields(const bowlby::alpha_statistics& a) {
    json j;
    j["raw_alpha"] = number(a.raw_alpha);
    j["std_alpha"] = number(a.std_alpha);
    j["g6_smc"] = number(a.g6_smc);
    j["average_r"] = number(a.average_r);
    j["signal_noise"] = number(a.signal_noise);
    j["ase"] = number(a.ase);
    j["var_r"] = number(a.var_r);
    j["median_r"] = number(a.median_r);
    return j;
}

std::string fmt(double x, const char* spec = "%8.3f") {
    if (!std::isfinite(x)) return std::string(8, ' ').replace(5, 3, "NA");
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, x);
    return buf;
}
}  // namespace

json to_json(const bowlby::reliability_result& r) {
    json j;
    j["name"] = r.name;
    j["n_items"] = r.n_items;
    j["n"] = count(r.n);
    j["n_complete"] = count(r.n_complete);
    j.update(alpha_fields(r.alpha));
    j["mean"] = number(r.mean);
    j["sd"] = number(r.sd);
    j["sem"] = number(r.sem);
    j["omega_total"] = number(r.omega_total);
    j["lambda2"] = number(r.lambda2);
    j["split_half"] = {{"max", number(r.split_half.max)},
                       {"min", number(r.split_half.min)},
                       {"mean", number(r.split_half.mean)},
                       {"splits", r.split_half.splits},
                       {"exhaustive", r.split_half.exhaustive}};
    json ci;
    ci["level"] = r.ci_level;
    ci["feldt"] = pair(r.feldt);
    ci["duhachek"] = pair(r.duhachek);
    if (r.bootstrap) {
        ci["bootstrap"] = pair(*r.bootstrap);
        ci["bootstrap_repetitions"] = r.bootstrap_repetitions;
    }
    j["ci"] = ci;
    json items = json::array();
    for (const auto& it : r.items) {
        json i;
        i["name"] = it.name;
        i["n"] = count(it.n);
        i["mean"] = number(it.mean);
        i["sd"] = number(it.sd);
        i["raw_r"] = number(it.raw_r);
        i["std_r"] = number(it.std_r);
        i["r_cor"] = number(it.r_cor);
        i["r_drop"] = number(it.r_drop);
        i["alpha_if_dropped"] = alpha_fields(it.alpha_if_dropped);
        items.push_back(i);
    }
    j["items"] = items;
    j["warnings"] = r.warnings;
    return j;
}

json to_json(const bowlby::scale_correlations& c) {
    json j;
    j["names"] = c.names;
    auto matrix = [](const Eigen::MatrixXd& m) {
        json rows = json::array();
        for (Eigen::Index a = 0; a < m.rows(); ++a) {
            json row = json::array();
            for (Eigen::Index b = 0; b < m.cols(); ++b) row.push_back(number(m(a, b)));
            rows.push_back(row);
        }
        return rows;
    };
    j["r"] = matrix(c.r);
    j["corrected"] = matrix(c.corrected);
    return j;
}

std::string to_table(const bowlby::reliability_result& r, const std::string& method) {
    std::string s;
    char line[256];
    std::snprintf(line, sizeof line, "Reliability of %s: %d items, %.0f rows (%.0f complete), %s covariances\n",
                  r.name.c_str(), r.n_items, r.n, r.n_complete, method.c_str());
    s += line;
    s += " raw_alpha std_alpha   g6_smc average_r      s/n      ase     mean       sd median_r\n ";
    for (double x : {r.alpha.raw_alpha, r.alpha.std_alpha, r.alpha.g6_smc, r.alpha.average_r, r.alpha.signal_noise})
        s += " " + fmt(x);
    s += " " + fmt(r.alpha.ase, "%8.4f");
    for (double x : {r.mean, r.sd, r.alpha.median_r}) s += " " + fmt(x);
    s += "\n\n";
    std::snprintf(line, sizeof line, " omega_total %s   lambda2 %s   sem %s\n", fmt(r.omega_total, "%.3f").c_str(),
                  fmt(r.lambda2, "%.3f").c_str(), fmt(r.sem, "%.3f").c_str());
    s += line;
    std::snprintf(line, sizeof line, " split half: max %s  min %s  mean %s  (%zu splits, %s)\n\n",
                  fmt(r.split_half.max, "%.3f").c_str(), fmt(r.split_half.min, "%.3f").c_str(),
                  fmt(r.split_half.mean, "%.3f").c_str(), r.split_half.splits,
                  r.split_half.exhaustive ? "all" : "a random sample");
    s += line;
    std::snprintf(line, sizeof line, " %.0f%% confidence intervals     lower    alpha    upper\n", r.ci_level * 100);
    s += line;
    auto ci_row = [&](const char* name, const bowlby::interval& i) {
        std::snprintf(line, sizeof line, "   %-26s%s %s %s\n", name, fmt(i.lower).c_str(),
                      fmt(r.alpha.raw_alpha).c_str(), fmt(i.upper).c_str());
        s += line;
    };
    ci_row("Feldt", r.feldt);
    ci_row("Duhachek", r.duhachek);
    if (r.bootstrap) ci_row("bootstrap (percentile)", *r.bootstrap);
    s += "\n Reliability if an item is dropped:\n";
    s += "             raw_alpha std_alpha   g6_smc average_r      s/n alpha_se    var_r    med_r\n";
    for (const auto& it : r.items) {
        std::snprintf(line, sizeof line, " %-12s", it.name.c_str());
        s += line;
        const auto& a = it.alpha_if_dropped;
        for (double x : {a.raw_alpha, a.std_alpha, a.g6_smc, a.average_r, a.signal_noise}) s += " " + fmt(x);
        s += " " + fmt(a.ase, "%8.4f") + " " + fmt(a.var_r, "%8.4f") + " " + fmt(a.median_r) + "\n";
    }
    s += "\n Item statistics:\n";
    s += "                     n    raw_r    std_r    r_cor   r_drop     mean       sd\n";
    for (const auto& it : r.items) {
        std::snprintf(line, sizeof line, " %-12s %8.0f", it.name.c_str(), it.n);
        s += line;
        for (double x : {it.raw_r, it.std_r, it.r_cor, it.r_drop, it.mean, it.sd}) s += " " + fmt(x);
        s += "\n";
    }
    for (const auto& w : r.warnings) s += " warning: " + w + "\n";
    return s + "\n";
}

std::string to_table(const bowlby::scale_correlations& c) {
    std::string s = "Scale intercorrelations (below the diagonal) and corrected for attenuation (above):\n";
    char line[64];
    s += std::string(14, ' ');
    for (const auto& n : c.names) {
        std::snprintf(line, sizeof line, " %12.12s", n.c_str());
        s += line;
    }
    s += "\n";
    for (Eigen::Index a = 0; a < c.r.rows(); ++a) {
        std::snprintf(line, sizeof line, " %-12.12s ", c.names[static_cast<std::size_t>(a)].c_str());
        s += line;
        for (Eigen::Index b = 0; b < c.r.cols(); ++b) {
            const double v = a == b ? 1.0 : (a > b ? c.r(a, b) : c.corrected(a, b));
            std::snprintf(line, sizeof line, " %12.3f", v);
            s += line;
        }
        s += "\n";
    }
    return s;
}

}  // namespace bowlby_cli
