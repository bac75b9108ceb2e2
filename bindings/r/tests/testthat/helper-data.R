# The real ECR file (openpsychometrics), found through BOWLBY_SHARED_DATA (scripts/test.sh sets
# it to the workplace's shared/data); tests that need it skip visibly without it.
ecr_file <- function() {
  dir <- Sys.getenv("BOWLBY_SHARED_DATA")
  path <- file.path(dir, "ecr-openpsychometrics", "data.csv")
  if (!nzchar(dir) || !file.exists(path))
    testthat::skip("the real ECR file is absent (BOWLBY_SHARED_DATA/ecr-openpsychometrics/data.csv)")
  d <- utils::read.csv(path)
  items <- d[paste0("Q", 1:36)]
  items[items == 0] <- NA  # the file codes a missing answer 0 (its README)
  items
}

# The ECR key as its README and Brennan, Clark & Shaver (1998) give it, written out here:
# avoidance the odd items, anxiety the even ones, these reverse-keyed.
ecr_reversed <- c(3, 15, 19, 22, 25, 27, 29, 31, 33, 35)

# bfi's five scales and their reversed items (psychTools' documentation of bfi).
bfi_scales <- list(A = c("A1"), C = c("C4", "C5"), E = c("E1", "E2"), N = character(), O = c("O2", "O5"))

# alpha() against psych::alpha, field by field.
expect_like_psych <- function(ours, theirs, tol = 1e-9) {
  for (f in c("total", "alpha.drop", "item.stats")) {
    expect_identical(names(ours[[f]]), names(theirs[[f]]), label = paste(f, "columns"))
    expect_identical(rownames(ours[[f]]), rownames(theirs[[f]]), label = paste(f, "rows"))
    expect_equal(as.matrix(ours[[f]]), as.matrix(theirs[[f]]), tolerance = tol, label = f)
  }
  expect_equal(ours$response.freq, theirs$response.freq, tolerance = tol)
  expect_equal(ours$feldt$alpha$raw_alpha, theirs$feldt$alpha$raw_alpha, tolerance = tol)
  # psych::alpha.ci's Feldt bounds, 1 - (1 - alpha) F^-1(p; N - 1, (N - 1)(k - 1)) with N the
  # rows, with the F quantile found by inverting R's pf: R's qf, which psych calls, is off by
  # about 3e-4 at N = 51,491 (pf(qf(0.975, ...)) = 0.9716), while pf agrees with Boost.Math.
  n <- length(theirs$scores)
  k <- theirs$nvar
  fq <- function(p) stats::uniroot(function(q) stats::pf(q, n - 1, (n - 1) * (k - 1)) - p, c(0.5, 2), tol = 1e-15)$root
  a <- theirs$total$raw_alpha
  expect_equal(ours$feldt$lower.ci$raw_alpha, 1 - (1 - a) * fq(0.975), tolerance = tol)
  expect_equal(ours$feldt$upper.ci$raw_alpha, 1 - (1 - a) * fq(0.025), tolerance = tol)
  if (n < 10000) expect_equal(ours$feldt$lower.ci$raw_alpha, theirs$feldt$lower.ci$raw_alpha, tolerance = tol)
  expect_equal(ours$var.r, theirs$var.r, tolerance = tol)
  expect_equal(ours$scores, theirs$scores, tolerance = tol)
  expect_identical(ours$keys, theirs$keys)
  expect_identical(ours$nvar, theirs$nvar)
}
