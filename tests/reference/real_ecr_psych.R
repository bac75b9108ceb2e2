# psych's reliability statistics for the two ECR subscales of the real data
# (shared/data/ecr-openpsychometrics/data.csv: 1-5 scale, missing coded 0, reverse keying
# 6 - x), in the long form of tests/data/reliability_expected.csv. Used at test time by
# tests/reference/test_psych_reference.cpp; the data may not be copied into the repository.
# The Feldt interval is computed by inverting R's pf with uniroot: for N = 51,491 the F
# quantile from qf (which psych::alpha.ci uses) is off by about 3e-4 (pf(qf(0.975, ...)) is
# 0.9716), while pf and Boost.Math agree.
#   Rscript tests/reference/real_ecr_psych.R DATA.csv OUT.csv
suppressMessages(library(psych))
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "real_ecr_keyed.R"))
args <- commandArgs(trailingOnly = TRUE)
x <- read_keyed_ecr(args[1])
rows <- list()
put <- function(dataset, field, item, value)
  rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, method = "pairwise", field = field, item = item,
                                          value = sprintf("%.17g", value))
for (scale in c("anxiety", "avoidance")) {
  items <- if (scale == "anxiety") ecr_anxiety_items else ecr_avoidance_items
  s <- as.data.frame(x[, items])
  a <- alpha(s, warnings = FALSE)
  t <- a$total
  o <- suppressWarnings(suppressMessages(omega(s, nfactors = 1, flip = FALSE, plot = FALSE)))
  name <- paste0("ecr_", scale)
  put(name, "n_items", "", ncol(s)); put(name, "n", "", nrow(s))
  for (f in c("raw_alpha", "ase", "mean", "sd", "median_r", "average_r")) put(name, f, "", t[[f]])
  put(name, "std_alpha", "", t$std.alpha); put(name, "g6_smc", "", t[["G6(smc)"]]); put(name, "signal_noise", "", t[["S/N"]])
  put(name, "var_r", "", a$var.r)
  put(name, "sem", "", t$sd * sqrt(1 - t$raw_alpha))
  put(name, "omega_total", "", o$omega.tot)
  df1 <- nrow(s) - 1; df2 <- df1 * (ncol(s) - 1)
  fq <- function(p) uniroot(function(q) pf(q, df1, df2) - p, c(0.5, 2), tol = 1e-15)$root
  put(name, "feldt.lower", "", 1 - (1 - t$raw_alpha) * fq(0.975))
  put(name, "feldt.upper", "", 1 - (1 - t$raw_alpha) * fq(0.025))
  put(name, "duhachek.lower", "", t$raw_alpha - qnorm(0.975) * t$ase)
  put(name, "duhachek.upper", "", t$raw_alpha + qnorm(0.975) * t$ase)
  is <- a$item.stats; ad <- a$alpha.drop
  for (i in seq_len(ncol(s))) {
    item <- colnames(s)[i]
    for (f in c("n", "mean", "sd")) put(name, f, item, is[[f]][i])
    put(name, "raw_r", item, is$raw.r[i]); put(name, "std_r", item, is$std.r[i])
    put(name, "r_cor", item, is$r.cor[i]); put(name, "r_drop", item, is$r.drop[i])
    put(name, "alpha_if_dropped.raw_alpha", item, ad$raw_alpha[i])
    put(name, "alpha_if_dropped.std_alpha", item, ad$std.alpha[i])
    put(name, "alpha_if_dropped.ase", item, ad[["alpha se"]][i])
    put(name, "alpha_if_dropped.var_r", item, ad$var.r[i])
    put(name, "alpha_if_dropped.median_r", item, ad$med.r[i])
  }
}
write.csv(do.call(rbind, rows), args[2], row.names = FALSE, quote = FALSE)
