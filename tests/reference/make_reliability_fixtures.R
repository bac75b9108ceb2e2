# Reliability reference values from R's psych (psych::alpha, omega, splitHalf, scoreItems),
# written to tests/data/reliability_expected.csv in long form: dataset,method,field,item,value.
#
#   Rscript tests/reference/make_reliability_fixtures.R      (from the repository root)
#
# Data sets:
# - bfi_agree, bfi_consc, bfi_neuro: psychTools' bfi (2,800 respondents, 1-6, with missing
#   values), reverse-keyed items reflected as 7 - x. The data are not copied into this
#   repository: tests/reference/export_bfi.R writes them at test time where R has psychTools.
# - synthetic: tests/data/reliability_synthetic.csv, 8 items on 1-7 written by this script
#   (items 3, 6 and 7 reverse keyed, about 4% missing); the test reverses them with --reverse.
# Each data set is computed with pairwise covariances (psych's default) and listwise
# (use = "complete.obs"). sem = sd * sqrt(1 - raw_alpha); the Duhachek interval is
# raw_alpha +- qnorm(0.975) * ase (psych prints it with 1.96).
# Split halves: for an even number of items, psych::splitHalf's max, min and mean (it visits
# every split). For an odd number, psych 2.2.9 visits only the first half of
# combn(k, floor(k/2)) (right for even k, where the second half repeats the first as
# complements, but for odd k it leaves out real splits), so the values here are computed in
# base R over every split, with the split-half reliability 4 sum(R_AB) / sum(R) on the same R
# (cov2cor of the pairwise covariances) that psych uses.
suppressMessages({ library(psych); library(psychTools) })
data(bfi)
out <- file.path("tests", "data")

bfi_sets <- function() {
  list(
    bfi_agree = cbind(A1 = 7 - bfi$A1, bfi[, c("A2", "A3", "A4", "A5")]),
    bfi_consc = cbind(bfi[, c("C1", "C2", "C3")], C4 = 7 - bfi$C4, C5 = 7 - bfi$C5),
    bfi_neuro = bfi[, c("N1", "N2", "N3", "N4", "N5")])
}

# The synthetic set: two correlated factors, items 3, 6, 7 written reversed.
set.seed(7)
n <- 600
f <- rnorm(n)
X <- sapply(1:8, function(j) {
  z <- (0.45 + 0.05 * j) * f + rnorm(n) * 0.9
  pmin(7, pmax(1, round(4 + 1.3 * z)))
})
colnames(X) <- paste0("s", 1:8)
raw <- X
raw[, c(3, 6, 7)] <- 8 - raw[, c(3, 6, 7)]
raw[matrix(runif(length(raw)) < 0.04, nrow(raw))] <- NA
write.csv(data.frame(id = 1:n, raw), file.path(out, "reliability_synthetic.csv"), row.names = FALSE, na = "")
keyed_synthetic <- raw
keyed_synthetic[, c(3, 6, 7)] <- 8 - keyed_synthetic[, c(3, 6, 7)]

rows <- list()
put <- function(dataset, method, field, item, value) {
  rows[[length(rows) + 1]] <<- data.frame(dataset = dataset, method = method, field = field, item = item,
                                          value = sprintf("%.17g", value))
}

describe <- function(name, x, method) {
  x <- as.data.frame(x)
  use <- if (method == "pairwise") "pairwise" else "complete.obs"
  a <- alpha(x, use = use, warnings = FALSE)
  t <- a$total
  s <- splitHalf(x, use = use, check.keys = FALSE)
  xo <- if (method == "pairwise") x else x[complete.cases(x), ]
  o <- suppressWarnings(omega(xo, nfactors = 1, flip = FALSE, plot = FALSE))
  put(name, method, "n_items", "", ncol(x))
  put(name, method, "n", "", nrow(x))
  fields <- c(raw_alpha = "raw_alpha", std_alpha = "std.alpha", g6_smc = "G6(smc)", average_r = "average_r",
              signal_noise = "S/N", ase = "ase", mean = "mean", sd = "sd", median_r = "median_r")
  for (f in names(fields)) put(name, method, f, "", t[[fields[[f]]]])
  put(name, method, "var_r", "", a$var.r)
  put(name, method, "sem", "", t$sd * sqrt(1 - t$raw_alpha))
  put(name, method, "omega_total", "", o$omega.tot)
  put(name, method, "lambda2", "", s$lambda2)
  if (ncol(x) %% 2 == 0) {
    put(name, method, "split_half.max", "", s$maxrb)
    put(name, method, "split_half.min", "", s$minrb)
    put(name, method, "split_half.mean", "", s$meanr)
  } else {
    R <- cov2cor(cov(x, use = use))
    halves <- combn(ncol(x), ncol(x) %/% 2)
    rel <- apply(halves, 2, function(A) 4 * sum(R[A, -A]) / sum(R))
    put(name, method, "split_half.max", "", max(rel))
    put(name, method, "split_half.min", "", min(rel))
    put(name, method, "split_half.mean", "", mean(rel))
  }
  put(name, method, "feldt.lower", "", a$feldt$lower.ci$raw_alpha)
  put(name, method, "feldt.upper", "", a$feldt$upper.ci$raw_alpha)
  put(name, method, "duhachek.lower", "", t$raw_alpha - qnorm(0.975) * t$ase)
  put(name, method, "duhachek.upper", "", t$raw_alpha + qnorm(0.975) * t$ase)
  is <- a$item.stats
  ad <- a$alpha.drop
  drop_fields <- c(raw_alpha = "raw_alpha", std_alpha = "std.alpha", g6_smc = "G6(smc)", average_r = "average_r",
                   signal_noise = "S/N", ase = "alpha se", var_r = "var.r", median_r = "med.r")
  for (i in seq_len(ncol(x))) {
    item <- colnames(x)[i]
    put(name, method, "n", item, is$n[i])
    put(name, method, "mean", item, is$mean[i])
    put(name, method, "sd", item, is$sd[i])
    put(name, method, "raw_r", item, is$raw.r[i])
    put(name, method, "std_r", item, is$std.r[i])
    put(name, method, "r_cor", item, is$r.cor[i])
    put(name, method, "r_drop", item, is$r.drop[i])
    for (f in names(drop_fields)) put(name, method, paste0("alpha_if_dropped.", f), item, ad[[drop_fields[[f]]]][i])
  }
}

sets <- bfi_sets()
sets$synthetic <- keyed_synthetic
for (nm in names(sets)) for (m in c("pairwise", "listwise")) describe(nm, sets[[nm]], m)

# Two scales of one instrument: agreeableness and conscientiousness items of bfi (A1, C4, C5
# reverse keyed on 1-6), their correlation and its correction for attenuation.
keys <- list(agree = c("-A1", "A2", "A3", "A4", "A5"), consc = c("C1", "C2", "C3", "-C4", "-C5"))
sc <- scoreItems(keys, bfi[, 1:10], impute = "none", min = 1, max = 6)
put("bfi_two_scales", "pairwise", "r", "agree:consc", sc$cor[1, 2])
put("bfi_two_scales", "pairwise", "corrected", "agree:consc", sc$corrected[1, 2])
put("bfi_two_scales", "pairwise", "raw_alpha", "agree", sc$alpha[1, 1])
put("bfi_two_scales", "pairwise", "raw_alpha", "consc", sc$alpha[1, 2])

write.csv(do.call(rbind, rows), file.path(out, "reliability_expected.csv"), row.names = FALSE, quote = FALSE)
